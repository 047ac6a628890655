"""A workbook's cells as text: every kind calamine reads (.xlsx, .xls, .ods, .xlsb), each sheet to a frame of text
under its headers, with the cells stored as numbers noted (a code that lost its leading zeros is found by them).
Run in the reading child (core.ingest.sandbox), never in the server: calamine may stop its process on a forged file.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import python_calamine

from core.ingest import validate
from core.ingest.problems import Problem


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


class Refused(ValueError):
    """A workbook refused once open: a hidden sheet, or more rows or cells than an upload may hold."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


CELLS_PER_ROW = 64  # cells an upload may hold per row it may hold: the widest sheet has 15 columns


def read_workbook_here(path: Path, kind: str, limits: validate.Limits = validate.Limits()) -> dict[str, tuple[pd.DataFrame, dict[str, set[int]]]]:
    """Each sheet of a workbook of any kind as text, with, per header, the row indices of cells stored as numbers. A
    workbook saved under another kind's suffix is read by its content. A hidden sheet, or more rows or cells than
    `limits` allow (counted before any cell is turned into Python's values), raise Refused."""
    if Path(path).suffix.lower() == kind:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    else:
        with open(path, "rb") as fh:
            wb = python_calamine.CalamineWorkbook.from_filelike(fh)
    hidden = validate.hidden_sheet(wb.sheets_metadata)
    if hidden is not None:
        raise Refused(hidden)
    sheets = {title: wb.get_sheet_by_name(title) for title in wb.sheet_names}
    rows = sum(max(sheet.height - 1, 0) for sheet in sheets.values())
    cells = sum(sheet.height * sheet.width for sheet in sheets.values())
    if rows > limits.max_rows or cells > limits.max_rows * CELLS_PER_ROW:
        raise Refused(Problem(Path(path).name, None, "", f"{rows:,} × {cells // max(rows, 1):,}",
                              f"行数超过上限 {limits.max_rows:,}（或单元格多于这些行所能容纳）",
                              f"more rows than the limit of {limits.max_rows:,} (or more cells than such rows hold)"))
    return {title: _as_text(sheet.to_python(skip_empty_area=False)) for title, sheet in sheets.items()}


def _as_text(rows: list[list]) -> tuple[pd.DataFrame, dict[str, set[int]]]:
    """A sheet's cells as calamine gives them (text, numbers, dates, None), row by row, to text under the first
    non-blank row's headers, blank rows dropped, and, per header, the row indices of the cells stored as numbers.
    Each distinct value of a column is turned to text once (`_cell_text`): days and quantities repeat."""
    width = max(map(len, rows), default=0)
    rows = [r for r in rows if r.count("") + r.count(None) < len(r)]
    if not rows:
        return pd.DataFrame(), {}
    header = [_cell_text(v).strip() for v in rows[0]]
    body_rows = rows[1:] if min(map(len, rows)) == width else [list(r) + [None] * (width - len(r)) for r in rows[1:]]
    columns = list(zip(*body_rows)) if body_rows else [() for _ in header]
    body, numeric = {}, {}
    for j, name in enumerate(header):
        values = columns[j]
        kinds = set(map(type, values))
        if kinds <= {str}:
            body[j] = list(values)
            continue
        if kinds & {int, float}:
            numeric.setdefault(name, set()).update(i for i, v in enumerate(values) if type(v) in (int, float))
        if bool in kinds:  # True would be taken for 1 by a look-up
            body[j] = [_cell_text(v) for v in values]
            continue
        memo = {v: _cell_text(v) for v in set(values)}
        body[j] = [memo[v] for v in values]
    return pd.DataFrame(body, index=range(len(rows) - 1), dtype=object).set_axis(header, axis=1), numeric
