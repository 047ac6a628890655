"""Time to generate and load the demo province into a fresh store, by phase."""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import demo
from core.store.opening import open_store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="demo", choices=sorted(demo.SCALES))
    ap.add_argument("--db", help="store URL (default: a new SQLite file in a temporary folder)")
    args = ap.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    start = time.perf_counter()
    marks = []
    store = open_store(url)
    marks.append(("open store (schema, regions)", time.perf_counter() - start))
    last = [time.perf_counter(), "start"]

    def progress(_fraction, message):
        now = time.perf_counter()
        marks.append((last[1], now - last[0]))
        last[:] = [now, message]

    counts = demo.load(store, scale=args.scale, progress=progress)
    print(f"store: {url}  scale: {args.scale}  rows: {counts}")
    print(f"{'phase':40s} {'seconds':>8s}")
    for name, seconds in marks[1:]:
        print(f"{name:40s} {seconds:8.2f}")
    print(f"{'total':40s} {time.perf_counter() - start:8.2f}")


if __name__ == "__main__":
    main()
