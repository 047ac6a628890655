"""The overview and the data page: what the store holds in an area, headline tiles with their
change since last month, monthly series, the areas below ranked, and what got worse."""
from __future__ import annotations

import pandas as pd

from core.policy import regions
from core.policy.indicators import INDICATORS, indicator, with_monthly_values
from core.present import flagtext, maps
from core.present.i18n import percent_text, t
from core.store.cache import cached
from core.store.view import View

_BY_AREA = """
SELECT c.region_code AS area_code, c.region_name AS area_name,
       COUNT(DISTINCT i.institution_code) AS count_institutions,
       COUNT(DISTINCT CASE WHEN i.is_primary THEN i.institution_code END) AS count_primary,
       COUNT(DISTINCT k.region_code) AS count_counties
FROM regions c
JOIN regions k ON (k.parent_code = c.region_code OR k.region_code = c.region_code) AND k.region_level = 'county'
LEFT JOIN institutions i ON i.county_code = k.region_code
WHERE {areas}
GROUP BY c.region_code, c.region_name
ORDER BY c.region_code
"""


@cached
def counts_by_area(view: View) -> pd.DataFrame:
    """One row per area one level below the view's area (a county's own row at county level):
    institutions, primary institutions, counties, orders of the view's period."""
    areas = {"province": "c.parent_code = :area", "city": "c.parent_code = :area"}.get(view.area_level, "c.region_code = :area")
    base = view.read(_BY_AREA.format(areas=areas))
    key = "k.prefecture_code" if view.area_level == "province" else "k.region_code"
    orders = view.read(f"""SELECT {key} AS area_code, SUM(m.count_orders) AS count_orders, SUM(m.purchased_qty) AS order_qty
                           FROM mart_inst_product m JOIN institutions i ON i.institution_code = m.institution_code
                           JOIN regions k ON k.region_code = i.county_code
                           WHERE m.view_id = :v AND {view.institutions_in_area()} GROUP BY {key}""")
    out = base.merge(orders, on="area_code", how="left")
    out["count_orders"] = out["count_orders"].fillna(0).astype(int)
    out["order_qty"] = out["order_qty"].fillna(0.0)
    return out


@cached
def totals(view: View) -> dict[str, int]:
    """Institutions, enterprises, agreements and orders (of the view's period) in the area."""
    inside = view.institutions_in_area()
    row = view.read(f"""SELECT
        (SELECT COUNT(*) FROM institutions i WHERE {inside}) AS institutions,
        (SELECT COUNT(*) FROM enterprises WHERE enterprise_code IN {view.enterprises_in_area()}) AS enterprises,
        (SELECT COUNT(*) FROM agreements a JOIN institutions i ON i.institution_code = a.institution_code
           WHERE {inside} AND a.period_start <= :t AND a.period_end >= :t) AS agreements,
        (SELECT COALESCE(SUM(m.count_orders), 0) FROM mart_inst_product m
           JOIN institutions i ON i.institution_code = m.institution_code WHERE m.view_id = :v AND {inside}) AS orders""",
                    {"t": view.store.day(view.as_of)}).iloc[0]
    return {k: int(row[k]) for k in ("institutions", "enterprises", "agreements", "orders")}


@cached
def counts_deck(view: View, tooltip: str) -> maps.Frozen:
    """The map of 数据概况: the areas below the view's coloured by their institutions (its JSON made once for the
    view and the tooltip's language, not on every run of the page)."""
    fc = area_features(view, counts_by_area(view), "count_institutions")
    return maps.Frozen(maps.choropleth(fc, regions.frame_bounds(view.store.province_code, view.area), layer_id="areas",
                                       tooltip=tooltip))


def area_features(view: View, values: pd.DataFrame, value_column: str) -> dict:
    """The boundaries of the rows' areas (cities or counties) with a value in each feature's properties."""
    fc = regions.features(view.store.province_code, None, view.area if view.area_level != "county" else None)
    by_code = values.set_index("area_code")
    value = by_code[value_column]
    return {"type": "FeatureCollection",  # features of their own: the boundaries' are shared by every page and thread
            "features": [{**f, "properties": {**f["properties"], "value": float(value.get(f["properties"]["code"], 0))}}
                         for f in fc["features"] if f["properties"]["code"] in by_code.index]}


