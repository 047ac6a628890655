"""A table with its Excel download, and links to the scorecards: every list in the app uses this."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import xlsx
from core.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def show(frame: pd.DataFrame, headers: dict[str, str], key: str, title: str,
         link: tuple[str, str] | None = None, **kwargs):
    """Render `frame` with `headers` (column -> label); `link` = (code column, "institution"|"enterprise")
    adds a 档案 column that opens the scorecard; a download button gives the same rows as .xlsx."""
    L = st.query_params.get("lang", "zh")
    shown = frame[[c for c in headers if c in frame.columns]].rename(columns=headers)
    config = {}
    if link is not None:
        column, kind = link
        card = t("table.card", L)
        shown.insert(0, card, [f"/{kind}?code={code}" for code in frame[column]])
        config[card] = st.column_config.LinkColumn(card, display_text=t("table.open", L))
    event = st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=key, **kwargs)
    st.download_button(t("table.download", L), data=xlsx.workbook([(title[:31], frame, headers)], st.session_state.get("username", "dashboard"), {"表格": title}),
                       file_name=f"{title}.xlsx", mime=XLSX, key=f"{key}_xlsx")
    return event
