"""A real browser uploads an extract: a bad file gets its errors, a good one is previewed, confirmed and recorded."""
import os
from pathlib import Path

import pytest

from core import exporter
from core.store import open_store

from .browser import ARTIFACTS, CHROMIUM, browser_page, sign_in, streamlit_server
from .extract_fixture import frames

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed (bash scripts/setup.sh)")


def test_upload_a_bad_then_a_good_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'upload.sqlite3'}"
    store = open_store(url)
    from core import demo
    demo.load(store)  # a working store; the extract adds to it
    good = exporter.write_xlsx(frames(), tmp_path / "good.xlsx")
    spoiled = frames()
    spoiled["orders"].loc[0, "order_qty"] = -5
    bad = exporter.write_xlsx(spoiled, tmp_path / "bad.xlsx")
    before = store.counts()
    with streamlit_server(url) as base, browser_page() as page:
        sign_in(page, base + "/upload", "demo_analyst")
        chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        chooser.wait_for(state="attached", timeout=120_000)
        chooser.set_input_files(str(bad))
        page.get_by_text("个错误，未写入任何数据").wait_for(timeout=60_000)
        page.get_by_role("button", name="下载错误清单").wait_for()
        assert store.counts() == before
        sign_in(page, base + "/upload", "demo_analyst")  # a fresh page (and session): the bad file is gone
        chooser.wait_for(state="attached", timeout=120_000)
        chooser.set_input_files(str(good))
        page.get_by_role("button", name="确认导入").click(timeout=60_000)
        page.get_by_text("已导入").wait_for(timeout=120_000)
        page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    after = store.counts()
    # Two new orders; enterprises 0001 and 0002 exist in the demo, so they were replaced by key, not added.
    assert after["orders"] == before["orders"] + 2 and after["enterprises"] == before["enterprises"]
    assert store.read("SELECT enterprise_name FROM enterprises WHERE enterprise_code = '0001'")["enterprise_name"].iloc[0] == "甲制药有限公司"
    from core import uploads
    assert uploads.history(store)["outcome"].tolist()[:2] == ["imported", "rejected"]
