"""The one registry of the seven indicators and their flags (../shared/design/indicators.md), as data.

Each indicator declares what it is a sum of: the source its rows come from (a frame of the refresh, named in
core.refresh.rollup.SOURCES), which of those rows count (`where`), the columns whose sums are its numerator and
denominator, and, when it has a monthly series, the columns of that series. `rate()` turns the sums into the
value, the same way at every level: institution, county, city, province, month. Pages, maps, exports, the README's
tables and the command line read these entries; adding an indicator touches this file and its tests.

A flag's name holds its threshold as a placeholder ({x}), filled from the settings in force (`flag_name`): an
administrator who moves the delivery threshold to 85% sees "配送率低于85%".
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from core.policy import extract
from core.policy import settings as settings_mod

KINDS = ("rate", "ratio")  # rate: a share of its denominator (0 to 1); ratio: may exceed 1. Both read as a percent.
_OPS = {">": operator.gt, ">=": operator.ge, "==": operator.eq}


def rate(numerator, denominator):
    """Sum over sum; no value where the denominator is not above zero (an entity with nothing to count has no
    rate: not 0, not 100%). Takes numbers or Series (element by element)."""
    if isinstance(denominator, pd.Series):
        return numerator / denominator.where(denominator > 0)
    if denominator is None or denominator != denominator or denominator <= 0:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Indicator:
    number: int
    id: str
    zh: str
    en: str
    source: str  # the rows its parts are summed over (core.refresh.rollup.SOURCES)
    numerator: tuple[str, ...]  # the columns of the source whose sum is the numerator
    denominator: tuple[str, ...]
    numerator_zh: str
    denominator_zh: str
    numerator_en: str
    denominator_en: str
    clause: str
    threshold: str  # the setting its value is judged against, or "schedule" (序时进度)
    direction: str  # "min": a value below the threshold is bad; "max": above
    where: tuple[tuple[str, str, object], ...] = ()  # the source's rows that count: (column, operator, value)
    kind: str = "rate"
    monthly: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # its parts in the monthly series' columns
    decimals: int = 1  # a value's decimals in percent (more where a value below 1% needs them, i18n.percent_text)

    def counted(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of the source that count."""
        keep = pd.Series(True, index=frame.index)
        for column, op, value in self.where:
            keep &= _OPS[op](frame[column], value)
        return frame[keep]

    def parts(self, frame: pd.DataFrame, columns: tuple[tuple[str, ...], tuple[str, ...]] | None = None):
        """Numerator and denominator of each row of `frame` (sums of the declared columns, or of `columns`)."""
        return tuple(_sum(frame, cols) for cols in (columns or (self.numerator, self.denominator)))

    def value(self, frame: pd.DataFrame, columns=None) -> pd.Series:
        """The indicator of each row of a frame of sums (`columns`: the monthly series' names of the parts)."""
        return rate(*self.parts(frame, columns))

    def words(self, lang: str = "zh", settings: Mapping[str, object] | None = None) -> tuple[str, str]:
        """Numerator and denominator in words, with the settings they name ({delivery_grace_days}) as the settings
        in force have them (default: the defaults)."""
        values = settings if settings is not None else settings_mod.defaults()
        texts = (self.numerator_en, self.denominator_en) if lang == "en" else (self.numerator_zh, self.denominator_zh)
        return tuple(text.format_map(_Settings(values)) for text in texts)

    def definition(self, lang: str = "zh", settings: Mapping[str, object] | None = None) -> str:
        """What the value is: numerator over denominator."""
        num, den = self.words(lang, settings)
        return f"{num} / {den}" if lang == "en" else f"{num} ÷ {den}"


class _Settings(dict):
    """Settings as an indicator's words name them: numbers as they read (2, 7, 0.8)."""

    def __init__(self, values: Mapping[str, object]):
        super().__init__()
        self._values = values

    def __missing__(self, key: str) -> str:
        return f"{float(self._values[key]):g}"


