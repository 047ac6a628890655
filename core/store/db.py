"""The one door to the database: engines, reads, bulk writes and upserts.

The store is a SQLite file under data/ by default (WAL mode), or a PostgreSQL server
named by VBP_DATABASE_URL or --db. Engines, reads of frames and bulk writes are here; the rest
of core builds its statements with SQLAlchemy Core over core.store.schema and runs them on the
store's connections. Pages never import SQLAlchemy.
"""
from __future__ import annotations

import contextlib
import io
import os
import select
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core.paths import DATA_DIR
from core.store import migrations
from core.store.schema import derive

DEFAULT_URL = f"sqlite:///{DATA_DIR / 'vbp.sqlite3'}"
ENV_URL = "VBP_DATABASE_URL"

_engines: dict[str, sa.Engine] = {}
_readers: dict[sa.Engine, sa.Engine] = {}  # a PostgreSQL engine -> the engine of its one-statement reads (`read`)
_FETCHING = threading.Lock()  # read_large on SQLite: one thread fetches rows at a time


def resolve_url(url: str | None = None) -> str:
    return url or os.environ.get(ENV_URL) or DEFAULT_URL


BUSY_MS = 30_000  # how long a SQLite connection waits for another's lock


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    deadline = time.monotonic() + BUSY_MS / 1000
    while True:  # a load in the rollback journal (`loading`) holds the store: SQLite refuses the switch at once
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:  # another fault is told at once
                raise
            time.sleep(0.1)  # waiting for the load's commit, as busy_timeout waits for a lock
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def engine_for(url: str | None = None) -> sa.Engine:
    """The engine for a store URL, made once per process."""
    url = resolve_url(url)
    if url not in _engines:
        parsed = sa.make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            eng = sa.create_engine(url)
            sa.event.listen(eng, "connect", _sqlite_pragmas)
        else:
            eng = sa.create_engine(url, pool_pre_ping=True)
        _engines[url] = eng
    return _engines[url]


class Unavailable(RuntimeError):
    """The store cannot be used: it cannot be reached, opened or written. The message says what to do, in Chinese
    and English, and names the store without its password."""


def unavailable(err: BaseException, url: str | None = None) -> Unavailable:
    """What a database error that stops all work means for the user."""
    where = sa.make_url(resolve_url(url)).render_as_string(hide_password=True)
    text = str(getattr(err, "orig", err)).lower()
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return Unavailable(f"数据库只读或无写入权限（{where}）：请检查文件或账户权限 / the store is read-only or may not be "
                           f"written ({where}): check the file's or the account's permissions")
    if "unable to open" in text or "no such file" in text or "is not a database" in text or "file is not a database" in text:
        return Unavailable(f"无法打开数据库文件（{where}）：请检查路径和文件 / the store's file cannot be opened ({where}): "
                           f"check the path and the file")
    return Unavailable(f"无法连接数据库（{where}）：请检查地址、端口和数据库服务是否运行 / the store cannot be reached "
                       f"({where}): check the address, the port and that the database server is running")


def dispose(url: str | None = None) -> None:
    eng = _engines.pop(resolve_url(url), None)
    if eng is not None:
        eng.dispose()
        reader = _readers.pop(eng, None)
        if reader is not None:
            reader.dispose()


