"""Every kind of workbook the app writes is a real spreadsheet: numbers and dates stored as such with a number format,
widths that fit the Chinese headers, a frozen header row, a print setup (landscape, one page wide, the header row
repeated, the title and who exported it in the page header), formula-like text kept as text. One of each kind is
also opened by LibreOffice (Debian's libreoffice-calc) and printed to PDF: one page wide, the Chinese text there."""
import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from core.access import actions, exports
from core.access.roles import system_user, User
from core.ingest import uploads
from core.ingest.problems import Problem
from core.present import xlsx
from core.present.flagtext import describe
from core.present.i18n import headers
from core.store import views
from core.store.opening import open_store
from core.store.view import View


LEADER = User("boss", "王局长", "leader", "370000")


def _flags_frame() -> pd.DataFrame:
    """Three flags in three units, worked out by hand: 45% against 80%, 4.26 times against 4, 7 working days
    against 5; a note that starts like a formula."""
    frame = pd.DataFrame([
        {"flag_id": "delivery_rate_low", "severity": "serious", "detail_code": "YP000001", "value": 0.45, "threshold": 0.8},
        {"flag_id": "purchase_over_4x", "severity": "warning", "detail_code": "=HYPERLINK(\"http://x\")", "value": 4.26,
         "threshold": 4.0},
        {"flag_id": "receipt_confirmation_late", "severity": "warning", "detail_code": "DD2026000000001", "value": 7.0,
         "threshold": 5.0}])
    return describe(frame)


def _sheet(data: bytes, title: str):
    return openpyxl.load_workbook(io.BytesIO(data))[title]


def _check_layout(ws, header_texts: list[str]) -> None:
    assert [c.value for c in ws[1]][:len(header_texts)] == header_texts
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows in ("1:1", "$1:$1")
    for j, text in enumerate(header_texts, start=1):  # wide enough for its header (up to 12 characters)
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width
        assert width >= min(xlsx.width_of(text), 12), (text, width)


@pytest.fixture
def store(tmp_path):
    """A real (empty) store: exports name the scope and are audited."""
    return open_store(f"sqlite:///{tmp_path / 'exports.sqlite3'}")


def test_a_table_of_flags_keeps_numbers_in_their_units(store):
    frame = _flags_frame()
    data = exports.table(store, LEADER, "预警清单", frame,
                         headers(["flag_name", "severity_zh", "detail_code", "value_text", "threshold_text", "clause"]))
    ws = _sheet(data, "预警清单")
    _check_layout(ws, ["预警事项", "等级", "涉及产品/品种/订单/诉求", "实际值", "阈值", "通知条款"])
    values = [(ws.cell(r, 4).value, ws.cell(r, 4).number_format, ws.cell(r, 5).value, ws.cell(r, 5).number_format)
              for r in (2, 3, 4)]
    assert values == [(0.45, "0.0%", 0.8, "0.0%"), (4.26, '0.00" 倍"', 4.0, '0.00" 倍"'),
                      (7.0, '0" 个工作日"', 5.0, '0" 个工作日"')]
    formula = ws.cell(3, 3)
    assert formula.data_type == "s" and formula.value.startswith("=")  # text, never a live formula
    assert "预警清单" in ws.oddHeader.left.text and "王局长" in ws.oddHeader.right.text


def test_rates_quantities_and_dates_are_numbers_with_formats(store):
    frame = pd.DataFrame({"region_name": ["德州市", "宁津县"], "delivery": [0.939649413894156, 0.5],
                          "agreed_qty": [1200.0, 35.0], "delivered_qty": [1.5, 2.25],
                          "raised_date": ["2026-03-02", "2026-04-01"], "at": [pd.Timestamp("2026-11-20 09:30:05"), pd.NaT]})
    data = exports.table(store, LEADER, "区域", frame, {"region_name": "区域", "delivery": "配送率",
                                                               "agreed_qty": "约定量", "delivered_qty": "配送数量",
                                                               "raised_date": "反馈日期", "at": "时间"})
    ws = _sheet(data, "区域")
    row = [(c.value, c.number_format) for c in ws[2]]
    assert row[1] == (0.939649413894156, "0.0%")  # the number itself, shown as 94.0%
    assert row[2] == (1200, "#,##0") and row[3] == (1.5, "#,##0.00")
    assert row[4] == (dt.datetime(2026, 3, 2), "yyyy-mm-dd")
    assert row[5] == (dt.datetime(2026, 11, 20, 9, 30, 5), "yyyy-mm-dd hh:mm:ss")
    assert ws.cell(3, 6).value is None  # a missing time is an empty cell
    assert ws.auto_filter.ref == "A1:F3"



def test_pandas_missing_values_of_every_kind_are_empty_cells(store):
    """A nullable column (Int64, Float64, boolean, string) holds pd.NA where a value is missing: an empty cell, as
    NaN, None and NaT are (the complaints' working days left are missing once a complaint is answered)."""
    frame = pd.DataFrame({"region_name": ["德州市", "宁津县"]})
    frame["workdays_left"] = pd.array([2, None], dtype="Int64")
    frame["delivery"] = pd.array([None, 0.5], dtype="Float64")
    frame["is_primary"] = pd.array([True, None], dtype="boolean")
    frame["note"] = pd.array([None, "已回复"], dtype="string")
    data = exports.table(store, LEADER, "诉求", frame, {"region_name": "区域", "workdays_left": "剩余工作日",
                                                         "delivery": "配送率", "is_primary": "基层", "note": "备注"})
    ws = _sheet(data, "诉求")
    assert [c.value for c in ws[2]] == ["德州市", 2, None, True, None]
    assert [c.value for c in ws[3]] == ["宁津县", None, 0.5, None, "已回复"]

