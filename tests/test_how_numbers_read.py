"""How numbers read: the overview's tiles and its "got worse" table (changes at the precision shown, an
unchanged figure without an arrow, the worse areas' change in percentage points like the tiles), and the
tables' rates in percent and quantities with separators, flags' values in their units (the pages
themselves: tests/test_app_pages.py, tests/test_monitoring_pages.py)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from core.policy.indicators import FLAGS
from core.present.flagtext import describe, UNITS
from core.present.i18n import number_formats
from core.read import overview


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


def test_got_worse_leaves_out_falls_below_the_minimum():
    """A fall of exactly the minimum counts; a smaller fall does not, unless red flags rose."""
    ranked = pd.DataFrame({"region_code": ["A", "B", "C", "D"], "delivery": [0.1, 0.9, 0.95, 0.7],
                           "delivery_change": [0.1 - 0.105, -0.0049, -0.0001, 0.0],
                           "count_red_flag": [3, 1, 4, 2], "count_red_flag_change": [0, 0, 1, 0]})
    worse = overview.got_worse(ranked, 0.005)
    # A fell from 0.105 to 0.100: half a point exactly (-0.00499999... in binary); B fell 0.49 points: left out;
    # C fell 0.01 points but gained a red flag.
    assert worse["region_code"].tolist() == ["A", "C"]
    assert overview.got_worse(ranked)["region_code"].tolist() == ["A", "B", "C"]  # no minimum: every fall


def test_tables_show_rates_in_percent_and_quantities_separated():
    frame = pd.DataFrame({"region_code": ["A"], "delivery_rate": [0.95], "delivered_qty": [1234567.0],
                          "value": [0.5], "count_red_flag": [3], "is_flagged": [True], "tier": ["B"]})
    columns = list(frame.columns)
    assert number_formats(frame, columns) == {"delivery_rate": "percent", "delivered_qty": "localized",
                                              "count_red_flag": "localized"}  # counts with separators too
    # "value" is a rate in some tables only (an indicator's value), so it is named by the table
    assert number_formats(frame, columns, percent=("value",))["value"] == "percent"
    assert "delivery_rate" not in number_formats(frame.astype({"delivery_rate": str}), columns)  # text is left alone
    assert number_formats(frame, ["region_code", "missing"]) == {}
    gaps = pd.DataFrame({"gap_points": [24.5313, -0.0049], "level_gap_points": [3.0382, 0.0]})
    assert number_formats(gaps, list(gaps.columns)) == {"gap_points": "%.1f", "level_gap_points": "%.1f"}  # points


def test_flags_read_in_their_units():
    """Values and thresholds as the scorecards, the procurement lists and the interview evidence show them,
    worked out by hand for every unit the registry uses."""
    rows = pd.DataFrame([
        ("delivery_rate_low", "serious", 0.45, 0.8),
        ("report_volume_drop", "warning", 0.8 - 1e-9, 0.8),  # just under 80% still reads 80.0%
        ("purchase_over_4x", "warning", 4.256, 4.0),
        ("unreported_purchase", "warning", 12345.0, 2500.5),
        ("abnormal_order", "warning", 1000.25, 999.999),
        ("complaint_reply_late", "warning", 3.0, 2.0),
        ("complaint_unresolved", "warning", None, 5.0),  # no promise: no working days to show
        ("offline_purchase", "warning", 1.0, 0.0),
        ("primary_care_gap", "warning", 0.125, 0.10),
        ("red_flag", "serious", 4.0, 3.0),  # four kinds of ladder flag against the rule
    ], columns=["flag_id", "severity", "value", "threshold"])
    shown = describe(rows)
    assert list(zip(shown["value_text"], shown["threshold_text"])) == [
        ("45.0%", "80.0%"), ("上年的80.0%", "上年的80.0%"), ("4.26 倍", "4.00 倍"), ("12,345", "2,500.5"),
        ("1,000.25", "1,000"), ("3 个工作日", "2 个工作日"), ("—", "5 个工作日"), ("1 笔", "0 笔"),
        ("12.5 个百分点", "10.0 个百分点"), ("4 类预警", "3 类及以上预警或任一重点关注")]
    assert shown["flag_name"].iloc[0] == "配送率低于80%" and shown["severity_zh"].iloc[0] == "重点关注"
    assert shown["value"].iloc[0] == 0.45  # the numbers stay
    assert {f.unit for f in FLAGS} | {f.threshold_unit for f in FLAGS if f.threshold_unit} <= set(UNITS)
    english = describe(rows, "en")
    assert english["value_text"].iloc[1] == "80.0% of last year"  # a report as a share of last year's purchases
    assert list(zip(english["value_text"], english["threshold_text"]))[2:10:2] == [
        ("4.26x", "4.00x"), ("1,000.25", "1,000"), ("—", "5 working days"), ("12.5 points", "10.0 points")]
    assert english["flag_name"].iloc[0] == "Delivery rate below 80%" and english["severity_zh"].iloc[0] == "Serious"


def test_a_rate_below_one_percent_never_reads_as_nothing():
    """其他采购行为: 57 of 473,014 orders is 0.012%, which one decimal would show as 0.0%."""
    from core.present.i18n import column_decimals, percent_text
    assert percent_text(57 / 473_014) == "0.01%" and percent_text(0.005) == "0.5%"  # one decimal shows 0.5%
    assert percent_text(0.0086) == "0.9%" and percent_text(0.0004) == "0.04%"
    assert percent_text(0.953) == "95.3%" and percent_text(0.0) == "0.0%" and percent_text(1.0) == "100.0%"
    assert percent_text(0.000004) == "0.0004%" and percent_text(None) == "—"
    assert column_decimals([0.953, 57 / 473_014, 0.0]) == 2 and column_decimals([0.953, 0.0]) == 1
    assert column_decimals([0.9906, 0.0086]) == 1  # the seven indicators of an area: 其他采购行为 0.9% keeps one


def test_tables_exports_maps_and_flags_show_a_small_rate_with_its_decimals():
    import io

    import openpyxl

    from core.present import maps, xlsx
    from core.present.flagtext import amount
    from ui.tables import shown
    frame = pd.DataFrame({"indicator": ["配送率", "其他采购行为"], "value": [0.953, 57 / 473_014]})
    data, config = shown(frame, {"indicator": "指标", "value": "数值"}, "zh", percent=("value",))
    assert config["数值"]["type_config"]["format"] == "%.2f%%"  # 95.30% and 0.01%
    assert data["数值"].tolist() == pytest.approx([95.3, 100 * 57 / 473_014])
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook([("s", frame, {"indicator": "指标", "value": "数值"},
                                                             {"percent": ("value",)})], "me", {})))
    assert book["s"]["B3"].number_format == "0.00%"
    assert [label for _, label in maps.legend([0.0001, 0.003], "percent")] == ["0.01% – 0.30%"]  # one precision
    assert amount("percent", 0.0012) == "0.1%" and amount("percent", 0.0002) == "0.02%"


def test_every_rate_of_one_table_reads_with_the_same_decimals():
    """自查自纠: the institution's 报量 1.079 beside its city's 1.0729, and the city's 其他采购行为 0.0003 (0.03%, which
    needs two decimals): each column took its own, so one row read 107.9% beside 107.29%. Now every rate of the
    table, and of its sheet in the export, reads with two; a table of rates needing one keeps one."""
    import io

    import openpyxl

    from core.present import xlsx
    from ui.tables import shown
    frame = pd.DataFrame({"indicator": ["报量", "其他采购行为"], "value": [1.079, 0.009], "city": [1.0729, 0.0003],
                          "count": [3, 4]})
    headers = {"indicator": "指标", "value": "本机构", "city": "所在市", "count": "问题数"}
    _data, config = shown(frame, headers, "zh", percent=("value", "city"))
    assert config["本机构"]["type_config"]["format"] == config["所在市"]["type_config"]["format"] == "%.2f%%"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook([("s", frame, headers, {"percent": ("value", "city")})],
                                                           "me", {})))
    assert [book["s"][f"{col}2"].number_format for col in "BC"] == ["0.00%", "0.00%"]
    assert book["s"]["D2"].number_format != "0.00%"  # a count is no rate
    plain = frame.assign(city=[1.0729, 0.0086])  # 0.86% reads 0.9%: one decimal is enough everywhere
    _data, config = shown(plain, headers, "zh", percent=("value", "city"))
    assert config["本机构"]["type_config"]["format"] == config["所在市"]["type_config"]["format"] == "%.1f%%"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook([("s", plain, headers, {"percent": ("value", "city")})],
                                                           "me", {})))
    assert [book["s"][f"{col}2"].number_format for col in "BC"] == ["0.0%", "0.0%"]


def test_a_bar_below_its_threshold_is_drawn_in_the_lines_red():
    """Delivery rates of 50%, 79.9%, 80% and 99% against the 80% line: the first two red, the others blue."""
    from core.present import charts
    frame = pd.DataFrame({"name": ["甲", "乙", "丙", "丁"], "rate": [0.5, 0.799, 0.8, 0.99]})
    fig = charts.ranked(frame, "rate", "name", "配送率", threshold=0.8, threshold_label="预警线 80%")
    colours = dict(zip(fig.data[0].y, fig.data[0].marker.color))
    assert colours == {"甲": charts.BAR_BELOW, "乙": charts.BAR_BELOW, "丙": charts.BAR, "丁": charts.BAR}
    assert fig.layout.shapes[0].line.color == charts.BAR_BELOW
    plain = charts.ranked(frame, "rate", "name", "配送率")  # no threshold: all blue
    assert set(plain.data[0].marker.color) == {charts.BAR}


def test_a_tile_below_what_the_notice_asks_says_so_whatever_its_change():
    """Delivery 50.1% against the 80% line (unchanged since last month): 低于预警线 80.0%; 80% itself meets it.
    Progress against plan 97% is behind schedule, 127% is not. The selected share against the administrator's 75%:
    69% is below it. Counts (red-flag institutions) have no line; no value, no alarm."""
    settings = {"delivery_rate_warning": 0.8, "nonselected_share_min": 0.75, "tier_a_min": 0.8}

    def alarm(metric, kind, value, lang="zh"):
        return overview.tile_alarm({"metric": metric, "kind": kind, "value": value, "change": 0.0}, settings, lang)
    assert alarm("delivery", "rate", 0.501) == "低于预警线 80.0%"
    assert alarm("delivery", "rate", 0.501, "en") == "below the 80.0% warning line"
    assert alarm("delivery", "rate", 0.8) is None
    assert alarm("progress", "ratio", 0.97) == "落后于序时进度" and alarm("progress", "ratio", 1.27) is None
    assert alarm("nonselected", "rate", 0.69) == "低于预警线 75.0%" and alarm("nonselected", "rate", 0.76) is None
    assert alarm("complaint", "rate", 0.79) == "低于预警线 80.0%"
    assert alarm("count_red_flag", "count", 12) is None and alarm("delivery", "rate", math.nan) is None


def test_an_empty_text_reads_as_nothing_to_say_not_as_a_blank_cell():
    """自查自纠's flags: the red-flag row concerns no product (detail ""), and its cell was blank where the others read
    "—"; the institution's explanation not yet given likewise. Every table shows an empty text as a missing value,
    which the grid writes "—"."""
    from ui.tables import shown
    frame = pd.DataFrame({"flag": ["红旗机构", "报量较上年减少超过20%"], "detail": ["", "HC000031"],
                          "said": pd.Series(["", "已说明"], dtype=object)})
    data, _config = shown(frame, {"flag": "预警事项", "detail": "涉及", "said": "机构说明"}, "zh")
    assert data["涉及"].isna().tolist() == [True, False] and data["机构说明"].isna().tolist() == [True, False]
    assert data["涉及"].iloc[1] == "HC000031" and frame["detail"].iloc[0] == ""  # the caller's frame is left as it was
