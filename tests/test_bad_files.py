"""A corpus of bad files: each gets its own clear error, and the store is left exactly as it was."""
import datetime as dt
import hashlib

import openpyxl
import pytest

from core.access.roles import system_user
from core.ingest import exporter, importer, uploads, validate
from core.store import db
from core.store.opening import open_store

from .browser import store_copy
from .extract_fixture import frames

D = dt.date


def _set(sheet, row, column, value):
    def change(f):
        f[sheet][column] = f[sheet][column].astype(object)
        f[sheet].loc[row, column] = value
    return change


CASES = {  # name: (how to spoil the fixture, expected sheet, spreadsheet row, column text, words of the error)
    "required_empty": (_set("institutions", 0, "institution_name", None), "医疗机构", 2, "机构名称", "required value is empty"),
    "not_a_number": (_set("orders", 0, "order_qty", "十个"), "采购订单", 2, "采购数量", "must be a number"),
    "negative_qty": (_set("agreements", 0, "agreed_qty", -1), "约定采购量", 2, "约定采购量", "must not be negative"),
    "bad_date": (_set("orders", 1, "order_date", "2026/13/45"), "采购订单", 3, "下单日期", "YYYY-MM-DD"),
    "bad_choice": (_set("institutions", 1, "level", "特级"), "医疗机构", 3, "机构等级", "must be one of"),
    "not_whole_year": (_set("baseline", 0, "year", 2025.5), "上年采购基线", 2, "年度", "whole number"),
    "duplicate_key": (lambda f: f.__setitem__("enterprises", f["enterprises"].iloc[[0, 0, 1]].reset_index(drop=True)),
                      "企业", 3, "enterprise_code", "duplicate key"),
    "period_reversed": (_set("agreements", 0, "period_end", D(2025, 12, 1)), "约定采购量", 2, "协议结束日期", "after period_start"),
    "delivered_before_order": (_set("orders", 0, "delivery_date", D(2026, 3, 1)), "采购订单", 2, "配送日期", "on or after order_date"),
    "receipt_before_delivery": (_set("orders", 0, "receipt_date", D(2026, 3, 2)), "采购订单", 2, "确认收货日期", "on or after delivery_date"),
    "reply_before_raised": (_set("complaints", 0, "reply_date", D(2026, 4, 1)), "诉求", 2, "回复日期", "on or after raised_date"),
    "agreement_not_selected": (_set("agreements", 0, "product_code", "0013"), "约定采购量", 2, "产品编码",
                               "an agreement is for a selected product (中选): this product is 非中选"),
    "unknown_reference": (_set("agreements", 0, "product_code", "9999"), "约定采购量", 2, "产品编码", "neither in the file nor in the store"),
    "county_outside": (_set("institutions", 0, "county_code", "320102"), "医疗机构", 2, "区县代码", "configured province"),
    "coordinates_outside": (_set("institutions", 0, "longitude", 90.5), "医疗机构", 2, "经度", "outside the province"),
    "delivered_above_ordered": (_set("orders", 0, "delivered_qty", 150), "采购订单", 2, "配送数量", "must not exceed"),
    "zero_order": (_set("orders", 0, "order_qty", 0), "采购订单", 2, "采购数量", "must be above 0"),
    "substitute_fields": (_set("products", 0, "status", "可替代"), "产品", 2, "可替代通用名", "substitute_generic"),
    "lost_leading_zeros": (_set("enterprises", 0, "enterprise_code", 1), "企业", 2, "企业编码", "leading zeros"),
    "unknown_header": ("rename the header 企业类型 to 角色", "企业", 1, "角色", "unknown column header"),
    # a second agreement of the same institution and product from 2026-07-01, inside the first (row 2, to 12-31)
    "agreements_overlap": (lambda f: f.__setitem__("agreements", f["agreements"].iloc[[0, 0]].reset_index(drop=True)
                                                  .assign(period_start=[D(2026, 1, 1), D(2026, 7, 1)],
                                                          period_end=[D(2026, 12, 31), D(2027, 6, 30)])),
        "约定采购量", 3, "协议开始日期", "overlaps the agreement of the same institution and product row 2"),
    # the stored agreement (2026-01-01 to 12-31) is not replaced by one starting 2026-06-01: they overlap
    "agreement_overlaps_the_store": (_set("agreements", 0, "period_start", D(2026, 6, 1)), "约定采购量", 2, "协议开始日期",
                                     "overlaps the agreement of the same institution and product in the store"),
}


