"""The opening of a scorecard page: its title, then a searchable list of the institutions or enterprises the
user may open (by name or code), preselected from the address (?code=...)."""
from __future__ import annotations

import streamlit as st

from core.present.i18n import t, vocabulary
from core.read import scorecard
from ui import text


def choose(view, kind: str, L: str) -> str | None:
    """The chosen code (kept in the address), or None when nothing is chosen yet."""
    choices = (scorecard.institution_choices if kind == "institution" else scorecard.enterprise_choices)(view)
    names = dict(zip(choices["code"], choices["name"]))
    where = dict(zip(choices["code"], choices["county_name" if kind == "institution" else "role"]))
    asked = st.query_params.get("code")
    codes = choices["code"].tolist()
    chosen = st.selectbox(t(f"sc.pick_{kind}", L), codes, index=codes.index(asked) if asked in names else None,
                          placeholder=t("sc.pick_hint", L), key=f"pick_{kind}",
                          format_func=lambda c: f"{names[c]}（{c}）· {vocabulary(where[c], L)}")
    if asked and asked not in names and chosen is None:
        st.warning(t("sc.unknown", L).format(code=text.plain(asked)))
    if chosen is None:
        if "code" in st.query_params:
            del st.query_params["code"]
        st.info(t("sc.enter_code", L))
        return None
    st.query_params["code"] = chosen
    return chosen
