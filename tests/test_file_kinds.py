"""Files as LibreOffice saves them, made in the test by Debian's LibreOffice (`soffice --headless --convert-to`): a
workbook exported sheet by sheet to CSV, in each encoding an analyst may pick, is named `<file>-<sheet>.csv` and
imports whole; a CSV whose name names no sheet, or two, is refused with the accepted names and the refusal is in
the upload history."""
from __future__ import annotations

import codecs
import shutil
import subprocess
from pathlib import Path

import pytest

from core.cli import main as cli
from core.ingest import exporter, uploads
from core.policy import extract as F
from core.store.opening import open_store

from .extract_fixture import frames

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


@pytest.mark.parametrize("name,words", [("shipments.csv", ("names no sheet", "未对应任何工作表")),
                                        ("orders_products.csv", ("at once", "无法确定"))])
def test_a_csv_whose_name_says_no_sheet_is_refused_with_the_accepted_names_and_recorded(made, tmp_path, capsys, name,
                                                                                         words):
    source = next(p for p in made["utf-8"] if F.SHEET_BY_NAME["orders"].zh in p.stem)
    bad = tmp_path / name
    shutil.copy(source, bad)
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
