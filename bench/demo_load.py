"""Time to generate and load the demo province into a fresh store, by phase, beside the engine's bare bulk load of
the same rows measured in the same run.

The bare load writes the rows by the store's own bulk load (its derived columns, then SQLite's executemany in one
transaction into a file of its own, or PostgreSQL's COPY of CSV text into a schema of its own, dropped after) into
tables of the same columns and types without any key, check or index. The store's load also checks
the keys, the foreign keys and the checks, and builds every index. Their ratio is the load's cost over the engine's.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import demo
from core.store import db
from core.store import schema as S
from core.store.opening import open_store

ORDER = ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")


def bare_load(url: str, tables: dict) -> tuple[float, int]:
    """Seconds to bulk-load the rows (by table name, any of the data tables), by the store's own bulk load
    (`db.bulk_insert`: derived columns, then COPY or executemany), into key-less, index-less tables of the same
    columns; rows written."""
    meta = sa.MetaData()
    postgres = url.startswith("postgresql")
    engine = sa.create_engine(url if postgres else f"sqlite:///{tempfile.mkdtemp()}/bare.sqlite3")
    bare = {name: sa.Table(name, meta, *[sa.Column(c.name, c.type) for c in S.DATA_TABLES[name].columns],
                           schema="bench_bare" if postgres else None) for name in ORDER}
    with engine.begin() as conn:
        if postgres:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS bench_bare CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA bench_bare"))
        meta.create_all(conn)
    start = time.perf_counter()
    with engine.begin() as conn:
        rows = sum(db.bulk_insert(conn, bare[name], tables[name]) for name in ORDER if name in tables)
    seconds = time.perf_counter() - start
    if postgres:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA bench_bare CASCADE"))
    engine.dispose()
    return seconds, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="demo", choices=sorted(demo.SCALES))
    ap.add_argument("--db", help="store URL (default: a new SQLite file in a temporary folder)")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare bulk load")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    start = time.perf_counter()
    marks = []
    store = open_store(url)
    marks.append(("open store (schema, regions)", time.perf_counter() - start))
    at = time.perf_counter()
    data = demo.build(store.province_code, args.scale)
    marks.append(("generate (institutions ... planted problems)", time.perf_counter() - at))
    bare = None if args.no_bare else bare_load(url, data.tables)
    last = [time.perf_counter(), "start"]
    writing = [0.0]

    def progress(_fraction, message):
        now = time.perf_counter()
        marks.append((last[1], now - last[0]))
        if last[1].startswith("写入"):
            writing[0] += now - last[0]
        last[:] = [now, message]

    counts = demo.load(store, scale=args.scale, progress=progress, data=data, alone=True)  # as the command line loads it
    print(f"store: {url}  scale: {args.scale}  rows: {counts}")
    print(f"{'phase':44s} {'seconds':>8s}")
    for name, seconds in marks[1:]:
        print(f"{name:44s} {seconds:8.2f}")
    print(f"{'total':44s} {time.perf_counter() - start:8.2f}")
    if bare is not None:
        print(f"\nwriting the rows with keys, checks and indexes: {writing[0]:8.2f} s")
        print(f"bare bulk load of the same {bare[1]:,} rows:      {bare[0]:8.2f} s")
        print(f"ratio: {writing[0] / bare[0]:.2f}x (target: within 2x)")


if __name__ == "__main__":
    main()
