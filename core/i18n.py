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
