"""Schema versions: create a store from nothing, or upgrade one in place.

Each step names the tables it creates and any in-place changes. A store records the
steps it has had in `schema_version`; `upgrade()` runs the missing ones, each in its
own transaction, so a bureau's rows survive an upgrade.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa

from core.policy import clock
from core.store import schema as S


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    tables: tuple[sa.Table, ...] = ()
    change: Callable[[sa.Connection], None] | None = field(default=None)


def _marts_by_view(conn: sa.Connection) -> None:
    """Marts are derived data: drop the old ones (before the new are created) and mark the store
    as needing a refresh."""
    for name in S.LEGACY_MARTS:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    conn.execute(S.store_meta.delete().where(S.store_meta.c.key.in_(("marts_as_of", "marts_data_version"))))


def _user_columns(conn: sa.Connection) -> None:
    """Accounts gain a single sign-on link, the last sign-in and the password's date (when missing)."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("users")}
    for name in S.USER_COLUMNS_V7:
        if name not in have:
            column = S.users.c[name]
            conn.execute(sa.text(f"ALTER TABLE users ADD COLUMN {name} {column.type.compile(conn.dialect)}"))
    if "sso_subject" not in have:
        conn.execute(sa.text("CREATE UNIQUE INDEX uq_users_sso_subject ON users (sso_subject)"))


def _order_date_index(conn: sa.Connection) -> None:
    """A store made before version 8 gets the index (a new one has it from version 1's table)."""
    if "ix_orders_date" not in {i["name"] for i in sa.inspect(conn).get_indexes("orders")}:
        next(i for i in S.orders.indexes if i.name == "ix_orders_date").create(conn)


