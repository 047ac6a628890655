"""数据上传: check an extract, see what it would change, confirm, and keep a record of every upload."""
import hashlib
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from core.ingest import importer, uploads, validate, worker
from core.policy import extract as F
from core.present.i18n import headers, t
from core.store import jobs
from ui import text
from ui.session import start, user
from ui.style import uploader_words
from ui.tables import show

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

s, L = start("pages/upload.py", "nav.upload", needs_marts=False)
me = user()
if me.is_demo:
    st.warning(t("up.demo", L))
st.download_button(t("up.template", L), data=uploads.template(), file_name="标准抽取模板.xlsx", mime=XLSX, key="up_template")

# Any file is taken here; the check below says what is wrong with one it cannot read, in both languages.
uploader_words(L, int(s.settings()["upload_max_mb"]))
files = st.file_uploader(t("up.file", L), accept_multiple_files=True, key="up_files")
clear_demo = False
if s.holds_demo():
    st.warning(t("up.demo_store", L))
    clear_demo = st.checkbox(t("up.clear_demo", L), key="up_clear_demo")


def check(files, fresh: bool):
    """The files checked whole (read from a temporary folder removed at once): (names, digest, extract)."""
    digest = hashlib.sha256(b"".join(f.getvalue() for f in files)).hexdigest()
    held = st.session_state.get("up_checked")
    if held is not None and held[:2] == (digest, fresh):
        return held[2], digest, held[3]
    with tempfile.TemporaryDirectory(prefix="vbp-upload-") as folder:
        paths = []
        for f in files:
            path = Path(folder) / Path(f.name).name
            path.write_bytes(f.getvalue())
            paths.append(path)
        with st.spinner(t("up.checking", L)):
            extract = importer.parse(paths, s, validate.Limits.of(s), fresh=fresh)
    names = ", ".join(Path(f.name).name for f in files)
    st.session_state["up_checked"] = (digest, fresh, names, extract)
    if not extract.ok:
        uploads.record(s, me, names, digest, {}, "rejected", len(extract.problems), reason=uploads.reason_of(extract.problems))
    return names, digest, extract


if files:
    names, digest, extract = check(files, clear_demo)
    if not extract.ok:
        st.error(t("up.errors", L).format(n=len(extract.problems)))
        problems = pd.DataFrame([p.__dict__ for p in extract.problems])
        show(problems, headers(["sheet", "row", "column", "value", "zh", "en"], L), "up_problems", "错误清单")
        st.download_button(t("up.report", L), data=uploads.error_report(extract.problems, me.username),
                           file_name=f"错误清单_{Path(files[0].name).stem}.xlsx", mime=XLSX, key="up_report")
    else:
        st.success(t("up.preview", L))
        show(uploads.dry_run(s, extract.frames, fresh=clear_demo),
             headers(["sheet_zh", "insert", "replace", "unchanged"], L), "up_preview", "导入预览")
        blocked = s.holds_demo() and not clear_demo
        if st.button(t("up.confirm", L), type="primary", key="up_confirm", disabled=blocked):
            st.session_state.pop("up_checked", None)  # the worker checks the files again against the store as it is then
            job = worker.start(s, me, {f.name: f.getvalue() for f in files}, names, digest, clear_demo)
            st.session_state["up_job"] = job.id


def follow(job_id: str) -> None:
    """The import under way in its own process: its progress until it ends, then what it did."""
    bar = st.progress(0.0, text=t("up.working", L))
    job = jobs.load(s.url, job_id)
    while job is not None and job.alive():
        bar.progress(job.fraction, text=f"{t('up.working', L)} {text.plain(job.message)}")
        time.sleep(0.5)  # the job's file is read again: its process writes it as it goes
        job = jobs.load(s.url, job_id)
    bar.empty()
    st.session_state.pop("up_job", None)
    if job is None or not job.ended:
        st.warning(t("up.interrupted", L))
    elif job.state == "done":
        names_of = {sh.name: (sh.zh if L == "zh" else sh.name) for sh in F.SHEETS}
        counts = job.result.get("counts", {})
        st.success(t("up.done", L).format(rows="，".join(f"{names_of.get(k, k)} {v}" for k, v in counts.items())))
    elif job.result.get("problems"):
        st.error(t("up.errors", L).format(n=len(job.result["problems"])))
        show(pd.DataFrame(job.result["problems"]), headers(["sheet", "row", "column", "value", "zh", "en"], L),
             "up_job_problems", "错误清单")
    else:
        st.error(text.plain(t("up.failed", L).format(reason=job.result.get("error", ""))))


if st.session_state.get("up_job"):
    follow(st.session_state["up_job"])

st.subheader(t("up.history", L))
show(uploads.history(s, lang=L), headers(["uploaded_at", "username", "file_name", "outcome_text", "error_count",
                                          "rows_text", "reason", "sha256"], L), "up_history", t("up.history", L))
