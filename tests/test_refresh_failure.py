"""A failed refresh never leaves the store half-written: a file whose figures cannot be computed is taken back out
whole (its new rows gone, the rows it replaced as they were), and its upload is in the history as refused, why."""
import os

from core import demo
from core.access.roles import system_user
from core.cli import main as cli
from core.ingest import exporter, importer, uploads
from core.refresh import marts
from core.store.opening import open_store

from .extract_fixture import frames
from .test_bad_files import _fingerprint


def _second_file(tmp_path):
    """A file that adds an institution and an order, and replaces an order and an agreement of the first."""
    f = frames()
    f["institutions"] = f["institutions"].iloc[:1].assign(institution_code="H3701020002", institution_name="新机构")
    f["orders"] = f["orders"].copy()
    f["orders"].loc[0, "order_qty"] = 150.0  # replaces order 0000001
    f["orders"].loc[1, ["order_id", "institution_code"]] = ["0000003", "H3701020002"]  # a new order of the new one
    f["agreements"] = f["agreements"].assign(agreed_qty=500.0)  # replaces the agreement
    for sheet in ("enterprises", "products", "baseline", "complaints"):
        del f[sheet]
    return exporter.write_xlsx(f, tmp_path / "second.xlsx")


def _fail(monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a step of the refresh failed")
    monkeypatch.setattr(marts, "_store_view", broken)  # a fault in the middle of the figures, as a bug would be


def test_a_file_whose_figures_fail_is_taken_back_whole(store_url, tmp_path, monkeypatch, capsys):
    store = open_store(store_url)
    importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "good.xlsx")], actor=system_user(store))
    before, history = _fingerprint(store), len(uploads.history(store))
    path = _second_file(tmp_path)
    _fail(monkeypatch)
    assert cli.main(["import", str(path), "--db", store.url]) == 1
    err = capsys.readouterr().err
    assert "已撤回本次导入" in err and "taken back" in err and "Traceback" not in err
    assert _fingerprint(store) == before  # the new rows gone, the replaced ones as they were
    assert store.read("SELECT order_qty FROM orders WHERE order_id = '0000001'")["order_qty"].tolist() == [100.0]
    recorded = uploads.history(store)
    assert len(recorded) == history + 1
    assert recorded.iloc[0]["outcome"] == "rejected" and "汇总计算失败" in recorded.iloc[0]["reason"]
    outcomes = store.read("SELECT outcome FROM audit_log WHERE action = 'upload' AND target = 'second.xlsx' "
                          "ORDER BY at, outcome")["outcome"].tolist()
    assert sorted(outcomes) == ["imported", "rejected"]  # the audit log keeps what happened, in order
    monkeypatch.undo()
    assert marts.ensure_view(store) is not None  # and the figures are computed for the data as they are
    capsys.readouterr()
    assert cli.main(["import", str(path), "--db", store.url]) == 0  # the same file imports once the fault is gone
    assert store.read("SELECT order_qty FROM orders WHERE order_id = '0000001'")["order_qty"].tolist() == [150.0]


def test_the_upload_page_says_the_file_was_taken_back(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from core.access import admin
    from core.paths import ROOT

    from .views import sign_in
    store = open_store(f"sqlite:///{tmp_path / 'page.sqlite3'}")
    importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "good.xlsx")], actor=system_user(store))
    admin.create_user(store, system_user(store), "analyst1", "分析员", "analyst", None, "Secret2026pass")
    before = _fingerprint(store)
    monkeypatch.setenv("VBP_DATABASE_URL", store.url)
    from ui import session
    session._store.clear()
    at = sign_in(AppTest.from_file(str(ROOT / "ui" / "main.py"), default_timeout=180), "analyst1").run()
    at.switch_page("../pages/upload.py").run()
    at.file_uploader(key="up_files").set_value(("second.xlsx", _second_file(tmp_path).read_bytes(),
                                                 "application/octet-stream")).run()
    assert not at.exception
    # the page's upload computes its figures in the import's own process: the fault is loaded there at its start
    monkeypatch.setenv("PYTHONPATH", f"{ROOT / 'tests' / 'faults'}{os.pathsep}{ROOT}")
    monkeypatch.setenv("VBP_TEST_FAULT", "refresh")
    at.button(key="up_confirm").click().run()
    assert not at.exception
    assert "已撤回本次导入" in " ".join(e.value for e in at.error).replace("\\", "")
    assert _fingerprint(store) == before
    session._store.clear()


def test_a_file_that_cleared_the_demo_brings_it_back_when_taken_back(tmp_path, monkeypatch, capsys):
    """The first real import clears the demo in its own transaction; taken back, the store holds the demo again
    (generated from its scale and seed: the same rows) with its accounts, and no row of the file. The small demo
    province, which is generated again in a fraction of the time the demo scale takes."""
    store = open_store(f"sqlite:///{tmp_path / 'mini.sqlite3'}")
    demo.load(store, scale="mini")
    tables = ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")
    before = {t: _fingerprint_of(store, t) for t in tables}
    accounts = store.read("SELECT username FROM users WHERE is_demo = :t ORDER BY 1", {"t": True})["username"].tolist()
    _fail(monkeypatch)
    path = exporter.write_xlsx(frames(), tmp_path / "real.xlsx")
    assert cli.main(["import", str(path), "--clear-demo", "--db", store.url]) == 1
    assert "已撤回本次导入" in capsys.readouterr().err
    assert store.holds_demo()
    assert {t: _fingerprint_of(store, t) for t in tables} == before
    assert store.read("SELECT username FROM users WHERE is_demo = :t ORDER BY 1", {"t": True})["username"].tolist() == accounts
    from core.access import accounts as acc
    assert not acc.demo_closed(store)  # the demo accounts sign in again
    monkeypatch.undo()
    assert marts.ensure_view(store) is not None


def _fingerprint_of(store, table: str) -> str:
    """The table's rows as SQLite holds them (values and their types), in the order of all their columns."""
    import hashlib
    import sqlite3

    import sqlalchemy as sa
    con = sqlite3.connect(sa.make_url(store.url).database)
    try:
        width = len(con.execute(f"SELECT * FROM {table} LIMIT 0").description)
        rows = con.execute(f"SELECT * FROM {table} ORDER BY " + ", ".join(str(i + 1) for i in range(width))).fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
