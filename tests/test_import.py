"""Reading the standard extract: .xlsx in Chinese or English, .csv in UTF-8 or GB18030."""
import subprocess
import sys

import pytest

from core.access.roles import system_user
from core.ingest import exporter, importer
from core.paths import ROOT
from core.store.opening import open_store

from .extract_fixture import frames


def _run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _snapshot(store):
    out = {}
    for name in ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints"):
        out[name] = store.read(f"SELECT * FROM {name}").astype(str).sort_values(list(store.read(f"SELECT * FROM {name}").columns[:1])).values.tolist()
    return out


@pytest.mark.parametrize("chinese", [True, False])
def test_xlsx_imports_and_keeps_leading_zeros(store_url, tmp_path, chinese):
    path = exporter.write_xlsx(frames(), tmp_path / "extract.xlsx", chinese=chinese)
    store = open_store(store_url)
    extract, counts = importer.import_files(store, [path], actor=system_user(store))
    assert extract.ok, extract.problems
    assert counts == {"enterprises": 2, "institutions": 2, "products": 2, "agreements": 1, "baseline": 1, "orders": 2,
                      "complaints": 1}
    assert store.read("SELECT product_code FROM products ORDER BY 1")["product_code"].tolist() == ["0012", "0013"]
    assert store.read("SELECT order_id FROM orders ORDER BY 1")["order_id"].tolist() == ["0000001", "0000002"]
    assert store.read("SELECT enterprise_code FROM complaints")["enterprise_code"].tolist() == ["0002"]
    primary = store.read("SELECT institution_code, is_primary FROM institutions ORDER BY 1")
    assert [bool(v) for v in primary["is_primary"]] == [False, True]
    assert store.read("SELECT order_qty FROM orders WHERE order_id = '0000002'")["order_qty"].iloc[0] == 20.5
    # The marts were recomputed by the import: current for the new data, with the offline order flagged.
    from core.read import tables
    from core.store import views
    assert views.current_as_of(store) is not None
    flags = tables.flags(store)
    assert ("offline_purchase", "H3701240001", "0000002") in set(zip(flags["flag_id"], flags["subject_code"], flags["detail_code"]))


def test_same_file_twice_leaves_the_store_as_after_the_first(store_url, tmp_path):
    path = exporter.write_xlsx(frames(), tmp_path / "extract.xlsx")
    store = open_store(store_url)
    importer.import_files(store, [path], actor=system_user(store))
    first = _snapshot(store)
    importer.import_files(store, [path], actor=system_user(store))
    assert _snapshot(store) == first


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_per_sheet_in_each_encoding(tmp_path, encoding):
    paths = exporter.write_csv(frames(), tmp_path, encoding=encoding, chinese=True)
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    extract, counts = importer.import_files(store, paths, actor=system_user(store))
    assert extract.ok, extract.problems
    assert counts["orders"] == 2
    assert store.read("SELECT institution_name FROM institutions ORDER BY 1")["institution_name"].tolist() == \
        ["历下区人民医院", "平阴县王庄镇卫生院"]


def test_cli_import_exit_codes_and_nothing_written_on_a_bad_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    good = exporter.write_xlsx(frames(), tmp_path / "good.xlsx")
    bad_frames = frames()
    bad_frames["orders"].loc[0, "order_qty"] = -5
    bad_frames["orders"].loc[1, "channel"] = "电话"
    bad = exporter.write_xlsx(bad_frames, tmp_path / "bad.xlsx")

    r = _run("import", str(bad), "--db", url)
    assert r.returncode == 1
    assert "采购订单 第2行 [采购数量 order_qty]" in r.stderr and "quantity must not be negative" in r.stderr
    assert "采购订单 第3行 [采购方式 channel]" in r.stderr
    store = open_store(url)
    assert store.is_empty()

    r = _run("import", str(good), "--db", url, "--dry-run")
    assert r.returncode == 0 and "would insert" in r.stdout
    assert "orders\t2\t0\t0" in r.stdout  # two orders to insert, none to replace
    assert store.is_empty()

    r = _run("import", str(good), "--db", url)
    assert r.returncode == 0, r.stderr
    assert store.counts()["orders"] == 2

    assert _run("import", str(tmp_path / "missing.xlsx"), "--db", url).returncode == 2
    assert _run("import", "--db", url).returncode == 2
    from core.ingest import uploads
    assert uploads.history(store)["outcome"].tolist() == ["imported", "dry_run", "rejected"]


def test_unknown_reference_writes_nothing(store_url, tmp_path):
    f = frames()
    f["orders"].loc[1, "institution_code"] = "H9999999999"
    path = exporter.write_xlsx(f, tmp_path / "ref.xlsx")
    store = open_store(store_url)
    extract, counts = importer.import_files(store, [path], actor=system_user(store))
    assert counts == {} and store.is_empty()
    assert [(p.sheet, p.row, p.column, p.value) for p in extract.problems] == \
        [("采购订单", 3, "机构编码 institution_code", "H9999999999")]
    assert "neither in the file nor in the store" in extract.problems[0].en


def test_the_same_sheet_in_two_files_is_refused(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'twice.sqlite3'}")
    a = exporter.write_xlsx(frames(), tmp_path / "a.xlsx")
    b = exporter.write_xlsx(frames(), tmp_path / "b.xlsx")
    extract, counts = importer.import_files(store, [a, b], actor=system_user(store))
    assert counts == {} and store.is_empty()
    assert any("more than once" in p.en for p in extract.problems)
