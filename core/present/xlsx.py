"""Formatted .xlsx workbooks that open as real spreadsheets in Excel, WPS and LibreOffice.

Numbers stay numbers with a number format (rates as 0.0%, or 0.00% when a rate is below 1%, quantities with thousands separators, a flag's value
in its unit: 4.26 倍, 3 个工作日), dates are dates, columns are as wide as their Chinese headers and values need,
the header row is frozen and filtered, and every sheet prints landscape, one page wide, the header row on every
page, with the title and who exported it in the page header. Text that a spreadsheet could run as a formula
(starting with = + - @ or a tab) is stored as text.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.policy import clock
from core.present.i18n import PERCENT_COLUMNS, table_decimals

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
WHOLE, DECIMAL = "#,##0", "#,##0.00"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?$")


def _plain(value):
    """A value as openpyxl stores it: numbers and dates as such, missing as an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _dated(value):
    """ISO text of a date or time (as SQLite gives them) as a date or time."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and _ISO_TIME.match(value):
        return dt.datetime.fromisoformat(value.replace("T", " ")[:19])
    return value


def width_of(text) -> int:
    """How many columns of a fixed-width font a text takes (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def column_format(values: list) -> str | None:
    """The number format a column's values read best in: dates, times, whole or decimal numbers."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, dt.datetime) for v in present):
        return DATE_FORMAT if all(v.time() == dt.time() for v in present) else TIME_FORMAT
    if all(isinstance(v, dt.date) for v in present):
        return DATE_FORMAT
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return WHOLE if all(float(v).is_integer() for v in present) else DECIMAL
    return None


def percent_format(decimals: int) -> str:
    """The number format of rates: 0.0%, or with the more decimals a rate below 1% of the sheet needs."""
    return "0." + "0" * decimals + "%"


def _put(ws: Worksheet, row: int, col: int, value, number_format: str | None = None):
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.value = value
        cell.data_type = "s"  # stored as text: a spreadsheet shows it, never evaluates it
    else:
        cell.value = value
        if number_format and value is not None and not isinstance(value, (str, bool)):
            cell.number_format = number_format
    return cell


def sheet_title(title: str) -> str:
    """A sheet's name as workbooks allow it: without \\ / ? * [ ] : and at most 31 characters (an entity's code
    may hold any of them)."""
    return re.sub(r"[\\/?*\[\]:]", "_", str(title))[:31].strip("'") or "Sheet"


def add_sheet(wb: openpyxl.Workbook, title: str, frame: pd.DataFrame, headers: dict[str, str],
              percent: tuple[str, ...] = (), formats: dict[str, list[str | None]] | None = None,
              page_title: str = "", exported_by: str = "") -> Worksheet:
    """One sheet of the frame's `headers` columns (column -> header text). Rates (the catalogue's rate columns
    and `percent`) read in percent; `formats` gives some columns a number format per row (a flag's unit)."""
    ws = wb.create_sheet(sheet_title(title))
    columns = [c for c in headers if c in frame.columns]
    for j, c in enumerate(columns, start=1):
        cell = _put(ws, 1, j, headers[c])
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    values_of = {c: [_dated(_plain(v)) for v in frame[c].tolist()] for c in columns}
    rates = [c for c in columns if (c in PERCENT_COLUMNS or c in percent) and column_format(values_of[c]) in (WHOLE, DECIMAL)]
    decimals = table_decimals(*(values_of[c] for c in rates))  # as the page's table reads them
    for j, c in enumerate(columns, start=1):
        values = values_of[c]
        default = percent_format(decimals) if c in rates else column_format(values)
        per_row = (formats or {}).get(c)
        longest = width_of(headers[c]) if len(str(headers[c])) < 12 else 12
        for i, value in enumerate(values):
            fmt = per_row[i] if per_row is not None else default
            _put(ws, i + 2, j, value, fmt)
            if i < 500:
                longest = max(longest, _shown_width(value, fmt))
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = min(60, max(8, longest + 2))
        wrap = longest > 58
        for cell in ws[letter][1:]:
            cell.alignment = Alignment(vertical="top", wrap_text=wrap)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(frame) + 1)}"
    print_setup(ws, page_title or title, exported_by)
    return ws


def _shown_width(value, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19 if fmt == TIME_FORMAT else 10
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:,.2f}" if fmt in (DECIMAL, None) else f"{value:,.0f}"
        return len(text) + (6 if fmt and '"' in fmt else 0)
    return width_of(value)


def print_setup(ws: Worksheet, title: str, exported_by: str) -> None:
    """Landscape A4, one page wide, the header row repeated, the title and who exported it in the page header."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.oddHeader.left.text = _header_text(title)
    ws.oddHeader.right.text = _header_text(exported_by)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _header_text(text: str) -> str:
    return str(text).replace("&", "&&")[:120]  # & starts a code in a page header


def workbook(sheets: list[tuple], exported_by: str, context: dict[str, str]) -> bytes:
    """Sheets in order, then a 说明 sheet saying who exported it, when, and what it shows. A sheet is (title, frame,
    headers) or (title, frame, headers, options for add_sheet)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    heading = next(iter(context.values()), "")
    for sheet in sheets:
        title, frame, headers = sheet[:3]
        options = sheet[3] if len(sheet) > 3 else {}
        add_sheet(wb, title, frame, headers, page_title=f"{heading} · {title}" if heading else title,
                  exported_by=exported_by, **options)
    info = pd.DataFrame([{"k": "导出人", "v": exported_by},
                         {"k": "导出时间", "v": clock.now()}]
                        + [{"k": k, "v": v} for k, v in context.items()])
    add_sheet(wb, "说明", info, {"k": "项目", "v": "内容"}, page_title="说明", exported_by=exported_by)
    wb.properties.creator = exported_by
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
