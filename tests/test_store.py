"""The store: created from nothing, upgraded in place, constraints in the schema."""
import datetime as dt
import sqlite3

import pandas as pd
import pytest
import sqlalchemy as sa

from core.store import db, migrations
from core.store import schema as S
from core.store.opening import open_store


def test_created_from_nothing_with_regions(store_url):
    store = open_store(store_url)
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"regions", "institutions", "orders", "agreements", "baseline", "complaints", "users", "actions",
            "uploads", "settings", "schema_version"} <= names
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.HEAD
    assert store.is_empty()
    regions = store.regions()
    assert (regions["region_level"] == "county").sum() == 136
    assert store.meta("province_code") == "370000"


def test_upgrade_in_place_keeps_rows(store_url):
    engine = db.engine_for(store_url)
    assert migrations.upgrade(engine, target=1) == [1]
    assert not sa.inspect(engine).has_table("users")
    with engine.begin() as conn:
        conn.execute(S.enterprises.insert().values(enterprise_code="0007", enterprise_name="测试制药", role="生产企业"))
    store = open_store(store_url)  # opening upgrades to the head version
    assert sa.inspect(store.engine).has_table("users")
    kept = store.read("SELECT enterprise_code, enterprise_name FROM enterprises")
    assert kept.to_dict("records") == [{"enterprise_code": "0007", "enterprise_name": "测试制药"}]
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.HEAD
    assert migrations.upgrade(store.engine) == []  # nothing left to apply


def test_marts_before_views_are_replaced_and_recomputed(store_url):
    engine = db.engine_for(store_url)
    migrations.upgrade(engine, target=5)
    with engine.begin() as conn:  # the marts as version 5 left them
        conn.execute(sa.text("CREATE TABLE mart_flags (flag_id VARCHAR(40), level VARCHAR(16), subject_code VARCHAR(32), "
                             "detail_code VARCHAR(120), severity VARCHAR(8), value FLOAT, threshold FLOAT)"))
        conn.execute(sa.text("INSERT INTO mart_flags VALUES ('red_flag', 'institution', 'H1', '', 'serious', 3, 3)"))
        conn.execute(sa.text("CREATE TABLE mart_enterprise_counties (enterprise_code VARCHAR(32), county_code VARCHAR(6))"))
        conn.execute(S.store_meta.insert().values(key="marts_as_of", value="2026-11-20"))
    store = open_store(store_url)
    tables = set(sa.inspect(store.engine).get_table_names())
    assert "mart_enterprise_counties" not in tables and {"mart_views", "mart_enterprise_institutions"} <= tables
    assert "view_id" in {c["name"] for c in sa.inspect(store.engine).get_columns("mart_flags")}
    assert store.read("SELECT COUNT(*) AS n FROM mart_flags")["n"].iloc[0] == 0
    assert store.meta("marts_as_of") is None


def _minimal(store):
    with store.begin() as conn:
        conn.execute(S.enterprises.insert().values(enterprise_code="0001", enterprise_name="甲制药", role="生产企业"))
        conn.execute(S.institutions.insert().values(
            institution_code="H1", institution_name="甲医院", county_code="370102", level="三级",
            category="综合医院", is_primary=False))
        conn.execute(S.products.insert().values(
            product_code="0012", generic_name="阿司匹林", dosage_form="肠溶片", category="药品",
            manufacturer_code="0001", status="中选"))


@pytest.mark.parametrize("values, rule", [
    ({"delivered_qty": 11.0}, "delivered above ordered"),
    ({"order_qty": 0.0}, "zero quantity"),
    ({"channel": "电话"}, "unknown channel"),
    ({"institution_code": "H404"}, "unknown institution"),
    ({"delivery_date": dt.date(2026, 2, 28)}, "delivery before order"),
])
def test_schema_refuses_bad_orders(store_url, values, rule):
    store = open_store(store_url)
    _minimal(store)
    row = {"order_id": "O1", "institution_code": "H1", "product_code": "0012", "order_date": dt.date(2026, 3, 1),
           "order_qty": 10.0, "channel": "线上", **values}
    with pytest.raises(sa.exc.IntegrityError):
        with store.begin() as conn:
            conn.execute(S.orders.insert().values(**row))
    assert store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 0, rule


