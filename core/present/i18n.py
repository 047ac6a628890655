"""The label catalogue: every label of the app in Chinese (default) and English."""
from __future__ import annotations

import re

import pandas as pd

from core.policy.indicators import indicator

CATALOGUE: dict[str, tuple[str, str]] = {
    "app.title": ("集采全流程监测平台", "VBP full-process monitoring"),
    "app.unavailable": ("数据库暂时无法使用，请稍后重试；如仍出现，请联系系统管理员。",
                        "The store cannot be used right now. Try again later; if it goes on, ask the administrator."),
    "app.error": ("页面出现意外错误，请稍后重试；如仍出现，请将参考号 {reference} 告知系统管理员。",
                  "Something went wrong on this page. Try again; if it happens again, give the administrator the "
                  "reference {reference}."),
    "nav.map": ("地图", "Map"),
    "nav.interviews": ("约谈名单", "Interview list"),
    "nav.settings": ("设置", "Settings"),
    "map.title": ("逐级下钻地图", "Drill-down map"),
    "map.layer": ("图层", "Layer"),
    "map.layer.gap": ("基层供应不平衡（百分点）", "Primary-care gap (points)"),
    "map.layer.level_gap": ("等级间配送率差距（百分点）", "Gap between levels (points)"),
    "map.layer.red": ("红旗机构", "Red-flag institutions"),
    "map.layer.enterprise": ("企业配送率（分级视图）", "An enterprise's delivery rate (supplier tiers)"),
    "map.enterprise": ("企业", "Enterprise"),
    "map.hint": ("点击地图上的区域进入下一级；用上方的路径返回上一级。", "Click an area to drill down; use the path above to go back up."),
    "map.children": ("下级区域", "Areas within"),
    "map.institutions": ("辖区医疗机构", "Institutions in the area"),
    "map.figures": ("本级指标（与上级比较）", "This area's figures (against the level above)"),
    "map.figures_alone": ("本级指标", "This area's figures"),
    "col.code": ("代码", "Code"),
    "col.name": ("名称", "Name"),
    "col.value": ("数值", "Value"),
    "col.parent_value": ("上级数值", "Level above"),
    "col.flagged": ("预警数", "Flagged"),
    "col.definition": ("计算方法", "How it is computed"),
    "map.count_institutions": ("医疗机构数", "Institutions"),
    # a rule's numbers in a label are the settings in force (`ruled`): never written here as digits
    "help.timely_rate": ("按时回复（{complaint_reply_workdays}个工作日内）且按时解决（承诺不超过回复后"
                         "{complaint_resolve_workdays}个工作日并如期解决）的诉求 ÷ 计入考核的诉求（有约定采购量的医疗机构提出满"
                         "{timely_min_age_workdays}个工作日的诉求）；迟回复的诉求即使已解决也不计为及时",
                         "Complaints answered within {complaint_reply_workdays} working days and resolved by a "
                         "promise no later than {complaint_resolve_workdays} working days after the reply, over those "
                         "counted (raised by institutions holding an agreed volume at least {timely_min_age_workdays} "
                         "working days before); a late reply is never timely, even when resolved"),
    "help.reply_late": ("提出后{complaint_reply_workdays}个工作日内未回复（或至今未回复且已过期限）的诉求；迟回复的诉求不计为"
                        "及时解决",
                        "Complaints not answered within {complaint_reply_workdays} working days of being raised (or "
                        "still unanswered past that day); a late answer makes a complaint untimely too"),
    "help.unresolved": ("承诺解决日期晚于回复后{complaint_resolve_workdays}个工作日，或未在承诺日期前解决的诉求；可与未按时回复"
                        "重叠，及时解决率把两者都计为不及时",
                        "Complaints whose promised date lies more than {complaint_resolve_workdays} working days after "
                        "the answer, or that were not resolved by the promised date; they may also be late answers, "
                        "and the timely rate counts both as untimely"),
    "help.count_flagged": ("有该项预警的医疗机构数；诉求解决一项为逾期诉求件数",
                           "Institutions with a flag of this indicator; for complaint handling, overdue complaints"),
    "col.red_flag": ("红旗机构数", "Red-flag institutions"),
    "col.score": ("问题得分", "Problem score"),
    "col.level": ("等级", "Level"),
    "col.category": ("类别", "Category"),
    "col.primary": ("基层", "Primary"),
    "col.indicator": ("指标", "Indicator"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "iv.title": ("约谈名单", "Interview list"),
    "iv.city": ("城市", "City"),
    "iv.county": ("区县", "County"), "iv.district": ("区县", "District or county"),
    "iv.all": ("全部", "All"),
    "iv.count": ("共 {n} 个对象（医疗机构 {i} 家：红旗机构，或梯度措施已到约谈督导；C/D 级企业 {e} 家）",
                 "{n} listed: institutions {i} (red-flagged or due for an interview), tier C/D enterprises {e}"),
    "iv.open_hint": ("只选一行时可打开其档案。", "With one row selected, open its scorecard."),
    "iv.select_hint": ("勾选表格中的行后，可记录处理情况；只选一行时可打开其档案。",
                       "Select rows in the table to record what was done; with one row selected, open its scorecard."),
    "iv.select_first": ("在上方表格中勾选要记录处理情况的对象（可多选）后，这里将显示记录表单。",
                        "Select the rows to record (one or more) in the table above: the form to record an action shows here."),
    "iv.open": ("打开“{name}”的档案", "Open the scorecard of {name}"),
    "iv.record": ("记录处理情况（已选 {n} 个对象）", "Record an action ({n} selected)"),
    "iv.status": ("处理状态", "Status"),
    "iv.note": ("处理说明", "Note"),
    "iv.date": ("处理日期（默认为今天）", "Date of the action (today by default)"),
    "iv.date_help": ("实际采取措施的日期，不晚于今天；名单按统计截止日 {as_of} 的数据生成。",
                     "The day the action was taken, today at the latest; the list is of the figures as of {as_of}."),
    "iv.save": ("保存", "Save"),
    "iv.saved": ("已记录 {n} 条处理情况。", "{n} actions recorded."),
    "iv.download": ("导出约谈名单（Excel）", "Export the interview list (Excel)"),
    "iv.empty": ("该区域没有需约谈的医疗机构（红旗机构，或梯度措施已到约谈督导）或C/D级企业。",
                 "No institution due for an interview (red-flagged, or at that step) and no tier C/D enterprise here."),
    "ov.title": ("集采全流程监测平台", "VBP full-process monitoring"),
    "ov.caption": ("总览 · {area} · 统计截止日 {as_of} · 与 {prev} 比较", "Overview · {area} · as of {as_of} · against {prev}"),
    "ov.trend": ("月度趋势（按下单月份）", "Monthly trend (by order month)"),
    "ov.ranked": ("下级区域排名（配送率由低到高）", "Areas within, ranked by delivery rate (lowest first)"),
    "ov.table": ("下级区域指标一览", "Areas within: the headline figures"),
    "ov.inst_ranked": ("辖区医疗机构排名（配送率由低到高，最低的 {n} 家）",
                       "Institutions of the area, ranked by delivery rate (the lowest {n})"),
    "ov.inst_table": ("辖区医疗机构指标一览", "Institutions of the area: the headline figures"),
    "ov.inst_progress_note": ("表中“采购进度”为已采购 ÷ 约定采购量，与侧栏的序时进度比较；页首磁贴为其与序时进度之比。",
                              "“Procurement progress” here is purchases / agreed volume, to compare with the schedule "
                              "in the sidebar; the tile at the top is its ratio to the schedule."),
    "chart.threshold": ("预警线 {v:.0%}", "warning line {v:.0%}"),
    "ov.worse": ("本月变差的区域", "Areas that got worse this month"),
    "ov.worse_none": ("与上月末相比，没有区域的配送率下降 {points} 个百分点及以上，也没有区域的红旗机构增加。",
                      "No area's delivery rate fell by {points} points or more, and no area's red-flag count rose, since last month."),
    "ov.worse_rule": ("配送率较上月末下降 {points} 个百分点及以上，或红旗机构增加（下降幅度可在“设置”中调整）",
                      "Delivery rate down {points} points or more since last month, or more red-flag institutions (the size of the fall is a setting)"),
    "ov.delivery": ("配送率", "Delivery rate"),
    "ov.share": ("中选产品占比", "Selected share"),
    "ov.timely": ("诉求及时解决率", "Timely resolution"),
    "empty.no_marts": ("汇总表尚未生成：请先导入数据或载入演示数据。", "No figures yet: import data or load the demo first."),
}


def singular(text: str) -> str:
    """English words counted by one: "{n} items" -> "{n} item", "1 entries" -> "1 entry", "1 working days" -> "1
    working day" (the noun right after the count; "{n} hours late" -> "{n} hour late")."""
    return re.sub(r"(\{n\}|\b1) ((?:working )?[a-z]+?)(ies|s)\b",
                  lambda m: f"{m.group(1)} {m.group(2)}{'y' if m.group(3) == 'ies' else ''}", text, count=1)


def tn(key: str, lang: str, n: int, **values) -> str:
    """The label of a key that counts `n` things, formatted: in English the counted noun is singular for one."""
    text = t(key, lang)
    return (singular(text) if lang == "en" and n == 1 else text).format(n=n, **values)


def paren(text, lang: str = "zh") -> str:
    """`text` in brackets after what precedes it: full-width in Chinese (“（3）”), " (3)" in English."""
    return f" ({text})" if lang == "en" else f"（{text}）"


def t(key: str, lang: str = "zh") -> str:
    """The label of a key in the language; indicator.<id> is the registry's name of the indicator."""
    if key.startswith("indicator.") and key not in CATALOGUE:
        found = indicator(key.split(".", 1)[1])
        zh, en = found.zh, found.en
    else:
        zh, en = CATALOGUE[key]
    return en if lang == "en" else zh


def rule_values(settings) -> dict:
    """What a label's rule placeholders name: every setting by its name ({complaint_reply_workdays},
    {over_purchase_multiple:g}), and a share's name with _pct for it in percent as flag names write it (80%, 82.5%)."""
    return {**settings, **{f"{name}_pct": f"{value * 100:g}%" for name, value in settings.items()
                           if isinstance(value, float)}}


def ruled(key: str, lang: str, settings, **values) -> str:
    """A label that states a rule's numbers, with the settings in force (not the notice's defaults once an
    administrator changed them): its placeholders are `rule_values`' names, or `values`' (a counted label: `tn` with
    **rule_values(settings))."""
    return t(key, lang).format_map({**rule_values(settings), **values})


# Table columns: one label per column name, wherever the column appears.
COLUMNS: dict[str, tuple[str, str]] = {
    "region_code": ("代码", "Code"), "region_name": ("区域", "Area"), "code": ("代码", "Code"), "name": ("名称", "Name"),
    "product_code": ("产品编码", "Product code"), "generic_name": ("通用名", "Generic name"),
    "dosage_form": ("剂型/类别", "Form / class"), "specification": ("规格", "Specification"), "status": ("状态", "Status"),
    "manufacturer": ("中选企业", "Manufacturer"), "delivery_rate": ("配送率", "Delivery rate"),
    "delivered_qty": ("配送数量", "Delivered"), "ordered_qty": ("采购数量", "Ordered"),
    "count_institutions": ("医疗机构数", "Institutions"), "enterprise_code": ("企业编码", "Enterprise code"),
    "enterprise_name": ("企业名称", "Enterprise"), "role": ("类型", "Role"), "tier": ("等级", "Tier"),
    "delivery_tier": ("配送率等级", "Delivery tier"), "complaint_tier": ("诉求等级", "Complaint tier"),
    "timely_rate": ("及时解决率", "Timely rate"), "count_complaints": ("诉求数", "Complaints"),
    "primary_rate": ("基层配送率", "Primary rate"), "others_rate": ("二三级机构配送率", "Secondary and tertiary rate"),
    "distributors": ("配送企业（配送率）", "Distributors (rate)"), "gap_points": ("差距（百分点）", "Gap (points)"), "is_flagged": ("不平衡", "Imbalanced"),
    "flag_name": ("预警事项", "Flag"), "severity_zh": ("等级", "Severity"), "institution_code": ("机构编码", "Institution code"),
    "institution_name": ("医疗机构", "Institution"), "county_name": ("区县", "County"),
    "detail_code": ("涉及产品/品种/订单/诉求", "Product / group / order / complaint"),
    "detail_name": ("产品名称", "Product name"), "value": ("实际值", "Value"),
    "value_text": ("实际值", "Value"), "threshold_text": ("阈值", "Threshold"),
    "threshold": ("阈值", "Threshold"), "clause": ("通知条款", "Clause"), "count_reply_late": ("未按时回复", "Late replies"),
    "count_unresolved": ("未按时解决", "Unresolved in time"),
    "count_counted": ("计入考核", "Counted"), "count_timely": ("及时解决", "Timely"),
    "complaint_id": ("诉求编号", "Complaint"),
    "issue_type": ("问题类型", "Issue"), "raised_date": ("反馈日期", "Raised"), "reply_date": ("回复日期", "Replied"),
    "promised_date": ("承诺日期", "Promised"), "resolved_date": ("解决日期", "Resolved"),
    "reply_workdays": ("回复用时（工作日）", "Working days to reply"), "indicator": ("指标", "Indicator"),
    "numerator": ("分子", "Numerator"), "denominator": ("分母", "Denominator"), "count_flagged": ("预警", "Flagged"),
    "reported_qty": ("报量", "Reported"), "prior_year_qty": ("上年实际", "Last year"), "agreed_qty": ("约定量", "Agreed"),
    "purchased_qty": ("已采购", "Purchased"), "completion": ("完成率", "Completion"),
    "action_date": ("日期", "Date"), "note": ("说明", "Note"), "recorded_by": ("记录人", "Recorded by"),
    "recorded_at": ("记录时间", "Recorded at"), "sheet_zh": ("工作表", "Sheet"), "insert": ("新增", "Insert"),
    "replace": ("替换", "Replace"), "unchanged": ("不变", "Unchanged"), "uploaded_at": ("上传时间", "Uploaded at"),
    "username": ("用户", "User"), "file_name": ("文件", "File"), "sha256": ("SHA-256", "SHA-256"),
    "rows_json": ("行数", "Rows"), "outcome": ("结果", "Outcome"), "error_count": ("错误数", "Errors"),
    "sheet": ("工作表", "Sheet"), "row": ("行", "Row"), "column": ("列", "Column"), "zh": ("问题", "Problem (中文)"),
    "en": ("Problem", "Problem"), "delivery": ("配送率", "Delivery rate"),
    "progress": ("采购进度/序时进度", "Progress / schedule"),
    "delivery_change_points": ("较上月末（百分点）", "Change since last month (points)"),
    "count_red_flag_change": ("红旗机构较上月末增加", "Red-flag institutions, change"), "nonselected": ("中选产品占比", "Selected share"),
    "complaint": ("诉求及时解决率", "Timely resolution"), "count_red_flag": ("红旗机构数", "Red-flag institutions"),
}

# How a column's numbers read in the app's tables (the values, and the exports, stay as they are): rates
# and ratios in percent, quantities with thousands separators.
PERCENT_COLUMNS = frozenset({"delivery_rate", "timely_rate", "primary_rate", "others_rate", "completion", "delivery",
                             "progress", "nonselected", "complaint", "rate_1", "rate_2", "rate_3", "rate_4", "rate_5"})
QUANTITY_COLUMNS = frozenset({"delivered_qty", "ordered_qty", "numerator", "denominator", "reported_qty",
                              "prior_year_qty", "agreed_qty", "purchased_qty", "shortfall_qty"})


SIGNED_COLUMNS = {"delivery_change_points": "%+.2f", "count_red_flag_change": "%+d"}  # changes show their sign
POINTS_COLUMNS = {"gap_points": "%.1f", "level_gap_points": "%.1f"}  # gaps in percentage points, as the rule says them


def percent_decimals(value) -> int:
    """The decimals a rate reads with in percent: one, or as many more as show a rate one decimal would round to
    nothing as more than nothing (0.86% reads 0.9%, 0.012% reads 0.01%, 0.0004% reads 0.0004%); at most four. So a
    column of rates reads with one decimal unless one of them is that small."""
    if value is None or value != value or value == 0 or abs(value) == float("inf") or round(abs(value) * 100, 1) != 0:
        return 1
    decimals = 2
    while decimals < 4 and round(abs(value) * 100, decimals) == 0:
        decimals += 1
    return decimals


def column_decimals(values) -> int:
    """The decimals a column of rates reads with: those its smallest rate above nothing needs (one column shows
    one number format)."""
    return max([1] + [percent_decimals(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)])


def table_decimals(*columns) -> int:
    """The decimals every rate column of one table (each a list of values) reads with: those its smallest rate above
    nothing needs, in any of them (a row read 107.9% beside its city's 107.29% when each column took its own)."""
    return max([1] + [column_decimals(values) for values in columns])


def percent_text(value, decimals: int | None = None) -> str:
    """A rate in percent: 95.3%, 0.01% (a rate below 1% with the decimals that show it), "—" when missing."""
    if value is None or value != value:
        return "—"
    return f"{value * 100:.{percent_decimals(value) if decimals is None else decimals}f}%"


def number_formats(frame, columns, percent=()) -> dict[str, str]:
    """Column name -> "percent", "localized" or a signed format for the numeric columns among `columns` that read
    as a rate (always, or for this table: `percent`), as a quantity or as a change."""
    out = {}
    dtypes = frame.dtypes
    for c in columns:
        if c not in dtypes.index or not pd.api.types.is_numeric_dtype(dtypes[c]) or \
                pd.api.types.is_bool_dtype(dtypes[c]):
            continue
        if c in PERCENT_COLUMNS or c in percent:
            out[c] = "percent"
        elif c in QUANTITY_COLUMNS or c.startswith("count_"):
            out[c] = "localized"
        elif c in SIGNED_COLUMNS:
            out[c] = SIGNED_COLUMNS[c]
        elif c in POINTS_COLUMNS:
            out[c] = POINTS_COLUMNS[c]
    return out


CATALOGUE.update({
    "nav.overview": ("总览", "Overview"), "nav.data": ("数据概况", "Data"), "nav.supply": ("供应监测", "Supply"),
    "nav.procurement": ("采购监测", "Procurement"), "nav.complaints": ("诉求", "Complaints"),
    "nav.institution": ("机构档案", "Institution"), "nav.enterprise": ("企业档案", "Enterprise"),
    "sp.by_product": ("按产品", "By product"), "sp.tiers": ("企业分级", "Supplier tiers"),
    "sp.primary": ("基层与二三级机构", "Primary care"), "sp.lowest": ("{area} 配送率最低的产品", "{area}: products with the lowest delivery rate"),
    "sp.tier_rule": ("分级取三者中最差的一级：配送率、诉求及时解决率（计入诉求达到{min}件才分级）、期内“不配合”记录"
                     "（A ≥ {a}，B {b}–{a}，C {c}–{b}，D < {c}；不配合{nb}次B、{nc}次C、{nd}次及以上D，"
                     "同一经办人在同一天录入的记录计一次）。",
                     "The tier is the worst of three: delivery rate, timely resolution (graded only with at least "
                     "{min} counted complaints) and non-cooperation recorded in the period (A ≥ {a}, B {b}–{a}, "
                     "C {c}–{b}, D < {c}; non-cooperation {nb}: B, {nc}: C, {nd} or more: D, an officer's records entered on one "
                     "day counting once)."),
    "sp.primary_rule": ("二、三级医疗机构配送率比基层高{gap}个百分点以上，或基层低于{warn}而二、三级达到，即标记为基层供应不平衡"
                        "（其他非基层机构，如一级民营医院，不计入比较）。",
                        "An area is imbalanced when secondary and tertiary institutions' delivery rate is {gap} points "
                        "or more above primary care's, or primary care is below {warn} while theirs is not (other "
                        "institutions, a private first-level hospital say, are left out of the comparison)."),
    "pc.progress": ("采购进度", "Progress"), "pc.nonselected": ("非中选与可替代", "Non-selected and substitutes"),
    "pc.other": ("其他采购行为", "Other behaviour"), "pc.none": ("{area}没有此类预警。", "No such flags in {area}."),
    "cp.count": ("诉求数", "Complaints"), "cp.late": ("未按时回复", "Late replies"), "cp.unresolved": ("未按时解决", "Unresolved in time"),
    "cp.trend": ("按反馈月份的及时解决率", "Timely resolution by month raised"),
    "ov.trend_note": ("按月计。诉求及时解决率只计截止日前至少{n}个工作日提出的诉求：线断开的月份没有计入考核的诉求（无值，不是 0%），"
                      "最近的月份常常如此。",
                      "By month. Timely resolution counts complaints raised at least {n} working days before the as-of "
                      "date: a break in its line is a month without counted complaints (no value, not 0%), as the "
                      "latest month often is."),
    "cp.trend_note": ("按反馈月份计；线断开的月份没有计入考核的诉求（无值，不是 0%）。件数少的月份一件诉求即可使比率大幅变化。",
                      "By the month raised; a break in the line is a month without counted complaints (no value, not "
                      "0%). Where a month has few complaints, one of them moves the rate a long way."),
    "cp.by_enterprise": ("各企业诉求处理", "By enterprise"), "cp.overdue": ("逾期诉求", "Overdue complaints"),
    "sc.enter_code": ("在上方列表中输入名称或编码选择，或在任一列表中点选一行进入。",
                      "Choose above by name or code, or choose a row in any list."),
    "sc.unknown": ("您的管辖范围内没有编码为 {code} 的记录。", "Nothing in your jurisdiction has the code {code}."),
    "sc.no_card": ("编码为 {code} 的档案在当前统计截止日和产品类别下没有数据，可在左侧更换截止日或类别。",
                   "The record {code} has no figures for the as-of date and category chosen; choose others on the "
                   "left."),
    "sc.pick_institution": ("医疗机构", "Institution"), "sc.pick_enterprise": ("企业", "Enterprise"),
    "sc.pick_hint": ("输入名称或编码搜索", "Type a name or code"),
    "sc.first.institution": ("问题得分最高的医疗机构", "Institutions with the highest problem scores"),
    "sc.first.enterprise": ("企业（等级由低到高）", "Enterprises, lowest tier first"),
    "sc.first_note.enterprise": ("列出为本辖区供应中选产品的企业（生产和配送）；等级、配送率和及时解决率按企业在全省的供应计算"
                                 "（企业分级针对企业整体）。只生产非中选或可替代产品的企业不分级，不在此列，可在上方选择查看。",
                                 "The enterprises making or delivering selected products for this area; the tier and both "
                                 "rates cover the enterprise's supply across the province (a tier concerns the enterprise "
                                 "as a whole). Makers of non-selected or substitutable products only have no tier and are "
                                 "not listed; choose them above."),
    "sc.indicators": ("七项指标", "The seven indicators"), "sc.count_own": ("本机构预警", "Its own flags"), "sc.count_supply": ("供应企业预警", "Suppliers' flags"),
    "sc.flags": ("预警（实际值与阈值、通知条款）", "Flags (value, threshold, clause)"),
    "sc.no_flags": ("没有预警。", "No flags."), "sc.trend": ("月度趋势", "Monthly trend"),
    "sc.agreements": ("约定采购量", "Agreements"), "sc.complaints_raised": ("反馈的诉求", "Complaints raised"),
    "sc.complaints_received": ("收到的诉求", "Complaints received"), "sc.actions": ("处理记录", "Recorded actions"),
    "sc.products": ("产品配送", "Products"), "sc.red": ("红旗机构 · 得分 {score:.0f} · 建议措施：{step}",
                                                    "Red flag · score {score:.0f} · recommended: {step}"),
    "sc.measure": ("建议措施：{m}", "Recommended measure: {m}"), "sc.tier": ("企业等级", "Tier"),
    "sc.primary": ("基层医疗机构", "primary care"), "sc.non_primary": ("非基层", "not primary care"),
    "sc.as_of": ("统计截止日", "as of"), "table.download": ("下载 Excel", "Download Excel"),
    "table.none": ("暂无记录。", "Nothing to list."),
    "map.line": ("红色：低于 {bar}（应达到的水平），每低 10 个百分点深一档，低 30 个百分点及以上最深，各地图同一颜色同一档；"
                 "蓝色：达到或高于 {bar}。",
                 "Red: below {bar} (the level required), a shade darker for every 10 points below, darkest from 30 "
                 "points below, the same on every map; blue: at or above {bar}."),
    "table.more": ("共 {n} 行，表内滚动可看其余各行。", "{n} rows: scroll inside the table for the rest."),
    "table.pick_row": ("点选表格中的一行，打开其档案。", "Choose a row to open its scorecard."),
    "table.pick_area": ("点选表格中的一行，进入该区域（地图上太小或太远的区域也可由此进入）。",
                        "Choose a row to go into that area (also for areas too small or too far out to click on the map)."),
    "nav.upload": ("数据上传", "Upload"),
    "up.template": ("下载标准模板", "Download the template"),
    "up.file": ("选择标准抽取文件（.xlsx、.xls、.ods、.xlsb 工作簿，或每个工作表一个 .csv）",
                "Choose extract files (an .xlsx, .xls, .ods or .xlsb workbook, or one .csv per sheet)"),
    "up.demo_store": ("数据库中目前是演示数据。导入正式数据时，全部演示数据（含演示账户、处理记录和指标）将在导入时一并清除，"
                      "正式数据不会与演示数据混在一起。", "The store holds the demo province. Importing real data clears every "
                      "row of the demo (its accounts, recorded actions and figures) in the same transaction, so real data "
                      "never mixes with the demo."),
    "up.clear_demo": ("清除全部演示数据后导入", "Clear the demo, then import"),
    "up.browse": ("选择文件", "Choose files"), "up.size_note": ("每个文件不超过 {mb} MB", "Up to {mb} MB a file"),
    "up.checking": ("正在检查文件…", "Checking the files…"),
    "up.queued": ("其他文件正在检查或导入，本文件排队等候，稍后自动开始检查…",
                  "Other files are being checked or imported: this one waits its turn and is checked next…"),
    "up.errors": ("发现 {n} 个错误，未写入任何数据。请修改后重新上传。", "{n} errors found; nothing was written. Correct the file and upload it again."),
    "up.report": ("下载错误清单", "Download the error report"),
    "up.preview": ("检查通过。确认后将写入以下数据：", "The file is valid. Confirming writes:"),
    "up.confirm": ("确认导入", "Confirm the import"),
    "up.done": ("已导入：{rows}", "Imported: {rows}"),
    "up.working": ("正在后台导入并重新计算统计结果（其他用户照常使用，离开本页不影响导入）：",
                   "Importing and computing the figures in the background (others work as usual; leaving this page "
                   "does not stop it):"),
    "up.interrupted": ("导入进程意外中止。若数据已写入，统计结果将在下次打开数据页面时重新计算；请查看下方上传记录。",
                       "The import's process stopped before it ended. If the rows were written, the figures are computed "
                       "again when a data page is next opened; see the upload history below."),
    "up.failed": ("未完成：{reason}", "Not completed: {reason}"),
    "up.check_interrupted": ("检查文件的进程意外中止，未写入任何数据；请重新选择文件再试。",
                             "The process checking the files stopped before it ended; nothing was written. Choose the "
                             "files again to retry."),
    "up.history": ("上传记录", "Upload history"),
    "tile.delivery": ("配送率", "Delivery rate"), "tile.progress": ("采购进度/序时进度", "Progress vs plan"),
    "tile.help.delivery": ("有约定量的中选产品：配送数量 ÷ 采购数量（不含截止日前{delivery_grace_days}天内的订单）",
                           "Selected products under an agreement: delivered / ordered (orders of the last "
                           "{delivery_grace_days} days left out)"),
    "tile.help.progress": ("约定采购量完成率（已采购 ÷ 约定采购量）与序时进度之比；100% 即与序时进度持平。地图和指标表中的“采购进度”是完成率本身。",
                           "Completion (purchased / agreed volume) over the schedule; 100% is on schedule. The map's and the tables' "
                           "“procurement progress” is the completion itself."),
    "tile.help.nonselected": ("中选产品采购数量 ÷ 同品种中选与非中选产品采购数量", "Selected purchases / selected and non-selected purchases of the same groups"),
    "tile.help.complaint": ("按时回复且按时解决的诉求 ÷ 有约定采购量的医疗机构在截止日前至少{timely_min_age_workdays}个工作日"
                            "提出的诉求",
                            "Complaints answered and resolved in time / complaints raised by institutions holding an "
                            "agreed volume at least {timely_min_age_workdays} working days before"),
    "tile.help.count_red_flag": ("问题突出的医疗机构数（重点关注、严重预警，或预警涉及多项）", "Institutions with prominent problems (serious or severe flags, or warnings on several counts)"),
    "tile.help.count_tier_cd": ("全省配送或诉求处理评为C级、D级的企业数", "Enterprises of tier C or D in the province"),
    "tile.nonselected": ("中选产品占比", "Selected share"), "tile.complaint": ("诉求及时解决率", "Timely resolution"),
    "tile.count_red_flag": ("红旗医疗机构", "Red-flag institutions"), "tile.count_tier_cd": ("C/D级企业", "C/D enterprises"),
    "tile.points": ("{v:+.2f} 个百分点", "{v:+.2f} points"), "tile.same": ("持平", "no change"),
    "tile.below": ("低于预警线 {bar}", "below the {bar} warning line"),
    "tile.above": ("高于预警线 {bar}", "above the {bar} warning line"),
    "tile.behind": ("落后于序时进度", "behind schedule"),
    "home.subtitle": ("药品和医用耗材集中带量采购全流程监测 · 依据鲁医保发〔2023〕14号", "Full-process monitoring of volume-based procurement · Shandong notice No. 14 (2023)"),
    "home.institutions": ("医疗机构", "Institutions"), "home.enterprises": ("企业", "Enterprises"),
    "home.enterprises_help": ("为本辖区配送、生产其所购产品或收到其诉求的全部企业，含只生产非中选或可替代产品的企业；"
                              "企业档案只列出有中选产品供应、因而分级的企业。",
                              "Every enterprise delivering to the area, making what it buys or receiving its complaints, "
                              "makers of non-selected or substitutable products only among them; the enterprise list "
                              "shows those supplying selected products, which have a tier."),
    "home.agreements": ("约定采购量协议", "Agreements"), "home.orders": ("采购订单", "Orders"),
    "home.map": ("医疗机构分布", "Institutions by area"), "home.table": ("下级区域数据概况", "By area"),
    "home.by_category": ("医疗机构构成（按类别与等级）", "Institutions by category and level"),
    "home.tooltip": ("{name}：{value_text} 家医疗机构", "{name}: {value_text} institutions"),
    "home.counties": ("县区数", "Counties"), "home.primary": ("其中基层", "of which primary"), "home.orders_n": ("订单数", "Orders"),
    "set.title": ("设置 · 阈值与政策依据", "Settings · thresholds and their source"),
    "set.caption": ("《通知》（鲁医保发〔2023〕14号）规定了具体数值的，默认值即取其数值并注明条款；未规定具体数值的，"
                    "默认值为本系统所定，并如此注明。",
                    "Where the notice (鲁医保发〔2023〕14号) names a number, the default is that number and its clause is "
                    "given; where it names none, the default is the project's own, and says so."),
    "set.name": ("参数代码", "Code"), "set.value": ("当前值", "In force"), "set.default": ("默认值", "Default"),
    "set.changed": ("已修改", "Changed"), "set.help": ("参数", "Setting"), "set.source": ("默认值来源", "Source"),
    "set.source_help": ("《通知》规定了数值的，为其条款；“本系统默认值”指《通知》未规定具体数值、由本系统设定",
                        "The notice's clause where it names the number; a project default where the notice names none"),
})

CATALOGUE.update({
    "flt.title": ("筛选", "Filters"), "flt.period": ("采购周期", "Procurement period"),
    "flt.as_of": ("统计截止日", "As-of date"), "flt.category": ("产品类别", "Product category"),
    "flt.cat.all": ("全部", "All"), "flt.cat.药品": ("药品", "Drugs"), "flt.cat.耗材": ("医用耗材", "Medical consumables"),
    "flt.computing": ("正在按所选条件计算指标…", "Computing the figures for these filters…"),
    "iv.col.subject_type": ("对象类型", "Type"), "iv.col.subject_code": ("编码", "Code"),
    "iv.col.subject_name": ("名称", "Name"), "iv.col.area_name": ("所在区县", "County"),
    "iv.col.score": ("问题得分", "Problem score"), "iv.col.tier": ("企业等级", "Tier"), "iv.col.flags": ("预警事项", "Flags"),
    "iv.col.recommended": ("建议措施", "Recommended measure"), "iv.col.status": ("处理状态", "Status"),
    "iv.col.listed_for": ("列入原因", "Listed for"),
    "iv.why.ladder": ("通报后整改不到位", "Not put right after notice"),
    "iv.why.interviewed": ("已约谈，整改期内", "Interviewed, within its deadline"),
    "iv.why.after_interview": ("约谈后整改不到位", "Not put right after interview"),
    "iv.why.referred": ("已移交纪检监察", "Referred to discipline inspection"),
    "iv.why.red": ("问题突出，先通报", "Red flag: notify first"),
    "iv.why.tier": ("企业分级 {tier} 级", "Supplier tier {tier}"),
    "iv.col.status_date": ("状态日期", "Status date"), "iv.type.institution": ("医疗机构", "Institution"),
    "iv.type.enterprise": ("企业", "Enterprise"), "iv.col.card": ("档案", "Card"),
    "legend.no_value": ("无数据", "no data"), "legend.red": ("红旗机构（大小表示得分）", "red flag (size: score)"),
    "legend.primary": ("基层医疗机构", "primary care"), "legend.other": ("其他医疗机构", "other institutions"),
    "legend.ring_red": ("红圈：红旗机构", "red ring: red flag"),
    "map.no_figures": ("该区域在所选条件下没有指标数据。", "No figures for this area under these filters."),
    "flt.schedule": ("周期 {start} 至 {end} · 序时进度 {schedule:.1%}", "Period {start} to {end} · schedule {schedule:.1%}"),
    "flt.schedules": ("{count} 个协议周期在执行（{start} 至 {end}）· 序时进度按各协议周期计算",
                      "{count} agreement periods in force ({start} to {end}) · each agreement on its own schedule"),
})

CATALOGUE.update({
    "auth.title": ("登录", "Sign in"), "auth.username": ("用户名", "User name"), "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"), "auth.logout": ("退出登录", "Sign out"),
    "auth.expired": ("超过 {minutes} 分钟未操作，会话已结束，请重新登录。", "No activity for {minutes} minutes: the session ended. Sign in again."),
    "auth.gone": ("账户已停用或已失效，请重新登录。", "The account is disabled or no longer valid. Sign in again."),
    "auth.bye": ("已退出登录。", "Signed out."),
    "auth.reset": ("账户密码已由管理员重置，请使用新密码登录。", "An administrator reset the password: sign in with the new one."),
    "auth.ended_elsewhere": ("您已在其他窗口退出登录，请重新登录。", "You signed out in another window. Sign in again."),
    "auth.denied": ("您的账户无权打开此页面。", "Your account may not open this page."),
    "auth.sso": ("使用统一身份认证登录", "Sign in with single sign-on"), "auth.sso_out": ("退出统一身份认证", "Leave single sign-on"),
    "auth.demo": ("演示库账户（密码均为 `{password}`；导入正式数据后自动失效）：", "Demo accounts (password `{password}`; they stop working once real data is imported):"),
    "auth.no_accounts": ("尚无账户。请在服务器上运行 `python -m core users add 用户名 --role admin` 创建第一个管理员。",
                         "No accounts yet. On the server, run `python -m core users add NAME --role admin` to create the first administrator."),
    "nav.admin": ("账户管理", "Accounts"), "nav.audit": ("审计日志", "Audit log"),
    "ad.create": ("新建账户", "New account"), "ad.change": ("修改角色与状态", "Role and status"),
    "ad.reset": ("重置密码", "Reset password"), "ad.role": ("角色", "Role"), "ad.area": ("管辖区域", "Area"),
    "ad.display_name": ("姓名", "Name"), "ad.created": ("已创建账户 {user}。", "Account {user} created."),
    "ad.changed": ("已修改账户 {user}。", "Account {user} changed."), "ad.save_role": ("保存角色与区域", "Save role and area"),
    "ad.disable": ("停用账户", "Disable"), "ad.enable": ("启用账户", "Enable"),
    "ad.status.active": ("启用", "Active"), "ad.status.disabled": ("停用", "Disabled"),
    "ad.status.locked": ("锁定至 {until}", "Locked until {until}"),
    "ad.sso": ("统一身份认证标识（邮箱或 sub）", "Single sign-on identity (e-mail or sub)"),
    "ad.save_sso": ("保存标识", "Save identity"), "ad.new_password": ("新密码", "New password"),
    "au.since": ("起始日期", "From"), "au.until": ("截止日期", "To"), "au.action": ("操作", "Action"),
    "au.count": ("共 {n} 条记录（最新在前）", "{n} entries, newest first"),
    "set.change": ("修改参数（管理员）", "Change a setting (administrators)"),
    "set.new_value": ("新值（比例可写 0.85 或 85%）", "New value (a share as 0.85 or 85%)"),
    "set.save": ("保存此修改", "Save this change"), "set.preview": ("预览影响", "Preview the effect"),
    "set.previewing": ("正在按新值计算预警…", "Computing the flags with the new value…"),
    "set.effect": ("“{name}”由 {before} 改为 {after} 的影响（与现行结果相比，尚未保存）",
                   "“{name}” from {before} to {after}: the effect (against the figures in force; not saved yet)"),
    "set.appear": ("新增", "Added"), "set.disappear": ("消失", "Removed"),
    "set.count_appear": ("新增预警", "Flags added"), "set.count_disappear": ("消失预警", "Flags removed"),
    "set.red_change": ("红旗机构 增/减", "Red-flag institutions +/-"), "set.tier_change": ("分级变化的企业", "Enterprises changing tier"),
    "set.no_effect": ("按新值计算，预警与现行结果相同。", "With the new value the flags are the same as now."),
    "set.effect_file": ("参数修改影响", "Effect of the change"), "set.changes_file": ("变化的预警", "Flags that change"),
    "set.drop": ("放弃", "Drop the change"),
    "set.case_appear": ("新增案件", "Opens"), "set.case_disappear": ("不再成立", "Closes"),
    "set.case_change": ("案件 新增/不再成立", "Cases opened / closed"),
    "set.cases_file": ("变化的案件", "Cases that change"),
    "sc.supply_flags": ("供应企业未达标", "Its suppliers' shortfalls"),
    "sc.supply_flags_note": ("配送率由中选企业和配送企业负责（《通知》二（三））：以下计入相关企业的分级，不计入本机构的红旗与梯度措施。",
                             "Delivery is the selected enterprises' and distributors' duty (the notice, II(3)): these count "
                             "toward their tiers, not toward this institution's red flag or measures."), "set.saved": ("已将 {name} 设为 {value}；新的统计结果正在后台计算，完成前各页面显示上次的结果。",
                                             "{name} is now {value}; the new figures are being computed in the "
                                             "background, and until they are ready the pages show the previous ones."),
    "iv.read_only": ("您的角色只能查看和导出约谈名单。", "Your role can view and export the list only."),
    "up.demo": ("这是演示账户：导入正式数据后，所有演示账户将失效，需使用正式账户登录。",
                "This is a demo account: once real data is imported every demo account stops working."),
})
COLUMNS.update({
    "change_text": ("变化", "Change"), "appear": ("新增", "Added"), "disappear": ("消失", "Removed"),
    "subject_code": ("对象编码", "Code"),
    "display_name": ("姓名", "Name"), "area_name": ("管辖区域", "Area"), "is_active": ("启用", "Active"),
    "scope_text": ("数据范围", "Scope"),
    "is_demo": ("演示账户", "Demo"), "failed_logins": ("登录失败", "Failed sign-ins"),
    "locked_until": ("锁定至", "Locked until"), "last_login_at": ("最近登录", "Last sign-in"),
    "sso_subject": ("统一认证", "SSO"), "created_at": ("创建时间", "Created"),
    "created_on": ("创建日期", "Created"), "status_text": ("状态", "Status"),
    "at": ("时间", "Time"), "scope": ("数据范围", "Scope"), "action_name": ("操作", "Action"), "target": ("对象", "Target"),
    "detail": ("详情", "Detail"), "role_name": ("角色", "Role"), "scope_name": ("数据范围", "Scope"),
    "detail_text": ("详情", "Detail"), "who": ("用户", "User"), "outcome_text": ("结果", "Outcome"), "rows_text": ("行数", "Rows"), "reason": ("原因", "Reason"),
})


