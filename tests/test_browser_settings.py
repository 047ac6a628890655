"""A real browser: an administrator previews a change of setting, reads its effect in Chinese, and drops it."""
import os
from pathlib import Path

import pytest

from core.access import settings_change
from core.access.roles import system_user

from .browser import ARTIFACTS, CHROMIUM, browser_page, sign_in, streamlit_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def test_preview_a_change_then_drop_it(demo_copy):
    expected = settings_change.preview(demo_copy, system_user(demo_copy), "red_flag_min_flags", "2")
    added = int(expected.counts()["appear"].sum())
    with streamlit_server(demo_copy.url) as base, browser_page() as page:
        sign_in(page, base + "/settings", "demo_admin")
        page.get_by_text("修改参数（管理员）").wait_for(timeout=120_000)
        page.get_by_label("参数", exact=True).click()
        page.keyboard.type("red_flag_min_flags")  # the list is searchable
        page.get_by_role("option").filter(has_text="red_flag_min_flags").first.click()
        page.get_by_label("新值").fill("2")
        page.get_by_role("button", name="预览影响").click()
        page.get_by_text("的影响（与现行结果相比，尚未保存）").wait_for(timeout=120_000)
        # the heading comes first; the figures follow it in the same run of the page
        page.locator('[data-testid="stMetric"]').filter(has_text="新增预警").first.wait_for(timeout=60_000)
        effect = page.locator('[data-testid="stMetric"]').all_inner_texts()
        page.get_by_role("button", name="放弃").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "settings_preview.png"))
        assert any("新增预警" in m and str(added) in m for m in effect), effect
        body = page.locator("body").inner_text()
        assert "appear" not in body and "None" not in body and "Traceback" not in body
        page.get_by_role("button", name="放弃").click()
        page.get_by_text("的影响（与现行结果相比，尚未保存）").wait_for(state="detached", timeout=60_000)
    assert demo_copy.settings()["red_flag_min_flags"] == 3
    assert demo_copy.read("SELECT COUNT(*) AS n FROM settings")["n"].iloc[0] == 0
