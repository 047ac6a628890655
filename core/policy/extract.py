"""The standard extract (标准数据抽取格式) as data.

One description of every sheet and column serves the schema's CHECK constraints,
the importer's header mapping and validation, the template workbook and exports.
"""
from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("三级", "二级", "一级", "未定级")
PRIMARY_GROUP = "基层"  # the primary institutions (is_primary), shown beside the levels in the balance by level
INSTITUTION_CATEGORIES = ("综合医院", "中医医院", "专科医院", "妇幼保健院", "乡镇卫生院", "社区卫生服务中心", "村卫生室", "其他")
YES_NO = ("是", "否")
OWNERSHIPS = ("公立", "民营")
ENTERPRISE_ROLES = ("生产企业", "配送企业")
PRODUCT_CATEGORIES = ("药品", "耗材")
PRODUCT_STATUSES = ("中选", "非中选", "可替代")
SUBSTITUTION_DEGREES = ("完全可替代", "大部分可替代")
CHANNELS = ("线上", "线下")
ISSUE_TYPES = ("供货不及时", "质量问题", "价格问题", "其他")
# Units counted in whole pieces (a box, a bottle, a stent): quantities of such products are whole numbers. Other
# units (克, 毫升, 米 ...) or none may be fractional.
WHOLE_UNITS = ("盒", "瓶", "支", "袋", "片", "粒", "丸", "贴", "板", "包", "罐", "管", "个", "套", "件", "根", "枚", "只", "台",
               "条", "副", "卷", "张", "把", "具", "块", "组", "对", "人份", "次")


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str  # code | text | date | qty | int | float | choice
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, zh, kind, required=True, choices=()):
    return Column(name, zh, kind, required, tuple(choices))


SHEETS: tuple[Sheet, ...] = (
    Sheet("institutions", "医疗机构", (
        _c("institution_code", "机构编码", "code"),
        _c("institution_name", "机构名称", "text"),
        _c("county_code", "区县代码", "code"),
        _c("level", "机构等级", "choice", choices=LEVELS),
        _c("category", "机构类别", "choice", choices=INSTITUTION_CATEGORIES),
        _c("is_primary", "是否基层", "choice", choices=YES_NO),
        _c("ownership", "所有制", "choice", False, OWNERSHIPS),
        _c("longitude", "经度", "float", False),
        _c("latitude", "纬度", "float", False),
    ), ("institution_code",)),
    Sheet("enterprises", "企业", (
        _c("enterprise_code", "企业编码", "code"),
        _c("enterprise_name", "企业名称", "text"),
        _c("role", "企业类型", "choice", choices=ENTERPRISE_ROLES),
    ), ("enterprise_code",)),
    Sheet("products", "产品", (
        _c("product_code", "产品编码", "code"),
        _c("generic_name", "通用名", "text"),
        _c("dosage_form", "剂型", "text"),
        _c("specification", "规格", "text", False),
        _c("category", "类别", "choice", choices=PRODUCT_CATEGORIES),
        _c("manufacturer_code", "生产企业编码", "code"),
        _c("vbp_batch", "集采批次", "text", False),
        _c("status", "中选状态", "choice", choices=PRODUCT_STATUSES),
        _c("substitute_generic", "可替代通用名", "text", False),
        _c("substitution_degree", "替代程度", "choice", False, SUBSTITUTION_DEGREES),
        _c("unit", "计量单位", "text", False),
    ), ("product_code",)),
    Sheet("agreements", "约定采购量", (
        _c("institution_code", "机构编码", "code"),
        _c("product_code", "产品编码", "code"),
        _c("period_start", "协议开始日期", "date"),
        _c("period_end", "协议结束日期", "date"),
        _c("reported_qty", "报量", "qty"),
        _c("prior_year_qty", "上年度实际采购量", "qty"),
        _c("agreed_qty", "约定采购量", "qty"),
        _c("distributor_code", "配送企业编码", "code", False),
    ), ("institution_code", "product_code", "period_start")),
    Sheet("orders", "采购订单", (
        _c("order_id", "订单编号", "code"),
        _c("institution_code", "机构编码", "code"),
        _c("product_code", "产品编码", "code"),
        _c("distributor_code", "配送企业编码", "code", False),
        _c("order_date", "下单日期", "date"),
        _c("order_qty", "采购数量", "qty"),
        _c("unit_price", "单价", "qty", False),
        _c("channel", "采购方式", "choice", choices=CHANNELS),
        _c("delivered_qty", "配送数量", "qty", False),
        _c("delivery_date", "配送日期", "date", False),
        _c("receipt_date", "确认收货日期", "date", False),
    ), ("order_id",)),
    Sheet("baseline", "上年采购基线", (
        _c("institution_code", "机构编码", "code"),
        _c("product_code", "产品编码", "code"),
        _c("year", "年度", "int"),
        _c("prior_year_qty", "上年度实际采购量", "qty"),
    ), ("institution_code", "product_code", "year")),
    Sheet("complaints", "诉求", (
        _c("complaint_id", "诉求编号", "code"),
        _c("institution_code", "机构编码", "code"),
        _c("enterprise_code", "企业编码", "code"),
        _c("product_code", "产品编码", "code", False),
        _c("issue_type", "问题类型", "choice", choices=ISSUE_TYPES),
        _c("raised_date", "反馈日期", "date"),
        _c("reply_date", "回复日期", "date", False),
        _c("promised_date", "承诺解决日期", "date", False),
        _c("resolved_date", "解决日期", "date", False),
    ), ("complaint_id",)),
)

SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
NOTE_SHEETS = ("填写说明", "说明", "notes")  # the template's and exports' notes: skipped on import
# Sheets in the order they must be written so that references resolve.
WRITE_ORDER = ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints")


def sheet_for(title: str) -> Sheet | None:
    """The sheet a workbook tab or CSV file stem stands for, by its English or Chinese name."""
    t = title.strip().lower()
    for s in SHEETS:
        if t in (s.name, s.zh):
            return s
    return None


def sheets_named_in(file_stem: str) -> list[Sheet]:
    """The sheets whose English or Chinese name a CSV file's name contains (`filled-医疗机构`, `orders_2026-10`):
    one when the name says which sheet the file holds, none or several when it does not."""
    t = file_stem.strip().lower()
    return [s for s in SHEETS if s.name in t or s.zh in t]


def accepted_names(lang: str) -> str:
    """The sheet names an upload may use, for a message: 医疗机构/institutions, ..."""
    return "、".join(f"{s.zh}/{s.name}" for s in SHEETS) if lang == "zh" else ", ".join(f"{s.name}/{s.zh}" for s in SHEETS)


def bilingual_header(column: Column) -> str:
    """The template's header: Chinese above English."""
    return f"{column.zh}\n{column.name}"


def column_for(sheet: Sheet, header: str) -> Column | None:
    """The column a header names: in Chinese, in English, or both as the template writes them."""
    h = " ".join(str(header).split())
    for c in sheet.columns:
        if h.lower() == c.name or h == c.zh or h == f"{c.zh} {c.name}":
            return c
    return None
