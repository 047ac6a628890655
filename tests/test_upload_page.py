"""AppTest: the upload page checks a file, shows every error, previews a good file, and imports on confirm.
The store is a copy of the demo store, as the app's first start leaves an empty one (tests/test_browser_home.py
starts on an empty store), so the extract lands in a demo store."""
import io

import openpyxl
from streamlit.testing.v1 import AppTest

from core.ingest import exporter, importer, uploads
from core.paths import ROOT

from .extract_fixture import frames
from .views import sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(url, monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", url)
    from ui import session
    session._store.clear()
    at = AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=180).run()
    sign_in(at, "demo_analyst").run()
    at.switch_page("../pages/upload.py").run()
    assert not at.exception
    return at


def test_bad_file_shows_every_error_and_writes_nothing(demo_copy, tmp_path, monkeypatch):
    url, store = demo_copy.url, demo_copy
    f = frames()
    f["orders"].loc[0, "order_qty"] = -5
    f["orders"].loc[1, "channel"] = "电话"
    data = exporter.write_xlsx(f, tmp_path / "bad.xlsx").read_bytes()
    from streamlit.runtime.media_file_manager import MediaFileManager
    made, register = {}, MediaFileManager.add_deferred

    def watched(self, data_callable, *args, **kwargs):  # the callables behind deferred downloads, by file id
        file_id = register(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id
    monkeypatch.setattr(MediaFileManager, "add_deferred", watched)
    at = _page(url, monkeypatch)
    before = store.counts()
    at.file_uploader(key="up_files").set_value(("bad.xlsx", data, XLSX)).run()
    assert not at.exception
    assert "2 个错误" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems["行"].tolist() == [2, 3] and problems["工作表"].eq("采购订单").all()
    assert store.counts() == before
    assert uploads.history(store)["outcome"].tolist() == ["rejected"]
    report = next(d for d in at.download_button if d.label == "下载错误清单")  # the error report is offered
    assert store.read("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export'")["n"].iloc[0] == 0
    listed = openpyxl.load_workbook(io.BytesIO(made[report.proto.deferred_file_id]()))  # what a click runs
    assert [r[:2] for r in listed["错误清单"].iter_rows(min_row=2, values_only=True)] == [("采购订单", 2), ("采购订单", 3)]
    logged = store.read("SELECT target, detail FROM audit_log WHERE action = 'export'")
    assert logged.values.tolist() == [["错误清单 bad.xlsx", "2 problems"]]  # made then, and audited as an export


def test_good_file_is_previewed_then_imported_on_confirm_after_clearing_the_demo(demo_copy, tmp_path, monkeypatch):
    url, store = demo_copy.url, demo_copy
    data = exporter.write_xlsx(frames(), tmp_path / "good.xlsx").read_bytes()
    at = _page(url, monkeypatch)

    def in_the_server(*_args, **_kwargs):
        raise AssertionError("a file was read and checked in the server's process")
    parse = importer.parse
    monkeypatch.setattr(importer, "parse", in_the_server)  # the check and the import run in processes of their own
    before = store.counts()
    at.file_uploader(key="up_files").set_value(("good.xlsx", data, XLSX)).run()
    # a store that holds the demo: real data goes in only once the analyst agrees to clear the demo
    assert any("演示数据" in w.value for w in at.warning) and at.button(key="up_confirm").disabled
    at.checkbox(key="up_clear_demo").check().run()
    preview = at.dataframe[0].value
    extract = parse([tmp_path / "good.xlsx"], store, fresh=True)
    expected = uploads.dry_run(store, extract.frames, fresh=True)
    assert preview["新增"].tolist() == expected["insert"].tolist() == [len(f) for f in extract.frames.values()]
    assert preview["替换"].tolist() == expected["replace"].tolist() == [0] * len(extract.frames)
    assert store.counts() == before  # nothing is written before the analyst confirms
    at.button(key="up_confirm").click().run()
    assert not at.exception
    assert store.counts() == {name: len(frame) for name, frame in extract.frames.items()}  # the real rows alone
    assert "已导入" in at.success[-1].value
    assert uploads.history(store)["outcome"].tolist() == ["imported"]
    assert not store.holds_demo()
