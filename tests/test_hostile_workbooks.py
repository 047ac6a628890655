"""Workbooks forged to bring their reader down, each made here from the good fixture (LibreOffice's .xls and .ods,
tests/xlsb.py's .xlsb): a cell at the sheet's far corner, a count of four billion strings, a dimension record that
runs backwards, a data row repeated a million times in every sheet, a relationships part that makes a careless
pattern quadratic, a DIFAT sector chained to itself, two streams on one chain, the parts of two kinds of workbook
in one zip, a missing part. calamine stops its whole process on some of them and panics on others: the file is
examined and read in a child process, so each is refused with a message in both languages, in this process that
goes on, and a file is never read as another kind than the one checked."""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from core.ingest import exporter, importer

from .extract_fixture import frames
from .xlsb import record, write_xlsb

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (scripts/setup.sh)")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    import python_calamine
    folder = tmp_path_factory.mktemp("seeds")
    exporter.write_xlsx(frames(), folder / "filled.xlsx")
    for kind in ("xls", "ods"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'lo'}", "--headless", "--convert-to", kind,
                        "--outdir", str(folder), str(folder / "filled.xlsx")], check=True, capture_output=True, timeout=180)
    book = python_calamine.CalamineWorkbook.from_path(str(folder / "filled.xlsx"))
    write_xlsb({t: [["" if v is None else v for v in r] for r in book.get_sheet_by_name(t).to_python()]
                for t in book.sheet_names}, folder / "filled.xlsb")
    return folder


def _rezip(source: Path, target: Path, parts: dict[str, bytes | None]) -> Path:
    """A copy of a zip with some parts replaced (None: left out) or added."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info, zin.read(info))
        for name, data in parts.items():
            if data is not None:
                zout.writestr(name, data)
    return target


def _part(source: Path, name: str) -> bytes:
    with zipfile.ZipFile(source) as zf:
        return zf.read(name)


def _far_cell(seeds, target):
    xml = _part(seeds / "filled.xlsx", "xl/worksheets/sheet2.xml")
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    return _rezip(seeds / "filled.xlsx", target, {"xl/worksheets/sheet2.xml": xml.replace(b"</sheetData>", far)})


def _string_count(seeds, target):
    return _rezip(seeds / "filled.xlsx", target, {"xl/sharedStrings.xml": (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4294967295" '
        b'uniqueCount="4294967295"><si><t>a</t></si></sst>')})


def _quadratic_rels(seeds, target):
    return _rezip(seeds / "filled.xlsx", target, {"xl/_rels/workbook.xml.rels": b"<Relationships>" + b'Id="a" ' * 150_000})


def _backwards_dimensions(seeds, target):
    """The first DIMENSIONS record (type 0x0200, 14 bytes) of the .xls with its first row after its last."""
    data = bytearray((seeds / "filled.xls").read_bytes())
    at = data.index(b"\x00\x02\x0e\x00")
    data[at + 4:at + 8] = struct.pack("<I", 0x10)
    target.write_bytes(bytes(data))
    return target


def _rows_repeated(seeds, target):
    """Every sheet's first data row repeated a million times."""
    xml = _part(seeds / "filled.ods", "content.xml")
    out, pos = b"", 0
    for table in re.finditer(rb"<table:table ", xml):
        rows = [m.start() for m in re.finditer(rb"<table:table-row\b", xml[table.start():])]
        if len(rows) < 2:
            continue
        at = table.start() + rows[1] + len(b"<table:table-row")
        out += xml[pos:at] + b' table:number-rows-repeated="1048576"'
        pos = at
    return _rezip(seeds / "filled.ods", target, {"content.xml": out + xml[pos:]})


