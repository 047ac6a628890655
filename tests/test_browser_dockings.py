"""A real browser works the two dockings on a copy of the demo: the institution raises a complaint; the county
officer sees it waiting; the enterprise sees it with its deadline, is refused a promised date beyond the rule's
5 working days, replies, resolves it; the institution confirms; the figures judge it by the notice's rule. The
enterprise sees its agreed volumes by institution and its tier's evidence, the institution its self-inspection list.
Screenshots: tests/artifacts/docking_*.png."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.policy import clock
from core.policy.workdays import DEFAULT as CALENDAR
from core.refresh import marts

from .browser import ARTIFACTS, CHROMIUM, browser_page, sign_in, streamlit_server, wait_idle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a select box by typing part of it (a long list shows only the options in view)."""
    box = page.locator('[data-testid="stSelectbox"]:visible').filter(has_text=label)
    box.click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _date(page, label: str, day) -> None:
    box = page.locator('[data-testid="stDateInput"]:visible').filter(has_text=label).locator("input")
    box.fill(day.isoformat())
    box.press("Enter")


def _shot(page, heading: str, name: str) -> None:
    """The viewport from a heading down (a full-page picture resizes the page, and the tables redraw blank)."""
    page.get_by_text(heading, exact=True).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the tables' canvases draw a moment after they come into view
    page.screenshot(path=str(ARTIFACTS / name))


def _said(page, text: str) -> None:
    try:
        page.get_by_text(text).first.wait_for(timeout=60_000)
    except PlaywrightTimeout:
        page.screenshot(path=str(ARTIFACTS / "docking_failed.png"), full_page=True)
        raise


def test_a_complaint_goes_round_and_each_side_sees_its_own_part(demo_copy):
    store = demo_copy
    before = set(store.read("SELECT complaint_id FROM complaints")["complaint_id"])
    supplier = store.read("SELECT e.enterprise_name FROM users u JOIN enterprises e ON e.enterprise_code = "
                          "u.enterprise_code WHERE u.username = 'demo_enterprise'")["enterprise_name"].iloc[0]
    today = clock.today()
    with streamlit_server(store.url) as base:
        with browser_page() as page:  # the institution raises it
            sign_in(page, base + "/desk", "demo_institution")
            page.get_by_text("反馈新诉求").first.wait_for(timeout=120_000)
            _choose(page, "企业", supplier)  # the demo enterprise's account answers for it
            wait_idle(page)  # choosing the enterprise runs the page again: its form drawn anew, not twice
            page.get_by_role("textbox", name="问题描述").fill("浏览器测试：本月订单迟迟未配送")
            page.get_by_role("button", name="提交诉求").click()
            _said(page, "诉求已提交")
            page.goto(base + "/inst_self")
            _said(page, "自查自纠：七项指标")
            page.get_by_text("本机构订单的配送情况（按企业）").first.wait_for(timeout=60_000)
            wait_idle(page)
            _shot(page, "自查自纠：七项指标", "docking_institution_self.png")
        raised = sorted(set(store.read("SELECT complaint_id FROM complaints")["complaint_id"]) - before)
        assert len(raised) == 1 and raised[0].startswith(f"APP{today:%Y%m%d}")
        complaint = raised[0]
        with browser_page() as page:  # the county officer sees it waiting for the reply
            sign_in(page, base + "/complaints", "demo_county")
            _said(page, "今日待办诉求（实时）")
            page.get_by_text(complaint).first.wait_for(state="attached", timeout=60_000)
        with browser_page() as page:  # the enterprise answers
            sign_in(page, base + "/desk", "demo_enterprise")
            _said(page, "回复诉求")
            page.get_by_text(complaint).first.wait_for(state="attached", timeout=60_000)
            wait_idle(page)
            _shot(page, "诉求", "docking_enterprise_desk.png")
            _choose(page, "诉求编号", complaint)
            latest = CALENDAR.add(today, 5)
            _date(page, "承诺解决日期", CALENDAR.add(today, 6))
            page.get_by_role("textbox", name="回复内容").fill("浏览器测试：已安排补货")
            page.get_by_role("button", name="回复", exact=True).click()
            _said(page, f"承诺解决日期应在 {today} 至 {latest} 之间")
            _date(page, "承诺解决日期", latest)
            page.get_by_role("button", name="回复", exact=True).click()
            _said(page, "已回复")
            _said(page, "标记为已解决")
            _choose(page, "诉求编号", complaint)
            page.get_by_role("button", name="已解决", exact=True).click()
            _said(page, "已标记为解决")
            page.goto(base + "/ent_supply")
            _said(page, "约定采购量与配送进度（按医疗机构、产品）")
            page.get_by_text("分级依据（取三者中最差的一级）").first.wait_for(timeout=60_000)
            wait_idle(page)
            _shot(page, "约定采购量与配送进度（按医疗机构、产品）", "docking_enterprise_supply.png")
        with browser_page() as page:  # the institution confirms
            sign_in(page, base + "/desk", "demo_institution")
            _said(page, "确认解决情况")
            _choose(page, "诉求编号", complaint)
            page.get_by_role("button", name="提交", exact=True).click()
            _said(page, "已提交。")
    row = store.read("SELECT source, reply_date, promised_date, resolved_date, confirmation, raised_by, replied_by "
                     "FROM complaints WHERE complaint_id = :c", {"c": complaint}).iloc[0]
    assert (row["source"], row["confirmation"], row["raised_by"], row["replied_by"]) == (
        "app", "已确认", "demo_institution", "demo_enterprise")
    assert str(row["promised_date"])[:10] == CALENDAR.add(today, 5).isoformat()
    # The figures at the promised date judge it by the rule every complaint follows: answered and resolved in time.
    judged = marts.compute(store, CALENDAR.add(today, 5))["mart_complaints"].set_index("complaint_id").loc[complaint]
    assert not judged["reply_late"] and not judged["unresolved"] and judged["timely"]
