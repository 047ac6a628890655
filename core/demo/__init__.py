"""The demo province: generated deterministically from a seed, loaded into an empty store."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.access import accounts, admin, roles
from core.policy import regions
from core.refresh import marts
from core.store import db, views
from core.store import schema as S

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
         progress: Progress = _quiet, refresh: bool = True, data: DemoData | None = None,
         alone: bool = False) -> dict[str, int]:
    """Generate the demo (or take `data`, built by `build` for this scale and seed) and write it into `store` in one
    transaction; return rows per table. `alone`: no other process uses the store meanwhile (the command line), and
    SQLite writes the rows once, through its rollback journal (see db.loading)."""
    if not store.is_empty() and not replace:
        raise StoreNotEmpty("数据库已有数据；如需覆盖请加 --replace / the store already holds data; use --replace")
    data = data or build(store.province_code, scale, seed, progress=progress)
    # Under the import's lock (or alone), looked at again once held: an import or another first start that wrote
    # while the demo was generated wins, and this load writes nothing.
    with (db.loading(store.engine) if alone else store.writing("import")) as conn:
        if not alone and not replace and not store.is_empty():  # alone: nobody else writes (and a second connection
            # would meet the load's rollback journal)
            raise StoreNotEmpty("数据库已有数据；如需覆盖请加 --replace / the store already holds data; use --replace")
        if replace:
            _delete_data(conn)
        counts = {}
        steps = ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")
        for i, name in enumerate(steps):
            progress(0.5 + 0.3 * i / len(steps), f"写入 {name} / writing {name}")
            counts[name] = db.bulk_insert_empty(conn, S.DATA_TABLES[name], data.tables[name])
        db.bulk_insert(conn, S.demo_manifest, data.manifest)
        for key, value in (("demo_scale", scale), ("demo_seed", str(seed)), ("demo_as_of", data.as_of.isoformat())):
            store.set_meta(conn, key, value)
        store.bump_data_version(conn, rows=True)
    if refresh:
        marts.refresh(store, progress=lambda f, m: progress(0.8 + 0.2 * f, m))
    if not accounts.demo_closed(store):
        demo_accounts(store)
    progress(1.0, "完成 / done")
    return counts


DEMO_META = ("demo_scale", "demo_seed", "demo_as_of")


def _delete_data(conn) -> None:
    for name in reversed(("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")):
        conn.execute(S.DATA_TABLES[name].delete())
    conn.execute(S.demo_manifest.delete())


def clear(conn) -> None:
    """Inside the transaction of the first import of real data into a demo store: every row of the demo goes (its
    data, what was planted, the actions recorded on it, its figures and its accounts), so the store then holds the
    real data only. Uploads and the audit log stay."""
    conn.execute(S.actions.delete())
    conn.execute(S.notices.delete())  # the demo's notifications and since when its institutions were red
    conn.execute(S.red_flags_since.delete())
    views.drop_views(conn)
    _delete_data(conn)
    conn.execute(S.users.delete().where(S.users.c.is_demo.is_(True)))
    # every enterprise and institution is the demo's: their accounts would bind to real ones of the same code
    conn.execute(S.users.delete().where(sa.or_(S.users.c.enterprise_code.is_not(None),
                                               S.users.c.institution_code.is_not(None))))
    conn.execute(S.store_meta.delete().where(S.store_meta.c.key.in_(DEMO_META)))


DEMO_PASSWORD = "demo2026vbp"  # demo accounts only: they cannot sign in once real data is imported


def demo_accounts(store) -> dict[str, str | None]:
    """One account per role, for trying the app: the city and county officers hold the county with the
    most planted problems and its city; the institution's account is an institution of that county with problems of
    its own, the enterprise's the enterprise one of its complaints went to. Returns user name -> area code."""
    planted = store.read("SELECT i.county_code, COUNT(*) AS n FROM demo_manifest m JOIN institutions i "
                         "ON i.institution_code = m.subject_code WHERE m.level = 'institution' GROUP BY i.county_code "
                         "ORDER BY n DESC, i.county_code")
    county = planted["county_code"].iloc[0]
    city = store.regions().set_index("region_code").loc[county, "prefecture_code"]
    wanted = {"demo_leader": ("leader", None, "演示·局领导"), "demo_city": ("city_officer", city, "演示·市级经办"),
              "demo_county": ("county_officer", county, "演示·县级经办"), "demo_analyst": ("analyst", None, "演示·数据分析员"),
              "demo_admin": ("admin", None, "演示·系统管理员")}
    operator = roles.system_user(store)
    with store.begin() as conn:
        conn.execute(S.users.delete().where(S.users.c.is_demo.is_(True)))
    for name, (role, area, display) in wanted.items():
        admin.create_user(store, operator, name, display, role, area, DEMO_PASSWORD, is_demo=True)
    mine = store.read("""SELECT m.flag_id, m.subject_code, m.detail_code FROM demo_manifest m
                         JOIN institutions i ON i.institution_code = m.subject_code
                         WHERE m.level = 'institution' AND i.county_code = :c ORDER BY m.id""", {"c": county})
    explained = mine[mine["flag_id"] == "report_volume_drop"]
    institution = (explained if len(explained) else mine)["subject_code"].iloc[0] if len(mine) else None
    told = store.read("SELECT enterprise_code FROM complaints WHERE institution_code = :i ORDER BY complaint_id DESC",
                      {"i": institution or ""})
    for name, role, code, display in (("demo_institution", "institution", institution, "演示·医疗机构"),
                                      ("demo_enterprise", "enterprise", told["enterprise_code"].iloc[0]
                                       if len(told) else None, "演示·企业")):
        if code is not None:
            admin.create_user(store, operator, name, display, role, None, DEMO_PASSWORD, is_demo=True, entity_code=code)
            wanted[name] = (role, None, display)
    return {name: area for name, (_, area, _) in wanted.items()}
