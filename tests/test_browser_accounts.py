"""A real browser: a city officer signs in, sees only the own city on the map, signs out, and the data is gone."""
import os
from pathlib import Path

import pytest

from .browser import ARTIFACTS, CHROMIUM, DECK_CANVAS, browser_page, sign_in, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def test_city_officer_sees_only_the_own_city_then_signs_out(demo_store):
    with streamlit_server(demo_store.url) as base, browser_page() as page:
        page.goto(base + "/map?area=370100")  # a crafted link to another city (济南市)
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=120_000)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0  # nothing before signing in
        sign_in(page, base + "/map?area=370100", "demo_city")
        page.get_by_role("button", name="德州市").wait_for(timeout=120_000)
        page.get_by_text("不在您的管辖范围内").first.wait_for(timeout=60_000)
        page.get_by_text("宁津县").first.wait_for(state="attached", timeout=60_000)  # 德州's counties in the table
        page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "map-city-officer.png"), full_page=True)
        assert page.get_by_role("button", name="山东省").count() == 0  # no way up past the jurisdiction
        assert page.get_by_text("历下区").count() == 0  # nothing of 济南
        assert "area=371400" in page.url
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
        page.get_by_text("已退出登录").wait_for(timeout=30_000)
        # The last page's elements leave when the login page's run ends.
        page.locator('[data-testid="stDataFrame"]').first.wait_for(state="detached", timeout=60_000)
        page.locator("canvas").first.wait_for(state="detached", timeout=60_000)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0 and page.locator("canvas").count() == 0
        assert page.get_by_text("下级区域").count() == 0 and page.get_by_text("本级指标").count() == 0
        page.goto(base + "/map?area=371400")  # the link again, after signing out: only the login page
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0 and page.locator("canvas").count() == 0