def _rename_header(path, sheet: str, old: str, new: str) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    for cell in wb[sheet][1]:
        if cell.value == old:
            cell.value = new
    wb.save(path)


def _fingerprint(store) -> dict[str, str]:
    out = {}
    for name in ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints", "mart_flags"):
        rows = store.read(f"SELECT * FROM {name}").astype(str).sort_values(by=list(store.read(f"SELECT * FROM {name}").columns[:2])).values
        out[name] = hashlib.sha256(repr(rows.tolist()).encode()).hexdigest()
    return out


@pytest.fixture(scope="module")
def filled_once(tmp_path_factory):
    """A store holding the good extract, imported once for the module; each test writes to a copy of it."""
    folder = tmp_path_factory.mktemp("filled")
    store = open_store(f"sqlite:///{folder / 'filled.sqlite3'}")
    extract, _ = importer.import_files(store, [exporter.write_xlsx(frames(), folder / "good.xlsx")], actor=system_user(store))
    assert extract.ok
    yield store
    db.dispose(store.url)


@pytest.fixture
def filled(filled_once, tmp_path):
    url = store_copy(filled_once.url, tmp_path, "filled.sqlite3")
    yield open_store(url)
    db.dispose(url)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_gets_its_error_and_changes_nothing(case, filled, tmp_path):
    spoil, sheet, row, column, words = CASES[case]
    f = frames()
    if callable(spoil):
        spoil(f)
    path = exporter.write_xlsx(f, tmp_path / f"{case}.xlsx")
    if case == "unknown_header":
        _rename_header(path, "企业", "企业类型", "角色")
    before = _fingerprint(filled)
    extract, counts = importer.import_files(filled, [path], actor=system_user(filled))
    assert counts == {}
    hits = [p for p in extract.problems if p.sheet == sheet and p.row == row and column in p.column and words in p.en]
    assert hits, [str(p) for p in extract.problems]
    assert hits[0].zh  # every problem is said in Chinese too
    assert _fingerprint(filled) == before


