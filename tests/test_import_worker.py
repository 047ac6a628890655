"""An upload imported in a process of its own (core.ingest.worker): the server's readers keep the previous figures
while it computes the new ones, and compute nothing themselves; the process says how far it got; killed while
computing, it leaves the previous figures whole, and the figures are computed again for the data as they are."""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import time
from pathlib import Path

import pytest

from core.access import accounts, admin, scope
from core.access.roles import system_user
from core.ingest import exporter, importer, uploads, worker
from core.refresh import marts
from core.store import jobs, views
from core.store.opening import open_store

from .extract_fixture import frames
from .test_killed_import import _big_orders


def _marts_of(store, view_id: int) -> dict[str, str]:
    """Every mart's rows of one view, as text (to find them unchanged)."""
    from core.store import schema as S
    out = {}
    for table in S.MART_TABLES:
        rows = store.read(f"SELECT * FROM {table.name} WHERE view_id = :v", {"v": view_id}).astype(str)
        out[table.name] = repr(sorted(map(tuple, rows.values.tolist())))
    return out


def _until(store, job_id: str, done, timeout: float = 240) -> jobs.Job:
    deadline = time.monotonic() + timeout
    job = jobs.load(store.url, job_id)
    while not done(job):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)  # polling the job's file, as the page does
        job = jobs.load(store.url, job_id)
    return job


def _held(store, job_id: str, step: str = "aggregating") -> jobs.Job:
    """The job once its process has stopped itself at `step` (VBP_JOB_PAUSE, set by the test before the start)."""
    def stopped(j) -> bool:
        if j is None or not j.pid or step not in j.message:
            return False
        stat_line = Path(f"/proc/{j.pid}/stat").read_text()
        return stat_line[stat_line.rfind(")") + 2] == "T"
    try:
        return _until(store, job_id, stopped)
    except AssertionError:  # never seen stopped there: no process left behind, stopped or running
        job = jobs.load(store.url, job_id)
        if job is not None and job.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(job.pid, signal.SIGKILL)
        raise


@pytest.fixture
def filled(store_url, tmp_path):
    """A store with the hand-made extract and its figures, and 60,000 orders to import as CSV."""
    store = open_store(store_url)
    importer.import_files(store, [exporter.write_xlsx(frames(), tmp_path / "good.xlsx")], actor=system_user(store))
    paths = exporter.write_csv({"orders": _big_orders(60_000)}, tmp_path)
    files = {p.name: p.read_bytes() for p in paths}
    return store, files


def _start(store, files) -> jobs.Job:
    """The job a page starts for an analyst's confirmed upload."""
    if accounts.load(store, "analyst") is None:
        admin.create_user(store, system_user(store), "analyst", "分析员", "analyst", None, "Analyst-2026-upload")
    user = accounts.load(store, "analyst")
    digest = hashlib.sha256(b"".join(files.values())).hexdigest()
    return worker.start(store, user, files, ", ".join(files), digest, False)


def test_readers_keep_the_previous_figures_while_the_worker_computes(filled, monkeypatch):
    store, files = filled
    before = views.default_view(store)
    kept = _marts_of(store, before.view_id)
    monkeypatch.setenv(jobs.PAUSE_ENV, "aggregating")  # held while it computes: its rows are written, its figures not yet
    job = _start(store, files)
    assert stat.S_IMODE(os.stat(jobs.folder(store.url)).st_mode) == 0o700  # the files and jobs: this user's alone
    job = _held(store, job.id)
    try:
        assert store.counts()["orders"] == 2 + 60_000
        assert views.default_view(store) is None  # the figures in the marts are not those of the data ...
        views_before = len(store.read("SELECT view_id FROM mart_views"))
        served = marts.ensure_default(store)  # ... yet a reader is served the previous ones at once,
        assert served.view_id == before.view_id and served.stale
        resolved = scope.resolve(store, system_user(store), {"asof": "2026-01-31", "cat": "耗材"})
        assert resolved.view.view_id == before.view_id  # whatever filters it asked for,
        assert any("正在后台计算" in zh and "being computed" in en for zh, en in resolved.notes)  # and told so
        assert len(store.read("SELECT view_id FROM mart_views")) == views_before  # and computes nothing itself
        assert _marts_of(store, before.view_id) == kept
        assert [j.id for j in jobs.under_way(store.url)] == [job.id]
    finally:
        os.kill(job.pid, signal.SIGCONT)
    job = _until(store, job.id, lambda j: j.ended)
    assert job.state == "done" and job.result["counts"] == {"orders": 60_000} and job.fraction == 1.0
    now = views.default_view(store)
    assert now is not None and not now.stale  # (SQLite may give the new view the old one's number)
    total = store.read("SELECT SUM(count_orders) AS n FROM mart_inst_product WHERE view_id = :v", {"v": now.view_id})
    assert int(total["n"].iloc[0]) == 2 + 60_000  # the figures of the data as they are
    assert uploads.history(store).iloc[0]["outcome"] == "imported"
    assert not [p for p in jobs.folder(store.url).iterdir() if p.is_dir()]  # the saved files are gone
    assert jobs.under_way(store.url) == []


def test_a_worker_killed_while_computing_leaves_the_previous_figures_whole(filled, monkeypatch):
    store, files = filled
    before = views.default_view(store)
    kept = _marts_of(store, before.view_id)
    monkeypatch.setenv(jobs.PAUSE_ENV, "aggregating")
    job = _start(store, files)
    job = _held(store, job.id)
    os.kill(job.pid, signal.SIGKILL)
    _until(store, job.id, lambda j: not j.alive(), timeout=30)
    assert jobs.under_way(store.url) == []
    assert store.counts()["orders"] == 2 + 60_000  # the rows were written with their record ...
    assert _marts_of(store, before.view_id) == kept  # ... and the previous figures are whole
    assert views.previous_default(store).view_id == before.view_id
    info = marts.ensure_default(store)  # no process computes them now: the reader does, for the data as they are
    assert not info.stale
    total = store.read("SELECT SUM(count_orders) AS n FROM mart_inst_product WHERE view_id = :v", {"v": info.view_id})
    assert int(total["n"].iloc[0]) == 2 + 60_000


