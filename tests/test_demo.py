"""The demo province: deterministic, spread over every county, every planted problem present."""
import datetime as dt

import pandas as pd
import pytest
import shapely

from core import demo
from core.policy import regions
from core.policy.workdays import DEFAULT as CAL

AS_OF = demo.DEFAULT_AS_OF
SCHEDULE = ((AS_OF - dt.date(2026, 1, 1)).days + 1) / 365


@pytest.fixture(scope="module")
def built():
    return demo.build("370000", seed=11)


def _digest(data) -> dict[str, int]:
    return {name: int(pd.util.hash_pandas_object(frame, index=False).sum() % (1 << 61))
            for name, frame in data.tables.items()}


def test_same_seed_same_rows(built):
    again = demo.build("370000", seed=11)
    assert _digest(again) == _digest(built)
    assert again.manifest.equals(built.manifest)


def test_another_seed_other_rows():
    """Two seeds, two provinces' worth of orders (at the small scale: the seed's effect does not depend on it)."""
    one, other = demo.build("370000", "mini", seed=11), demo.build("370000", "mini", seed=12)
    assert _digest(other)["orders"] != _digest(one)["orders"] and _digest(one) == _digest(demo.build("370000", "mini", seed=11))


def test_every_county_has_institutions_of_plausible_kinds(built):
    inst = built.tables["institutions"]
    counties = {r["region_code"] for r in regions.region_rows("370000") if r["region_level"] == "county"}
    assert set(inst["county_code"]) == counties
    assert 1500 <= len(inst) <= 3000
    share_primary = inst["is_primary"].mean()
    assert 0.6 < share_primary < 0.9  # most institutions are primary care
    tertiary = inst[inst["level"] == "三级"]
    assert tertiary["county_code"].map(lambda c: next(r["region_name"] for r in regions.region_rows("370000")
                                                      if r["region_code"] == c)).str.endswith("区").all()
    assert (inst.loc[inst["category"] == "村卫生室", "is_primary"]).all()


def test_every_institution_lies_inside_its_county(built):
    inst = built.tables["institutions"]
    shapes = regions.shapes("370000")
    for county, group in inst.groupby("county_code"):
        inside = shapely.contains_xy(shapes[county], group["longitude"].to_numpy(), group["latitude"].to_numpy())
        assert inside.all(), county


def test_products_are_real_vbp_groups(built):
    prods = built.tables["products"]
    assert {"中选", "非中选", "可替代"} == set(prods["status"])
    assert {"阿托伐他汀钙", "苯磺酸氨氯地平", "盐酸二甲双胍", "冠脉药物洗脱支架", "人工晶状体"} <= set(prods["generic_name"])
    subs = prods[prods["status"] == "可替代"]
    assert subs["substitute_generic"].isin(prods.loc[prods["status"] == "中选", "generic_name"]).all()


def test_orders_cover_january_to_as_of(built):
    orders = built.tables["orders"]
    assert orders["order_date"].min() < pd.Timestamp("2026-01-08")
    assert orders["order_date"].max() <= pd.Timestamp(AS_OF)
    assert (orders["delivered_qty"].fillna(0) <= orders["order_qty"]).all()


def test_manifest_covers_every_flag(built):
    expected = {"report_volume_drop", "delivery_rate_low", "complaint_reply_late", "complaint_unresolved",
                "progress_behind_schedule", "purchase_over_4x", "unreported_purchase", "nonselected_share_high",
                "substitute_increase", "offline_purchase", "abnormal_order", "receipt_confirmation_late",
                "supplier_tier", "primary_care_gap", "level_gap", "red_flag", "clean"}
    m = built.manifest
    assert set(m["flag_id"]) == expected
    assert set(m.loc[m["flag_id"] == "supplier_tier", "detail_code"]) == {"B", "C", "D"}
    inst = built.tables["institutions"].set_index("institution_code")
    for flag in ("report_volume_drop", "delivery_rate_low", "offline_purchase"):
        codes = m.loc[m["flag_id"] == flag, "subject_code"]
        cities = set(inst.loc[codes, "county_code"].str[:4])
        assert len(cities) >= 3, flag  # in several cities
        assert inst.loc[codes, "is_primary"].any(), flag  # some in primary care


# -- every planted problem is in the store (checked on the stored rows, not on the flags) --

def _inst_product(store, inst, product):
    q = """SELECT COALESCE(SUM(order_qty), 0) AS bought,
                  COALESCE(SUM(CASE WHEN order_date <= :g THEN order_qty END), 0) AS ordered,
                  COALESCE(SUM(CASE WHEN order_date <= :g THEN COALESCE(delivered_qty, 0) END), 0) AS delivered
           FROM orders WHERE institution_code = :i AND product_code = :p"""
    return store.read(q, {"i": inst, "p": product, "g": AS_OF - dt.timedelta(days=2)}).iloc[0]


def _agreement(store, inst, product):
    rows = store.read("SELECT * FROM agreements WHERE institution_code = :i AND product_code = :p", {"i": inst, "p": product})
    return rows.iloc[0] if len(rows) else None


