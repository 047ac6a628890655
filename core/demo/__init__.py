"""The demo province: generated deterministically from a seed, loaded into an empty store."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .. import db, marts, regions
from .. import schema as S
from . import activity, entities
from .entities import DEFAULT_AS_OF, SCALES
from .plant import Planter

DEFAULT_SEED = 2026
Progress = Callable[[float, str], None]


@dataclass
class DemoData:
    tables: dict[str, pd.DataFrame]  # by store table name, store columns only
    manifest: pd.DataFrame
    as_of: dt.date


class StoreNotEmpty(RuntimeError):
    pass


def _quiet(_fraction: float, _message: str) -> None:
    pass


def build(province_code: str, scale: str = "demo", seed: int = DEFAULT_SEED, as_of: dt.date = DEFAULT_AS_OF,
          progress: Progress = _quiet) -> DemoData:
    sc = SCALES[scale]
    rng = np.random.default_rng(seed)
    progress(0.05, "生成医疗机构 / institutions")
    inst = entities.institutions(province_code, sc, rng)
    names = {f["properties"]["code"]: f["properties"]["name"] for f in regions.boundaries(province_code)["features"]}
    cities = sorted(inst["city_code"].unique())
    ents, prods = entities.enterprises_and_products(sc, [(c, names[c]) for c in cities])
    progress(0.15, "生成约定采购量 / agreements")
    agr = activity.agreements(inst, prods, ents, rng)
    progress(0.25, "生成订单 / orders")
    orders, baseline = activity.orders(agr, inst, prods, sc, as_of, rng)
    complaints = activity.complaints(agr, prods, as_of, rng)
    progress(0.4, "植入问题 / planting problems")
    p = Planter(inst, ents, prods, agr, orders, baseline, complaints, as_of, rng)
    p.run()
    tables = {}
    for name, frame in (("enterprises", p.ents), ("institutions", p.inst), ("products", p.prods),
                        ("agreements", p.agr), ("baseline", p.baseline), ("orders", p.orders),
                        ("complaints", p.complaints)):
        table = S.DATA_TABLES[name]
        tables[name] = frame[[c.name for c in table.columns if c.name in frame.columns]].reset_index(drop=True)
    tables["orders"] = tables["orders"].sort_values("order_id", kind="stable").reset_index(drop=True)
    return DemoData(tables, pd.DataFrame(p.manifest), as_of)


def load(store, scale: str = "demo", seed: int = DEFAULT_SEED, replace: bool = False,
         progress: Progress = _quiet, refresh: bool = True) -> dict[str, int]:
    """Generate the demo and write it into `store` in one transaction; return rows per table."""
    if not store.is_empty() and not replace:
        raise StoreNotEmpty("数据库已有数据；如需覆盖请加 --replace / the store already holds data; use --replace")
    data = build(store.province_code, scale, seed, progress=progress)
    with store.begin() as conn:
        if replace:
            for name in reversed(("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")):
                conn.execute(S.DATA_TABLES[name].delete())
            conn.execute(S.demo_manifest.delete())
        counts = {}
        steps = ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")
        for i, name in enumerate(steps):
            progress(0.5 + 0.3 * i / len(steps), f"写入 {name} / writing {name}")
            counts[name] = db.bulk_insert(conn, S.DATA_TABLES[name], data.tables[name])
        db.bulk_insert(conn, S.demo_manifest, data.manifest)
        for key, value in (("demo_scale", scale), ("demo_seed", str(seed)), ("demo_as_of", data.as_of.isoformat())):
            store.set_meta(conn, key, value)
        store.bump_data_version(conn)
    if refresh:
        marts.refresh(store, progress=lambda f, m: progress(0.8 + 0.2 * f, m))
    progress(1.0, "完成 / done")
    return counts