def test_a_file_the_store_refuses_by_then_is_recorded_and_said(filled, tmp_path):
    """Checked on the page, then refused by the worker (the store changed meanwhile): the problems come back to
    the page through the job, and the refusal is in the upload history."""
    store, _ = filled
    bad = frames()["orders"].assign(order_id=["X1", "X2"], product_code="9999")
    (tmp_path / "bad").mkdir()
    paths = exporter.write_csv({"orders": bad}, tmp_path / "bad")
    job = _start(store, {p.name: p.read_bytes() for p in paths})
    job = _until(store, job.id, lambda j: j.ended)
    assert job.state == "failed" and any("neither in the file nor in the store" in p["en"] for p in job.result["problems"])
    assert uploads.history(store).iloc[0]["outcome"] == "rejected"
    assert store.counts()["orders"] == 2


def test_the_check_runs_in_its_own_process_and_writes_nothing_but_a_refusal(filled, tmp_path):
    """The page's check: a good file's preview is what the dry run says, and the store is unchanged, while a
    running check does not hold readers to the previous figures; a bad file's problems come back and its refusal is
    recorded; an account stopped meanwhile is refused."""
    store, files = filled
    admin.create_user(store, system_user(store), "analyst", "分析员", "analyst", None, "Analyst-2026-upload")
    user = accounts.load(store, "analyst")
    digest = hashlib.sha256(b"".join(files.values())).hexdigest()
    before = store.counts()
    job = worker.check(store, user, files, "orders.csv", digest, False)
    assert jobs.under_way(store.url, changing=True) == []  # nothing the figures come from changes
    job = _until(store, job.id, lambda j: j.ended)
    assert job.state == "done" and job.result["preview"] == [
        {"sheet": "orders", "sheet_zh": "采购订单", "insert": 60_000, "replace": 0, "unchanged": 0}]
    assert store.counts() == before and uploads.history(store).empty

    bad = frames()["orders"].assign(order_qty=-5.0)
    (tmp_path / "bad").mkdir()
    paths = exporter.write_csv({"orders": bad}, tmp_path / "bad")
    job = _until(store, worker.check(store, user, {p.name: p.read_bytes() for p in paths}, "orders.csv", "b" * 64,
                                     False).id, lambda j: j.ended)
    assert job.state == "done" and [(p["row"], p["column"]) for p in job.result["problems"]] == \
        [(2, "采购数量 order_qty"), (3, "采购数量 order_qty")]
    assert uploads.history(store)["outcome"].tolist() == ["rejected"] and store.counts() == before

    admin.set_active(store, system_user(store), "analyst", False)
    job = _until(store, worker.check(store, user, files, "orders.csv", digest, False).id, lambda j: j.ended)
    assert job.state == "failed" and "no longer active" in job.result["error"]
    denied = store.read("SELECT username, target, outcome FROM audit_log WHERE action = 'access_denied'")
    assert denied.values.tolist() == [["analyst", "orders.csv", "denied"]]  # the refusal is in the audit log
    assert not [p for p in jobs.folder(store.url).iterdir() if p.is_dir()]  # the saved files are gone


def test_checks_wait_their_turn(filled, monkeypatch):
    """No more checks and imports read files at once than the limit: a further check is not started (the page
    waits and asks again) until one has ended."""
    store, files = filled
    admin.create_user(store, system_user(store), "analyst", "分析员", "analyst", None, "Analyst-2026-upload")
    user = accounts.load(store, "analyst")
    monkeypatch.setattr(worker, "READING_AT_ONCE", 1)
    first = _until(store, worker.check(store, user, files, "orders.csv", "a" * 64, False).id, lambda j: j.pid)
    os.kill(first.pid, signal.SIGSTOP)  # held while it checks
    try:
        assert worker.check(store, user, files, "orders.csv", "a" * 64, False) is None
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert _until(store, first.id, lambda j: j.ended).state == "done"
    second = worker.check(store, user, files, "orders.csv", "a" * 64, False)
    assert second is not None and _until(store, second.id, lambda j: j.ended).state == "done"


def test_a_file_refused_at_its_write_is_in_the_history(filled, tmp_path, monkeypatch):
    """The worker's import checked its file, and another import wrote before it did (here: the data version moved
    right after the check): refused at the write with the reason, nothing written, and the refusal recorded."""
    store, files = filled
    user = system_user(store)
    checked = importer.parse

    def then_another_import_writes(*args, **kwargs):
        extract = checked(*args, **kwargs)
        with store.begin() as conn:  # as another import's write does
            store.bump_data_version(conn, rows=True)
        return extract
    monkeypatch.setattr(importer, "parse", then_another_import_writes)
    folder = tmp_path / "files"
    folder.mkdir()
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    job = jobs.Job(id="t", url=store.url, kind=worker.KIND, spec={"names": "orders.csv", "digest": "d" * 64,
                                                                   "clear_demo": False, "folder": str(folder)})
    before = store.counts()["orders"]
    worker._import(job, store, user, paths)
    assert job.state == "failed" and [p["zh"] for p in job.result["problems"]] == [importer.CHANGED_SINCE_CHECK.zh]
    assert store.counts()["orders"] == before
    last = uploads.history(store).iloc[0]
    assert last["outcome"] == "rejected" and "another import" in last["reason"]
