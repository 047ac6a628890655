"""Files as LibreOffice saves them, made in the test by Debian's LibreOffice (`soffice --headless --convert-to`): a
workbook exported sheet by sheet to CSV, in each encoding an analyst may pick, is named `<file>-<sheet>.csv` and
imports whole; a CSV whose name names no sheet, or two, is refused with the accepted names and the refusal is in
the upload history. The same workbook saved as .xls and .ods (LibreOffice) and .xlsb (tests/xlsb.py) imports the
same rows as the .xlsx, under any workbook suffix; a formula, a hidden sheet, a password, Excel 95's format or a
damaged compound file is refused in every kind with its reason, and recorded."""
from __future__ import annotations

import codecs
import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from core.cli import main as cli
from core.ingest import exporter, uploads
from core.policy import extract as F
from core.store.opening import open_store

from .extract_fixture import frames
from .xlsb import write_xlsb

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (scripts/setup.sh)")

# LibreOffice's CSV export: comma, double quotes, character set, from line 1, ..., every sheet (-1) to its own file
CHARSETS = {"utf-8": "76", "gb18030": "85", "utf-16": "65535"}


def _libreoffice_csvs(workbook: Path, folder: Path, charset: str) -> list[Path]:
    out = folder / charset
    out.mkdir(parents=True)
    options = f"44,34,{CHARSETS[charset]},1,,0,false,true,false,false,false,-1"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless", "--convert-to",
                    f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", str(out), str(workbook)],
                   check=True, capture_output=True, timeout=180)
    return sorted(out.glob("*.csv"))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, list[Path]]:
    """The hand-made extract as a workbook with Chinese sheet names (`filled.xlsx`), then as LibreOffice's CSVs in
    each encoding, and the UTF-8 ones again with a byte-order mark (as Excel writes them)."""
    folder = tmp_path_factory.mktemp("kinds")
    workbook = exporter.write_xlsx(frames(), folder / "filled.xlsx")
    out = {charset: _libreoffice_csvs(workbook, folder, charset) for charset in CHARSETS}
    bom = folder / "utf-8-bom"
    bom.mkdir()
    for path in out["utf-8"]:
        (bom / path.name).write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    out["utf-8-bom"] = sorted(bom.glob("*.csv"))
    return out


@pytest.mark.parametrize("charset", ["utf-8", "utf-8-bom", "gb18030", "utf-16"])
def test_libreoffices_csvs_import_in_every_encoding(made, charset, tmp_path, capsys):
    paths = made[charset]
    expected = frames()
    assert sorted(p.name for p in paths) == sorted(f"filled-{F.SHEET_BY_NAME[n].zh}.csv" for n in expected)
    if charset == "utf-16":
        assert paths[0].read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", *map(str, paths), "--db", url]) == 0, capsys.readouterr().err
    store = open_store(url)
    for name, frame in expected.items():
        assert store.read(f"SELECT COUNT(*) AS n FROM {name}")["n"].iloc[0] == len(frame), name
    # codes keep their leading zeros and Chinese text arrives as typed, whatever the encoding
    assert set(store.read("SELECT enterprise_code FROM enterprises")["enterprise_code"]) == \
        set(expected["enterprises"]["enterprise_code"])
    assert set(store.read("SELECT institution_name FROM institutions")["institution_name"]) == \
        set(expected["institutions"]["institution_name"])


def test_a_csv_named_with_a_date_or_a_prefix_finds_its_sheet(made, tmp_path, capsys):
    """`orders_2026-10.csv` (the English name inside a longer one) and `filled-医疗机构.csv` both find their sheet."""
    renamed = []
    for path in made["utf-8"]:
        sheet = next(s for s in F.SHEETS if s.zh in path.stem)
        target = tmp_path / (f"{sheet.name}_2026-10.csv" if sheet.name in ("orders", "products") else path.name)
        shutil.copy(path, target)
        renamed.append(target)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", *map(str, renamed), "--db", url]) == 0, capsys.readouterr().err
    assert open_store(url).read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == len(frames()["orders"])