def is_postgres(conn_or_engine: sa.Connection | sa.Engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


def _reader(eng: sa.Engine) -> sa.Engine:
    """The engine of one-statement reads on a PostgreSQL store: its connections are in autocommit (a single SELECT
    sees one snapshot without a transaction: no BEGIN, and no ROLLBACK when the connection goes back to the pool)
    and are not pinged before each use (`read` makes a read again once, on a new connection, when the server had
    dropped the one it took). A page makes about twenty such reads a run: three round trips each became one."""
    reader = _readers.get(eng)
    if reader is None:
        reader = _readers.setdefault(eng, sa.create_engine(eng.url, isolation_level="AUTOCOMMIT"))
    return reader


def read(conn_or_engine: sa.Connection | sa.Engine, sql: str | sa.Executable, params: dict | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a frame (given an engine: on a connection of its own, see `_reader`)."""
    stmt = sa.text(sql) if isinstance(sql, str) else sql
    if not isinstance(conn_or_engine, sa.Engine):
        return _frame(conn_or_engine.execute(stmt, params or {}))
    if not is_postgres(conn_or_engine):
        with conn_or_engine.connect() as conn:
            return _frame(conn.execute(stmt, params or {}))
    for last in (False, True):  # once more when the server had dropped the connection: the pool's are replaced
        try:
            with _reader(conn_or_engine).connect() as conn:
                return _frame(conn.execute(stmt, params or {}))
        except sa.exc.DBAPIError as err:
            if last or not err.connection_invalidated:  # another fault (or dropped twice) is raised as it is
                raise


def _frame(result) -> pd.DataFrame:
    # Plain tuples: pandas builds a frame from Row objects many times slower.
    return pd.DataFrame.from_records([tuple(r) for r in result.fetchall()], columns=list(result.keys()))


# The memory PostgreSQL may give each sort or hash of a large read before it spills to disk (its default,
# 4 MB, sends the grouping of a few days' orders to disk: 130 ms instead of 60 ms measured).
_LARGE_WORK_MEM = "SET LOCAL work_mem = '32MB'"


def _copy_out(pgconn, buffer: io.BytesIO) -> None:
    """The rest of a COPY TO STDOUT under way on this libpq connection, into `buffer`, and its final result.
    The server sends one message per row; psycopg's own reading of them (Copy.read) costs about 1.3 us of
    Python per row, 0.8 s of the refresh's pass of 583,409 rows, so they are taken from libpq here. Waiting
    for the socket lets go of Python's lock, so two such reads run side by side."""
    get, write = pgconn.get_copy_data, buffer.write
    while True:
        size, data = get(1)  # without blocking
        if size > 0:
            write(data)
        elif size == 0:
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        elif size == -1:  # the end of the data: then the statement's result
            break
        else:
            raise psycopg.OperationalError(pgconn.get_error_message())
    while (result := pgconn.get_result()) is not None:
        if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
            raise psycopg.DatabaseError(result.get_error_message())


def read_large(engine: sa.Engine, sql: str, params: dict | None = None, text: Sequence[str] = ()) -> pd.DataFrame:
    """`read` for results of hundreds of thousands of rows: on PostgreSQL, COPY of CSV parsed by pandas; on
    SQLite, the driver's own rows without SQLAlchemy's. `text` names the columns kept as text (codes such
    as '0012'); the others are read as numbers. Missing text is None."""
    compiled = sa.text(sql).compile(dialect=engine.dialect)
    bound = compiled.construct_params(params or {})
    args = [bound[name] for name in compiled.positiontup] if compiled.positional else bound
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            buffer = io.BytesIO()
            with conn.connection.driver_connection.cursor() as cur:
                cur.execute(_LARGE_WORK_MEM)  # for this transaction only
                with cur.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)", args):
                    _copy_out(cur.connection.pgconn, buffer)
            buffer.seek(0)
            frame = pd.read_csv(buffer, dtype={c: object for c in text}, keep_default_na=False, na_values=[""])
            for c in text:
                frame[c] = frame[c].where(frame[c].notna(), None)
            return frame
        # SQLite's driver gives Python's lock back at every row it steps to: two threads fetching at once
        # pass it to and fro for each row, slower than one thread alone. The query runs instead as one
        # step (without the lock) into a temporary table of this connection; the tables are then fetched
        # one thread at a time.
        cursor = conn.connection.driver_connection.cursor()
        name = f"_large_{threading.get_ident()}"
        try:
            cursor.execute(f"CREATE TEMP TABLE {name} AS {compiled}", args)
            with _FETCHING:
                cursor.execute(f"SELECT * FROM {name}")
                columns = [d[0] for d in cursor.description]
                rows = cursor.fetchall()
            frame = pd.DataFrame.from_records(rows, columns=columns)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")
            cursor.close()
    for c in frame.columns:
        if c not in text:
            frame[c] = pd.to_numeric(frame[c])
    return frame


def index_hint(store, name: str) -> str:
    """SQLite's `INDEXED BY name` (its planner would take the order-date index for a date range and sort);
    PostgreSQL plans for itself."""
    return "" if store.is_postgres else f"INDEXED BY {name}"


def _column(series: pd.Series, iso: bool, with_time: bool = False) -> list:
    """One column as plain Python values: None for missing; dates as ISO text (raw drivers) or date objects, and
    with their time of day for a column that holds one (`with_time`)."""
    missing = series.isna()
    if pd.api.types.is_datetime64_any_dtype(series):
        if with_time:
            values = series.dt.strftime("%Y-%m-%d %H:%M:%S") if iso else pd.Series(series.dt.to_pydatetime(), dtype=object)
        else:
            values = series.dt.strftime("%Y-%m-%d") if iso else series.dt.date
        return values.astype(object).where(~missing, None).tolist()
    values = series.astype(object).where(~missing, None).tolist()
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, pd.Timestamp):
        values = [None if v is None else v.date() for v in values]
        sample = values[0] if values else None
    if iso and hasattr(sample, "isoformat") and not isinstance(sample, str):
        text = {v: v.isoformat() for v in set(values) if v is not None}  # each day once: days repeat
        return [None if v is None else text[v] for v in values]
    return values


