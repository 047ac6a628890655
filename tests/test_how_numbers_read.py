"""How numbers read: the overview's tiles and its "got worse" table (changes at the precision shown, an
unchanged figure without an arrow, the worse areas' change in percentage points like the tiles), and the
tables' rates in percent and quantities with separators (the pages themselves: tests/test_app_pages.py)."""
from __future__ import annotations

import math

import pandas as pd

from core import overview
from core.i18n import number_formats


def _tile(kind: str, value: float, change: float | None) -> dict:
    return {"kind": kind, "value": value, "change": change}


def test_tile_text_counts_and_rates():
    same = overview.tile_text(_tile("count", 7, 0))
    assert same == {"value": "7", "delta": "持平", "color": "off", "arrow": "off"}
    assert overview.tile_text(_tile("count", 9, 2)) == {"value": "9", "delta": "+2", "color": "inverse", "arrow": "auto"}
    assert overview.tile_text(_tile("count", 5, -3))["delta"] == "-3"
    fell = overview.tile_text(_tile("rate", 0.8766, -0.0123))
    assert fell == {"value": "87.7%", "delta": "-1.23 个百分点", "color": "normal", "arrow": "auto"}
    # 0.00004 is 0.004 points: nothing at two places, so "no change" rather than an arrow over "+0.00"
    assert overview.tile_text(_tile("rate", 0.9, 0.00004))["delta"] == "持平"
    assert overview.tile_text(_tile("rate", 0.9, 0.00007))["delta"] == "+0.01 个百分点"  # 0.007 points
    assert overview.tile_text(_tile("rate", math.nan, None)) == {"value": "—", "delta": None, "color": "normal",
                                                                "arrow": "auto"}
    assert overview.tile_text(_tile("rate", 0.5, 0.1), "en")["delta"] == "+10.00 points"
    assert overview.tile_text(_tile("count", 1, 0), "en")["delta"] == "no change"


def test_got_worse_gives_points_and_keeps_only_worse_areas():
    ranked = pd.DataFrame({"region_code": ["A", "B", "C"], "delivery": [0.8, 0.9, 0.95],
                           "delivery_change": [-0.025, 0.01, 0.0], "count_red_flag": [3, 1, 4],
                           "count_red_flag_change": [0, 0, 2]})
    worse = overview.got_worse(ranked)
    assert worse["region_code"].tolist() == ["A", "C"]  # A's rate fell; C gained red flags
    assert worse["delivery_change_points"].tolist() == [-2.5, 0.0]


def test_tables_show_rates_in_percent_and_quantities_separated():
    frame = pd.DataFrame({"region_code": ["A"], "delivery_rate": [0.95], "delivered_qty": [1234567.0],
                          "value": [0.5], "count_red_flag": [3], "is_flagged": [True], "tier": ["B"]})
    columns = list(frame.columns)
    assert number_formats(frame, columns) == {"delivery_rate": "percent", "delivered_qty": "localized"}
    # "value" is a rate in some tables only (an indicator's value), so it is named by the table
    assert number_formats(frame, columns, percent=("value",))["value"] == "percent"
    assert "delivery_rate" not in number_formats(frame.astype({"delivery_rate": str}), columns)  # text is left alone
    assert number_formats(frame, ["region_code", "missing"]) == {}