def test_a_csv_whose_name_holds_other_sheet_names_is_matched_by_its_columns(made, tmp_path, capsys):
    """`配送企业订单.csv` holds orders (its name contains 企业, the enterprises' sheet, but its columns are the
    orders'), `产品约定采购量.csv` agreements (its name contains two sheets' names, its columns are one's)."""
    renamed = []
    for path in made["utf-8"]:
        sheet = next(s for s in F.SHEETS if s.zh in path.stem)
        target = tmp_path / {"orders": "配送企业订单.csv", "agreements": "产品约定采购量.csv"}.get(sheet.name, path.name)
        shutil.copy(path, target)
        renamed.append(target)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", *map(str, renamed), "--db", url]) == 0, capsys.readouterr().err
    store = open_store(url)
    assert store.counts()["orders"] == len(frames()["orders"]) and store.counts()["agreements"] == len(frames()["agreements"])
    assert store.counts()["enterprises"] == len(frames()["enterprises"])


@pytest.mark.parametrize("name,words", [("shipments.csv", ("names no sheet", "未对应任何工作表")),
                                        ("orders_products.csv", ("at once", "无法确定"))])
def test_a_csv_whose_name_says_no_sheet_is_refused_with_the_accepted_names_and_recorded(made, tmp_path, capsys, name,
                                                                                         words):
    """No sheet's name in the file's name, or two, and columns that do not tell which (an extra column here)."""
    source = next(p for p in made["utf-8"] if F.SHEET_BY_NAME["orders"].zh in p.stem)
    bad = tmp_path / name
    text = source.read_text(encoding="utf-8-sig").splitlines()
    bad.write_text("\n".join([text[0] + ",备注"] + [line + ",x" for line in text[1:]]) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", str(bad), "--db", url]) == 1
    said = capsys.readouterr().err
    assert words[0] in said and words[1] in said
    for sheet in F.SHEETS:  # every accepted name, in both languages
        assert sheet.zh in said and sheet.name in said
    store = open_store(url)
    assert store.read("SELECT COUNT(*) AS n FROM orders")["n"].iloc[0] == 0
    history = uploads.history(store)
    assert len(history) == 1 and name in history.iloc[0].astype(str).str.cat(sep=" ")
    assert words[1] in " ".join(history.iloc[0].astype(str))  # the reason, as the page's upload history shows it


def test_a_utf8_csv_with_one_damaged_byte_is_refused_naming_its_line(made, tmp_path, capsys):
    """LibreOffice's UTF-8 医疗机构.csv with the first byte of one Chinese character on line 3 changed (as a
    transfer or an editor damages a file): refused as UTF-8 with invalid bytes on line 3, not as an unknown
    encoding, and not read as GB18030 (which decodes it into other characters)."""
    source = next(p for p in made["utf-8"] if F.SHEET_BY_NAME["institutions"].zh in p.stem)
    raw = source.read_bytes()
    line3 = raw.index(b"\n", raw.index(b"\n") + 1) + 1
    at = next(i for i in range(line3, len(raw)) if 0xE4 <= raw[i] <= 0xE9)  # a Chinese character's first byte
    bad = tmp_path / source.name
    bad.write_bytes(raw[:at] + b"\xff" + raw[at + 1:])
    said, recorded = _refused(bad, tmp_path, capsys)
    assert "line 3 holds invalid bytes (1 in the file)" in said and "第 3 行含有无效字节" in recorded, said
    assert "not recognised" not in said


def test_a_workbook_named_csv_is_told_its_own_suffix(books, tmp_path, capsys):
    for kind in (".ods", ".xlsb", ".xls"):
        named = tmp_path / kind.lstrip(".") / f"{F.SHEET_BY_NAME['orders'].zh}.csv"
        named.parent.mkdir()
        shutil.copy(books / f"filled{kind}", named)
        said, recorded = _refused(named, named.parent, capsys)
        assert f"an {kind} workbook, not CSV text: give it the {kind} suffix" in said, said
        assert f"后缀改为 {kind}" in recorded


# --- Workbooks of every kind: .xls and .ods saved by LibreOffice, .xlsb written by tests/xlsb.py --------------------

def _libreoffice(sources: list[Path], folder: Path, kind: str) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless", "--convert-to",
                    kind.lstrip("."), "--outdir", str(folder), *map(str, sources)], check=True, capture_output=True,
                   timeout=180)


