"""Do two stores hold the same marts? Compares the default view of every mart table, row for row (numbers
to a relative 1e-9), e.g. the same province refreshed on SQLite and on PostgreSQL, or a store refreshed by an
older commit against a copy refreshed by this one. The stores are read as they are (not opened, so not upgraded);
a store without a default view is refreshed first; a mart one store lacks is named, not compared.

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



def _default_view(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT view_id FROM mart_views WHERE is_default = :t ORDER BY view_id DESC"),
                             {"t": True}).scalar()
    engine.dispose()
    if found is None:
        store = open_store(url)
        marts.refresh(store)
        return views.default_view(store).view_id
    return found


def rows(url: str, view_id: int, table) -> pd.DataFrame | None:
    engine = sa.create_engine(url)
    if not sa.inspect(engine).has_table(table.name):
        return None
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(f"SELECT * FROM {table.name} WHERE view_id = :v"), conn, params={"v": view_id})
    engine.dispose()
    frame = frame.drop(columns="view_id")
    for column in table.columns:  # the engines' own types: 0/1 or booleans, text or dates
        if isinstance(column.type, sa.Boolean):
            frame[column.name] = frame[column.name].astype(bool)
        elif isinstance(column.type, sa.Date):
            frame[column.name] = pd.to_datetime(frame[column.name]).dt.strftime("%Y-%m-%d")
    keys = [c.name for c in table.primary_key.columns if c.name != "view_id"]
    return frame.sort_values(keys).reset_index(drop=True)


def main() -> int:
    (a, b), different = sys.argv[1:3], 0
    va, vb = _default_view(a), _default_view(b)
    print(f"{'mart':32s} {'rows A':>9s} {'rows B':>9s}  result")
    for table in S.MART_TABLES:
        fa, fb = rows(a, va, table), rows(b, vb, table)
        if fa is None or fb is None:
            print(f"{table.name:32s} {'-' if fa is None else f'{len(fa):,}':>9s} {'-' if fb is None else f'{len(fb):,}':>9s}"
                  f"  only in {'B' if fa is None else 'A'} (a mart of a newer schema)")
            continue
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
