"""The store's tables (SQLAlchemy Core). Keys and constraints live here, in the schema.

Data tables follow the standard extract (core/policy/extract.py) column for column, so an
extract maps onto them one to one. `core/store/migrations.py` decides which of these
tables each schema version creates.
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from core.policy import extract as F
from core.policy.cases import ALL_STATUSES as CASE_STATUSES, KINDS as CASE_KINDS

metadata = sa.MetaData()


def _in(col: str, values: tuple[str, ...], nullable: bool = False) -> sa.CheckConstraint:
    allowed = ", ".join("'" + v + "'" for v in values)
    expr = f"{col} IN ({allowed})"
    if nullable:
        expr = f"{col} IS NULL OR {expr}"
    return sa.CheckConstraint(expr, name=f"ck_{col}_domain")


CODE = sa.String(32)
QTY = sa.Double()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

regions = sa.Table(
    "regions", metadata,
    sa.Column("region_code", sa.String(6), primary_key=True),
    sa.Column("region_name", sa.String(64), nullable=False),
    sa.Column("region_level", sa.String(8), nullable=False),
    sa.Column("parent_code", sa.String(6), sa.ForeignKey("regions.region_code"), nullable=True),
    # The prefecture-level unit the region lies in (core.policy.regions.prefecture_of): a city's own code, a county's city,
    # or the county itself when it lies directly under the province; none for the province.
    sa.Column("prefecture_code", sa.String(6), nullable=True),
    sa.Column("label_lon", sa.Double, nullable=True),
    sa.Column("label_lat", sa.Double, nullable=True),
    sa.CheckConstraint("region_level IN ('province', 'city', 'county')", name="ck_region_level"),
    sa.Index("ix_regions_parent", "parent_code"),
)

enterprises = sa.Table(
    "enterprises", metadata,
    sa.Column("enterprise_code", CODE, primary_key=True),
    sa.Column("enterprise_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(8), nullable=False),
    _in("role", F.ENTERPRISE_ROLES),
)

institutions = sa.Table(
    "institutions", metadata,
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("institution_name", sa.String(200), nullable=False),
    sa.Column("county_code", sa.String(6), sa.ForeignKey("regions.region_code"), nullable=False),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("is_primary", sa.Boolean, nullable=False),
    sa.Column("ownership", sa.String(8), nullable=True),
    sa.Column("longitude", sa.Double, nullable=True),
    sa.Column("latitude", sa.Double, nullable=True),
    _in("level", F.LEVELS),
    _in("category", F.INSTITUTION_CATEGORIES),
    _in("ownership", F.OWNERSHIPS, nullable=True),
    sa.Index("ix_institutions_county", "county_code"),
)

products = sa.Table(
    "products", metadata,
    sa.Column("product_code", CODE, primary_key=True),
    sa.Column("generic_name", sa.String(100), nullable=False),
    sa.Column("dosage_form", sa.String(50), nullable=False),
    sa.Column("specification", sa.String(100), nullable=True),
    sa.Column("category", sa.String(8), nullable=False),
    sa.Column("manufacturer_code", CODE, sa.ForeignKey("enterprises.enterprise_code"), nullable=False),
    sa.Column("vbp_batch", sa.String(50), nullable=True),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("substitute_generic", sa.String(100), nullable=True),
    sa.Column("substitution_degree", sa.String(16), nullable=True),
    sa.Column("unit", sa.String(8), nullable=True),  # 计量单位 (added by version 13): 盒 and 个 count whole pieces
    _in("category", F.PRODUCT_CATEGORIES),
    _in("status", F.PRODUCT_STATUSES),
    _in("substitution_degree", F.SUBSTITUTION_DEGREES, nullable=True),
    sa.CheckConstraint("status <> '可替代' OR (substitute_generic IS NOT NULL AND substitution_degree IS NOT NULL)",
                       name="ck_substitute_fields"),
)

agreements = sa.Table(
    "agreements", metadata,
    sa.Column("institution_code", CODE, sa.ForeignKey("institutions.institution_code"), primary_key=True),
    sa.Column("product_code", CODE, sa.ForeignKey("products.product_code"), primary_key=True),
    sa.Column("period_start", sa.Date, primary_key=True),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("reported_qty", QTY, nullable=False),
    sa.Column("prior_year_qty", QTY, nullable=False),
    sa.Column("agreed_qty", QTY, nullable=False),
    sa.Column("distributor_code", CODE, sa.ForeignKey("enterprises.enterprise_code"), nullable=True),
    sa.CheckConstraint("period_end > period_start", name="ck_agreement_period"),
    sa.CheckConstraint("reported_qty >= 0 AND prior_year_qty >= 0 AND agreed_qty >= 0", name="ck_agreement_qty"),
    sa.Index("ix_agreements_product", "product_code"),
)

orders = sa.Table(
    "orders", metadata,
    sa.Column("order_id", sa.String(40), primary_key=True),
    sa.Column("institution_code", CODE, sa.ForeignKey("institutions.institution_code"), nullable=False),
    sa.Column("product_code", CODE, sa.ForeignKey("products.product_code"), nullable=False),
    sa.Column("distributor_code", CODE, sa.ForeignKey("enterprises.enterprise_code"), nullable=True),
    sa.Column("order_date", sa.Date, nullable=False),
    sa.Column("order_qty", QTY, nullable=False),
    sa.Column("unit_price", QTY, nullable=True),
    sa.Column("channel", sa.String(4), nullable=False),
    sa.Column("delivered_qty", QTY, nullable=True),
    sa.Column("delivery_date", sa.Date, nullable=True),
    sa.Column("receipt_date", sa.Date, nullable=True),
    # Derived when rows are written (core.store.db, `derive`), never uploaded: the refresh's one pass groups by
    # month without sorting, and late receipts are found by index. Added by version 9.
    sa.Column("order_month", sa.Integer, nullable=True),  # YYYYMM
    sa.Column("receipt_lag", sa.Integer, nullable=True),  # days from delivery to receipt
    _in("channel", F.CHANNELS),
    sa.CheckConstraint("order_qty > 0", name="ck_order_qty"),
    sa.CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="ck_order_price"),
    sa.CheckConstraint("delivered_qty IS NULL OR (delivered_qty >= 0 AND delivered_qty <= order_qty)",
                       name="ck_order_delivered"),
    sa.CheckConstraint("delivery_date IS NULL OR delivery_date >= order_date", name="ck_order_delivery_date"),
    sa.CheckConstraint("receipt_date IS NULL OR (delivery_date IS NOT NULL AND receipt_date >= delivery_date)",
                       name="ck_order_receipt_date"),
    # The refresh's one pass reads this index alone, in its order (version 9; before: ix_orders_inst_prod).
    sa.Index("ix_orders_pass", "institution_code", "product_code", "distributor_code", "order_month", "order_date",
             "order_qty", "delivered_qty", "delivery_date"),
    sa.Index("ix_orders_product_qty", "product_code", "order_date", "order_qty"),  # order-size quartiles
    sa.Index("ix_orders_date", "order_date"),  # the first and latest order, date windows (added by version 8)
    sa.Index("ix_orders_receipt_lag", "receipt_lag"),  # late receipt confirmations
    sa.Index("ix_orders_unconfirmed", "institution_code", sqlite_where=sa.text("receipt_date IS NULL AND delivery_date IS NOT NULL"),
             postgresql_where=sa.text("receipt_date IS NULL AND delivery_date IS NOT NULL")),
    sa.Index("ix_orders_offline", "institution_code", sqlite_where=sa.text("channel = '线下'"),
             postgresql_where=sa.text("channel = '线下'")),
)

ORDERS_DERIVED = ("order_month", "receipt_lag")
LEGACY_ORDER_INDEXES = ("ix_orders_inst_prod", "ix_orders_product")


def _month(days: pd.Series) -> pd.Series:
    return (days.dt.year * 100 + days.dt.month).astype("Int64")  # 202603 for March 2026


def derive(table: sa.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a table derives from its own when rows are written (orders only)."""
    if table.name != "orders" or "order_date" not in frame:
        return frame
    out = frame.copy()
    none = pd.Series(pd.NaT, index=out.index)
    ordered = pd.to_datetime(out["order_date"], errors="coerce")
    delivered = pd.to_datetime(out["delivery_date"], errors="coerce") if "delivery_date" in out else none
    received = pd.to_datetime(out["receipt_date"], errors="coerce") if "receipt_date" in out else none
    out["order_month"] = _month(ordered)
    out["receipt_lag"] = (received - delivered).dt.days.astype("Int64")
    return out

