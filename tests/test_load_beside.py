"""PostgreSQL: a large import into an empty data table is written into a table beside it and swapped in at the commit
(`db._load_beside`, the owner's functions of schema version 21); the table that results is the one the schema makes."""
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from core.access import roles
from core.ingest import importer
from core.store import db
from core.store import schema as S
from core.store.opening import open_store

from .extract_fixture import frames


def _shape(store, table: str) -> dict:
    """What the schema gives a table on PostgreSQL: its indexes' and constraints' definitions by name, its grants."""
    indexes = store.read("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t", {"t": table})
    keys = store.read("SELECT conname, contype, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
                      "WHERE conrelid = CAST(:t AS regclass)", {"t": table})
    acl = store.read("SELECT CAST(relacl AS text) AS acl FROM pg_class WHERE oid = CAST(:t AS regclass)", {"t": table})
    return {"indexes": dict(zip(indexes["indexname"], indexes["indexdef"])),
            "keys": {r.conname: (r.contype, r.definition) for r in keys.itertuples()}, "acl": acl["acl"].iloc[0]}


def _oid(store, table: str) -> int:
    return int(store.read("SELECT CAST(CAST(:t AS regclass) AS oid) AS o", {"t": table})["o"].iloc[0])


@pytest.fixture
def owner(pg_factory):
    url = pg_factory()
    store = open_store(url)
    yield store
    db.dispose(url)
    pg_factory.drop_later(url)


def _import(store, data, tmp_path, name="x.xlsx"):
    from core.ingest import exporter
    path = tmp_path / name
    exporter.write_xlsx(data, path)
    return importer.import_files(store, [path], actor=roles.system_user(store))


def test_orders_written_beside_take_the_empty_tables_place_with_its_indexes_keys_and_grants(owner, tmp_path,
                                                                                           monkeypatch):
    with owner.begin() as conn:
        conn.execute(sa.text("GRANT SELECT, INSERT ON orders TO PUBLIC"))  # a grant to carry over
    before, oid = _shape(owner, "orders"), _oid(owner, "orders")
    assert set(before["indexes"]) == {i.name for i in S.orders.indexes} | {"orders_pkey"}
    monkeypatch.setattr(db, "LOAD_BESIDE_ROWS", 2)  # the fixture's two orders count as many
    extract, counts = _import(owner, frames(), tmp_path)
    assert extract.ok and counts["orders"] == 2
    assert _oid(owner, "orders") != oid  # another table: written beside, swapped in
    assert _shape(owner, "orders") == before  # the same names, definitions, keys (3 foreign) and grants
    assert sum(kind == "f" for kind, _ in before["keys"].values()) == 3
    assert owner.read("SELECT to_regclass('orders_load') IS NULL AS gone")["gone"].iloc[0]
    got = owner.read("SELECT order_id, order_month, receipt_lag FROM orders ORDER BY order_id")
    assert list(got["order_id"]) == list(frames()["orders"]["order_id"])
    assert got["order_month"].notna().all()  # the derived columns written as by the table itself
    stats = owner.read("SELECT reltuples FROM pg_class WHERE relname = 'orders'")["reltuples"].iloc[0]
    assert stats == 2  # analysed in the swap
    # The swapped-in table keeps its rules: a second import replaces by key, a row breaking a key is refused.
    again = frames()
    again["orders"].loc[0, "order_qty"] = 7000
    extract, counts = _import(owner, again, tmp_path, "y.xlsx")
    assert extract.ok and counts["orders"] == 2
    assert owner.read("SELECT order_qty FROM orders WHERE order_id = '0000001'")["order_qty"].iloc[0] == 7000
    with pytest.raises(sa.exc.IntegrityError, match="foreign key"):
        with owner.begin() as conn:
            conn.execute(sa.text("INSERT INTO orders (order_id, institution_code, product_code, order_date, "
                                 "order_qty, channel) VALUES ('z', 'NOPE', '0012', '2026-03-01', 1, '线上')"))


def test_a_refused_load_leaves_the_empty_table_as_it_was(owner, monkeypatch, tmp_path):
    orders = _import_reference(owner, tmp_path)
    oid = _oid(owner, "orders")
    monkeypatch.setattr(db, "LOAD_BESIDE_ROWS", 1)
    rows = orders.copy()
    rows.loc[1, "institution_code"] = "H9999999999"  # unknown: the foreign key built after the rows refuses it
    with pytest.raises(sa.exc.IntegrityError, match='on table "orders" violates foreign key constraint '
                                                   '"orders_institution_code_fkey"'):  # the table's own names
        with owner.begin() as conn:
            db.upsert(conn, S.orders, rows)
    assert _oid(owner, "orders") == oid
    assert owner.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 0
    assert owner.read("SELECT to_regclass('orders_load') IS NULL AS gone")["gone"].iloc[0]
    duplicated = pd.concat([orders] * 2, ignore_index=True)
    with pytest.raises(sa.exc.IntegrityError, match='unique index "orders_pkey"(.|\n)*Key .order_id.=.0000001.'):
        with owner.begin() as conn:
            db.upsert(conn, S.orders, duplicated)
    assert _oid(owner, "orders") == oid