REFUSALS = {  # name: (make the file, words of the error)
    "empty": (lambda p: p.with_suffix(".xlsx").write_bytes(b""), "empty"),
    "not_xlsx": (lambda p: p.with_suffix(".xlsx").write_text("机构编码,机构名称\n", encoding="utf-8"), "not an .xlsx"),
    "ole_header_only": (lambda p: p.with_suffix(".xlsx").write_bytes(validate.OLE_MAGIC + b"\x00" * 512), "damaged"),
    "binary_csv": (lambda p: p.with_suffix(".csv").write_bytes(b"PK\x03\x04" + b"\x00" * 64), "not CSV text"),
    "unsupported": (lambda p: p.with_suffix(".txt").write_text("x"), "unsupported file type"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_before_parsing(case, filled, tmp_path):
    make, words = REFUSALS[case]
    make(tmp_path / case)
    path = next(p for p in tmp_path.iterdir() if p.stem == case)
    before = _fingerprint(filled)
    extract, counts = importer.import_files(filled, [path], actor=system_user(filled))
    assert counts == {} and any(words in p.en for p in extract.problems), [str(p) for p in extract.problems]
    assert _fingerprint(filled) == before


def test_formula_cells_are_refused(filled, tmp_path):
    f = frames()
    path = exporter.write_xlsx(f, tmp_path / "formula.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["医疗机构"]["B2"] = "=HYPERLINK(\"http://example.invalid\",\"x\")"  # a real formula, typed into the sheet
    wb.save(path)
    extract, counts = importer.import_files(filled, [path], actor=system_user(filled))
    assert counts == {} and [(p.sheet, p.row) for p in extract.problems] == [("医疗机构", 2)]
    assert "formula" in extract.problems[0].en


def test_limits_refuse_large_files_and_many_rows(filled, tmp_path):
    path = exporter.write_xlsx(frames(), tmp_path / "big.xlsx")
    extract, _ = importer.import_files(filled, [path], actor=system_user(filled), limits=validate.Limits(max_bytes=100))
    assert "larger than" in extract.problems[0].en
    extract, _ = importer.import_files(filled, [path], actor=system_user(filled), limits=validate.Limits(max_rows=5))
    assert "more rows than the limit" in extract.problems[0].en


def test_a_product_holding_agreements_stays_selected(filled, tmp_path, monkeypatch):
    """The store holds one agreement for 0012, 2026-01-01 to 2026-12-31. On 2026-06-01 a products sheet alone that
    turns 0012 into 非中选 is refused on that row's status, the store unchanged; 0013 (no agreement) may change
    freely (it becomes 中选). On 2027-01-04, the agreement ended, 0012 may become 非中选 (it lost a later round)."""
    from core.policy import clock
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 6, 1))
    f = frames()
    products = f["products"].assign(status=["非中选", "非中选"])
    path = exporter.write_xlsx({"products": products}, tmp_path / "deselect.xlsx")
    before = _fingerprint(filled)
    extract, counts = importer.import_files(filled, [path], actor=system_user(filled))
    assert counts == {}
    assert [(p.sheet, p.row, p.column, p.value) for p in extract.problems] == [("产品", 2, "中选状态 status", "非中选")]
    assert "1条约定采购量尚在执行期内（最晚至2026-12-31）" in extract.problems[0].zh
    assert "agreements still running (1, the last until 2026-12-31)" in extract.problems[0].en
    assert _fingerprint(filled) == before
    selected = f["products"].iloc[[1]].assign(status="中选")
    extract, counts = importer.import_files(filled, [exporter.write_xlsx({"products": selected}, tmp_path / "sel.xlsx")],
                                            actor=system_user(filled))
    assert extract.ok and counts, [str(p) for p in extract.problems]
    assert filled.read("SELECT status FROM products WHERE product_code = '0013'")["status"].tolist() == ["中选"]
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 4))
    extract, counts = importer.import_files(filled, [exporter.write_xlsx({"products": products.iloc[[0]]},
                                                                         tmp_path / "later.xlsx")],
                                            actor=system_user(filled))
    assert extract.ok and counts, [str(p) for p in extract.problems]
    assert filled.read("SELECT status FROM products WHERE product_code = '0012'")["status"].tolist() == ["非中选"]


def test_a_file_checked_before_another_import_wrote_is_not_written(filled, tmp_path, monkeypatch):
    """Two uploads checked against the same store before either writes: A makes 0013 selected and gives it an
    agreement; B, checked before A wrote, makes 0013 非中选 again. A is written; B is refused at its write (the store
    changed since its check), nothing of it written; checked again, the rule refuses it on its own."""
    from core.policy import clock
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 6, 1))
    f = frames()
    a = {"products": f["products"].iloc[[1]].assign(status="中选"),
         "agreements": f["agreements"].assign(product_code="0013")}
    b = {"products": f["products"].iloc[[1]]}  # 0013 as 非中选
    paths = [exporter.write_xlsx(a, tmp_path / "a.xlsx"), exporter.write_xlsx(b, tmp_path / "b.xlsx")]
    user = system_user(filled)
    checked_a, checked_b = (importer.parse([p], filled, validate.Limits.of(filled)) for p in paths)
    assert checked_a.ok and checked_b.ok
    assert importer.write(filled, checked_a, user)
    before = _fingerprint(filled)
    with pytest.raises(importer.InvalidExtract) as refused:
        importer.write(filled, checked_b, user)
    assert refused.value.problems == [importer.CHANGED_SINCE_CHECK]
    assert _fingerprint(filled) == before
    assert filled.read("SELECT status FROM products WHERE product_code = '0013'")["status"].tolist() == ["中选"]
    again, counts = importer.import_files(filled, [paths[1]], actor=user)
    assert counts == {} and [(p.sheet, p.row, p.column) for p in again.problems] == [("产品", 2, "中选状态 status")]