def _soffice_pdf(paths: list[Path], out: Path) -> list[Path]:
    """LibreOffice's PDFs of the workbooks (one process for all)."""
    profile = out / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, paths)], check=True, capture_output=True, timeout=240)
    return [out / f"{p.stem}.pdf" for p in paths]


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return ["".join(subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"], check=True,
                                   capture_output=True, text=True).stdout.split()) for i in range(1, count + 1)]


def _page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    return float(size[2]), float(size[4])


needs_office = pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"),
                                  reason="LibreOffice is not installed (bash scripts/setup.sh)")


@needs_office
def test_every_kind_of_workbook_opens_in_libreoffice_one_page_wide(demo_copy, tmp_path):
    me = system_user(demo_copy)
    view = View.of(demo_copy, views.default_view(demo_copy), "371400", user=me)
    flags = _flags_frame()
    kinds = {
        "table": (exports.table(demo_copy, me, "预警清单", flags, headers(
            ["flag_name", "severity_zh", "detail_code", "value_text", "threshold_text", "clause"])), "预警清单"),
        "interviews": (actions.export(view), "约谈名单"),
        "template": (uploads.template(), "医疗机构"),
        "errors": (uploads.error_report([Problem("采购订单", 2, "采购数量 order_qty", "-5", "数量不能为负",
                                                 "quantity must not be negative")], "analyst1"), "错误清单"),
        "history": (exports.table(demo_copy, me, "上传记录", uploads.history(demo_copy), headers(
            ["uploaded_at", "username", "file_name", "outcome_text", "error_count", "rows_text", "sha256"])), "上传记录"),
    }
    paths = []
    for name, (data, _sheet_name) in kinds.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append(path)
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:  # every sheet of every kind prints landscape, one page wide, header frozen
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, (name, ws.title)
            assert ws.freeze_panes == "A2", (name, ws.title)
    pdfs = _soffice_pdf(paths, tmp_path)
    for (name, (data, sheet_name)), pdf in zip(kinds.items(), pdfs):
        width, height = _page_size(pdf)
        assert width > height, f"{name}: not landscape ({width} x {height})"
        pages = _pages(pdf)
        first = [str(c.value) for c in openpyxl.load_workbook(io.BytesIO(data))[sheet_name][1] if c.value]
        first = ["".join(h.split()) for h in first]
        holding = [i for i, text in enumerate(pages) if first[0] in text]
        assert holding, f"{name}: the header {first[0]} is not in the PDF"
        # one page wide: the sheet's last column header is on the page that has its first
        assert first[-1] in pages[holding[0]], f"{name}: {first[-1]} not on the page of {first[0]}"


def test_a_title_with_an_entitys_odd_code_still_names_a_sheet(tmp_path):
    """A sheet's name cannot hold \\ / ? * [ ] : (an extract's codes may): they become _, the table still exports."""
    store = open_store(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    data = exports.table(store, system_user(store), "供应情况_ZX/001:[甲]", pd.DataFrame({"a": [1]}), {"a": "数量"})
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames[0] == "供应情况_ZX_001__甲_"


def test_the_command_lines_csv_keeps_formulas_as_text_and_is_audited(demo_copy, monkeypatch):
    """What `python -m core complaints list / flags / indicators` prints is an export: audited for the account that
    asked, and a name that looks like a formula is written so that a spreadsheet shows it (a leading apostrophe)."""
    import contextlib
    from core import demo
    from core.cli import main as cli
    county = demo_copy.read("SELECT area_code FROM users WHERE username = 'demo_county'")["area_code"].iloc[0]
    code = demo_copy.read("SELECT c.institution_code FROM complaints c JOIN institutions i "
                          "ON i.institution_code = c.institution_code WHERE i.county_code = :k ORDER BY 1 LIMIT 1",
                          {"k": county})["institution_code"].iloc[0]
    formula = '=HYPERLINK("http://127.0.0.1:9/?q="&A1,"医院")'
    with demo_copy.begin() as conn:
        conn.exec_driver_sql("UPDATE institutions SET institution_name = ? WHERE institution_code = ?", (formula, code))
        demo_copy.bump_data_version(conn)
    monkeypatch.setenv("VBP_PASSWORD", demo.DEMO_PASSWORD)
    printed = {}
    for args in (["complaints", "list"], ["flags"], ["indicators", "--level", "county"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            assert cli.main([*args, "--db", demo_copy.url, "--user", "demo_county"]) == 0
        printed[" ".join(args)] = pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)
    names = printed["complaints list"].set_index("institution_code")["institution_name"]
    assert set(names.loc[[code]]) == {"'" + formula}
    logged = demo_copy.read("SELECT username, target, detail FROM audit_log WHERE action = 'export' ORDER BY audit_id")
    assert logged["username"].tolist() == ["demo_county"] * 3
    assert logged["target"].tolist() == ["命令行 complaints list", "命令行 flags", "命令行 indicators county"]
    assert logged["detail"].tolist() == [f"{len(printed[k])} rows, csv" for k in printed]
