"""Printing frames for the command line: CSV, or an aligned table for people."""
from __future__ import annotations

from typing import TextIO

import pandas as pd

from core.present.xlsx import FORMULA_STARTS


def _as_text(value):
    """A text a spreadsheet opening the CSV would take for a formula (=, +, -, @, a tab) starts with an apostrophe:
    shown, never evaluated (an institution named =HYPERLINK(...) stays its name)."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def emit(frame: pd.DataFrame, fmt: str, out: TextIO) -> None:
    if fmt == "csv":
        texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
        safe = frame.assign(**{c: frame[c].map(_as_text) for c in texts}) if texts else frame
        safe.to_csv(out, index=False, float_format="%.10g", lineterminator="\n")
    else:
        out.write(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n")
