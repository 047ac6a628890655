"""What the map page shows for one area: its figures against the level above, its children
with the chosen layer's values, and, at county level, its institutions."""
from __future__ import annotations

import pandas as pd

from core.policy import regions
from core.policy import indicators as I
from core.policy.indicators import rate
from core.present import flagtext, maps
from core.read import monitoring
from core.store.cache import cached
from core.store.view import View

LEVEL_OF_CHILDREN = {"province": "city", "city": "county"}
GAP = "gap"
LEVEL_GAP = "level_gap"
RED = "red_flag"
ENTERPRISE = "enterprise"


def layers() -> tuple[str, ...]:
    """The map's layers: every indicator of the registry, then the two imbalances (primary care's, between levels),
    red flags and an enterprise's delivery."""
    return tuple(i.id for i in I.INDICATORS) + (GAP, LEVEL_GAP, RED, ENTERPRISE)


def kind_of(layer: str) -> str:
    """What a layer's value is on the map (core.present.maps): a percent (an indicator, rate or ratio as the
    registry says, an enterprise's delivery rate), a count (red-flag institutions) or a number (points of
    imbalance)."""
    if any(i.id == layer for i in I.INDICATORS):
        return "percent" if I.indicator(layer).kind in I.KINDS else "number"
    return {RED: "count", GAP: "number", LEVEL_GAP: "number"}.get(layer, "percent")


def is_rate(layer: str) -> bool:
    return kind_of(layer) == "percent"


def warning_line(view: View, layer: str) -> float | None:
    """The line a layer's rate should reach (an indicator that asks at least its threshold in force, the schedule
    for progress when one is in force; an enterprise's delivery, the delivery threshold): values under it are drawn
    in reds. None for the others."""
    settings = view.store.settings()
    if layer == ENTERPRISE:
        return float(settings["delivery_rate_warning"])
    if not any(i.id == layer for i in I.INDICATORS) or kind_of(layer) != "percent":
        return None
    ind = I.indicator(layer)
    if ind.direction != "min":
        return None
    bar = flagtext.threshold_in_force(ind, settings, view.info.one_schedule)
    return None if bar is None else float(bar)


@cached
def area_figures(view: View, parent_code: str | None) -> pd.DataFrame:
    """Each indicator for the area and, when the viewer may see it, the level above."""
    codes = [view.area] + ([parent_code] if parent_code and view.in_scope(parent_code) else [])
    levels = view.store.regions().set_index("region_code")["region_level"]
    rows = view.read("SELECT level, subject_code, indicator_id, numerator, denominator, value, count_flagged "
                     "FROM mart_indicators WHERE view_id = :v AND level IN ('province', 'city', 'county') "
                     "AND subject_code IN (" + ", ".join(f":c{i}" for i in range(len(codes))) + ")",
                     {f"c{i}": c for i, c in enumerate(codes)})
    # Each area at its own level (a county standing at the city level as itself has a row at both).
    rows = rows[rows["level"] == rows["subject_code"].map(levels)]
    mine = rows[rows["subject_code"] == view.area].set_index("indicator_id")
    parent = rows[rows["subject_code"] != view.area].set_index("indicator_id")
    out = []
    for ind in I.INDICATORS:
        if ind.id not in mine.index:
            continue
        r = mine.loc[ind.id]
        out.append({"indicator_id": ind.id, "numerator": r["numerator"], "denominator": r["denominator"],
                    "value": r["value"], "parent_value": parent["value"].get(ind.id) if len(parent) else None,
                    "count_flagged": int(r["count_flagged"])})
    return pd.DataFrame(out, columns=["indicator_id", "numerator", "denominator", "value", "parent_value", "count_flagged"])


def _rate(frame: pd.DataFrame) -> pd.Series:
    return rate(frame["delivered_qty"], frame["ordered_qty"])


@cached
def enterprise_rates(view: View, enterprise_code: str, child_level: str) -> pd.DataFrame:
    """An enterprise's delivery rate in each area one level below the view's area (supplier-tier view)."""
    key = "i.county_code" if child_level == "county" else "k.prefecture_code"
    frame = view.read(f"""SELECT {key} AS code, SUM(m.delivered_qty) AS delivered_qty, SUM(m.ordered_qty) AS ordered_qty
                          FROM mart_enterprise_institutions m JOIN institutions i ON i.institution_code = m.institution_code
                          JOIN regions k ON k.region_code = i.county_code
                          WHERE m.view_id = :v AND m.enterprise_code = :e AND {view.institutions_in_area()}
                          GROUP BY {key}""", {"e": enterprise_code})
    frame["value"] = _rate(frame)
    return frame[["code", "value"]]


