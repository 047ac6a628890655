"""Exports: every table a page shows, as a workbook that says who exported it, when and from which
scope; each export is allowed by the role and written to the audit log."""
from __future__ import annotations

import pandas as pd

from core.access import audit
from core.access.roles import require, User
from core.present import xlsx
from core.present.flagtext import for_workbook


def signature(store, user: User) -> tuple[str, dict[str, str]]:
    """Who exported (for the workbook) and the scope it was exported from."""
    who = f"{user.display_name}（{user.username}）"
    if user.entity is not None:  # an enterprise's or institution's own account: its own part, not its province
        table, column = ("enterprises", "enterprise") if user.role == "enterprise" else ("institutions", "institution")
        name = store.read(f"SELECT {column}_name AS n FROM {table} WHERE {column}_code = :c", {"c": user.entity})
        return who, {"数据范围": f"{name['n'].iloc[0] if len(name) else ''}（{user.entity}）"}
    names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
    return who, {"数据范围": names.get(user.scope, user.scope)}


def sheets(store, user: User, target: str, parts: list[tuple[str, pd.DataFrame, dict[str, str]]],
           lead: tuple[str, str], context: dict[str, str] | None = None) -> bytes:
    """Sheets (name, rows, headers) as one workbook, signed with who exported it and from which scope after
    the `lead` line (what it is); the export is audited under `target`, with the first sheet's row count."""
    require(user, "export")
    who, scope = signature(store, user)
    data = xlsx.workbook(parts, who, {lead[0]: lead[1], **scope, **(context or {})})
    audit.record(store, user, "export", target=target, detail=f"{len(parts[0][1])} rows")
    return data


def table(store, user: User, title: str, frame: pd.DataFrame, headers: dict[str, str],
          context: dict[str, str] | None = None, lang: str = "zh", percent: tuple[str, ...] = ()) -> bytes:
    """One table as a workbook: its rows as they are (a table of flags with its values and thresholds as numbers
    in their units), rates in percent (the catalogue's and `percent`)."""
    rows, columns, formats = for_workbook(frame, headers, lang)
    return sheets(store, user, title, [(title[:31], rows, columns, {"percent": percent, "formats": formats})],
                  ("表格", title), context)
