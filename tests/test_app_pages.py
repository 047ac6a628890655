"""AppTest: the pages run on the demo store and show what core computes."""
import pytest
from streamlit.testing.v1 import AppTest

from core.access import settings_change
from core.policy import settings as settings_mod
from core.paths import ROOT
from core.read import overview
from .views import default, mart, sign_in


@pytest.fixture
def app(demo_store, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()

    def run(page: str, username: str = "demo_leader") -> AppTest:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), username).run()
        if page != "todo":  # the first page after signing in
            at.switch_page(f"../pages/{page}.py").run()
        return at

    yield run
    session._store.clear()


def test_home_shows_the_store_contents(app, demo_store):
    at = app("home")
    assert not at.exception
    assert at.title[0].value == "数据概况"
    counts = overview.totals(default(demo_store))
    assert counts["institutions"] == demo_store.counts()["institutions"]
    assert [m.value for m in at.metric] == [f"{counts[k]:,}" for k in ("institutions", "enterprises", "agreements", "orders")]
    assert "统计截止日 2026-11-20" in at.caption[0].value
    table = at.dataframe[0].value
    expected = overview.counts_by_area(default(demo_store))
    assert table["医疗机构"].tolist() == expected["count_institutions"].tolist()
    assert len(table) == 16 and table["名称"].iloc[0] == "济南市"
    assert "共 16 行，表内滚动可看其余各行。" in [c.value for c in at.caption]  # ten show at a time: the rest are said


def test_settings_page_lists_every_setting(app, demo_store):
    at = app("settings")
    assert not at.exception
    table, wording = at.dataframe[0].value, at.dataframe[1].value  # the thresholds, then the documents' words
    every = {s.help_zh: s.name for s in settings_mod.SETTINGS}
    assert [every[h] for h in table["参数"]] == [s.name for s in settings_mod.SETTINGS
                                                if s.name not in settings_change.WORDING]
    assert [every[h] for h in wording["参数"]] == list(settings_change.WORDING) == ["notice_reference"]
    # A share reads as typed and as a percentage; the leader is not shown the code names (an administrator is)
    assert table.set_index("参数").loc["配送率低于该值预警", "当前值"] == "80%"
    assert table.set_index("参数").loc["基层与二、三级机构配送率差距（百分点）达到该值即标记", "默认值"] == "10个百分点"
    assert "参数代码" not in table.columns and table.columns[0] == "参数"
    admin = app("settings", "demo_admin")
    assert not admin.exception
    codes = admin.dataframe[0].value
    assert codes.set_index("参数代码").loc["delivery_rate_warning", "当前值"] == "80%"


def _pick(code):
    return {"selection": {"indices": {"areas": [0]}, "objects": {"areas": [{"properties": {"code": code}}]}}}


def test_map_drills_by_injected_selection_and_goes_back_by_breadcrumb(app, demo_store):
    at = app("map")
    assert not at.exception
    assert [b.label for b in at.main.button] == ["山东省"]
    cities = at.dataframe[-1].value
    stored = mart(demo_store, "SELECT subject_code, value FROM mart_indicators WHERE view_id = :v AND level = 'city' AND indicator_id = 'delivery'")
    # rates read in percent: the table holds 99.46 for 0.9946
    assert dict(zip(cities["代码"], cities["配送率"])) == pytest.approx(dict(zip(stored["subject_code"], 100 * stored["value"])))

    at.session_state["drill_370000"] = _pick("370100")
    at.run()
    assert at.query_params["area"] == ["370100"] or at.query_params["area"] == "370100"
    assert [b.label for b in at.main.button] == ["山东省", "济南市"]
    counties = at.dataframe[-1].value
    assert "历下区" in set(counties["名称"]) and len(counties) == 12

    at.session_state["drill_370100"] = _pick("370102")
    at.run()
    assert [b.label for b in at.main.button] == ["山东省", "济南市", "历下区"]
    institutions = at.dataframe[-1].value
    expected = demo_store.read("SELECT institution_code FROM institutions WHERE county_code = '370102' ORDER BY 1")
    assert institutions["代码"].tolist() == expected["institution_code"].tolist()

    at.button(key="crumb_370000").click().run()
    assert [b.label for b in at.main.button] == ["山东省"]


