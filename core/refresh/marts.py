"""Marts: the small tables pages read, one set of rows per view.

A view is one choice of filters: the as-of date T and the product category (药品, 耗材 or
every category). `refresh` runs after every import or demo load: it drops every view and
computes the default one (the latest T, every category). `ensure_view` returns the view for
other filters, computing and storing it the first time a page asks for it (kept until the
data change). Everything of a view is written in one transaction.

The command line reads a stored view when one is current for the asked filters and
computes afresh, without writing, otherwise.
"""
from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import pandas as pd
import sqlalchemy as sa

from core.policy import clock, periods
from core.refresh import flags as F
from core.refresh import monthly, rollup
from core.refresh.facts import Facts
from core.store import cache, db, jobs, migrations, views
from core.store import schema as S
from core.store.views import CATEGORIES, default_view, drop_oldest, drop_views, find_view, ViewInfo

Progress = Callable[[float, str], None]


VIEW_WRITER_LOCK = 0x56425057  # PostgreSQL advisory lock key held while a view is written ("VBPW")


def _quiet(_f: float, _m: str) -> None:
    pass


def compute(store, as_of: dt.date | None = None, progress: Progress = _quiet, category: str = "",
            sink: "_ViewWriter | None" = None) -> dict:
    """Every mart frame for one view (without its view_id), and the view's facts. `sink`: given each mart
    frame as soon as it is final (the writer stores the first while the later are computed)."""
    out: dict = {}

    def done(name: str, frame: pd.DataFrame) -> None:
        out[name] = frame
        if sink is not None:
            sink.put(name, frame)

    progress(0.05, "汇总订单 / aggregating orders")
    f = Facts(store, as_of, category=category)
    out["facts"] = f
    if sink is not None:
        sink.open(f)
    month_end, quarter_end = periods.previous_month_end(f.as_of), periods.previous_quarter_end(f.as_of)
    # The earlier dates share T's pass over the orders and its reads; every date's order-level reads start now.
    earlier = {day: Facts(store, day, category=category, like=f)
               for day in sorted({month_end, quarter_end}) if day >= f.period_start}
    with ThreadPoolExecutor(max_workers=1) as pool:
        for facts in (f, *earlier.values()):
            facts.prefetch(pool)
        f.source  # the pass first: the small reads are made while the engine scans the orders
        _compute(f, earlier, month_end, quarter_end, progress, done)
    return out


def _compute(f: Facts, earlier: dict, month_end: dt.date, quarter_end: dt.date, progress: Progress, done) -> None:
    store = f.store
    progress(0.3, "计算预警 / computing flags")
    # The complaints first (T's and last month end's): they need nothing of the pass, whose grace-day windows
    # are still being read.
    for facts in (f, earlier.get(month_end, f)):
        facts.complaint_timeliness()
    flags = F.all_flags(f)
    complaints = f.complaint_timeliness()
    tiers = F.enterprise_tiers(f)
    progress(0.6, "逐级汇总 / rolling up")
    values = rollup.rollup(f, flags, complaints)
    done("mart_flags", flags)
    done("mart_indicators", pd.concat([values, rollup.enterprise_rows(tiers, flags)], ignore_index=True))
    done("mart_areas", rollup.areas(f, flags))
    done("mart_inst_product", f.inst_product[_columns(S.mart_inst_product)].astype({"count_orders": int}))
    by_institution = monthly.institution_series(f)  # written while the rest is computed
    done("mart_institution_monthly", by_institution)
    done("mart_enterprises", tiers[_columns(S.mart_enterprises)].astype({"count_complaints": "Int64",
                                                                        "count_timely": "Int64"}))
    done("mart_complaints", complaints[_columns(S.mart_complaints)])
    done("mart_enterprise_products", f.enterprise_products())
    done("mart_enterprise_institutions", f.enterprise_institutions())
    done("mart_area_levels", rollup.area_levels(f))
    progress(0.7, "上月末与上季度末 / last month's and last quarter's end")
    earlier = {day: (fe, F.all_flags(fe, institutions_only=True)) for day, fe in earlier.items()}  # ladder, headlines
    ladder = [_ladder(flags, f)] + [_ladder(fl, fe) for fe, fl in earlier.values()]
    done("mart_ladder", pd.concat(ladder, ignore_index=True))
    snapshots = [monthly.snapshot(store, f, flags, tiers, values)]
    if month_end in earlier:
        fe, fl = earlier[month_end]
        snapshots.append(monthly.snapshot(store, fe, fl, F.enterprise_tiers(fe)))
    done("mart_snapshots", pd.concat(snapshots, ignore_index=True))
    progress(0.85, "月度序列 / monthly series")
    done("mart_monthly", monthly.series(f, by_institution))
    f.source.close()


def _columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.columns if c.name != "view_id"]