def _difat_loop(seeds, target):
    """A compound file whose DIFAT sector names itself as the next, with huge counts."""
    data = bytearray((seeds / "filled.xls").read_bytes())
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    sectors = len(data) // size - 1
    data[0x2C:0x30] = struct.pack("<I", 0xFFFFFFFF)
    data[0x44:0x4C] = struct.pack("<II", sectors - 1, 0xFFFFFFFF)
    data[-size:] = struct.pack(f"<{size // 4}I", *([0] * (size // 4 - 1) + [sectors - 1]))
    target.write_bytes(bytes(data))
    return target


def _shared_stream(seeds, target):
    """The directory's second stream pointed at the Workbook stream's sectors (two names, one chain)."""
    data = bytearray((seeds / "filled.xls").read_bytes())
    at = data.index("Workbook".encode("utf-16-le") + b"\x00\x00")
    start, length = struct.unpack_from("<IQ", data, at + 116)
    other = data.index("\x01CompObj".encode("utf-16-le"))
    data[other + 116:other + 128] = struct.pack("<IQ", start, length)
    target.write_bytes(bytes(data))
    return target


def _two_kinds(seeds, target):
    """An .xlsb holding a formula, with an empty xl/workbook.xml beside it (checked as one kind, read as another)."""
    write_xlsb({"企业": [["企业编码", "企业名称", "企业类型"], ["0001", "甲制药有限公司", "生产企业"]]}, target.with_suffix(".tmp"),
               formula=("企业", 1, 1))
    return _rezip(target.with_suffix(".tmp"), target, {"xl/workbook.xml": b""})


def _no_rels(seeds, target):
    return _rezip(seeds / "filled.xlsb", target, {"xl/_rels/workbook.bin.rels": None})


def _far_xlsb_cell(seeds, target):
    sheet = _part(seeds / "filled.xlsb", "xl/worksheets/sheet1.bin")
    end = sheet.rfind(record(0x0092))
    far = record(0x0000, struct.pack("<IIH", 1048575, 0, 300) + b"\0\0\0" + struct.pack("<I", 0)) + \
        record(0x0006, struct.pack("<II", 16383, 0) + struct.pack("<I", 1) + "x".encode("utf-16-le"))
    return _rezip(seeds / "filled.xlsb", target, {"xl/worksheets/sheet1.bin": sheet[:end] + far + sheet[end:]})


CASES = {  # name: (maker, file name, words of the refusal in English)
    "xlsx_far_cell": (_far_cell, "far.xlsx", "cannot be read"),
    "xlsx_string_count": (_string_count, "strings.xlsx", "cannot be read"),
    "xlsx_quadratic_rels": (_quadratic_rels, "rels.xlsx", "damaged"),
    "xls_backwards_dimensions": (_backwards_dimensions, "dims.xls", "cannot be read"),
    "xls_difat_loop": (_difat_loop, "difat.xls", "damaged"),
    "xls_shared_stream": (_shared_stream, "shared.xls", "damaged"),
    # seven million rows: calamine runs out of the child's memory, or, given more, the count is refused before use
    "ods_rows_repeated_everywhere": (_rows_repeated, "rows.ods", ("cannot be read", "more rows than the limit")),
    "xlsb_and_xlsx_in_one": (_two_kinds, "two.xlsb", "at once"),
    "xlsb_without_relationships": (_no_rels, "norels.xlsb", "cannot be read"),
    "xlsb_far_cell": (_far_xlsb_cell, "far.xlsb", "cannot be read"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_forged_workbook_is_refused_and_the_process_goes_on(seeds, case, tmp_path):
    make, name, words = CASES[case]
    path = make(seeds, tmp_path / name)
    extract = importer.parse([path])  # a child reads it: were it this process, calamine would stop it here
    assert extract.problems and not extract.frames, case
    said = " ".join(p.en for p in extract.problems)
    assert any(w in said for w in ((words,) if isinstance(words, str) else words)), said
    assert all(p.zh for p in extract.problems)
    good = importer.parse([seeds / "filled.xlsx"])  # and the next file reads as ever
    assert good.ok and len(good.frames["orders"]) == len(frames()["orders"])


def test_a_reader_that_takes_too_long_is_stopped(seeds, tmp_path):
    from core.ingest import sandbox, validate
    kind, refused, sheets = sandbox.examine_and_read(seeds / "filled.xlsx", validate.Limits(), timeout=0.001)
    assert kind is None and sheets is None and "took longer than" in refused.en and "读取超时" in refused.zh


def test_a_file_read_at_length_does_not_hold_up_another_analysts_file(seeds, monkeypatch):
    """Two files at once go to two helpers: while one helper is held (stopped with SIGSTOP, as a long read holds
    it), a second file is read and answered; the first is answered when its helper goes on. With a single reader
    (READERS = 1) the second file waits for the first: the pool is what lets it through."""
    import os
    import signal
    import threading

    from core.ingest import sandbox, validate
    monkeypatch.setattr(sandbox, "_free", threading.BoundedSemaphore(2))
    good = seeds / "filled.xlsx"
    assert sandbox.examine_and_read(good, validate.Limits())[1] is None  # a helper started, now idle
    held = sandbox._idle[-1]
    os.kill(held.pid, signal.SIGSTOP)
    first: list = []
    reader = threading.Thread(target=lambda: first.append(sandbox.examine_and_read(good, validate.Limits())), daemon=True)
    try:
        reader.start()
        while held not in sandbox._busy:  # the first file has gone to the held helper
            reader.join(0.01)
        kind, refused, sheets = sandbox.examine_and_read(good, validate.Limits())  # the second file meanwhile
        assert kind == ".xlsx" and refused is None and len(sheets) == len(frames())
        assert not first and reader.is_alive()  # the first is still with its held helper
    finally:
        os.kill(held.pid, signal.SIGCONT)
    reader.join(120)
    assert first and first[0][0] == ".xlsx" and first[0][1] is None


def test_more_problems_than_a_page_can_show_are_counted_not_listed(tmp_path):
    f = frames()
    f["orders"] = f["orders"].iloc[[0] * 1_500].reset_index(drop=True)  # 1,499 repeats of one key
    extract = importer.parse([exporter.write_xlsx(f, tmp_path / "dupes.xlsx")])
    assert len(extract.problems) == importer.MAX_PROBLEMS + 1
    assert extract.problems[-1].value == str(1_499 - importer.MAX_PROBLEMS) and "more problems" in extract.problems[-1].en


def test_a_header_given_twice_is_named(tmp_path):
    path = tmp_path / "institutions.csv"
    path.write_text("机构编码,institution_code,机构名称,区县代码,机构等级,机构类别,是否基层\n"
                    "H3701020001,H3701020001,历下区人民医院,370102,二级,综合医院,否\n", encoding="utf-8")
    extract = importer.parse([path])
    assert any(p.column == "institution_code" and "more than once" in p.en for p in extract.problems), extract.problems


def test_a_workbook_without_any_sheet_of_the_extract_is_refused(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = "填写说明"  # the template's notes alone
    book.active["A1"] = "说明"
    book.save(tmp_path / "notes.xlsx")
    extract = importer.parse([tmp_path / "notes.xlsx"])
    assert not extract.ok and "no sheet of the standard extract" in extract.problems[0].en and "采购订单" in extract.problems[0].zh


def test_a_worker_process_forks_the_readers_itself(seeds, tmp_path):
    """An upload's worker (one job, one thread) forks the examining and reading children itself, without starting a
    helper: the sheets are read, and a file with a formula is still refused with its reason."""
    import sys

    from core.paths import ROOT
    formula = tmp_path / "formula.xlsx"
    exporter.write_xlsx(frames(), formula)
    import openpyxl
    book = openpyxl.load_workbook(formula)
    book[book.sheetnames[0]]["A2"] = "=1+1"
    book.save(formula)
    code = ("import sys; from pathlib import Path; from core.ingest import sandbox, validate; sandbox.fork_here()\n"
            "for name in sys.argv[1:]:\n"
            "    kind, refused, sheets = sandbox.examine_and_read(Path(name), validate.Limits())\n"
            "    print(kind, len(sheets or ()), refused.en if refused else '-', sep='|')\n"
            "print('helpers', len(sandbox._idle) + len(sandbox._busy))")
    run = subprocess.run([sys.executable, "-c", code, str(seeds / "filled.xlsx"), str(formula)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr[-2000:]
    assert lines[0] == f".xlsx|{len(frames())}|-"
    assert lines[1].startswith(".xlsx|0|") and "formula" in lines[1]
    assert lines[2] == "helpers 0"
