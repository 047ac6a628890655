"""What users see, piece by piece: map legends, chart axes, months, words of the data in English, the audit log and
upload history in words, whole quantities, the scorecard pickers, the interview list's save, the command line in a
pipe, and the settings that keep tracebacks and magic off the page. The whole pages are walked in a browser in
test_browser_walk.py."""
import ast
import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core.access import audit
from core.access.roles import system_user
from core.ingest import exporter, importer, uploads
from core.paths import ROOT
from core.policy import clock, extract
from core.present import charts, i18n, maps
from core.present.i18n import month_label, translated
from core.read import scorecard

from .extract_fixture import frames
from .views import default, table_key


# -- map legends ----------------------------------------------------------------------------------------------------
def test_a_count_layer_gets_whole_number_bins():
    assert [label for _, label in maps.legend([0, 1, 2, 3], "count")] == ["0", "1", "2", "3"]
    assert [label for _, label in maps.legend([0, 3, 29], "count")] == ["0–4", "5–9", "10–14", "15–19", "20–24", "25–29"]
    assert [label for _, label in maps.legend([2.0, 2.0], "count")] == ["2"]


def test_values_that_read_alike_get_one_entry():
    assert maps.legend([0.5, 0.5, 0.5000001], "percent") == [(list(maps.PALETTE[3]), "50.0%")]
    labels = [label for _, label in maps.legend([0.999, 1.0], "percent")]
    assert labels == ["99.9% – 100.0%"]  # seven bins would all read 99.9% or 100.0%
    assert [label for _, label in maps.legend([0.500, 0.501, 0.502], "percent")] == ["50.0% – 50.2%"]  # one colour
    assert len(maps.legend([0.50, 0.52], "percent")) == 7


def test_rate_bins_cover_the_values_and_colour_them_as_the_legend_says():
    values = [0.2, 0.35, 0.9]
    scale = maps.scale(values, "percent")
    assert [b.label for b in scale.bins] == ["20.0% – 30.0%", "30.0% – 40.0%", "40.0% – 50.0%", "50.0% – 60.0%",
                                             "60.0% – 70.0%", "70.0% – 80.0%", "80.0% – 90.0%"]
    assert scale.color(0.35)[:3] == list(scale.bins[1].rgb)  # 35% lies in the 30–40% bin
    assert scale.color(0.9)[:3] == list(scale.bins[-1].rgb) and scale.color(0.2)[:3] == list(scale.bins[0].rgb)
    assert scale.color(None) == [*maps.NO_VALUE, 255]  # drawn as its swatch in the key
    # "无数据" reads apart from every colour of a value (the palest blue was within a few units of the old grey)
    assert min(sum((a - b) ** 2 for a, b in zip(maps.NO_VALUE, c)) ** 0.5 for c in maps.PALETTE + maps.WARM) > 40