TILES = ("delivery", "progress", "nonselected", "complaint", "count_red_flag", "count_tier_cd")  # labels: tile.<metric>


def _kind(metric: str) -> str:
    """An indicator's tile reads as the registry says (rate or ratio); the others are counts."""
    return indicator(metric).kind if any(i.id == metric for i in INDICATORS) else "count"


@cached
def headline(view: View, lang: str = "zh") -> list[dict]:
    """The overview's tiles for the area: value at T and its change since the previous month's end."""
    snaps = view.read("SELECT as_of, metric, value FROM mart_snapshots WHERE view_id = :v AND region_code = :area")
    if snaps.empty:
        return []
    snaps["as_of"] = pd.to_datetime(snaps["as_of"]).dt.date
    dates = sorted(snaps["as_of"].unique())
    now = snaps[snaps["as_of"] == dates[-1]].set_index("metric")["value"]
    before = snaps[snaps["as_of"] == dates[0]].set_index("metric")["value"] if len(dates) > 1 else pd.Series(dtype=float)
    tiles = []
    for metric in TILES:
        kind = _kind(metric)
        if metric not in now.index:
            continue
        value = now[metric]
        previous = before.get(metric)
        change = None if previous is None or value != value or previous != previous else value - previous
        tiles.append({"metric": metric, "label": t(f"tile.{metric}", lang), "kind": kind, "value": value,
                      "previous": previous, "change": change, "as_of": dates[-1],
                      "previous_as_of": dates[0] if len(dates) > 1 else None})
    return tiles


def tile_text(tile: dict, lang: str = "zh") -> dict:
    """How a tile reads: its value, its change since last month as the tile shows it (a count as +n,
    a rate in percentage points to two places), the colour (more red flags or tier C/D enterprises is worse)
    and the arrow. A change that shows as nothing at that precision reads "no change", without an arrow."""
    change, count = tile["change"], tile["kind"] == "count"
    value = tile["value"]
    if count:
        shown = f"{value:.0f}"
        delta = None if change is None else round(change)
    else:
        shown = percent_text(value)
        delta = None if change is None else round(change * 100, 2)
    if delta is None:
        return {"value": shown, "delta": None, "color": "normal", "arrow": "auto"}
    if delta == 0:
        return {"value": shown, "delta": t("tile.same", lang), "color": "off", "arrow": "off"}
    text = f"{delta:+.0f}" if count else t("tile.points", lang).format(v=delta)
    return {"value": shown, "delta": text, "color": "inverse" if count else "normal", "arrow": "auto"}


def tile_alarm(tile: dict, settings, lang: str = "zh") -> str | None:
    """What a tile's value falls short of, whatever its change since last month: "低于预警线 80.0%" for a rate on
    the wrong side of its indicator's threshold in force, "落后于序时进度" for progress against plan below 100%;
    None for counts, a missing value or a value that meets it."""
    value = tile["value"]
    if tile["kind"] == "count" or value is None or value != value:
        return None
    ind = indicator(tile["metric"])
    bar = flagtext.threshold_in_force(ind, settings, 1.0)  # progress against plan: 100% is on schedule
    if bar is None or (value >= bar if ind.direction == "min" else value <= bar):
        return None
    if ind.threshold == "schedule":
        return t("tile.behind", lang)
    return t("tile.below" if ind.direction == "min" else "tile.above", lang).format(bar=percent_text(bar))


@cached
def monthly_rates(view: View) -> pd.DataFrame:
    """Per month for the area: the sums of the series and each indicator with a monthly series (delivery of
    agreed orders placed that month, selected share, timely resolution), in a column named by its id."""
    return with_monthly_values(
        view.read("SELECT * FROM mart_monthly WHERE view_id = :v AND region_code = :area ORDER BY month"))


