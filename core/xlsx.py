"""Formatted .xlsx exports that open in Excel: Chinese headers, widths, frozen header row, and
cells that can never run as formulas (text starting with = + - @ or a tab stays text)."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _put(ws, row: int, col: int, value) -> None:
    cell = ws.cell(row=row, column=col)
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.value = value
        cell.data_type = "s"  # stored as text: Excel shows it, never evaluates it
    else:
        cell.value = value


def add_sheet(wb: openpyxl.Workbook, title: str, frame: pd.DataFrame, headers: dict[str, str]) -> None:
    ws = wb.create_sheet(title)
    columns = [c for c in headers if c in frame.columns]
    for j, c in enumerate(columns, start=1):
        _put(ws, 1, j, headers[c])
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.cell(row=1, column=j).fill = HEADER_FILL
    for i, record in enumerate(frame[columns].itertuples(index=False, name=None), start=2):
        for j, value in enumerate(record, start=1):
            _put(ws, i, j, value)
    for j, c in enumerate(columns, start=1):
        longest = max([len(str(headers[c]))] + [len(str(v)) for v in frame[c].head(500).tolist()])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, longest * 1.6 + 2))
        for cell in ws[get_column_letter(j)][1:]:
            cell.alignment = Alignment(vertical="top", wrap_text=longest > 40)
    ws.freeze_panes = "A2"


def workbook(sheets: list[tuple[str, pd.DataFrame, dict[str, str]]], exported_by: str, context: dict[str, str]) -> bytes:
    """Sheets in order, then a 说明 sheet saying who exported it, when, and what it shows."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, frame, headers in sheets:
        add_sheet(wb, title, frame, headers)
    info = pd.DataFrame([{"k": "导出人", "v": exported_by},
                         {"k": "导出时间", "v": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")}]
                        + [{"k": k, "v": v} for k, v in context.items()])
    add_sheet(wb, "说明", info, {"k": "项目", "v": "内容"})
    wb.properties.creator = exported_by
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
