"""A province's year of orders imported as one CSV into a store holding no order, beside the engine's bare bulk load
of the same rows (issue 22: within 2x).

Generates the demo province at the given scale (`province`: about twelve million orders, the year 2026 up to the
demo's as-of date), writes its other sheets (enterprises ... complaints) as one upload and its orders as `orders.csv`
(UTF-8, English headers, as an analyst's export), then per engine: a store of its own, the reference sheets
imported, the upload limits raised by the administrator's setting to take the file (a year is over the default
200 MB and 5,000,000 rows), the orders imported as `python -m core import` does without the refresh that follows
(timed on its own), and the bare bulk load of the same rows (`db.bulk_insert`: derived columns, then executemany or
COPY, into a table of the same columns without any key, check or index). The import runs in this process; its peak
memory (the resident set's growth over what the process held before it, sampled every 0.2 s) is printed beside it.
Run: python bench/year_import.py [--scale province] [--engines sqlite,postgresql] [--pg URL] [--folder DIR]
(make the files first with --engines "" and a folder, then import them in a fresh process: the generator's memory
would otherwise stay with the process and hide the import's)
"""
import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_load import bare_load  # noqa: E402 - the same bare load as the province's
from import_memory import _rss  # noqa: E402 - a process's resident set, read from /proc

from core import demo  # noqa: E402
from core.access import settings_change  # noqa: E402
from core.access.roles import system_user  # noqa: E402
from core.ingest import exporter, importer  # noqa: E402
from core.policy import extract as F  # noqa: E402
from core.refresh import marts  # noqa: E402
from core.store import db  # noqa: E402
from core.store.opening import open_store  # noqa: E402

REFERENCE = ("enterprises", "institutions", "products", "agreements", "baseline", "complaints")  # one upload first


def files(scale: str, folder: Path) -> tuple[list[Path], Path, int]:
    """The reference sheets' CSVs and the orders' CSV (made once per folder), and the orders' row count."""
    reference = [folder / f"{name}.csv" for name in REFERENCE]
    orders = folder / "orders.csv"
    if not orders.exists() or not all(path.exists() for path in reference):
        start = time.perf_counter()
        data = demo.build("370000", scale)
        print(f"generated the {scale} province in {time.perf_counter() - start:.0f} s")
        frames = {name: exporter.as_sheet(F.SHEET_BY_NAME[name], data.tables[name]) for name in REFERENCE}
        exporter.write_csv(frames, folder, encoding="utf-8")
        start = time.perf_counter()
        exporter.as_sheet(F.SHEET_BY_NAME["orders"], data.tables["orders"]).to_csv(
            orders.with_suffix(".part"), index=False, encoding="utf-8")  # dates as YYYY-MM-DD, empty cells empty
        orders.with_suffix(".part").replace(orders)
        print(f"wrote {orders} in {time.perf_counter() - start:.0f} s")
    with open(orders, "rb") as fh:
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b"")) - 1
    return reference, orders, rows


class Peak:
    """This process's peak resident set while it runs (sampled every 0.2 s)."""

    def __init__(self):
        self.before = self.peak = _rss(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _rss(os.getpid()))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run(url: str, reference: list[Path], orders: Path, rows: int) -> dict:
    store = open_store(url)
    actor = system_user(store)
    extract, counts = importer.import_files(store, reference, actor=actor, refresh=False)
    assert extract.ok, extract.problems[:3]
    settings_change.change(store, actor, "upload_max_mb", "2048")
    settings_change.change(store, actor, "upload_max_rows", str(max(rows + 1, 5_000_000)))
    with Peak() as peak:
        start = time.perf_counter()
        extract, counts = importer.import_files(store, [orders], actor=actor, refresh=False)
        seconds = time.perf_counter() - start
    assert extract.ok and counts.get("orders") == rows, (extract.problems[:3], counts)
    frame = extract.frames["orders"]
    del extract
    bare = bare_load(url, {"orders": frame})[0]
    del frame
    start = time.perf_counter()
    marts.refresh(store)
    refresh = time.perf_counter() - start
    db.dispose(url)
    return {"import": seconds, "peak": peak.peak - peak.before, "bare": bare, "refresh": refresh}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="province", choices=sorted(demo.SCALES))
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--folder", help="where the CSVs are made (kept: a second run reuses them)")
    args = ap.parse_args()
    folder = Path(args.folder or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    reference, orders, rows = files(args.scale, folder)
    print(f"{orders}: {rows:,} orders, {orders.stat().st_size / 1048576:,.0f} MB")
    print(f"{'engine':12s} {'import (s)':>11s} {'bare load (s)':>14s} {'ratio':>7s} {'memory':>12s} "
          f"{'refresh (s)':>12s}")
    for engine in [e for e in args.engines.split(",") if e]:  # none: the files made, for a later run to import
        if engine == "sqlite":
            result = run(f"sqlite:///{tempfile.mkdtemp()}/year.sqlite3", reference, orders, rows)
        else:
            admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
            name = f"vbp_year_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = sa.make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            try:
                result = run(url, reference, orders, rows)
            finally:
                db.dispose(url)
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        print(f"{engine:12s} {result['import']:11.1f} {result['bare']:14.1f} {result['import'] / result['bare']:6.2f}x "
              f"{result['peak'] / 1048576:9,.0f} MB {result['refresh']:12.1f}", flush=True)
    print("target: the import within 2x of the bare load")


if __name__ == "__main__":
    main()