def _as_xlsb(source: Path, target: Path, hidden: tuple[str, ...] = (), formula=None) -> Path:
    """The workbook's sheets, as calamine reads them (text as text, numbers as numbers), saved as .xlsb."""
    import python_calamine
    book = python_calamine.CalamineWorkbook.from_path(str(source))
    sheets = {title: [["" if v is None else v for v in row] for row in book.get_sheet_by_name(title).to_python()]
              for title in book.sheet_names}
    return write_xlsb(sheets, target, hidden, formula)


FORMULA_AT = ("产品", 3, "C")  # the sheet, row and column where a formula is typed


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    """filled, formula and hidden workbooks (a formula typed into 产品!C3; the 诉求 sheet hidden) as .xlsx, as
    LibreOffice's .xls and .ods, and as .xlsb."""
    import openpyxl
    folder = tmp_path_factory.mktemp("books")
    exporter.write_xlsx(frames(), folder / "filled.xlsx")
    wb = openpyxl.load_workbook(folder / "filled.xlsx")
    wb[FORMULA_AT[0]][f"{FORMULA_AT[2]}{FORMULA_AT[1]}"] = "=1+1"
    wb.save(folder / "formula.xlsx")
    wb = openpyxl.load_workbook(folder / "filled.xlsx")
    wb[F.SHEET_BY_NAME["complaints"].zh].sheet_state = "hidden"
    wb.save(folder / "hidden.xlsx")
    sources = [folder / f"{name}.xlsx" for name in ("filled", "formula", "hidden")]
    for kind in (".xls", ".ods"):
        _libreoffice(sources, folder, kind)
    _as_xlsb(folder / "filled.xlsx", folder / "filled.xlsb")
    _as_xlsb(folder / "filled.xlsx", folder / "formula.xlsb", formula=(FORMULA_AT[0], FORMULA_AT[1] - 1, 2))
    _as_xlsb(folder / "filled.xlsx", folder / "hidden.xlsb", hidden=(F.SHEET_BY_NAME["complaints"].zh,))
    return folder


def _tables(url: str) -> dict[str, list[tuple]]:
    store = open_store(url)
    return {name: sorted(map(tuple, store.read(f"SELECT * FROM {name}").astype(str).values.tolist()))
            for name in F.WRITE_ORDER}


@pytest.fixture(scope="module")
def from_xlsx(books, tmp_path_factory) -> dict[str, list[tuple]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('xlsx') / 'store.sqlite3'}"
    assert cli.main(["import", str(books / "filled.xlsx"), "--db", url]) == 0
    return _tables(url)


@pytest.mark.parametrize("kind", [".xls", ".ods", ".xlsb"])
def test_every_workbook_kind_imports_the_same_rows_as_the_xlsx(books, from_xlsx, kind, tmp_path, capsys):
    path = books / f"filled{kind}"
    assert path.read_bytes()[:4] == (b"\xd0\xcf\x11\xe0" if kind == ".xls" else b"PK\x03\x04")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", str(path), "--db", url]) == 0, capsys.readouterr().err
    got = _tables(url)
    assert got == from_xlsx  # every row and value, codes with their leading zeros, dates and decimals
    assert all(got[name] for name in F.WRITE_ORDER)


@pytest.mark.parametrize("kind,named", [(".xls", ".xlsx"), (".ods", ".xlsx"), (".xlsx", ".xls"), (".xlsb", ".ods")])
def test_a_workbook_under_another_kinds_suffix_is_read_as_what_it_is(books, from_xlsx, kind, named, tmp_path, capsys):
    path = tmp_path / f"saved-as{named}"
    shutil.copy(books / f"filled{kind}", path)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", str(path), "--db", url]) == 0, capsys.readouterr().err
    assert _tables(url) == from_xlsx