def test_upsert_replaces_by_key(store_url):
    store = open_store(store_url)
    _minimal(store)
    with store.begin() as conn:
        db.upsert(conn, S.enterprises, pd.DataFrame([{"enterprise_code": "0001", "enterprise_name": "甲制药（新）", "role": "生产企业"},
                                                     {"enterprise_code": "0002", "enterprise_name": "乙配送", "role": "配送企业"}]))
    rows = store.read("SELECT enterprise_code, enterprise_name FROM enterprises ORDER BY enterprise_code")
    assert rows.values.tolist() == [["0001", "甲制药（新）"], ["0002", "乙配送"]]


def test_bulk_insert_keeps_missing_values_dates_and_text(store_url):
    """The bulk path (COPY of CSV on PostgreSQL): missing numbers and dates stay missing, a float column
    holding whole numbers fills an integer column, dates keep no time, text with commas, quotes and a
    leading '=' arrives as written."""
    store = open_store(store_url)
    _minimal(store)
    frame = pd.DataFrame({
        "order_id": ["O1", "O2"], "institution_code": ["H1", "H1"], "product_code": ["0012", "0012"],
        "distributor_code": ["0001", None],
        "order_date": pd.to_datetime(["2026-03-01", "2026-03-31"]),
        "order_qty": [10.0, 2.5], "unit_price": [1.25, float("nan")], "channel": ["线上", "线下"],
        "delivered_qty": [10.0, float("nan")],
        "delivery_date": pd.to_datetime(["2026-03-02", None]),
        "receipt_date": pd.to_datetime(["2026-03-05", None]),
    })
    with store.begin() as conn:
        assert db.bulk_insert(conn, S.orders, frame) == 2
        db.bulk_insert(conn, S.enterprises, pd.DataFrame({
            "enterprise_code": ["0002"], "enterprise_name": ['=HYPERLINK("x"),"乙"'], "role": ["配送企业"]}))
    got = store.read("SELECT order_id, distributor_code, order_date, unit_price, delivered_qty, delivery_date, "
                     "receipt_date, order_month, receipt_lag FROM orders ORDER BY order_id")
    first, second = got.to_dict("records")
    assert str(first["order_date"])[:10] == "2026-03-01" and first["order_month"] == 202603
    assert first["receipt_lag"] == 3 and first["unit_price"] == 1.25
    for column in ("distributor_code", "unit_price", "delivered_qty", "delivery_date", "receipt_date", "receipt_lag"):
        assert pd.isna(second[column]), column
    name = store.read("SELECT enterprise_name FROM enterprises WHERE enterprise_code = '0002'")["enterprise_name"]
    assert name.iloc[0] == '=HYPERLINK("x"),"乙"'


def _order_indexes(store) -> set[str]:
    return {i["name"] for i in sa.inspect(store.engine).get_indexes("orders")}


def _orders(n: int, bad_last: bool = False) -> pd.DataFrame:
    qty = [1.0 + k % 7 for k in range(n)]
    if bad_last:
        qty[-1] = -1.0  # refused by the orders' quantity check, after every other row went in
    return pd.DataFrame({"order_id": [f"O{k:06d}" for k in range(n)], "institution_code": "H1", "product_code": "0012",
                         "order_date": dt.date(2026, 3, 1), "order_qty": qty, "channel": "线上"})


def test_bulk_load_into_an_empty_table_rebuilds_its_indexes_or_leaves_them(store_url):
    """Loading 10,000 rows into empty orders drops the secondary indexes and builds them after; a load that
    fails (the last row breaks a check) leaves the table empty with every index, also when the load is the
    first statement of its transaction."""
    store = open_store(store_url)
    _minimal(store)
    expected = {i.name for i in S.orders.indexes}
    assert expected <= _order_indexes(store)
    with pytest.raises(Exception, match="ck_order_qty"):
        with store.begin() as conn:
            db.bulk_insert_empty(conn, S.orders, _orders(10_000, bad_last=True))
    assert expected <= _order_indexes(store)
    assert store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 0
    with store.begin() as conn:
        assert db.bulk_insert_empty(conn, S.orders, _orders(10_000)) == 10_000
    assert expected <= _order_indexes(store)
    if store.is_postgres:  # the rebuilt indexes are whole and in use
        assert store.read("SELECT bool_and(indisvalid AND indisready) AS ok FROM pg_index "
                          "WHERE indrelid = 'orders'::regclass")["ok"].iloc[0]
    else:
        assert store.read("PRAGMA integrity_check").iloc[0, 0] == "ok"
    assert store.read("SELECT COUNT(*) AS n FROM orders WHERE order_qty = 7")["n"].iloc[0] == 10_000 // 7


