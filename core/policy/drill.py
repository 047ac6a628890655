"""The drill-down: province -> prefecture-level units -> county-level units -> institutions, as pure functions
(a province's children are its cities and the county-level units directly under it, core.policy.regions).

The view is one area code (it lives in the URL as ?area=...); the path above it comes
from the regions' parents. A click on a child area moves down; a breadcrumb moves up.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str
    level: str


def path_to(regions: pd.DataFrame, code: str) -> list[Crumb]:
    """The breadcrumb from the province down to `code` (unknown codes give the province)."""
    by_code = regions.set_index("region_code")
    if code not in by_code.index:
        code = regions.loc[regions["region_level"] == "province", "region_code"].iloc[0]
    out = []
    current: str | None = code
    while current is not None and current in by_code.index:
        row = by_code.loc[current]
        out.append(Crumb(current, row["region_name"], row["region_level"]))
        parent = row["parent_code"]
        current = parent if isinstance(parent, str) else None
    return list(reversed(out))


def children(regions: pd.DataFrame, code: str) -> pd.DataFrame:
    return regions[regions["parent_code"] == code].sort_values("region_code")


def selected_code(event, layer_id: str = "areas") -> str | None:
    """The area code a map click chose, from st.pydeck_chart's selection state (or an injected dict)."""
    if event is None:
        return None
    selection = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    if not selection:
        return None
    objects = (selection.get("objects") if isinstance(selection, dict) else getattr(selection, "objects", {})) or {}
    picked = objects.get(layer_id) or []
    if not picked:
        return None
    props = picked[0].get("properties", picked[0])
    return props.get("code")


def move(regions: pd.DataFrame, current: str, clicked: str | None) -> str:
    """Where a click leads: into a child area of the current one, otherwise stay."""
    if clicked is None:
        return current
    kids = children(regions, current)
    return clicked if clicked in set(kids["region_code"]) else current
