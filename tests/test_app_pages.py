"""AppTest: the pages run on the demo store and show what core computes."""
import pytest
from streamlit.testing.v1 import AppTest

from core import overview, settings_view
from core.db import ROOT


@pytest.fixture
def app(demo_store, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_store.url)
    from ui import session
    session._store.clear()

    def run(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
        if page != "home":
            at.switch_page(f"pages/{page}.py").run()
        return at

    yield run
    session._store.clear()


def test_home_shows_the_store_contents(app, demo_store):
    at = app("home")
    assert not at.exception
    assert at.title[0].value == "集采全流程监测平台"
    counts = demo_store.counts()
    assert [m.value for m in at.metric] == [f"{counts[k]:,}" for k in ("institutions", "enterprises", "agreements", "orders")]
    assert "统计截止日 2026-11-20" in at.caption[0].value
    table = at.dataframe[0].value
    expected = overview.counts_by_city(demo_store)
    assert table["医疗机构"].tolist() == expected["count_institutions"].tolist()
    assert len(table) == 16


def test_settings_page_lists_every_setting(app, demo_store):
    at = app("settings")
    assert not at.exception
    table = at.dataframe[0].value
    assert table["参数"].tolist() == settings_view.settings_in_force(demo_store)["name"].tolist()
    assert table.set_index("参数").loc["delivery_rate_warning", "当前值"] == "0.8"
