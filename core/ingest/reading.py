"""A workbook's cells as text: every kind calamine reads (.xlsx, .xls, .ods, .xlsb), each sheet to a frame of text
under its headers, with the cells stored as numbers noted (a code that lost its leading zeros is found by them).
Run in the reading child (core.ingest.sandbox), never in the server: calamine may stop its process on a forged file.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

import numpy as np
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


CHUNK = 65_536  # rows of a sheet turned into Python's values at a time
CELLS_PER_ROW = 64  # cells an upload may hold per row it may hold: the widest sheet has 15 columns


def read_workbook_here(path: Path, kind: str, limits: validate.Limits = validate.Limits()) -> dict[str, tuple[pd.DataFrame, dict[str, np.ndarray]]]:
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
    return {title: _as_text(_sheet_rows(sheet)) for title, sheet in sheets.items()}


def _sheet_rows(sheet) -> Iterable[list]:
    """A sheet's rows one at a time, as `to_python(skip_empty_area=False)` would give them all at once: calamine's own
    rows begin at the sheet's first used column, so the blank cells before it are put back (a header's position is
    the file's)."""
    lead = [""] * (sheet.start[1] if sheet.start else 0)
    return (lead + row for row in sheet.iter_rows()) if lead else sheet.iter_rows()


def _ascending(rows: np.ndarray) -> np.ndarray:
    """Row indices in order, once each: they come so unless two columns share a header."""
    return rows if (rows[1:] > rows[:-1]).all() else np.unique(rows)


def _as_text(rows: Iterable[list], chunk: int | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A sheet's cells as calamine gives them (text, numbers, dates, None), row by row, to text under the first
    non-blank row's headers, blank rows dropped, and, per header, the row indices of the cells stored as numbers
    (sorted). The rows are taken CHUNK at a time, so a million-row sheet is never held as Python's lists of cells
    (only its columns of text are). Each distinct value of a column is turned to text once (`_cell_text`): days and
    quantities repeat."""
    chunk = chunk or CHUNK
    kept = (r for r in rows if r.count("") + r.count(None) < len(r))
    first = next(kept, None)
    if first is None:
        return pd.DataFrame(), {}
    header = [_cell_text(v).strip() for v in first]
    width = len(header)
    body: list[list] = [[] for _ in header]
    memo: list[dict] = [{} for _ in header]
    found: dict[str, list[np.ndarray]] = {}
    done = 0
    while part := list(itertools.islice(kept, chunk)):
        if any(len(r) != width for r in part):  # a row shorter than the header: its missing cells are empty
            part = [list(r[:width]) + [None] * (width - len(r)) for r in part]
        for j, values in enumerate(zip(*part)):
            kinds = set(map(type, values))
            if kinds <= {str}:
                body[j].extend(values)
                continue
            if kinds & {int, float}:
                at = [i for i, v in enumerate(values) if type(v) in (int, float)]
                found.setdefault(header[j], []).append(np.asarray(at, dtype=np.int32) + np.int32(done))
            if bool in kinds:  # True would be taken for 1 by a look-up
                body[j].extend(map(_cell_text, values))
                continue
            texts = memo[j]
            for v in set(values).difference(texts):
                texts[v] = _cell_text(v)
            body[j].extend(map(texts.__getitem__, values))
        done += len(part)
    numeric = {name: _ascending(np.concatenate(parts)) for name, parts in found.items()}
    frame = pd.DataFrame(dict(enumerate(body)), index=range(done), dtype=object).set_axis(header, axis=1)
    return frame, numeric
