"""CSV files that spreadsheet programs open correctly and safely, and CSV files as spreadsheet
programs write them: with commas, semicolons (Excel in Dutch and other locales that write a
decimal comma) or tabs between columns, in UTF-8 (with or without a byte-order mark), UTF-16
("Unicode text") or Windows-1252 (older Excel on Windows)."""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SEPARATORS = (",", ";", "\t")
# Files people upload by mistake: .xlsx and .ods workbooks (zip), old .xls (OLE2), PDF.
NOT_TEXT = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-")


def safe_cell(value: object) -> object:
    """Numbers stay numbers; text that a spreadsheet would run as a formula is neutralised."""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read accents and non-Latin names."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class UnreadableFile(ValueError):
    """The bytes are not text in any encoding a spreadsheet writes."""


@dataclass
class Table:
    rows: list[list[str]]
    encoding: str  # "UTF-8", "UTF-16" or "Windows-1252"
    separator: str  # ",", ";" or "\t"


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding. A byte-order mark decides; without one, UTF-16 is
    recognised by its zero bytes, UTF-8 is tried, and Windows-1252 is what is left (it maps all
    but five byte values, so a file that fails it is not text)."""
    if data.startswith(NOT_TEXT):
        raise UnreadableFile("workbook")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", "UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "UTF-16")
    if data and b"\x00" in data[:200]:
        even, odd = data[0:200:2].count(0), data[1:200:2].count(0)
        return _strict(data, "utf-16-be" if even > odd else "utf-16-le", "UTF-16")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return _strict(data, "cp1252", "Windows-1252")


def _strict(data: bytes, codec: str, name: str) -> tuple[str, str]:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise UnreadableFile(name) from error
    if "\x00" in text:
        raise UnreadableFile(name)
    return text, name


def separator(text: str) -> str:
    """The separator of the first (header) line: csv.Sniffer, limited to the three that
    spreadsheets write; where it cannot tell (a single column), whichever occurs most."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    try:
        return csv.Sniffer().sniff(first, delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        counts = {sep: first.count(sep) for sep in SEPARATORS}
        best = max(SEPARATORS, key=lambda sep: counts[sep])
        return best if counts[best] else ","


def read_table(data: bytes) -> Table:
    """Rows of text cells from a CSV file a spreadsheet program saved. Raises UnreadableFile."""
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")
    sep = separator(text)
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)]
    return Table(rows, encoding, sep)
