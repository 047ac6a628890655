"""Flags and indicator tables at as-of date T, as the command line and pages ask for them."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import flags as F
from .facts import Facts


def flags(store, as_of: dt.date | None = None) -> pd.DataFrame:
    return F.all_flags(Facts(store, as_of))
