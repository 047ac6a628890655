"""Storing a view while it is computed (marts._ViewWriter): the marts are written as they are made, on a
connection of their own, and a view is stored whole or not at all. Each case starts from a refreshed store
and checks that a failed or abandoned store of a new view leaves the old marts exactly as they were."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa

from core.refresh import marts
from core.store import db, views
from core.store import schema as S
from tests.handmade import D, T, Handmade


def _store(url: str):
    h = Handmade(url)
    for code in ("H1", "H2"):
        h.institution(code)
        h.agreement(code, agreed=100)
    h.order("H1", 20, delivered=20)  # completion 0.2, below half the schedule (0.6): serious, a red flag
    h.order("H2", 70, delivered=0)  # delivery rate 0: flags, supplier tiers below A
    h.complaint("C1", D(2026, 2, 2), D(2026, 2, 3), D(2026, 2, 5), D(2026, 2, 5))
    h.save()
    marts.refresh(h.store, T)
    return h.store


def _marts(store) -> dict[str, list]:
    out = {}
    with store.engine.connect() as conn:
        for table in (S.mart_views, *S.MART_TABLES):
            frame = db.read(conn, sa.select(table).order_by(*table.primary_key.columns))
            out[table.name] = frame.drop(columns=["computed_at"], errors="ignore").astype(str).values.tolist()
    return out


def test_refresh_writes_every_mart_of_one_view(store_url):
    store = _store(store_url)
    before = _marts(store)
    assert len(before["mart_views"]) == 1
    assert [t.name for t in S.MART_TABLES if not before[t.name]] == []
    marts.refresh(store, T)  # the same data: the same marts under a new view
    again = _marts(store)
    assert len(again["mart_views"]) == 1
    for t in S.MART_TABLES:  # view_id, the first column, is left aside
        assert [r[1:] for r in again[t.name]] == [r[1:] for r in before[t.name]], t.name


def _writer(store):
    return marts._ViewWriter(store, "", True, before=views.drop_views)


def test_a_mart_the_store_refuses_leaves_the_old_view(store_url):
    store = _store(store_url)
    before = _marts(store)
    result = marts.compute(store, T)
    writer = _writer(store)
    writer.open(result["facts"])
    bad = result["mart_flags"].copy()
    bad.loc[bad.index[:1], "severity"] = "bogus"  # outside the severity check of mart_flags
    assert len(bad) > 0
    for t in S.MART_TABLES:
        writer.put(t.name, bad if t.name == "mart_flags" else result[t.name])
    with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):  # raised by the driver's bulk path
        writer.finish()
    assert _marts(store) == before


def test_an_abandoned_or_incomplete_view_is_not_stored(store_url):
    store = _store(store_url)
    before = _marts(store)
    result = marts.compute(store, T)
    writer = _writer(store)  # abandoned after two marts (the computing failed)
    writer.open(result["facts"])
    writer.put("mart_flags", result["mart_flags"])
    writer.put("mart_indicators", result["mart_indicators"])
    writer.abandon()
    assert _marts(store) == before
    writer = _writer(store)  # finished without the last mart
    writer.open(result["facts"])
    for t in S.MART_TABLES[:-1]:
        writer.put(t.name, result[t.name])
    with pytest.raises(RuntimeError, match=S.MART_TABLES[-1].name):
        writer.finish()
    assert _marts(store) == before


def _views_or_wait(store):
    """The stored views as another connection sees them, or "waits" when a writer's lock would hold it back."""
    with store.engine.connect() as conn:
        if store.is_postgres:
            conn.execute(sa.text("SET lock_timeout = '200ms'"))
        try:
            return tuple(str(d)[:10] for d in db.read(conn, "SELECT as_of FROM mart_views")["as_of"])
        except sa.exc.OperationalError:
            return "waits"


def test_readers_see_the_old_view_until_the_new_one_is_whole(store_url):
    """While a view is being stored (its first marts written, the rest not yet computed), another connection
    reads the old view at once, never a part of the new one, and never waits; after finish, it reads the new one."""
    store = _store(store_url)
    assert _views_or_wait(store) == (str(T),)
    result = marts.compute(store, T + dt.timedelta(days=1))
    writer = _writer(store)
    writer.open(result["facts"])
    writer.put("mart_flags", result["mart_flags"])
    seen = [_views_or_wait(store) for _ in range(5)]
    assert seen == [(str(T),)] * 5, seen
    for t in S.MART_TABLES[1:]:
        writer.put(t.name, result[t.name])
    info = writer.finish()
    assert _views_or_wait(store) == (str(T + dt.timedelta(days=1)),)
    flags = store.read("SELECT COUNT(*) AS n FROM mart_flags WHERE view_id = :v", {"v": info.view_id})["n"].iloc[0]
    assert flags == len(result["mart_flags"]) and isinstance(result["mart_flags"], pd.DataFrame)


