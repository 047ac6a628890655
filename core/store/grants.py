"""Least privilege on PostgreSQL: what the app's database role may do, table by table.

The owner role creates and upgrades the schema (every `python -m core` command run by the operator);
the app's role reads everything it shows and writes only what the app writes: uploads into the data
tables, the marts, accounts, actions, uploads and an append-only audit log. It cannot create, alter or drop
anything, nor change or delete an audit entry. It may delete data rows: an import whose figures cannot be computed
is taken back out, and the first real import clears the demo (its rows, what was planted) in its transaction, or
puts the demo back when it is taken back; a role that may replace every row by key gains no power over the data by
that.
"""
from __future__ import annotations

from core.store import schema as S
from core.store.migrations import ANALYZE_MART, LOAD_BEGIN, LOAD_END

READ_ONLY = ("regions", "schema_version")
UPSERT = tuple(S.DATA_TABLES) + ("store_meta", "settings")  # insert, or replace by key (uploads, settings), or take
#   back (an import whose figures failed, the demo cleared by the first real import)
DEMO = ("demo_manifest",)  # what the demo planted: cleared with the demo, written again if that import is taken back
APPEND_ONLY = ("audit_log",)
HISTORY = ("uploads",)  # the upload history: an import's record becomes a refusal if the import is taken back
WORK = ("users", "user_sessions", "actions", "notices", "red_flags_since")  # accounts (sign-in counters, demo
#   accounts removed on import), signed-in browsers, recorded actions, notifications issued, red flags' first dates
REWRITTEN = tuple(t.name for t in (S.mart_views,) + S.MART_TABLES)  # the marts: rewritten by every refresh


def statements(role: str) -> list[str]:
    """GRANT statements for the app's role over the current schema (run them as the owner)."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"角色名只能含字母、数字和下划线 / a role name has letters, digits and _ only: {role}")
    out = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};",
           f"GRANT USAGE ON SCHEMA public TO {role};"]
    out += [f"GRANT SELECT ON {t} TO {role};" for t in READ_ONLY]
    out += [f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {role};" for t in UPSERT]
    out += [f"GRANT SELECT, INSERT, DELETE ON {t} TO {role};" for t in DEMO]
    out += [f"GRANT SELECT, INSERT ON {t} TO {role};" for t in APPEND_ONLY]
    out += [f"GRANT SELECT, INSERT, UPDATE ON {t} TO {role};" for t in HISTORY]
    out += [f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {role};" for t in WORK]
    out += [f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON {t} TO {role};" for t in REWRITTEN]  # the refresh empties them
    out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};")
    out.append(f"GRANT EXECUTE ON FUNCTION {ANALYZE_MART}(text) TO {role};")  # the marts' statistics in a refresh
    out += [f"GRANT EXECUTE ON FUNCTION {name}(text) TO {role};" for name in (LOAD_BEGIN, LOAD_END)]  # large imports
    return out


def covered() -> set[str]:
    return set(READ_ONLY) | set(UPSERT) | set(DEMO) | set(APPEND_ONLY) | set(HISTORY) | set(WORK) | set(REWRITTEN)