def test_map_ignores_a_click_outside_the_children(app):
    at = app("map")
    at.session_state["drill_370000"] = _pick("370102")  # a county is not a child of the province
    at.run()
    assert [b.label for b in at.main.button] == ["山东省"]


def test_map_layer_choice_shows_that_indicator(app, demo_store):
    at = app("map")
    at.selectbox(key="map_layer").set_value("report").run()
    table = at.dataframe[-1].value
    stored = mart(demo_store, "SELECT subject_code, value FROM mart_indicators WHERE view_id = :v AND level = 'city' AND indicator_id = 'report'")
    assert dict(zip(table["代码"], table["报量"])) == pytest.approx(dict(zip(stored["subject_code"], 100 * stored["value"])))
    # the key says the line on both sides of it: the report's is the share of last year (80% by default)
    assert "红色：低于 80.0%（应达到的水平），每低 10 个百分点深一档，低 30 个百分点及以上最深，各地图同一颜色同一档；" \
           "蓝色：达到或高于 80.0%。" in [c.value for c in at.caption]


def _formats(table) -> dict[str, str]:
    """Column label -> number format, as the page configured the table."""
    import json
    config = json.loads(table.proto.columns or "{}")
    return {label: c["type_config"]["format"] for label, c in config.items()
            if c.get("type_config", {}).get("format")}


def test_map_tables_read_rates_in_percent(app):
    """The figures of the area: indicator values and the level above's in percent, numerators and
    denominators with separators; the areas below: a rate layer's value in percent, a count layer's not."""
    at = app("map")
    figures = next(d for d in at.dataframe if "分子" in d.value.columns)
    # 其他采购行为 is about 0.01% of the orders: the column reads with two decimals, not as 0.0%
    assert _formats(figures) == {"数值": "%.2f%%", "分子": "localized", "分母": "localized", "预警数": "localized"}
    other = figures.value.set_index("指标").loc["其他采购行为", "数值"]
    assert 0.005 <= other < 1 and round(other, 2) > 0
    assert _formats(at.dataframe[-1])["配送率"] == "%.1f%%"
    at.selectbox(key="map_layer").set_value("red_flag").run()
    assert not at.exception
    children = at.dataframe[-1]
    assert list(children.value.columns) == ["代码", "名称", "红旗机构数", "医疗机构数"]  # one column for one figure
    assert _formats(children)["红旗机构数"] == "localized"  # a count with separators, not a percent


def test_english_switch(app):
    at = app("map")
    at.toggle(key="lang_toggle").set_value(True).run()
    assert at.title[0].value == "Drill-down map"


def test_overview_tiles_match_core_and_follow_the_area(app, demo_store):
    at = app("overview")
    assert not at.exception
    tiles = overview.headline(default(demo_store))
    assert [m.label for m in at.metric] == [t["label"] for t in tiles]
    delivery = next(t for t in tiles if t["metric"] == "delivery")
    stored = mart(demo_store, "SELECT value FROM mart_indicators WHERE view_id = :v AND level = 'province' AND indicator_id = 'delivery'")
    assert delivery["value"] == pytest.approx(stored["value"].iloc[0])
    assert at.metric[0].value == f"{delivery['value']:.1%}"
    red = next(t for t in tiles if t["metric"] == "count_red_flag")
    assert red["value"] == len(mart(demo_store, "SELECT 1 FROM mart_flags WHERE view_id = :v AND flag_id = 'red_flag'"))
    at.selectbox(key="f_city").set_value("371400").run()
    city_tiles = overview.headline(default(demo_store, "371400"))
    assert at.metric[0].value == f"{city_tiles[0]['value']:.1%}"
    assert at.query_params["area"] in (["371400"], "371400")


def test_overview_page_shows_tiles_and_worse_table_as_core_reads_them(app, demo_store):
    at = app("overview")
    assert not at.exception
    tiles = overview.headline(default(demo_store))
    shown = [overview.tile_text(t) for t in tiles]
    assert [m.value for m in at.metric] == [s["value"] for s in shown]
    assert [m.delta or None for m in at.metric] == [s["delta"] for s in shown]
    worse = overview.got_worse(overview.children_ranked(default(demo_store)), demo_store.settings()["worse_min_points"])
    table = next((d.value for d in at.dataframe if "较上月末（百分点）" in d.value.columns), None)
    if worse.empty:
        assert table is None
    else:
        assert table["较上月末（百分点）"].tolist() == worse["delivery_change_points"].tolist()


