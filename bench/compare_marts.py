"""Do two stores hold the same marts? Compares the default view of every mart table, row for row (numbers
to a relative 1e-9), e.g. the same province refreshed on SQLite and on PostgreSQL.

    python bench/compare_marts.py URL_A URL_B
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.refresh import marts
from core.store import schema as S
from core.store import views
from core.store.opening import open_store



def rows(store, table) -> pd.DataFrame:
    view = views.default_view(store)
    if view is None:
        marts.refresh(store)
        view = views.default_view(store)
    frame = store.read(f"SELECT * FROM {table.name} WHERE view_id = :v", {"v": view.view_id}).drop(columns="view_id")
    for column in table.columns:  # the engines' own types: 0/1 or booleans, text or dates
        if isinstance(column.type, sa.Boolean):
            frame[column.name] = frame[column.name].astype(bool)
        elif isinstance(column.type, sa.Date):
            frame[column.name] = pd.to_datetime(frame[column.name]).dt.strftime("%Y-%m-%d")
    keys = [c.name for c in table.primary_key.columns if c.name != "view_id"]
    return frame.sort_values(keys).reset_index(drop=True)


def main() -> int:
    a, b = open_store(sys.argv[1]), open_store(sys.argv[2])
    different = 0
    print(f"{'mart':32s} {'rows A':>9s} {'rows B':>9s}  result")
    for table in S.MART_TABLES:
        fa, fb = rows(a, table), rows(b, table)
        try:
            pd.testing.assert_frame_equal(fa, fb[fa.columns], check_dtype=False, rtol=1e-9)
            result = "identical"
        except AssertionError as err:
            different += 1
            result = "DIFFERENT: " + " ".join(str(err).split())[:160]
        print(f"{table.name:32s} {len(fa):9,} {len(fb):9,}  {result}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
