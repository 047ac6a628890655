"""A table with its Excel download, and links to the scorecards: every list in the app uses this."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import exports
from core.i18n import number_formats, t
from ui import session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(label: str, make, file_name: str, key: str) -> None:
    """A download button whose workbook is made (and the export audited) only when it is clicked."""
    st.download_button(label, data=make, file_name=file_name, mime=XLSX, key=key, on_click="ignore")


def show(frame: pd.DataFrame, headers: dict[str, str], key: str, title: str,
         link: tuple[str, str] | None = None, percent: tuple[str, ...] = (), **kwargs):
    """Render `frame` with `headers` (column -> label); `link` = (code column, "institution"|"enterprise")
    adds a 档案 column that opens the scorecard; rates read in percent (those the catalogue knows, and the
    columns named in `percent`), quantities with thousands separators; a download button gives the same
    rows as .xlsx."""
    L = st.query_params.get("lang", "zh")
    shown = frame[[c for c in headers if c in frame.columns]].rename(columns=headers)
    config = {headers[c]: st.column_config.NumberColumn(format=kind)
              for c, kind in number_formats(frame, headers, percent).items()}
    if link is not None:
        column, kind = link
        card = t("table.card", L)
        shown.insert(0, card, [f"/{kind}?code={code}" for code in frame[column]])
        config[card] = st.column_config.LinkColumn(card, display_text=t("table.open", L))
    event = st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=key, **kwargs)
    store, user = session.store_of_run(), session.user()
    if user.can("export"):
        download(t("table.download", L), lambda: exports.table(store, user, title, frame, headers),
                 f"{title}.xlsx", f"{key}_xlsx")
    return event