def _orders_derived(conn: sa.Connection) -> None:
    """Orders gain the derived order-month and receipt-lag columns (filled from their dates) and the indexes of
    the one-pass refresh, in place of the older ones."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("orders")}
    pg = conn.dialect.name == "postgresql"
    for name in S.ORDERS_DERIVED:
        if name not in have:
            conn.execute(sa.text(f"ALTER TABLE orders ADD COLUMN {name} {S.orders.c[name].type.compile(conn.dialect)}"))
    month = (lambda c: f"CAST(EXTRACT(YEAR FROM {c}) * 100 + EXTRACT(MONTH FROM {c}) AS INTEGER)") if pg else \
        (lambda c: f"CAST(substr({c}, 1, 4) AS INTEGER) * 100 + CAST(substr({c}, 6, 2) AS INTEGER)")
    lag = "receipt_date - delivery_date" if pg else "CAST(julianday(receipt_date) - julianday(delivery_date) AS INTEGER)"
    conn.execute(sa.text(f"UPDATE orders SET order_month = {month('order_date')}, receipt_lag = {lag} "
                         "WHERE order_month IS NULL"))  # rows written before version 9
    for name in S.LEGACY_ORDER_INDEXES:
        conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    existing = {i["name"] for i in sa.inspect(conn).get_indexes("orders")}
    for index in S.orders.indexes:
        if index.name not in existing:
            index.create(conn)


ANALYZE_MARTS = "vbp_analyze_marts"


def _analyze_function(conn: sa.Connection) -> None:
    """PostgreSQL: a function, run with the owner's rights, that gathers the marts' statistics, so that the
    app's role (which may not ANALYZE tables it does not own) can have them gathered after each refresh.
    A version that changes the mart tables makes it again (CREATE OR REPLACE)."""
    if conn.dialect.name != "postgresql":
        return
    tables = ", ".join(t.name for t in (S.mart_views, *S.MART_TABLES))
    conn.execute(sa.text(f"CREATE OR REPLACE FUNCTION {ANALYZE_MARTS}() RETURNS void LANGUAGE plpgsql "
                         f"SECURITY DEFINER SET search_path = public AS $$ BEGIN ANALYZE {tables}; END $$"))
    conn.execute(sa.text(f"REVOKE ALL ON FUNCTION {ANALYZE_MARTS}() FROM PUBLIC"))


ANALYZE_MART = "vbp_analyze_mart"


def _analyze_mart_function(conn: sa.Connection) -> None:
    """PostgreSQL: the marts' statistics one table at a time (replacing version 10's function for all of
    them), so a refresh has each mart analysed as soon as it is written, while the later ones are computed.
    It runs with the owner's rights and takes only the names of the marts; a version that adds a mart makes
    it again (CREATE OR REPLACE)."""
    if conn.dialect.name != "postgresql":
        return
    names = ", ".join(f"'{t.name}'" for t in (S.mart_views, *S.MART_TABLES))
    conn.execute(sa.text(
        f"CREATE OR REPLACE FUNCTION {ANALYZE_MART}(mart text) RETURNS void LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = public AS $$ BEGIN "
        f"IF mart IN ({names}) THEN EXECUTE format('ANALYZE %I', mart); "
        f"ELSE RAISE EXCEPTION 'not a mart: %', mart; END IF; END $$"))
    conn.execute(sa.text(f"REVOKE ALL ON FUNCTION {ANALYZE_MART}(text) FROM PUBLIC"))
    conn.execute(sa.text(f"DROP FUNCTION IF EXISTS {ANALYZE_MARTS}()"))


def _product_unit(conn: sa.Connection) -> None:
    """Products gain their unit (a store made before version 13; a new one has it from version 1's table)."""
    if "unit" not in {c["name"] for c in sa.inspect(conn).get_columns("products")}:
        conn.execute(sa.text(f"ALTER TABLE products ADD COLUMN unit {S.products.c.unit.type.compile(conn.dialect)}"))


def _upload_reason(conn: sa.Connection) -> None:
    """Uploads gain the reason a refused file was refused (a store made before version 14)."""
    if "reason" not in {c["name"] for c in sa.inspect(conn).get_columns("uploads")}:
        conn.execute(sa.text("ALTER TABLE uploads ADD COLUMN reason TEXT NOT NULL DEFAULT ''"))


def _region_prefecture(conn: sa.Connection) -> None:
    """Regions gain their prefecture-level unit (a store made before version 15); the store's regions are then
    written again from the model of every province's shape when it is next opened (core.store.opening)."""
    if "prefecture_code" not in {c["name"] for c in sa.inspect(conn).get_columns("regions")}:
        conn.execute(sa.text("ALTER TABLE regions ADD COLUMN prefecture_code VARCHAR(6)"))


def _new_mart(conn: sa.Connection) -> None:
    """A new mart: the stored views lack it, so every view is dropped (the app computes the default view again
    when it next opens the store), and on PostgreSQL the function that analyses marts learns its name."""
    have = set(sa.inspect(conn).get_table_names())
    for table in (*S.MART_TABLES, S.mart_views):
        if table.name in have:
            conn.execute(table.delete())
    _analyze_mart_function(conn)


def _period_count(conn: sa.Connection) -> None:
    """Views gain the number of agreement periods in force at their date (a store made before version 22); the
    stored views are dropped, as for a new mart, so that none says one period where there are several."""
    if "period_count" not in {c["name"] for c in sa.inspect(conn).get_columns("mart_views")}:
        conn.execute(sa.text("ALTER TABLE mart_views ADD COLUMN period_count INTEGER NOT NULL DEFAULT 1"))
    _new_mart(conn)


def _red_flag_setting(conn: sa.Connection) -> None:
    """The red-flag rule counts distinct ladder flags, not indicators: a stored value keeps its number under the
    setting's new name."""
    conn.execute(sa.text("UPDATE settings SET name = 'red_flag_min_flags' WHERE name = 'red_flag_min_indicators' "
                         "AND NOT EXISTS (SELECT 1 FROM settings WHERE name = 'red_flag_min_flags')"))


def _casework(conn: sa.Connection) -> None:
    """Recorded actions become the history of cases of five kinds (a ladder, a tier, an explanation, an area, a
    complaint) with a deadline: a store made before version 18 has its actions table rebuilt (its rows kept, an
    institution's as a ladder case, an enterprise's as a tier case; the new statuses need a new check). The ladder's
    steps are no longer stored with the marts (mart_red_flags) but worked out when read, and enterprises gain their
    cooperation tier, so every view is dropped."""
    if "subject_type" in {c["name"] for c in sa.inspect(conn).get_columns("actions")}:
        conn.execute(sa.text("ALTER TABLE actions RENAME TO actions_v17"))
        conn.execute(sa.text("DROP INDEX IF EXISTS ix_actions_subject"))
        if conn.dialect.name == "postgresql":  # index names are the schema's: the new table's key takes the old name
            conn.execute(sa.text("ALTER INDEX IF EXISTS actions_pkey RENAME TO actions_v17_pkey"))
        S.actions.create(conn)
        conn.execute(sa.text(
            "INSERT INTO actions (case_kind, subject_code, flag_id, detail_code, quarter, status, note, action_date, "
            "recorded_by, recorded_at) SELECT CASE subject_type WHEN 'institution' THEN 'ladder' ELSE 'tier' END, "
            "subject_code, '', '', quarter, status, note, action_date, recorded_by, recorded_at FROM actions_v17 "
            "ORDER BY action_id"))
        conn.execute(sa.text("DROP TABLE actions_v17"))
    conn.execute(sa.text("DROP TABLE IF EXISTS mart_red_flags"))
    _new_mart(conn)
    have = {c["name"] for c in sa.inspect(conn).get_columns("mart_enterprises")}
    for name in ("count_uncooperative", "cooperation_tier"):
        if name not in have:  # the table is empty now (_new_mart)
            column = S.mart_enterprises.c[name]
            default = " NOT NULL DEFAULT 0" if name == "count_uncooperative" else ""
            conn.execute(sa.text(f"ALTER TABLE mart_enterprises ADD COLUMN {name} "
                                 f"{column.type.compile(conn.dialect)}{default}"))


def _dockings(conn: sa.Connection) -> None:
    """Accounts for enterprises and institutions (their code, the roles' check, a first password to change) and
    complaints raised in the app (where each came from, the words of each side). PostgreSQL changes the users'
    check in place; SQLite cannot, so the users table is made again with its rows (the signed-in browsers of the
    old table go with it: their users sign in again)."""
    _new_mart(conn)
    have = {c["name"] for c in sa.inspect(conn).get_columns("complaints")}
    for name in S.COMPLAINT_COLUMNS_V19:
        if name not in have:
            column = S.complaints.c[name]
            default = " NOT NULL DEFAULT 'import'" if name == "source" else ""
            conn.execute(sa.text(f"ALTER TABLE complaints ADD COLUMN {name} {column.type.compile(conn.dialect)}{default}"))
    if "enterprise_code" in {c["name"] for c in sa.inspect(conn).get_columns("users")}:
        return
    old = [c["name"] for c in sa.inspect(conn).get_columns("users")]
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("ALTER TABLE users DROP CONSTRAINT IF EXISTS ck_user_role"))
        for name in ("enterprise_code", "institution_code"):
            conn.execute(sa.text(f"ALTER TABLE users ADD COLUMN {name} VARCHAR(32)"))
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false"))
        for check in (c for c in S.users.constraints if isinstance(c, sa.CheckConstraint)):
            conn.execute(sa.text(f"ALTER TABLE users ADD CONSTRAINT {check.name} CHECK ({check.sqltext})"))
        for index in S.users.indexes:
            index.create(conn)
        return
    conn.execute(sa.text("PRAGMA defer_foreign_keys = ON"))  # the sessions' key is checked when this commits
    meta = sa.MetaData()
    S.regions.to_metadata(meta)  # what its keys refer to, beside it
    fresh = S.users.to_metadata(meta, name="users_v19")
    for index in list(fresh.indexes):
        fresh.indexes.discard(index)  # made under their own names once the table has its name
    fresh.create(conn)
    columns = ", ".join(old)
    conn.execute(sa.text(f"INSERT INTO users_v19 ({columns}) SELECT {columns} FROM users"))
    conn.execute(sa.text("DROP TABLE users"))
    conn.execute(sa.text("ALTER TABLE users_v19 RENAME TO users"))
    for index in S.users.indexes:
        index.create(conn)