def _records(frame: pd.DataFrame, columns: Sequence[str], iso: bool = True, table: sa.Table | None = None) -> list[tuple]:
    def timed(c: str) -> bool:
        return table is not None and isinstance(table.c[c].type, sa.DateTime)
    return list(zip(*(_column(frame[c], iso, timed(c)) for c in columns)))


def _csv_ready(table: sa.Table, chunk: pd.DataFrame) -> pd.DataFrame:
    """Columns as COPY reads them: whole numbers without '.0' where a missing value made pandas use floats,
    dates without a time of day."""
    out = {}
    for name in chunk.columns:
        series = chunk[name]
        kind = table.c[name].type
        if isinstance(kind, sa.Integer) and pd.api.types.is_float_dtype(series):
            series = series.round().astype("Int64")
        elif isinstance(kind, sa.Date) and not isinstance(kind, sa.DateTime):
            if pd.api.types.is_datetime64_any_dtype(series):
                series = series.dt.strftime("%Y-%m-%d")
        out[name] = series
    return pd.DataFrame(out, index=chunk.index)


def _csv_bytes(table: sa.Table, chunk: pd.DataFrame) -> bytes:
    """CSV for PostgreSQL's COPY, written by Arrow (many times faster than pandas' writer for numbers): text
    always in quotes, a missing value as an unquoted empty field, numbers in their shortest exact form.
    An object column Arrow cannot type (mixed values) goes as text."""
    ready = _csv_ready(table, chunk)
    try:
        arrow = pa.Table.from_pandas(ready, preserve_index=False, nthreads=1)
    except (pa.ArrowException, TypeError, ValueError):
        for name in ready.columns:
            if ready[name].dtype == object:
                ready[name] = [None if pd.isna(v) else str(v) for v in ready[name]]
        arrow = pa.Table.from_pandas(ready, preserve_index=False, nthreads=1)
    out = io.BytesIO()
    pa_csv.write_csv(arrow, out, write_options=pa_csv.WriteOptions(include_header=False))
    return out.getvalue()


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, batch: int = 200_000) -> int:
    """Insert a frame fast: COPY on PostgreSQL, executemany in large batches on SQLite."""
    frame = derive(table, frame)
    columns = [c for c in frame.columns if c in table.c]
    if frame.empty:
        return 0
    if is_postgres(conn):  # COPY of CSV text: far faster than row by row
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table.fullname} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, len(frame), batch):
                    copy.write(_csv_bytes(table, frame.iloc[start:start + batch][columns]))
        return len(frame)
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.fullname} ({', '.join(columns)}) VALUES ({placeholders})"
    raw = conn.connection.driver_connection
    cur = raw.cursor()
    for start in range(0, len(frame), batch):
        cur.executemany(sql, _records(frame.iloc[start:start + batch], columns, table=table))
    cur.close()
    return len(frame)


