"""Checks of an upload: refusals before parsing, and the rules of the format across rows and the store.

Every check returns Problems (sheet, spreadsheet row, column, value, Chinese and English), so an
analyst sees all of them at once; nothing here writes.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.ingest.problems import Problem
from core.policy import extract as F
from core.policy import regions

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls files


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 5_000_000

    @classmethod
    def of(cls, store) -> "Limits":
        """The limits set in the store's settings."""
        values = store.settings()
        return cls(int(values["upload_max_mb"]) * 1024 * 1024, int(values["upload_max_rows"]))


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part path -> the sheet's title, from the workbook and its relationships."""
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {m.group(1): m.group(2) for m in re.finditer(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r'<sheet\b[^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', book):
        target = targets.get(m.group(2), "")
        out["xl/" + target.lstrip("/").removeprefix("xl/")] = m.group(1)
    return out


INFLATE_RATIO = 100  # a part of a workbook inflating more than this over its compressed size is refused (a zip bomb)
INFLATE_FLOOR = 16 * 1024 * 1024  # ... once it inflates past this (small parts compress very well)
NOT_SHEETS = ("sharedStrings", "styles", "theme", "docProps", "[Content_Types]", "_rels", "calcChain", "printerSettings")


def _inflated_within(zf: zipfile.ZipFile, limits: Limits) -> Problem | None:
    """Every part of the workbook inflated, by reading it (the sizes a file states may lie), and refused at the
    first part that inflates past INFLATE_RATIO times its compressed size, or when all of them together pass ten
    times the upload limit."""
    total = 0
    for info in zf.infolist():
        allowed = max(INFLATE_FLOOR, INFLATE_RATIO * max(info.compress_size, 1))
        seen = 0
        with zf.open(info) as part:
            while chunk := part.read(1 << 20):
                seen += len(chunk)
                total += len(chunk)
                if seen > allowed or total > 10 * limits.max_bytes:
                    return Problem(info.filename, None, "", f"> {seen / 1048576:.0f} MB",
                                   "工作簿解压后异常膨胀（疑似压缩炸弹），拒绝读取", "the workbook inflates far beyond its size "
                                   "(a zip bomb): refused before reading")
    return None


def _sheet_states(book: str) -> list[tuple[str, str]]:
    """(title, state) of the workbook's hidden and very hidden sheets."""
    out = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        state = re.search(r'\bstate="(hidden|veryHidden)"', tag)
        title = re.search(r'\bname="([^"]*)"', tag)
        if state:
            out.append((title.group(1) if title else "", state.group(1)))
    return out


def refuse(path: Path, limits: Limits = Limits()) -> Problem | None:
    """A reason to refuse the file before reading it, or None: not a regular file (a folder, a device, a pipe),
    empty, too large, not what its name says, a zip bomb, a formula in any sheet, a hidden sheet."""
    name = Path(path).name
    try:
        info = os.stat(path)  # a pipe or a device is not opened: stat does not block
    except OSError as err:
        return Problem(name, None, "", "", f"无法读取文件：{err.strerror}", f"the file cannot be read: {err.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(name, None, "", "", "不是普通文件（文件夹、设备或管道），拒绝读取",
                       "not a regular file (a folder, a device or a pipe): refused")
    size = info.st_size
    if size == 0:
        return Problem(name, None, "", "", "文件为空", "the file is empty")
    if size > limits.max_bytes:
        return Problem(name, None, "", f"{size / 1048576:.1f} MB",
                       f"文件超过上限 {limits.max_bytes / 1048576:.0f} MB", f"the file is larger than {limits.max_bytes / 1048576:.0f} MB")
    with open(path, "rb") as fh:
        head = fh.read(8)
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        if head.startswith(OLE_MAGIC):
            return Problem(name, None, "", "", "工作簿已加密或为旧版 .xls 格式，请取消密码并另存为 .xlsx",
                           "the workbook is encrypted or an old .xls: remove the password and save as .xlsx")
        if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
            return Problem(name, None, "", "", "文件内容不是 .xlsx 工作簿", "the file is not an .xlsx workbook")
        try:
            with zipfile.ZipFile(path) as zf:
                return _xlsx_refusal(zf, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
            return Problem(name, None, "", "", "工作簿已损坏，无法读取", "the workbook is damaged and cannot be read")
    if suffix == ".csv":  # its encoding and text are read by the importer
        if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
            return Problem(name, None, "", "", "文件内容不是 CSV 文本", "the file is not CSV text")
        return None
    return Problem(name, None, "", "", "文件类型不支持，请上传 .xlsx 或 .csv", "unsupported file type: upload .xlsx or .csv")


def _xlsx_refusal(zf: zipfile.ZipFile, limits: Limits) -> Problem | None:
    if "xl/workbook.xml" not in zf.namelist():
        return Problem("", None, "", "", "文件内容不是 .xlsx 工作簿", "the file is not an .xlsx workbook")
    bomb = _inflated_within(zf, limits)
    if bomb is not None:
        return bomb
    book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
    for title, state in _sheet_states(book):
        return Problem(title, None, "", "", "工作簿含有隐藏的工作表，请取消隐藏（或删除）后再上传，以免导入看不见的数据",
                       f"the workbook has a {'very ' if state == 'veryHidden' else ''}hidden sheet: unhide (or delete) it "
                       "first, so nothing unseen is imported")
    titles = _sheet_names(zf)
    for part in sorted(zf.namelist()):  # every worksheet, whatever its part is named
        if not part.endswith(".xml") or any(word in part for word in NOT_SHEETS):
            continue
        xml = zf.read(part)
        if b"<sheetData" not in xml:
            continue
        formula = re.search(rb"<(?:\w+:)?f[ >/]", xml)  # a formula element; the cell is the last one opened before it
        if formula:
            start = xml.rfind(b"<c ", 0, formula.start())
            found = re.search(rb'r="([A-Z]+)([0-9]+)"', xml[start:formula.start()]) if start >= 0 else None
            ref = (found.group(1) + found.group(2)).decode() if found else ""
            return Problem(titles.get(part, part), int(found.group(2)) if found else None, ref,
                           "", "单元格含有公式，请粘贴为数值后再上传", "a cell holds a formula: paste values before uploading")
    return None


def _date_order(frame: pd.DataFrame, title: str, later: str, earlier: str, strict: bool, sheet: F.Sheet) -> list[Problem]:
    out = []
    col = next(c for c in sheet.columns if c.name == later)
    other = next(c for c in sheet.columns if c.name == earlier)
    for i, (a, b) in enumerate(zip(frame[later], frame[earlier])):
        if a is None or b is None or a != a or b != b:
            continue
        if (a <= b) if strict else (a < b):
            word = "晚于" if strict else "不早于"
            out.append(Problem(title, i + 2, f"{col.zh} {col.name}", str(a), f"应{word}{other.zh}（{b}）",
                               f"must be {'after' if strict else 'on or after'} {other.name} ({b})"))
    return out


DATE_RULES = {  # sheet: (later, earlier, strictly later)
    "agreements": [("period_end", "period_start", True)],
    "orders": [("delivery_date", "order_date", False), ("receipt_date", "delivery_date", False)],
    "complaints": [("reply_date", "raised_date", False), ("promised_date", "reply_date", False),
                   ("resolved_date", "raised_date", False)],
}

REFERENCES = {  # sheet: [(column, referenced sheet)]
    "institutions": [],
    "products": [("manufacturer_code", "enterprises")],
    "agreements": [("institution_code", "institutions"), ("product_code", "products"), ("distributor_code", "enterprises")],
    "orders": [("institution_code", "institutions"), ("product_code", "products"), ("distributor_code", "enterprises")],
    "baseline": [("institution_code", "institutions"), ("product_code", "products")],
    "complaints": [("institution_code", "institutions"), ("enterprise_code", "enterprises"), ("product_code", "products")],
}
KEY_OF = {"institutions": "institution_code", "products": "product_code", "enterprises": "enterprise_code"}


def rules(frames: dict[str, pd.DataFrame], titles: dict[str, str], store, fresh: bool = False) -> list[Problem]:
    """Rules across columns, rows and the store: date order, quantities, references, province bounds. `fresh`:
    the store's rows do not count (they are about to be cleared)."""
    out: list[Problem] = []
    known = {}
    reference = None if fresh else store
    for ref, key in KEY_OF.items():
        stored = set(reference.read(f"SELECT {key} FROM {ref}")[key]) if reference is not None else set()
        in_file = set(frames[ref][key].dropna()) if ref in frames else set()
        known[ref] = stored | in_file
    for name, frame in frames.items():
        sheet, title = F.SHEET_BY_NAME[name], titles[name]
        for later, earlier, strict in DATE_RULES.get(name, []):
            out += _date_order(frame, title, later, earlier, strict, sheet)
        for column, ref in REFERENCES.get(name, []):
            col = next(c for c in sheet.columns if c.name == column)
            for i, value in enumerate(frame[column]):
                if value is not None and value == value and value not in known[ref]:
                    out.append(Problem(title, i + 2, f"{col.zh} {column}", str(value), "编码在文件和数据库中都不存在",
                                       "unknown code: neither in the file nor in the store"))
        if name == "orders":
            out += _whole_quantities(frame, title, frames, reference)
            for i, (q, d) in enumerate(zip(frame["order_qty"], frame["delivered_qty"])):
                if q is not None and q == q and q <= 0:
                    out.append(Problem(title, i + 2, "采购数量 order_qty", str(q), "采购数量必须大于0", "must be above 0"))
                if d is not None and d == d and q is not None and q == q and d > q:
                    out.append(Problem(title, i + 2, "配送数量 delivered_qty", str(d), "配送数量不能超过采购数量",
                                       "must not exceed order_qty"))
        if name == "products":
            for i, (status, generic, degree) in enumerate(zip(frame["status"], frame["substitute_generic"],
                                                              frame["substitution_degree"])):
                if status == "可替代" and (not generic or not degree):
                    out.append(Problem(title, i + 2, "可替代通用名 substitute_generic", "",
                                       "可替代产品须填写可替代通用名和替代程度",
                                       "a substitutable product needs substitute_generic and substitution_degree"))
    return out


def _whole_quantities(orders: pd.DataFrame, title: str, frames: dict[str, pd.DataFrame], store) -> list[Problem]:
    """Quantities of a product counted in whole pieces (its unit is 盒, 支, 个 ...) are whole numbers."""
    units = {}
    if store is not None:
        stored = store.read("SELECT product_code, unit FROM products")
        units = dict(zip(stored["product_code"], stored["unit"]))
    if "products" in frames and "unit" in frames["products"]:
        units.update(zip(frames["products"]["product_code"], frames["products"]["unit"]))
    out = []
    for column, label in (("order_qty", "采购数量 order_qty"), ("delivered_qty", "配送数量 delivered_qty")):
        for i, (product, qty) in enumerate(zip(orders["product_code"], orders[column])):
            unit = units.get(product)
            if unit in F.WHOLE_UNITS and qty is not None and qty == qty and not float(qty).is_integer():
                out.append(Problem(title, i + 2, label, f"{qty:g}", f"产品 {product} 以“{unit}”计量，数量应为整数",
                                   f"product {product} is counted in whole units ({unit}): the quantity must be a whole number"))
    return out


def province_rules(frames: dict[str, pd.DataFrame], titles: dict[str, str], store) -> list[Problem]:
    """County codes of the configured province, coordinates inside its bounds."""
    if "institutions" not in frames or store is None:
        return []
    counties = set(store.read("SELECT region_code FROM regions WHERE region_level = 'county'")["region_code"])
    min_lon, min_lat, max_lon, max_lat = regions.bounds(store.province_code, store.province_code)
    out, title, frame = [], titles["institutions"], frames["institutions"]
    for i, row in enumerate(frame.itertuples(index=False)):
        if row.county_code and row.county_code not in counties:
            out.append(Problem(title, i + 2, "区县代码 county_code", row.county_code, "不是本省的县级行政区划代码",
                               "not a county-level code of the configured province"))
        for value, low, high, col in ((row.longitude, min_lon, max_lon, "经度 longitude"),
                                      (row.latitude, min_lat, max_lat, "纬度 latitude")):
            if value is not None and value == value and not (low <= value <= high):
                out.append(Problem(title, i + 2, col, str(value), "坐标不在本省范围内", "outside the province's bounds"))
    return out
