"""A table with its Excel download, and the way from a row to its scorecard: every list in the app uses this.

What a table shows reads in the interface language: rates in percent to one decimal (a rate below 1% with the
decimals that show it), quantities with thousands separators, an empty cell as "—", the data's vocabulary (levels,
categories, statuses) in English on an English page. The numbers stay numbers (sorting works), and the download
gives the rows as they are, formatted by the workbook (core/present/xlsx.py)."""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from pathlib import Path

import pandas as pd
import streamlit as st

from core.access import exports
from core.present.i18n import number_formats, percent_text, t, table_decimals, tn, translated
from ui import filters, session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CARRIED = ("area", "asof", "cat", "lang")  # the filters (and language) a link keeps


def download(label: str, make, file_name: str, key: str) -> None:
    """A download button whose workbook is made (and the export audited) only when it is clicked."""
    st.download_button(label, data=make, file_name=file_name, mime=XLSX, key=key, on_click="ignore")


def open_card(kind: str, code: str) -> None:
    """Open the scorecard of an institution or enterprise in this tab, keeping the filters."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k in CARRIED}
    st.switch_page(session.page_file(kind), query_params={**params, "code": code})


# Columns that hold a word or a short number: drawn as wide as their header and their widest value (no wider), so
# the columns that explain a row keep their room.
NARROW = {"severity_zh", "clause", "tier", "delivery_tier", "complaint_tier", "status", "level", "is_primary", "role",
          "score", "error_count", "row", "is_active", "is_demo", "failed_logins", "status_text", "changed", "is_flagged",
          "category", "dosage_form", "outcome_text", "role_name", "subject_type", "value_text", "threshold_text"}


ROW_PX = 35  # a table's row (and its header) in Streamlit's grid
ROWS_SHOWN = 10  # a longer table scrolls


def height(rows: int) -> int | str:
    """A table's height: as tall as its rows up to ten, else exactly ten rows under the header (scrolling for the
    rest): never a half row cut at the bottom, as the grid's default of 400 px leaves."""
    return "auto" if rows <= ROWS_SHOWN else (ROWS_SHOWN + 1) * ROW_PX + 3


def text_width(text: str) -> float:
    """About how many pixels a text takes in a table's cells (14 px Source Sans, measured in the browser): a Chinese
    character (or any full-width one) 14, a capital letter 8, anything else 6.6."""
    return sum(14 if unicodedata.east_asian_width(ch) in "WF" else 8 if ch.isupper() else 6.6 for ch in str(text))


def fit_width(header: str, texts, least: int = 60, most: int = 400) -> int:
    """The width in pixels of a column that shows `header` above `texts` (the cells as they read) in full, with the
    cell's padding (8 px a side) and a few pixels to spare; between `least` and `most`."""
    widest = max([text_width(header)] + [text_width(x) for x in set(texts)])
    return int(min(most, max(least, math.ceil(widest + 22))))


