"""English dates as the hub writes them: day, month, year ("21 November 2026", not "Nov. 21").

The other interface languages use Django's own formats (de "21. November 2026", es "21 de
noviembre de 2026"); templates ask for DATE_FORMAT, never a fixed pattern.
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