def _import_reference(store, tmp_path) -> pd.DataFrame:
    """The fixture's sheets but orders written, and its orders as the import reads them."""
    from core.ingest import exporter
    path = tmp_path / "typed.xlsx"
    exporter.write_xlsx(frames(), path)
    typed = importer.parse([path], store).frames
    with store.begin() as conn:
        for name in importer.F.WRITE_ORDER:
            if name != "orders":
                db.upsert(conn, S.DATA_TABLES[name], typed[name])
    return typed["orders"]


def test_few_rows_or_a_filled_table_are_written_into_the_table_itself(owner, tmp_path, monkeypatch):
    orders = _import_reference(owner, tmp_path)
    oid = _oid(owner, "orders")
    with owner.begin() as conn:  # two rows: under LOAD_BESIDE_ROWS
        db.upsert(conn, S.orders, orders)
    assert _oid(owner, "orders") == oid
    monkeypatch.setattr(db, "LOAD_BESIDE_ROWS", 1)
    with owner.begin() as conn:  # many rows into the filled table: replaced by key, no lock against other imports
        db.upsert(conn, S.orders, orders)
        modes = set(conn.execute(sa.text("SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() "
                                         "AND relation = CAST('orders' AS regclass)")).scalars())
        assert "RowExclusiveLock" in modes and "ShareRowExclusiveLock" not in modes, modes
    assert _oid(owner, "orders") == oid
    with owner.begin() as conn:
        assert conn.execute(sa.text("SELECT vbp_load_begin('orders')")).scalar() is None  # not empty: not beside
        with pytest.raises(sa.exc.DBAPIError, match="not a data table"):
            with conn.begin_nested():
                conn.execute(sa.text("SELECT vbp_load_begin('users')"))


def test_two_imports_into_the_empty_orders_at_once_keep_both(owner, monkeypatch, tmp_path):
    """The second waits for the first's lock; finding the table filled when it gets it, it replaces by key."""
    orders = _import_reference(owner, tmp_path)
    monkeypatch.setattr(db, "LOAD_BESIDE_ROWS", 1)
    first, second = orders.iloc[[0]], orders.iloc[[1]]
    done, oid = {}, _oid(owner, "orders")
    with owner.begin() as conn:
        db.upsert(conn, S.orders, first)  # beside
        waiting = threading.Event()

        def other():
            waiting.set()
            with owner.begin() as other_conn:
                done["n"] = db.upsert(other_conn, S.orders, second)

        thread = threading.Thread(target=other)
        thread.start()
        waiting.wait()
        for _ in range(600):  # until the other import waits for this one's lock
            locked = owner.read("SELECT COUNT(*) AS n FROM pg_locks WHERE NOT granted")["n"].iloc[0]
            if locked:
                break
            threading.Event().wait(0.05)
        assert locked, "the second import did not wait for the first"
    thread.join(60)
    assert done == {"n": 1} and _oid(owner, "orders") != oid
    assert list(owner.read("SELECT order_id FROM orders ORDER BY order_id")["order_id"]) == \
        list(frames()["orders"]["order_id"])


def test_readers_read_the_empty_table_while_the_rows_are_written_and_wait_only_from_the_swap(owner, tmp_path):
    orders = _import_reference(owner, tmp_path)
    reader = sa.create_engine(owner.url, connect_args={"options": "-c lock_timeout=500"})
    count = "SELECT COUNT(*) AS n FROM orders"
    try:
        with owner.begin() as conn:
            assert conn.execute(sa.text("SELECT vbp_load_begin('orders')")).scalar() == "orders_load"
            beside = sa.Table("orders_load", sa.MetaData(), *[sa.Column(c.name, c.type) for c in S.orders.columns])
            db.bulk_insert(conn, beside, S.derive(S.orders, orders))
            with reader.connect() as other:  # the rows written, the keys and indexes not yet built: read at once
                assert db.read(other, count)["n"].iloc[0] == 0
            conn.execute(sa.text("SELECT vbp_load_end('orders')"))
            with reader.connect() as other, pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                db.read(other, count)  # swapped, not committed: a reader waits (here 0.5 s, then gives up)
        with reader.connect() as other:
            assert db.read(other, count)["n"].iloc[0] == len(orders) == 2
    finally:
        reader.dispose()


def test_the_first_real_import_into_a_demo_store_is_written_beside_too(owner, tmp_path, monkeypatch):
    """The demo cleared in the import's own transaction: the orders table is empty for this transaction though other
    connections still see the demo's rows, and the import takes the fast way all the same (a new table swapped in)."""
    from core import demo
    from core.ingest import exporter
    demo.load(owner, "mini", refresh=False)
    assert owner.holds_demo() and owner.counts()["orders"] > 0
    oid = _oid(owner, "orders")
    monkeypatch.setattr(db, "LOAD_BESIDE_ROWS", 2)  # the fixture's two orders count as many
    path = exporter.write_xlsx(frames(), tmp_path / "real.xlsx")
    extract, counts = importer.import_files(owner, [path], actor=roles.system_user(owner), clear_demo=True)
    assert extract.ok and counts["orders"] == 2
    assert _oid(owner, "orders") != oid  # written beside, swapped in
    assert not owner.holds_demo() and owner.counts()["orders"] == 2