def test_rates_short_of_their_line_are_red_and_the_line_is_an_edge():
    """Delivery rates 50%, 90%, 99% against the 80% line: the reds are cut 10, 20 and 30 points below the line (70,
    60, 50%), a shade darker each step (within 10 points WARM[5], 10-20 WARM[3], 20-30 WARM[1], 30 or more WARM[0]);
    the blues are the scale's own bins above it (7 points wide from 50%: 78-85 starts at the line, then 85-92,
    92-99). 80% itself is blue, 79.99% red. A value has the same red on every map of that line: 50.1% beside 30% and
    90% as beside 50.0% and 50.2% alone. All above: blue, as without a line; one value on the line meets it."""
    W = maps.WARM
    scale = maps.scale([0.5, 0.9, 0.99], "percent", below=0.8)
    assert [b.label for b in scale.bins] == ["50.0% – 60.0%", "60.0% – 70.0%", "70.0% – 80.0%", "80.0% – 85.0%",
                                             "85.0% – 92.0%", "92.0% – 99.0%"]
    assert [b.rgb for b in scale.bins[:3]] == [W[1], W[3], W[5]]
    assert [b.rgb for b in scale.bins[3:]] == [maps.PALETTE[0], maps.PALETTE[3], maps.PALETTE[6]]
    assert tuple(scale.color(0.8)[:3]) in maps.PALETTE and tuple(scale.color(0.7999)[:3]) == W[5]
    assert scale.color(0.6)[:3] == list(W[3]) and scale.color(0.5999)[:3] == list(W[1])
    assert maps.scale([0.3, 0.501, 0.9], "percent", 0.8).color(0.501) == maps.scale([0.5, 0.502], "percent", 0.8).color(0.501) \
        == [*W[1], 255]
    assert maps.legend([0.5, 0.5], "percent", 0.8) == [(list(W[1]), "50.0%")]
    assert maps.legend([0.5, 0.6], "percent", 0.8) == [(list(W[1]), "50.0% – 60.0%"), (list(W[3]), "60.0%")]
    assert maps.legend([0.0, 0.65], "percent", 0.8) == [(list(W[0]), "0.0% – 50.0%"), (list(W[1]), "50.0% – 60.0%"),
                                                         (list(W[3]), "60.0% – 65.0%")]
    assert [rgb for rgb, _ in maps.legend([0.5, 0.9], "percent", 0.85)] == [list(W[0]), list(W[1]), list(W[3]), list(W[5]),
                                                                           list(maps.PALETTE[3])]  # 55, 65, 75, 85
    # values a point apart across a step (49.2% and 50.1%) keep their own steps' reds; ends that read alike at one
    # decimal are written with two (49.99% – 50.00%), never "50.0% – 50.0%"
    assert maps.legend([0.4922, 0.501], "percent", 0.8) == [(list(W[0]), "49.2% – 50.0%"), (list(W[1]), "50.0% – 50.1%")]
    assert maps.scale([0.4922, 0.501], "percent", 0.8).color(0.4922) == maps.scale([0.3, 0.4922], "percent", 0.8).color(0.4922)
    assert [label for _, label in maps.legend([0.4999, 0.6001], "percent", 0.8)] == \
        ["49.99% – 50.00%", "50.0% – 60.0%", "60.00% – 60.01%"]
    assert maps.legend([0.795, 0.802], "percent", 0.8) == [(list(W[5]), "79.5% – 80.0%"),
                                                           (list(maps.PALETTE[3]), "80.0% – 80.2%")]
    assert maps.legend([0.85, 0.99], "percent", 0.8) == maps.legend([0.85, 0.99], "percent")
    on_line = maps.scale([0.79, 0.8], "percent", 0.8)
    assert tuple(on_line.color(0.8)[:3]) in maps.PALETTE and on_line.bins[-1].label == "80.0%"
    assert maps.legend([3, 5], "count", 4) == maps.legend([3, 5], "count")  # a count has no line


def test_each_map_layer_knows_the_line_it_should_reach(demo_store):
    """Delivery and an enterprise's delivery: the delivery threshold; the report, the complaint and the selected share
    their own; progress the schedule (one period in force); substitutes (at most), other behaviour (no threshold),
    the two gaps and red flags none."""
    from core.read import map_area
    view, s = default(demo_store), demo_store.settings()
    lines = {layer: map_area.warning_line(view, layer) for layer in map_area.layers()}
    assert lines == {"report": s["report_drop_ratio"], "delivery": s["delivery_rate_warning"],
                     "complaint": s["tier_a_min"], "progress": view.info.schedule,
                     "nonselected": s["nonselected_share_min"], "substitute": None, "other": None,
                     "gap": None, "level_gap": None, "red_flag": None, "enterprise": s["delivery_rate_warning"]}


def test_legend_labels_never_overlap():
    fig = charts.legend(maps.legend([0.2, 0.9], "percent"), "配送率")
    ys = sorted(a.y for a in fig.layout.annotations)
    assert len(ys) == 7 and all(b - a >= 1 for a, b in zip(ys, ys[1:]))  # one row each, a row apart
    assert fig.layout.height >= 24 * 7


# -- charts -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values", [[0.99, 1.0, 0.995], [0.2, 0.9], [0.5], [0.953, 0.958], [0.0, 0.0], [1.2, 0.3], []])
def test_rate_axis_ticks_never_repeat(values):
    ticks, labels, (low, high) = charts.rate_ticks(values)
    assert len(set(labels)) == len(labels) >= 2
    assert all(low <= v <= high for v in values)


def test_rate_axis_near_100_percent():
    ticks, labels, (low, high) = charts.rate_ticks([0.99, 1.0, 0.995])
    # worked out: the values span 1 point, padded to 0.9860-1.0004; a fifth of that is 0.0029, so the step is half
    # a point; the axis runs from the tick below (98.5%) and stops at 100%, which no rate passes
    assert labels == ["98.5%", "99.0%", "99.5%", "100.0%"] and high < 1.001


def test_bars_start_at_zero():
    ticks, labels, (low, high) = charts.rate_ticks([0.5, 0.5, 0.8], from_zero=True)
    assert low == 0 and labels[0] == "0%" and labels[-1] == "100%"