def test_postgres_plans_with_the_new_views_statistics(pg_factory):
    """Each refresh stores its rows under a new view id; the planner must know it at once (statistics are
    gathered in the writing transaction), or `view_id = :v` is taken for a single row."""
    store = _store(pg_factory())
    for _ in range(2):  # the second refresh's view id is one the first's statistics never saw
        marts.refresh(store, T)
    view = views.default_view(store)
    actual = store.read("SELECT COUNT(*) AS n FROM mart_flags WHERE view_id = :v", {"v": view.view_id})["n"].iloc[0]
    plan = store.read(f"EXPLAIN (FORMAT JSON) SELECT * FROM mart_flags WHERE view_id = {view.view_id}").iloc[0, 0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    assert actual > 1 and plan[0]["Plan"]["Plan Rows"] == actual


def test_a_default_view_stored_meanwhile_for_the_same_data_is_kept(store_url):
    """Two processes asking for the figures at once both compute the default view; the one that writes second finds
    the first's, stored for the same data, and gives way (`give_way`, used by ensure_default): the stored view and
    its marts stay exactly as they were. Without `give_way` (after an import, say) the view is computed again."""
    store = _store(store_url)
    with store.begin() as conn:  # a time no new view can have
        conn.execute(S.mart_views.update().values(computed_at=dt.datetime(2000, 1, 1)))
    before = _marts(store)
    stamp = store.read("SELECT computed_at FROM mart_views")["computed_at"].tolist()
    with pytest.raises(marts.AlreadyCurrent):
        marts.refresh(store, T, give_way=True)
    assert _marts(store) == before
    assert store.read("SELECT computed_at FROM mart_views")["computed_at"].tolist() == stamp
    marts.refresh(store, T)
    assert store.read("SELECT computed_at FROM mart_views")["computed_at"].tolist() != stamp


def test_readers_go_on_reading_while_a_refresh_holds_its_transaction_open(store_url):
    """The refresh deletes every view first, in the transaction that then writes the new one for as long as it
    computes (half a minute at province scale). Meanwhile another connection reads the figures in force at once:
    with a lock timeout of 2 s it is never made to wait (PostgreSQL's TRUNCATE made it wait for the commit), and it
    sees every row of the view until the commit."""
    store = _store(store_url)
    info = views.default_view(store)
    count = "SELECT COUNT(*) AS n FROM mart_inst_product WHERE view_id = :v"
    rows = store.read(count, {"v": info.view_id})["n"].iloc[0]
    assert rows > 0
    with store.engine.connect() as writer:
        writer.begin()
        if db.is_postgres(writer):
            writer.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": marts.VIEW_WRITER_LOCK})
        views.drop_views(writer)  # the refresh's first step, its transaction left open
        reader = sa.create_engine(store.url, connect_args={"options": "-c lock_timeout=2000"}
                                  if store.is_postgres else {"timeout": 2})
        try:
            with reader.connect() as conn:
                assert db.read(conn, sa.text(count), {"v": info.view_id})["n"].iloc[0] == rows
                found = db.read(conn, sa.text("SELECT view_id FROM mart_views WHERE is_default = :t"), {"t": True})
                assert found["view_id"].tolist() == [info.view_id]
        finally:
            reader.dispose()
        writer.rollback()


def test_many_sessions_looking_for_a_view_that_is_not_there_do_not_starve_the_pool(store_url):
    """After the data moved on, every page asks for the default view, finds none and reads the versions afresh.
    A look-up that held its connection while asking the pool for another starved it when all sessions did so at
    once: here 8 threads on a pool of 2 connections (no overflow, 3 s to wait) all get their answer."""
    import dataclasses
    import threading

    store = _store(store_url)
    with store.begin() as conn:
        store.bump_data_version(conn)  # the figures now belong to older data: no default view is current
    small = sa.create_engine(store.url, pool_size=2, max_overflow=0, pool_timeout=3)
    tight = dataclasses.replace(store, engine=small)
    answers, failures, go = [], [], threading.Barrier(8)

    def look() -> None:
        try:
            go.wait()
            for _ in range(5):
                answers.append(views.default_view(tight))
        except Exception as err:  # noqa: BLE001 - counted, the assertion shows it
            failures.append(repr(err))
    threads = [threading.Thread(target=look) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        small.dispose()
    assert failures == [] and answers == [None] * 40
