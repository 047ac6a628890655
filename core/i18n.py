"""The label catalogue: every label of the app in Chinese (default) and English."""
from __future__ import annotations

from .indicators import FLAGS, INDICATORS

LANGS = ("zh", "en")

CATALOGUE: dict[str, tuple[str, str]] = {
    "app.title": ("集采全流程监测平台", "VBP full-process monitoring"),
    "nav.home": ("首页", "Home"),
    "nav.map": ("地图", "Map"),
    "nav.interviews": ("约谈名单", "Interview list"),
    "nav.settings": ("设置", "Settings"),
    "lang.switch": ("English", "中文"),
    "map.title": ("逐级下钻地图", "Drill-down map"),
    "map.layer": ("图层", "Layer"),
    "map.layer.gap": ("基层供应不平衡（百分点）", "Primary-care gap (points)"),
    "map.layer.red": ("红旗机构", "Red-flag institutions"),
    "map.layer.enterprise": ("企业配送率（分级视图）", "An enterprise's delivery rate (supplier tiers)"),
    "map.enterprise": ("企业", "Enterprise"),
    "map.hint": ("点击地图上的区域进入下一级；用上方的路径返回上一级。", "Click an area to drill down; use the path above to go back up."),
    "map.children": ("下级区域", "Areas below"),
    "map.institutions": ("辖区医疗机构", "Institutions in the area"),
    "map.figures": ("本级指标（与上级比较）", "This area's figures (against the level above)"),
    "map.no_value": ("无数据", "no data"),
    "col.code": ("代码", "Code"),
    "col.name": ("名称", "Name"),
    "col.value": ("数值", "Value"),
    "col.parent_value": ("上级数值", "Level above"),
    "col.flagged": ("预警数", "Flagged"),
    "col.red_flag": ("红旗机构数", "Red-flag institutions"),
    "col.score": ("红旗得分", "Red-flag score"),
    "col.level": ("等级", "Level"),
    "col.category": ("类别", "Category"),
    "col.primary": ("基层", "Primary"),
    "col.indicator": ("指标", "Indicator"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "iv.title": ("约谈名单", "Interview list"),
    "iv.city": ("城市", "City"),
    "iv.county": ("区县", "County"),
    "iv.all": ("全部", "All"),
    "iv.count": ("共 {n} 个对象（红旗医疗机构 {i} 家，C/D 级企业 {e} 家）", "{n} subjects ({i} red-flag institutions, {e} tier C/D enterprises)"),
    "iv.select_hint": ("勾选表格中的行后，可记录处理情况。", "Select rows in the table to record what was done."),
    "iv.record": ("记录处理情况", "Record an action"),
    "iv.status": ("处理状态", "Status"),
    "iv.note": ("处理说明", "Note"),
    "iv.date": ("处理日期", "Date"),
    "iv.save": ("保存", "Save"),
    "iv.saved": ("已记录 {n} 条处理情况。", "{n} actions recorded."),
    "iv.download": ("导出约谈名单（Excel）", "Export the interview list (Excel)"),
    "iv.empty": ("该区域没有红旗医疗机构或C/D级企业。", "No red-flag institutions or tier C/D enterprises in this area."),
    "ov.title": ("集采全流程监测平台", "VBP full-process monitoring"),
    "ov.caption": ("总览 · {area} · 统计截止日 {as_of} · 与 {prev} 比较", "Overview · {area} · as of {as_of} · against {prev}"),
    "ov.trend": ("月度趋势（按下单月份）", "Monthly trend (by order month)"),
    "ov.ranked": ("下级区域排名（配送率由低到高）", "Areas below, ranked by delivery rate (lowest first)"),
    "ov.worse": ("本月变差的区域", "Areas that got worse this month"),
    "ov.worse_none": ("与上月末相比，没有区域的配送率下降或红旗机构增加。", "No area's delivery rate fell or red-flag count rose since last month."),
    "ov.delivery": ("配送率", "Delivery rate"),
    "ov.share": ("中选产品占比", "Selected share"),
    "ov.timely": ("诉求及时解决率", "Timely complaint resolution"),
    "ov.download": ("下载表格（Excel）", "Download table (Excel)"),
    "empty.no_marts": ("汇总表尚未生成：请先导入数据或载入演示数据。", "No figures yet: import data or load the demo first."),
    "empty.no_institutions": ("该区域没有医疗机构数据。", "No institutions in this area."),
}
for _i in INDICATORS:
    CATALOGUE[f"indicator.{_i.id}"] = (_i.zh, _i.en)
for _f in FLAGS:
    CATALOGUE[f"flag.{_f.id}"] = (_f.zh, _f.en)


def t(key: str, lang: str = "zh") -> str:
    zh, en = CATALOGUE[key]
    return en if lang == "en" else zh


# Table columns: one label per column name, wherever the column appears.
COLUMNS: dict[str, tuple[str, str]] = {
    "region_code": ("代码", "Code"), "region_name": ("区域", "Area"), "code": ("代码", "Code"), "name": ("名称", "Name"),
    "product_code": ("产品编码", "Product code"), "generic_name": ("通用名", "Generic name"),
    "dosage_form": ("剂型", "Dosage form"), "specification": ("规格", "Specification"), "status": ("状态", "Status"),
    "manufacturer": ("中选企业", "Manufacturer"), "delivery_rate": ("配送率", "Delivery rate"),
    "delivered_qty": ("配送数量", "Delivered"), "ordered_qty": ("采购数量", "Ordered"),
    "count_institutions": ("医疗机构数", "Institutions"), "enterprise_code": ("企业编码", "Enterprise code"),
    "enterprise_name": ("企业名称", "Enterprise"), "role": ("类型", "Role"), "tier": ("等级", "Tier"),
    "delivery_tier": ("配送率等级", "Delivery tier"), "complaint_tier": ("诉求等级", "Complaint tier"),
    "timely_rate": ("及时解决率", "Timely rate"), "count_complaints": ("诉求数", "Complaints"),
    "primary_rate": ("基层配送率", "Primary rate"), "others_rate": ("非基层配送率", "Others' rate"),
    "gap_points": ("差距（百分点）", "Gap (points)"), "is_flagged": ("不平衡", "Imbalanced"),
    "flag_name": ("预警事项", "Flag"), "severity_zh": ("等级", "Severity"), "institution_code": ("机构编码", "Institution code"),
    "institution_name": ("医疗机构", "Institution"), "county_name": ("区县", "County"),
    "detail_code": ("涉及产品/品种/订单/诉求", "Product / group / order / complaint"), "value": ("实际值", "Value"),
    "threshold": ("阈值", "Threshold"), "clause": ("通知条款", "Clause"), "count_reply_late": ("未按时回复", "Late replies"),
    "count_unresolved": ("未按时解决", "Unresolved in time"), "complaint_id": ("诉求编号", "Complaint"),
    "issue_type": ("问题类型", "Issue"), "raised_date": ("反馈日期", "Raised"), "reply_date": ("回复日期", "Replied"),
    "promised_date": ("承诺日期", "Promised"), "resolved_date": ("解决日期", "Resolved"),
    "reply_workdays": ("回复用时（工作日）", "Working days to reply"), "indicator": ("指标", "Indicator"),
    "numerator": ("分子", "Numerator"), "denominator": ("分母", "Denominator"), "count_flagged": ("预警", "Flagged"),
    "reported_qty": ("报量", "Reported"), "prior_year_qty": ("上年实际", "Last year"), "agreed_qty": ("约定量", "Agreed"),
    "purchased_qty": ("已采购", "Purchased"), "completion": ("完成率", "Completion"),
    "action_date": ("日期", "Date"), "note": ("说明", "Note"), "recorded_by": ("记录人", "Recorded by"),
    "recorded_at": ("记录时间", "Recorded at"), "delivery": ("配送率", "Delivery rate"),
    "progress": ("完成/序时", "Completion / schedule"), "nonselected": ("中选产品占比", "Selected share"),
    "complaint": ("诉求及时解决率", "Timely resolution"), "count_red_flag": ("红旗机构数", "Red-flag institutions"),
}

CATALOGUE.update({
    "nav.overview": ("总览", "Overview"), "nav.data": ("数据概况", "Data"), "nav.supply": ("供应监测", "Supply"),
    "nav.procurement": ("采购监测", "Procurement"), "nav.complaints": ("诉求", "Complaints"),
    "nav.institution": ("机构档案", "Institution"), "nav.enterprise": ("企业档案", "Enterprise"),
    "sp.by_product": ("按产品", "By product"), "sp.tiers": ("企业分级", "Supplier tiers"),
    "sp.primary": ("基层与非基层", "Primary care"), "sp.lowest": ("{area} 配送率最低的产品", "{area}: products with the lowest delivery rate"),
    "sp.tier_rule": ("分级取配送率与诉求及时解决率两者中较差的一级（A ≥ 80%，B 60%–80%，C 30%–60%，D < 30%）。",
                     "The tier is the worse of the delivery tier and the complaint tier (A ≥ 80%, B 60–80%, C 30–60%, D < 30%)."),
    "sp.primary_rule": ("基层与非基层医疗机构配送率相差10个百分点以上，或基层低于80%而非基层达标，即标记为基层供应不平衡。",
                        "An area is imbalanced when other institutions' delivery rate is 10 points above primary care's, or primary care is below 80% while the others are not."),
    "pc.progress": ("采购进度", "Progress"), "pc.nonselected": ("非中选与可替代", "Non-selected and substitutes"),
    "pc.other": ("其他采购行为", "Other behaviour"), "pc.none": ("{area}没有此类预警。", "No such flags in {area}."),
    "cp.count": ("诉求数", "Complaints"), "cp.late": ("未按时回复", "Late replies"), "cp.unresolved": ("未按时解决", "Unresolved in time"),
    "cp.trend": ("按反馈月份的及时解决率", "Timely resolution by month raised"),
    "cp.by_enterprise": ("各企业诉求处理", "By enterprise"), "cp.overdue": ("逾期诉求", "Overdue complaints"),
    "sc.code_inst": ("机构编码", "Institution code"), "sc.code_ent": ("企业编码", "Enterprise code"),
    "sc.enter_code": ("请输入编码，或从任一列表的“档案”链接进入。", "Enter a code, or follow a scorecard link from any list."),
    "sc.unknown": ("没有编码为 {code} 的记录。", "Nothing has the code {code}."),
    "sc.indicators": ("七项指标", "The seven indicators"), "sc.flags": ("预警（实际值与阈值、通知条款）", "Flags (value, threshold, clause)"),
    "sc.no_flags": ("没有预警。", "No flags."), "sc.trend": ("月度趋势", "Monthly trend"),
    "sc.agreements": ("约定采购量", "Agreements"), "sc.complaints_raised": ("反馈的诉求", "Complaints raised"),
    "sc.complaints_received": ("收到的诉求", "Complaints received"), "sc.actions": ("处理记录", "Recorded actions"),
    "sc.products": ("产品配送", "Products"), "sc.red": ("红旗机构 · 得分 {score:.0f} · 建议措施：{step}",
                                                    "Red flag · score {score:.0f} · recommended: {step}"),
    "sc.measure": ("建议措施：{m}", "Recommended measure: {m}"), "sc.tier": ("企业等级", "Tier"),
    "sc.primary": ("基层医疗机构", "primary care"), "sc.non_primary": ("非基层", "not primary care"),
    "sc.as_of": ("统计截止日", "as of"), "table.download": ("下载 Excel", "Download Excel"),
    "table.open": ("查看", "open"), "table.card": ("档案", "Card"),
    "tile.delivery": ("配送率", "Delivery rate"), "tile.progress": ("约定量完成/序时进度", "Completion against schedule"),
    "tile.nonselected": ("中选产品采购占比", "Selected-product share"), "tile.complaint": ("诉求及时解决率", "Timely complaint resolution"),
    "tile.count_red_flag": ("红旗医疗机构", "Red-flag institutions"), "tile.count_tier_cd": ("C/D级企业", "Tier C/D enterprises"),
    "tile.points": ("{v:+.2f} 个百分点", "{v:+.2f} points"), "tile.same": ("持平", "no change"),
    "home.subtitle": ("药品和医用耗材集中带量采购全流程监测 · 依据鲁医保发〔2023〕14号", "Full-process monitoring of volume-based procurement · Shandong notice 2023-14"),
    "home.institutions": ("医疗机构", "Institutions"), "home.enterprises": ("企业", "Enterprises"),
    "home.agreements": ("约定采购量协议", "Agreements"), "home.orders": ("采购订单", "Orders"),
    "home.map": ("各市医疗机构分布", "Institutions by city"), "home.table": ("各市数据概况", "By city"),
    "home.tooltip": ("{name}：{value} 家医疗机构", "{name}: {value} institutions"),
    "home.counties": ("县区数", "Counties"), "home.primary": ("其中基层", "of which primary"), "home.orders_n": ("订单数", "Orders"),
    "set.title": ("设置 · 阈值与政策依据", "Settings · thresholds and their source"),
    "set.caption": ("默认值均取自《关于加强药品和医用耗材集中带量采购全流程管理的通知》（鲁医保发〔2023〕14号）。",
                    "Defaults are the numbers of the Shandong notice (鲁医保发〔2023〕14号)."),
    "set.name": ("参数", "Setting"), "set.value": ("当前值", "In force"), "set.default": ("默认值", "Default"),
    "set.changed": ("已修改", "Changed"), "set.help": ("说明", "Meaning"), "set.source": ("政策依据", "Source"),
})


def headers(columns, L: str = "zh") -> dict[str, str]:
    """Column name -> label for a table, in the interface language."""
    return {c: (COLUMNS[c][1] if L == "en" else COLUMNS[c][0]) for c in columns}
