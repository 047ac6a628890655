"""A real browser: an address opened before signing in opens after it; a reload or a new tab stays signed in; a
scorecard opens in the same tab with the filters; sign-out in one tab and disabling the account end every tab; an
unexpected error shows a message with a reference and nothing of the server."""
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.access import admin, roles, sessions
from core.demo import DEMO_PASSWORD
from core.store import db
from core.store.opening import open_store


from .browser import ARTIFACTS, CHROMIUM, shared_browser, store_copy, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")
IDLE = """() => { const app = document.querySelector('[data-testid="stApp"]');
                  return app && app.getAttribute('data-test-script-state') === 'notRunning'
                      && !document.querySelector('[data-stale="true"]'); }"""


@pytest.fixture
def browser():
    return shared_browser()  # the test opens contexts of its own


def _sign_in(page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()


def _idle(page) -> None:
    page.wait_for_function(IDLE, timeout=120_000, polling=200)


def test_sign_in_survives_reload_and_new_tabs_and_ends_everywhere(demo_store, browser, tmp_path):
    url = store_copy(demo_store.url, tmp_path)
    store = open_store(url)
    with streamlit_server(url) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
        page = context.new_page()
        page.goto(base + "/overview?area=371400&cat=耗材")  # an address asked for before signing in
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=120_000)
        _idle(page)
        assert page.get_by_text("Page not found").count() == 0 and "does not seem to exist" not in page.inner_text("body")
        _sign_in(page, "demo_city")
        page.get_by_text("总览 · 德州市").first.wait_for(timeout=120_000)  # that page, and the view it named
        _idle(page)
        assert re.search(r"/overview\?.*area=371400", page.url) and "cat=" in page.url
        cookie = next(c for c in context.cookies() if c["name"] == sessions.COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert cookie["value"] not in page.url and cookie["value"] not in page.content()
        stored = store.read("SELECT * FROM user_sessions WHERE token_hash = :h", {"h": sessions.digest(cookie["value"])})
        assert stored["username"].tolist() == ["demo_city"]  # kept in the store only as its hash
        assert cookie["value"] not in " ".join(map(str, store.read("SELECT * FROM user_sessions").values.ravel()))

        page.reload()  # a reload: still signed in, same page, same view
        page.get_by_text("总览 · 德州市").first.wait_for(timeout=120_000)
        assert page.get_by_label("用户名").count() == 0

        other = context.new_page()  # a new tab
        other.goto(base + "/map?area=371422")  # a county: its institutions are listed
        other.get_by_role("heading", name="辖区医疗机构").wait_for(timeout=120_000)
        _idle(other)
        # choosing a row opens its scorecard in the same tab, with the filters
        grid = other.locator('[data-testid="stDataFrame"] >> visible=true').last  # the institutions
        grid.wait_for(timeout=60_000)
        opened = "() => location.pathname === '/institution' && location.search.includes('code=')"
        for _ in range(5):  # the first row's selection box; a click before the grid is ready is repeated
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            other.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
            try:
                other.wait_for_function(opened, timeout=15_000)
                break
            except PlaywrightTimeout:
                continue
        assert other.evaluate(opened)
        assert "area=371422" in other.url and len(context.pages) == 2
        other.get_by_role("heading", name="机构档案").wait_for(timeout=60_000)
        other.get_by_role("heading", name="七项指标").wait_for(timeout=60_000)  # the card itself, not the page's title
        _idle(other)
        other.screenshot(path=str(ARTIFACTS / "scorecard-from-a-row.png"), full_page=True)

        other.get_by_role("button", name="退出登录").click()  # sign-out in the new tab ...
        other.get_by_text("已退出登录").wait_for(timeout=60_000)
        page.get_by_role("link", name="数据概况").click()  # ... ends the first tab at its next click
        page.get_by_text("您已在其他窗口退出登录").wait_for(timeout=60_000)
        page.reload()
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
        assert sessions.COOKIE not in {c["name"] for c in context.cookies()}  # the browser forgot its cookie

        _sign_in(page, "demo_county")  # disabling the account ends its session at once
        page.get_by_role("link", name="供应监测").wait_for(timeout=120_000)
        admin.set_active(store, roles.system_user(store), "demo_county", False)
        page.get_by_role("link", name="供应监测").click()
        page.get_by_text("账户已停用或已失效").wait_for(timeout=60_000)
        page.reload()
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
        context.close()
    db.dispose(url)


def test_an_unexpected_error_shows_a_reference_and_nothing_of_the_server(demo_store, browser, tmp_path):
    url = store_copy(demo_store.url, tmp_path)
    log = tmp_path / "server.log"
    with open_store(url).begin() as conn:  # a fault: a table the overview reads is gone
        conn.execute(sa.text("DROP TABLE mart_snapshots"))
    with streamlit_server(url, log=log) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(base + "/overview")
        _sign_in(page, "demo_leader")
        message = page.get_by_text("页面出现意外错误")
        message.wait_for(timeout=120_000)
        text = page.inner_text("body")
        reference = re.search(r"参考号 ([0-9a-f]{8})", text).group(1)
        assert "Traceback" not in text and str(Path.cwd()) not in text and "/work/" not in text and ".py" not in text
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "error-reference.png"), full_page=True)
        page.close()
    server_log = log.read_text(errors="replace")
    assert f"page error {reference}" in server_log and "mart_snapshots" in server_log  # the details, for the admin
    db.dispose(url)
