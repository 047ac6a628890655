"""The shared filters on the pages: set in the sidebar or given in the URL, the figures shown are
core's for those filters, and the choice carries from page to page."""
import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from core.paths import ROOT
from core.read import monitoring, overview
from core.refresh import marts
from core.store import views
from core.store.view import View


from .views import sign_in


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy.url)
    from ui import session
    session._store.clear()

    def run(page: str = "overview", **params) -> AppTest:
        at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=180))
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        at.switch_page(f"../pages/{page}.py").run()  # signing in opens the first page (待办事项)
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield run
    session._store.clear()


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected(store, as_of, category, area=None) -> dict[str, str]:
    view = View.of(store, views.find_view(store, as_of, category), area)
    out = {}
    for tile in overview.headline(view):
        out[tile["label"]] = f"{tile['value']:.0f}" if tile["kind"] == "count" else f"{tile['value']:.1%}"
    return out


def test_sidebar_filters_change_the_figures(app, demo_copy):
    at = app()
    default = views.default_view(demo_copy)
    assert at.date_input(key="f_asof").value == default.as_of
    at.date_input(key="f_asof").set_value(dt.date(2026, 9, 30)).run()
    at.selectbox(key="f_cat").set_value("耗材").run()
    assert not at.exception
    assert at.query_params["asof"] in ("2026-09-30", ["2026-09-30"]) and at.query_params["cat"] in ("耗材", ["耗材"])
    shown = _tiles(at)
    assert shown == _expected(demo_copy, dt.date(2026, 9, 30), "耗材")
    assert shown != _expected(demo_copy, default.as_of, "")  # the filters changed what is shown
    # The view was stored for these filters: its figures are core's for T = 2026-09-30, consumables only.
    view = views.find_view(demo_copy, dt.date(2026, 9, 30), "耗材")
    fresh = marts.compute(demo_copy, dt.date(2026, 9, 30), category="耗材")["mart_indicators"]
    province = fresh[(fresh["level"] == "province") & (fresh["indicator_id"] == "delivery")]["value"].iloc[0]
    stored = demo_copy.read("SELECT value FROM mart_indicators WHERE view_id = :v AND level = 'province' "
                            "AND indicator_id = 'delivery'", {"v": view.view_id})["value"].iloc[0]
    assert stored == pytest.approx(province)


def test_a_link_reproduces_the_view_on_another_page(app, demo_copy):
    at = app("supply", area="371400", asof="2026-10-31", cat="药品")
    assert at.selectbox(key="f_city").value == "371400"
    assert at.date_input(key="f_asof").value == dt.date(2026, 10, 31) and at.selectbox(key="f_cat").value == "药品"
    view = View.of(demo_copy, views.find_view(demo_copy, dt.date(2026, 10, 31), "药品"), "371400")
    expected = monitoring.delivery_by_product(view)
    table = at.dataframe[0].value
    assert table["产品编码"].tolist() == expected["product_code"].tolist()
    assert set(expected["category"]) == {"药品"}
    at.switch_page("../pages/overview.py").run()  # the filters carry to the next page
    assert at.selectbox(key="f_city").value == "371400" and at.selectbox(key="f_cat").value == "药品"
    assert _tiles(at) == _expected(demo_copy, dt.date(2026, 10, 31), "药品", "371400")


def test_a_bad_link_says_why_and_shows_the_default(app, demo_copy):
    at = app("overview", asof="2031-01-01", cat="器械")
    warnings = [w.value for w in at.warning]
    assert any("统计截止日应在" in w for w in warnings) and any("产品类别 器械" in w for w in warnings)
    default = views.default_view(demo_copy)
    assert at.date_input(key="f_asof").value == default.as_of and at.selectbox(key="f_cat").value == ""
    assert _tiles(at) == _expected(demo_copy, default.as_of, "")


def test_choosing_a_period_moves_the_date_into_it(app, demo_copy):
    at = app()
    options = at.selectbox(key="f_period").options
    assert len(options) == 1  # the demo's agreements run over 2026
    at.date_input(key="f_asof").set_value(dt.date(2026, 3, 31)).run()
    caption = [c.value for c in at.sidebar.caption]
    assert any("序时进度 24.7%" in c for c in caption)  # 90 of 365 days
