"""Importing a 100,000-row orders sheet: the whole import path beside its floors.

Prints, per engine: calamine alone reading the .xlsx, the bare bulk insert of the same rows, the import
(examine and read in the reading child, check every rule, upsert in one transaction) and its ratio to the sum of
the two floors (the target is 1.5), then the figures computed for the new data (the refresh, which a page's upload
runs in the import's worker process while readers keep the previous figures), the whole, and the take-back of
the same rows written into an empty table (`importer.undo`: what an import whose figures cannot be computed costs).
Run: python bench/import_speed.py [--rows N] [--runs 3] [--pg URL]
"""
import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
import python_calamine
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.access.roles import system_user
from core.ingest import exporter, importer
from core.refresh import marts
from core.store import db
from core.store import schema as S
from core.store.opening import open_store

BASE = {
    "enterprises": pd.DataFrame([{"enterprise_code": "0001", "enterprise_name": "甲制药", "role": "生产企业"}]),
    "institutions": pd.DataFrame([{"institution_code": f"H370102{i:04d}", "institution_name": f"医院{i}",
                                   "county_code": "370102", "level": "二级", "category": "综合医院", "is_primary": "否"}
                                  for i in range(100)]),
    "products": pd.DataFrame([{"product_code": f"{i:04d}", "generic_name": f"药品{i}", "dosage_form": "片剂",
                               "category": "药品", "manufacturer_code": "0001", "status": "中选"} for i in range(40)]),
}


def orders(n: int) -> pd.DataFrame:
    day = dt.date(2026, 3, 2)
    return pd.DataFrame({"order_id": [f"B{i:09d}" for i in range(n)],
                         "institution_code": [f"H370102{i % 100:04d}" for i in range(n)],
                         "product_code": [f"{i % 40:04d}" for i in range(n)], "distributor_code": None,
                         "order_date": day, "order_qty": 10.0, "unit_price": 1.5, "channel": "线上",
                         "delivered_qty": 10.0, "delivery_date": day + dt.timedelta(days=1),
                         "receipt_date": day + dt.timedelta(days=2)})


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run(url: str, xlsx: Path, frame: pd.DataFrame) -> dict[str, float]:
    store = open_store(url)
    importer.import_files(store, [exporter.write_xlsx(BASE, xlsx.with_name("base.xlsx"))], actor=system_user(store))
    read_s, _ = timed(lambda: python_calamine.CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("采购订单").to_python())
    with store.engine.connect() as conn:  # the bare bulk insert, rolled back so the import starts from the same store
        trans = conn.begin()
        bulk_s, _ = timed(lambda: db.bulk_insert(conn, S.orders, frame))
        trans.rollback()
    import_s, (extract, counts) = timed(lambda: importer.import_files(store, [xlsx], actor=system_user(store),
                                                                       refresh=False))
    assert extract.ok and counts["orders"] == len(frame), extract.problems[:3]
    # the take-back of an import whose figures failed (importer.commit), then the same rows written again
    with store.begin() as conn:
        conn.execute(S.orders.delete())
    before: dict = {}
    importer.write(store, extract, system_user(store), before=before)
    undo_s, _ = timed(lambda: importer.undo(store, extract, system_user(store), before, None, "bench"))
    assert store.counts()["orders"] == 0
    importer.write(store, extract, system_user(store))
    refresh_s, _ = timed(lambda: marts.refresh(store))
    return {"calamine read": read_s, "bare bulk insert": bulk_s, "import": import_s, "refresh": refresh_s,
            "take-back": undo_s}


def _pg_run(admin_url: str, xlsx: Path, frame: pd.DataFrame) -> dict[str, float]:
    """One run on a PostgreSQL database of its own, dropped afterwards."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"vbp_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        return run(url, xlsx, frame)
    finally:
        db.dispose(url)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3, help="runs per engine, each into a store of its own")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    frame = orders(args.rows)
    xlsx = exporter.write_xlsx({"orders": frame}, folder / "orders.xlsx")
    results = {"sqlite": [], "postgresql": []}
    for i in range(args.runs):  # the engines in turn, so a busy moment of the machine does not fall on one alone
        results["sqlite"].append(run(f"sqlite:///{folder / f'bench{i}.sqlite3'}", xlsx, frame))
        results["postgresql"].append(_pg_run(args.pg, xlsx, frame))
    print(f"orders sheet: {args.rows:,} rows, {xlsx.stat().st_size / 1048576:.1f} MB; {args.runs} run(s) per engine, "
          "the median ratio last")
    print(f"{'engine':12s} {'calamine read':>14s} {'bare insert':>12s} {'import':>8s} {'ratio':>6s} {'refresh':>8s} "
          f"{'whole':>7s} {'take-back':>10s}")
    for engine, runs in results.items():
        ratios = []
        for r in runs:
            ratios.append(r["import"] / (r["calamine read"] + r["bare bulk insert"]))
            print(f"{engine:12s} {r['calamine read']:14.2f} {r['bare bulk insert']:12.2f} {r['import']:8.2f} "
                  f"{ratios[-1]:6.2f} {r['refresh']:8.2f} {r['import'] + r['refresh']:7.2f} {r['take-back']:10.2f}")
        print(f"{engine:12s} median ratio {statistics.median(ratios):.2f} (target 1.5)")


if __name__ == "__main__":
    main()
