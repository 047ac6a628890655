"""Values from data or a URL in Streamlit's Markdown-rendered elements (titles, captions, messages): every
character Markdown, Streamlit's colour and icon directives or LaTeX could act on is escaped, so the value shows
as the text it is (an institution named `![x](http://host/b.png)` shows those characters and fetches nothing)."""
from __future__ import annotations

import re

_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:\"'=^%@])")


def plain(value) -> str:
    """The value as text that Markdown shows as it is."""
    return _ACTIVE.sub(r"\\\1", str(value)).replace("\n", " ")