def _refused(path: Path, tmp_path: Path, capsys) -> tuple[str, object]:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", str(path), "--db", url]) == 1
    said = capsys.readouterr().err
    store = open_store(url)
    assert sum(store.counts().values()) == 0  # nothing written
    history = uploads.history(store)
    assert len(history) == 1 and path.name in " ".join(history.iloc[0].astype(str))
    return said, " ".join(history.iloc[0].astype(str))


@pytest.mark.parametrize("kind", [".xlsx", ".xls", ".ods", ".xlsb"])
def test_a_formula_in_any_kind_is_refused_naming_its_sheet_and_cell(books, kind, tmp_path, capsys):
    said, recorded = _refused(books / f"formula{kind}", tmp_path, capsys)
    sheet, row, column = FORMULA_AT
    assert f"{sheet} 第{row}行 [{column}{row}]" in said, said
    assert "formula" in said and "公式" in said and "公式" in recorded


@pytest.mark.parametrize("piece", [7, 300, 5000, None])
def test_an_xlsx_formula_is_found_in_pieces_of_any_size(books, piece, monkeypatch):
    """The worksheet XML is inflated a piece at a time (a million rows are half a gigabyte of it): the formula and
    its cell are found whatever the pieces, also when an element or a cell's reference is cut between two."""
    import zipfile

    from core.ingest import workbooks
    if piece is not None:
        monkeypatch.setattr(workbooks, "SCAN_CHUNK", piece)
    with zipfile.ZipFile(books / "formula.xlsx") as zf:
        assert workbooks.xlsx_formula(zf) == workbooks.Cell(FORMULA_AT[0], FORMULA_AT[1], FORMULA_AT[2])
    with zipfile.ZipFile(books / "filled.xlsx") as zf:
        assert workbooks.xlsx_formula(zf) is None


MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize("sheet_data,cell", [
    (b"sheetData", b'<c r="B7"><' + b"p" * 300 + b':f xmlns:' + b"p" * 300 + b'="' + MAIN_NS + b'">1+1</' + b"p" * 300 +
     b":f><v>2</v></c>"),  # a prefix longer than a piece
    (b"x:sheetData", b'<x:c r="B7"><x:f>1+1</x:f><x:v>2</x:v></x:c>'),  # as the .NET OpenXML SDK writes a sheet
    (b"sheetData", b'<c s="1"\n' + b' a="' + b"z" * 5000 + b'" r="B7"><f\tt="normal">1+1</f><v>2</v></c>'),
])
def test_a_formula_written_any_way_is_found_across_pieces(sheet_data, cell, tmp_path, monkeypatch):
    """The element by its local name (any prefix, any space after it) and its cell's reference, in pieces of 64
    bytes: a tag cut between two pieces is carried whole into the next."""
    import zipfile

    from core.ingest import workbooks
    monkeypatch.setattr(workbooks, "SCAN_CHUNK", 64)
    xml = (b'<worksheet xmlns="' + MAIN_NS + b'" xmlns:x="' + MAIN_NS + b'"><' + sheet_data + b'><row r="1"/>' +
           b"<row r=\"7\">" + cell + b"</row></" + sheet_data + b"></worksheet>")
    with zipfile.ZipFile(tmp_path / "f.xlsx", "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(tmp_path / "f.xlsx") as zf:
        assert workbooks.xlsx_formula(zf) == workbooks.Cell("xl/worksheets/sheet1.xml", 7, "B")


@pytest.mark.parametrize("kind", [".xlsx", ".xls", ".ods", ".xlsb"])
def test_a_hidden_sheet_in_any_kind_is_refused_naming_it(books, kind, tmp_path, capsys):
    said, recorded = _refused(books / f"hidden{kind}", tmp_path, capsys)
    assert said.startswith(F.SHEET_BY_NAME["complaints"].zh) or f"\n{F.SHEET_BY_NAME['complaints'].zh}" in said, said
    assert "hidden sheet" in said and "隐藏" in recorded


def _renamed_stream(xls: bytes, old: str, new: str) -> bytes:
    """The compound file with one directory entry renamed (its name, then its length in bytes with the NUL)."""
    at = xls.index(old.encode("utf-16-le") + b"\x00\x00")
    name = new.encode("utf-16-le") + b"\x00\x00"
    entry = xls[:at] + name + b"\x00" * (64 - len(name)) + struct.pack("<H", len(name)) + xls[at + 66:]
    return entry


def _record_retyped(xls: bytes, old: int, new: int) -> bytes:
    """The first BIFF record of type `old` (found by its header after the BOF) given type `new`, same length."""
    at = xls.index(struct.pack("<H", old), xls.index(b"\x09\x08"))
    return xls[:at] + struct.pack("<H", new) + xls[at + 2:]


def _looping(xls: bytes) -> bytes:
    """The compound file with its directory's chain of sectors pointing back at its own start."""
    size = 1 << struct.unpack_from("<H", xls, 0x1E)[0]
    first_dir, fat = struct.unpack_from("<I", xls, 0x30)[0], struct.unpack_from("<I", xls, 0x4C)[0]
    at = size + fat * size + 4 * first_dir
    return xls[:at] + struct.pack("<I", first_dir) + xls[at + 4:]


@pytest.mark.parametrize("case,words", [
    ("looping", ("damaged (its structure is broken)", "已损坏")),
    ("password_xlsx", ("password", "密码")),  # an .xlsx locked by a password is an OLE file with EncryptionInfo
    ("password_xls", ("password", "密码")),  # an .xls whose globals hold a FILEPASS record
    ("excel95", ("Excel 5.0/95", "旧格式")),
    ("damaged", ("damaged (its structure is broken)", "已损坏")),
    ("overrun", ("damaged (its structure is broken)", "已损坏")),  # a record's length runs past the end
])
def test_locked_old_and_damaged_workbooks_are_refused_with_their_reason(books, case, words, tmp_path, capsys):
    xls = (books / "filled.xls").read_bytes()
    made = {"password_xlsx": lambda: _renamed_stream(xls, "Workbook", "EncryptionInfo"),
            "password_xls": lambda: _record_retyped(xls, 0x005C, 0x002F),  # WRITEACCESS becomes FILEPASS
            "excel95": lambda: _renamed_stream(xls, "Workbook", "Book"),
            "damaged": lambda: xls[:600], "looping": lambda: _looping(xls), "overrun": lambda: _overrun(xls)}[case]()
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(made)
    said, recorded = _refused(path, tmp_path, capsys)
    assert words[0] in said and words[1] in recorded, said
    assert "password" not in said or case.startswith("password"), said  # a damaged file is not called locked


_LABELSST = struct.pack("<HH", 0x00FD, 10)  # a cell holding a shared string: row, column, format, string index


def _overrun(xls: bytes) -> bytes:
    """The last cell record of the Workbook stream stating a length that runs past the stream's end."""
    at = xls.rindex(_LABELSST)
    return xls[:at] + struct.pack("<HH", 0x00FD, 4000) + xls[at + 4:]


def test_stray_bytes_that_look_like_a_formula_record_are_not_called_a_formula(books, tmp_path, capsys):
    """A damaged .xls whose first shared-string cell record says 2 bytes, so that its next bytes read as a FORMULA
    record of 4 bytes (too short to hold one): the file is refused as unreadable, never as 'a cell holds a formula'
    at a cell nobody typed."""
    xls = (books / "filled.xls").read_bytes()
    at = xls.index(_LABELSST)
    path = tmp_path / "stray.xls"
    path.write_bytes(xls[:at] + struct.pack("<HH", 0x00FD, 2) + xls[at + 4:at + 6] + struct.pack("<HH", 0x0006, 4)
                     + xls[at + 10:])
    said, _ = _refused(path, tmp_path, capsys)
    assert "formula" not in said and "公式" not in said, said
    assert "cannot be read" in said, said


# --- Codes that lost their leading zeros ----------------------------------------------------------------------------

def _codes_as_numbers(path: Path, sheet: str, header: str) -> Path:
    """The workbook with one column's codes typed as numbers, as Excel keeps them in a column not set to text."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    col = next(c.column for c in ws[1] if c.value == header)
    for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
        row[0].value = int(row[0].value)
    wb.save(path)
    return path


def _lost_zero_problems(said: str) -> list[str]:
    return [line for line in said.splitlines() if "leading zeros" in line]


@pytest.mark.parametrize("as_csv", [False, True])
def test_a_key_column_that_lost_its_zeros_is_named_and_the_intact_sheets_are_not_blamed(as_csv, tmp_path, capsys):
    """产品 saved with its product codes as numbers (0012 -> 12, 0013 -> 13) while 约定采购量, 上年采购基线, 采购订单 and 诉求
    keep 0012 and 0013: one problem, on 产品's 产品编码 column, counting 2 codes and naming 0012; no unknown-code
    problem on the sheets that kept their zeros. As a workbook (the cells are numbers) and as LibreOffice's CSVs of
    it (nothing says the cells were numbers: the other sheets do)."""
    path = _codes_as_numbers(exporter.write_xlsx(frames(), tmp_path / "spoiled.xlsx"), "产品", "产品编码")
    paths = _libreoffice_csvs(path, tmp_path, "utf-8") if as_csv else [path]
    said, recorded = _refused_all(paths, tmp_path, capsys)
    zeros = _lost_zero_problems(said)
    assert len(zeros) == 1 and zeros[0].startswith(("产品 第2行 [产品编码 product_code]",  # the workbook's tab
                                                     "spoiled-产品 第2行 [产品编码 product_code]")), said  # the CSV's name
    assert "该列有 2 个编码" in zeros[0] and "0012" in zeros[0] and "在 Excel 中将该列设为文本格式后重新输入/导出" in zeros[0]
    assert "neither in the file nor in the store" not in said, said  # the intact sheets are not blamed
    assert "前导零" in recorded


def test_a_reference_column_that_lost_its_zeros_is_named_against_the_store(tmp_path, capsys):
    """Into a store holding 0012 and 0013, orders whose product codes lost their zeros: the problem is on 采购订单's
    产品编码, naming what the store holds, and the unknown-code problems it explains are not repeated row by row."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", str(exporter.write_xlsx(frames(), tmp_path / "filled.xlsx")), "--db", url]) == 0
    capsys.readouterr()
    orders = {"orders": frames()["orders"]}
    path = _codes_as_numbers(exporter.write_xlsx(orders, tmp_path / "orders.xlsx"), "采购订单", "产品编码")
    assert cli.main(["import", str(path), "--db", url]) == 1
    said = capsys.readouterr().err
    zeros = _lost_zero_problems(said)
    assert len(zeros) == 1 and zeros[0].startswith("采购订单 第2行 [产品编码 product_code]"), said
    assert "该列有 2 个编码" in zeros[0] and "数据库中为 0012" in zeros[0]
    assert "neither in the file nor in the store" not in said


def test_a_code_that_differs_only_by_leading_zeros_but_is_used_is_not_called_lost(tmp_path, capsys):
    """Product 12 is a code of its own beside 0012 when the file's agreements name it as 12: it imports."""
    f = frames()
    new = f["products"].iloc[[0]].assign(product_code="12")  # selected, as an agreement's product is
    f["products"] = pd.concat([f["products"], new], ignore_index=True)
    f["agreements"] = pd.concat([f["agreements"], f["agreements"].iloc[[0]].assign(product_code="12")],
                                ignore_index=True)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert cli.main(["import", str(exporter.write_xlsx(f, tmp_path / "both.xlsx")), "--db", url]) == 0, \
        capsys.readouterr().err
    assert {"12", "0012"} <= set(open_store(url).read("SELECT product_code FROM products")["product_code"])


def _refused_all(paths: list[Path], tmp_path: Path, capsys) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path / 'refused.sqlite3'}"
    assert cli.main(["import", *map(str, paths), "--db", url]) == 1
    said = capsys.readouterr().err
    store = open_store(url)
    assert sum(store.counts().values()) == 0
    history = uploads.history(store)
    assert len(history) == 1
    return said, " ".join(history.iloc[0].astype(str))