def _check(store, m) -> None:
    flag, inst, detail = m.flag_id, m.subject_code, m.detail_code
    if flag == "report_volume_drop":
        a = _agreement(store, inst, detail)
        assert a.reported_qty < 0.8 * a.prior_year_qty
    elif flag == "delivery_rate_low":
        t = _inst_product(store, inst, detail)
        assert t.delivered < 0.8 * t.ordered
    elif flag == "progress_behind_schedule":
        assert _inst_product(store, inst, detail).bought < SCHEDULE * _agreement(store, inst, detail).agreed_qty
    elif flag == "purchase_over_4x":
        assert _inst_product(store, inst, detail).bought > 4 * _agreement(store, inst, detail).agreed_qty
    elif flag == "unreported_purchase":
        assert _agreement(store, inst, detail) is None and _inst_product(store, inst, detail).bought > 0
    elif flag == "nonselected_share_high":
        generic, form = detail.split("|")
        q = """SELECT p.status, SUM(o.order_qty) AS qty FROM orders o JOIN products p ON p.product_code = o.product_code
               WHERE o.institution_code = :i AND p.generic_name = :g AND p.dosage_form = :f GROUP BY p.status"""
        by = store.read(q, {"i": inst, "g": generic, "f": form}).set_index("status")["qty"]
        assert by["中选"] / (by["中选"] + by["非中选"]) < 0.7
    elif flag == "substitute_increase":
        prior = store.read("SELECT prior_year_qty FROM baseline WHERE institution_code = :i AND product_code = :p",
                           {"i": inst, "p": detail})["prior_year_qty"].iloc[0]
        assert _inst_product(store, inst, detail).bought > prior * SCHEDULE
    elif flag in ("offline_purchase", "abnormal_order", "receipt_confirmation_late"):
        o = store.read("SELECT * FROM orders WHERE order_id = :o", {"o": detail}).iloc[0]
        assert o.institution_code == inst
        if flag == "offline_purchase":
            assert o.channel == "线下"
        elif flag == "receipt_confirmation_late":
            delivered = dt.date.fromisoformat(str(o.delivery_date)[:10])
            end = AS_OF if o.receipt_date is None else dt.date.fromisoformat(str(o.receipt_date)[:10])
            assert CAL.between(delivered, end) > 5
    elif flag in ("complaint_reply_late", "complaint_unresolved"):
        c = store.read("SELECT * FROM complaints WHERE complaint_id = :c", {"c": detail}).iloc[0]
        assert c.enterprise_code == inst
        d = {k: dt.date.fromisoformat(str(c[k])[:10]) for k in ("raised_date", "reply_date", "promised_date", "resolved_date")}
        if flag == "complaint_reply_late":
            assert CAL.between(d["raised_date"], d["reply_date"]) > 2
        else:
            assert CAL.between(d["reply_date"], d["promised_date"]) > 5 or d["resolved_date"] > d["promised_date"]
    elif flag == "primary_care_gap":
        q = """SELECT i.is_primary, SUM(COALESCE(o.delivered_qty, 0)) / SUM(o.order_qty) AS rate
               FROM orders o JOIN institutions i ON i.institution_code = o.institution_code
               JOIN agreements a ON a.institution_code = o.institution_code AND a.product_code = o.product_code
               WHERE i.county_code = :c AND o.order_date <= :g GROUP BY i.is_primary"""
        rates = store.read(q, {"c": inst, "g": AS_OF - dt.timedelta(days=2)})
        rate = {bool(r.is_primary): r.rate for r in rates.itertuples()}
        assert rate[False] - rate[True] >= 0.10
    else:  # supplier_tier, red_flag, clean: the entity exists
        table, key = {"enterprise": ("enterprises", "enterprise_code"), "institution": ("institutions", "institution_code"),
                      "county": ("regions", "region_code")}[m.level]
        assert len(store.read(f"SELECT 1 FROM {table} WHERE {key} = :k", {"k": inst})) == 1


def _check_all(store):
    manifest = store.read("SELECT * FROM demo_manifest")
    assert len(manifest) > 100
    for m in manifest.itertuples():
        try:
            _check(store, m)
        except AssertionError as err:
            raise AssertionError(f"planted {m.flag_id} on {m.subject_code} {m.detail_code}: not in the store") from err


def test_every_planted_problem_is_in_the_sqlite_store(demo_store):
    _check_all(demo_store)


def test_every_planted_problem_is_in_the_postgres_store(demo_store_pg, demo_store):
    _check_all(demo_store_pg)
    assert demo_store_pg.counts() == demo_store.counts()


def test_another_province_builds_without_code_changes():
    jiangsu = demo.build("320000", seed=5)
    inst = jiangsu.tables["institutions"]
    assert inst["county_code"].str.startswith("32").all()
    shapes = regions.shapes("320000")
    assert all(shapes[c].contains(shapely.Point(x, y)) for c, x, y in
               zip(inst["county_code"], inst["longitude"], inst["latitude"]))
    assert {"delivery_rate_low", "supplier_tier", "primary_care_gap", "abnormal_order"} <= set(jiangsu.manifest["flag_id"])


def test_two_first_starts_at_once_load_the_demo_once(tmp_path):
    """Two sessions find the embedded store empty and both load the demo: one writes it, the other is told the store
    holds data (and reads the first's) instead of failing on a duplicate row."""
    import threading

    from core import demo as demo_mod
    from core.store import db
    from core.store.opening import open_store
    url = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    store = open_store(url)
    data = demo_mod.build(store.province_code, "mini")
    outcomes: list[str] = []

    def first_start():
        try:
            demo_mod.load(open_store(url), "mini", data=data, refresh=False)
            outcomes.append("loaded")
        except demo_mod.StoreNotEmpty:
            outcomes.append("not empty")
    threads = [threading.Thread(target=first_start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["loaded", "not empty"]
    assert store.counts()["institutions"] == len(data.tables["institutions"])
    db.dispose(url)
