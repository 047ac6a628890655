"""The quarterly notification as a Word document laid out as an official document (GB/T 9704-2012 党政机关公文格式):
A4 with the standard margins (top 37 mm, bottom 35 mm, inner 28 mm, outer 26 mm), the issuing authority and a
placeholder for the document number (文号) above a red rule, the title in 小标宋 二号, the addressees, body text in
仿宋_GB2312 三号 at a fixed line pitch, headings in 黑体 and 楷体, the signature and date, attachments as tables, and
page numbers "— 1 —" in 宋体 四号, outside on odd and even pages. Word and WPS on the bureau's machines have these
fonts; another client substitutes its own.

`document(content)` takes core.read.notice.Content and returns the .docx bytes; nothing here reads the store.
"""
from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)  # 二号, 三号, 四号
SIZE_TABLE = Pt(9)  # 小五: the indicators' seven columns fit the 156 mm of text without breaking a word
LINE = Pt(28.95)  # 22 lines on the 225 mm type area
RED = RGBColor(0xE6, 0x00, 0x12)
PLACEHOLDER_NUMBER = "××医保〔{year}〕××号"
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CN_DIGITS = "〇一二三四五六七八九"


def _clean(value) -> str:
    """Text as the document shows it: control characters (which the format cannot hold) removed."""
    return _UNSAFE.sub("", "" if value is None else str(value))


def _font(run, name: str, size, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc_or_cell, text: str = "", font: str = BODY_FONT, size=SIZE_3, align=None, indent: bool = False,
               bold: bool = False, color=None, exact: bool = True, right_chars: int = 0):
    p = doc_or_cell.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if right_chars:
        fmt.right_indent = Pt(size.pt * right_chars)
    if align is not None:
        p.alignment = align
    if text:
        _font(p.add_run(_clean(text)), font, size, bold, color)
    return p


