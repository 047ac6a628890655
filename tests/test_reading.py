"""A workbook's sheet to text, taken a few rows at a time (a million-row sheet is never held as lists of cells): the
same frame and the same cells stored as numbers whatever the size of the pieces. Expected values by hand."""
from __future__ import annotations

import datetime as dt

import openpyxl
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
