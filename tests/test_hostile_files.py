"""A corpus of hostile files, made here (the large ones as the test runs): each is refused by `python -m core import`
with exit 1 and a message naming what is wrong, quickly and without swallowing memory, the store's data are left
exactly as they were, and every refusal is in the upload history."""
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.access.roles import system_user
from core.cli import main as cli
from core.ingest import exporter, importer, uploads
from core.paths import ROOT
from core.store import db
from core.store.opening import open_store

from .browser import store_copy
from .extract_fixture import frames
from .test_bad_files import _fingerprint


def _xlsx(path: Path, change=None) -> Path:
    """The good fixture as a workbook, changed by `change(frames)` first."""
    f = frames()
    if change is not None:
        change(f)
    return exporter.write_xlsx(f, path)


def _set(sheet: str, column: str, value, row: int = 0):
    def change(f):
        f[sheet][column] = f[sheet][column].astype(object)
        f[sheet].loc[row, column] = value
    return change


def _rezip(source: Path, target: Path, edit) -> Path:
    """A copy of a workbook with its parts changed by `edit(name, data) -> [(name, data), ...]`."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            for name, data in edit(info.filename, zin.read(info)):
                zout.writestr(name, data)
    return target


def _hidden(state: str):
    def edit(name, data):
        if name == "xl/workbook.xml":  # the tag of 企业 with its state set (openpyxl writes one when lxml is there)
            def hide(tag: re.Match) -> bytes:
                plain = re.sub(rb'\sstate="[^"]*"', b"", tag.group(0))
                return plain.replace(b"<sheet", f'<sheet state="{state}"'.encode(), 1)
            data = re.sub(rb'<sheet\b[^>]*name="\xe4\xbc\x81\xe4\xb8\x9a"[^>]*>', hide, data, count=1)
        return [(name, data)]
    return edit


MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _far_corner(name, data):
    if name.startswith("xl/worksheets/sheet1"):
        data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>', 1)
    return [(name, data)]


def _formula(part: str | None = None, element: bytes = b"<f>1+1</f>"):
    cell = b'<c r="Z2">' + element + b"<v>2</v></c></row>"

    def edit(name, data):
        if name.startswith("xl/worksheets/sheet1"):
            data = data.replace(b"</row>", cell, 2).replace(cell, b"</row>", 1)  # a formula cell at the end of row 2
            if part:  # the worksheet under an unusual part name, the workbook's relationship following it
                return [(part, data)]
        if part and name == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"worksheets/sheet1.xml", part.removeprefix("xl/").encode())
        if part and name == "[Content_Types].xml":
            data = data.replace(b"/xl/worksheets/sheet1.xml", f"/{part}".encode())
        return [(name, data)]
    return edit


def _bomb(path: Path, inflated: int = 600 * 1024 * 1024) -> Path:
    """A workbook of a few hundred kilobytes whose sheet inflates to `inflated` bytes."""
    good = _xlsx(path.with_name("seed.xlsx"))
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if info.filename.startswith("xl/worksheets/sheet1"):
                with zout.open(info.filename, "w", force_zip64=True) as part:
                    part.write(b'<?xml version="1.0"?><worksheet><sheetData>')
                    block = b" " * (8 * 1024 * 1024)
                    for _ in range(inflated // len(block)):
                        part.write(block)
                    part.write(b"</sheetData></worksheet>")
            else:
                zout.writestr(info, zin.read(info))
    return path


def _csv(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


ORDERS_CSV = "order_id,institution_code,product_code,order_date,order_qty,channel\nX1,H3701020001,0012,2026-03-02,10,线上\n"

CASES = {  # name: (how to make it in a folder, words of the message)
    "empty": (lambda d: _bytes(d / "empty.xlsx", b""), "empty"),
    "text_named_xlsx": (lambda d: _csv(d / "fake.xlsx", "just text, not a workbook", "utf-8"), "not an .xlsx"),
    "ole_header_only": (lambda d: _bytes(d / "locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "damaged"),
    "truncated": (lambda d: _bytes(d / "cut.xlsx", _xlsx(d / "whole.xlsx").read_bytes()[:1500]), "not an .xlsx"),
    "zip_without_workbook": (lambda d: _zip_of(d / "other.xlsx", {"hello.txt": b"hi"}), "not an .xlsx"),
    "zip_bomb": (lambda d: _bomb(d / "bomb.xlsx"), "zip bomb"),
    "hidden_sheet": (lambda d: _rezip(_xlsx(d / "h.xlsx"), d / "hidden.xlsx", _hidden("hidden")), "hidden sheet"),
    "very_hidden_sheet": (lambda d: _rezip(_xlsx(d / "v.xlsx"), d / "vhidden.xlsx", _hidden("veryHidden")), "very hidden"),
    "formula": (lambda d: _rezip(_xlsx(d / "f.xlsx"), d / "formula.xlsx", _formula()), "formula"),
    "formula_in_odd_part": (lambda d: _rezip(_xlsx(d / "g.xlsx"), d / "odd.xlsx", _formula("xl/worksheets/data.xml")),
                            "formula"),
    # parts named as no sheet is, which the workbook's relationships make its sheets
    "formula_in_a_part_named_styles": (lambda d: _rezip(_xlsx(d / "s.xlsx"), d / "styles.xlsx",
                                                        _formula("xl/worksheets/styles1.xml")), "formula"),
    "formula_in_a_dat_part": (lambda d: _rezip(_xlsx(d / "t.xlsx"), d / "dat.xlsx", _formula("xl/worksheets/sheet1.dat")),
                              "formula"),
    # the element written other ways: a line break after its name, a namespace prefix with a hyphen
    "formula_with_a_line_break": (lambda d: _rezip(_xlsx(d / "n.xlsx"), d / "newline.xlsx",
                                                   _formula(element=b"<f\n>1+1</f>")), "formula"),
    "formula_with_a_prefix": (lambda d: _rezip(_xlsx(d / "p.xlsx"), d / "prefix.xlsx", _formula(
        element=b'<my-ns:f xmlns:my-ns="' + MAIN_NS + b'">1+1</my-ns:f>')), "formula"),
    # a formula in a workbook that also makes calamine give up its process (a cell at the sheet's far corner): the
    # formula is what the analyst is told
    "formula_and_a_far_corner": (lambda d: _rezip(_rezip(_xlsx(d / "c.xlsx"), d / "c1.xlsx", _formula()), d / "corner.xlsx",
                                                  _far_corner), "formula"),
    "a_folder": (lambda d: _folder(d / "folder.xlsx"), "not a regular file"),
    "dev_zero": (lambda d: Path("/dev/zero"), "not a regular file"),
    "a_pipe": (lambda d: _fifo(d / "pipe.csv"), "not a regular file"),
    "wrong_type": (lambda d: _csv(d / "orders.txt", ORDERS_CSV, "utf-8"), "unsupported file type"),
    "binary_csv": (lambda d: _bytes(d / "orders.csv", bytes(range(256)) * 16), "NUL bytes"),
    "big5_csv": (lambda d: _csv(d / "institutions.csv", "institution_code,institution_name,county_code,level,category,is_primary\n"
                                "H9,歷下區人民醫院,370102,二級,綜合醫院,否\n", "big5"), "Big5"),
    "unknown_sheet": (lambda d: _csv(d / "shipments.csv", ORDERS_CSV, "utf-8"), "names no sheet"),
    "missing_column": (lambda d: _csv(d / "orders.csv", ORDERS_CSV.replace(",channel", "").replace(",线上", ""), "utf-8"),
                       "required column is missing"),
    "same_sheet_twice": (lambda d: [_csv(d / "orders.csv", ORDERS_CSV, "utf-8"), _csv(d / "采购订单.csv", ORDERS_CSV, "utf-8")],
                         "more than once"),
    "nan_quantity": (lambda d: _xlsx(d / "nan.xlsx", _set("orders", "order_qty", "nan")), "finite number"),
    "inf_quantity": (lambda d: _xlsx(d / "inf.xlsx", _set("orders", "order_qty", "inf")), "finite number"),
    "huge_number": (lambda d: _xlsx(d / "huge.xlsx", _set("orders", "delivered_qty", "1e400")), "finite number"),
    "date_serial_overflow": (lambda d: _xlsx(d / "serial.xlsx", _set("orders", "order_date", 99999999)), "YYYY-MM-DD"),
    "date_long_ago": (lambda d: _xlsx(d / "old.xlsx", _set("orders", "order_date", "1899-12-31")), "lies between"),
    "year_nan": (lambda d: _xlsx(d / "year.xlsx", _set("baseline", "year", "nan")), "finite number"),
    "zero_width_code": (lambda d: _xlsx(d / "zw.xlsx", _set("institutions", "institution_code", "H37010200\u200b01")),
                        "invisible character U+200B"),
    "full_width_code": (lambda d: _xlsx(d / "fw.xlsx", _set("enterprises", "enterprise_code", "０００１")), "half-width"),
    "long_code": (lambda d: _xlsx(d / "longcode.xlsx", _set("enterprises", "enterprise_code", "E" * 60)), "more than 32"),
    "long_name": (lambda d: _xlsx(d / "longname.xlsx", _set("institutions", "institution_name", "院" * 5000)),
                  "more than 200"),
    "nul_in_text": (lambda d: _csv(d / "enterprises.csv", "enterprise_code,enterprise_name,role\n0009,甲\x00乙,生产企业\n",
                                   "utf-8"), "NUL bytes"),
    "control_in_name": (lambda d: _csv(d / "enterprises.csv", "enterprise_code,enterprise_name,role\n0009,甲\x07制药,生产企业\n",
                                       "utf-8"), "U+0007"),
    "negative_quantity": (lambda d: _xlsx(d / "neg.xlsx", _set("agreements", "agreed_qty", -1)), "negative"),
    "unknown_reference": (lambda d: _xlsx(d / "ref.xlsx", _set("orders", "product_code", "NO-SUCH")), "neither in the file"),
}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _zip_of(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """A store holding the extract fixture (the files below refer to its codes)."""
    folder = tmp_path_factory.mktemp("hostile")
    store = open_store(f"sqlite:///{folder / 'small.sqlite3'}")
    importer.import_files(store, [_xlsx(folder / "good.xlsx")], actor=system_user(store))
    return store


@pytest.fixture
def target(small_store, tmp_path):
    """A private copy of the small store for one file."""
    url = store_copy(small_store.url, tmp_path, "target.sqlite3")
    yield open_store(url)
    db.dispose(url)


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_file_is_refused_cleanly(name, target, tmp_path, capsys):
    make, words = CASES[name]
    made = make(tmp_path)
    paths = [str(p) for p in (made if isinstance(made, list) else [made])]
    before, history = _fingerprint(target), len(uploads.history(target))
    code = cli.main(["import", *paths, "--db", target.url])
    err = capsys.readouterr().err
    assert code == 1, err
    assert words.lower() in err.lower(), err  # the message says what is wrong
    assert "Traceback" not in err
    assert _fingerprint(target) == before  # nothing written
    recorded = uploads.history(target)
    assert len(recorded) == history + 1 and recorded.iloc[0]["outcome"] == "rejected"
    assert words.lower() in recorded.iloc[0]["reason"].lower()  # the history says why


BOUNDED = ("zip_bomb", "dev_zero", "a_pipe")


@pytest.mark.parametrize("name", BOUNDED)
def test_refusals_are_quick_and_small(name, target, tmp_path):
    """In a process of its own, with its address space capped at 1.5 GB: a zip bomb, /dev/zero or a pipe nobody
    writes to is refused without reading it whole (a cap that would turn a swallowed file into MemoryError)."""
    path = CASES[name][0](tmp_path)
    cap = 1536 * 1024 * 1024

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    run = subprocess.run([sys.executable, "-m", "core", "import", str(path), "--db", target.url],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=limit)
    assert run.returncode == 1, run.stderr[-2000:]
    assert "MemoryError" not in run.stderr and "Traceback" not in run.stderr
