"""The full refresh of every mart against the engine's floor, and the refresh's peak memory.

The floor is one hand-written SQL query computing the institution x product aggregates of the refresh
(purchases, the delivery-rate window, order counts, the largest order) on the same engine, fetched into
Python, with the best index the store has (on SQLite, whose planner would take the order-date index and
sort, it is named; the planner's own choice is printed too). Each measurement runs in a fresh process, so
its peak memory (max RSS) is its own. The median refresh is also shown by its own progress steps.

    python bench/refresh.py --db URL [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR = """
SELECT institution_code, product_code,
       SUM(order_qty) AS purchased_qty,
       SUM(CASE WHEN order_date <= :grace THEN order_qty ELSE 0 END) AS rate_order_qty,
       SUM(CASE WHEN order_date <= :grace AND (delivery_date IS NULL OR delivery_date <= :t)
                THEN COALESCE(delivered_qty, 0) ELSE 0 END) AS rate_delivered_qty,
       COUNT(*) AS count_orders, MAX(order_qty) AS max_order_qty
FROM orders {hint} WHERE order_date >= :start AND order_date <= :t
GROUP BY institution_code, product_code
"""


def _child(kind: str, url: str) -> dict:
    """One measurement in this process: 'floor' or 'refresh'. Prints JSON."""
    import resource

    from core.refresh import marts
    from core.store.db import index_hint
    from core.refresh.facts import Facts
    from core.store.opening import open_store
    store = open_store(url)
    facts = Facts(store)  # T, the period and the grace date, as the refresh takes them
    phases = []  # the refresh's own progress steps: (seconds since the start, step)
    start = time.perf_counter()
    if kind in ("floor", "floor_planned"):
        hint = "" if kind == "floor_planned" else index_hint(store, "ix_orders_pass")  # the engine's best plan
        rows = len(store.read(FLOOR.format(hint=hint), facts.params()))
    else:
        marts.refresh(store, progress=lambda _f, step: phases.append((time.perf_counter() - start, step)))
        rows = int(store.read("SELECT COUNT(*) AS n FROM mart_inst_product")["n"].iloc[0])
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "seconds": seconds, "rows": rows, "peak_mb": peak_mb, "phases": phases}


def measure(kind: str, url: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, "--db", url], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", choices=("floor", "floor_planned", "refresh"))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.db)))
        return
    from core.store.opening import open_store
    store = open_store(args.db)
    orders = int(store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0])
    kinds = ("floor", "refresh") if store.is_postgres else ("floor", "floor_planned", "refresh")
    results = {kind: [measure(kind, args.db) for _ in range(args.runs)] for kind in kinds}
    floor = statistics.median(r["seconds"] for r in results["floor"])
    refresh = statistics.median(r["seconds"] for r in results["refresh"])
    print(f"store: {args.db}  orders: {orders:,}  runs: {args.runs} (fresh process each)")
    print(f"{'measure':34s} {'median s':>9s} {'worst s':>9s} {'peak MB':>9s} {'rows':>10s}")
    labels = {"floor": "floor: one institution x product query", "floor_planned": "  the same, the planner's own plan",
              "refresh": "full refresh of every mart"}
    for kind in kinds:
        runs, label = results[kind], labels[kind]
        print(f"{label:34s} {statistics.median(r['seconds'] for r in runs):9.2f} {max(r['seconds'] for r in runs):9.2f} "
              f"{max(r['peak_mb'] for r in runs):9.0f} {runs[0]['rows']:10,}")
    print(f"{'refresh / floor':34s} {refresh / floor:9.2f}")
    median_run = sorted(results["refresh"], key=lambda r: r["seconds"])[len(results["refresh"]) // 2]
    print("\nthe median refresh by its steps (each step runs until the next begins):")
    steps = median_run["phases"] + [[median_run["seconds"], "end"]]
    for (at, step), (after, _next) in zip(steps, steps[1:]):
        print(f"  {at:6.2f} s  {after - at:6.2f} s  {step}")


if __name__ == "__main__":
    main()
