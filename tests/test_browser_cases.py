"""A real browser works cases: the county officer asks for an explanation and reports a ladder case to the province
on the 案件处理 page, each seen at once in its table; leadership then finds the case among those sent to the
province. Screenshots of the tabs go to tests/artifacts/cases_*.png."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.access import accounts
from core.policy import clock
from core.policy.workdays import DEFAULT as CAL
from core.read import cases

from .browser import ARTIFACTS, CHROMIUM, browser_page, sign_in, streamlit_server
from .views import of_user

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def _tick_first_row(page) -> None:
    """Tick the first row of the table shown (the first column holds the row checkboxes; rows are 35 px high under
    a 35 px header)."""
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    grid.wait_for(timeout=60_000)
    box = grid.bounding_box()
    for _ in range(5):
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
        try:
            page.get_by_role("textbox", name="处理说明", exact=False).wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the form did not open")


def _record(page, status: str | None, note: str) -> None:
    if status is not None:
        page.locator('[data-testid="stSelectbox"]:visible').filter(has_text="处理状态").click()
        page.get_by_role("option", name=status).click()
    page.get_by_role("textbox", name="处理说明", exact=False).fill(note)
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已记录 1 条处理情况。").wait_for(timeout=60_000)


def test_officer_works_cases_and_the_province_sees_what_was_sent(demo_copy):
    officer = accounts.load(demo_copy, "demo_county")  # 宁津县
    view = of_user(demo_copy, officer)
    explanation = cases.explanation_cases(view).iloc[0]
    ladder = cases.ladder_cases(view).iloc[0]
    with streamlit_server(demo_copy.url) as base:
        with browser_page() as page:
            sign_in(page, base + "/cases", "demo_county")
            page.get_by_role("tab", name=re.compile("梯度措施")).wait_for(timeout=120_000)
            page.get_by_text(ladder["subject_code"]).first.wait_for(state="attached", timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "cases_ladder.png"), full_page=True)
            _tick_first_row(page)
            _record(page, "已报送省局", "浏览器测试：问题突出，报送省局")
            page.get_by_role("tab", name=re.compile("说明事项")).click()
            page.get_by_text(explanation["subject_code"]).first.wait_for(state="attached", timeout=60_000)
            _tick_first_row(page)
            _record(page, None, "浏览器测试：请于期限内说明报量下降原因")  # the first status: 待说明
            grid = page.locator('[data-testid="stDataFrame"]:visible').first
            grid.get_by_text("待说明").first.wait_for(state="attached", timeout=60_000)  # the new status, at once
            grid.get_by_text(CAL.add(clock.today(), 10).isoformat()).first.wait_for(state="attached", timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "cases_explanation.png"), full_page=True)
        with browser_page() as page:
            sign_in(page, base + "/cases", "demo_leader")
            page.get_by_role("tab", name=re.compile("报送省局")).click()
            page.get_by_text("浏览器测试").first.wait_for(state="detached", timeout=5_000)  # notes stay on the cards
            page.locator('[data-testid="stDataFrame"]:visible').first.wait_for(timeout=60_000)
            page.get_by_text(ladder["subject_name"]).first.wait_for(state="attached", timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "cases_escalated_leader.png"), full_page=True)
    recorded = demo_copy.read("SELECT case_kind, subject_code, flag_id, status, recorded_by FROM actions "
                              "ORDER BY action_id")
    assert recorded.values.tolist() == [
        ["ladder", ladder["subject_code"], "", "已报送省局", "demo_county"],
        ["explanation", explanation["subject_code"], explanation["flag_id"], "待说明", "demo_county"]]
    leader = of_user(demo_copy, accounts.load(demo_copy, "demo_leader"))
    assert cases.escalated(leader)["subject_code"].tolist() == [ladder["subject_code"]]
