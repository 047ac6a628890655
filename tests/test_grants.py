"""Least privilege on PostgreSQL: the app's role does what the app does, and nothing more."""
import contextlib
import uuid

import pytest
import sqlalchemy as sa

from core.access import audit, roles
from core.ingest import importer
from core.refresh import marts
from core.store import db, grants, views
from core.store import schema as S
from core.store.opening import open_store


from .extract_fixture import frames


def test_every_table_has_its_grant():
    assert grants.covered() == {t.name for t in S.metadata.sorted_tables}


@contextlib.contextmanager
def _app_role(owner_url: str):
    """A login role of its own with the grants `python -m core grants` prints, its URL to the owner's database,
    an engine of the owner's and the role's name; the role is dropped afterwards."""
    role = f"vbp_app_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE ROLE {role} LOGIN"))
        for statement in grants.statements(role):
            conn.execute(sa.text(statement))
    app_url = sa.make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    try:
        yield app_url, admin, role
    finally:
        db.dispose(app_url)
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))
        admin.dispose()


def test_the_app_role_reads_imports_and_refreshes_but_cannot_change_the_schema_or_the_audit(pg_factory, tmp_path,
                                                                                            monkeypatch):
    owner_url = pg_factory()
    owner = open_store(owner_url)  # the owner creates the schema (as every operator command does)
    with _app_role(owner_url) as (app_url, admin, role):
        app = open_store(app_url)  # opening an up-to-date store needs no DDL
        operator = roles.system_user(app)
        path = tmp_path / "x.xlsx"
        from core.ingest import exporter
        exporter.write_xlsx(frames(), path)
        monkeypatch.setattr(db, "LOAD_BESIDE_ROWS", 2)  # orders written beside the empty table (the owner's functions)
        oid = "SELECT CAST(CAST('orders' AS regclass) AS oid) AS o"
        empty = owner.read(oid)["o"].iloc[0]
        extract, counts = importer.import_files(app, [path], actor=operator)  # upserts and the marts
        assert counts["orders"] == 2 and views.default_view(app) is not None
        assert owner.read(oid)["o"].iloc[0] != empty
        for table in ("mart_views", "mart_inst_product"):  # statistics gathered by the app's refresh (reltuples is -1 before)
            rows = owner.read(f"SELECT COUNT(*) AS n FROM {table}")["n"].iloc[0]
            estimate = owner.read("SELECT reltuples FROM pg_class WHERE relname = :t", {"t": table})["reltuples"].iloc[0]
            assert rows >= 1 and estimate == rows, table
        with pytest.raises(sa.exc.DBAPIError, match="not a mart"):  # the owner's rights, for the marts alone
            with app.begin() as conn:
                conn.execute(sa.text("SELECT vbp_analyze_mart('orders')"))
        with admin.connect() as conn:  # grants not run again after an upgrade: the refresh still stores its view
            conn.execute(sa.text(f"REVOKE EXECUTE ON FUNCTION vbp_analyze_mart(text) FROM {role}"))
            conn.execute(sa.text(f"REVOKE EXECUTE ON FUNCTION vbp_load_begin(text) FROM {role}"))
        marts.refresh(app)
        assert views.default_view(app) is not None
        with owner.begin() as conn:
            conn.execute(sa.text("TRUNCATE orders"))
        swapped = owner.read(oid)["o"].iloc[0]
        again = importer.import_files(app, [path], actor=operator)[1]  # without the functions: into the table itself
        assert again["orders"] == 2 and owner.read(oid)["o"].iloc[0] == swapped
        audit.record(app, operator, "export", target="t")
        for forbidden in ("DELETE FROM audit_log", "UPDATE audit_log SET outcome = 'x'", "CREATE TABLE sneaky (x int)",
                          "DROP TABLE orders", "TRUNCATE orders", "DELETE FROM regions",
                          "ALTER TABLE users ADD COLUMN x int",
                          "INSERT INTO regions (region_code, region_name, region_level) VALUES ('999999', 'x', 'city')"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner"):
                with app.begin() as conn:
                    conn.execute(sa.text(forbidden))
        assert owner.read("SELECT COUNT(*) AS n FROM audit_log")["n"].iloc[0] >= 1


def test_the_app_role_clears_the_demo_and_takes_a_failed_import_back(pg_factory, tmp_path, monkeypatch):
    """The first real upload into a demo store clears the demo in its transaction; when its figures cannot be
    computed, the app's role takes the file's rows back out and puts the demo back (nothing half-written)."""
    from core import demo
    from core.ingest import exporter, uploads
    owner_url = pg_factory()
    owner = open_store(owner_url)
    demo.load(owner, scale="mini")  # by the operator (`python -m core demo --db OWNER_URL`)
    planted = owner.read("SELECT COUNT(*) AS n FROM demo_manifest")["n"].iloc[0]
    orders = owner.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0]
    assert planted > 0 and orders > 2
    path = exporter.write_xlsx(frames(), tmp_path / "real.xlsx")
    with _app_role(owner_url) as (app_url, _admin, _role):
        app = open_store(app_url)
        analyst = roles.system_user(app)

        def broken(*_args, **_kwargs):
            raise RuntimeError("a step of the refresh failed")
        monkeypatch.setattr(marts, "_store_view", broken)
        with pytest.raises(importer.RefreshFailed):
            importer.import_files(app, [path], actor=analyst, clear_demo=True, upload=("real.xlsx", "f" * 64))
        assert app.holds_demo()  # the demo back, as it was
        assert owner.read("SELECT COUNT(*) AS n FROM demo_manifest")["n"].iloc[0] == planted
        assert owner.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == orders
        assert uploads.history(app).iloc[0]["outcome"] == "rejected"
        monkeypatch.undo()
        counts = importer.import_files(app, [path], actor=analyst, clear_demo=True)[1]
        assert counts["orders"] == 2 and not app.holds_demo()
        assert owner.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 2
        assert owner.read("SELECT COUNT(*) AS n FROM demo_manifest")["n"].iloc[0] == 0
        assert views.default_view(app) is not None
