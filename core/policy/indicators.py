"""The one registry of the seven indicators and their flags (../shared/design/indicators.md).

Pages, exports, map legends, the README's table and the command line read these entries;
adding an indicator or a flag touches this file and the computation that fills it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    number: int
    id: str
    zh: str
    en: str
    numerator: str
    denominator: str
    threshold_setting: str
    direction: str  # "min": values below the threshold are bad; "max": above
    severity_rule: str
    clause: str
    numerator_en: str = ""
    denominator_en: str = ""
    decimals: int = 3

    def definition(self, lang: str = "zh") -> str:
        """What the value is: numerator over denominator."""
        if lang == "en":
            return f"{self.numerator_en} / {self.denominator_en}"
        return f"{_words(self.numerator)} ÷ {_words(self.denominator)}"


def _words(text: str) -> str:
    """A numerator's or denominator's description without the column names it cites (reported_qty ...)."""
    return re.sub(r"\s*\b[a-z]+(?:_[a-z]+)+\b", "", text).replace(" (>0)", "（>0）").strip()


@dataclass(frozen=True)
class Flag:
    id: str
    indicator: int  # 1..7; 0 for the derived flags
    zh: str
    en: str
    level: str  # institution | enterprise | county/city
    clause: str
    unit: str  # what its value is (flagtext.UNITS); the threshold is in the same unit unless threshold_unit says
    threshold_unit: str = ""



INDICATORS: tuple[Indicator, ...] = (
    Indicator(1, "report", "报量", "Reported volume", "报量 reported_qty", "上年度实际采购量 prior_year_qty (>0)",
              "report_drop_ratio", "min", "预警 < 0.8；重点关注 < 0.5", "二（一）",
              "reported volume", "last year's purchases (above 0)"),
    Indicator(2, "delivery", "配送率", "Delivery rate", "配送数量 delivered_qty", "采购数量 order_qty（有约定量的中选产品，截止日前2天以前的订单）",
              "delivery_rate_warning", "min", "预警 < 80%；重点关注 < 60%；严重 < 30%", "二（三）",
              "delivered quantity", "ordered quantity (selected products under an agreement, orders placed by T - 2 days)"),
    Indicator(3, "complaint", "诉求解决", "Complaint handling", "及时解决的诉求数", "截止日前至少7个工作日提出的诉求数",
              "tier_a_min", "min", "2个工作日内回复、5个工作日内承诺解决", "二（四）",
              "complaints resolved in time", "complaints raised at least 7 working days before T"),
    Indicator(4, "progress", "采购进度", "Procurement progress", "中选产品采购数量", "约定采购量 agreed_qty",
              "progress_serious_ratio", "min", "低于序时进度预警；低于序时进度一半重点关注", "二（六）",
              "purchases of selected products", "agreed volume"),
    Indicator(5, "nonselected", "中选产品占比", "Selected share", "中选产品采购数量", "中选 + 非中选产品采购数量",
              "nonselected_share_min", "min", "占比 < 70% 预警；非中选超过中选重点关注", "二（六）",
              "purchases of selected products", "purchases of selected and non-selected products"),
    Indicator(6, "substitute", "可替代", "Substitutable drugs", "可替代药品采购数量", "上年度采购数量",
              "over_purchase_multiple", "max", "超过上年×序时进度预警；超过上年重点关注", "二（七）",
              "purchases of substitutable drugs", "last year's purchases"),
    Indicator(7, "other", "其他采购行为", "Other purchasing behaviour", "违规线下、超常规、不及时确认收货订单数", "订单数",
              "receipt_confirm_workdays", "max", "每笔问题订单预警", "二（六）",
              "offline, abnormal and late-confirmed orders", "orders"),
)

FLAGS: tuple[Flag, ...] = (
    Flag("report_volume_drop", 1, "报量较上年减少超过20%", "Report more than 20% below last year", "institution", "二（一）", "percent"),
    Flag("delivery_rate_low", 2, "配送率低于80%", "Delivery rate below 80%", "institution", "二（三）", "percent"),
    Flag("complaint_reply_late", 3, "诉求未在2个工作日内回复", "Complaint not answered within 2 working days", "enterprise", "二（四）", "workdays"),
    Flag("complaint_unresolved", 3, "诉求未按时解决", "Complaint not resolved in time", "enterprise", "二（四）", "workdays"),
    Flag("progress_behind_schedule", 4, "采购进度低于序时进度", "Purchases behind schedule", "institution", "二（七）", "percent"),
    Flag("purchase_over_4x", 4, "采购量超出约定采购量4倍", "Purchases above 4x the agreed volume", "institution", "二（七）", "multiple"),
    Flag("unreported_purchase", 4, "不报量仍大量采购", "Large purchases without a report", "institution", "二（七）", "qty"),
    Flag("nonselected_share_high", 5, "中选产品采购占比偏低", "Selected-product share too low", "institution", "二（七）", "percent"),
    Flag("substitute_increase", 6, "可替代药品采购超过上年", "Substitutable purchases on pace to exceed last year", "institution", "二（七）", "percent"),
    Flag("offline_purchase", 7, "违规线下采购", "Offline purchase", "institution", "二（六）", "orders"),
    Flag("abnormal_order", 7, "超常规订单", "Abnormal order", "institution", "二（六）", "qty"),
    Flag("receipt_confirmation_late", 7, "不及时确认收货", "Late receipt confirmation", "institution", "二（六）", "workdays"),
    Flag("supplier_tier", 0, "企业分级 B/C/D", "Supplier tier B/C/D", "enterprise", "二（七）", "percent"),
    Flag("primary_care_gap", 0, "基层供应不平衡", "Primary-care supply imbalance", "county", "二（五）", "points"),
    Flag("red_flag", 0, "红旗机构", "Red-flag institution", "institution", "二（七）", "score", "indicators"),
)

INDICATOR_BY_ID = {i.id: i for i in INDICATORS}
FLAG_BY_ID = {f.id: f for f in FLAGS}
SEVERITY_WEIGHT = {"warning": 1, "serious": 3, "severe": 9}
SEVERITY_ZH = {"warning": "预警", "serious": "重点关注", "severe": "严重"}
