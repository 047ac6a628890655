"""The figures computed again in a process of its own (core.refresh.worker) after a setting is saved on its page or a
non-cooperation record is made there: readers are served the figures in force meanwhile and compute nothing; the
new figures follow the new setting; a process killed midway leaves the previous figures whole.

The store (hand-made): H1 agreed 100 of P1 and ordered 100 on 2026-01-10, 90 delivered (rate 0.9); H2 ordered 10 on
2026-03-01 (delivered), which makes T = 2026-03-01 and the delivery window end on 2026-02-27. With the warning line at
80% H1 is not flagged; raised to 95%, H1's delivery of P1 is a warning."""
from __future__ import annotations

import datetime as dt
import os
import signal

import pytest
import sqlalchemy as sa

from core.access import accounts, actions, admin, settings_change
from core.access.roles import system_user
from core.access.scope import View
from core.refresh import marts
from core.refresh import worker as refresh_worker
from core.store import jobs, views

from .handmade import Handmade
from .test_import_worker import _marts_of, _until

D = dt.date


def _store(store_url):
    h = Handmade(store_url)
    for code in ("H1", "H2"):
        h.institution(code)
        h.agreement(code, "P1", agreed=100)
    h.order("H1", 100, "P1", day=D(2026, 1, 10), delivered=90)
    h.order("H2", 10, "P1", day=D(2026, 3, 1))
    h.save()
    marts.refresh(h.store)
    return h.store


def _warned(store, view_id: int) -> set[tuple[str, str]]:
    rows = store.read("SELECT subject_code, severity FROM mart_flags WHERE view_id = :v AND flag_id = 'delivery_rate_low'",
                      {"v": view_id})
    return set(zip(rows["subject_code"], rows["severity"]))


def _held_job(store) -> jobs.Job:
    """The setting raised as the settings page saves it, and the process the page starts for the figures, held
    (SIGSTOP) as soon as it runs."""
    settings_change.change(store, system_user(store), "delivery_rate_warning", "0.95")
    job = refresh_worker.start(store, "setting delivery_rate_warning")
    job = _until(store, job.id, lambda j: j is not None and (j.pid or j.ended))
    assert not job.ended, job
    os.kill(job.pid, signal.SIGSTOP)
    return job


def test_readers_keep_the_figures_in_force_until_the_worker_has_the_new_ones(store_url):
    store = _store(store_url)
    before = views.default_view(store)
    assert before.as_of == D(2026, 3, 1) and _warned(store, before.view_id) == set()
    kept = _marts_of(store, before.view_id)
    job = _held_job(store)
    try:
        assert views.default_view(store) is None  # the figures are not those of the settings now ...
        count = len(store.read("SELECT view_id FROM mart_views"))
        served = marts.ensure_default(store)  # ... yet a reader is served the ones in force at once
        assert served.view_id == before.view_id and served.stale
        assert len(store.read("SELECT view_id FROM mart_views")) == count  # and computes nothing itself
        assert _marts_of(store, before.view_id) == kept
    finally:
        os.kill(job.pid, signal.SIGCONT)
    job = _until(store, job.id, lambda j: j.ended)
    assert job.state == "done" and job.fraction == 1.0 and job.result["as_of"] == "2026-03-01"
    now = views.default_view(store)
    assert now is not None and not now.stale
    assert _warned(store, now.view_id) == {("H1", "warning")}  # 0.9 below the new line of 0.95
    assert jobs.under_way(store.url) == []


def test_a_refresh_worker_killed_midway_leaves_the_figures_in_force_whole(store_url):
    store = _store(store_url)
    before = views.default_view(store)
    kept = _marts_of(store, before.view_id)
    job = _held_job(store)
    os.kill(job.pid, signal.SIGKILL)
    _until(store, job.id, lambda j: not j.alive(), timeout=30)
    assert jobs.under_way(store.url) == []
    assert _marts_of(store, before.view_id) == kept
    info = marts.ensure_default(store)  # no process computes them now: the reader does
    assert not info.stale and _warned(store, info.view_id) == {("H1", "warning")}


def test_a_stores_jobs_are_its_own_kept_files_not_one_being_written():
    """`jobs.of_store`: the jobs whose files are kept for the store; a file `save` is still writing (its temporary
    `.job-*.json`) is no job, and another store's files are not this store's jobs."""
    url, other = "sqlite:////nowhere/a.sqlite3", "sqlite:////nowhere/b.sqlite3"
    one = jobs.announce(url, "refresh", {"reason": "one"})
    jobs.announce(other, "refresh", {"reason": "other"})
    (jobs.folder(url) / ".job-half.json").write_text('{"id": "half"', encoding="utf-8")
    assert [(j.id, j.spec["reason"]) for j in jobs.of_store(url)] == [(one.id, "one")]
    assert [j.id for j in jobs.under_way(url)] == [one.id]  # announced a moment ago: under way for a minute
    jobs.withdraw(one)
    assert jobs.of_store(url) == [] and jobs.under_way(url) == []


