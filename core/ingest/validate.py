"""Checks of an upload: refusals before parsing, and the rules of the format across rows and the store.

Every check returns Problems (sheet, spreadsheet row, column, value, Chinese and English), so an
analyst sees all of them at once; nothing here writes.
"""
from __future__ import annotations

import os
import stat
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import SheetVisibleEnum

from core.ingest import workbooks as W
from core.ingest.problems import Problem
from core.policy import clock
from core.policy import extract as F
from core.policy import regions

ZIP_MAGIC, OLE_MAGIC = W.ZIP_MAGIC, W.OLE_MAGIC


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 5_000_000

    @classmethod
    def of(cls, store) -> "Limits":
        """The limits set in the store's settings."""
        values = store.settings()
        return cls(int(values["upload_max_mb"]) * 1024 * 1024, int(values["upload_max_rows"]))


INFLATE_RATIO = 100  # a part of a workbook inflating more than this over its compressed size is refused (a zip bomb)
INFLATE_FLOOR = 16 * 1024 * 1024  # ... once it inflates past this (small parts compress very well)


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


def refuse(path: Path, limits: Limits = Limits()) -> Problem | None:
    """A reason to refuse the file before reading it, or None (see `examine`)."""
    return examine(path, limits)[1]


SUPPORTED = ("不支持的文件类型，请上传 .xlsx、.xls、.ods、.xlsb 工作簿或 .csv 文本",
             "unsupported file type: upload an .xlsx, .xls, .ods or .xlsb workbook, or .csv text")
DAMAGED_OLE = ("工作簿已损坏（文件结构不完整），无法读取；请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传",
               "the workbook is damaged (its structure is broken) and cannot be read: open it in Excel or WPS, save "
               "it as .xlsx and upload that")
PASSWORD = ("工作簿设有打开密码（已加密），请取消密码后另存再上传", "the workbook is protected by a password (encrypted): remove "
            "the password, save it again and upload")


def examine(path: Path, limits: Limits = Limits(), formulas: bool = True) -> tuple[str | None, Problem | None]:
    """The file's kind by its content (.xlsx, .xls, .ods, .xlsb or .csv; a workbook saved under another workbook's
    suffix is read as what it is) and a reason to refuse it before reading its cells, or None: not a regular file
    (a folder, a device, a pipe), empty, too large, not what its name says, encrypted, a zip bomb, a formula in
    any sheet (`formulas` False: a zipped workbook's sheets are not searched for formulas, as by the child that
    reads its cells while another examines it whole)."""
    name = Path(path).name
    try:
        info = os.stat(path)  # a pipe or a device is not opened: stat does not block
    except OSError as err:
        return None, Problem(name, None, "", "", f"无法读取文件：{err.strerror}", f"the file cannot be read: {err.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return None, Problem(name, None, "", "", "不是普通文件（文件夹、设备或管道），拒绝读取",
                             "not a regular file (a folder, a device or a pipe): refused")
    size = info.st_size
    if size == 0:
        return None, Problem(name, None, "", "", "文件为空", "the file is empty")
    if size > limits.max_bytes:
        return None, Problem(name, None, "", f"{size / 1048576:.1f} MB", f"文件超过上限 {limits.max_bytes / 1048576:.0f} MB",
                             f"the file is larger than {limits.max_bytes / 1048576:.0f} MB")
    with open(path, "rb") as fh:
        head = fh.read(8)
    suffix = Path(path).suffix.lower()
    if suffix not in W.KINDS + (".csv",):
        return None, Problem(name, None, "", "", *SUPPORTED)
    if suffix == ".csv":  # its encoding and text are read by the importer
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
            real = _workbook_suffix(path, head)
            return None, Problem(name, None, "", "", f"文件内容是 {real} 工作簿而不是 CSV 文本：请把文件名的后缀改为 {real} 后再上传",
                                 f"the file is an {real} workbook, not CSV text: give it the {real} suffix and upload it")
        return ".csv", None
    not_workbook = Problem(name, None, "", "", f"文件内容不是 {suffix} 工作簿（也不是其他可读的工作簿）",
                           f"the file is not an {suffix} workbook (nor any other workbook this reads)")
    if head.startswith(OLE_MAGIC):
        return _ole_refusal(path, name, not_workbook)
    if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
        return None, not_workbook
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                kind = W.zip_kind(zf)
            except W.TwoKinds as kinds:
                return None, Problem(name, None, "", "", f"文件同时含有 {'、'.join(kinds.args[0])} 两种工作簿的内容，无法确定应读取哪一种；"
                                     "请在 Excel 中另存为 .xlsx 后再上传", f"the file holds the parts of {' and '.join(kinds.args[0])} "
                                     "workbooks at once, so which to read is unclear: save it as .xlsx and upload that")
            if kind is None:
                return None, not_workbook
            bomb = _inflated_within(zf, limits)
            if bomb is not None:
                return None, bomb
            if not formulas:
                return kind, None
            found = {".xlsx": W.xlsx_formula, ".xlsb": W.xlsb_formula, ".ods": W.ods_formula}[kind](zf)
            return kind, _formula(found)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error,
            ET.ParseError, ValueError):
        return None, Problem(name, None, "", "", "工作簿已损坏，无法读取", "the workbook is damaged and cannot be read")