def _ladder(flags: pd.DataFrame, f: Facts) -> pd.DataFrame:
    """The institutions holding a ladder flag at f's as-of date."""
    held = F.ladder_holders(flags, int(f.settings["red_flag_min_flags"]))
    return held.drop(columns="serious").assign(as_of=f.as_of)


class AlreadyCurrent(Exception):
    """Another process stored the default view for the same data while this one computed it."""


class _ViewWriter:
    """Stores one view in one transaction, on a connection and thread of its own, while the view is still
    being computed: each mart frame is written as soon as it is handed over (`put`), so the writing of the
    first overlaps the computing of the last. The transaction begins with the first frame (readers see
    the old marts undisturbed until then); `finish` waits for the last write and commits; `abandon` rolls
    back. `before(conn)` runs first in the transaction, `after(conn, view_id)` last; with `give_way`, a default view
    already stored for the same data stops the writer first (AlreadyCurrent). Readers are never made to wait for
    it: what it deletes and writes shows at its commit (see views.drop_views)."""

    _END, _ABANDON = object(), object()

    def __init__(self, store, category: str, is_default: bool, before=None, after=None, give_way: bool = False):
        self._store, self._category, self._is_default = store, category, is_default
        self._version = store.meta("data_version", "0")
        self._before, self._after, self._give_way = before, after, give_way
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._job: Future | None = None
        self._facts: Facts | None = None

    def open(self, f: Facts) -> None:
        self._facts = f

    def put(self, name: str, frame: pd.DataFrame) -> None:
        if self._job is None:
            self._job = self._pool.submit(self._run)
        self._queue.put((name, frame))

    def _run(self) -> ViewInfo:
        f, tables = self._facts, {t.name: t for t in S.MART_TABLES}
        with self._store.begin() as conn:
            if db.is_postgres(conn):  # one writer of views at a time: two refreshes' deletes could deadlock
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": VIEW_WRITER_LOCK})
            if self._give_way and conn.execute(sa.select(S.mart_views.c.view_id).where(
                    S.mart_views.c.is_default.is_(True), S.mart_views.c.data_version == self._version)).first():
                raise AlreadyCurrent()  # another process stored the default view for the same data meanwhile
            if self._before is not None:
                self._before(conn)
            view_id = conn.execute(S.mart_views.insert().values(
                as_of=f.as_of, category=self._category, data_version=self._version, is_default=self._is_default,
                period_start=f.period_start, period_end=f.period_end, schedule=f.schedule,
                period_count=f.period_count, computed_at=clock.now()).returning(S.mart_views.c.view_id)).scalar_one()
            statistics = _Statistics(conn)  # each mart's, as soon as it is written (PostgreSQL)
            statistics.gather(S.mart_views.name)
            written = set()
            while (item := self._queue.get()) is not self._END:
                if item is self._ABANDON:
                    raise _Abandoned()
                name, frame = item
                db.bulk_insert(conn, tables[name], frame.assign(view_id=view_id))
                statistics.gather(name)
                written.add(name)
            if written != set(tables):  # a view is stored whole or not at all
                raise RuntimeError(f"marts not computed: {sorted(set(tables) - written)}")
            if self._after is not None:
                self._after(conn, view_id)
        return ViewInfo(view_id, f.as_of, self._category, f.period_start, f.period_end, f.schedule,
                        self._is_default, period_count=f.period_count)

    def finish(self) -> ViewInfo:
        try:
            if self._job is None:
                raise RuntimeError("no mart was computed")
            self._queue.put(self._END)
            return self._job.result()
        finally:
            self._pool.shutdown()

    def abandon(self) -> None:
        if self._job is not None:
            self._queue.put(self._ABANDON)
            try:
                self._job.result()
            except _Abandoned:
                pass
        self._pool.shutdown()


class _Abandoned(Exception):
    pass


class _Statistics:
    """PostgreSQL's statistics of the marts, in the transaction that writes them. Each view has a new id, which
    statistics gathered before do not know: the planner would take `view_id = :v` for one row and pick plans
    (nested loops over 50,000 rows) that made a page wait over a second until autovacuum (when it is on)
    analysed the tables again. Each mart is analysed as soon as it is written, while the later ones are
    still being computed."""

    def __init__(self, conn):
        self._conn, self._allowed = conn, db.is_postgres(conn)

    def gather(self, table: str) -> None:
        if not self._allowed:
            return
        try:
            with self._conn.begin_nested():  # a savepoint: a role not yet granted the function still stores its view
                self._conn.execute(sa.text(f"SELECT {migrations.ANALYZE_MART}(:t)"), {"t": table})  # owner's rights
        except sa.exc.ProgrammingError:  # the grants not run again after an upgrade: plans wait for autovacuum
            self._allowed = False


