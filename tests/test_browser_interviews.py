"""A real browser records an action on the interview list and downloads the export."""
import io
import os
from pathlib import Path

import openpyxl
import pytest

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.read import interviews

from .browser import ARTIFACTS, CHROMIUM, IDLE, browser_page, sign_in, streamlit_server
from .views import default

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")
# The headers of the columns the grid draws (it writes only those in view into its table for screen readers)
IN_VIEW = """() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"] th')).map(t => t.textContent)"""
# Who, why listed, the measure, where it stands and by when: in view at 1400 px in either language, before the flags
WORKING = {"zh": ["对象类型", "编码", "名称", "所在区县", "列入原因", "建议措施", "处理状态", "整改/说明期限"],
           "en": ["Type", "Code", "Name", "County", "Listed for", "Recommended measure", "Status", "Deadline"]}


def test_record_an_action_and_download_the_export(demo_copy):
    with streamlit_server(demo_copy.url) as base, browser_page() as page:
        sign_in(page, base + "/interviews?area=371400", "demo_city")
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=120_000)
        page.get_by_text("共 ").first.wait_for(timeout=60_000)
        first = interviews.interview_list(default(demo_copy, "371400")).iloc[0]["subject_code"]
        page.get_by_text(first).first.wait_for(state="attached", timeout=60_000)  # the grid holds its rows
        page.wait_for_function(IDLE, timeout=60_000, polling=200)
        assert page.evaluate(IN_VIEW)[:8] == WORKING["zh"]
        box = grid.bounding_box()
        selected = page.locator('[aria-selected="true"]')
        for _ in range(5):  # the first column holds the row checkboxes; rows are 35 px high under a 35 px header
            page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
            try:
                selected.first.wait_for(state="attached", timeout=10_000)
                break
            except PlaywrightTimeout:
                continue
        page.get_by_role("textbox", name="处理说明", exact=False).fill("浏览器测试：已电话提醒")
        page.get_by_role("button", name="保存").click()
        page.get_by_text("已记录 1 条处理情况。").wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "interviews.png"), full_page=True)
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="导出约谈名单（Excel）").click()
        path = info.value.path()
        wb = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
        page.goto(base + "/interviews?area=371400&lang=en")  # signed in still: the same list in English
        page.get_by_text("Recommended measure").first.wait_for(state="attached", timeout=120_000)
        page.wait_for_function(IDLE, timeout=60_000, polling=200)
        english = page.evaluate(IN_VIEW)
        page.screenshot(path=str(ARTIFACTS / "interviews-en.png"))
    assert english[:8] == WORKING["en"], english  # the flags' long English names used to push the measure out of view
    recorded = demo_copy.read("SELECT subject_code, status FROM actions WHERE note = '浏览器测试：已电话提醒'")
    listed = interviews.interview_list(default(demo_copy, "371400"))
    assert recorded["subject_code"].tolist() == [listed.iloc[0]["subject_code"]]  # the first row was ticked
    header, *rows = list(wb["约谈名单"].values)
    assert [r[1] for r in rows] == listed["subject_code"].tolist()
    status = {r[1]: r[header.index("处理状态")] for r in rows}
    assert status[recorded["subject_code"].iloc[0]] == recorded["status"].iloc[0]
    assert len(list(wb["预警依据"].values)) > len(rows)
