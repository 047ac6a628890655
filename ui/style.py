"""Streamlit's own words in the interface language. The file uploader's button and size note are written by
Streamlit in English; a page with an uploader draws them in the user's language with this style (the English
text is hidden, the page's own is shown in its place)."""
from __future__ import annotations

import streamlit as st

from core.present.i18n import t


def _css_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def uploader_words(L: str, max_mb: int) -> None:
    """The uploader's button and size note in the interface language."""
    button, note = _css_text(t("up.browse", L)), _css_text(t("up.size_note", L).format(mb=max_mb))
    st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{ content: "{button}"; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: "{note}"; font-size: 0.875rem; }}
</style>""")
