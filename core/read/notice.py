"""What the quarterly notification (通报, 二（七）: "原则上至少每季度一次通报提醒") says for an area, read from the views
of the quarter's end and of the quarter before: the seven indicators against the previous quarter, the institutions
notified (ladder step 2 通报提醒 or above at the quarter's end) with their problems, the enterprises by tier with
their measures, and the areas with a supply imbalance. core.present.notice_doc lays it out as a document;
core.access.notices generates it for a user (its views, its audit) and records its issue.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from core.policy import periods
from core.policy.indicators import FLAG_BY_ID, INDICATORS
from core.present import flagtext
from core.present.i18n import clause_text, percent_text, vocabulary
from core.read import cases
from core.read.units import described
from core.store.view import View

QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
NOTIFIED_STEP = 2  # 通报提醒: the step from which an institution is listed


def quarter_end(quarter: str) -> dt.date:
    """The last day of a quarter written 2026Q3; ValueError (Chinese and English) for anything else."""
    found = QUARTER.match(re.sub(r"\s", "", str(quarter)))
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise ValueError(f"季度应写作 2026Q3 这样的形式：{str(quarter)[:20]} / a quarter is written like 2026Q3: "
                         f"{str(quarter)[:20]}")
    year, q = int(found.group(1)), int(found.group(2))
    return periods.quarter_end(dt.date(year, 3 * q, 1))


def quarters_between(first: dt.date, last: dt.date) -> list[str]:
    """The quarters that ended between two days (both included), latest first: those a notification can report."""
    out, end = [], periods.quarter_end(first)
    while end <= last:
        out.append(periods.quarter_of(end))
        end = periods.quarter_end(end + dt.timedelta(days=1))
    return out[::-1]


@dataclass(frozen=True)
class Content:
    quarter: str
    as_of: dt.date  # the quarter's end
    previous_as_of: dt.date | None  # the previous quarter's end, when its figures exist
    area_code: str
    area_name: str
    area_level: str  # province | city | county
    reference: str  # the number of the notice cited (settings: notice_reference)
    deadline: dt.date  # 整改期限
    indicators: pd.DataFrame  # indicator, value_text, previous_text, change_text, threshold_text, count_flagged
    institutions: pd.DataFrame  # city_name, county_name, institution_code, institution_name, step, measure, problems
    enterprises: pd.DataFrame  # tier, enterprise_code, enterprise_name, role_name, delivery_text, timely_text, measure
    areas: pd.DataFrame  # area_name, kind, gap_text

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def number(self) -> int:
        return (self.as_of.month - 1) // 3 + 1

    @property
    def title(self) -> str:
        return f"关于{self.year}年第{'一二三四'[self.number - 1]}季度药品和医用耗材集中带量采购执行情况的通报"

    @property
    def issuer(self) -> str:
        return f"{self.area_name}医疗保障局"

    def institution_codes(self) -> set[str]:
        return set(self.institutions["institution_code"])


def _area_figures(view: View | None) -> dict[str, tuple[float, int]]:
    if view is None:
        return {}
    rows = view.read("SELECT indicator_id, value, count_flagged FROM mart_indicators WHERE view_id = :v "
                     "AND level IN ('province', 'city', 'county') AND subject_code = :area")
    return {i: (v, int(n)) for i, v, n in zip(rows["indicator_id"], rows["value"], rows["count_flagged"])}


def change_text(value, previous) -> str:
    """A rate's change from the previous quarter, in points, between the two figures as printed (one decimal): so
    99.0% against 99.1% never reads 持平 while 97.8% against 97.7% reads +0.1; "—" without both."""
    if value is None or value != value or previous is None or previous != previous:
        return "—"
    change = round(round(value * 100, 1) - round(previous * 100, 1), 1)
    return "持平" if change == 0 else f"{change:+.1f} 个百分点"


def indicator_table(view: View, before: View | None) -> pd.DataFrame:
    """The seven indicators of the area at the quarter's end against the previous quarter's end: values, change in
    points, the threshold and how many were flagged."""
    now, then = _area_figures(view), _area_figures(before)
    settings = view.store.settings()
    rows = []
    for ind in INDICATORS:
        value, flagged = now.get(ind.id, (None, 0))
        previous = then.get(ind.id, (None, 0))[0]
        rows.append({"indicator_id": ind.id, "indicator": f"{ind.number}. {ind.zh}",
                     "value_text": percent_text(value) if value is not None else "—",
                     "previous_text": percent_text(previous) if previous is not None else "—",
                     "change_text": change_text(value, previous),
                     "threshold_text": flagtext.requirement(ind, settings, view.info.one_schedule, "zh")[1],
                     "count_flagged": flagged,
                     "clause": clause_text(ind.clause, "zh")})
    return pd.DataFrame(rows)


def notified_institutions(view: View, deadline: dt.date) -> pd.DataFrame:
    """Institutions of the area at ladder step 2 (通报提醒) or above at the view's T, by city and county, each with its
    ladder flags (value against threshold, clause) and the rectification deadline."""
    ladder = cases.ladder_cases(view, "zh")
    held = ladder[ladder["step"] >= NOTIFIED_STEP]
    columns = ["city_name", "county_name", "institution_code", "institution_name", "step", "measure", "problems",
               "deadline"]
    if held.empty:
        return pd.DataFrame(columns=columns)
    codes = list(held["subject_code"])
    marks = ", ".join(f":c{n}" for n in range(len(codes)))
    flags = view.read(f"""SELECT f.flag_id, f.subject_code, f.detail_code, f.severity, f.value, f.threshold
                          FROM mart_flags f WHERE f.view_id = :v AND f.level = 'institution'
                          AND f.subject_code IN ({marks}) ORDER BY f.subject_code, f.flag_id, f.detail_code""",
                      {f"c{n}": c for n, c in enumerate(codes)})
    flags = flags[flags["flag_id"].map(lambda f: FLAG_BY_ID[f].group == "ladder").astype(bool)]
    flags = described(view, flags).reset_index(drop=True)
    problems: dict[str, list[str]] = {}
    for (code, _flag), part in flags.groupby(["subject_code", "flag_id"], sort=False):  # one line per kind of flag
        first = part.iloc[0]
        count = f"（{len(part)} 项）" if len(part) > 1 else ""
        problems.setdefault(code, []).append(f"{first['flag_name']}{count} {first['value_text']}（阈值 "
                                             f"{first['threshold_text']}，《通知》{first['clause']}）")
    places = view.read(f"""SELECT i.institution_code, k.region_name AS county_name, c.region_name AS city_name,
                                  k.prefecture_code
                           FROM institutions i JOIN regions k ON k.region_code = i.county_code
                           LEFT JOIN regions c ON c.region_code = k.prefecture_code
                           WHERE i.institution_code IN ({marks})""", {f"c{n}": c for n, c in enumerate(codes)},
                       )
    out = held.rename(columns={"subject_code": "institution_code", "subject_name": "institution_name"})[
        ["institution_code", "institution_name", "step", "measure"]].merge(places, on="institution_code", how="left")
    out["city_name"] = out["city_name"].fillna(out["county_name"])
    out["problems"] = out["institution_code"].map(lambda c: problems.get(c, []))
    out["deadline"] = deadline
    return out.sort_values(["prefecture_code", "county_name", "institution_code"], kind="stable")[columns] \
        .reset_index(drop=True)


def tiered_enterprises(view: View) -> pd.DataFrame:
    """Enterprises serving the area of tier B, C or D (worst first) with their delivery and timely rates and the
    measure the tier calls for."""
    frame = cases.tier_cases(view, "zh")
    return pd.DataFrame({
        "tier": frame["tier"], "enterprise_code": frame["subject_code"], "enterprise_name": frame["subject_name"],
        "role_name": frame["role"].map(lambda r: vocabulary(r, "zh")),
        "delivery_text": frame["delivery_rate"].map(lambda v: percent_text(v) if v == v else "—"),
        "timely_text": frame["timely_rate"].map(lambda v: percent_text(v) if v == v and v is not None else "—"),
        "measure": frame["measure"]}).reset_index(drop=True)


def imbalanced_areas(view: View) -> pd.DataFrame:
    """Counties and cities of the area, at every depth, with a primary-care supply imbalance or an imbalance between
    institution levels (flagged, 不同等级医疗机构供应不平衡, 二（五））: what it is between and the gap."""
    found = cases.area_cases(view, "zh")
    kinds = ["基层与二、三级医疗机构" if flag == "primary_care_gap" else f"不同等级医疗机构（{high}与{low}）"
             for flag, high, low in zip(found["flag_id"], found["level_high"], found["level_low"])]
    return pd.DataFrame({"area_name": found["subject_name"], "kind": kinds,
                         "gap_text": [f"相差 {points:.1f} 个百分点" for points in found["gap_points"]]},
                        columns=["area_name", "kind", "gap_text"])


def content(view: View, before: View | None, quarter: str, deadline: dt.date) -> Content:
    """The notification of `quarter` for the view's area: `view` at the quarter's end, `before` at the previous
    quarter's end (None when the period has no figures then)."""
    settings = view.store.settings()
    return Content(quarter, view.as_of, before.as_of if before is not None else None, view.area, view.area_name,
                   view.area_level, str(settings["notice_reference"]), deadline,
                   indicator_table(view, before), notified_institutions(view, deadline), tiered_enterprises(view),
                   imbalanced_areas(view))