@cached
def children_ranked(view: View) -> pd.DataFrame:
    """The areas one level down with their headline figures now and their change since last month."""
    kids = view.read("SELECT region_code, region_name, region_level FROM regions WHERE parent_code = :area")
    if kids.empty:
        return kids
    snaps = view.read("SELECT s.as_of, s.region_code, s.metric, s.value FROM mart_snapshots s "
                      "JOIN regions r ON r.region_code = s.region_code WHERE s.view_id = :v AND r.parent_code = :area")
    snaps["as_of"] = pd.to_datetime(snaps["as_of"]).dt.date
    dates = sorted(snaps["as_of"].unique())
    if not dates:
        return kids
    now = snaps[snaps["as_of"] == dates[-1]].pivot(index="region_code", columns="metric", values="value")
    out = kids.merge(now, left_on="region_code", right_index=True, how="left")
    if len(dates) > 1:
        before = snaps[snaps["as_of"] == dates[0]].pivot(index="region_code", columns="metric", values="value")
        for metric in ("delivery", "progress", "nonselected", "complaint", "count_red_flag"):
            if metric in before and metric in out:
                out[f"{metric}_change"] = out[metric] - out["region_code"].map(before[metric])
    return out.sort_values("delivery", kind="stable").reset_index(drop=True) if "delivery" in out else out


@cached
def institutions_ranked(view: View) -> pd.DataFrame:
    """An area without areas below it (a county): its institutions with their headline indicators at T (delivery,
    completion, selected share, timely resolution) and whether red-flagged, lowest delivery rate first
    (an institution without a delivery rate last)."""
    inside = view.institutions_in_area()
    frame = view.read(f"""SELECT i.institution_code, i.institution_name, m.indicator_id, m.value
                          FROM institutions i LEFT JOIN mart_indicators m ON m.subject_code = i.institution_code
                               AND m.view_id = :v AND m.level = 'institution'
                               AND m.indicator_id IN ('delivery', 'progress', 'nonselected', 'complaint')
                          WHERE {inside}""")
    red = set(view.read(f"""SELECT f.subject_code FROM mart_flags f JOIN institutions i
                                ON i.institution_code = f.subject_code
                            WHERE f.view_id = :v AND f.flag_id = 'red_flag' AND {inside}""")["subject_code"])
    names = frame.drop_duplicates("institution_code")[["institution_code", "institution_name"]]
    values = frame.dropna(subset=["indicator_id"]).pivot(index="institution_code", columns="indicator_id",
                                                         values="value")
    out = names.merge(values, left_on="institution_code", right_index=True, how="left")
    for metric in ("delivery", "progress", "nonselected", "complaint"):
        if metric not in out:
            out[metric] = float("nan")
        out[metric] = out[metric].astype(float)
    out["is_red"] = out["institution_code"].isin(red)
    out = out.rename(columns={"progress": "completion"})  # an institution's progress: its completion (bought / agreed)
    return out.sort_values(["delivery", "institution_code"], kind="stable", na_position="last").reset_index(drop=True)


def got_worse(ranked: pd.DataFrame, min_fall: float = 0.0) -> pd.DataFrame:
    """Areas whose delivery rate fell (by `min_fall` or more, a rate: 0.005 is half a point) or whose red-flag
    count rose since last month, worst first; the delivery rate's change also in percentage points
    (`delivery_change_points`), as the tiles give it."""
    cols = [c for c in ("delivery_change", "count_red_flag_change") if c in ranked]
    if not cols:
        return ranked.iloc[0:0]
    change = ranked.get("delivery_change", pd.Series(0.0, index=ranked.index))
    fell = (change < 0) & (change <= -min_fall + 1e-12)  # exactly min_fall counts (rates differ in the last bits)
    worse = ranked[fell | (ranked.get("count_red_flag_change", 0) > 0)]
    worse = worse.sort_values(cols[0], kind="stable")
    if "delivery_change" in worse:
        worse = worse.assign(delivery_change_points=worse["delivery_change"] * 100)
    return worse


@cached
def institutions_by_category(view: View) -> pd.DataFrame:
    """The area's institutions by category and level: how many, how many primary care, their orders of the period."""
    frame = view.read(f"""SELECT i.category, i.level, COUNT(*) AS count_institutions,
                                 SUM(CASE WHEN i.is_primary THEN 1 ELSE 0 END) AS count_primary,
                                 COALESCE(SUM(o.n), 0) AS count_orders
                          FROM institutions i LEFT JOIN (SELECT institution_code, SUM(count_orders) AS n
                                                         FROM mart_inst_product WHERE view_id = :v
                                                         GROUP BY institution_code) o
                               ON o.institution_code = i.institution_code
                          WHERE {view.institutions_in_area()}
                          GROUP BY i.category, i.level ORDER BY COUNT(*) DESC, i.category, i.level""")
    return frame.astype({"count_institutions": int, "count_primary": int, "count_orders": int})