def test_other_writes_between_check_and_write_do_not_refuse_an_import(filled, tmp_path):
    """A setting saved or a casework record made while a file is checked moves the figures, not the rows the
    file's rules read: the import is written."""
    f = frames()
    path = exporter.write_xlsx({"products": f["products"].iloc[[1]].assign(status="中选")}, tmp_path / "sel.xlsx")
    user = system_user(filled)
    checked = importer.parse([path], filled, validate.Limits.of(filled))
    with filled.begin() as conn:  # as a settings save or a recorded action does
        filled.bump_data_version(conn)
    assert importer.write(filled, checked, user) == {"products": 1}


def test_an_import_while_the_store_is_held_is_refused_as_busy_and_recorded(tmp_path, monkeypatch):
    """SQLite: another write holds the store past the wait. The command line's import is refused with the store's
    own message (not a traceback), nothing written. Held still when the refusal is to be recorded, the command says
    it went to the server log only; released by then, the refusal is in the upload history."""
    import io
    import sqlite3
    from contextlib import redirect_stderr

    from core.cli import main as cli
    monkeypatch.setattr(db, "BUSY_MS", 200)  # the wait, short for the test
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    store = open_store(url)
    path = exporter.write_xlsx(frames(), tmp_path / "good.xlsx")

    def attempt():
        said = io.StringIO()
        with redirect_stderr(said):
            code = cli.main(["import", str(path), "--db", url])
        return code, said.getvalue()
    holder = sqlite3.connect(tmp_path / "busy.sqlite3")
    holder.execute("BEGIN IMMEDIATE")  # as a long import's transaction holds it
    code, said = attempt()
    assert code == 1 and said.startswith("数据库正忙") and "the store is busy" in said and "server log" in said
    recording = uploads.record

    def once_the_other_write_ends(*args, **kwargs):
        if holder.in_transaction:
            holder.rollback()
        return recording(*args, **kwargs)
    monkeypatch.setattr(uploads, "record", once_the_other_write_ends)
    code, said = attempt()
    assert code == 1 and "server log" not in said
    holder.close()
    history = uploads.history(store)
    assert len(history) == 1 and history.iloc[0]["outcome"] == "rejected"
    assert history.iloc[0]["reason"].startswith("数据库正忙") and "the store is busy" in history.iloc[0]["reason"]
    assert store.counts()["orders"] == 0
    db.dispose(url)


def test_a_failed_import_is_not_taken_back_over_a_later_one(filled, tmp_path, monkeypatch):
    """A's figures fail after another import (B) has written: taking A back would take B's rows with it, so A's rows
    stay, RefreshFailed says so, and B's rows are whole. With nobody between, A is taken back as before."""
    from core.refresh import marts
    f = frames()
    user = system_user(filled)
    a_orders = f["orders"].assign(order_id=["A1", "A2"])
    b_orders = f["orders"].assign(order_id=["B1", "B2"])
    a = importer.parse([exporter.write_xlsx({"orders": a_orders}, tmp_path / "a.xlsx")], filled)
    b_path = exporter.write_xlsx({"orders": b_orders}, tmp_path / "b.xlsx")

    def b_writes_then_the_figures_fail(store, **_kwargs):
        importer.write(store, importer.parse([b_path], store), user)
        raise RuntimeError("the figures failed")
    monkeypatch.setattr(marts, "refresh", b_writes_then_the_figures_fail)
    with pytest.raises(importer.RefreshFailed) as failed:
        importer.commit(filled, a, user)
    assert failed.value.kept and "another import has written since" in str(failed.value)
    held = set(filled.read("SELECT order_id FROM orders")["order_id"])
    assert {"A1", "A2", "B1", "B2"} <= held

    def the_figures_fail(store, **_kwargs):
        raise RuntimeError("the figures failed")
    monkeypatch.setattr(marts, "refresh", the_figures_fail)
    c = importer.parse([exporter.write_xlsx({"orders": f["orders"].assign(order_id=["C1", "C2"])},
                                            tmp_path / "c.xlsx")], filled)
    with pytest.raises(importer.RefreshFailed) as failed:
        importer.commit(filled, c, user)
    assert not failed.value.kept
    assert not {"C1", "C2"} & set(filled.read("SELECT order_id FROM orders")["order_id"])
