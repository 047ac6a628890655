"""Demo entities: institutions in every county, enterprises, products, agreements."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from core.policy import regions
from . import catalog as C


@dataclass(frozen=True)
class Scale:
    name: str
    per_district: dict  # category key -> count, for urban districts (区)
    per_county: dict  # for rural counties and county-level cities
    orders_per_month: int
    spec_variants: int  # extra selected / non-selected products per group (province scale: ~400 products)


SCALES = {
    # A small province for tests that load every province: a few institutions in every county-level unit.
    "mini": Scale("mini", {"district_hospital": 1, "community": 1},
                  {"county_hospital": 1, "township": 1, "village": 1}, orders_per_month=1, spec_variants=0),
    "demo": Scale("demo", {"district_hospital": 1, "community": 4, "private": 1},
                  {"county_hospital": 1, "county_tcm": 1, "county_mch": 1, "township": 6, "village": 10, "private": 1},
                  orders_per_month=2, spec_variants=0),
    "province": Scale("province", {"district_hospital": 2, "community": 8, "private": 2},
                      {"county_hospital": 1, "county_tcm": 1, "county_mch": 1, "township": 12, "village": 50, "private": 2},
                      orders_per_month=22, spec_variants=10),
}

ROOMY_COUNTIES = 60  # a province with fewer county-level units has more institutions in each

PERIOD_START = dt.date(2026, 1, 1)
PERIOD_END = dt.date(2026, 12, 31)
DEFAULT_AS_OF = dt.date(2026, 11, 20)

# kind -> (level, category, is_primary, ownership, volume factor relative to a tertiary hospital)
KINDS = {
    "city_general": ("三级", "综合医院", False, "公立", 1.0),
    "city_tcm": ("三级", "中医医院", False, "公立", 0.6),
    "city_special": ("三级", "专科医院", False, "公立", 0.4),
    "city_mch": ("二级", "妇幼保健院", False, "公立", 0.2),
    "district_hospital": ("二级", "综合医院", False, "公立", 0.45),
    "county_hospital": ("二级", "综合医院", False, "公立", 0.5),
    "county_tcm": ("二级", "中医医院", False, "公立", 0.3),
    "county_mch": ("二级", "妇幼保健院", False, "公立", 0.12),
    "community": ("一级", "社区卫生服务中心", True, "公立", 0.12),
    "township": ("一级", "乡镇卫生院", True, "公立", 0.08),
    "village": ("未定级", "村卫生室", True, "公立", 0.012),
    "private": ("一级", "综合医院", False, "民营", 0.1),
}


def _short(name: str) -> str:
    for suffix in ("自治县", "市", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _town(i: int) -> str:
    return C.TOWN_FIRST[i % 30] + C.TOWN_SECOND[(i // 30 + i) % 10]


def _names(kind: str, county_name: str, city_name: str, i: int) -> str:
    short, city = _short(county_name), _short(city_name)
    if kind == "city_general":
        return f"{city}市{'第一第二第三第四'[2 * i:2 * i + 2]}人民医院"
    if kind == "city_tcm":
        return f"{city}市中医医院"
    if kind == "city_special":
        return f"{city}市肿瘤医院"
    if kind == "city_mch":
        return f"{city}市妇幼保健院"
    if kind in ("district_hospital", "county_hospital"):
        return f"{county_name}人民医院" if i == 0 else f"{county_name}第{i + 1}人民医院"
    if kind == "county_tcm":
        return f"{county_name}中医医院"
    if kind == "county_mch":
        return f"{county_name}妇幼保健院"
    if kind == "community":
        return f"{short}{C.STREETS[i % len(C.STREETS)]}{'' if i < len(C.STREETS) else i}街道社区卫生服务中心"
    if kind == "township":
        return f"{short}{_town(i)}镇卫生院"
    if kind == "village":
        return f"{short}{_town(i // 5)}镇{C.TOWN_FIRST[(i * 7 + 3) % 30]}{C.VILLAGE_SECOND[i % 8]}卫生室"
    return f"{short}仁和医院" if i == 0 else f"{short}康宁医院{i}"


def _points_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points inside a polygon, away from its edge where the polygon allows."""
    inner = geom.buffer(-0.01)
    target = inner if (not inner.is_empty and inner.area > geom.area * 0.2) else geom
    minx, miny, maxx, maxy = target.bounds
    out = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, n * 4)
        ys = rng.uniform(miny, maxy, n * 4)
        xs, ys = np.round(xs, 5), np.round(ys, 5)
        inside = shapely.contains_xy(target, xs, ys)
        out.extend(zip(xs[inside], ys[inside]))
    return np.array(out[:n])