def _order_keys(store) -> list:
    """The orders' primary key and foreign keys as the engine holds them (PostgreSQL: names and definitions)."""
    if store.is_postgres:
        return store.read("SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint "
                          "WHERE conrelid = 'orders'::regclass AND contype IN ('p', 'f') ORDER BY 1").values.tolist()
    inspector = sa.inspect(store.engine)
    return [inspector.get_pk_constraint("orders")["constrained_columns"],
            sorted((k["constrained_columns"][0], k["referred_table"]) for k in inspector.get_foreign_keys("orders"))]


@pytest.mark.parametrize("breach", ["unknown_institution", "duplicate_order", "none"])
def test_a_bulk_load_checks_keys_and_foreign_keys_and_leaves_them_as_they_were(store_url, breach):
    """PostgreSQL's bulk load into an empty table drops the primary key and the foreign keys and adds them again
    after the rows: an order of an unknown institution, or an order number twice, among 10,000 rows is refused
    all the same (nothing written), and every key is there after a refused and after a good load."""
    store = open_store(store_url)
    _minimal(store)
    keys = _order_keys(store)
    assert len(keys) == 4 if store.is_postgres else (keys[0] == ["order_id"] and keys[1] == sorted(
        [("distributor_code", "enterprises"), ("institution_code", "institutions"), ("product_code", "products")]))
    rows = _orders(10_000)
    if breach == "unknown_institution":
        rows.loc[5_000, "institution_code"] = "H9"
    elif breach == "duplicate_order":
        rows.loc[9_999, "order_id"] = rows.loc[3, "order_id"]
    if breach == "none":
        with store.begin() as conn:
            db.bulk_insert_empty(conn, S.orders, rows)
    else:
        with pytest.raises((sa.exc.IntegrityError, sqlite3.IntegrityError)):  # SQLite's rows go by its driver
            with store.begin() as conn:
                db.bulk_insert_empty(conn, S.orders, rows)
    assert store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == (10_000 if breach == "none" else 0)
    assert _order_keys(store) == keys
    with pytest.raises(sa.exc.IntegrityError):  # the keys hold for the next row too
        with store.begin() as conn:
            conn.execute(S.orders.insert().values(order_id="X1", institution_code="H9", product_code="0012",
                                                  order_date=dt.date(2026, 3, 1), order_qty=1.0, channel="线上"))