def test_the_chosen_area_carries_to_the_next_page(app):
    at = app("overview")
    at.selectbox(key="f_city").set_value("371400").run()
    at.switch_page("../pages/supply.py").run()
    assert not at.exception
    assert at.selectbox(key="f_city").value == "371400"


def test_map_enterprise_layer_shows_its_delivery_by_area(app, demo_store):
    # The planted tier D maker delivers badly in one city only: that city stands out on its layer.
    code = mart(demo_store, "SELECT enterprise_code FROM mart_enterprises WHERE view_id = :v AND tier = 'D'")["enterprise_code"].iloc[0]
    at = app("map")
    at.selectbox(key="map_layer").set_value("enterprise").run()
    at.selectbox(key="map_enterprise").set_value(code).run()
    assert not at.exception
    table = at.dataframe[-1].value
    rates = table.set_index("代码").iloc[:, 1].dropna() / 100  # the table reads in percent
    assert len(rates) >= 1 and rates.max() < 0.3
    ent = mart(demo_store, "SELECT delivery_rate FROM mart_enterprises WHERE view_id = :v AND enterprise_code = :c", {"c": code})
    sums = mart(demo_store, "SELECT SUM(delivered_qty) / SUM(ordered_qty) AS r FROM mart_enterprise_institutions "
                "WHERE view_id = :v AND enterprise_code = :c", {"c": code})
    assert sums["r"].iloc[0] == pytest.approx(ent["delivery_rate"].iloc[0])


def test_enterprise_layer_at_county_level_shows_each_institution(app, demo_store):
    code = mart(demo_store, "SELECT enterprise_code FROM mart_enterprises WHERE view_id = :v AND tier = 'D'")["enterprise_code"].iloc[0]
    served = mart(demo_store, """SELECT i.county_code, m.institution_code, m.delivered_qty, m.ordered_qty
                                 FROM mart_enterprise_institutions m JOIN institutions i ON i.institution_code = m.institution_code
                                 WHERE m.view_id = :v AND m.enterprise_code = :e""", {"e": code})
    county = served.groupby("county_code")["ordered_qty"].sum().idxmax()
    at = app("map")
    at.selectbox(key="map_layer").set_value("enterprise").run()
    at.selectbox(key="map_enterprise").set_value(code).run()
    at.session_state["drill_370000"] = _pick(county[:4] + "00")
    at.run()
    at.session_state[f"drill_{county[:4]}00"] = _pick(county)
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value.set_index("代码")["企业配送率（分级视图）"] / 100  # read in percent
    mine = served[served["county_code"] == county]
    expected = dict(zip(mine["institution_code"], mine["delivered_qty"] / mine["ordered_qty"]))
    assert table.dropna().to_dict() == pytest.approx(expected)
    assert len(table) == len(demo_store.read("SELECT 1 FROM institutions WHERE county_code = :c", {"c": county}))


def test_the_to_do_list_says_when_it_was_listed_and_the_figures_date(app, demo_store):
    """待办事项 counts deadlines from today but lists red flags from the figures: both dates are said, so a list made
    on 12-07 beside pages reading 统计截止日 2026-11-20 does not look like a contradiction."""
    at = app("todo", "demo_city")
    assert not at.exception
    said = at.caption[0].value.replace("\\", "")  # shown as text: the markdown escapes go
    assert "生成于 " in said and f"数据统计截止日 {default(demo_store).as_of}" in said, said


@pytest.mark.parametrize("username, label", [("demo_city", "前往处理"), ("demo_analyst", "前往查看"),
                                             ("demo_leader", "前往查看")])
def test_the_to_do_list_offers_to_handle_only_what_the_role_may_record(app, username, label):
    """Leadership and analysts record no action: their to-do list offers to look, where an officer's offers to handle."""
    at = app("todo", username)
    assert not at.exception
    links = {link.proto.label for link in at.get("page_link")}
    assert links == {label}, links
