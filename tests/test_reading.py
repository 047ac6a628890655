"""A workbook's sheet to text, taken a few rows at a time (a million-row sheet is never held as lists of cells): the
same frame and the same cells stored as numbers whatever the size of the pieces. Expected values by hand."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from core.ingest import reading

ROWS = [
    ["", "", ""],  # blank: dropped, as every blank row
    ["", " 编码 ", "数量"],  # the header (a blank column before it, kept in its place)
    ["", "0012", 3.0],
    [None, None, None],
    ["", 12.0, "4"],
    ["", "x", True],
    ["", "y"],  # shorter than the header: its missing cell is empty
    ["", dt.datetime(2026, 3, 2), 2.5, "beyond the header"],  # a cell beyond the header is not read
    ["", 7, 1e21],
]
TEXT = [["", "0012", "3"], ["", "12", "4"], ["", "x", "True"], ["", "y", ""], ["", "2026-03-02", "2.5"],
        ["", "7", "1000000000000000000000"]]
NUMBERS = {"编码": [1, 5], "数量": [0, 4, 5]}  # row indices of the cells stored as numbers (True is not one)


@pytest.mark.parametrize("chunk", [1, 2, 4, 100])
def test_the_pieces_do_not_change_the_text(chunk):
    frame, numeric = reading._as_text(iter(ROWS), chunk)
    assert list(frame.columns) == ["", "编码", "数量"]
    assert frame.values.tolist() == TEXT and list(frame.index) == list(range(6))
    assert {name: rows.tolist() for name, rows in numeric.items()} == NUMBERS


def test_a_header_given_twice_has_its_numbers_once_and_in_order():
    rows = [["a", "a"], [1.0, "x"], ["y", 2.0], [3.0, 4.0]]
    frame, numeric = reading._as_text(iter(rows), 1)
    assert frame.values.tolist() == [["1", "x"], ["y", "2"], ["3", "4"]]
    assert numeric["a"].tolist() == [0, 1, 2]


def test_a_sheet_of_blank_rows_or_a_header_alone():
    frame, numeric = reading._as_text(iter([["", None], [None, ""]]))
    assert frame.empty and numeric == {}
    frame, numeric = reading._as_text(iter([["", None], ["a", "b"]]))
    assert list(frame.columns) == ["a", "b"] and len(frame) == 0 and numeric == {}


def test_a_sheet_that_starts_at_column_c_keeps_its_blank_columns(tmp_path, monkeypatch):
    """calamine's own rows start at the first used column; the reader puts the blank ones back, as the whole-sheet
    reading did, across pieces of two rows."""
    monkeypatch.setattr(reading, "CHUNK", 2)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "采购订单"
    ws["C3"], ws["D3"] = "订单编号", "数量"
    for i, (code, qty) in enumerate([("A1", 1), ("A2", 2.5), (None, None), ("A3", "3")]):
        ws.cell(4 + i, 3, code)
        ws.cell(4 + i, 4, qty)
    book.save(tmp_path / "c.xlsx")
    sheets = reading.read_workbook_here(tmp_path / "c.xlsx", ".xlsx")
    frame, numeric = sheets["采购订单"]
    assert list(frame.columns) == ["", "", "订单编号", "数量"]
    assert frame.values.tolist() == [["", "", "A1", "1"], ["", "", "A2", "2.5"], ["", "", "A3", "3"]]
    assert {name: rows.tolist() for name, rows in numeric.items()} == {"数量": [0, 1]}


# A CSV of what analysts' exports hold: a BOM or none, CRLF and LF, a quoted cell across lines, Chinese and a
# four-byte character (split between pieces of a few bytes), an empty cell, a row shorter than the header, a line
# separator inside a cell, and a NUL byte or invalid bytes that send the file the whole-text way.
CSV_TEXT = ('订单编号,机构名称,数量\r\nO1,"第一\r\n医院",3\r\nO2,𠀋院,\nO3,乙\u2028丙,5\nO4,丁\n')


@pytest.mark.parametrize("raw,codec", [
    (CSV_TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), "utf-8-sig"),
    (CSV_TEXT.replace("O4", "O\x004").encode("utf-8"), None),
    (CSV_TEXT.encode("gb18030", "replace"), None),
    (CSV_TEXT.encode("utf-8")[:-2] + "中".encode("utf-8")[:2], None),  # a character cut at the end
    (b"", "utf-8"),
], ids=["utf-8", "bom", "nul", "gb18030", "cut", "empty"])
@pytest.mark.parametrize("piece", [3, 7, 1 << 24])
def test_a_plain_utf8_csv_is_read_from_the_disk_as_its_whole_text_would_be(tmp_path, monkeypatch, raw, codec, piece):
    """A CSV that is UTF-8 throughout goes to pandas from the disk (no whole copy of its text), any other file the
    whole-text way; both give the frame the whole text gives, however the checking pieces cut the characters."""
    from core.ingest import importer
    monkeypatch.setattr(importer, "CSV_PIECE", piece)
    path = tmp_path / "orders.csv"
    path.write_bytes(raw)
    assert importer._plain_utf8(path) == codec
    if not raw:
        with pytest.raises(ValueError):
            importer._read_csv(path)
        return
    try:
        whole = pd.read_csv(io.StringIO(importer._decode_csv(raw)), dtype=str, keep_default_na=False).fillna("")
    except importer.Unreadable:
        with pytest.raises(importer.Unreadable):
            importer._read_csv(path)
        return
    got = importer._read_csv(path)
    pd.testing.assert_frame_equal(got, whole)
    if codec is not None:
        assert got["机构名称"].tolist() == ["第一\r\n医院", "𠀋院", "乙\u2028丙", "丁"]
        assert got["数量"].tolist() == ["3", "", "5", ""]