baseline = sa.Table(
    "baseline", metadata,
    sa.Column("institution_code", CODE, sa.ForeignKey("institutions.institution_code"), primary_key=True),
    sa.Column("product_code", CODE, sa.ForeignKey("products.product_code"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("prior_year_qty", QTY, nullable=False),
    sa.CheckConstraint("prior_year_qty >= 0", name="ck_baseline_qty"),
)

complaints = sa.Table(
    "complaints", metadata,
    sa.Column("complaint_id", sa.String(40), primary_key=True),
    sa.Column("institution_code", CODE, sa.ForeignKey("institutions.institution_code"), nullable=False),
    sa.Column("enterprise_code", CODE, sa.ForeignKey("enterprises.enterprise_code"), nullable=False),
    sa.Column("product_code", CODE, sa.ForeignKey("products.product_code"), nullable=True),
    sa.Column("issue_type", sa.String(8), nullable=False),
    sa.Column("raised_date", sa.Date, nullable=False),
    sa.Column("reply_date", sa.Date, nullable=True),
    sa.Column("promised_date", sa.Date, nullable=True),
    sa.Column("resolved_date", sa.Date, nullable=True),
    _in("issue_type", F.ISSUE_TYPES),
    sa.CheckConstraint("reply_date IS NULL OR reply_date >= raised_date", name="ck_complaint_reply"),
    sa.CheckConstraint("promised_date IS NULL OR (reply_date IS NOT NULL AND promised_date >= reply_date)",
                       name="ck_complaint_promised"),
    sa.CheckConstraint("resolved_date IS NULL OR resolved_date >= raised_date", name="ck_complaint_resolved"),
    sa.Index("ix_complaints_enterprise", "enterprise_code"),
    # Raised in the app (诉求对接, added by version 19) or imported: an import never overwrites a complaint raised in the
    # app. What the institution wrote, the enterprise's reply, and the institution's word on the resolution.
    sa.Column("source", sa.String(8), nullable=False, server_default="import"),  # import | app
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("reply_text", sa.Text, nullable=True),
    sa.Column("confirmation", sa.String(8), nullable=True),  # 已确认 | 有异议
    sa.Column("confirmation_date", sa.Date, nullable=True),
    sa.Column("confirmation_note", sa.Text, nullable=True),
    sa.Column("raised_by", sa.String(64), nullable=True),
    sa.Column("replied_by", sa.String(64), nullable=True),
)
COMPLAINT_COLUMNS_V19 = ("source", "description", "reply_text", "confirmation", "confirmation_date",
                         "confirmation_note", "raised_by", "replied_by")

# What the demo generator planted, so tests can check each problem is found.
demo_manifest = sa.Table(
    "demo_manifest", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("flag_id", sa.String(40), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("subject_code", CODE, nullable=False),
    sa.Column("detail_code", sa.String(120), nullable=False, server_default=""),
    sa.Column("severity", sa.String(8), nullable=True),
    sa.Column("note", sa.String(200), nullable=False, server_default=""),
)

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("area_code", sa.String(6), sa.ForeignKey("regions.region_code"), nullable=True),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sso_subject", sa.String(200), nullable=True, unique=True),  # added by version 7
    sa.Column("last_login_at", sa.DateTime, nullable=True),  # added by version 7
    sa.Column("password_changed_at", sa.DateTime, nullable=True),  # added by version 7
    # The two dockings (added by version 19): an enterprise's or an institution's own account, tied to it; an account
    # made with an initial password changes it at its first sign-in.
    sa.Column("enterprise_code", CODE, nullable=True),
    sa.Column("institution_code", CODE, nullable=True),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("previous_login_at", sa.DateTime, nullable=True),  # the sign-in before the last (added by version 20)
    sa.CheckConstraint("role IN ('leader', 'city_officer', 'county_officer', 'analyst', 'admin', 'enterprise', "
                       "'institution')", name="ck_user_role"),
    sa.CheckConstraint("(role = 'enterprise') = (enterprise_code IS NOT NULL) AND "
                       "(role = 'institution') = (institution_code IS NOT NULL)", name="ck_user_entity"),
    sa.Index("ix_users_enterprise", "enterprise_code"),
    sa.Index("ix_users_institution", "institution_code"),
)

USER_COLUMNS_V7 = ("sso_subject", "last_login_at", "password_changed_at")

# A signed-in browser (added by version 12): the cookie holds a random token, the store only its SHA-256. A
# session is made at sign-in with a one-time hand-over code (its hash here) that the browser exchanges, once and
# within minutes, for the cookie; it ends at sign-out, after the idle timeout, or when the account is disabled or
# its password reset (revoked_at).
user_sessions = sa.Table(
    "user_sessions", metadata,
    sa.Column("session_id", sa.String(32), primary_key=True),  # known to the server only, never sent out
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("handoff_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("handoff_until", sa.DateTime, nullable=True),
    sa.Column("source", sa.String(8), nullable=False),  # web | sso
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.Column("revoked_reason", sa.String(16), nullable=True),
    sa.Index("ix_user_sessions_user", "username"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=True),
    sa.Column("scope", sa.String(6), nullable=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.String(200), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.String(40), nullable=False, server_default="ok"),
    sa.Index("ix_audit_at", "at"),
)

# Casework (added by version 2, rebuilt by version 18): every action an officer records on a case, so a case's history
# is its rows and its state the latest of them (core.policy.cases). A case is its kind and subject, and for an
# explanation the flag and product (flag_id, detail_code); for an area case the flag.
actions = sa.Table(
    "actions", metadata,
    sa.Column("action_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_kind", sa.String(12), nullable=False),  # ladder | tier | explanation | area | complaint
    sa.Column("subject_code", sa.String(40), nullable=False),  # institution, enterprise, region or complaint
    sa.Column("flag_id", sa.String(40), nullable=False, server_default=""),
    sa.Column("detail_code", sa.String(120), nullable=False, server_default=""),
    sa.Column("quarter", sa.String(7), nullable=False),  # e.g. 2026Q3
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),  # for 已说明: the institution's explanation
    sa.Column("action_date", sa.Date, nullable=False),
    sa.Column("deadline", sa.Date, nullable=True),  # 整改期限 / the explanation's due date, when the officer set one
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    # A record made by mistake is withdrawn by its officer, never deleted: it stays in the history, marked.
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    sa.Column("withdrawn_by", sa.String(64), nullable=True),
    sa.Column("withdrawn_reason", sa.Text, nullable=True),
    _in("case_kind", tuple(CASE_KINDS)),
    _in("status", CASE_STATUSES),
    sa.Index("ix_actions_case", "case_kind", "subject_code"),
)

# The quarterly notification (通报, 二（七）): each document generated, what it lists and until when it asks for
# rectification; an officer's confirmation that it was issued (its 文号) records 已通报 on the institutions listed.
notices = sa.Table(
    "notices", metadata,
    sa.Column("notice_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("quarter", sa.String(7), nullable=False),  # e.g. 2026Q3
    sa.Column("area_code", sa.String(6), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),  # the quarter's end: the figures it reports
    sa.Column("deadline", sa.Date, nullable=False),  # 整改期限 stated in the document
    sa.Column("institutions", sa.Text, nullable=False, server_default=""),  # codes listed, comma-separated
    sa.Column("count_institutions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("generated_by", sa.String(64), nullable=False),
    sa.Column("generated_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(8), nullable=False, server_default="draft"),
    sa.Column("doc_number", sa.String(60), nullable=True),  # 文号, given when issued
    sa.Column("issued_by", sa.String(64), nullable=True),
    sa.Column("issued_at", sa.DateTime, nullable=True),
    sa.Column("void_reason", sa.Text, nullable=True),  # why a draft was set aside (a newer one, discarded by hand)
    sa.CheckConstraint("status IN ('draft', 'issued', 'void')", name="ck_notice_status"),
    sa.Index("ix_notices_quarter", "quarter", "area_code"),
)

# Since when each institution red-flagged at the latest figures has been so (written with the default view): what is
# new to an officer since the last sign-in (待办).
red_flags_since = sa.Table(
    "red_flags_since", metadata,
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("since_at", sa.DateTime, nullable=False),
)

uploads = sa.Table(
    "uploads", metadata,
    sa.Column("upload_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("rows_json", sa.Text, nullable=False, server_default="{}"),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),  # why it was refused (added by version 14)
    sa.CheckConstraint("outcome IN ('imported', 'rejected', 'dry_run')", name="ck_upload_outcome"),
)

settings_table = sa.Table(
    "settings", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=True),
)

# The tables of the standard extract, by sheet name.
DATA_TABLES: dict[str, sa.Table] = {
    "institutions": institutions, "enterprises": enterprises, "products": products,
    "agreements": agreements, "orders": orders, "baseline": baseline, "complaints": complaints,
}

# -- marts: small tables the pages read, computed by core.refresh.marts --------------------------
# A view is one set of filters (as-of date T, product category); every mart row belongs to
# one view. The default view (latest T, all categories) is rewritten after every import or
# demo load; others are computed when a page first asks for them and dropped when the data change.
mart_views = sa.Table(
    "mart_views", metadata,
    sa.Column("view_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("category", sa.String(8), nullable=False, server_default=""),  # "" = every category
    sa.Column("data_version", sa.String(20), nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("schedule", sa.Double, nullable=False),
    # The agreement periods in force at as_of (rounds of different dates, version 22): above one, each agreement
    # runs on its own schedule and `schedule` is only the pooled period's (earliest start to latest end).
    sa.Column("period_count", sa.Integer, nullable=False, server_default="1"),
    sa.Column("computed_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("as_of", "category", "data_version", name="uq_mart_views_key"),
)


def _mart(name: str, *columns, **kw) -> sa.Table:
    """A mart table: its rows belong to a view (view_id is the first key column)."""
    return sa.Table(name, metadata, sa.Column("view_id", sa.Integer, primary_key=True), *columns, **kw)


mart_flags = _mart(
    "mart_flags",
    sa.Column("flag_id", sa.String(40), primary_key=True),
    sa.Column("level", sa.String(16), primary_key=True),
    sa.Column("subject_code", CODE, primary_key=True),
    sa.Column("detail_code", sa.String(120), primary_key=True),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("threshold", sa.Double, nullable=True),
    sa.CheckConstraint("severity IN ('warning', 'serious', 'severe')", name="ck_mart_flag_severity"),
    sa.Index("ix_mart_flags_subject", "view_id", "subject_code"),
)

mart_indicators = _mart(
    "mart_indicators",
    sa.Column("level", sa.String(16), primary_key=True),  # institution | county | city | province | enterprise
    sa.Column("subject_code", CODE, primary_key=True),
    sa.Column("indicator_id", sa.String(16), primary_key=True),
    sa.Column("numerator", sa.Double, nullable=False),
    sa.Column("denominator", sa.Double, nullable=False),
    sa.Column("value", sa.Double, nullable=True),  # empty when the denominator is 0
    sa.Column("count_flagged", sa.Integer, nullable=False),
)

mart_inst_product = _mart(
    "mart_inst_product",
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("product_code", CODE, primary_key=True),
    sa.Column("purchased_qty", sa.Double, nullable=False),
    sa.Column("rate_order_qty", sa.Double, nullable=False),
    sa.Column("rate_delivered_qty", sa.Double, nullable=False),
    sa.Column("count_orders", sa.Integer, nullable=False),
    sa.Column("agreed_qty", sa.Double, nullable=True),
    sa.Column("reported_qty", sa.Double, nullable=True),
    sa.Column("prior_year_qty", sa.Double, nullable=True),
    sa.Column("baseline_qty", sa.Double, nullable=True),
    sa.CheckConstraint("rate_delivered_qty <= rate_order_qty", name="ck_mart_delivered"),
)

mart_enterprises = _mart(
    "mart_enterprises",
    sa.Column("enterprise_code", CODE, primary_key=True),
    sa.Column("delivered_qty", sa.Double, nullable=True),
    sa.Column("ordered_qty", sa.Double, nullable=True),
    sa.Column("delivery_rate", sa.Double, nullable=True),
    sa.Column("count_complaints", sa.Integer, nullable=True),
    sa.Column("count_timely", sa.Integer, nullable=True),
    sa.Column("timely_rate", sa.Double, nullable=True),
    sa.Column("delivery_tier", sa.String(1), nullable=True),
    sa.Column("complaint_tier", sa.String(1), nullable=True),  # only with tier_complaint_min counted complaints
    sa.Column("tier", sa.String(1), nullable=True),  # the worst of the three
    # Non-cooperation recorded in the period and the tier it gives (added by version 18).
    sa.Column("count_uncooperative", sa.Integer, nullable=False, server_default="0"),
    sa.Column("cooperation_tier", sa.String(1), nullable=True),
)

mart_areas = _mart(
    "mart_areas",
    sa.Column("region_code", sa.String(6), primary_key=True),
    sa.Column("region_level", sa.String(8), nullable=False),
    sa.Column("primary_delivered_qty", sa.Double, nullable=False),
    sa.Column("primary_ordered_qty", sa.Double, nullable=False),
    sa.Column("others_delivered_qty", sa.Double, nullable=False),
    sa.Column("others_ordered_qty", sa.Double, nullable=False),
    sa.Column("count_institutions", sa.Integer, nullable=False),
    sa.Column("count_red_flag", sa.Integer, nullable=False),
)

# The institutions holding a ladder flag at T, at the last month's end and at the last quarter's end (those in the
# period): what the measures ladder reads, with the recorded actions, when a page asks (core.read.cases). Replaced
# mart_red_flags (version 18), whose steps were fixed until the next refresh.
mart_ladder = _mart(
    "mart_ladder",
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("score", sa.Double, nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),  # the worst of its ladder flags
    sa.Column("is_red", sa.Boolean, nullable=False),
)

# Delivery by institution level (三级, 二级, 一级, 未定级) and of primary institutions in every area (不同等级医疗机构
# 供应不平衡, 二（五）), over the orders of indicator 2. Added by version 18.
mart_area_levels = _mart(
    "mart_area_levels",
    sa.Column("region_code", sa.String(6), primary_key=True),
    sa.Column("level", sa.String(8), primary_key=True),  # a level of the extract, or 基层 (primary institutions)
    sa.Column("delivered_qty", sa.Double, nullable=False),
    sa.Column("ordered_qty", sa.Double, nullable=False),
    sa.Column("count_institutions", sa.Integer, nullable=False),
)

def _monthly_sums() -> list[sa.Column]:
    """The sums of a monthly series (core.refresh.monthly.SUMS), as new columns for a table."""
    return [sa.Column(name, sa.Integer if name.startswith("count_") else sa.Double, nullable=False)
            for name in ("agreed_order_qty", "agreed_delivered_qty", "selected_qty", "nonselected_qty", "count_orders",
                         "count_complaints", "count_timely")]


mart_monthly = _mart(
    "mart_monthly",
    sa.Column("region_code", sa.String(6), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),  # YYYY-MM of the order (or the complaint)
    sa.Column("region_level", sa.String(8), nullable=False),
    *_monthly_sums(),
)

# The same sums for each institution by month: the institution's scorecard, and what mart_monthly adds up.
mart_institution_monthly = _mart(
    "mart_institution_monthly",
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    *_monthly_sums(),
)

mart_snapshots = _mart(
    "mart_snapshots",
    sa.Column("as_of", sa.Date, primary_key=True),
    sa.Column("region_code", sa.String(6), primary_key=True),
    sa.Column("metric", sa.String(32), primary_key=True),
    sa.Column("value", sa.Double, nullable=True),
)

# Every complaint raised by T with its working-day timeliness at T.
mart_complaints = _mart(
    "mart_complaints",
    sa.Column("complaint_id", sa.String(40), primary_key=True),
    sa.Column("reply_workdays", sa.Double, nullable=True),
    sa.Column("promise_workdays", sa.Double, nullable=True),
    sa.Column("reply_late", sa.Boolean, nullable=False),
    sa.Column("unresolved", sa.Boolean, nullable=False),
    sa.Column("timely", sa.Boolean, nullable=False),
    sa.Column("counted", sa.Boolean, nullable=False),
)

# Each enterprise's deliveries to each institution (supplier-tier view on the map).
mart_enterprise_institutions = _mart(
    "mart_enterprise_institutions",
    sa.Column("enterprise_code", CODE, primary_key=True),
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("delivered_qty", sa.Double, nullable=False),
    sa.Column("ordered_qty", sa.Double, nullable=False),
)

# Each enterprise's supply of each of its products to each institution holding an agreement for it: as the
# manufacturer (every order of the product) and as the distributor (the orders it delivered). What an enterprise's own
# account reads (用量对接, 二（三）); mart_enterprise_institutions is its sum over products. Added by version 19.
mart_enterprise_products = _mart(
    "mart_enterprise_products",
    sa.Column("enterprise_code", CODE, primary_key=True),
    sa.Column("institution_code", CODE, primary_key=True),
    sa.Column("product_code", CODE, primary_key=True),
    sa.Column("purchased_qty", sa.Double, nullable=False),
    sa.Column("ordered_qty", sa.Double, nullable=False),  # the delivery-rate window (indicator 2)
    sa.Column("delivered_qty", sa.Double, nullable=False),
    sa.Index("ix_mart_enterprise_products_enterprise", "view_id", "enterprise_code"),
)

MART_TABLES = (mart_flags, mart_indicators, mart_inst_product, mart_enterprises, mart_areas, mart_ladder,
               mart_monthly, mart_snapshots, mart_enterprise_institutions, mart_complaints, mart_institution_monthly,
               mart_area_levels, mart_enterprise_products)
# Names of the mart tables of schema versions 3 to 5 (before views), dropped by version 6.
LEGACY_MARTS = ("mart_flags", "mart_indicators", "mart_inst_product", "mart_enterprises", "mart_areas",
                "mart_red_flags", "mart_monthly", "mart_snapshots", "mart_enterprise_counties")
