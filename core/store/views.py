"""The catalogue of stored views: which rows of the marts hold the figures for one choice of filters.

A view is one choice of filters: the as-of date T and the product category (药品, 耗材 or every category), stored
by core.refresh.marts for one version of the store's data. Here: finding the view current for some filters, and
dropping views (every one before a refresh, the oldest beyond MAX_VIEWS after a new one).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from core.store import cache
from core.store import schema as S

CATEGORIES = ("", "药品", "耗材")  # "" = every category


MAX_VIEWS = 24  # views kept besides the default one; the oldest are dropped first


@dataclass(frozen=True)
class ViewInfo:
    """One stored view: which rows of the marts (view_id) hold the figures for these filters."""
    view_id: int
    as_of: dt.date
    category: str
    period_start: dt.date
    period_end: dt.date
    schedule: float
    is_default: bool
    stale: bool = False  # the figures of earlier data, in force while those of the data as they are are computed
    period_count: int = 1  # agreement periods in force at as_of: above one, `schedule` is the pooled period's

    @property
    def one_schedule(self) -> float | None:
        """The schedule every agreement in force runs on, or None when rounds of different periods are in force
        (each agreement then has its own)."""
        return self.schedule if self.period_count <= 1 else None


def _info(row) -> ViewInfo:
    def day(v):
        return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])
    return ViewInfo(int(row["view_id"]), day(row["as_of"]), row["category"], day(row["period_start"]),
                    day(row["period_end"]), float(row["schedule"]), bool(row["is_default"]),
                    period_count=int(row.get("period_count") or 1))


def _find(store, conn, as_of: dt.date | None, category: str, data_version: str) -> ViewInfo | None:
    q = sa.select(S.mart_views).where(S.mart_views.c.category == category, S.mart_views.c.data_version == data_version)
    q = q.where(S.mart_views.c.is_default.is_(True)) if as_of is None else q.where(S.mart_views.c.as_of == as_of)
    row = conn.execute(q).mappings().first()
    return _info(row) if row else None


def drop_views(conn, view_ids: list[int] | None = None) -> None:
    """Delete views and their rows (every view when `view_ids` is None). By DELETE, never TRUNCATE: the refresh
    runs this first in the transaction that then writes the new view, for as long as the view takes to compute;
    TRUNCATE's lock would make every reader of the marts wait all that time (half a minute at province scale),
    while after a DELETE readers go on reading the figures in force until the commit (autovacuum takes the dead
    rows)."""
    for table in (*S.MART_TABLES, S.mart_views):
        stmt = table.delete()
        if view_ids is not None:
            stmt = stmt.where(table.c.view_id.in_(view_ids))
        conn.execute(stmt)


FRESH = 0.2  # seconds


def _lookup(store, as_of: dt.date | None, category: str) -> ViewInfo | None:
    """A stored view for the store's data version as this process last read it (at most a second ago); when
    there is none, once more with the version read afresh (another process may just have imported; afresh means
    within FRESH seconds: while new figures are computed every page misses, and would read it each time)."""
    version = cache.versions(store)[0]
    with store.engine.connect() as conn:
        found = _find(store, conn, as_of, category, version)
    if found is None:  # the versions read afresh with no connection held: one held while asking the pool for
        fresh = cache.versions(store, max_age=FRESH)[0]  # another starved it when every session did so at once
        if fresh != version:
            with store.engine.connect() as conn:
                found = _find(store, conn, as_of, category, fresh)
    return found


def default_view(store) -> ViewInfo | None:
    """The default view, when it is current for the store's data."""
    return _lookup(store, None, "")


def previous_default(store) -> ViewInfo | None:
    """The newest default view whatever data it was computed for (the figures in force while new ones are being
    computed elsewhere), marked stale when it is not current."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(S.mart_views).where(S.mart_views.c.is_default.is_(True), S.mart_views.c.category == "")
                           .order_by(S.mart_views.c.computed_at.desc(), S.mart_views.c.view_id.desc()).limit(1)
                           ).mappings().first()
    if row is None:
        return None
    info = _info(row)
    current = default_view(store)
    return info if current is not None and current.view_id == info.view_id else dataclasses.replace(info, stale=True)


def current_as_of(store) -> dt.date | None:
    """The as-of date of the default view, when the marts are current for the store's data."""
    view = default_view(store)
    return view.as_of if view else None


def find_view(store, as_of: dt.date | None = None, category: str = "") -> ViewInfo | None:
    """A stored view current for these filters (as_of None: the default date), or None. (Every refresh drops every
    view, so a view current for the store's data exists only beside the current default one.)"""
    if as_of is None:
        default = default_view(store)
        if default is None:
            return None
        as_of = default.as_of
    return _lookup(store, as_of, category)


def drop_oldest(conn, _view_id: int) -> None:
    """Keep MAX_VIEWS views besides the default one: drop the oldest."""
    old = conn.execute(sa.select(S.mart_views.c.view_id).where(S.mart_views.c.is_default.is_(False))
                       .order_by(S.mart_views.c.computed_at.desc(), S.mart_views.c.view_id.desc())
                       .offset(MAX_VIEWS)).scalars().all()
    if old:
        drop_views(conn, list(old))
