"""The one settings table: every threshold of the notice, the province, the grace days.

Defaults are the numbers of 鲁医保发〔2023〕14号 where the notice names one (`named`, with its clause), and
the project's own otherwise (see ../shared/design/indicators.md).
A bureau changes a value without code by writing a row into the store's `settings`
table (name, value); `resolve()` layers those rows over the defaults.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Setting:
    name: str
    default: float | int | str
    help_zh: str
    help_en: str
    clause: str = ""  # the clause of the notice the setting serves
    named: bool = False  # the notice names this number; otherwise the default is the project's own

    @property
    def source(self) -> str:
        """Where the default comes from: the notice's clause, or the project (the notice names no number)."""
        return f"《通知》{self.clause}" if self.named else PROJECT_DEFAULT

    def source_en(self) -> str:
        return f"the notice, {self.clause}" if self.named else PROJECT_DEFAULT_EN

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The valid range (inclusive), or None for a text setting."""
        return RANGES.get(self.name)

    @property
    def in_percent(self) -> bool:
        """A share or a gap of rates (a number between 0 and 1): shown, and may be typed, in percent."""
        return isinstance(self.default, float) and self.bounds is not None and self.bounds[1] <= 1

    def parse(self, raw: str | float | int) -> float | int | str:
        """Turn a stored or typed value into the default's type within its range; raise ValueError, with a message
        in Chinese and English, when it does not fit (not a number, nan or inf, a fraction for a count, out of range)."""
        if isinstance(self.default, bool) or isinstance(self.default, str):
            text = str(raw).strip()
            # one printable line: no control or format characters (line breaks, DEL, right-to-left overrides,
            # zero-width marks), as the documents it is printed in need
            if not text or len(text) > TEXT_MAX or \
                    any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text):
                raise ValueError(f"{self.name} 应为 1 至 {TEXT_MAX} 个字符的一行文字 / {self.name} takes one line of 1 to "
                                 f"{TEXT_MAX} characters")
            return text
        text = str(raw).strip()
        whole = isinstance(self.default, int)
        try:
            if self.in_percent and text[-1:] in ("%", "％"):  # a share or a gap of rates typed as read: 85% = 0.85
                number = float(text[:-1].strip()) / 100
            else:
                number = float(text)
        except ValueError:
            raise ValueError(f"{self.name} 的值应为{'整数' if whole else '数值'}：{text[:40]} / {self.name} takes "
                             f"{'a whole number' if whole else 'a number'}: {text[:40]}") from None
        number += 0.0  # -0 is 0
        if not math.isfinite(number) or (whole and not number.is_integer()):
            raise ValueError(f"{self.name} 的值应为有限的{'整数' if whole else '数值'}：{text[:40]} / {self.name} takes a "
                             f"finite {'whole number' if whole else 'number'}: {text[:40]}")
        low, high = self.bounds
        if not low <= number <= high:
            a, b = (f"{low:g}（{low * 100:g}%）", f"{high:g}（{high * 100:g}%）") if self.in_percent else \
                (f"{low:g}", f"{high:g}")
            ea, eb = (f"{low:g} ({low * 100:g}%)", f"{high:g} ({high * 100:g}%)") if self.in_percent else (a, b)
            raise ValueError(f"{self.name} 应在 {a} 至 {b} 之间：{text[:40]} / {self.name} lies between {ea} "
                             f"and {eb}: {text[:40]}")
        return int(number) if whole else number


TEXT_MAX = 100  # a text setting: one line (a document's number or title)
PROJECT_DEFAULT = "本系统默认值（《通知》未规定具体数值）"
PROJECT_DEFAULT_EN = "the project's default (the notice names no number)"
N = True  # the notice names the number (Setting.named)

SETTINGS: tuple[Setting, ...] = (
    Setting("province_code", "370000", "省份行政区划代码（GB/T 2260）", "Province code (GB/T 2260)"),
    Setting("delivery_grace_days", 2, "配送率计算排除截止日前N天内的订单", "Orders placed in the last N days before the as-of date are left out of delivery rates", "二（三）"),
    Setting("report_drop_ratio", 0.8, "报量低于上年实际采购量的该比例即预警（减少超过20%）", "Report below this share of last year's purchases is flagged (a drop of more than 20%)", "二（一）", N),
    Setting("report_drop_serious_ratio", 0.5, "报量低于上年实际采购量的该比例为重点关注", "Report below this share of last year's purchases is serious", "二（一）"),
    Setting("delivery_rate_warning", 0.8, "配送率低于该值预警", "Delivery rate below this is a warning", "二（三）", N),
    Setting("delivery_rate_serious", 0.6, "配送率低于该值重点关注", "Delivery rate below this is serious", "二（七）", N),
    Setting("delivery_rate_severe", 0.3, "配送率低于该值为严重", "Delivery rate below this is severe", "二（七）", N),
    Setting("complaint_reply_workdays", 2, "企业应在N个工作日内回复诉求", "Enterprises reply to a complaint within N working days", "二（四）", N),
    Setting("complaint_resolve_workdays", 5, "承诺解决时限不得超过回复后N个工作日", "The promised resolution date is at most N working days after the reply", "二（四）", N),
    Setting("timely_min_age_workdays", 7, "及时解决率只计截止日前至少N个工作日提出的诉求", "Timely resolution counts complaints raised at least N working days before the as-of date", "二（七）"),
    Setting("progress_serious_ratio", 0.5, "完成进度低于序时进度的该比例为重点关注", "Completion below this share of the schedule is serious", "二（七）"),
    Setting("over_purchase_multiple", 4.0, "实际采购量超过约定采购量的倍数", "Purchases above this multiple of the agreed volume are flagged", "二（七）", N),
    Setting("nonselected_share_min", 0.7, "中选产品采购数量占比低于该值预警", "Selected-product share below this is a warning", "二（六）"),
    Setting("abnormal_order_multiple", 3.0, "单笔订单超过月均约定量的倍数视为超常规订单", "An order above this multiple of the monthly agreed average is abnormal", "二（六）"),
    Setting("abnormal_order_iqr_k", 3.0, "无约定量时超常规订单阈值 Q3 + k×IQR 中的k", "k in Q3 + k x IQR for abnormal orders without an agreement", "二（六）"),
    Setting("receipt_confirm_workdays", 5, "配送后N个工作日内应确认收货", "Receipt is confirmed within N working days of delivery", "二（六）"),
    Setting("tier_a_min", 0.8, "企业分级：A级下限", "Supplier tier A: lower bound", "二（七）", N),
    Setting("tier_b_min", 0.6, "企业分级：B级下限", "Supplier tier B: lower bound", "二（七）", N),
    Setting("tier_c_min", 0.3, "企业分级：C级下限", "Supplier tier C: lower bound", "二（七）", N),
    Setting("primary_gap_points", 0.10, "基层与二、三级机构配送率差距（百分点）达到该值即标记", "Gap between secondary and tertiary and primary delivery rates that flags an area", "二（五）"),
    Setting("worse_min_points", 0.005, "总览“本月变差的区域”：配送率较上月末下降至少该值才列出（0.005 即 0.5 个百分点）",
            "Overview, areas that got worse: a delivery rate counts as fallen from this fall on (0.005 = half a point)"),
    Setting("red_flag_min_flags", 3, "机构有该数量及以上不同类的采购行为预警（梯度措施所列）即列为红旗机构",
            "Warnings of this many different ladder flags (the institution's purchasing) make an institution red-flagged",
            "二（七）"),
    Setting("upload_max_mb", 200, "上传文件大小上限（MB）", "Largest upload accepted, in MB"),
    Setting("upload_max_rows", 5_000_000, "一次上传的行数上限", "Most rows accepted in one upload"),
    Setting("login_max_failures", 5, "连续登录失败N次后锁定账户", "An account is locked after this many failed sign-ins in a row"),
    Setting("login_lock_minutes", 15, "账户锁定时长（分钟）", "How long a locked account stays locked, in minutes"),
    Setting("session_timeout_minutes", 30, "无操作N分钟后需重新登录", "Idle minutes after which a user signs in again"),
    Setting("password_min_length", 10, "密码最短长度（须含字母和数字）", "Shortest password (with letters and digits)"),
    Setting("notification_score", 10, "问题得分达到该值直接通报提醒", "A problem score at or above this goes straight to notification", "二（七）"),
    Setting("tier_complaint_min", 3, "企业分级：计入及时解决率的诉求达到该数量才按诉求分级（诉求反映较多）",
            "Supplier tiers: the complaint tier counts only with at least this many counted complaints (many complaints)",
            "二（七）"),
    Setting("cooperation_tier_b", 1, "企业分级：期内记录“不配合”达到该次数为B级（同一经办人同一天录入的计一次）",
            "Supplier tiers: this many non-cooperation records in the period give tier B (an officer's "
            "records entered on one day count once)", "二（七）"),
    Setting("cooperation_tier_c", 2, "企业分级：期内记录“不配合”达到该次数为C级（同一经办人同一天录入的计一次）",
            "Supplier tiers: this many non-cooperation records in the period give tier C (an officer's "
            "records entered on one day count once)", "二（七）"),
    Setting("cooperation_tier_d", 3, "企业分级：期内记录“不配合”达到该次数为D级（同一经办人同一天录入的计一次）",
            "Supplier tiers: this many non-cooperation records in the period give tier D (an officer's "
            "records entered on one day count once)", "二（七）"),
    Setting("notice_reference", "鲁医保发〔2023〕14号", "季度通报所依据文件的文号（本省的通知）",
            "The number of the notice the quarterly notification cites (the province's own)", "二（七）"),
    Setting("rectification_workdays", 20, "季度通报要求的整改期限：通报生成后N个工作日",
            "Rectification the quarterly notification asks for: within this many working days of the document",
            "二（七）"),
    Setting("explanation_workdays", 10, "要求医疗机构作出说明后，N个工作日内未说明即为逾期（未设期限时）",
            "An explanation requested is overdue after this many working days (when no deadline was set)", "二（一）"),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, float | int | str]:
    return {s.name: s.default for s in SETTINGS}


def resolve(overrides: Mapping[str, object] | None = None) -> dict[str, float | int | str]:
    """Defaults with stored overrides applied; unknown names are ignored, and a stored value that does not fit its
    setting is set aside for the default (`problems` says which), so no stored value can stop a page."""
    values = defaults()
    for name, raw in (overrides or {}).items():
        if name in BY_NAME and raw is not None:
            try:
                values[name] = BY_NAME[name].parse(raw)
            except ValueError:
                pass
    return values


def problems(overrides: Mapping[str, object] | None = None) -> list[str]:
    """Why stored values were set aside for their defaults, and the relations the values in force break (for
    administrators), each in Chinese and English."""
    out = []
    for name, raw in (overrides or {}).items():
        if name in BY_NAME and raw is not None:
            try:
                BY_NAME[name].parse(raw)
            except ValueError as err:
                out.append(f"{err}（已改用默认值 {BY_NAME[name].default} / the default {BY_NAME[name].default} is used）")
    return out + broken_rules(resolve(overrides))


def _range(setting: Setting) -> str:
    return "—" if setting.bounds is None else f"{setting.bounds[0]:g} – {setting.bounds[1]:g}"


# Relations between settings that must hold whatever each value is: (the settings, in the order they must
# descend, the rule in Chinese and English).
ORDERED: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("tier_a_min", "tier_b_min", "tier_c_min"), "企业分级下限应依次降低：A级 > B级 > C级",
     "supplier tier bounds descend: A above B above C"),
    (("delivery_rate_warning", "delivery_rate_serious", "delivery_rate_severe"),
     "配送率的预警、重点关注、严重阈值应依次降低", "delivery-rate thresholds descend: warning above serious above severe"),
    (("report_drop_ratio", "report_drop_serious_ratio"), "报量的重点关注比例应低于预警比例",
     "the serious report ratio lies below the warning one"),
    (("cooperation_tier_d", "cooperation_tier_c", "cooperation_tier_b"), "“不配合”记录次数应依次增加：B级 < C级 < D级",
     "non-cooperation counts rise: B below C below D"),
)


def broken_rules(values: Mapping[str, object]) -> list[str]:
    """The relations between settings that `values` break, each in Chinese and English with the values."""
    out = []
    for names, zh, en in ORDERED:
        got = [float(values[n]) for n in names]
        if any(a <= b for a, b in zip(got, got[1:])):
            shown = "，".join(f"{n} = {values[n]}" for n in names)
            out.append(f"{zh}（{shown}） / {en} ({shown.replace('，', ', ')})")
    return out


def readme_table() -> str:
    """The README's table of settings, made from this registry (a test keeps the README in step)."""
    rows = ["| setting | default | range | 说明 | meaning | source of the default |", "| --- | --- | --- | --- | --- | --- |"]
    rows += [f"| `{x.name}` | {x.default} | {_range(x)} | {x.help_zh} | {x.help_en} | {x.source} |" for x in SETTINGS]
    return "\n".join(rows)