@contextlib.contextmanager
def loading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction for filling a store that this process alone uses (the command line's demo load). On SQLite it
    is written through the rollback journal instead of the write-ahead log: the rows go into the file once, where the
    log would hold them all and copy them into the file again at the checkpoint (13 of 124 s for the province's
    twelve million orders). The journal keeps the load all or nothing: a process killed midway leaves a journal that
    SQLite rolls back when the store is next opened, and the store holds what it held before. A process that opens
    the store meanwhile waits for the commit (readers too, unlike with the log) up to BUSY_MS, and is then told the
    store cannot be used for now; where a connection holds the store open in WAL mode the switch is refused and the
    load goes through the log as before."""
    sqlite_store = not is_postgres(engine)
    if sqlite_store:
        engine.dispose()  # this process's idle connections hold the log open: they would refuse the switch
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        switched = False
        if sqlite_store:
            raw.execute("PRAGMA busy_timeout=0")  # another connection in the way: at once, through the log
            try:
                switched = str(raw.execute("PRAGMA journal_mode=DELETE").fetchone()[0]).lower() == "delete"
            except sqlite3.OperationalError:  # "database is locked"
                switched = False
            raw.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            if switched:
                raw.execute("PRAGMA synchronous=FULL")  # the rollback journal's own safe setting
        try:
            with conn.begin():
                yield conn
        finally:
            if switched:  # back to the log; if another connection is in the way, the next to connect switches it
                with contextlib.suppress(sqlite3.OperationalError):
                    raw.execute("PRAGMA journal_mode=WAL")
                raw.execute("PRAGMA synchronous=NORMAL")


def bulk_insert_empty(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """`bulk_insert` into a table known to be empty (in this transaction): its secondary indexes are dropped
    first and built once over all the rows after (a bulk build sorts once; keeping them row by row costs
    several times more for millions of rows, and a third more already for 80,000 orders on SQLite). In the caller's
    transaction, so a failure leaves them as they were. Dropping an index or a key locks the table against readers
    until the commit (PostgreSQL): for loading a store nobody reads yet (the demo), not for an import."""
    postgres = is_postgres(conn)
    # only the table's owner may drop and add its indexes and keys (the app's role puts back the demo a taken-back
    # import had cleared: into the table with its keys, row by row)
    large = len(frame) >= 10_000 and (not postgres or conn.execute(sa.text(
        "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = CAST(:t AS regclass)"),
        {"t": table.name}).scalar())
    indexes = list(table.indexes) if large else []
    raw = conn.connection.driver_connection
    if indexes and not postgres and not raw.in_transaction:
        raw.execute("BEGIN")  # SQLite's driver opens a transaction before DML only: DDL first would commit alone
    # PostgreSQL checks a foreign key row by row inside COPY (three look-ups per order) and keeps the primary key's
    # index row by row: dropped and added again after the rows, a foreign key is checked by one join over them all and
    # the key's index is built by one sort. As the store names them, with their definitions; a primary key another
    # table's foreign key depends on stays.
    keys = conn.execute(sa.text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint c WHERE conrelid = CAST(:t AS regclass) "
        "AND (contype = 'f' OR contype = 'p' AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' "
        "AND r.confrelid = c.conrelid)) ORDER BY contype DESC, conname"),
        {"t": table.name}).all() if postgres and large else []
    if postgres and large:
        conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))  # index builds sort in memory
    elif large:
        raw.execute("PRAGMA cache_size = -262144")  # 256 MB for the index builds' sorts, this connection only
    try:
        for name, _ in keys:
            conn.execute(sa.text(f'ALTER TABLE {table.name} DROP CONSTRAINT "{name}"'))
        for index in indexes:
            index.drop(conn)
        count = bulk_insert(conn, table, frame)
        for index in indexes:
            index.create(conn)
        for name, definition in reversed(keys):
            conn.execute(sa.text(f'ALTER TABLE {table.name} ADD CONSTRAINT "{name}" {definition}'))
    finally:
        if large and not postgres:
            raw.execute("PRAGMA cache_size = -2000")  # SQLite's default again, for the pooled connection's next use
    return count


# From this many rows an import into an empty table on PostgreSQL writes them beside it (`_load_beside`).
LOAD_BESIDE_ROWS = 50_000


def _load_beside(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, emptied: bool = False) -> bool:
    """PostgreSQL: rows (derived: `derive`) for an empty table written into a table made like it without keys or
    indexes, which then gets them (one sort each, the foreign keys checked by one join) and takes its place, all in the
    caller's transaction (the owner's functions `vbp_load_begin` / `vbp_load_end`: the app's role may not create or
    drop tables). COPY into the table itself checks three foreign keys and keeps seven indexes row by row: several
    times slower for millions of rows. Other writers wait from here to the commit; readers read the empty table
    until the swap, and wait only between the drop and the commit. The lock comes before this transaction reads the
    table: a transaction that had read it would keep the other import's drop waiting while itself waiting for that
    import's lock (a deadlock); whether the table holds rows at all is first asked on another connection, so an
    import into a filled table (the usual monthly one) takes no lock here and waits for no other import. False, with
    nothing done, where the functions cannot be used (not granted to the role, the table not theirs, another table
    refers to it) or the table is not empty (another import may have filled it while this one waited). `emptied`:
    this transaction deleted the table's rows (the demo cleared before a real import): the other connection still
    sees them until the commit, so the question is not asked there (the owner's function asks it in this one)."""
    if not emptied:
        with conn.engine.connect() as other:  # a filled table (most imports): no lock taken, and none held meanwhile
            if other.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
                return False
    try:
        with conn.begin_nested():  # a savepoint: a role not granted the functions writes the usual way
            name = conn.execute(sa.text(f"SELECT {migrations.LOAD_BEGIN}(:t)"), {"t": table.name}).scalar()
    except sa.exc.ProgrammingError:
        return False
    if name is None:
        return False
    beside = sa.Table(name, sa.MetaData(), *[sa.Column(c.name, c.type) for c in table.columns])
    bulk_insert(conn, beside, frame)
    conn.execute(sa.text(f"SELECT {migrations.LOAD_END}(:t)"), {"t": table.name})
    return True


# Rows an upsert never replaces, by table: a condition on the row already there that must hold to replace it.
KEEP = {"complaints": lambda table: table.c.source != "app"}


def write_lock_first(conn: sa.Connection) -> None:
    """SQLite: the transaction starts with the write lock (BEGIN IMMEDIATE), unless one is already open; its driver
    would begin only at the first write, after the reads the transaction's checks make."""
    raw = conn.connection.driver_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def upsert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, batch: int = 5_000,
           before: list | None = None, emptied: bool = False) -> int:
    """Insert rows, replacing those whose primary key is already there (except the rows KEEP protects: a complaint
    raised in the app is never overwritten by an import). With `before` (a list), the rows as they were before, of
    the keys the frame replaces, are appended to it (frames of the table's columns), so that the write can be
    undone (`undo_upsert`). The rows go first into a temporary table of the transaction by the engine's bulk load
    (COPY, or one executemany), then into the table by one set-based statement. `emptied`: this transaction has
    deleted the table's rows (see _load_beside)."""
    if frame.empty:
        return 0
    frame = derive(table, frame)
    columns = [c for c in frame.columns if c in table.c]
    keys = [c.name for c in table.primary_key.columns]
    dialect = postgresql if is_postgres(conn) else sqlite
    if dialect is sqlite:
        # The write lock first: a transaction that read the table before writing it would be refused at once
        # (not waited for) when another import wrote meanwhile.
        write_lock_first(conn)
    if dialect is postgresql and len(frame) >= LOAD_BESIDE_ROWS and _load_beside(conn, table, frame[columns], emptied):
        return len(frame)  # many rows into an empty table: written beside it (before any read of it: see there)
    if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None:
        # nothing to replace, keep or take back: the bulk load. On SQLite with the indexes built after the rows (its
        # readers see the last commit, the dropped indexes too); on PostgreSQL into the table with its keys and
        # indexes: dropping them would lock the table against every reader until the import commits
        load = bulk_insert if dialect is postgresql else bulk_insert_empty
        return load(conn, table, frame[columns])
    stage = sa.Table(f"_stage_{table.name}", sa.MetaData(), *[sa.Column(c, table.c[c].type) for c in columns],
                     prefixes=["TEMPORARY"])
    stage.drop(conn, checkfirst=True)
    stage.create(conn)
    try:
        bulk_insert(conn, stage, frame[columns])
        if before is not None:
            on = sa.and_(*[table.c[k] == stage.c[k] for k in keys])
            before.append(read(conn, sa.select(table).select_from(table.join(stage, on))))
        stmt = dialect.insert(table).from_select(columns, sa.select(*[stage.c[c] for c in columns]).where(sa.true()))
        updates = {c: stmt.excluded[c] for c in columns if c not in keys}
        kept = KEEP.get(table.name)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates, where=kept(table) if kept else None) \
            if updates else stmt.on_conflict_do_nothing()
        conn.execute(stmt)
    finally:
        stage.drop(conn)
    return len(frame)


