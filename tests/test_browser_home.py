"""A real browser opens the app on an empty store: the demo loads on first start, the home page shows."""
import os
from pathlib import Path

import pytest

from .browser import ARTIFACTS, CHROMIUM, DECK_CANVAS, browser_page, screenshot_drawn, sign_in, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def test_first_start_fills_the_demo_and_shows_title_and_map(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    with streamlit_server(url) as base, browser_page() as page:
        page.goto(base)
        page.get_by_label("用户名").wait_for(timeout=180_000)  # the demo is loaded; accounts exist
        page.get_by_text("demo_leader").first.wait_for(timeout=30_000)  # the login page lists the demo accounts
        sign_in(page, base, "demo_leader")
        page.get_by_role("heading", name="待办事项").wait_for(timeout=120_000)  # what waits comes first
        page.get_by_text("新增红旗机构").first.wait_for(timeout=60_000)
        page.get_by_role("link", name="总览").click()
        page.get_by_role("heading", name="集采全流程监测平台").wait_for(timeout=120_000)
        page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
        page.get_by_text("配送率").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
        page.get_by_role("link", name="数据概况").click()
        page.get_by_text("医疗机构分布").first.wait_for(timeout=60_000)
        page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=60_000)
        page.get_by_text("济南市").first.wait_for(state="attached", timeout=30_000)  # the city table (a canvas grid)
        assert screenshot_drawn(page, ARTIFACTS / "home.png"), "the map of institutions shows blank"
    from core.store.opening import open_store
    store = open_store(url)
    assert store.counts()["institutions"] > 1000
