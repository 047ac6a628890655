"""Hostile input, races and faults beyond the files (tests/test_hostile_files.py): settings that are not numbers, a
stored setting no page could use, account fields that do not fit, values with NUL bytes in an address, a store that
cannot be reached or written, two imports at once, an upload page that leaves no copies behind."""
import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from core.access import accounts, admin, settings_change
from core.access.roles import system_user
from core.ingest import exporter, importer, uploads
from core.paths import ROOT
from core.store import jobs
from core.store.opening import open_store

from .extract_fixture import frames
from .views import sign_in

PASSWORD = "Secret2026pass"


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "0", "99999999999999999999", "30.5", "三十", "", "1e400"])
def test_a_setting_refuses_what_is_not_a_number_in_range(tmp_path, raw):
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    with pytest.raises(ValueError) as err:
        settings_change.change(store, system_user(store), "session_timeout_minutes", raw)
    assert "session_timeout_minutes" in str(err.value) and " / " in str(err.value)  # which, in both languages
    assert store.read("SELECT COUNT(*) AS n FROM settings")["n"].iloc[0] == 0  # nothing saved
    for name, bad in (("delivery_rate_warning", "80"), ("tier_a_min", "-0.1"), ("upload_max_mb", "0")):
        with pytest.raises(ValueError):
            settings_change.change(store, system_user(store), name, bad)


def test_a_change_keeps_its_time_of_day(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    settings_change.change(store, system_user(store), "worse_min_points", "0.01")
    when = store.read("SELECT updated_at FROM settings")["updated_at"].iloc[0]
    assert str(when)[11:19] != "00:00:00"


def test_a_stored_setting_no_page_could_use_falls_back_to_its_default(app, demo_copy):
    with demo_copy.begin() as conn:  # written straight into the store, past every check
        conn.execute(sa.text("INSERT INTO settings (name, value) VALUES ('session_timeout_minutes', '99999999999999999999'),"
                             " ('delivery_rate_warning', 'nan')"))
        conn.execute(sa.text("UPDATE store_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'"))
    assert demo_copy.settings()["session_timeout_minutes"] == 30 and demo_copy.settings()["delivery_rate_warning"] == 0.8
    at = app("demo_leader").run().switch_page("../pages/overview.py").run()
    assert not at.exception and at.metric  # pages work for everyone
    at = app("demo_admin").run()
    at.switch_page("../pages/settings.py").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning).replace("\\", "")  # shown as text: Markdown's escapes removed
    assert "session_timeout_minutes" in warned and "delivery_rate_warning" in warned  # administrators are told