# Each setting's valid range. Shares and rates lie between 0 and 1 (0.8 is 80%); counts of days, minutes and failures
# are whole and positive; limits of an upload stay below what the server could read.
RANGES: dict[str, tuple[float, float]] = {
    "delivery_grace_days": (0, 30), "report_drop_ratio": (0.01, 1), "report_drop_serious_ratio": (0, 1),
    "delivery_rate_warning": (0.01, 1), "delivery_rate_serious": (0, 1), "delivery_rate_severe": (0, 1),
    "complaint_reply_workdays": (1, 30), "complaint_resolve_workdays": (1, 60), "timely_min_age_workdays": (0, 60),
    "progress_serious_ratio": (0, 1), "over_purchase_multiple": (1, 100), "nonselected_share_min": (0.01, 1),
    "abnormal_order_multiple": (1, 100), "abnormal_order_iqr_k": (0, 100), "receipt_confirm_workdays": (1, 60),
    "tier_a_min": (0.01, 1), "tier_b_min": (0, 1), "tier_c_min": (0, 1), "primary_gap_points": (0.001, 1),
    "worse_min_points": (0, 1), "red_flag_min_flags": (1, 6), "upload_max_mb": (1, 2048),
    "upload_max_rows": (1, 50_000_000), "login_max_failures": (1, 100), "login_lock_minutes": (1, 1440),
    "session_timeout_minutes": (1, 1440), "password_min_length": (8, 128), "notification_score": (1, 1000),
    "tier_complaint_min": (1, 1000), "cooperation_tier_b": (1, 100), "cooperation_tier_c": (1, 100),
    "cooperation_tier_d": (1, 100), "explanation_workdays": (1, 60), "rectification_workdays": (1, 120),
}
