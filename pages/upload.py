"""数据上传: check an extract, see what it would change, confirm, and keep a record of every upload."""
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from core import formats as F
from core import importer, uploads, validate
from core.i18n import headers, t
from ui.session import start, user
from ui.tables import show

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

s, L = start("pages/upload.py", "nav.upload", needs_marts=False)
me = user()
if me.is_demo:
    st.warning(t("up.demo", L))
st.download_button(t("up.template", L), data=uploads.template(), file_name="标准抽取模板.xlsx", mime=XLSX, key="up_template")

files = st.file_uploader(t("up.file", L), type=["xlsx", "csv"], accept_multiple_files=True, key="up_files")
if files:
    folder = Path(tempfile.mkdtemp(prefix="vbp-upload-"))
    paths = []
    for f in files:
        path = folder / Path(f.name).name
        path.write_bytes(f.getvalue())
        paths.append(path)
    names, digest = ", ".join(p.name for p in paths), uploads.sha256(paths)
    with st.spinner(t("up.checking", L)):
        extract = importer.parse(paths, s, validate.Limits.of(s))
    if not extract.ok:
        if st.session_state.get("up_recorded") != digest:
            uploads.record(s, me, names, digest, {}, "rejected", len(extract.problems))
            st.session_state["up_recorded"] = digest
        st.error(t("up.errors", L).format(n=len(extract.problems)))
        problems = pd.DataFrame([p.__dict__ for p in extract.problems])
        show(problems, headers(["sheet", "row", "column", "value", "zh", "en"], L), "up_problems", "错误清单")
        st.download_button(t("up.report", L), data=uploads.error_report(extract.problems, me.username),
                           file_name=f"错误清单_{paths[0].stem}.xlsx", mime=XLSX, key="up_report")
    else:
        st.success(t("up.preview", L))
        show(uploads.dry_run(s, extract.frames), headers(["sheet_zh", "insert", "replace", "unchanged"], L),
             "up_preview", "导入预览")
        if st.button(t("up.confirm", L), type="primary", key="up_confirm"):
            bar = st.progress(0.0)
            counts = importer.write(s, extract, me)
            from core import marts
            marts.refresh(s, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m))
            bar.empty()
            uploads.record(s, me, names, digest, counts, "imported", 0)
            names_of = {sh.name: (sh.zh if L == "zh" else sh.name) for sh in F.SHEETS}
            st.success(t("up.done", L).format(rows="，".join(f"{names_of[k]} {v}" for k, v in counts.items())))

st.subheader(t("up.history", L))
show(uploads.history(s), headers(["uploaded_at", "username", "file_name", "outcome", "error_count", "rows_json",
                                  "sha256"], L), "up_history", t("up.history", L))