def test_large_reads_keep_codes_as_text_and_agree_from_two_threads(store_url):
    """read_large (COPY on PostgreSQL, a temporary table on SQLite): codes like '0012' stay text, missing
    values are missing, an empty result keeps its columns, and two threads reading at once get what one
    thread gets."""
    from concurrent.futures import ThreadPoolExecutor
    store = open_store(store_url)
    _minimal(store)
    frame = pd.DataFrame({
        "order_id": [f"O{n}" for n in range(6)], "institution_code": ["H1"] * 6, "product_code": ["0012"] * 6,
        "distributor_code": ["0001", None, "0001", None, "0001", "0001"],
        "order_date": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-04-01", "2026-04-02", "2026-05-01", "2026-05-02"]),
        "order_qty": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "channel": ["线上"] * 6,
    })
    with store.begin() as conn:
        db.bulk_insert(conn, S.orders, frame)
    sql = ("SELECT product_code, distributor_code, order_month, SUM(order_qty) AS qty FROM orders "
           "WHERE order_month >= :m GROUP BY product_code, distributor_code, order_month "
           "ORDER BY order_month, distributor_code")
    keys = ["product_code", "distributor_code"]
    one = db.read_large(store.engine, sql, {"m": 202603}, text=keys)
    rows = {(p, d if isinstance(d, str) else None, int(m), q) for p, d, m, q in one.itertuples(index=False)}
    assert rows == {("0012", "0001", 202603, 1.0), ("0012", None, 202603, 2.0), ("0012", "0001", 202604, 3.0),
                    ("0012", None, 202604, 4.0), ("0012", "0001", 202605, 11.0)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        both = list(pool.map(lambda m: db.read_large(store.engine, sql, {"m": m}, text=keys), [202603, 202603]))
    for got in both:
        pd.testing.assert_frame_equal(got, one)
    empty = db.read_large(store.engine, sql, {"m": 209901}, text=keys)
    assert empty.empty and list(empty.columns) == ["product_code", "distributor_code", "order_month", "qty"]


def test_a_large_read_that_fails_midway_raises_and_leaves_the_connection_usable(store_url):
    """An error found after the first rows were sent (PostgreSQL streams them) is raised, not a short frame;
    the next read on the same pool works."""
    store = open_store(store_url)
    sql = "SELECT x, 10 / (x - 3000) AS y FROM ({}) s".format(
        "SELECT generate_series(1, 5000) AS x" if store.is_postgres else
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 5000) SELECT x FROM n")
    if store.is_postgres:
        with pytest.raises(Exception, match="division by zero"):
            db.read_large(store.engine, sql)
    else:  # SQLite divides by zero into NULL
        assert db.read_large(store.engine, sql)["y"].isna().sum() == 1
    for _ in range(3):  # every pooled connection is clean again
        assert db.read_large(store.engine, "SELECT 1 AS one")["one"].tolist() == [1]


def test_every_migration_description_fits_its_column():
    """PostgreSQL refuses a description longer than schema_version.description (SQLite would take it)."""
    from core.store import migrations
    from core.store import schema as S
    assert max(len(step.description) for step in migrations.STEPS) <= S.schema_version.c.description.type.length


def test_an_import_into_an_empty_table_never_locks_out_its_readers(store_url):
    """An import's rows into empty orders go by the bulk load, in the import's transaction, for as long as the import
    takes: another connection (lock timeout 2 s) still reads the table meanwhile, finding it as it was. (Dropping
    the keys and indexes first, as the demo's load of a new store does, would lock PostgreSQL's readers out.)"""
    store = open_store(store_url)
    _minimal(store)
    reader = sa.create_engine(store.url, connect_args={"options": "-c lock_timeout=2000"}
                              if store.is_postgres else {"timeout": 2})
    try:
        with store.begin() as conn:
            assert db.upsert(conn, S.orders, _orders(10_000)) == 10_000
            with reader.connect() as other:
                assert db.read(other, "SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 0
                assert db.read(other, "SELECT COUNT(*) AS n FROM orders WHERE institution_code = 'H1'")["n"].iloc[0] == 0
    finally:
        reader.dispose()
    assert store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 10_000
    assert {i.name for i in S.orders.indexes} <= _order_indexes(store)


def test_a_read_on_a_connection_the_server_dropped_is_made_again(pg_factory):
    """One-statement reads on PostgreSQL take autocommit connections that are not pinged first (db._reader): when the
    server has dropped them (restarted, or an administrator ended them), the read is made again on a new one, and no
    read leaves a transaction open behind it."""
    from .conftest import PG_ADMIN_URL
    url = pg_factory()
    store = open_store(url)
    assert store.read("SELECT 1 AS one")["one"].tolist() == [1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    database = sa.make_url(url).database
    try:
        with admin.connect() as conn:
            ended = conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": database}).fetchall()
        assert ended and all(row[0] for row in ended)  # the store's pooled connections were ended
        assert store.read("SELECT 2 AS two")["two"].tolist() == [2]
        assert store.meta("province_code") == "370000"  # and the transactional engine's, pinged, come back too
        with admin.connect() as conn:
            waiting = conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
                                           "AND state = 'idle in transaction'"), {"d": database}).scalar()
        assert waiting == 0
    finally:
        admin.dispose()
        pg_factory.drop_later(url)