def _ole_refusal(path: Path, name: str, not_workbook: Problem) -> tuple[str | None, Problem | None]:
    """An OLE compound file: an .xls workbook (BIFF8), or an .xlsx locked by a password, or neither."""
    try:
        streams = W.ole_streams(Path(path).read_bytes())
    except W.Damaged:
        return None, Problem(name, None, "", "", *DAMAGED_OLE)
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return None, Problem(name, None, "", "", *PASSWORD)
    book = streams.get("Workbook")
    if book is None:
        if "Book" in streams:
            return None, Problem(name, None, "", "", "工作簿为 Excel 5.0/95 旧格式，请另存为 .xlsx 再上传",
                                 "the workbook is in the old Excel 5.0/95 format: save it as .xlsx")
        return None, not_workbook
    try:
        if W.xls_encrypted(book):
            return None, Problem(name, None, "", "", *PASSWORD)
        return ".xls", _formula(W.xls_formula(book))
    except W.Damaged:  # its records do not follow one another (a length that runs past the end, a sheet not found)
        return None, Problem(name, None, "", "", *DAMAGED_OLE)


def _workbook_suffix(path: Path, head: bytes) -> str:
    """The suffix of the workbook kind a file holds (.xlsx when it cannot be told: a damaged or ambiguous zip)."""
    if head.startswith(OLE_MAGIC):
        return ".xls"
    try:
        with zipfile.ZipFile(path) as zf:
            return W.zip_kind(zf) or ".xlsx"
    except (W.TwoKinds, zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return ".xlsx"


def _formula(cell: W.Cell | None) -> Problem | None:
    if cell is None:
        return None
    return Problem(cell.sheet, cell.row, f"{cell.column}{cell.row or ''}", "", "单元格含有公式，请粘贴为数值后再上传",
                   "a cell holds a formula: paste values before uploading")


def hidden_sheet(sheets) -> Problem | None:
    """A refusal for the first hidden or very hidden sheet of calamine's sheet list (every workbook kind)."""
    for sheet in sheets:
        if sheet.visible != SheetVisibleEnum.Visible:
            very = "very " if sheet.visible == SheetVisibleEnum.VeryHidden else ""
            return Problem(sheet.name, None, "", "", "工作簿含有隐藏的工作表，请取消隐藏（或删除）后再上传，以免导入看不见的数据",
                           f"the workbook has a {very}hidden sheet: unhide (or delete) it first, so nothing unseen is "
                           "imported")
    return None


def _date_order(frame: pd.DataFrame, title: str, later: str, earlier: str, strict: bool, sheet: F.Sheet) -> list[Problem]:
    out = []
    col = next(c for c in sheet.columns if c.name == later)
    other = next(c for c in sheet.columns if c.name == earlier)
    a_all, b_all = frame[later].to_numpy(object), frame[earlier].to_numpy(object)
    both = np.flatnonzero(pd.notna(a_all) & pd.notna(b_all))
    a_in, b_in = a_all[both], b_all[both]
    word = "晚于" if strict else "不早于"
    for i in map(int, both[(a_in <= b_in) if strict else (a_in < b_in)] if len(both) else ()):
        a, b = a_all[i], b_all[i]
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


FAMILIES = {ref: [(ref, key)] + [(name, column) for name, refs in REFERENCES.items() for column, r in refs if r == ref]
            for ref, key in KEY_OF.items()}  # the sheet and column of each kind of code: its key and its references
FAMILY_OF = {place: ref for ref, places in FAMILIES.items() for place in places}


def rules(frames: dict[str, pd.DataFrame], titles: dict[str, str], store, fresh: bool = False,
          numeric: dict[str, dict[str, Collection[int]]] | None = None) -> list[Problem]:
    """Rules across columns, rows and the store: date order, quantities, references, province bounds, codes that
    lost their leading zeros. `fresh`: the store's rows do not count (they are about to be cleared). `numeric`:
    per sheet and column, the row indices of cells the workbook stored as numbers."""
    out: list[Problem] = []
    reference = None if fresh else store
    stored = {ref: set(reference.read(f"SELECT {key} FROM {ref}")[key]) if reference is not None else set()
              for ref, key in KEY_OF.items()}
    known = {ref: stored[ref] | (set(frames[ref][key].dropna()) if ref in frames else set()) for ref, key in KEY_OF.items()}
    zeros, explained = lost_zeros(frames, titles, stored, numeric or {})
    out += zeros
    for name, frame in frames.items():
        sheet, title = F.SHEET_BY_NAME[name], titles[name]
        for later, earlier, strict in DATE_RULES.get(name, []):
            out += _date_order(frame, title, later, earlier, strict, sheet)
        for column, ref in REFERENCES.get(name, []):
            col = next(c for c in sheet.columns if c.name == column)
            values = frame[column]
            for i in map(int, np.flatnonzero((values.notna() & ~values.isin(known[ref])).to_numpy())):
                value = values.iat[i]
                if not {(ref, value), (ref, value.lstrip("0"))} & explained:  # the lost zeros are the cause
                    out.append(Problem(title, i + 2, f"{col.zh} {column}", str(value), "编码在文件和数据库中都不存在",
                                       "unknown code: neither in the file nor in the store"))
        if name == "orders":
            out += _whole_quantities(frame, title, frames, reference)
            ordered = pd.to_numeric(frame["order_qty"]).to_numpy(float)
            delivered = pd.to_numeric(frame["delivered_qty"]).to_numpy(float)
            with np.errstate(invalid="ignore"):
                for i in map(int, np.flatnonzero((ordered <= 0) | (delivered > ordered))):
                    q, d = frame["order_qty"].iat[i], frame["delivered_qty"].iat[i]
                    if q is not None and q == q and q <= 0:
                        out.append(Problem(title, i + 2, "采购数量 order_qty", str(q), "采购数量必须大于0", "must be above 0"))
                    if d is not None and d == d and q is not None and q == q and d > q:
                        out.append(Problem(title, i + 2, "配送数量 delivered_qty", str(d), "配送数量不能超过采购数量",
                                           "must not exceed order_qty"))
        if name == "agreements":
            out += _overlapping_agreements(frame, title, reference)
            out += _agreed_products_selected(frame, title, frames, reference)
        if name == "products":
            out += _agreements_keep_selected(frame, title, reference)
            for i, (status, generic, degree) in enumerate(zip(frame["status"], frame["substitute_generic"],
                                                              frame["substitution_degree"])):
                if status == "可替代" and (not generic or not degree):
                    out.append(Problem(title, i + 2, "可替代通用名 substitute_generic", "",
                                       "可替代产品须填写可替代通用名和替代程度",
                                       "a substitutable product needs substitute_generic and substitution_degree"))
    return out


def _agreed_products_selected(frame: pd.DataFrame, title: str, frames: dict[str, pd.DataFrame], store) -> list[Problem]:
    """An agreement (约定采购量) is for a selected product (中选): the product's status as the file gives it, else as
    the store holds it. An unknown product is the reference rule's to report."""
    status: dict = {}
    if store is not None:
        stored = store.read("SELECT product_code, status FROM products")
        status.update(zip(stored["product_code"], stored["status"]))
    if "products" in frames:
        status.update(zip(frames["products"]["product_code"], frames["products"]["status"]))
    column = next(c for c in F.SHEET_BY_NAME["agreements"].columns if c.name == "product_code")
    out = []
    for i, product in enumerate(frame["product_code"]):
        found = status.get(product)
        if found is not None and found == found and found != "中选":
            out.append(Problem(title, i + 2, f"{column.zh} product_code", str(product),
                               f"约定采购量只能针对中选产品，该产品的中选状态为“{found}”",
                               f"an agreement is for a selected product (中选): this product is {found}"))
    return out


def _agreements_keep_selected(frame: pd.DataFrame, title: str, store) -> list[Problem]:
    """The other side of _agreed_products_selected: a product with an agreement still running (its period not ended
    before today) stays selected (中选) until the period ends: its agreement would otherwise count as a selected
    product's (delivery, progress) while the product is not one. A product whose agreements have all ended may
    change (it lost a later round)."""
    if store is None or not len(frame):
        return []
    held = store.read("SELECT product_code, COUNT(*) AS n, MAX(period_end) AS until FROM agreements "
                      "WHERE period_end >= :today GROUP BY product_code",
                      {"today": store.day(clock.today())})
    held = {code: (int(n), pd.Timestamp(until).date()) for code, n, until in zip(held["product_code"], held["n"],
                                                                                held["until"])}
    column = next(c for c in F.SHEET_BY_NAME["products"].columns if c.name == "status")
    out = []
    for i, (product, status) in enumerate(zip(frame["product_code"], frame["status"])):
        if product in held and status is not None and status == status and status != "中选":
            n, until = held[product]
            out.append(Problem(title, i + 2, f"{column.zh} status", str(status),
                               f"该产品有{n}条约定采购量尚在执行期内（最晚至{until.isoformat()}），执行期结束前不能改为“{status}”",
                               f"this product has agreements still running ({n}, the last until {until.isoformat()}): "
                               f"it cannot become {status} before they end"))
    return out


def _overlapping_agreements(frame: pd.DataFrame, title: str, store) -> list[Problem]:
    """An institution holds one agreement for a product at a time: two whose periods overlap (in the file, or one in
    the file and one in the store that the file does not replace) would count every order of the overlap twice."""
    keys = ["institution_code", "product_code"]
    mine = frame[keys + ["period_start", "period_end"]].assign(row=np.arange(len(frame)) + 2)
    mine = mine.dropna(subset=["period_start", "period_end"])
    parts = [mine]
    if store is not None and len(mine):
        held = store.read("SELECT institution_code, product_code, period_start, period_end FROM agreements")
        for frame_ in (held, mine):
            for column in ("period_start", "period_end"):
                frame_[column] = pd.to_datetime(frame_[column]).dt.date
        replaced = pd.MultiIndex.from_frame(mine[keys + ["period_start"]])
        held = held[~pd.MultiIndex.from_frame(held[keys + ["period_start"]]).isin(replaced)]
        parts.append(held.merge(mine[keys].drop_duplicates(), on=keys).assign(row=0))  # 0: in the store
    both = pd.concat(parts, ignore_index=True)
    both = both[both.duplicated(keys, keep=False)].sort_values(keys + ["period_start", "row"], kind="stable")
    start_column = next(c for c in F.SHEET_BY_NAME["agreements"].columns if c.name == "period_start")
    out = []
    for _key, group in both.groupby(keys, sort=False):
        reach = None  # of the agreements before, the one that runs longest
        for this in group.itertuples(index=False):
            if reach is not None and this.period_start <= reach.period_end and (this.row or reach.row):
                bad, other = (this, reach) if this.row else (reach, this)
                where_zh, where_en = (f"第{other.row}行", f"row {other.row}") if other.row else ("数据库中", "in the store")
                out.append(Problem(
                    title, bad.row, f"{start_column.zh} period_start", str(bad.period_start),
                    f"与{where_zh}同一机构同一产品的协议期（{other.period_start} 至 {other.period_end}）重叠："
                    f"同一时间只能有一份约定，否则重叠期间的订单会被重复计算",
                    f"overlaps the agreement of the same institution and product {where_en} ({other.period_start} to "
                    f"{other.period_end}): one agreement at a time, or the orders of the overlap count twice"))
            if reach is None or this.period_end > reach.period_end:
                reach = this
    return out


def lost_zeros(frames: dict[str, pd.DataFrame], titles: dict[str, str], stored: dict[str, set[str]],
               numeric: dict[str, dict[str, Collection[int]]]) -> tuple[list[Problem], set[tuple[str, str]]]:
    """Code columns whose codes lost their leading zeros (Excel keeps 0012 as the number 12 in a column not set to
    text), one problem per column naming the cause and what to do, and the (kind of code, code) pairs this explains
    (so the sheets that kept their zeros are not blamed for unknown codes). A code counts when it is digits without
    a leading zero, unknown to the file's other columns of its kind and to the store, while they hold it with
    leading zeros (and this column does not); or when the workbook stored it as a number and the column's codes
    kept as text are longer."""
    problems, explained = [], set()
    held = {place: set(frames[place[0]][place[1]].dropna().tolist()) for place in FAMILY_OF if place[0] in frames}
    for name, frame in frames.items():
        for col in F.SHEET_BY_NAME[name].columns:
            if col.kind != "code" or col.name not in frame:
                continue
            ref = FAMILY_OF.get((name, col.name))
            cells = set(np.asarray(numeric.get(name, {}).get(col.name, ()), dtype=np.int64).tolist())
            if ref is None and not cells:
                continue
            column = frame[col.name].tolist()
            if not any(v.isdigit() and v[0] != "0" for v in set(column) if isinstance(v, str) and v):
                continue  # no code of the column is digits without a leading zero: none can have lost its zeros
            values = [v if isinstance(v, str) else "" for v in column]
            same = held.get((name, col.name), set())
            others = set() if ref is None else stored[ref].union(
                *(held[place] for place in FAMILIES[ref] if place != (name, col.name) and place in held))
            padded = {k.lstrip("0"): k for k in others if k[:1] == "0" and k.strip("0")}
            kept = max((len(v) for i, v in enumerate(values) if v and i not in cells), default=0) if cells else 0
            hits = []
            for i, v in enumerate(values):
                if not v or not v.isdigit() or v[0] == "0":
                    continue
                was = padded.get(v)
                if was is not None and v not in others and was not in same:
                    hits.append((i, v, was))
                elif i in cells and len(v) < kept:
                    hits.append((i, v, None))
            if not hits:
                continue
            i, v, was = hits[0]
            where_zh = f"文件其他工作表或数据库中为 {was}" if was else "本列以文本保存的编码更长"
            where_en = f"the file's other sheets or the store have {was}" if was else "the column's codes kept as text are longer"
            problems.append(Problem(
                titles[name], i + 2, f"{col.zh} {col.name}", v,
                f"该列有 {len(hits)} 个编码疑似在 Excel 中被保存为数字而丢失了前导零（如第{i + 2}行 {v}，{where_zh}）；"
                "请在 Excel 中将该列设为文本格式后重新输入/导出",
                f"{len(hits)} code(s) of this column look saved as numbers, which lost their leading zeros (row {i + 2}: "
                f"{v}; {where_en}): format the column as text in Excel, then type or export it again"))
            explained |= {(ref, v) for _, v, _ in hits} if ref else set()
    return problems, explained


def _whole_quantities(orders: pd.DataFrame, title: str, frames: dict[str, pd.DataFrame], store) -> list[Problem]:
    """Quantities of a product counted in whole pieces (its unit is 盒, 支, 个 ...) are whole numbers."""
    units = {}
    if store is not None:
        stored = store.read("SELECT product_code, unit FROM products")
        units = dict(zip(stored["product_code"], stored["unit"]))
    if "products" in frames and "unit" in frames["products"]:
        units.update(zip(frames["products"]["product_code"], frames["products"]["unit"]))
    out = []
    whole = orders["product_code"].map(units).isin(F.WHOLE_UNITS).to_numpy(bool)
    for column, label in (("order_qty", "采购数量 order_qty"), ("delivered_qty", "配送数量 delivered_qty")):
        quantities = pd.to_numeric(orders[column]).to_numpy(float)
        for i in map(int, np.flatnonzero(whole & ~np.isnan(quantities) & (quantities != np.floor(quantities)))):
            product, qty = orders["product_code"].iat[i], orders[column].iat[i]
            unit = units.get(product)
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