def _store_view(store, as_of: dt.date | None, progress: Progress, category: str, is_default: bool,
                before=None, after=None, give_way: bool = False) -> tuple[dict, ViewInfo]:
    """Compute a view and store it as it is computed (see _ViewWriter); nothing is stored if either fails."""
    writer = _ViewWriter(store, category, is_default, before, after, give_way)
    try:
        result = compute(store, as_of, progress, category, sink=writer)
    except BaseException:
        writer.abandon()
        raise
    progress(0.9, "写入汇总表 / writing marts")
    return result, writer.finish()


def mark_red_since(conn, view_id: int) -> None:
    """Keep, for each institution red-flagged at the default view's T, the time it first was (a new one now); forget
    those no longer red. Runs in the transaction that stores the default view."""
    red = ("SELECT institution_code FROM mart_ladder WHERE view_id = :v AND is_red "
           "AND as_of = (SELECT as_of FROM mart_views WHERE view_id = :v)")  # at T, not at an earlier end
    conn.execute(sa.text(f"DELETE FROM red_flags_since WHERE institution_code NOT IN ({red})"), {"v": view_id})
    conn.execute(sa.text(f"INSERT INTO red_flags_since (institution_code, since_at) SELECT institution_code, :now "
                         f"FROM ({red}) r WHERE institution_code NOT IN (SELECT institution_code FROM red_flags_since)"),
                 {"v": view_id, "now": clock.now()})


def refresh(store, as_of: dt.date | None = None, progress: Progress = _quiet, give_way: bool = False) -> dt.date:
    """Drop every view and compute the default one (every category at `as_of`, by default the
    latest order date); return the as-of date used. `give_way`: raise AlreadyCurrent, storing nothing, when
    another process stored the default view for the same data meanwhile (sessions asking for figures at once)."""
    result, _info = _store_view(store, as_of, progress, "", True, before=drop_views, after=mark_red_since,
                                give_way=give_way)
    progress(1.0, "完成 / done")
    return result["facts"].as_of


_computing: dict[str, threading.Lock] = {}
_computing_guard = threading.Lock()
# While another process computes the figures: the previous ones served, by store, with when and under which versions
# they were found. Held for a second (cache.VERSIONS_TTL) while the versions stay and a job is under way (its process
# alive): pages ask the job files, not the store (five queries twice a page run), and the new figures show as soon
# as the job's process ends (another job under way at once: within that second).
_in_force: dict[str, tuple[float, tuple[str, str], ViewInfo]] = {}


def ensure_default(store, progress: Progress = _quiet) -> ViewInfo:
    """The default view current for the store's data, computed first when there is none (after a change of setting
    or a non-cooperation record, say): by one session of this process at a time, the others waiting and then
    finding it; when another process stores it meanwhile, its view is taken."""
    held = _in_force.get(store.url)
    if held is not None and time.monotonic() - held[0] < cache.VERSIONS_TTL and held[1] == cache.versions(store) \
            and jobs.under_way(store.url, changing=True):
        return held[2]
    found = default_view(store)
    if found is not None:
        _in_force.pop(store.url, None)
        return found
    if jobs.under_way(store.url, changing=True):  # another process computes them: the previous figures stay in force meanwhile
        previous = views.previous_default(store)
        if previous is not None:
            _in_force[store.url] = (time.monotonic(), cache.versions(store), previous)
            return previous
    with _computing_guard:
        lock = _computing.setdefault(store.url, threading.Lock())
    with lock:
        found = default_view(store)
        if found is not None:
            return found
        try:
            refresh(store, progress=progress, give_way=True)
        except (sa.exc.IntegrityError, AlreadyCurrent):  # another process stored the same view meanwhile
            cache.changed(store)
        found = default_view(store)
        if found is None:
            raise RuntimeError("汇总表未能生成 / the figures could not be computed")
        return found


def ensure_view(store, as_of: dt.date | None = None, category: str = "", progress: Progress = _quiet) -> ViewInfo:
    """The stored view for these filters, computed and stored first when there is none."""
    if category not in CATEGORIES:
        raise ValueError(f"未知产品类别 / unknown product category: {category}")
    default = ensure_default(store, progress)
    if default.stale:  # figures of other filters come with the new ones
        return default
    if category == "" and as_of in (None, default.as_of):
        return default
    found = find_view(store, as_of, category)
    if found is not None:
        return found
    default = ensure_default(store, progress)  # the data may have moved on meanwhile (an import, a setting saved):
    if default.stale:  # their job under way, these filters are computed with the new figures, not here and now
        return default
    try:
        info = _store_view(store, as_of, progress, category, False, after=drop_oldest)[1]
    except sa.exc.IntegrityError:  # another session stored the same view meanwhile
        info = find_view(store, as_of, category)
        if info is None:
            raise
    progress(1.0, "完成 / done")
    return info