def test_months_read_in_the_interface_language():
    assert month_label("2026-01") == "2026年1月" and month_label("2026-11", "en") == "Nov 2026"
    fig = charts.trend(pd.DataFrame({"month": ["2026-01", "2026-02"], "r": [0.95, 0.96]}), {"r": "配送率"}, "趋势")
    assert list(fig.data[0].x) == ["2026年1月", "2026年2月"] and fig.layout.xaxis.type == "category"


# -- words --------------------------------------------------------------------------------------------------------
def test_the_data_vocabulary_reads_in_english_on_an_english_page():
    frame = pd.DataFrame({"level": ["二级", "三级"], "category": ["综合医院", "村卫生室"], "name": ["济南市中心医院", "其他"]})
    assert translated(frame, "en").to_dict("list") == {"level": ["Level II", "Level III"],
                                                       "category": ["General hospital", "Village clinic"],
                                                       "name": ["济南市中心医院", "Other"]}
    assert translated(frame, "zh").equals(frame)


def test_the_audit_log_and_upload_history_read_in_words(demo_copy):
    store = demo_copy
    uploads.record(store, system_user(store), "a.xlsx", "ab" * 32, {"orders": 1200, "complaints": 3}, "imported", 0)
    entries = audit.readable(store.read("SELECT * FROM audit_log"), store.regions())
    assert not set(entries["outcome_text"]) & {"ok", "rejected", "imported", "web"}
    upload = entries[entries["action"] == "upload"].iloc[0]
    assert upload["outcome_text"] == "已导入" and upload["detail_text"].startswith("行数：采购订单 1,200，诉求 3；错误 0 个")
    history = uploads.history(store)
    assert history["rows_text"].iloc[0] == "采购订单 1,200，诉求 3"
    assert audit.rows_text("{}") == "—"
    unknown = pd.DataFrame([{"username": "unknown:2f1c0a", "role": None, "scope": None, "action": "login", "detail": "web",
                             "outcome": "failed:unknown"}])
    shown = audit.readable(unknown, store.regions(), "en")  # a failed sign-in by an unknown name has no role
    assert shown.iloc[0][["role_name", "detail_text", "outcome_text"]].tolist() == [None, "Web", "Failed: no such user"]
    operator = audit.readable(pd.DataFrame([{"username": "cli:root", "role": "admin", "scope": "370000",
                                             "action": "setting_changed", "detail": "0.8 -> 0.75", "outcome": "ok"}]),
                              store.regions())
    assert operator.iloc[0][["who", "role_name", "scope_name"]].tolist() == ["命令行（root）", "系统管理员", "山东省"]


# -- quantities -------------------------------------------------------------------------------------------------
def test_the_demo_counts_boxes_and_devices_in_whole_numbers(demo_store):
    fractional = demo_store.read("""SELECT p.unit, COUNT(*) AS n FROM orders o JOIN products p ON p.product_code = o.product_code
                                    WHERE o.order_qty <> ROUND(o.order_qty) OR o.delivered_qty <> ROUND(o.delivered_qty)
                                    GROUP BY p.unit""")
    assert fractional.empty
    units = set(demo_store.read("SELECT DISTINCT unit FROM products")["unit"])
    assert units and units <= set(extract.WHOLE_UNITS)


def test_a_fractional_quantity_of_a_whole_unit_is_refused(tmp_path, demo_store):
    f = frames()
    f["products"]["unit"] = f["products"]["product_code"].map({"0012": "盒"})  # 0013 has no unit: 20.5 stays allowed
    f["orders"].loc[0, "order_qty"] = 110.5  # 100 delivered
    extract = importer.parse([exporter.write_xlsx(f, tmp_path / "half.xlsx")], demo_store, fresh=True)
    found = [p for p in extract.problems if p.column.startswith("采购数量")]
    assert len(found) == 1 and found[0].row == 2 and found[0].value == "110.5"
    assert "整数" in found[0].zh and "whole number" in found[0].en
    f["products"]["unit"] = "克"  # a unit that may be fractional
    assert importer.parse([exporter.write_xlsx(f, tmp_path / "grams.xlsx")], demo_store, fresh=True).ok