def undo_upsert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, before: list) -> None:
    """Undo `upsert(conn, table, frame, before=before)` in a later transaction: the rows it added go, the rows it
    replaced get their values back. Run children's tables first (their added rows may refer to added parents).
    The added rows' keys go into a temporary table by the engine's bulk load and out of the table by one statement
    (a year of orders in seconds, not in thousands of statements)."""
    keys = [c.name for c in table.primary_key.columns]
    old = pd.concat(before, ignore_index=True) if before else pd.DataFrame(columns=[c.name for c in table.columns])
    had = set(_records(old, keys, iso=False, table=table)) if len(old) else set()
    added = pd.DataFrame([k for k in dict.fromkeys(_records(derive(table, frame), keys, iso=False, table=table))
                          if k not in had], columns=keys)
    if len(added):
        stage = sa.Table(f"_undo_{table.name}", sa.MetaData(), *[sa.Column(k, table.c[k].type) for k in keys],
                         prefixes=["TEMPORARY"])
        stage.drop(conn, checkfirst=True)
        stage.create(conn)
        try:
            bulk_insert(conn, stage, added)
            conn.execute(table.delete().where(sa.tuple_(*[table.c[k] for k in keys]).in_(sa.select(*stage.c))))
        finally:
            stage.drop(conn)
    if len(old):
        upsert(conn, table, old)


def count_rows(conn_or_engine: sa.Connection | sa.Engine, tables: Iterable[sa.Table]) -> dict[str, int]:
    out = {}
    for t in tables:
        out[t.name] = int(read(conn_or_engine, sa.select(sa.func.count()).select_from(t)).iloc[0, 0])
    return out