def _notices(conn: sa.Connection) -> None:
    """Accounts keep the sign-in before the last (what is new to a user counts from it); every view is dropped, so
    the default view is computed again and records since when each institution is red-flagged."""
    if "previous_login_at" not in {c["name"] for c in sa.inspect(conn).get_columns("users")}:
        conn.execute(sa.text(f"ALTER TABLE users ADD COLUMN previous_login_at "
                             f"{S.users.c.previous_login_at.type.compile(conn.dialect)}"))
    _new_mart(conn)


LOAD_BEGIN, LOAD_END = "vbp_load_begin", "vbp_load_end"
LOAD_SUFFIX = "_load"


def _load_beside_functions(conn: sa.Connection) -> None:
    """PostgreSQL: two functions, run with the owner's rights, that let an import fill an empty data table beside it.
    `vbp_load_begin(t)` locks the table against other writers (readers go on), and if it is still empty, owned by
    the functions' owner and nothing refers to it, makes `<t>_load` like it (columns, defaults, checks, the same
    grants) without keys or indexes and returns its name; otherwise NULL (the caller writes into the table itself).
    `vbp_load_end(t)` builds the table's keys and indexes on the filled one (one sort each; foreign keys checked by
    one join) and gathers its statistics, then drops the empty table and gives the new one its name and its keys'
    and indexes' names. All in the caller's transaction: nothing changes if it does not commit, and readers are kept
    out only between the drop and the commit. They take only the names of the data tables."""
    if conn.dialect.name != "postgresql":
        return
    names = ", ".join(f"'{name}'" for name in S.DATA_TABLES)
    guard = (f"IF t NOT IN ({names}) THEN RAISE EXCEPTION 'not a data table: %', t; END IF; "
             "rel := to_regclass(quote_ident(t));")
    conn.execute(sa.text(
        f"CREATE OR REPLACE FUNCTION {LOAD_BEGIN}(t text) RETURNS text LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = public AS $$ "
        f"DECLARE rel regclass; load text := t || '{LOAD_SUFFIX}'; filled boolean; r record; "
        f"BEGIN {guard} "
        "EXECUTE format('LOCK TABLE %I IN SHARE ROW EXCLUSIVE MODE', t); "
        "EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', t) INTO filled; "
        "IF filled OR to_regclass(quote_ident(load)) IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = rel AND conrelid <> rel) "
        "OR EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite w ON d.classid = 'pg_rewrite'::regclass "
        "AND d.objid = w.oid WHERE d.refobjid = rel AND w.ev_class <> rel) "
        "OR (SELECT relowner FROM pg_class WHERE oid = rel) <> (SELECT oid FROM pg_roles WHERE rolname = current_user) "
        "THEN RETURN NULL; END IF; "
        "EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', "
        "load, t); "
        "FOR r IN SELECT a.grantee, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
        "WHERE c.oid = rel AND a.grantee <> c.relowner LOOP "
        "EXECUTE format('GRANT %s ON %I TO %s', r.privilege_type, load, "
        "CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END); "
        "END LOOP; "
        "RETURN load; END $$"))
    conn.execute(sa.text(
        f"CREATE OR REPLACE FUNCTION {LOAD_END}(t text) RETURNS void LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = public AS $$ "
        f"DECLARE rel regclass; load text := t || '{LOAD_SUFFIX}'; r record; detail text; "
        f"BEGIN {guard} "
        "IF to_regclass(quote_ident(load)) IS NULL THEN RAISE EXCEPTION 'no table %', load; END IF; "
        # the indexes that are not a key's, then the keys (primary first), under their names with the suffix
        "FOR r IN SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = rel AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conrelid = rel AND c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x')) LOOP "
        "EXECUTE regexp_replace(r.def, '^(CREATE (UNIQUE )?INDEX )\\S+ ON \\S+ ', "
        f"'\\1' || quote_ident(r.name || '{LOAD_SUFFIX}') || ' ON ' || quote_ident(load) || ' '); "
        "END LOOP; "
        "FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE conrelid = rel AND contype IN ('p', 'u', 'x', 'f') ORDER BY contype = 'f', conname LOOP "
        f"BEGIN EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I ', load, r.conname || '{LOAD_SUFFIX}') || r.def; "
        # a refusal names the table and the key as the rows' own table would have
        "EXCEPTION WHEN integrity_constraint_violation THEN GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL; "
        f"RAISE EXCEPTION USING ERRCODE = SQLSTATE, DETAIL = detail, MESSAGE = replace(replace(SQLERRM, "
        f"r.conname || '{LOAD_SUFFIX}', r.conname), quote_ident(load), quote_ident(t)); END; "
        "END LOOP; "
        "EXECUTE format('ANALYZE %I', load); "  # statistics before the drop: readers wait from there to the commit
        "EXECUTE format('DROP TABLE %I', t); "
        "EXECUTE format('ALTER TABLE %I RENAME TO %I', load, t); "
        "rel := to_regclass(quote_ident(t)); "
        f"FOR r IN SELECT conname FROM pg_constraint WHERE conrelid = rel AND right(conname, {len(LOAD_SUFFIX)}) = "
        f"'{LOAD_SUFFIX}' LOOP "
        "EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', t, r.conname, "
        f"left(r.conname, -{len(LOAD_SUFFIX)})); "
        "END LOOP; "
        "FOR r IN SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        f"WHERE x.indrelid = rel AND right(i.relname, {len(LOAD_SUFFIX)}) = '{LOAD_SUFFIX}' LOOP "
        f"EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, left(r.name, -{len(LOAD_SUFFIX)})); "
        "END LOOP; "
        "END $$"))
    for name in (LOAD_BEGIN, LOAD_END):
        conn.execute(sa.text(f"REVOKE ALL ON FUNCTION {name}(text) FROM PUBLIC"))