# -- pages ----------------------------------------------------------------------------------------------------------
def _flatten(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _flatten(child)


def test_scorecards_open_with_the_title_first_and_a_list_of_the_own_scope(app, demo_copy):
    at = app("demo_county").run()
    at.switch_page("../pages/institution.py").run()
    assert not at.exception
    shown = [n.type for n in _flatten(at.main) if n.type in ("title", "selectbox")]
    assert shown == ["title", "selectbox"] and at.title[0].value == "机构档案"  # the title, then the list
    picker = at.selectbox(key="pick_institution")
    county = demo_copy.read("SELECT institution_code FROM institutions WHERE county_code = '371422' ORDER BY 1")
    assert picker.options and len(picker.options) == len(county)  # only the county's institutions
    assert picker.value is None and at.info  # nothing chosen yet: a sentence says how
    picker.set_value(county["institution_code"].iloc[0]).run()
    assert not at.exception and at.query_params["code"] in (county["institution_code"].iloc[0],
                                                            [county["institution_code"].iloc[0]])
    assert at.subheader[0].value.replace("\\", "") == scorecard.institution_card(
        default(demo_copy, "371422"), county["institution_code"].iloc[0])["info"]["institution_name"]


def test_the_action_form_shows_once_rows_are_ticked(app, demo_copy):
    """Nothing to save before a row is ticked: the place of the form says to tick rows; ticked rows bring the
    form, which names how many and dates the action today at the latest."""
    at = app("demo_city").run()
    at.switch_page("../pages/interviews.py").run()
    assert not [b for b in at.button if b.label == "保存"] and not at.main.date_input
    assert any("勾选要记录处理情况的对象" in i.value for i in at.info)
    at.session_state[table_key(demo_copy, "iv_table", "371400")] = {"selection": {"rows": [0, 1], "columns": []}}
    at.run()
    assert [b.label for b in at.button if b.label == "保存"] == ["保存"] and not at.info
    assert any("已选 2 个对象" in m.value for m in at.markdown)
    when = at.date_input(key="iv_date")
    assert "默认为今天" in when.label and when.value == clock.today() and when.max == clock.today()


def test_no_page_writes_a_bare_expression():
    """Streamlit's magic writes any bare expression to the page; the app has magic off, and no page relies on it."""
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        bare = [n for n in ast.walk(tree) if isinstance(n, ast.Expr) and not isinstance(n.value, (ast.Constant, ast.Call))]
        assert not bare, f"{path.name}: line {bare[0].lineno}"


def test_streamlit_settings_keep_tracebacks_magic_and_raw_downloads_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["disableDataExport"] is True  # the audited Excel download is the one offered
    assert config["browser"]["gatherUsageStats"] is False


def test_the_command_line_in_a_pipe_stops_quietly(demo_store):
    shell = f"{sys.executable} -m core indicators --level institution --db {demo_store.url} | head -1"
    run = subprocess.run(["bash", "-c", f"set -o pipefail; {shell}"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.stdout.startswith("institution_code,") and run.stdout.count("\n") == 1
    assert "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr and run.stderr.strip() == ""
    assert run.returncode == 141  # as a shell reports a program stopped by a closed pipe


def test_two_figures_of_progress_have_two_names_and_say_which_is_which(app):
    at = app("demo_leader").run().switch_page("../pages/overview.py").run()
    tiles = {m.label: m for m in at.metric}
    assert "采购进度/序时进度" in tiles and "采购进度" not in tiles  # the tile is completion over the schedule
    assert "序时进度之比" in tiles["采购进度/序时进度"].help and "完成率本身" in tiles["采购进度/序时进度"].help
    at.switch_page("../pages/map.py").run()
    figures = next(d.value for d in at.dataframe if "计算方法" in d.value.columns).set_index("指标")
    assert figures.loc["采购进度", "计算方法"] == "中选产品采购数量 ÷ 约定采购量"  # the map's is completion itself


# -- tables that fit ------------------------------------------------------------------------------------------------
# The width of a table in the main column of a 1400-pixel window (940 pixels, measured in the browser), and 20 more
# as the estimate of a text's width runs a little high (an underscore or an "i" is narrower than 6.6 pixels).
FRAME = 960


def _widths(table) -> dict:
    return {name: c.get("width") for name, c in json.loads(table.proto.columns).items()}


def _natural(frame: pd.DataFrame) -> float:
    """About how wide a table's columns are drawn when each shows its header and values in full (at most 500
    pixels, Streamlit's widest column of its own sizing), with their padding."""
    from ui.tables import text_width
    shown = frame.astype(object).where(frame.notna(), "—")
    return sum(min(500, max(text_width(str(v)) for v in [c, *shown[c]]) + 16) for c in frame.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_accounts_table_gives_times_to_the_second_and_each_word_its_room(app, demo_copy, lang):
    import datetime as dt

    from core.access import accounts, admin
    from core.demo import DEMO_PASSWORD
    from ui.tables import text_width
    accounts.authenticate(demo_copy, "demo_county", DEMO_PASSWORD, now=dt.datetime(2026, 12, 4, 11, 11, 48, 250000))
    users = admin.users(demo_copy, accounts.load(demo_copy, "demo_admin")).set_index("username")
    assert users.loc["demo_county", "last_login_at"] == pd.Timestamp("2026-12-04 11:11:48")  # a time, to the second
    # What each account sees: an area, or the one enterprise or institution an entity's account is tied to.
    for name in ("demo_enterprise", "demo_institution"):
        assert users.loc[name, "scope_text"] == accounts.load(demo_copy, name).entity
    assert users.loc["demo_leader", "scope_text"] == "山东省" and users.loc["demo_city", "scope_text"] != "山东省"
    at = app("demo_admin")
    at.query_params["lang"] = lang
    at.run().switch_page("../pages/admin.py").run()
    assert not at.exception
    table = at.dataframe[0]
    last = "Last sign-in" if lang == "en" else "最近登录"
    assert pd.api.types.is_datetime64_any_dtype(table.value[last])
    config = json.loads(table.proto.columns)[last]["type_config"]
    assert config == {"type": "datetime", "format": "YYYY-MM-DD HH:mm:ss"}
    widths = _widths(table)
    role, failed = ("Role", "Failed sign-ins") if lang == "en" else ("角色", "登录失败")
    assert widths[role] >= max(text_width(r) for r in table.value[role]) + 16  # 系统管理员, County officer
    assert widths[failed] >= text_width(failed) + 16  # the header in full
    times = table.value.select_dtypes("datetime").astype(str)  # as the table writes them: to the second
    assert _natural(table.value.assign(**times)) <= FRAME  # no column out of sight (统一身份认证标识 was)


def test_every_narrow_column_is_as_wide_as_its_header_and_values():
    from ui.tables import fit_width, shown, text_width
    frame = pd.DataFrame({"role_name": ["系统管理员", "County officer"], "count_red_flag": [3, 12345],
                          "is_demo": [True, False]})
    headers = {"role_name": "Role", "count_red_flag": "Red-flag institutions", "is_demo": "演示账户"}
    _, config = shown(frame, headers, "en")
    for column, header in headers.items():
        shown_values = {"role_name": ["系统管理员", "County officer"], "count_red_flag": ["12,345"],
                        "is_demo": ["Yes", "No"]}[column]
        assert config[header]["width"] >= max(map(text_width, [header, *shown_values])) + 16, header
    assert fit_width("是", ["否"]) == 60  # at least a small column's width


def test_a_date_reads_in_full_under_a_short_header():
    """期限 (two characters) above 2026-12-21: the column is as wide as the date, whether the dates are dates, times or
    days of a table's own frame (datetime.date objects, as the case lists hold them); empty, it is left alone."""
    import datetime as dt
    from ui.tables import shown, text_width
    frame = pd.DataFrame({"due": [dt.date(2026, 12, 21), None], "at": [dt.datetime(2026, 12, 7, 9, 30), None],
                          "day": pd.to_datetime(["2026-12-07", None]), "nothing": [None, None]})
    _, config = shown(frame, {"due": "期限", "at": "时间", "day": "日期", "nothing": "备注"}, "zh")
    assert config["期限"]["width"] >= text_width("2026-12-21") + 16
    assert config["时间"]["width"] >= text_width("2026-12-07 09:30:00") + 16
    assert config["日期"]["width"] >= text_width("2026-12-07") + 16
    assert "width" not in config.get("备注", {})


def test_the_settings_table_shows_the_code_beside_the_meaning_and_the_clause_alone(app):
    at = app("demo_admin")
    at.query_params["lang"] = "en"
    at.run().switch_page("../pages/settings.py").run()
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == ["Setting", "Code"]
    assert table.set_index("Code").loc["delivery_rate_warning", "Source"] == "II(3)"  # the page names the notice once
    assert table.set_index("Code").loc["nonselected_share_min", "Source"] == "default"  # the notice names none
    assert _natural(table) <= FRAME  # no column out of sight (the code was)


def test_the_overview_tiles_keep_their_english_titles_short(app):
    from ui.tables import text_width
    at = app("demo_leader")
    at.query_params["lang"] = "en"
    at.run().switch_page("../pages/overview.py").run()
    labels = [m.label for m in at.metric]
    assert len(labels) == 6 and "Selected share" in labels
    # six tiles side by side leave about 130 pixels to a title beside its help mark: 21 letters
    assert all(text_width(label) <= text_width("Red-flag institutions") for label in labels), labels


def test_the_selected_share_has_one_name_in_the_tiles_the_tables_and_the_indicators():
    from core.present.i18n import headers, t
    from core.policy.indicators import indicator
    for lang in ("zh", "en"):
        name = t("tile.nonselected", lang)
        assert name == t("indicator.nonselected", lang) == headers(["nonselected"], lang)["nonselected"] == \
            t("ov.share", lang)
    assert indicator("nonselected").zh == "中选产品占比"  # its value is the selected share, not 非中选
    assert indicator("nonselected").definition() == "中选产品采购数量 ÷ 中选 + 非中选产品采购数量"


# -- the words of the data, in English -------------------------------------------------------------------------
def test_every_dosage_form_of_the_demo_reads_in_english():
    from core.demo.catalog import GROUPS, SUBSTITUTES
    from core.present.i18n import vocabulary
    forms = {g.dosage_form for g in GROUPS} | {s[1] for s in SUBSTITUTES}
    assert {"片剂", "胶囊", "植入类"} <= forms
    untranslated = {f for f in forms if vocabulary(f, "en") == f}
    assert not untranslated


def test_the_supply_page_names_dosage_forms_in_english(app):
    at = app("demo_leader")
    at.query_params["lang"] = "en"
    at.run().switch_page("../pages/supply.py").run()
    forms = set(at.dataframe[0].value["Form / class"])  # a consumable names its class (植入类) there
    assert forms and not any(ord(ch) > 0x2E80 for f in forms for ch in f), forms


# -- the map's legend ------------------------------------------------------------------------------------------
def test_the_legend_shows_a_red_ring_where_the_map_rings_red_flags():
    keys = maps.point_legend(by_value=True)
    assert keys[0][1:] == ("legend.ring_red", "ring")
    fig = charts.legend([(rgb, key, mark) for rgb, key, mark in keys], "配送率")
    ring = fig.layout.shapes[0]
    assert ring.type == "circle" and ring.fillcolor == "rgba(0,0,0,0)" and ring.line.color == "rgb(200,30,30)"
    assert fig.layout.shapes[1].type == "rect"  # no value: a filled square, as before
    assert [k[2] for k in maps.point_legend(by_value=False)] == ["fill"] * 3  # red dots are filled dots
    assert [k[1] for k in maps.point_legend(True, without_value=False)] == ["legend.ring_red"]  # every dot has a value


@pytest.mark.parametrize("by_value", [True, False])
def test_institution_dots_keep_their_size_in_pixels_at_any_frame_and_show_an_edge(by_value):
    """A dot in metres was two or three pixels wide on a city drawn without counties (东莞市): sizes are in pixels,
    a red-flagged dot is larger (by its weights, twice at most) or ringed in red, every other has a thin dark edge."""
    points = [{"code": "H1", "name": "甲", "longitude": 113.7, "latitude": 23.0, "value": 0.991, "score": None},
              {"code": "H2", "name": "乙", "longitude": 113.8, "latitude": 23.1, "value": 0.999, "score": 3.0,
               "is_primary": True},
              {"code": "H3", "name": "丙", "longitude": 113.9, "latitude": 23.2, "value": None, "score": 40.0}]
    outline = {"type": "FeatureCollection", "features": []}
    for bounds in ((113.5, 22.5, 114.3, 23.2), (117.0, 36.0, 117.3, 36.2)):  # a city's frame, a county's
        deck = maps.institutions_deck(outline, points, bounds, "{name}", by_value=by_value)
        layer = next(l for l in deck.layers if l.id == "institutions")
        assert layer.radius_units == "pixels" and layer.line_width_units == "pixels" and layer.stroked
        radius = {p["code"]: p["radius"] for p in layer.data}
        edge = {p["code"]: (p["ring"], p["edge"]) for p in layer.data}
        assert edge["H1"] == (maps.EDGE, 1)
        if by_value:  # red flags ringed in red, a gap from their dots (a dot may be red: a rate short of its line)
            assert set(radius.values()) == {maps.DOT_PX} and edge["H2"] == edge["H3"] == (maps.EDGE, 1)
            rings = next(l for l in deck.layers if l.id == "red_rings")
            assert [(r["longitude"], r["latitude"]) for r in rings.data] == [(113.8, 23.1), (113.9, 23.2)]
            assert rings.get_radius > maps.DOT_PX + maps.RING_PX / 2 and rings.radius_units == "pixels"
            assert rings.get_line_color == maps.RED and not rings.filled
        else:
            assert "red_rings" not in [l.id for l in deck.layers]
            assert radius == {"H1": maps.DOT_PX, "H2": maps.DOT_PX + 3, "H3": 2 * maps.DOT_PX}


def test_area_names_are_written_white_on_the_dark_colours_and_dark_on_the_light():
    """On the province's delivery map most cities sat in the darkest blue, their names dark on dark."""
    assert maps.ink(list(maps.PALETTE[0])) == maps.INK_DARK and maps.ink(list(maps.PALETTE[-1])) == maps.INK_LIGHT
    assert maps.ink(list(maps.NO_VALUE)) == maps.INK_DARK and maps.ink(None) == maps.INK_DARK
    square = {"type": "Polygon", "coordinates": [[[117, 36], [118, 36], [118, 37], [117, 37], [117, 36]]]}
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square, "properties": {"code": c, "name": n, "label_lon": 117.5 + i * 3,
                                                               "label_lat": 36.5}}
        for i, (c, n) in enumerate((("370100", "济南市"), ("370200", "青岛市")))]}
    deck = maps.areas_deck(fc, {"370100": 0.955, "370200": 0.996}, (117, 36, 124, 37), "{name}")
    labels = next(layer for layer in deck.layers if layer.id == "areas-labels")
    assert {row["name"]: row["ink"] for row in labels.data} == {"济南市": maps.INK_DARK, "青岛市": maps.INK_LIGHT}


# -- English counts and brackets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("key, n, en", [
    ("todo.caption", 1, "济南市 · listed at 2026-12-07 09:00 (deadlines as of today; figures as of 2026-11-20): "
                        "1 item (one listed under several kinds counts once). Items leave the list once handled."),
    ("todo.caption", 2, "济南市 · listed at 2026-12-07 09:00 (deadlines as of today; figures as of 2026-11-20): "
                        "2 items (one listed under several kinds counts once). Items leave the list once handled."),
    ("todo.caption", 0, "济南市 · listed at 2026-12-07 09:00 (deadlines as of today; figures as of 2026-11-20): "
                        "0 items (one listed under several kinds counts once). Items leave the list once handled."),
    ("au.count", 1, "1 entry, newest first"), ("au.count", 3, "3 entries, newest first"),
    ("todo.hours_left", 1, "1 hour left"), ("todo.late_days", 1, "1 day late"), ("todo.late_days", 2, "2 days late")])
