"""Opening a store: create or upgrade its schema, load the province's regions.

Any command, and the app, opens the store through `open_store`. A store that does not
exist yet is created with the schema and the configured province's regions; data rows
come only from an import or from the demo.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from core.policy import regions
from core.policy import settings as settings_mod
from core.store import cache, db, migrations
from core.store import schema as S

ENV_PROVINCE = "VBP_PROVINCE_CODE"


class StoreBusy(ValueError):
    """The store stayed locked by another write (an import of many rows) past the wait."""

    ZH = "数据库正忙（正在写入一批数据，如导入），未保存，请稍后重试"
    EN = "the store is busy with another write (such as an import): nothing was saved, try again shortly"

    def __init__(self):
        super().__init__(f"{self.ZH} / {self.EN}")


@dataclass
class Store:
    url: str
    engine: sa.Engine
    province_code: str
    _regions: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def read(self, sql: str | sa.Executable, params: dict | None = None) -> pd.DataFrame:
        return db.read(self.engine, sql, params)

    def begin(self):
        return self.engine.begin()

    @contextlib.contextmanager
    def writing(self, what: str) -> Iterator[sa.Connection]:
        """A transaction holding the store's lock for `what` (casework: records and notifications; settings) from its
        first statement,
        so that what it checks and what it then writes are one step whoever does the same at once (two officers
        recording on a case, two confirming notifications, two administrators saving settings): on PostgreSQL an
        advisory lock held to the commit, on SQLite the write lock taken at BEGIN. A store busy with a long write
        (an import) past the wait is said as such, in Chinese and English."""
        try:
            with self.engine.begin() as conn:
                if self.is_postgres:
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:w))"), {"w": f"vbp:{what}"})
                else:
                    db.write_lock_first(conn)
                yield conn
        except (sa.exc.OperationalError, sqlite3.OperationalError) as err:  # the driver's own at BEGIN IMMEDIATE
            if "locked" not in str(getattr(err, "orig", err)).lower():
                raise
            raise StoreBusy() from None

    @property
    def is_postgres(self) -> bool:
        return db.is_postgres(self.engine)

    def counts(self) -> dict[str, int]:
        return db.count_rows(self.engine, S.DATA_TABLES.values())

    def is_empty(self) -> bool:
        """True when the store holds no data rows (regions aside)."""
        with self.engine.connect() as conn:
            for table in S.DATA_TABLES.values():
                if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                    return False
        return True

    def holds_demo(self) -> bool:
        """Whether the store holds the demo province (real data is imported only after clearing it)."""
        return self.meta("demo_as_of") is not None

    def meta(self, key: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(S.store_meta.c.value).where(S.store_meta.c.key == key)).scalar()
        return default if value is None else value

    def set_meta(self, conn: sa.Connection, key: str, value: str) -> None:
        db.upsert(conn, S.store_meta, pd.DataFrame([{"key": key, "value": value}]))

    def bump_meta(self, conn: sa.Connection, key: str) -> None:
        """Count a version up (inside the writing transaction) in one statement, so that two writers at once each
        count (a read and a write apart lost one on PostgreSQL); caches of this process read it afresh (a writer
        says so again once it has committed: core.store.cache.changed)."""
        conn.execute(sa.text("INSERT INTO store_meta (key, value) VALUES (:k, '1') ON CONFLICT (key) DO UPDATE "
                             "SET value = CAST(CAST(store_meta.value AS INTEGER) + 1 AS VARCHAR(20))"), {"k": key})
        cache.changed(self)

    def day(self, day: dt.date):
        """A date as a query's parameter: itself on PostgreSQL, its ISO text on SQLite (which keeps dates as text)."""
        return day if self.is_postgres else day.isoformat()

    def bump_data_version(self, conn: sa.Connection, rows: bool = False) -> None:
        """Mark the data as changed (inside the writing transaction), so stale marts and caches are not used.
        `rows`: the data tables' rows changed (an import, its undo, the demo), which an import's checks read
        (`rows_version`); a setting or a recorded action moves the figures only."""
        self.bump_meta(conn, "data_version")
        if rows:
            self.bump_meta(conn, "rows_version")

    def settings(self) -> dict:
        """The settings in force, read again when the data version moves (a change of setting moves it)."""
        return _settings(self)

    def regions(self) -> pd.DataFrame:
        """The province's regions (written once, when the store is created; read once per process)."""
        if self._regions is None:
            self._regions = self.read(sa.select(S.regions).order_by(S.regions.c.region_code))
        return self._regions


@cache.of_data
def _settings(store: Store) -> dict:
    rows = store.read(sa.select(S.settings_table.c.name, S.settings_table.c.value))
    return settings_mod.resolve(dict(zip(rows["name"], rows["value"])))


def _write_regions(conn, province_code: str, fresh: bool) -> None:
    """The province's regions as the model of every province's shape gives them (core.policy.regions), parents before
    children so the self-reference resolves row by row; an older store's rows are brought in line (units it lacked
    are added, levels and parents corrected) and its figures recomputed."""
    rows = pd.DataFrame(regions.region_rows(province_code))
    order = {"province": 0, "city": 1, "county": 2}
    rows = rows.sort_values("region_level", key=lambda s: s.map(order), kind="stable")
    db.upsert(conn, S.regions, rows)
    db.upsert(conn, S.store_meta, pd.DataFrame([{"key": "region_model", "value": str(regions.MODEL)}]))
    if not fresh:
        current = conn.execute(sa.select(S.store_meta.c.value).where(S.store_meta.c.key == "data_version")).scalar()
        db.upsert(conn, S.store_meta, pd.DataFrame([{"key": "data_version", "value": str(int(current or 0) + 1)}]))


def open_store(url: str | None = None, province_code: str | None = None) -> Store:
    """Open (and if need be create or upgrade) the store at `url`. A store that cannot be reached, opened or written
    raises db.Unavailable, saying what to do."""
    try:
        return _open(url, province_code)
    except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.DatabaseError) as err:
        raise db.unavailable(err, url) from err


def _open(url: str | None, province_code: str | None) -> Store:
    url = db.resolve_url(url)
    engine = db.engine_for(url)
    migrations.upgrade(engine)
    with engine.begin() as conn:
        stored = conn.execute(sa.select(S.store_meta.c.value).where(S.store_meta.c.key == "province_code")).scalar()
        code = stored or province_code or os.environ.get(ENV_PROVINCE) or str(settings_mod.BY_NAME["province_code"].default)
        model = conn.execute(sa.select(S.store_meta.c.value).where(S.store_meta.c.key == "region_model")).scalar()
        if model != str(regions.MODEL):  # a new store, or one whose regions were written by an older model
            _write_regions(conn, code, fresh=model is None and stored is None)
        if stored is None:
            db.upsert(conn, S.store_meta, pd.DataFrame([{"key": "province_code", "value": code}]))
    return Store(url=url, engine=engine, province_code=code)
