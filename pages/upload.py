"""数据上传: check an extract, see what it would change, confirm, and keep a record of every upload."""
import hashlib
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from core.ingest import uploads, worker
from core.ingest.problems import Problem
from core.policy import extract as F
from core.present.i18n import headers, t, tn
from core.store import jobs
from ui import text
from ui.session import start, user
from ui.style import uploader_words
from ui.tables import show

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM = ["sheet", "row", "column", "value", "zh", "en"]  # a problem's fields, as the table shows them

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


def wait(job_id: str, words: str) -> jobs.Job | None:
    """A job under way in its own process, its progress shown until it ends: the job as it ended (None when its
    file is gone)."""
    bar = st.progress(0.0, text=words)
    job = jobs.load(s.url, job_id)
    while job is not None and job.alive():
        bar.progress(job.fraction, text=f"{words} {text.plain(job.message)}")
        time.sleep(0.5)  # the job's file is read again: its process writes it as it goes
        job = jobs.load(s.url, job_id)
    bar.empty()
    return job


def listed(problems: list[dict], key: str) -> None:
    """A file's problems: how many, then each with its sheet, row and column."""
    st.error(tn("up.errors", L, n=len(problems)))
    show(pd.DataFrame(problems, columns=PROBLEM), headers(PROBLEM, L), key, "错误清单")


def failed(job: jobs.Job | None, interrupted: str) -> None:
    """What a job that did not end well says: its problems, its reason, or that its process stopped."""
    if job is None or not job.ended:
        st.warning(t(interrupted, L))
    elif job.result.get("problems"):
        listed(job.result["problems"], "up_job_problems")
    else:
        st.error(text.plain(t("up.failed", L).format(reason=job.result.get("error", ""))))


def check(files, fresh: bool) -> tuple[str, str, jobs.Job | None]:
    """The files checked whole, in a process of its own (which records a refusal): (names, digest, the job as it
    ended: its result holds the problems or the preview, or why it failed; None when its file is gone). Kept for
    the session until the files or the choice to clear the demo change."""
    digest = hashlib.sha256(b"".join(f.getvalue() for f in files)).hexdigest()
    names = ", ".join(Path(f.name).name for f in files)
    held = st.session_state.get("up_checked")
    if held is not None and held[:2] == (digest, fresh):
        return names, digest, held[2]
    going = st.session_state.get("up_checking")  # started by an earlier run of this page, which a click cut short
    if going is None or going[:2] != (digest, fresh):
        queued = st.empty()
        while (started := worker.check(s, me, {f.name: f.getvalue() for f in files}, names, digest, fresh)) is None:
            queued.info(t("up.queued", L))
            time.sleep(1)
        queued.empty()
        going = (digest, fresh, started.id)
        st.session_state["up_checking"] = going
    job = wait(going[2], t("up.checking", L))
    st.session_state.pop("up_checking", None)
    if job is not None and job.ended:  # a check whose process was stopped is tried again at the next rerun
        st.session_state["up_checked"] = (digest, fresh, job)
    return names, digest, job


if files:
    names, digest, checked = check(files, clear_demo)
    if checked is None or checked.state != "done":
        failed(checked, "up.check_interrupted")
    elif checked.result.get("problems"):
        listed(checked.result["problems"], "up_problems")
        problems = [Problem(**p) for p in checked.result["problems"]]
        st.download_button(t("up.report", L),  # made (and audited) when clicked
                           data=lambda: uploads.error_report_download(s, me, problems, files[0].name),
                           file_name=f"错误清单_{Path(files[0].name).stem}.xlsx", mime=XLSX, key="up_report",
                           on_click="ignore")
    else:
        st.success(t("up.preview", L))
        show(pd.DataFrame(checked.result["preview"], columns=["sheet", "sheet_zh", "insert", "replace", "unchanged"]),
             headers(["sheet_zh", "insert", "replace", "unchanged"], L), "up_preview", "导入预览")
        blocked = s.holds_demo() and not clear_demo
        if st.button(t("up.confirm", L), type="primary", key="up_confirm", disabled=blocked):
            st.session_state.pop("up_checked", None)  # the worker checks the files again against the store as it is then
            job = worker.start(s, me, {f.name: f.getvalue() for f in files}, names, digest, clear_demo)
            st.session_state["up_job"] = job.id


def follow(job_id: str) -> None:
    """The import under way in its own process: its progress until it ends, then what it did."""
    job = wait(job_id, t("up.working", L))
    st.session_state.pop("up_job", None)
    if job is not None and job.state == "done":
        names_of = {sh.name: (sh.zh if L == "zh" else sh.name) for sh in F.SHEETS}
        counts = job.result.get("counts", {})
        st.success(t("up.done", L).format(rows="，".join(f"{names_of.get(k, k)} {v}" for k, v in counts.items())))
    else:
        failed(job, "up.interrupted")


if st.session_state.get("up_job"):
    follow(st.session_state["up_job"])

st.subheader(t("up.history", L))
show(uploads.history(s, lang=L), headers(["uploaded_at", "username", "file_name", "outcome_text", "error_count",
                                          "rows_text", "reason", "sha256"], L), "up_history", t("up.history", L))