def test_english_counts_one_thing_in_the_singular(key, n, en):
    values = {"area": "济南市", "at": "2026-12-07 09:00", "as_of": "2026-11-20"}
    assert i18n.tn(key, "en", n, **values) == en
    assert i18n.tn(key, "zh", n, **values) == i18n.t(key, "zh").format(n=n, **values)  # Chinese has no plural


def test_a_flag_counted_in_whole_things_reads_one_in_the_singular():
    from core.present.flagtext import amount
    assert [amount("orders", v, "en") for v in (0, 1, 2)] == ["0 orders", "1 order", "2 orders"]
    assert amount("workdays", 1, "en") == "1 working day" and amount("flags", 1, "en") == "1 kind of flag"
    assert amount("orders", 1, "zh") == "1 笔" and amount("multiple", 1, "en") == "1.00x"


def test_brackets_are_full_width_in_chinese_and_plain_in_english():
    assert i18n.paren(25, "zh") == "（25）" and i18n.paren(25, "en") == " (25)"


def test_no_count_is_formatted_past_the_singular():
    """Every label that counts n things is formatted by `tn` (t(...).format(n=...) would print "1 items")."""
    import re
    found = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("core/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\bt\([^()]*\)\.format\(", text):
            depth, i = 1, m.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            if re.search(r"(^|[,(\s])n\s*=", text[m.end():i - 1]):
                found.append(f"{path.relative_to(ROOT)}: {text[m.start():i][:80]}")
    assert not found, found