def _dates_of(values: pd.Series) -> list[str]:
    """How wide a column of dates reads (["2000-01-01"], with times ["2000-01-01 00:00:00"]); [] when it holds
    something else or nothing."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _cell_texts(values, None)
    present = values.dropna()
    if values.dtype != object or present.empty:
        return []
    if all(isinstance(v, dt.datetime) for v in present):
        return ["2000-01-01 00:00:00"]
    return ["2000-01-01"] if all(isinstance(v, dt.date) for v in present) else []


def _cell_texts(values: pd.Series, kind: str | None, decimals: int = 1) -> list[str]:
    """A column's values about as the table writes them (for its width; `decimals`: a rate's)."""
    if kind is None:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):  # every date (time) reads as wide as any other
            values = values.dropna()
            return [] if values.empty else ["2000-01-01"] if (values.dt.normalize() == values).all() else \
                ["2000-01-01 00:00:00"]
        return [str(v) for v in values.unique() if not pd.isna(v)]  # the few distinct values, not every row
    numbers = pd.to_numeric(values, errors="coerce").dropna().unique()
    if kind == "percent":
        return [percent_text(v, decimals) for v in numbers]
    if kind.startswith("%"):  # a change with its sign
        return [kind % v for v in numbers]
    return [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}" for v in numbers]


def shown(frame: pd.DataFrame, headers: dict[str, str], L: str, percent: tuple[str, ...] = (),
          helps: dict[str, str] | None = None) -> tuple[pd.DataFrame, dict]:
    """The rows as a table shows them, and the column settings that make them read so (yes and no as words)."""
    out = frame[[c for c in headers if c in frame.columns]]  # a frame of its own (pandas copies on write)
    for column, dtype in out.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            out[column] = out[column].map({True: "是", False: "否"}).astype(object)
        elif dtype == object or isinstance(dtype, pd.StringDtype):
            values = out[column].dropna()
            if dtype == object and len(values) and all(isinstance(v, dt.datetime) for v in values):
                out[column] = pd.to_datetime(out[column])  # times as times: read without microseconds below
            elif (values.astype(object) == "").any():  # nothing to say reads "—" as a missing value, not blank
                out[column] = out[column].mask(out[column].astype(object) == "", None)
    out = translated(out, L)
    formats = number_formats(out, headers, percent)  # the numbers are as they came
    # every rate of the table with the same decimals: one decimal, more when a rate below 1% needs them
    decimals = table_decimals(*(out[c].tolist() for c, kind in formats.items() if kind == "percent"))
    config = {}
    for column, dtype in out.dtypes.items():
        options = {"help": (helps or {}).get(column)}
        kind = formats.get(column)
        if column in NARROW or column.startswith("count_"):
            options["width"] = fit_width(headers[column], _cell_texts(out[column], kind, decimals) + ["—"])
        elif _dates_of(out[column]):  # a date reads in full under however short a header (期限)
            options["width"] = fit_width(headers[column], _dates_of(out[column]))
        if kind == "percent":  # shown as 95.3%: the value in percent, the table's decimals
            out[column] = out[column] * 100
            config[headers[column]] = st.column_config.NumberColumn(format=f"%.{decimals}f%%", **options)
        elif kind is not None:
            config[headers[column]] = st.column_config.NumberColumn(format=kind, **options)
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            values = out[column].dropna()
            whole_days = (values.dt.normalize() == values).all()
            config[headers[column]] = (st.column_config.DateColumn(format="YYYY-MM-DD", **options) if whole_days else
                                       st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss", **options))
        elif options["help"] or "width" in options:
            config[headers[column]] = st.column_config.Column(**options)
    out.columns = [headers[c] for c in out.columns]
    return out, config


def show(frame: pd.DataFrame, headers: dict[str, str], key: str, title: str,
         link: tuple[str, str] | None = None, percent: tuple[str, ...] = (), helps: dict[str, str] | None = None):
    """Render `frame` with `headers` (column -> label); `link` = (code column, "institution"|"enterprise"|"area"):
    choosing a row opens that scorecard in this tab, or moves the map into that area; `percent` names rate columns the catalogue does not know;
    `helps` gives columns a tooltip. A download button gives the same rows as .xlsx. A table without rows is a
    sentence saying so."""
    L = session.language_of_run()
    if frame.empty:
        st.caption(t("table.none", L))
        return None
    data, config = shown(frame, headers, L, percent, helps)
    if link is not None:
        st.caption(t("table.pick_area" if link[1] == "area" else "table.pick_row", L))
        event = st.dataframe(data, hide_index=True, width="stretch", column_config=config, key=key, placeholder="—",
                             on_select="rerun", selection_mode="single-row", height=height(len(data)))
        rows = [r for r in (event.selection.rows if event is not None else []) if 0 <= r < len(frame)]
        if rows and link[1] == "area":
            filters.go_to(str(frame.iloc[rows[0]][link[0]]))  # into the area chosen, as a click on the map
        elif rows:
            open_card(link[1], str(frame.iloc[rows[0]][link[0]]))
    else:
        event = st.dataframe(data, hide_index=True, width="stretch", column_config=config, key=key, placeholder="—",
                             height=height(len(data)))
    more(len(data), L)
    table_download(frame, headers, key, title, percent)
    return event


def more(rows: int, L: str) -> None:
    """Under a table that scrolls: how many rows it holds (ten show at a time)."""
    if rows > ROWS_SHOWN:
        st.caption(tn("table.more", L, rows))


def table_download(frame: pd.DataFrame, headers: dict[str, str], key: str, title: str, percent: tuple[str, ...] = ()):
    """The button that gives a table's rows as .xlsx (for a user who may export; the export is audited)."""
    L = session.language_of_run()
    store, user = session.store_of_run(), session.user()
    if user.can("export"):
        download(t("table.download", L), lambda: exports.table(store, user, title, translated(frame, L), headers,
                                                               lang=L, percent=percent),
                 f"{Path(title).name}.xlsx", f"{key}_xlsx")