@cached
def child_values(view: View, layer: str, enterprise_code: str | None = None) -> pd.DataFrame:
    """One row per area one level below the view's area: code, name, value of the layer, flagged
    count, red-flag count, institutions."""
    child_level = LEVEL_OF_CHILDREN[view.area_level]
    kids = view.read("SELECT region_code AS code, region_name AS name FROM regions WHERE parent_code = :area "
                     "ORDER BY region_code")
    areas = view.read("SELECT a.* FROM mart_areas a JOIN regions r ON r.region_code = a.region_code "
                      "WHERE a.view_id = :v AND r.parent_code = :area")
    kids = kids.merge(areas[["region_code", "count_red_flag", "count_institutions", "primary_delivered_qty",
                             "primary_ordered_qty", "others_delivered_qty", "others_ordered_qty"]],
                      left_on="code", right_on="region_code", how="left").drop(columns="region_code")
    if layer == GAP:
        primary = rate(kids["primary_delivered_qty"], kids["primary_ordered_qty"])
        others = rate(kids["others_delivered_qty"], kids["others_ordered_qty"])
        kids["value"] = (others - primary) * 100
        kids["count_flagged"] = None
    elif layer == LEVEL_GAP:  # the widest gap between two levels' rates, where two levels have one
        gaps = monitoring.level_balance(view).set_index("region_code")["level_gap_points"]
        kids["value"] = kids["code"].map(gaps).astype(float)
        kids["count_flagged"] = None
    elif layer == ENTERPRISE:
        kids = kids.merge(enterprise_rates(view, enterprise_code or "", child_level), on="code", how="left")
        kids["count_flagged"] = None
    elif layer == RED:
        kids["value"] = kids["count_red_flag"]
        kids["count_flagged"] = kids["count_red_flag"]
    else:
        ind = view.read("SELECT m.subject_code AS code, m.value, m.count_flagged FROM mart_indicators m "
                        "JOIN regions r ON r.region_code = m.subject_code "
                        "WHERE m.view_id = :v AND m.level = :l AND m.indicator_id = :i AND r.parent_code = :area",
                        {"l": child_level, "i": layer})
        kids = kids.merge(ind, on="code", how="left")
    return kids[["code", "name", "value", "count_flagged", "count_red_flag", "count_institutions"]]


@cached
def institutions_in(view: View, layer: str, enterprise_code: str | None = None) -> pd.DataFrame:
    """Institutions of the view's area with coordinates, the layer's value and their red-flag score."""
    inst = view.read(f"""SELECT i.institution_code AS code, i.institution_name AS name, i.level, i.category,
                                i.is_primary, i.longitude, i.latitude, l.score
                         FROM institutions i
                         LEFT JOIN mart_ladder l ON l.view_id = :v AND l.institution_code = i.institution_code
                              AND l.as_of = :t AND l.is_red
                         WHERE {view.institutions_in_area()} ORDER BY i.institution_code""",
                     {"t": view.store.day(view.as_of)})
    if layer == ENTERPRISE:
        rates = view.read(f"""SELECT m.institution_code AS code, m.delivered_qty, m.ordered_qty
                              FROM mart_enterprise_institutions m JOIN institutions i ON i.institution_code = m.institution_code
                              WHERE m.view_id = :v AND m.enterprise_code = :e AND {view.institutions_in_area()}""",
                          {"e": enterprise_code or ""})
        rates["value"] = _rate(rates)
        inst = inst.merge(rates[["code", "value"]], on="code", how="left")
    elif layer in (GAP, LEVEL_GAP, RED):
        inst["value"] = inst["score"]
    else:
        vals = view.read(f"""SELECT m.subject_code AS code, m.value FROM mart_indicators m
                             JOIN institutions i ON i.institution_code = m.subject_code
                             WHERE m.view_id = :v AND m.level = 'institution' AND m.indicator_id = :i
                               AND {view.institutions_in_area()}""", {"i": layer})
        inst = inst.merge(vals, on="code", how="left")
    inst["is_primary"] = inst["is_primary"].astype(bool)
    return inst


@cached
def children_deck(view: View, layer: str, enterprise_code: str | None = None) -> maps.Frozen:
    """The map of the areas one level below, coloured by the layer, pickable for the drill."""
    values = child_values(view, layer, enterprise_code)
    province = view.store.province_code
    deck = maps.areas_deck(regions.features(province, None, view.area),
                           dict(zip(values["code"], values["value"])), regions.frame_bounds(province, view.area),
                           "{name}: {value_text}", kind=kind_of(layer), below=warning_line(view, layer))
    return maps.Frozen(deck)


@cached
def institutions_deck(view: View, layer: str, enterprise_code: str | None = None) -> maps.Frozen:
    """A county's outline with its institutions, coloured by the layer's value or by red flags."""
    values = institutions_in(view, layer, enterprise_code)
    province = view.store.province_code
    outline = {"type": "FeatureCollection",
               "features": [f for f in regions.boundaries(province)["features"] if f["properties"]["code"] == view.area]}
    return maps.Frozen(maps.institutions_deck(outline, values.to_dict("records"), regions.frame_bounds(province, view.area),
                                              "{name}: {value_text}" if is_rate(layer) else "{name}",
                                              by_value=is_rate(layer), below=warning_line(view, layer)))