# -- an unexpected error ---------------------------------------------------------------------------------------
def _failing_page(lang):
    """A page in `lang` whose run meets an error no page expected (as Streamlit hands it to the app's handler)."""
    import streamlit as st

    from ui import server
    st.session_state["lang"] = lang
    server.on_script_error(RuntimeError("boom"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unexpected_error_says_so_in_the_language_of_the_page(lang):
    at = AppTest.from_function(_failing_page, args=(lang,)).run()
    message = at.error[0].value
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert chinese == (lang == "zh") and "boom" not in message
    assert ("参考号" if lang == "zh" else "reference") in message


def test_the_ranked_bars_are_built_once_for_the_same_rows_and_show_labels_as_text():
    """Every run of the overview draws the same bars: the figure is built once and shared (Streamlit copies it);
    other rows or another threshold build another. Labels are text, never markup."""
    rows = pd.DataFrame({"name": ["<b>甲市</b>", "乙市", "丙市"], "rate": [0.92, 0.71, None]})
    first = charts.ranked(rows, "rate", "name", "配送率", 0.8, "预警线")
    assert charts.ranked(rows.copy(), "rate", "name", "配送率", 0.8, "预警线") is first
    assert list(first.data[0].y) == ["&lt;b&gt;甲市&lt;/b&gt;", "乙市"] and list(first.data[0].x) == [0.92, 0.71]
    assert list(first.data[0].text) == [charts.percent_text(0.92), charts.percent_text(0.71)]
    assert first.layout.shapes[0].x0 == 0.8
    assert charts.ranked(rows, "rate", "name", "配送率", 0.9, "预警线") is not first
    other = charts.ranked(rows.assign(rate=[0.5, 0.71, 0.2]), "rate", "name", "配送率", 0.8, "预警线")
    assert other is not first and list(other.data[0].x) == [0.71, 0.5, 0.2]


def test_the_data_pages_map_is_made_once_per_view_and_language(demo_store):
    """数据概况's map (overview.counts_deck): its JSON made once for a view and tooltip, shared by every run; each area's
    value is its count of institutions, and the boundaries every page shares keep no value of one page's map."""
    from core.policy import regions
    from core.read import overview
    view = default(demo_store)
    deck = overview.counts_deck(view, "{name}: {value_text}")
    assert overview.counts_deck(view, "{name}: {value_text}") is deck
    assert overview.counts_deck(view, "{name} institutions") is not deck
    drawn = json.loads(deck.to_json())
    areas = next(layer for layer in drawn["layers"] if layer["id"] == "areas")["data"]["features"]
    counts = overview.counts_by_area(view).set_index("area_code")["count_institutions"]
    assert {f["properties"]["code"]: f["properties"]["value"] for f in areas} == \
        {k: float(v) for k, v in counts.items()}
    shared = regions.features(demo_store.province_code, None, view.area)["features"]
    assert shared and not any("value" in f["properties"] for f in shared)


def test_a_long_table_shows_whole_rows_only():
    """Ten rows or fewer: as tall as they are; more: exactly ten under the header (11 x 35 px + the border), never the
    grid's 400 px that cut the eleventh row in half (the browser walk's screenshots show the tables so)."""
    from ui.tables import height
    assert height(0) == height(3) == height(10) == "auto" and height(11) == height(500) == 11 * 35 + 3


NEAR_EDGES = st.tuples(st.integers(0, 4), st.floats(-0.006, 0.006))  # k steps of ten points below a line, give or take


@settings(max_examples=400, deadline=None)
@given(anywhere=st.lists(st.floats(0, 1, allow_nan=False), max_size=20), near=st.lists(NEAR_EDGES, max_size=6),
       line=st.sampled_from([0.05, 0.333, 0.7, 0.8, 0.85, 0.8877, 1.0]))
def test_a_rates_red_is_the_same_on_every_map_of_its_line(anywhere, near, line):
    """Whatever else a map shows, a rate under the line is the red of its ten-point step below the line (the
    reference: the rate alone on its map), at or above the line it is blue; the key's ranges read as ranges. The
    rates are anywhere, or close to a step's edge (within a point of each other: one colour on a plain scale)."""
    values = anywhere + [min(1.0, max(0.0, line - k * 0.1 + off)) for k, off in near]
    if not values:
        return
    shown = maps.scale(values, "percent", line)
    for v in values:
        alone = maps.scale([v], "percent", line).color(v)
        assert (shown.color(v) == alone) if v < line else tuple(shown.color(v)[:3]) in maps.PALETTE, (v, line)
    for b in shown.bins:
        ends = b.label.split(" – ")
        assert len(ends) == 1 or ends[0] != ends[1], b.label
    assert all(a.low <= a.high <= b.low + 1e-12 for a, b in zip(shown.bins, shown.bins[1:]))