def _sum(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The row-wise sum of the columns, as floats (one column is taken as it is: the common case, and cheaper)."""
    if len(columns) == 1:
        return frame[columns[0]].astype(float)
    return frame[list(columns)].sum(axis=1).astype(float)


@dataclass(frozen=True)
class Flag:
    id: str
    indicator: int  # 1..7; 0 for the derived flags
    zh: str  # its name; {x} stands for its threshold in force (named_by)
    en: str
    level: str  # institution | enterprise | county/city
    clause: str
    unit: str  # what its value is (flagtext.UNITS); the threshold is in the same unit unless threshold_unit says
    threshold_unit: str = ""
    named_by: str = ""  # the setting whose value the name holds
    named_as: str = ""  # how the name shows it: percent, drop (1 - the setting, in percent), multiple, days
    group: str = ""  # who answers for it and with what measure (GROUPS)

    @property
    def party(self) -> str:
        return GROUPS[self.group][0]


# Who each flag lands on (../shared/design/indicators.md, 四项措施): group -> (party, measure).
GROUPS = {
    "supply": ("enterprise", "counts toward the supplier tiers of the manufacturer and the distributor (二（三）)"),
    "complaint": ("enterprise", "counts toward the tier of the enterprise addressed (二（四）)"),
    "explanation": ("institution", "the institution explains (作出说明, 二（一）, 二（七）)"),
    "ladder": ("institution", "the measures ladder: 预警提示, 通报提醒, 约谈督导, 纪检监察联动 (二（七）)"),
    "area": ("area", "the officers check and deal with it, and report it to the province when unsolved (二（五）)"),
    "derived": ("", "made from the other flags: supplier tiers, red-flag institutions"),
}


def _named(value: float, named_as: str, lang: str) -> str:
    if named_as in ("percent", "drop"):
        return f"{(1 - value if named_as == 'drop' else value) * 100:g}%"
    if named_as == "multiple":
        return f"{value:g}" + ("x" if lang == "en" else "倍")
    return f"{value:g}"


def flag_name(flag: Flag | str, lang: str = "zh", settings: Mapping[str, object] | None = None) -> str:
    """A flag's name with its threshold as the settings (default: the defaults) have it."""
    flag = FLAG_BY_ID[flag] if isinstance(flag, str) else flag
    text = flag.en if lang == "en" else flag.zh
    if not flag.named_by:
        return text
    values = settings if settings is not None else settings_mod.defaults()
    return text.format(x=_named(float(values[flag.named_by]), flag.named_as, lang))


INDICATORS: tuple[Indicator, ...] = (
    Indicator(1, "report", "报量", "Reported volume", "agreements", ("reported_qty",), ("prior_year_qty",),
              "本期报送的采购量", "上年度实际采购量（>0）", "volume reported for the period", "last year's purchases (above 0)",
              "二（一）", "report_drop_ratio", "min", where=(("prior_year_qty", ">", 0),), kind="ratio"),
    Indicator(2, "delivery", "配送率", "Delivery rate", "inst_product", ("rate_delivered_qty",), ("rate_order_qty",),
              "配送数量", "采购数量（有约定量的中选产品，截止日前{delivery_grace_days}天以前的订单）",
              "delivered quantity",
              "ordered quantity (selected products under an agreement, orders placed {delivery_grace_days} days or more "
              "before the as-of date)",
              "二（三）", "delivery_rate_warning", "min", where=(("agreed_qty", ">", 0),),
              monthly=(("agreed_delivered_qty",), ("agreed_order_qty",))),
    Indicator(3, "complaint", "诉求解决", "Complaint handling", "complaints", ("timely",), ("counted",),
              "及时解决的诉求数", "有约定量的医疗机构在截止日前至少{timely_min_age_workdays}个工作日提出的诉求数",
              "complaints resolved in time",
              "complaints raised by institutions holding an agreed volume at least {timely_min_age_workdays} working "
              "days before the as-of date", "二（四）", "tier_a_min", "min",
              where=(("counted", "==", True),), monthly=(("count_timely",), ("count_complaints",))),
    Indicator(4, "progress", "采购进度", "Procurement progress", "inst_product", ("purchased_qty",), ("agreed_qty",),
              "中选产品采购数量", "约定采购量", "purchases of selected products", "agreed volume", "二（六）",
              "schedule", "min", where=(("agreed_qty", ">", 0),),
              kind="ratio"),
    Indicator(5, "nonselected", "中选产品占比", "Selected share", "groups", ("selected_qty",),
              ("selected_qty", "nonselected_qty"), "中选产品采购数量", "中选 + 非中选产品采购数量",
              "purchases of selected products", "purchases of selected and non-selected products", "二（六）",
              "nonselected_share_min", "min",
              monthly=(("selected_qty",), ("selected_qty", "nonselected_qty"))),
    Indicator(6, "substitute", "可替代", "Substitutable drugs", "inst_product", ("purchased_qty",), ("baseline_qty",),
              "可替代药品采购数量", "上年度采购数量", "purchases of substitutable drugs", "last year's purchases", "二（七）",
              "schedule", "max",
              where=(("status", "==", "可替代"), ("baseline_qty", ">", 0)), kind="ratio"),
    Indicator(7, "other", "其他采购行为", "Other purchasing behaviour", "orders", ("count_flagged_orders",),
              ("count_orders",), "违规线下、超常规、不及时确认收货订单数", "订单数",
              "offline, abnormal and late-confirmed orders", "orders", "二（六）",
              "", "max", decimals=2),
)

FLAGS: tuple[Flag, ...] = (
    Flag("report_volume_drop", 1, "报量较上年减少超过{x}", "Reported volume more than {x} below last year's purchases", "institution", "二（一）",
         "of_last_year", named_by="report_drop_ratio", named_as="drop", group="explanation"),
    Flag("delivery_rate_low", 2, "配送率低于{x}", "Delivery rate below {x}", "institution", "二（三）", "percent",
         named_by="delivery_rate_warning", named_as="percent", group="supply"),
    Flag("complaint_reply_late", 3, "诉求未在{x}个工作日内回复", "Complaint not answered within {x} working days", "enterprise",
         "二（四）", "workdays", named_by="complaint_reply_workdays", named_as="days", group="complaint"),
    Flag("complaint_unresolved", 3, "诉求未按时解决", "Complaint not resolved in time", "enterprise", "二（四）", "workdays", group="complaint"),
    Flag("progress_behind_schedule", 4, "采购进度低于序时进度", "Purchases behind schedule", "institution", "二（七）", "percent", group="ladder"),
    Flag("purchase_over_4x", 4, "采购量超出约定采购量{x}", "Purchases above {x} the agreed volume", "institution", "二（七）",
         "multiple", named_by="over_purchase_multiple", named_as="multiple", group="explanation"),
    Flag("unreported_purchase", 4, "不报量仍大量采购", "Large purchases without a report", "institution", "二（七）", "qty", group="explanation"),
    Flag("nonselected_share_high", 5, "中选产品采购占比偏低", "Selected-product share too low", "institution", "二（七）", "percent", group="ladder"),
    Flag("substitute_increase", 6, "可替代药品采购快于上年", "Substitutable purchases on pace to exceed last year",
         "institution", "二（七）", "percent", group="ladder"),
    Flag("offline_purchase", 7, "违规线下采购", "Offline purchase", "institution", "二（六）", "orders", group="ladder"),
    Flag("abnormal_order", 7, "超常规订单", "Abnormal order", "institution", "二（六）", "qty", group="ladder"),
    Flag("receipt_confirmation_late", 7, "不及时确认收货", "Late receipt confirmation", "institution", "二（六）", "workdays", group="ladder"),
    Flag("supplier_tier", 0, "企业分级 B/C/D", "Supplier tier B/C/D", "enterprise", "二（七）", "percent", group="derived"),
    Flag("primary_care_gap", 0, "基层供应不平衡", "Primary-care supply imbalance", "county", "二（五）", "points", group="area"),
    Flag("level_gap", 0, "不同等级机构供应不平衡", "Imbalance between institution levels", "county", "二（五）", "points",
         group="area"),
    Flag("red_flag", 0, "红旗机构", "Red-flag institution", "institution", "二（七）", "flags", "red_rule", group="derived"),
)

FLAG_BY_ID = {f.id: f for f in FLAGS}
SEVERITY_WEIGHT = {"warning": 1, "serious": 3, "severe": 9}
SEVERITY_ZH = {"warning": "预警", "serious": "重点关注", "severe": "严重"}
# primary_care_gap compares the primary institutions (基层) with the secondary and tertiary ones: a non-primary
# institution of another level (a private 一级 hospital, say) is on neither side.
GAP_OTHER_LEVELS = ("三级", "二级")
AREA_LEVELS = extract.LEVELS  # level_gap compares the levels of the format: 三级, 二级, 一级, 未定级


def gap_side(institutions: pd.DataFrame) -> pd.Series:
    """Per institution row (is_primary, level): "primary", "others" (secondary or tertiary, not primary) or None."""
    primary = institutions["is_primary"].astype(bool)
    others = ~primary & institutions["level"].isin(GAP_OTHER_LEVELS)
    side = pd.Series(None, index=institutions.index, dtype=object)
    return side.mask(primary, "primary").mask(others, "others")


def indicator(indicator_id: str) -> Indicator:
    """The registry's entry of that id."""
    return next(i for i in INDICATORS if i.id == indicator_id)


def party_counts(flag_ids, late_complaints: int = 0) -> dict[str, tuple[int, int]]:
    """Indicator id -> (the institution's own flags, its suppliers') among an institution's flags; its complaints
    handled late count as its suppliers' (a complaint's flags land on no institution: `late_complaints`)."""
    number_to_id = {i.number: i.id for i in INDICATORS}
    counts = {i.id: [0, 0] for i in INDICATORS}
    for flag in (FLAG_BY_ID[f] for f in flag_ids):
        if flag.indicator in number_to_id:
            counts[number_to_id[flag.indicator]][0 if flag.party == "institution" else 1] += 1
    counts["complaint"][1] += late_complaints
    return {k: (own, supply) for k, (own, supply) in counts.items()}


def with_monthly_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the monthly series' sums with the value of each indicator that has a monthly series, in a column
    named by its id."""
    return frame.assign(**{i.id: i.value(frame, i.monthly) for i in INDICATORS if i.monthly})


def indicator_of(flag_id: str) -> str | None:
    """The id of the indicator a flag belongs to (None for the derived flags)."""
    number = FLAG_BY_ID[flag_id].indicator
    return next((i.id for i in INDICATORS if i.number == number), None)


def _cell(text: str) -> str:
    return re.sub(r"\s*\|\s*", " / ", text)


def readme_tables() -> str:
    """The README's tables of indicators and flags, made from this registry (a test keeps the README in step);
    flag names at the default settings."""
    rows = ["| # | id | 指标 | indicator | numerator (sum of) | denominator (sum of) | over the rows of | kind "
            "| judged against | bad when | clause |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for i in INDICATORS:
        against = "序时进度 schedule" if i.threshold == "schedule" else (
            f"`{i.threshold}` ({settings_mod.BY_NAME[i.threshold].default:g})" if i.threshold else "each flagged order")
        num, den = (f"{_cell(words)} `{' + '.join(cols)}`" for words, cols in zip(i.words("zh"),
                                                                                  (i.numerator, i.denominator)))
        over = f"`{i.source}`" + (" where " + " and ".join(f"`{c} {op} {v!r}`" for c, op, v in i.where)
                                  if i.where else "")
        rows.append(f"| {i.number} | `{i.id}` | {i.zh} | {i.en} | {num} | {den} | {over} "
                    f"| {i.kind} | {against} | {'below' if i.direction == 'min' else 'above'} | {i.clause} |")
    rows += ["", "| flag | indicator | 中文 | on | group: who answers, with what measure | clause |",
             "| --- | --- | --- | --- | --- | --- |"]
    for f in FLAGS:
        party, measure = GROUPS[f.group]
        rows.append(f"| `{f.id}` | {f.indicator or '—'} | {flag_name(f)} | {f.level} | {f.group}: "
                    f"{party + ', ' if party else ''}{measure} | {f.clause} |")
    return "\n".join(rows)
