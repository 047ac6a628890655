"""What the two scorecard pages share: the searchable list of the institutions or enterprises the user may open
(by name or code), preselected from the address (?code=...), and the table of a card's flags."""
from __future__ import annotations

import streamlit as st

from core.present.i18n import headers, paren, t, vocabulary
from core.read import scorecard
from ui import text
from ui.tables import show

ACTION_COLUMNS = ["case_name", "about", "action_date", "status", "deadline", "note", "recorded_by", "recorded_at"]


def choose(view, kind: str, L: str) -> str | None:
    """The chosen code (kept in the address), or None when nothing is chosen yet."""
    choices = (scorecard.institution_choices if kind == "institution" else scorecard.enterprise_choices)(view)
    names = dict(zip(choices["code"], choices["name"]))
    where = dict(zip(choices["code"], choices["county_name" if kind == "institution" else "role"]))
    asked = st.query_params.get("code")
    codes = choices["code"].tolist()
    chosen = st.selectbox(t(f"sc.pick_{kind}", L), codes, index=codes.index(asked) if asked in names else None,
                          placeholder=t("sc.pick_hint", L), key=f"pick_{kind}",
                          format_func=lambda c: f"{names[c]}{paren(c, L)} · {vocabulary(where[c], L)}")
    if asked and asked not in names and chosen is None:
        st.warning(t("sc.unknown", L).format(code=text.plain(asked)))
    if chosen is None:
        if "code" in st.query_params:
            del st.query_params["code"]
        st.info(t("sc.enter_code", L))
        return None
    st.query_params["code"] = chosen
    return chosen


def first_to_open(view, kind: str, L: str) -> None:
    """Before a choice: whose card to open first (the highest ladder scores, the worst tiers), each row opening its
    card; a page that opened on a search box alone showed nothing to a reader who came to browse."""
    frame = scorecard.first_to_open(view, kind, L)
    if frame.empty:
        return
    st.subheader(t(f"sc.first.{kind}", L))
    if kind == "enterprise":
        st.caption(t("sc.first_note.enterprise", L))
    show(frame, headers(list(frame.columns), L), f"first_{kind}", t(f"sc.first.{kind}", L),
         link=(f"{kind}_code", kind))


def flags(card: dict, key: str, code: str, L: str) -> None:
    """The card's flags (value against threshold, the notice's clause), or a line saying it has none."""
    st.subheader(t("sc.flags", L))
    if card["flags"].empty:
        st.success(t("sc.no_flags", L))
    else:
        show(card["flags"], headers(["flag_name", "severity_zh", "detail_code", "value_text", "threshold_text", "clause"],
                                    L), key, f"{t('sc.flags', L)[:4]}_{code}")
