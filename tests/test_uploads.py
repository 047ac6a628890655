"""The dry run, the upload record, the template and the error report."""
import io

import openpyxl

from core.access.roles import system_user
from core.policy import extract as F
from core.ingest import exporter, importer, uploads
from core.store.opening import open_store

from .extract_fixture import frames


def test_dry_run_counts_inserts_replacements_and_unchanged(store_url, tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "KEYS_AT_ONCE", 1)  # the store's rows looked up one key at a time
    store = open_store(store_url)
    path = exporter.write_xlsx(frames(), tmp_path / "a.xlsx")
    first = uploads.dry_run(store, importer.parse([path], store).frames).set_index("sheet")
    assert first["insert"].to_dict() == {"enterprises": 2, "institutions": 2, "products": 2, "agreements": 1,
                                         "baseline": 1, "orders": 2, "complaints": 1}
    assert first["replace"].sum() == 0 and first["unchanged"].sum() == 0
    importer.import_files(store, [path], actor=system_user(store))
    f = frames()
    f["orders"].loc[0, "delivered_qty"] = 90.0  # one order changed
    f["enterprises"].loc[2] = {"enterprise_code": "0003", "enterprise_name": "丙医药", "role": "配送企业"}  # one added
    f["agreements"].loc[0, "agreed_qty"] = 900.0  # a row of a three-column key changed
    f["agreements"].loc[1] = {**f["agreements"].loc[0].to_dict(), "period_start": "2027-01-01", "period_end": "2027-12-31"}
    f["baseline"].loc[1] = {**f["baseline"].loc[0].to_dict(), "year": 2024}  # same institution and product, new year
    changed = exporter.write_xlsx(f, tmp_path / "b.xlsx")
    parsed = importer.parse([changed], store).frames
    second = uploads.dry_run(store, parsed).set_index("sheet")
    # The same rows from another caller, their keys as text ("2027-01-01", "2024"): the same counts.
    as_text = {name: frame.astype({k: str for k in F.SHEET_BY_NAME[name].key}) for name, frame in parsed.items()}
    assert as_text["agreements"]["period_start"].iloc[1] == "2027-01-01" and as_text["baseline"]["year"].iloc[0] == "2025"
    assert uploads.dry_run(store, as_text).set_index("sheet").equals(second)
    assert second.loc["orders", ["insert", "replace", "unchanged"]].tolist() == [0, 1, 1]
    assert second.loc["enterprises", ["insert", "replace", "unchanged"]].tolist() == [1, 0, 2]
    assert second.loc["institutions", ["insert", "replace", "unchanged"]].tolist() == [0, 0, 2]
    assert second.loc["agreements", ["insert", "replace", "unchanged"]].tolist() == [1, 1, 0]
    assert second.loc["baseline", ["insert", "replace", "unchanged"]].tolist() == [1, 0, 1]


def test_uploads_are_recorded(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'u.sqlite3'}")
    path = exporter.write_xlsx(frames(), tmp_path / "a.xlsx")
    digest = uploads.sha256([path])
    from core.access import accounts, admin
    admin.create_user(store, system_user(store), "analyst1", "分析员", "analyst", None, "analyst2026")
    analyst = accounts.authenticate(store, "analyst1", "analyst2026")
    uploads.record(store, analyst, "a.xlsx", digest, {"orders": 2}, "imported", 0)
    uploads.record(store, analyst, "bad.xlsx", digest, {}, "rejected", 3)
    h = uploads.history(store)
    assert h[["file_name", "outcome", "error_count"]].values.tolist() == [["bad.xlsx", "rejected", 3], ["a.xlsx", "imported", 0]]
    assert len(h["sha256"].iloc[0]) == 64 and h["username"].eq("analyst1").all()
    logged = store.read("SELECT username, scope, target, outcome FROM audit_log WHERE action = 'upload' ORDER BY audit_id")
    assert logged.values.tolist() == [["analyst1", "370000", "a.xlsx", "imported"], ["analyst1", "370000", "bad.xlsx", "rejected"]]


def test_the_template_documents_the_format_and_imports_as_it_is(tmp_path):
    data = uploads.template()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:7] == ["医疗机构", "企业", "产品", "约定采购量", "采购订单", "上年采购基线", "诉求"]
    assert wb["医疗机构"]["A1"].value == "机构编码\ninstitution_code"
    assert wb["医疗机构"]["A2"].number_format == "@"
    notes = list(wb["填写说明"].values)
    assert ("采购订单", "采购方式", "channel", "是", "线上/线下") in notes
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    store = open_store(f"sqlite:///{tmp_path / 't.sqlite3'}")
    extract, counts = importer.import_files(store, [path], actor=system_user(store))
    assert extract.ok, [str(p) for p in extract.problems]
    assert counts["orders"] == 1 and store.read("SELECT product_code FROM products")["product_code"].tolist() == ["0012"]


def test_error_report_lists_every_problem(tmp_path):
    f = frames()
    f["orders"].loc[0, "order_qty"] = -1
    f["orders"].loc[1, "channel"] = "电话"
    store = open_store(f"sqlite:///{tmp_path / 'e.sqlite3'}")
    extract = importer.parse([exporter.write_xlsx(f, tmp_path / "bad.xlsx")], store)
    wb = openpyxl.load_workbook(io.BytesIO(uploads.error_report(extract.problems, "analyst1")))
    rows = list(wb["错误清单"].values)
    assert rows[0] == ("工作表", "行", "列", "值", "问题", "Problem")
    assert [(r[0], r[1]) for r in rows[1:]] == [("采购订单", 2), ("采购订单", 3)]
