"""The interchange format as a spreadsheet: one row per practice (docs/importing.md).

Columns are the interchange keys, nested ones dotted (`organisation.name`, `contact.email`);
several values in one cell are separated by `|`; a city is `Name (CC)`; a presentation is
`name; date; place; subject`. Rows are turned into the records the JSON files hold, so both
go through the same validation and messages (with row numbers). openpyxl reads and writes
XLSX: it is maintained, pure Python and already installed with Wagtail, which uses it for
its own spreadsheet exports.
"""

import csv
import re
import zipfile
from datetime import date, datetime

from ..exports import FORMULA_STARTS

SEPARATOR = "|"
PART_SEPARATOR = ";"
LIST_COLUMNS = (
    "key_themes", "target_audiences", "cities", "countries", "regions", "networks",
    "presented_at", "funding_programmes", "tags",
)  # fmt: skip
BOOLEAN_COLUMNS = ("peer_reviewed", "contact.public")
YEAR_COLUMNS = ("start_year", "end_year", "last_update_year")
# Every column of the layout, in the order an export writes them.
COLUMNS = (
    "page_id", "title", "description", "key_themes", "target_audiences", "cities", "countries",
    "regions", "networks", "start_year", "end_year", "deliverables", "evidence_and_evaluation",
    "evaluation_type", "peer_reviewed", "sustainability_and_transferability", "presented_at",
    "eu_funding", "funding_programmes", "organisation.name", "organisation.description",
    "organisation.type", "country_of_origin", "contact.name", "contact.email", "contact.phone",
    "contact.website", "contact.address", "contact.public", "last_update_year", "tags",
    "language", "source_url",
)  # fmt: skip
# Written by the export for the reader, ignored on import.
INFORMATION_COLUMNS = ("status", "url")
PRESENTATION_PARTS = ("name", "date", "place", "subject")
TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n"}
CITY = re.compile(r"^(?P<name>.*?)\s*\((?P<country>[^()]*)\)\s*$")
SPREADSHEET_SUFFIXES = (".csv", ".xlsx")


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet of practices; the message says why."""


def read_rows(path):
    """[(row number, {column: cell})] of a CSV or XLSX file; the first row names the columns.

    Raises SpreadsheetError for a file that cannot be read, a missing title column or a
    column that is not in the layout (it would otherwise be dropped silently)."""
    rows = _read_xlsx(path) if str(path).lower().endswith(".xlsx") else _read_csv(path)
    try:
        headings = next(rows)
    except StopIteration:
        raise SpreadsheetError("holds no rows (the first row must name the columns).") from None
    names = [str(heading or "").strip().lower() for heading in headings]
    known = set(COLUMNS) | set(INFORMATION_COLUMNS)
    unknown = [name for name in names if name and name not in known]
    if unknown:
        raise SpreadsheetError(
            f"column {unknown[0]!r} is not in the spreadsheet layout (a typo?); the columns are "
            f"listed in docs/importing.md."
        )
    if "title" not in names:
        raise SpreadsheetError("has no 'title' column (the first row must name the columns).")
    records = []
    for number, cells in enumerate(rows, start=2):
        row = {
            name: cell
            for name, cell in zip(names, cells, strict=False)
            if name and name not in INFORMATION_COLUMNS
        }
        if any(_blank(value) is not None for value in row.values()):
            records.append((number, row))
    if not records:
        raise SpreadsheetError("holds no records (only the row of column names).")
    return records


def _read_csv(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(f"cannot be read as UTF-8 text ({exc}).") from None
    except csv.Error as exc:
        raise SpreadsheetError(f"is not a readable CSV file ({exc}).") from None


def _read_xlsx(path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SpreadsheetError(f"is not a readable XLSX workbook ({exc}).") from None
    try:
        # The first sheet: an export writes one.
        yield from list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _blank(value):
    """None for an empty cell, else the value (text stripped)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _text(value):
    """A cell as text, with the apostrophe an export puts before formula-like text removed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _values(cell):
    return [part.strip() for part in _text(cell).split(SEPARATOR) if part.strip()]


def row_to_record(row):
    """The interchange record of one spreadsheet row (validation is the importer's)."""
    record = {}
    for column, cell in row.items():
        cell = _blank(cell)
        if cell is None:
            continue
        if column in LIST_COLUMNS:
            value = _values(cell)
            if column == "cities":
                value = [_city(item) for item in value]
            elif column == "presented_at":
                value = [_presentation(item) for item in value]
        elif column in BOOLEAN_COLUMNS:
            value = _boolean(cell)
        elif column in YEAR_COLUMNS or column == "page_id":
            value = int(cell) if isinstance(cell, float) and cell.is_integer() else cell
            value = value if isinstance(value, int) else _text(value)
        else:
            value = _text(cell)
        if "." in column:
            group, key = column.split(".", 1)
            record.setdefault(group, {})[key] = value
        else:
            record[column] = value
    return record


def _city(text):
    found = CITY.match(text)
    if found:
        return {"name": found["name"], "country": found["country"].strip()}
    return {"name": text}


def _presentation(text):
    parts = [part.strip() for part in text.split(PART_SEPARATOR)]
    presentation = {key: part for key, part in zip(PRESENTATION_PARTS, parts, strict=False) if part}
    if len(parts) > len(PRESENTATION_PARTS):
        presentation["subject"] = PART_SEPARATOR.join(parts[3:]).strip()
    return presentation


def _boolean(cell):
    if isinstance(cell, bool):
        return cell
    word = _text(cell).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return word  # not a yes or no: the validator says so


def record_to_row(record, page_id=None):
    """The spreadsheet row {column: cell text} of an interchange record (the export)."""
    row = {"page_id": page_id}
    for column in COLUMNS[1:]:
        if "." in column:
            group, key = column.split(".", 1)
            value = (record.get(group) or {}).get(key)
        else:
            value = record.get(column)
        if column == "cities":
            value = [f"{city['name']} ({city['country']})" if city.get("country") else city["name"]
                     for city in value]  # fmt: skip
        elif column == "presented_at":
            value = [
                f"{PART_SEPARATOR} ".join(item.get(key) or "" for key in PRESENTATION_PARTS).rstrip(
                    f"{PART_SEPARATOR} "
                )
                for item in value
            ]
        if column in LIST_COLUMNS:
            value = f" {SEPARATOR} ".join(value)
        elif column in BOOLEAN_COLUMNS:
            value = "yes" if value else "no"
        row[column] = "" if value is None else value
    return row