def test_the_audit_page_shows_a_failed_sign_in_by_an_unknown_name(app, demo_copy):
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(demo_copy, "nobody-at-all", "whatever")
    at = app("demo_admin").run()
    at.switch_page("../pages/audit.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    unknown = table[table["用户"].str.startswith("unknown:")]
    assert len(unknown) == 1 and unknown.iloc[0]["结果"] == "失败：无此用户" and pd.isna(unknown.iloc[0]["角色"])


@pytest.mark.parametrize("page,params", [("institution", {"code": "H\x00x"}), ("enterprise", {"code": "\x00"}),
                                         ("map", {"area": "37\x000000", "layer": "\x00"}),
                                         ("overview", {"asof": "2026-\x00", "cat": "\x00耗材"})])
def test_nul_bytes_in_an_address_on_postgresql(demo_copy_pg, monkeypatch, page, params):
    monkeypatch.setenv("VBP_DATABASE_URL", demo_copy_pg.url)  # a copy: signing in writes a session
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "demo_city").run()
    at.query_params.update(params)
    at.switch_page(f"../pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    session._store.clear()


def test_account_fields_that_do_not_fit_get_messages(store_url):
    store = open_store(store_url)
    operator = system_user(store)
    with pytest.raises(ValueError, match="100"):
        admin.create_user(store, operator, "long_name", "名" * 101, "leader", None, PASSWORD)
    with pytest.raises(ValueError, match="U\\+0000"):
        admin.create_user(store, operator, "nul_name", "张\x00三", "leader", None, PASSWORD)
    admin.create_user(store, operator, "zhang", "张三", "leader", None, PASSWORD)
    admin.create_user(store, operator, "lisi", "李四", "leader", None, PASSWORD)
    with pytest.raises(ValueError, match="200"):
        admin.link_sso(store, operator, "zhang", "x" * 201)
    admin.link_sso(store, operator, "zhang", "zhang@ybj.example")
    with pytest.raises(ValueError, match="zhang"):  # one identity, one account
        admin.link_sso(store, operator, "lisi", "zhang@ybj.example")
    assert store.read("SELECT username FROM users WHERE sso_subject IS NOT NULL")["username"].tolist() == ["zhang"]


def test_a_store_that_cannot_be_reached_or_written_says_what_to_do(tmp_path, demo_store):
    closed = "postgresql+psycopg://vbp:secret@127.0.0.1:9/vbp"
    run = subprocess.run([sys.executable, "-m", "core", "flags", "--db", closed], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2 and "无法连接数据库" in run.stderr and "cannot be reached" in run.stderr
    assert "Traceback" not in run.stderr and "secret" not in run.stderr  # no password either
    path = sa.make_url(demo_store.url).database
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    run = subprocess.run([sys.executable, "-m", "core", "users", "add", "newbie", "--role", "leader", "--password-stdin",
                          "--db", read_only], cwd=ROOT, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "只读" in run.stderr and "read-only" in run.stderr and "Traceback" not in run.stderr


def test_the_app_before_sign_in_when_the_store_cannot_be_reached(monkeypatch):
    monkeypatch.setenv("VBP_DATABASE_URL", "postgresql+psycopg://vbp:secret@127.0.0.1:9/vbp")
    from ui import session
    session._store.clear()
    at = AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "数据库暂时无法使用" in shown and "127.0.0.1" not in shown and "secret" not in shown
    session._store.clear()


def test_the_upload_page_leaves_no_copies_behind(tmp_path, monkeypatch):
    """On a small store: where the file goes does not depend on the rows the page compares it with (a preview against
    the demo's rows takes seconds a run). The page writes no copy of its own; the check's process keeps the file in
    the store's private job folder while it reads it, and removes it when done."""
    store = open_store(f"sqlite:///{tmp_path / 'upload.sqlite3'}")
    importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "first.xlsx")], actor=system_user(store))
    admin.create_user(store, system_user(store), "analyst1", "分析员", "analyst", None, PASSWORD)
    monkeypatch.setenv("VBP_DATABASE_URL", store.url)
    from ui import session
    session._store.clear()
    private = tmp_path / "tmp"  # this test's own temporary folder: other tests running at the same time upload too
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    made = []
    real = tempfile.TemporaryDirectory

    def watched(*args, **kwargs):  # the page's own temporary folders, as it makes them
        folder = real(*args, **kwargs)
        made.append(Path(folder.name))
        return folder
    monkeypatch.setattr(tempfile, "TemporaryDirectory", watched)
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=120), "analyst1").run()
    at.switch_page("../pages/upload.py").run()
    data = exporter.write_xlsx(frames(), tmp_path / "good.xlsx").read_bytes()
    at.file_uploader(key="up_files").set_value(("good.xlsx", data, "application/octet-stream")).run()
    at.run()  # a rerun with the file still chosen
    assert not at.exception
    assert any("检查通过" in m.value for m in at.success)  # the file was checked
    assert made == [] and not list(private.iterdir())  # no temporary copy made by the page
    assert stat.S_IMODE(os.stat(jobs.folder(store.url)).st_mode) == 0o700
    assert not [p for p in jobs.folder(store.url).iterdir() if p.is_dir()]  # the check's own copy is gone
    session._store.clear()


def test_two_imports_at_once_both_end_correctly(store_url, tmp_path):
    """Two analysts import at the same moment: both files' rows are in the store and both uploads are recorded, or
    one is refused with a message (never a half of one)."""
    store = open_store(store_url)
    operator = system_user(store)
    importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "base.xlsx")], actor=operator)
    batches = {}
    for k in ("a", "b"):
        f = frames()
        orders = f["orders"].copy()
        orders["order_id"] = [f"{k.upper()}{i:06d}" for i in range(len(orders))]
        batches[k] = exporter.write_xlsx({"orders": orders}, tmp_path / f"{k}.xlsx")
    outcomes, barrier = {}, threading.Barrier(2)

    def run(k):
        barrier.wait()
        try:
            _, counts = importer.import_files(store, [batches[k]], actor=operator, upload=(f"{k}.xlsx", k * 64))
            outcomes[k] = counts
        except Exception as err:  # noqa: BLE001 - the outcome is what the test looks at
            outcomes[k] = err
    threads = [threading.Thread(target=run, args=(k,)) for k in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    written = [k for k, v in outcomes.items() if isinstance(v, dict)]
    orders = set(store.read("SELECT order_id FROM orders")["order_id"])
    for k in ("a", "b"):
        mine = {f"{k.upper()}{i:06d}" for i in range(2)}
        assert (mine <= orders) == (k in written), outcomes  # all of a file, or none of it
    assert written, outcomes
    recorded = set(uploads.history(store)["file_name"])
    assert {f"{k}.xlsx" for k in written} <= recorded
    refused = [v for v in outcomes.values() if not isinstance(v, dict)]
    assert all(" / " in str(v) for v in refused), refused  # a refusal says why, in both languages