STEPS: tuple[Step, ...] = (
    Step(1, "data tables of the standard extract, regions, demo manifest",
         (S.store_meta, S.regions, S.enterprises, S.institutions, S.products, S.agreements,
          S.orders, S.baseline, S.complaints, S.demo_manifest)),
    Step(2, "working tables: users, recorded actions, uploads, settings",
         (S.users, S.actions, S.uploads, S.settings_table)),
    # Versions 3 to 5 created the first marts; version 6 replaced them (rows keyed by view), so a
    # new store creates them there. Their descriptions stay as they were applied.
    Step(3, "marts: flags, indicators, institution x product, enterprises, areas, red flags"),
    Step(4, "marts: monthly series and snapshots at earlier dates"),
    Step(5, "marts: each enterprise's deliveries by county"),
    Step(6, "marts keyed by view (as-of date, product category); enterprise deliveries by institution",
         (S.mart_views,) + S.MART_TABLES, change=_marts_by_view),
    Step(7, "accounts: single sign-on link, last sign-in, password date; the audit log",
         (S.audit_log,), change=_user_columns),
    Step(8, "orders: an index on the order date", change=_order_date_index),
    Step(9, "orders: derived order month and receipt lag; indexes of the one-pass refresh",
         change=_orders_derived),
    Step(10, "PostgreSQL: the marts' statistics gathered with the owner's rights after each refresh",
         change=_analyze_function),
    Step(11, "PostgreSQL: each mart's statistics gathered as soon as it is written (one table at a time)",
         change=_analyze_mart_function),
    Step(12, "accounts: signed-in browsers (session tokens kept as hashes)", (S.user_sessions,)),
    Step(13, "products: the unit counted (计量单位)", change=_product_unit),
    Step(14, "uploads: the reason a file was refused", change=_upload_reason),
    Step(15, "regions: the prefecture-level unit of each (units directly under a province, cities without counties)",
         change=_region_prefecture),
    Step(16, "marts: each institution's monthly series (its scorecard reads the delivery rate as indicator 2 defines it)",
         (S.mart_institution_monthly,), change=_new_mart),
    Step(17, "settings: red_flag_min_indicators becomes red_flag_min_flags (red flags count ladder flags only)",
         change=_red_flag_setting),
    Step(18, "casework: actions on cases of five kinds with deadlines; the ladder read live (mart_ladder); delivery by "
             "institution level (mart_area_levels)", (S.mart_ladder, S.mart_area_levels), change=_casework),
    Step(19, "the two dockings: accounts of enterprises and institutions, complaints raised in the app, each "
             "enterprise's supply by institution and product (mart_enterprise_products)",
         (S.mart_enterprise_products,), change=_dockings),
    Step(20, "the quarterly notification (notices); for what waits: since when institutions are red-flagged "
             "(red_flags_since), the sign-in before the last (users.previous_login_at)",
         (S.notices, S.red_flags_since), change=_notices),
    Step(21, "PostgreSQL: a large import into an empty data table written beside it and swapped in at the commit "
             "(functions with the owner's rights)", change=_load_beside_functions),
    Step(22, "views: the number of agreement periods in force (rounds of different dates each run on their own "
             "schedule)", change=_period_count),
    Step(23, "area flags: the imbalance between institution levels (level_gap); primary care compared with secondary "
             "and tertiary institutions (stored views computed again)", change=_new_mart),
)

HEAD = STEPS[-1].version


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(S.schema_version.c.version), 0))).scalar_one()


def upgrade(engine: sa.Engine, target: int = HEAD) -> list[int]:
    """Bring the store to `target`; return the versions applied. A store already there is known by one look at
    its version (every open of a store asks)."""
    with engine.connect() as conn:
        if current_version(conn) >= target:
            return []
    applied = []
    with engine.begin() as conn:
        S.schema_version.create(conn, checkfirst=True)
    for step in STEPS:
        if step.version > target:
            break
        with engine.begin() as conn:
            if current_version(conn) >= step.version:
                continue
            if step.change is not None:  # in-place changes first, then the step's new tables
                step.change(conn)
            for table in step.tables:
                table.create(conn, checkfirst=True)
            conn.execute(S.schema_version.insert().values(
                version=step.version, description=step.description, applied_at=clock.now()))
        applied.append(step.version)
    return applied