def headers(columns, L: str = "zh") -> dict[str, str]:
    """Column name -> label for a table, in the interface language."""
    return {c: (COLUMNS[c][1] if L == "en" else COLUMNS[c][0]) for c in columns}


# The data's own vocabulary (the extract's choices, the actions' statuses, the measures), in English. A value
# that is exactly one of these reads in English on an English page; names and codes stay as they are.
VOCABULARY: dict[str, str] = {
    "三级": "Level III", "二级": "Level II", "一级": "Level I", "未定级": "Unrated",
    "综合医院": "General hospital", "中医医院": "TCM hospital", "专科医院": "Specialist hospital",
    "妇幼保健院": "Maternal and child health", "乡镇卫生院": "Township health centre",
    "社区卫生服务中心": "Community health centre", "村卫生室": "Village clinic", "其他": "Other",
    "是": "Yes", "否": "No", "公立": "Public", "民营": "Private",
    "达标": "Yes", "未达标": "No", "企业负责": "Suppliers' duty",
    "生产企业": "Manufacturer", "配送企业": "Distributor", "药品": "Drug", "耗材": "Consumable",
    "中选": "Selected", "非中选": "Non-selected", "可替代": "Substitutable",
    "完全可替代": "Fully substitutable", "大部分可替代": "Mostly substitutable", "线上": "Online", "线下": "Offline",
    "供货不及时": "Late supply", "质量问题": "Quality", "价格问题": "Price",
    "待处理": "Open", "已提醒": "Reminded", "已通报": "Notified", "已约谈": "Interviewed", "已整改": "Rectified",
    "已移交纪检": "Referred to discipline inspection",
    "报量风险提示": "Risk warning on reported volume", "减少约定采购量": "Reduced agreed volume",
    "落实招采信用评价": "Credit evaluation applies",
    "不接受参加集采": "Excluded from the next round",
    "预警提示": "Warning reminder", "通报提醒": "Notification", "约谈督导": "Interview and supervision",
    "与纪检监察部门联动处置": "Referral to discipline inspection",
    "医疗机构": "Institution", "企业": "Enterprise",
    # dosage forms (those of the demo, and other common ones of the VBP rounds)
    "片剂": "Tablet", "胶囊": "Capsule", "肠溶片": "Enteric-coated tablet", "肠溶胶囊": "Enteric-coated capsule",
    "散剂": "Powder", "植入类": "Implant", "介入类": "Interventional device", "注射剂": "Injection",
    "颗粒剂": "Granules", "缓释片": "Extended-release tablet", "控释片": "Controlled-release tablet",
    "分散片": "Dispersible tablet", "口服溶液剂": "Oral solution", "滴眼剂": "Eye drops", "吸入剂": "Inhalation",
}


