"""Printing frames for the command line: CSV, or an aligned table for people."""
from __future__ import annotations

from typing import TextIO

import pandas as pd


def emit(frame: pd.DataFrame, fmt: str, out: TextIO) -> None:
    if fmt == "csv":
        frame.to_csv(out, index=False, float_format="%.10g", lineterminator="\n")
    else:
        out.write(frame.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n")
