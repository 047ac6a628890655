"""A real browser uploads an extract: a bad file (saved by LibreOffice as .xls) gets its errors, a good one is
previewed, confirmed (clearing the demo the store held) and recorded."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from core.ingest import exporter

from .browser import ARTIFACTS, CHROMIUM, browser_page, sign_in, streamlit_server
from .extract_fixture import frames

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def test_upload_a_bad_then_a_good_file(demo_copy, tmp_path):
    store = demo_copy  # a working store holding the demo: the real extract replaces it
    url = store.url
    good = exporter.write_xlsx(frames(), tmp_path / "good.xlsx")
    spoiled = frames()
    spoiled["orders"].loc[0, "order_qty"] = -5
    bad = exporter.write_xlsx(spoiled, tmp_path / "bad.xlsx")
    if shutil.which("soffice"):  # the old Excel format, as LibreOffice saves it: read and checked like any workbook
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to",
                        "xls", "--outdir", str(tmp_path), str(bad)], check=True, capture_output=True, timeout=180)
        bad = bad.with_suffix(".xls")
    before = store.counts()
    with streamlit_server(url) as base, browser_page() as page:
        sign_in(page, base + "/upload", "demo_analyst")
        chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        chooser.wait_for(state="attached", timeout=120_000)
        chooser.set_input_files(str(bad))
        page.get_by_text("个错误，未写入任何数据").wait_for(timeout=60_000)
        from core.ingest import uploads
        reason = " ".join(uploads.history(store).iloc[0].astype(str))
        assert Path(bad).name in reason and "采购订单" in reason and "不支持" not in reason  # read: its cells' errors
        page.get_by_role("button", name="下载错误清单").wait_for()
        assert store.counts() == before
        page.reload()  # a fresh page, still signed in: the bad file is gone
        chooser.wait_for(state="attached", timeout=120_000)
        chooser.set_input_files(str(good))
        page.get_by_text("检查通过").wait_for(timeout=60_000)
        assert page.get_by_role("button", name="确认导入").is_disabled()  # not beside the demo, unasked
        page.get_by_text("清除全部演示数据后导入").click()
        page.get_by_role("button", name="确认导入").click(timeout=60_000)
        page.get_by_text("已导入：").wait_for(timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    after = store.counts()
    assert after == {name: len(frame) for name, frame in frames().items()}  # the real rows alone, the demo gone
    assert store.read("SELECT enterprise_name FROM enterprises WHERE enterprise_code = '0001'")["enterprise_name"].iloc[0] == "甲制药有限公司"
    from core.ingest import uploads
    assert uploads.history(store)["outcome"].tolist()[:2] == ["imported", "rejected"]
