"""What the bureau's paperwork costs on a store: the accounts of every enterprise and institution issued in one step
(with their initial passwords' workbook), and the quarterly notification of the province drafted (its two views
computed first when new, then again from stored views).

    python bench/documents.py --db URL [--quarter 2026Q3]

Writes into the store (accounts, a draft): run it on a copy.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from core.access import admin, notices, roles
    from core.store.opening import open_store
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--quarter", default="2026Q3")
    args = p.parse_args()
    store = open_store(args.db)
    operator = roles.system_user(store)
    counts = store.counts()
    print(f"store: {counts['institutions']:,} institutions, {counts['enterprises']:,} enterprises, "
          f"{counts['orders']:,} orders")
    started = time.perf_counter()
    issued = admin.issue_accounts(store, operator)
    issuing = time.perf_counter() - started
    started = time.perf_counter()
    book = admin.issued_workbook(store, operator, issued)
    writing = time.perf_counter() - started
    print(f"accounts issued: {len(issued):,} in {issuing:.2f} s ({issuing / max(len(issued), 1) * 1000:.2f} ms each); "
          f"their workbook {len(book) / 1024:.0f} KiB in {writing:.2f} s")
    for _ in range(2):
        views_before = store.read("SELECT COUNT(*) AS n FROM mart_views")["n"].iloc[0]
        started = time.perf_counter()
        made = notices.generate(store, operator, args.quarter)
        took = time.perf_counter() - started
        computed = store.read("SELECT COUNT(*) AS n FROM mart_views")["n"].iloc[0] - views_before
        print(f"notification {args.quarter}, province, {computed} views computed first: {took:.2f} s, "
              f"{len(made.document) / 1024:.0f} KiB, {len(made.content.institutions)} institutions listed")


if __name__ == "__main__":
    main()