def test_the_job_is_under_way_before_the_change_is_committed(tmp_path):
    """As the settings page saves: the job announced (`ahead`), the setting committed, then its process started.
    Between the commit and the start a reader finds the job under way and is served the figures in force; a change
    refused withdraws the job."""
    store = _store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    before = views.default_view(store)
    with pytest.raises(ValueError):
        with refresh_worker.ahead(store, "setting") as recompute:
            settings_change.change(store, system_user(store), "delivery_rate_warning", "2")  # out of range: refused
            recompute()
    assert jobs.under_way(store.url) == []  # nothing left announced
    with refresh_worker.ahead(store, "setting") as recompute:
        settings_change.change(store, system_user(store), "delivery_rate_warning", "0.95")
        served = marts.ensure_default(store)  # committed, the process not yet started
        assert served.view_id == before.view_id and served.stale
        job = recompute()
    job = _until(store, job.id, lambda j: j.ended)
    assert job.state == "done" and _warned(store, views.default_view(store).view_id) == {("H1", "warning")}


def test_a_non_cooperation_record_made_on_a_page_leaves_the_figures_to_the_worker(tmp_path):
    """`recompute` takes the figures out of the recording process (the page passes what `ahead` yields): after
    the record, this process has computed nothing and the worker brings the enterprise's tier. A record that does
    not move the figures starts nothing."""
    store = _store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    admin.create_user(store, system_user(store), "jinan", "jinan", "city_officer", "370100", "Jinan-2026-officer")
    view = View.of(store, marts.ensure_default(store), user=accounts.load(store, "jinan"))
    with refresh_worker.ahead(store, "actions") as recompute:
        actions.record_action(view, "tier", ["M1"], "已约谈", "", D(2026, 2, 2), recompute=recompute)
    assert jobs.under_way(store.url) == [] and views.default_view(store) is not None
    started: list[jobs.Job] = []
    with refresh_worker.ahead(store, "actions") as recompute:
        actions.record_action(view, "tier", ["M1"], "不配合", "拒不整改", D(2026, 2, 2),
                              recompute=lambda s: started.append(recompute(s)))
    assert len(started) == 1 and views.default_view(store) is None  # this process computed nothing
    job = _until(store, started[0].id, lambda j: j.ended)
    assert job.state == "done"
    now = views.default_view(store)
    tiers = store.read("SELECT enterprise_code, cooperation_tier FROM mart_enterprises WHERE view_id = :v",
                       {"v": now.view_id}).set_index("enterprise_code")["cooperation_tier"]
    assert tiers["M1"] == "B"  # one non-cooperation record


def test_a_withdrawal_leaves_its_figures_to_the_recompute_it_is_given(tmp_path):
    store = _store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    admin.create_user(store, system_user(store), "jinan", "jinan", "city_officer", "370100", "Jinan-2026-officer")
    view = View.of(store, marts.ensure_default(store), user=accounts.load(store, "jinan"))
    actions.record_action(view, "tier", ["M1"], "不配合", "拒不整改", D(2026, 2, 2))  # computed here (no recompute)
    assert views.default_view(store) is not None
    action_id = int(store.read("SELECT action_id FROM actions")["action_id"].iloc[0])
    asked: list = []
    actions.withdraw(view, action_id, "记错了", recompute=asked.append)
    assert asked == [store] and views.default_view(store) is None  # nothing computed in this process


def test_a_reader_whose_data_move_on_midway_is_served_the_figures_in_force(tmp_path, monkeypatch):
    """A page finds the figures current, then asks for a category; in between the data move on and their job is
    announced (an import committed, a setting saved). The page is served the figures in force, marked stale, and
    computes no view itself (it did: a page of the province took as long as a refresh, and stored a view the job
    then dropped)."""
    store = _store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    before = views.default_view(store)
    real, moved = marts.ensure_default, []

    def then_the_data_move_on(s, progress=marts._quiet):
        info = real(s, progress)
        if not moved:  # once, right after the page found its figures
            moved.append(jobs.announce(s.url, refresh_worker.KIND, {"reason": "test"}))
            with s.begin() as conn:
                s.bump_data_version(conn)
        return info

    monkeypatch.setattr(marts, "ensure_default", then_the_data_move_on)
    count = len(store.read("SELECT view_id FROM mart_views"))
    try:
        served = marts.ensure_view(store, None, "药品")
        assert served.view_id == before.view_id and served.stale
        assert len(store.read("SELECT view_id FROM mart_views")) == count  # nothing computed here
    finally:
        jobs.withdraw(moved[0])


def test_while_a_job_is_under_way_pages_ask_the_job_files_not_the_store(tmp_path):
    """The figures in force, once found for a job under way, are served again from this process's memory (the
    versions read at most once a second); the new ones as soon as the job's process has ended."""
    store = _store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    before = views.default_view(store)
    with refresh_worker.ahead(store, "setting") as recompute:
        settings_change.change(store, system_user(store), "delivery_rate_warning", "0.95")
        assert marts.ensure_default(store).view_id == before.view_id
        statements = []

        def asked(_conn, _cursor, statement, *_rest):
            statements.append(statement)
        sa.event.listen(store.engine, "before_cursor_execute", asked)
        try:
            served = [marts.ensure_default(store) for _ in range(20)]
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", asked)
        assert {(s.view_id, s.stale) for s in served} == {(before.view_id, True)}
        assert len(statements) <= 1, statements  # the versions, when their second is up
        job = recompute()
    job = _until(store, job.id, lambda j: j.ended)
    now = marts.ensure_default(store)
    assert job.state == "done" and not now.stale and _warned(store, now.view_id) == {("H1", "warning")}