def institutions(province_code: str, scale: Scale, rng: np.random.Generator) -> pd.DataFrame:
    feats = regions.boundaries(province_code)["features"]
    names = {f["properties"]["code"]: f["properties"]["name"] for f in feats}
    shapes = regions.shapes(province_code)
    counties = [f["properties"] for f in feats if f["properties"]["level"] == "county"]
    by_city: dict[str, list[dict]] = {}
    for c in counties:
        by_city.setdefault(c["prefecture_code"], []).append(c)
    # A province of few county-level units (a municipality, Hainan, Ningxia) gets more institutions in each, so that
    # every planted problem finds institutions of its own (core.demo.plant).
    repeat = max(1, math.ceil(ROOMY_COUNTIES / len(counties)))
    rows = []
    for city_code, cs in sorted(by_city.items()):
        urban = [c for c in cs if c["name"].endswith("区")] or cs
        city_kinds = ["city_general", "city_general", "city_tcm", "city_special", "city_mch"]
        placement: dict[str, list[str]] = {c["code"]: [] for c in cs}
        for i, kind in enumerate(city_kinds):
            placement[urban[i % len(urban)]["code"]].append(kind)
        for c in cs:
            plan = scale.per_district if c["name"].endswith("区") else scale.per_county
            kinds = placement[c["code"]] + [k for k, n in plan.items() for _ in range(n * repeat)]
            pts = _points_in(shapes[c["code"]], len(kinds), rng)
            seen: dict[str, int] = {}
            for n, ((lon, lat), kind) in enumerate(zip(pts, kinds), start=1):
                i = seen.get(kind, 0)
                seen[kind] = i + 1
                level, category, primary, ownership, _ = KINDS[kind]
                rows.append({
                    "institution_code": f"H{c['code']}{n:04d}",
                    "institution_name": _names(kind, c["name"], names.get(city_code, ""), i),
                    "county_code": c["code"], "level": level, "category": category, "is_primary": primary,
                    "ownership": ownership, "longitude": float(lon), "latitude": float(lat),
                    "kind": kind, "city_code": city_code,
                })
    return pd.DataFrame(rows)


def enterprises_and_products(scale: Scale, cities: list[tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Manufacturers, distributors (two per city, one province-wide) and every product."""
    ents, prods = [], []

    def enterprise(name: str, role: str) -> str:
        code = f"{len(ents) + 1:04d}"
        ents.append({"enterprise_code": code, "enterprise_name": name, "role": role})
        return code

    maker_i = 0
    originators: dict[str, str] = {}

    def maker(category: str) -> str:
        nonlocal maker_i
        prefix = C.MAKER_PREFIXES[maker_i % len(C.MAKER_PREFIXES)]
        round_ = maker_i // len(C.MAKER_PREFIXES)
        maker_i += 1
        return enterprise(f"{prefix}{'' if round_ == 0 else round_ + 1}{C.MAKER_SUFFIX[category]}", "生产企业")

    def product(group: C.Group | None, generic, form, spec, category, mcode, batch, status, sub=None, degree=None,
                price=0.0, gi=-1, winner=-1) -> None:
        prefix = "HC" if category == "耗材" else "YP"
        prods.append({"product_code": f"{prefix}{len(prods) + 1:06d}", "generic_name": generic, "dosage_form": form,
                      "specification": spec, "category": category, "manufacturer_code": mcode, "vbp_batch": batch,
                      "status": status, "substitute_generic": sub, "substitution_degree": degree,
                      "unit": group.unit if group is not None else "盒",
                      "price": price, "group_index": gi, "winner": winner})

    for gi, g in enumerate(C.GROUPS):
        for w in range(g.winners):
            m = maker(g.category)
            for v in range(1 + scale.spec_variants):
                spec = g.specification if v == 0 else f"{g.specification}（规格{v + 1}）"
                product(g, g.generic_name, g.dosage_form, spec, g.category, m, g.vbp_batch, "中选",
                        price=g.price, gi=gi, winner=w if v == 0 else -1)
        if g.has_nonselected:
            # Originator companies make the non-selected products; one makes several.
            name = C.ORIGINATOR_NAMES[gi % len(C.ORIGINATOR_NAMES)]
            if name not in originators:
                originators[name] = enterprise(name, "生产企业")
            orig = originators[name]
            for v in range(1 + scale.spec_variants):
                product(g, g.generic_name, g.dosage_form, g.specification if v == 0 else f"{g.specification}（规格{v + 1}）",
                        g.category, orig, None, "非中选", price=g.price * 6, gi=gi, winner=-2 if v == 0 else -3)
    for generic, form, spec, replaces, degree, price in C.SUBSTITUTES:
        m = maker("药品")
        for v in range(1 + scale.spec_variants):
            product(None, generic, form, spec if v == 0 else f"{spec}（规格{v + 1}）", "药品", m, None, "可替代",
                    replaces, degree, price, winner=-4 if v == 0 else -5)
    for city_code, city_name in cities:
        for w in range(2):
            enterprise(f"{_short(city_name)}{C.DISTRIBUTOR_WORDS[w]}", "配送企业")
    enterprise("鲁康医药集团有限公司", "配送企业")
    return pd.DataFrame(ents), pd.DataFrame(prods)