def _page_number(paragraph) -> None:
    """— n — with the page number as a field Word, WPS and LibreOffice fill in."""
    _font(paragraph.add_run("— "), NUMBER_FONT, SIZE_4)
    run = paragraph.add_run()
    _font(run, NUMBER_FONT, SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text is not None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = "1"
            run._element.append(shown)
    _font(paragraph.add_run(" —"), NUMBER_FONT, SIZE_4)


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)  # the number's line 7 mm below the type area
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
        _page_number(p)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = BODY_FONT, SIZE_3
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _rule(paragraph) -> None:
    """The red rule under the document number (版头中的分隔线)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._element.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing",
        "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
        "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange")


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _table(doc, headers: list[str], rows: list[list[str]], widths_mm: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for cell, text, width in zip(table.rows[0].cells, headers, widths_mm):
        cell.width = Mm(width)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(_clean(text)), HEADING_FONT, SIZE_TABLE)
    for values in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, values, widths_mm):
            cell.width = Mm(width)
            _font(cell.paragraphs[0].add_run(_clean(text)), BODY_FONT, SIZE_TABLE)
    repeat = OxmlElement("w:tblHeader")  # the header row again on every page
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)


def _addressees(content) -> str:
    return {"province": "各市医疗保障局：", "city": "各县（市、区）医疗保障局，各有关医疗机构：",
            "county": "各有关医疗机构："}.get(content.area_level, "各有关单位：")


def _heading(doc, text: str, sub: bool = False) -> None:
    _paragraph(doc, text, SUBHEADING_FONT if sub else HEADING_FONT, SIZE_3, indent=True)


def _body(doc, text: str) -> None:
    _paragraph(doc, text, indent=True)


def quarter_words(content) -> str:
    return f"{content.year}年第{CN_DIGITS[content.number]}季度"


def document(content, today: dt.date) -> bytes:
    """The notification's .docx (see the module's docstring); `today` is its date."""
    doc = Document()
    _page(doc)
    props = doc.core_properties
    props.title, props.author, props.comments = content.title, content.issuer, "集采全流程监测平台生成的通报稿"
    props.last_modified_by = content.issuer
    props.created = props.modified = dt.datetime.combine(today, dt.time(9))  # not the template's own dates
    # 版头: the issuing authority, the document number (a placeholder the office fills in), the red rule
    _paragraph(doc, content.issuer, TITLE_FONT, Pt(36), WD_ALIGN_PARAGRAPH.CENTER, color=RED, exact=False)
    number = _paragraph(doc, PLACEHOLDER_NUMBER.format(year=today.year), align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(number)
    _paragraph(doc)
    _paragraph(doc, content.title, TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    _paragraph(doc)
    _paragraph(doc, _addressees(content))
    q = quarter_words(content)
    listed = content.institutions
    _body(doc, f"根据{content.reference}文件关于“原则上至少每季度一次通报提醒”的要求，"
               f"现将{content.area_name}{q}药品和医用耗材集中带量采购执行情况（数据截至{chinese_date(content.as_of)}）"
               f"通报如下。")
    _heading(doc, "一、主要指标情况")
    before = "上季度末" if content.previous_as_of is not None else "上季度末（无数据）"
    _body(doc, f"本季度末{content.area_name}七项监测指标与{before}对比如下：")
    _table(doc, ["指标", "本季度末", "上季度末", "变化", "标准", "预警数", "依据"],
           [[r.indicator, r.value_text, r.previous_text, r.change_text, r.threshold_text, str(r.count_flagged), r.clause]
            for r in content.indicators.itertuples(index=False)], [29, 17, 17, 30, 32, 14, 17])  # 156 mm
    _heading(doc, "二、通报医疗机构情况")
    if listed.empty:
        _body(doc, f"本季度{content.area_name}无需通报提醒的医疗机构。")
    else:
        _body(doc, f"{q}，{content.area_name}共有{len(listed)}家医疗机构存在《通知》二（七）所列采购行为问题，"
                   f"达到通报提醒及以上措施，现予以通报（名单见附件1）：")
        # grouped by the level below the area: cities for the province, counties for a city; a county's in one list
        by = {"province": "city_name", "city": "county_name"}.get(content.area_level)
        groups = listed.groupby(by, sort=False) if by else [(None, listed)]
        for n, (name, part) in enumerate(groups, start=1):
            if name is not None:
                _heading(doc, f"（{_cn(n)}）{name}", sub=True)
            for r in part.itertuples(index=False):
                where = f"{r.county_name} " if content.area_level == "province" else ""
                _body(doc, f"{where}{r.institution_name}：{'；'.join(r.problems) or '采购行为预警'}。")
    _heading(doc, "三、中选企业供应情况")
    firms = content.enterprises
    if firms.empty:
        _body(doc, "本季度末服务本区域的中选企业、配送企业均为A级。")
    else:
        counts = "，".join(f"{tier}级{int((firms['tier'] == tier).sum())}家" for tier in ("D", "C", "B")
                          if (firms["tier"] == tier).any())
        _body(doc, f"按配送率、诉求及时解决率和配合督导情况分级，服务本区域的企业中{counts}，"
                   f"将按《通知》二（七）分别予以报量风险提示、减少约定采购量、不接受参加集采等措施（名单见附件2）。")
    _heading(doc, "四、区域供应平衡情况")
    areas = content.areas
    if areas.empty:
        _body(doc, "本季度未发现基层与二、三级、不同等级医疗机构之间供应明显不平衡的区域。")
    else:
        _body(doc, "以下区域存在供应不平衡，请所在地医保部门按《通知》二（五）及时核查处置，问题突出或解决不到位的"
                   "报送省医保局：" + "；".join(f"{r.area_name}（{r.kind}配送率{r.gap_text}）"
                                         for r in areas.itertuples(index=False)) + "。")
    _heading(doc, "五、工作要求")
    _body(doc, f"（一）被通报的医疗机构要对照问题逐项自查自纠，于{chinese_date(content.deadline)}前完成整改，"
               f"并将整改情况报所在地医保部门。对通报整改不到位的，将依据《通知》二（七）进行约谈督导，"
               f"并与纪检监察部门联动处置。")
    _body(doc, "（二）各地医保部门要加强实时监测，督促相关企业落实供应保障责任，及时督导解决医疗机构反映的诉求。")
    _paragraph(doc)
    attachments = ["通报医疗机构名单", "中选企业分级情况", "供应不平衡区域"]
    for n, name in enumerate(attachments, start=1):
        p = _paragraph(doc, f"附件：{n}．{name}" if n == 1 else f"{n}．{name}", indent=True)
        if n > 1:
            p.paragraph_format.first_line_indent = Pt(SIZE_3.pt * 5)
    _paragraph(doc)
    _paragraph(doc, content.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    _paragraph(doc, chinese_date(today), align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    # attachments, each on its own page
    tables = [
        (["序号", "市", "县（市、区）", "医疗机构", "存在问题（数值、阈值、依据）", "措施", "整改期限"],
         [[str(i), r.city_name, r.county_name, r.institution_name, "；".join(r.problems), r.measure,
           chinese_date(r.deadline)] for i, r in enumerate(listed.itertuples(index=False), start=1)],
         [10, 16, 18, 28, 50, 16, 18]),
        (["序号", "企业", "类型", "配送率", "诉求及时解决率", "等级", "措施"],
         [[str(i), r.enterprise_name, r.role_name, r.delivery_text, r.timely_text, r.tier, r.measure]
          for i, r in enumerate(firms.itertuples(index=False), start=1)], [10, 42, 18, 18, 22, 12, 34]),
        (["序号", "区域", "不平衡类型", "配送率差距"],
         [[str(i), r.area_name, r.kind, r.gap_text] for i, r in enumerate(areas.itertuples(index=False), start=1)],
         [12, 40, 50, 54]),
    ]
    for n, (name, (headers, rows, widths)) in enumerate(zip(attachments, tables), start=1):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _paragraph(doc, f"附件{n}", HEADING_FONT)
        _paragraph(doc, name, TITLE_FONT, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, exact=False)
        _paragraph(doc)
        if rows:
            _table(doc, headers, rows, widths)
        else:
            _paragraph(doc, "无。", indent=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _cn(n: int) -> str:
    """1 -> 一, 12 -> 十二: the numbering of second-level headings."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def paragraphs(data: bytes) -> list[str]:
    """The text of a document's paragraphs, in order, without its tables (a preview of what it says)."""
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]

