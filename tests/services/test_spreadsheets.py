"""Reading lists as spreadsheet programs save them: separators, encodings, header languages,
each from the bytes such a program writes."""
from __future__ import annotations

import codecs

import pytest

from trainer.services import cohorts, spreadsheets

ROWS = [["naam", "e-mail"], ["Zoë Müller", "zoe@example.org"], ["Bram de Vries", "bram@example.org"]]


def _text(rows: list[list[str]], sep: str, newline: str = "\r\n") -> str:
    return newline.join(sep.join(row) for row in rows) + newline


@pytest.mark.parametrize("data, encoding, sep", [
    # Excel "CSV UTF-8" in English: a byte-order mark and commas.
    (codecs.BOM_UTF8 + _text(ROWS, ",").encode("utf-8"), "UTF-8", ","),
    # LibreOffice or Google Sheets: UTF-8 without a mark, Unix line ends.
    (_text(ROWS, ",", "\n").encode("utf-8"), "UTF-8", ","),
    # Excel in Dutch (decimal comma): semicolons, Windows-1252.
    (_text(ROWS, ";").encode("cp1252"), "Windows-1252", ";"),
    # Excel in Dutch, "CSV UTF-8": a mark and semicolons.
    (codecs.BOM_UTF8 + _text(ROWS, ";").encode("utf-8"), "UTF-8", ";"),
    # Excel "Unicode text": UTF-16 little-endian with a mark, tabs.
    (codecs.BOM_UTF16_LE + _text(ROWS, "\t").encode("utf-16-le"), "UTF-16", "\t"),
    # UTF-16 big-endian with a mark.
    (codecs.BOM_UTF16_BE + _text(ROWS, "\t").encode("utf-16-be"), "UTF-16", "\t"),
    # UTF-16 without a mark.
    (_text(ROWS, ";").encode("utf-16-le"), "UTF-16", ";"),
    # Tabs in plain UTF-8 (copied out of a spreadsheet into a text editor).
    (_text(ROWS, "\t").encode("utf-8"), "UTF-8", "\t"),
])
def test_every_way_a_spreadsheet_saves_a_list_reads_the_same(data, encoding, sep):
    table = spreadsheets.read_table(data)
    assert (table.encoding, table.separator) == (encoding, sep)
    assert table.rows == ROWS


def test_quoted_cells_keep_their_separators_and_line_breaks():
    data = 'name;email\r\n"Vries; Bram de";bram@example.org\r\n"Ana\r\nOrtiz";ana@example.org\r\n'.encode("cp1252")
    assert spreadsheets.read_table(data).rows[1:] == [["Vries; Bram de", "bram@example.org"],
                                                      ["Ana\r\nOrtiz", "ana@example.org"]]


@pytest.mark.parametrize("data", [
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00b\xee\x9dh^\x01\x00\x00\x90\x04\x00\x00\x13\x00"
     b"\x08\x02[Content_Types].xml"),  # the start of an .xlsx workbook
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00\x00\x00\x00\x00",  # an old .xls workbook
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    b"name,email\r\n\x81\x8d\x8f\x90\x9d\r\n",  # bytes that are neither UTF-8 nor Windows-1252
])
def test_a_workbook_or_other_non_text_is_not_read_as_text(data):
    with pytest.raises(spreadsheets.UnreadableFile):
        spreadsheets.read_table(data)


@pytest.mark.parametrize("header", ["name,email", "Name,E-mail", "Naam,E-mailadres", "Full name,Email address",
                                    "naam,emailadres", "email,name"])
def test_headers_in_english_or_dutch_are_understood(app, header):
    first, second = header.split(",")
    value = {"name": "Zoë", "email": "zoe@example.org"}
    row = ",".join(value["email" if "mail" in col.lower() else "name"] for col in (first, second))
    with app.test_request_context():
        checked = cohorts.check_roster(f"{header}\n{row}\n".encode())
    assert checked.problems == [] and [(r.name, r.email) for r in checked.rows] == [("Zoë", "zoe@example.org")]


def test_a_dutch_excel_list_is_checked_and_its_form_is_named(app):
    data = _text([["Naam", "E-mail"], ["Zoë Müller", "ZOE@example.org"]], ";").encode("cp1252")
    with app.test_request_context():
        checked = cohorts.check_roster(data)
        assert [(r.name, r.email) for r in checked.rows] == [("Zoë Müller", "zoe@example.org")]
        assert (checked.encoding, cohorts.separator_name(checked.separator)) == ("Windows-1252", "a semicolon (;)")


@pytest.mark.parametrize("data, cause", [
    (b"voornaam;adres\r\nZoe;Utrecht\r\n", "It reads: 'voornaam', 'adres'."),
    (b"PK\x03\x04" + bytes(range(256)) * 2, "it may be an .xlsx workbook"),
    (b"name,email\r\nZoe,\r\n", "The email address of Zoe is missing."),
    (b"x" * (cohorts.MAX_CSV_BYTES + 1), "larger than 512 KB"),
])
def test_problems_name_their_cause_in_plain_words(app, data, cause):
    with app.test_request_context():
        checked = cohorts.check_roster(data)
    assert checked.rows == [] and cause in checked.problems[0][1]
