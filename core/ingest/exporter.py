"""Writing the store, or part of it, in the standard extract format (.xlsx or .csv)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell

from core.policy import extract as F
from core.present.xlsx import FORMULA_STARTS


def as_sheet(sheet: F.Sheet, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of a table as the sheet writes them: the sheet's columns that the frame has, in its order, and yes/no
    as 是/否."""
    frame = frame[[c for c in sheet.column_names if c in frame]].copy()
    if "is_primary" in frame:
        frame["is_primary"] = frame["is_primary"].map(lambda v: "是" if bool(v) else "否")
    return frame


def _store_frame(store, sheet: F.Sheet, where: str = "", params: dict | None = None) -> pd.DataFrame:
    return as_sheet(sheet, store.read(
        f"SELECT {', '.join(sheet.column_names)} FROM {sheet.name} {where} ORDER BY {', '.join(sheet.key)}", params))


def _text(value) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return value


def _cell(ws, value) -> object:
    """A value for a write-only sheet: text that looks like a formula is written as text."""
    value = _text(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(frames: dict[str, pd.DataFrame], path: Path, chinese: bool = True) -> Path:
    """One sheet per frame, named and headed in Chinese (or English)."""
    wb = openpyxl.Workbook(write_only=True)
    for name, frame in frames.items():
        sheet = F.SHEET_BY_NAME[name]
        ws = wb.create_sheet(sheet.zh if chinese else sheet.name)
        ws.append([c.zh if chinese else c.name for c in sheet.columns if c.name in frame.columns])
        for row in frame[[c.name for c in sheet.columns if c.name in frame.columns]].itertuples(index=False, name=None):
            ws.append([_cell(ws, v) for v in row])
    wb.save(path)
    return Path(path)


def write_csv(frames: dict[str, pd.DataFrame], folder: Path, encoding: str = "utf-8-sig", chinese: bool = False) -> list[Path]:
    """One .csv per sheet, named after it (orders.csv)."""
    out = []
    for name, frame in frames.items():
        sheet = F.SHEET_BY_NAME[name]
        headers = {c.name: (c.zh if chinese else c.name) for c in sheet.columns}
        path = Path(folder) / f"{name}.csv"
        frame.map(_text).rename(columns=headers).to_csv(path, index=False, encoding=encoding)
        out.append(path)
    return out


def store_frames(store, sheets: tuple[str, ...] = F.WRITE_ORDER) -> dict[str, pd.DataFrame]:
    return {name: _store_frame(store, F.SHEET_BY_NAME[name]) for name in sheets}