def vocabulary(value, lang: str = "zh"):
    """A value of the data's vocabulary in the interface language (anything else as it is)."""
    return VOCABULARY.get(value, value) if lang == "en" and isinstance(value, str) else value


def translated(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The frame with its text values of the data's vocabulary in the interface language."""
    if lang != "en":
        return frame
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = pd.Series([VOCABULARY.get(v, v) if isinstance(v, str) else v for v in out[c]], index=out.index,
                               dtype=object)
    return out


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(month: str, lang: str = "zh") -> str:
    """A month "2026-01" as it reads: 2026年1月, or Jan 2026."""
    year, number = str(month)[:4], int(str(month)[5:7])
    return f"{_MONTHS_EN[number - 1]} {year}" if lang == "en" else f"{year}年{number}月"


_CLAUSE_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def clause_text(clause: str, lang: str = "zh") -> str:
    """A clause of the notice as it reads: 二（三） in Chinese, II(3) in English."""
    if lang != "en" or not isinstance(clause, str):
        return clause
    m = re.fullmatch(r"([一二三四五六七八九十])（([一二三四五六七八九十])）", clause.strip())
    return f"{_ROMAN[_CLAUSE_NUMBERS[m.group(1)]]}({_CLAUSE_NUMBERS[m.group(2)]})" if m else clause


NOTICE = ("鲁医保发〔2023〕14号", "Shandong notice No. 14 (2023)")


# Casework (core.read.cases, pages/cases.py).
CATALOGUE.update({
    "nav.cases": ("案件处理", "Casework"),
    "iv.col.due": ("整改/说明期限", "Deadline"),
    "case.deadline": ("整改/说明期限（可不填）", "Deadline (optional)"),
    "case.deadline_help": ("不填时：提醒、通报、约谈到所在季度末；要求说明为设置中的工作日数之后。",
                           "When empty: a reminder, notification or interview runs to the quarter's end; an explanation "
                           "is due after the working days of the settings."),
    "case.note": ("处理说明（“已说明”时填写医疗机构的说明内容）", "Note (for “explained”: the institution's explanation)"),
    "case.note_plain": ("处理说明", "Note"),
    "case.note_help": ("最多2000字，按原文保存和显示。", "Up to 2,000 characters, kept and shown as written."),
    "case.next.take": ("{measure}（待落实）", "{measure} (pending)"),
    "case.sent": ("已报送省局；", "Sent to the province; "),
    "case.elsewhere": ("其他地区", "another area"),
    "case.bureau": ("{area}医保部门", "{area} medical insurance bureau"),
    "case.elsewhere_note": ("（其他地区的记录，内容不显示）", "(recorded by another area; not shown)"),
    "case.withdrawn": ("已撤销", "withdrawn"), "case.withdrawn_reason": ("撤销原因", "why"),
    "case.withdraw": ("撤销本人近30天的记录（误录时）", "Withdraw a record of yours from the last 30 days (made by mistake)"),
    "case.withdraw_pick": ("要撤销的记录", "Record to withdraw"), "case.withdraw_reason": ("撤销原因", "Reason"),
    "case.withdraw_button": ("撤销", "Withdraw"), "case.withdrawn_ok": ("已撤销该记录。", "The record is withdrawn."),
    "case.withdraw_none": ("近30天没有可撤销的记录。", "No record of yours from the last 30 days."),
    "case.chosen": ("已选：{names}", "Chosen: {names}"),
    "case.next.closed": ("已整改，待新数据复核", "Rectified; to be checked against newer figures"),
    "case.next.referred": ("已移交纪检监察，跟踪处置结果", "Referred to discipline inspection; follow the outcome"),
    "case.next.wait": ("{measure}（已落实）；整改期限 {due}，届时仍有问题：{then}",
                       "{measure} (taken); rectify by {due}, and if problems remain then: {then}"),
    "case.next.explanation.request": ("要求医疗机构作出说明", "Ask the institution to explain"),
    "case.next.explanation.await": ("等待医疗机构说明", "Awaiting the explanation"),
    "case.next.explanation.judge": ("审核说明：采纳，或退回重新填报", "Judge it: accept it, or return the report"),
    "case.next.explanation.refile": ("等待医疗机构重新填报", "Awaiting the re-filed report"),
    "case.next.explanation.done": ("说明已采纳", "Explanation accepted"),
    "case.next.explanation.province": ("已报送省局，待省局处理", "Sent to the province, for it to deal with"),
    "case.tier_problem": ("企业分级为 {tier} 级", "Supplier tier {tier}"),
    "case.level.county": ("区县", "County"), "case.level.city": ("市", "City"),
    "case.gap_problem": ("基层配送率比二、三级机构低 {gap:.1f} 个百分点", "Primary care {gap:.1f} points below Level II–III"),
    "case.level_gap_problem": ("{high}与{low}医疗机构配送率相差 {gap:.1f} 个百分点",
                               "{high} vs {low}: {gap:.1f} points apart"),
    "case.complaint_problem.reply": ("企业未按时回复", "Not answered in time"),
    "case.complaint_problem.resolve": ("企业未按承诺时间解决", "Not resolved in time"),
    "case.complaint_problem.disputed": ("医疗机构对解决情况有异议", "The institution disputes the resolution"),
    "case.next.area.check": ("核查处置", "Check and deal with it"),
    "case.next.area.watch": ("持续监测；解决不到位的报送省医保局", "Keep watching; report it to the province if unsolved"),
    "case.next.area.province": ("已报送省局，待省局处理", "Sent to the province, for it to deal with"),
    "case.next.complaint.supervise": ("督导企业解决", "Supervise the enterprise"),
    "case.next.complaint.watch": ("跟踪解决情况", "Follow it up"),
    "case.next.complaint.province": ("已报送省局，待省局处理", "Sent to the province, for it to deal with"),
})
VOCABULARY.update({
    "已提示风险": "Risk warned", "不配合": "Uncooperative", "待说明": "Explanation requested", "已说明": "Explained",
    "已采纳": "Accepted", "已退回重填": "Returned for re-filing", "已核查": "Checked", "已督导": "Supervised",
    "已报送省局": "Reported to the province", "基层": "Primary care",
})
COLUMNS.update({
    "score": ("问题得分", "Problem score"), "is_red": ("红旗", "Red flag"), "measure": ("当前措施", "Step"),
    "recommended": ("应采取措施", "What to do"), "due": ("期限", "Deadline"), "overdue": ("逾期", "Overdue"),
    "escalated": ("已报送省局", "Reported to province"), "explanation": ("机构说明", "Explanation"),
    "cooperation_tier": ("配合等级", "Cooperation tier"), "count_uncooperative": ("不配合（计次）", "Non-cooperation (times)"),
    "problem": ("问题", "Problem"), "subject_name": ("名称", "Name"), "flags": ("预警事项", "Flags"),
    "status_date": ("状态日期", "Status date"), "region_level": ("层级", "Level"), "case_name": ("案件类型", "Case"),
    "about": ("事项", "About"), "deadline": ("期限", "Deadline"), "level_gap_points": ("等级间最大差距（百分点）", "Widest gap between levels (points)"),
    "rate_1": ("三级", "Level III"), "rate_2": ("二级", "Level II"), "rate_3": ("一级", "Level I"),
    "rate_4": ("未定级", "Unrated"), "rate_5": ("基层", "Primary care"), "case_kind": ("案件类型", "Case"),
    "unit_name": ("所在区县", "County"), "level_name": ("层级", "Level"),
})
CATALOGUE.update({
    "case.m.ladder_todo": ("梯度措施待落实", "Ladder measures to take"),
    "case.m.explanations": ("说明事项未办结", "Explanations open"),
    "case.m.overdue": ("已逾期", "Overdue"), "case.m.escalated": ("已报送省局", "Sent to the province"),
    "case.caption": ("每类问题由《通知》指定的责任方负责：医疗机构的采购行为走梯度措施，报量下降、超量和不报量采购由医疗机构作出说明，"
                     "配送与诉求计入企业分级，供应不平衡由所在地区核查处置。",
                     "Who answers for what: institutions for their purchasing (the measures ladder) and for explaining "
                     "report drops and purchases beyond their agreements; enterprises for delivery and complaints (their "
                     "tiers); areas for supply imbalances."),
    "case.col.tier_measure": ("分级措施", "Measure for the tier"),
    "case.help_score": ("梯度措施所列预警的加权和：预警1分、重点关注3分、严重9分", "Ladder flags weighted: warning 1, serious 3, severe 9"),
    "case.help_red": ("问题突出：有重点关注或严重预警，或三类及以上预警（设置 red_flag_min_flags）",
                      "Prominent problems: a serious or severe ladder flag, or warnings of three or more kinds"),
    "case.pick": ("勾选表格中的行即可记录处理情况（可多选）。", "Tick rows of a table to record an action (several at once)."),
    "case.read_only": ("您的角色只能查看和导出。", "Your role can view and export only."),
    "case.col.level": ("层级", "Level"), "case.col.parent": ("上级区域", "Within"), "case.col.institution": ("反馈机构", "Raised by"),
    "case.col.enterprise": ("被反馈企业", "Enterprise"), "case.col.where": ("所在地区/机构", "Where"),
    "case.tab.ladder": ("梯度措施", "Measures ladder"), "case.tab.explanation": ("说明事项", "Explanations"),
    "case.tab.tier": ("企业分级", "Supplier tiers"), "case.tab.area": ("区域不平衡", "Area imbalance"),
    "case.tab.complaint": ("诉求督导", "Complaints"), "case.tab.overdue": ("逾期", "Overdue"),
    "case.tab.escalated": ("已报送省局", "Sent to the province"),
    "case.help.ladder": ("持有梯度措施所列预警（采购进度、中选占比、可替代、线下、超常规、确认收货）的医疗机构："
                         "预警提示 → 通报提醒（上季度末仍有问题、红旗或得分达标）→ 约谈督导（通报整改期限到期仍有问题）"
                         "→ 与纪检监察部门联动处置（约谈期限到期仍有问题）。记录处理后下一步随即更新。",
                         "Institutions holding a ladder flag (progress, selected share, substitutes, offline, abnormal, "
                         "receipt): warning -> notification (flagged at the last quarter's end, red-flagged or a high "
                         "score) -> interview (problems left at the notification's deadline) -> discipline inspection "
                         "(left at the interview's deadline). The next step changes as soon as an action is recorded."),
    "case.help.explanation": ("报量不足上年实际采购量{report_drop_ratio_pct}、采购量超出约定采购量{over_purchase_multiple:g}倍、"
                              "不报量仍大量采购的，由医疗机构作出说明；说明依据不充分的报量退回重新填报（《通知》二（一）、二（七））。",
                              "Reports below {report_drop_ratio_pct} of last year's purchases, purchases above "
                              "{over_purchase_multiple:g}x the agreed volume and large purchases without a report: the "
                              "institution explains; a report whose explanation falls short is returned for re-filing "
                              "(II(1), II(7))."),
    "case.help.tier": ("B、C、D级企业及其措施：报量风险提示、减少约定采购量、不接受参加集采（配送企业：落实招采信用评价）；"
                       "记录“不配合”计入企业的配合等级（期内{cooperation_tier_b}次B级、{cooperation_tier_c}次C级、"
                       "{cooperation_tier_d}次及以上D级），随即重新计算分级。",
                       "Tier B, C and D enterprises and their measures; a non-cooperation record counts toward the "
                       "cooperation tier ({cooperation_tier_b} in the period: B, {cooperation_tier_c}: C, "
                       "{cooperation_tier_d} or more: D) and the tiers are computed again."),
    "case.help.area": ("基层与二、三级医疗机构、不同等级医疗机构之间供应不平衡的区县和市（含下级全部），由当地核查处置；"
                       "问题突出或解决不到位的报送省医保局。",
                       "Counties and cities where primary care, or one institution level against another, is supplied "
                       "worse, at every depth: checked locally; reported to the province when prominent or unsolved."),
    "case.help.complaint": ("企业未按时回复或未按承诺时间解决的诉求，由市、县医保部门督导解决（《通知》二（四））。",
                            "Complaints answered late or not resolved in time: the city and county bureaus supervise "
                            "them (II(4))."),
    "case.help.overdue": ("期限已过仍未办结的案件：整改期限到期、要求说明逾期未说明。",
                          "Open cases past their deadline: a rectification period run out, an explanation not received."),
    "case.help.escalated": ("已报送省医保局的案件；省级用户可见全省各市报送的案件。",
                            "Cases reported to the provincial bureau; provincial users see those of every city."),
})
CATALOGUE.update({
    "sc.ladder_todo": ("得分 {score:.0f} · 梯度措施第 {step} 步“{measure}”待落实",
                       "Score {score:.0f} · measures ladder step {step}, “{measure}”, pending"),
    "sc.ladder_done": ("得分 {score:.0f} · 梯度措施第 {step} 步“{measure}”已落实 · 下一步：{next}",
                       "Score {score:.0f} · measures ladder step {step}, “{measure}”, taken · next: {next}"),
    "sc.red_mark": ("红旗机构 · ", "Red flag · "), "sc.explanations": ("作出说明的事项", "Explanations"),
    "dk.explanations_note": ("状态为“待处理”的事项，经办尚未要求说明，本机构可主动说明；“待说明”的事项已被要求，须在期限内说明"
                             "（《通知》二（一）、二（七））。",
                             "“Open”: not yet requested by the officer, and you may explain at once; “Explanation "
                             "requested”: to be given by its deadline (the notice, II(1) and II(7))."),
    "sc.uncooperative": ("不配合（计次）", "Non-cooperation"),
    "sc.tier_evidence": ("分级依据（取三者中最差的一级）", "Basis for the tier (the worst of the three)"),
    "sc.part": ("分级项目", "Part"), "sc.figure": ("实际情况", "Figure"), "sc.rule": ("分级规则", "Rule"),
    "sc.failed": ("配送率低于{x}的医疗机构", "Institutions it supplied below {x}"),
    "sc.failed_file": ("配送未达标机构", "Institutions supplied below the threshold"),
})
COLUMNS.update({"manufacturer": ("中选企业", "Manufacturer"), "distributors": ("配送企业", "Distributors")})
CATALOGUE.update({
    "sp.flagged_areas": ("{area}范围内供应不平衡的地区（{n} 项，含各级）", "Imbalances within {area} ({n}, at every depth)"),
    "sp.flagged_file": ("供应不平衡地区", "Imbalanced areas"),
    "sp.levels": ("不同等级医疗机构配送率", "Delivery rate by institution level"),
    "sp.levels_rule": ("《通知》二（五）要求关注不同等级医疗机构供应不平衡：按三级、二级、一级、未定级及基层医疗机构分别计算配送率"
                       "（基层机构同时计入其等级），最后一列为各等级之间的最大差距，达到{gap}个百分点即标记为不同等级供应不平衡。",
                       "The notice (II(5)) asks for the balance between institutions of different levels: delivery "
                       "rates by level and for primary care (a primary institution also counts under its level); the "
                       "last column is the widest gap between levels; {gap} points or more is an imbalance between "
                       "levels."),
})
# The two dockings (pages/ent_supply.py, pages/inst_self.py, pages/desk.py) and the first sign-in.
CATALOGUE.update({
    "nav.ent_supply": ("供应对接", "Supply"), "nav.inst_self": ("自查自纠", "Self-inspection"),
    "nav.desk": ("诉求对接", "Complaints"),
    "auth.change_title": ("修改初始密码", "Change your initial password"),
    "auth.change_why": ("这是账户的初始密码。请先设置自己的密码（至少 {n} 位，须同时包含字母和数字），再使用本系统。",
                        "This is the account's initial password. Set your own (at least {n} characters with letters and "
                        "digits) before going on."),
    "auth.change_old": ("当前密码", "Current password"), "auth.change_new": ("新密码", "New password"),
    "auth.change_again": ("再次输入新密码", "New password again"), "auth.change_submit": ("修改密码", "Change password"),
    "auth.change_differ": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "auth.changed": ("密码已修改。", "Your password is changed."),
    "dk.below_count": ("配送率低于{x}的机构×产品", "Pairs below {x}"),
    "dk.below_count_help": ("医疗机构与本企业产品的组合中，配送率低于预警线的个数", "Institution-product pairs of your "
                            "products whose delivery rate is below the warning line"),
    "dk.measure": ("企业分级为 {tier} 级：{m}（《通知》二（七））", "Tier {tier}: {m} (the notice, II(7))"),
    "dk.supply": ("约定采购量与配送进度（按医疗机构、产品）", "Agreed volumes and delivery, by institution and product"),
    "dk.supply_note": ("中选企业按本企业的中选产品、配送企业按本企业配送的订单计算；配送率 = 配送数量 ÷ 采购数量（截止日前"
                       "{delivery_grace_days}天以前的订单），应达到{delivery_rate_warning_pct}以上（《通知》二（三））。",
                       "A manufacturer's rows are its selected products, a distributor's the orders it delivered; the "
                       "delivery rate is delivered over ordered (orders placed by T - {delivery_grace_days} days), to "
                       "reach {delivery_rate_warning_pct} (II(3))."),
    "dk.only_below": ("只看配送率低于{x}的", "Only those below {x}"),
    "dk.no_ladder": ("本机构目前没有梯度措施所列的问题。", "No problem of the measures ladder at present."),
    "dk.self": ("自查自纠：七项指标", "Self-inspection: the seven indicators"),
    "dk.self_note": ("对照阈值和《通知》条款逐项自查；需整改的按建议整改。所在区县和市的数值为辖区合计，不涉及其他机构的明细。",
                     "Check each indicator against its threshold and clause, and correct what is flagged. The county's "
                     "and city's figures are totals of the area; no other institution is shown."),
    "dk.mine": ("本机构", "This institution"), "dk.requirement": ("要求", "Should be"), "dk.count_own": ("本机构预警", "Own flags"),
    "dk.to_correct": ("需整改", "To correct"), "dk.involved": ("涉及", "Concerning"), "dk.advice": ("整改建议", "What to do"),
    "dk.county_value": ("所在区县", "My county"), "dk.city_value": ("所在市", "My city"),
    "dk.req.min": ("不低于{bar}", "at least {bar}"), "dk.req.max": ("不高于{bar}", "at most {bar}"),
    "req.each_order": ("每笔问题订单预警", "each problem order flagged"),
    "dk.schedule": ("序时进度 {rate}", "the schedule, {rate}"),
    "dk.schedule_each": ("各协议周期的序时进度", "each agreement's own schedule"), "dk.meets": ("是否达标", "Met"),
    "adv.report": ("原则上各产品报量不少于上年实际采购量；合计达标时，单个产品报量下降超过规定的仍须作出说明（见下方预警）。",
                   "Report at least last year's purchases of each product; a product whose report drops beyond the "
                   "rule is explained even where the total is met (see the flags below)."),
    "adv.delivery": ("配送由中选企业和配送企业负责：配送不足的，通过诉求对接向企业反馈。", "Delivery is the suppliers' duty: raise a complaint where it falls short."),
    "adv.complaint": ("通过诉求对接反馈供货问题，并及时确认解决情况。", "Raise supply problems as complaints and confirm their resolution."),
    "adv.progress": ("按序时进度采购中选产品，完成约定采购量。", "Buy the selected products on schedule to complete the agreed volume."),
    "adv.nonselected": ("优先采购中选产品，减少非中选产品采购。", "Buy the selected products first; cut non-selected purchases."),
    "adv.substitute": ("控制可替代药品采购，不超过上年用量。", "Keep substitutable drugs within last year's volume."),
    "adv.other": ("全部通过平台线上采购，按约定量均衡下单，配送后及时确认收货。", "Buy online only, order evenly, and confirm receipt promptly."),
    "adv.none": ("—", "—"),
    "dk.no_explanations": ("没有需要本机构作出说明的事项。", "Nothing to explain."),
    "dk.explain_which": ("要说明的事项", "Item to explain"),
    "dk.explain_text": ("说明内容（报量下降、超量或不报量采购的原因和依据）", "Your explanation (the reasons and their grounds)"),
    "dk.explain_submit": ("提交说明", "Send the explanation"), "dk.explained": ("说明已提交，等待医保部门审核。", "Sent; the bureau will judge it."),
    "dk.suppliers": ("本机构订单的配送情况（按企业）", "Delivery of my orders, by enterprise"),
    "dk.stage.answer": ("待企业回复", "Awaiting the reply"), "dk.stage.resolve": ("待企业解决", "Awaiting the resolution"),
    "dk.stage.confirm": ("待机构确认", "Awaiting confirmation"), "dk.stage.done": ("已办结", "Closed"),
    "dk.source.app": ("系统内提出", "Raised here"), "dk.source.import": ("平台导入", "Imported"),
    "dk.imported_note": ("来源为“平台导入”的诉求请在招采平台答复和办结，本系统随下次导入更新。",
                         "Imported complaints are answered on the procurement platform; the next import brings their steps."),
    "dk.to_correct_n": ("是（{n}项）", "Yes ({n})"),
    "pc.detail.product": ("涉及产品", "Product"), "pc.detail.group": ("涉及品种/产品", "Group / product"),
    "pc.detail.order": ("涉及订单", "Order"),
    "dk.rate_ordered": ("计入配送率的采购数量", "Ordered (counted in the rate)"),
    "dk.col.stage_text": ("进度", "Stage"), "dk.col.workdays_left": ("距期限（工作日）", "Working days left"),
    "dk.col.description": ("问题描述", "Description"), "dk.col.reply_due": ("回复期限", "Reply due"),
    "dk.col.reply_text": ("企业回复", "Reply"), "dk.col.confirmation": ("机构确认", "Confirmation"),
    "dk.col.confirmation_note": ("异议理由", "Why disputed"), "dk.col.source_text": ("来源", "Source"),
    "dk.desk_note.enterprise": ("待办 {n} 条：收到诉求后应在{complaint_reply_workdays}个工作日内回复并承诺解决日期（不超过回复后"
                                "{complaint_resolve_workdays}个工作日），按期解决（《通知》二（四））。",
                                "Pending: {n}. Reply within {complaint_reply_workdays} working days with a promised date at "
                                "most {complaint_resolve_workdays} working days later, and resolve by it (II(4))."),
    "dk.desk_note.institution": ("待确认 {n} 条。供货不及时等问题可在此反馈给企业；企业解决后请确认或提出异议。",
                                 "Awaiting your confirmation: {n}. Raise supply problems with an enterprise here; confirm or dispute "
                                 "each resolution."),
    "dk.raise": ("反馈新诉求", "Raise a complaint"), "dk.enterprise": ("企业", "Enterprise"),
    "dk.pick_enterprise": ("选择被反馈的企业", "Choose the enterprise"),
    "dk.product": ("涉及产品", "Product"), "dk.no_product": ("不涉及具体产品", "No particular product"),
    "dk.issue": ("问题类型", "Issue"), "dk.description": ("问题描述", "Description"),
    "dk.raise_submit": ("提交诉求", "Submit the complaint"), "dk.raised": ("诉求已提交，企业将在{complaint_reply_workdays}个工作日内回复。",
                                                      "Raised; the enterprise replies within "
                                                      "{complaint_reply_workdays} working days."),
    "dk.confirm": ("确认解决情况", "Confirm a resolution"), "dk.which": ("诉求编号", "Complaint"),
    "dk.verdict": ("是否已解决", "Resolved?"), "dk.verdict.yes": ("已解决，确认", "Yes, confirm"),
    "dk.verdict.no": ("未解决，提出异议", "No, dispute"), "dk.dispute_note": ("异议理由（提出异议时必填）", "Why (needed to dispute)"),
    "dk.confirm_submit": ("提交", "Send"), "dk.confirmed": ("已提交。", "Sent."),
    "dk.reply": ("回复诉求", "Reply to a complaint"), "dk.promised": ("承诺解决日期", "Promised resolution date"),
    "dk.promised_help": ("不得晚于 {latest}（回复后{complaint_resolve_workdays}个工作日）",
                         "At the latest {latest} ({complaint_resolve_workdays} working days after the reply)"),
    "dk.reply_text": ("回复内容", "Your reply"), "dk.reply_submit": ("回复", "Reply"),
    "dk.replied": ("已回复。", "Replied."), "dk.resolve": ("标记为已解决", "Mark resolved"),
    "dk.resolve_submit": ("已解决", "Resolved"), "dk.resolved": ("已标记为解决，等待医疗机构确认。", "Marked resolved; the institution confirms."),
    "dk.complaints": ("诉求", "Complaints"),
})
COLUMNS.update({"shortfall_qty": ("未配送数量", "Undelivered"), "is_below": ("低于阈值", "Below"),
                "count_products": ("产品数", "Products")})
VOCABULARY.update({"已确认": "Confirmed", "有异议": "Disputed"})
CATALOGUE.update({
    "cp.open_now": ("今日待办诉求（实时）", "Complaints open today"),
    "cp.open_now_note": ("按今天的日期计算期限：待企业回复、待企业解决、待机构确认的诉求；逾期的可在“案件处理”记录督导。",
                         "Deadlines as of today: complaints awaiting a reply, a resolution or confirmation; record your "
                         "supervision of late ones on the casework page."),
})
COLUMNS.update({"reply_late": ("回复逾期", "Reply late"), "unresolved": ("未按时解决", "Not resolved in time")})
CATALOGUE.update({
    "ad.issue": ("批量创建单位账户", "Accounts for every entity"),
    "ad.issue_note": ("为数据中尚无账户的企业和医疗机构各建一个账户（用户名：企业 qy_编码，医疗机构 jg_编码），生成随机初始密码，"
                      "首次登录须修改。初始密码只在下载的文件中出现一次。",
                      "One account for every enterprise and institution of the store that has none (user names qy_CODE "
                      "and jg_CODE), with a random initial password to change at the first sign-in. The passwords "
                      "appear once, in the file to download."),
    "ad.issue_kinds": ("单位类型", "Entities"), "ad.issue_city": ("范围", "Where"),
    "ad.issue_button": ("创建账户", "Create the accounts"), "ad.issuing": ("正在创建账户…", "Creating accounts…"),
    "ad.issued": ("已创建 {n} 个账户。请立即下载初始密码文件并妥善保管：离开本页后不再提供。",
                  "{n} accounts created. Download the initial passwords now and keep them safe: they are not shown again."),
    "ad.issued_none": ("所选范围内的单位都已有账户。", "Every entity there has an account already."),
    "ad.issued_download": ("下载初始密码（Excel）", "Download the initial passwords (Excel)"),
    "ad.entity.enterprise": ("企业编码", "Enterprise code"), "ad.entity.institution": ("医疗机构编码", "Institution code"),
})
# What waits for each user (pages/todo.py, core.read.todo) and the quarterly notification (pages/notice.py).
CATALOGUE.update({
    "set.wording": ("文书用语", "Wording of documents"),
    "nav.todo": ("待办事项", "To do"),
    "ad.issue_skipped": ("以下单位的编码含有不能用于用户名的字符，未创建账户，请在“新建账户”中逐个创建：{codes}",
                         "These codes hold characters a user name cannot: create their accounts one by one: {codes}"),
    "nav.sec.work": ("工作台", "My work"), "nav.sec.watch": ("监测分析", "Monitoring"),
    "nav.sec.act": ("处置", "Measures"), "nav.sec.system": ("系统", "System"), "nav.notice": ("季度通报", "Quarterly notification"),
    "todo.title": ("待办事项", "To do"),
    "todo.none": ("目前没有待办事项。", "Nothing waits for you now."),
    "todo.caption": ("{area} · 生成于 {at}（期限按今天计；数据统计截止日 {as_of}）：共 {n} 项（同一事项列于几类时计一次）。"
                     "办理完毕的事项会自动从列表中消失。",
                     "{area} · listed at {at} (deadlines as of today; figures as of {as_of}): {n} items (one listed "
                     "under several kinds counts once). Items leave the list once handled."),
    "todo.since": ("“新增红旗机构”按您上次登录（{at}）以来计。", "New red flags count since your last sign-in ({at})."),
    "todo.since_first": ("这是您首次登录，“新增红旗机构”列出全部尚未处理的红旗机构。",
                         "Your first sign-in: every red-flagged institution not yet acted on is listed as new."),
    "todo.open": ("前往处理", "Open"), "todo.look": ("前往查看", "View"),
    "todo.hours_left": ("剩余 {n} 小时", "{n} hours left"), "todo.days_left": ("剩余 {n} 天", "{n} days left"),
    "todo.late_hours": ("已逾期 {n} 小时", "{n} hours late"), "todo.late_days": ("已逾期 {n} 天", "{n} days late"),
    "todo.red_since": ("{at} 更新数据后列为红旗机构，尚未采取措施",
                       "Red-flagged by the figures updated {at}; no measure recorded yet"),
    "todo.supply_rate": ("配送率 {rate}，低于 {warn}", "Delivery rate {rate}, below {warn}"),
    "todo.ladder": ("梯度措施第 {step} 步：{measure}（{flags}）", "Measures ladder, step {step}: {measure} ({flags})"),
    "todo.item.overdue": ("已过期限的案件", "Cases past their deadline"),
    "todo.item.new_red": ("新增红旗机构", "Newly red-flagged institutions"),
    "todo.item.measure_due": ("待采取梯度措施的医疗机构", "Ladder measures to take"),
    "todo.item.notice_draft": ("待确认印发的季度通报", "Notifications to issue"),
    "todo.notice_draft": ("通报稿待确认印发（列入 {n} 家医疗机构）", "drafted, awaiting its issue ({n} institutions listed)"),
    "todo.col.where": ("所在地", "Where"),
    "todo.item.explanation_to_request": ("待要求作出说明的事项", "Explanations to request"),
    "todo.item.complaint_late": ("逾期未回复或未解决的诉求（待督导）", "Complaints late, to supervise"),
    "todo.item.explanation_missing": ("逾期未收到的说明", "Explanations overdue"),
    "todo.item.explanation_received": ("已收到待审核的说明", "Explanations received, to judge"),
    "todo.item.escalated": ("下级报送的问题", "Escalated from below"),
    "todo.item.complaint_answer": ("待回复的诉求", "Complaints to answer"),
    "todo.item.complaint_resolve": ("待解决的诉求", "Complaints to resolve"),
    "todo.item.supply_low": ("配送率未达标的医疗机构", "Institutions supplied below the threshold"),
    "todo.item.explanation_requested": ("要求本机构作出的说明", "Explanations requested of you"),
    "todo.item.explanation_open": ("可主动作出说明的事项", "Explanations you may give before being asked"),
    "todo.item.complaint_confirm": ("待确认解决情况的诉求", "Resolutions to confirm"),
    "todo.item.ladder_step": ("梯度措施", "Measures ladder"),
    "todo.col.subject": ("对象", "Subject"), "todo.col.detail": ("事项", "Issue"), "todo.col.due": ("期限", "Due"),
    "todo.col.left": ("剩余时间", "Time left"),
    "nt.caption": ("按《通知》二（七）“原则上至少每季度一次通报提醒”，依据季度末数据生成通报稿（.docx 文档，WPS、Word 均可打开，"
                   "按党政机关公文格式排版，文号留空待填）。生成的通报稿会记入审计日志；确认印发并填写文号后，名单中的医疗机构才记录为“已通报”。",
                   "A draft of the quarterly notification (II(7)) from the quarter-end figures, as a Word document laid "
                   "out as an official document with the number left to fill in. Drafting is audited; the institutions "
                   "listed are recorded as notified only once the document is confirmed issued with its number."),
    "nt.quarter": ("季度", "Quarter"), "nt.quarter_label": ("{y}年第{q}季度", "Q{q} {y}"), "nt.area": ("通报范围", "Area"),
    "nt.generate": ("生成通报稿", "Draft the notification"),
    "nt.no_quarter": ("还没有已结束的季度可以通报。", "No quarter has ended within the figures yet."),
    "nt.preview": ("通报稿预览", "Preview"), "nt.download": ("下载通报稿（.docx）", "Download (.docx)"),
    "nt.listed": ("列入通报的医疗机构（{n} 家，整改期限 {due}）", "Institutions listed ({n}, rectify by {due})"),
    "nt.history": ("已生成的通报", "Notifications drafted"),
    "nt.confirm": ("确认印发", "Confirm issued"), "nt.which": ("通报", "Notification"),
    "nt.number": ("文号", "Document number"), "nt.confirm_submit": ("确认已印发并记录“已通报”", "Confirm and record as notified"),
    "nt.confirmed": ("已确认印发，{n} 家医疗机构记录为“已通报”。", "Confirmed: {n} institutions recorded as notified."),
    "nt.no_draft": ("没有待印发的通报稿。", "No draft."),
    "nt.no_issued": ("没有已印发的通报。", "Nothing issued."),
    "nt.status.draft": ("待印发", "Draft"), "nt.status.issued": ("已印发", "Issued"), "nt.status.void": ("已作废", "Set aside"),
    "nt.discard": ("作废通报稿", "Set a draft aside"), "nt.discard_submit": ("作废", "Set aside"),
    "nt.discarded": ("通报稿已作废。", "The draft is set aside."),
    "nt.revoke": ("撤销印发", "Revoke an issue"), "nt.revoke_submit": ("撤销印发并撤回“已通报”记录", "Revoke and withdraw the records"),
    "nt.revoked": ("已撤销印发，撤回 {n} 条“已通报”记录。", "Revoked: {n} records withdrawn."),
    "nt.reason": ("原因", "Reason"),
    "nt.left_out": ("以下医疗机构已不在本区域，未记录：{codes}", " Not recorded (no longer in the area): {codes}"),
    "nt.col.quarter_text": ("季度", "Quarter"), "nt.col.void_reason": ("作废或撤销原因", "Why set aside"),
    "nt.col.quarter": ("季度", "Quarter"), "nt.col.area_name": ("范围", "Area"),
    "nt.col.count_institutions": ("通报机构数", "Institutions"), "nt.col.deadline": ("整改期限", "Rectify by"),
    "nt.col.generated_by": ("生成人", "Drafted by"), "nt.col.generated_at": ("生成时间", "Drafted at"),
    "nt.col.status_text": ("状态", "Status"), "nt.col.doc_number": ("文号", "Number"),
    "nt.col.issued_by": ("确认人", "Confirmed by"), "nt.col.notice_id": ("编号", "No."),
    "nt.col.problems_text": ("存在问题", "Problems"), "nt.col.measure": ("措施", "Measure"),
    "nt.col.indicator": ("指标", "Indicator"), "nt.col.value_text": ("本季度末", "This quarter's end"),
    "nt.col.previous_text": ("上季度末", "Last quarter's end"), "nt.col.change_text": ("变化", "Change"),
    "nt.col.threshold_text": ("标准", "Threshold"), "nt.col.count_flagged": ("预警数", "Flags"),
    "nt.col.city_name": ("市", "City"), "nt.col.county_name": ("县（市、区）", "County"),
    "nt.col.institution_name": ("医疗机构", "Institution"),
    "nt.indicators": ("七项指标（本季度末与上季度末）", "The seven indicators (this and last quarter's end)"),
})
