"""A roster file's table: its header row and its rows of text, from CSV or XLSX bytes.

Nothing here knows what a column means (portal.domain.roster does); this only reads a
file as a spreadsheet would show it, row numbers included (the header is row 1), and
refuses a file it cannot read with a message saying what to do. Pure: no database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath

MAX_ROWS = 20_000  # people a file may hold (twice the 10,000 the dry run is timed for)
MAX_BYTES = 5 * 1024 * 1024
ACCEPTED = ".csv or .xlsx"
_DELIMITERS = (",", ";", "\t")
# What to do with a roster too large to read at once; as parts, so that the people in the
# other files do not count as gone.
SPLIT = (
    "Split the roster into smaller files, and import each as part of the roster (untick "
    "“This file is the whole roster”, or `portal import --partial`)."
)


class RosterFileError(ValueError):
    """The file cannot be read at all: the message says why, and what to do."""


@dataclass(frozen=True)
class TableRow:
    """One row below the header: its row number (the header is row 1), its cells as text,
    and which cells (by column position) were spreadsheet formulas rather than values."""

    line: int
    cells: tuple[str, ...]
    formulas: frozenset[int] = field(default_factory=frozenset)

    def cell(self, column: int) -> str:
        """The text of one cell; a row shorter than the header has empty cells at its end."""
        return self.cells[column] if column < len(self.cells) else ""


@dataclass(frozen=True)
class Table:
    """A file's header row (the column names, stripped) and the rows that are not empty."""

    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]


def read_table(data: bytes, filename: str) -> Table:
    """The table in a CSV or XLSX file; raise RosterFileError when the file cannot be used."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise RosterFileError(
            f"{filename} is an Excel 97-2003 workbook (.xls), which cannot be read: "
            f"save it as {ACCEPTED} (CSV UTF-8) and upload that."
        )
    if suffix not in (".csv", ".xlsx"):
        raise RosterFileError(
            f"{filename} is not a file the import reads: upload a roster as {ACCEPTED}."
        )
    if len(data) > MAX_BYTES:
        raise RosterFileError(
            f"{filename} is {len(data) / 2**20:.1f} MB: at most 5 MB is read at once. " + SPLIT
        )
    if not data.strip():
        raise RosterFileError(f"{filename} is empty.")
    rows = _xlsx_rows(data, filename) if suffix == ".xlsx" else _csv_rows(data)
    return _table(rows, filename)


def _table(rows: Iterator[TableRow], filename: str) -> Table:
    """The header row, then the rows below it that have a cell, refusing a file too long."""
    first = next(rows, None)
    if first is None or first.line != 1 or not any(c.strip() for c in first.cells):
        raise RosterFileError(
            f"{filename} has no header row: row 1 must name the columns (such as "
            "Email, First name, Department)."
        )
    headers = tuple(c.strip() for c in first.cells)
    address = next((h for h in headers if "@" in h), None)
    if address is not None:
        raise RosterFileError(
            f"{filename} has no header row: row 1 holds “{_short(address)}”, a person's "
            "address rather than a column name. Add a first row naming the columns."
        )
    body: list[TableRow] = []
    for row in rows:
        if not any(c.strip() for c in row.cells):
            continue  # spreadsheets end with empty rows; they are nobody
        if len(body) == MAX_ROWS:
            raise RosterFileError(
                f"{filename} has more than {MAX_ROWS:,} rows of people: at most {MAX_ROWS:,} "
                "are read at once. " + SPLIT
            )
        body.append(row)
    return Table(headers, tuple(body))


def _short(text: str, limit: int = 40) -> str:
    """A cell's text as a message quotes it: never more than `limit` characters of it."""
    return text if len(text) <= limit else text[:limit] + "…"


# CSV


def _csv_rows(data: bytes) -> Iterator[TableRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            f"The file is not UTF-8 text: row {_row_of(data, exc.start)} holds a byte UTF-8 "
            "does not have (the file was probably saved in another encoding). In Excel or "
            "LibreOffice, save it as “CSV UTF-8” and upload that."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)  # ties: the comma, listed first
    return _records(text, delimiter)


def _records(text: str, delimiter: str) -> Iterator[TableRow]:
    # Rows are numbered as a spreadsheet numbers them (one per record, blank lines
    # included), not by lines of text: a quoted cell may hold a line break.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RosterFileError(f"Row {line} cannot be read as CSV: {exc}.") from None
        yield TableRow(line, tuple(cells))


def _row_of(data: bytes, offset: int) -> int:
    """The row (as a spreadsheet numbers them) that holds the byte at `offset`."""
    before = data[:offset].decode("utf-8-sig")  # valid up to the first bad byte
    try:
        complete = list(csv.reader(io.StringIO(before, newline="")))
    except csv.Error:
        return before.count("\n") + 1
    if not complete:
        return 1
    # The text before the bad byte ends either inside a row (that row) or after a line
    # break (the bad byte starts the next row).
    return len(complete) + (1 if before.endswith(("\n", "\r")) else 0)


# XLSX


def _xlsx_rows(data: bytes, filename: str) -> Iterator[TableRow]:
    # Imported here: openpyxl lives in the solver layer, and only an import reads it.
    import openpyxl

    try:
        # data_only=False: a formula cell keeps its formula (and says it is one) rather
        # than the value Excel last cached for it, which an import must not take as text.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # any failure to open is the file's: a wrong or damaged workbook
        raise RosterFileError(
            f"{filename} cannot be read as an Excel workbook (.xlsx): open it in Excel or "
            "LibreOffice and save it again as .xlsx or as CSV UTF-8."
        ) from None
    # From A1 whatever the sheet's recorded dimensions say, so row numbers are Excel's.
    rows = _sheet_rows(workbook.worksheets[0].iter_rows(min_row=1, min_col=1))
    return _closing(rows, workbook, filename)


def _closing(rows: Iterator[TableRow], workbook: object, filename: str) -> Iterator[TableRow]:
    """The rows, closing the read-only workbook (it holds the zip open) when done; a sheet
    damaged past its first bytes (read lazily) is the file's problem, said as one."""
    try:
        yield from rows
    except Exception:
        raise RosterFileError(
            f"{filename} is damaged: part of its first sheet cannot be read. Open it in Excel "
            "or LibreOffice and save it again as .xlsx or as CSV UTF-8."
        ) from None
    finally:
        workbook.close()  # type: ignore[attr-defined]


def _sheet_rows(sheet_rows: Iterable[tuple[object, ...]]) -> Iterator[TableRow]:
    for line, cells in enumerate(sheet_rows, start=1):
        texts: list[str] = []
        formulas: set[int] = set()
        for column, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                formulas.add(column)
            texts.append(_cell_text(getattr(cell, "value", None)))
        while texts and not texts[-1] and len(texts) - 1 not in formulas:
            texts.pop()  # a sheet's rows run as wide as its widest: trailing blanks are none
        yield TableRow(line, tuple(texts), frozenset(formulas))


def _cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()  # a date cell: Excel stores dates as midnight
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an employee number typed as a number: 1042, not 1042.0
    return str(value)
