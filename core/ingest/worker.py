"""An upload checked, or imported and its figures computed, in a process of its own, so the server's other users wait
for nothing and its memory holds no analyst's million rows: `python -m core.ingest.worker JOB_FILE` (started by
`check` or `start`, never by hand).

`check`: the files are read and checked, and the process says what they would change or what is wrong with them
(recorded as a refusal). `start`: the page has checked the files and saved them into the job's private folder; this
process checks them again
against the store as it is now, writes them in one transaction with their record in the upload history, computes
the figures (the previous ones stay in force until the new ones are written, in one transaction), and says how
far it got in the job's file. A file the store refuses by now is recorded as refused; figures that cannot be
computed take the file back out (`importer.commit`). Killed midway, it leaves the store as before the write, or
the rows written with the previous figures whole, which the next reader or refresh brings up to date.
"""
from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

from core.access import accounts, audit
from core.access.roles import User, require
from core.ingest import importer, sandbox, uploads, validate
from core.store import jobs
from core.store.opening import open_store

LOG = logging.getLogger("vbp")
KIND = "import"
CHECK = "check"  # the files checked only: a kind of job that changes nothing but the upload history


def _launch(store, user: User, kind: str, files: dict[str, bytes], spec: dict) -> jobs.Job:
    """Save the files into a private folder and start the process that does the job as `user`."""
    folder = jobs.folder(store.url) / f"files-{int(time.time() * 1000)}-{uuid.uuid4().hex}"
    folder.mkdir(mode=0o700)
    paths = []
    for name, data in files.items():
        path = folder / Path(name).name
        path.write_bytes(data)
        paths.append(str(path))
    return jobs.launch(store.url, kind, "core.ingest.worker", {**spec, "username": user.username, "files": paths,
                                                              "folder": str(folder)})


def start(store, user: User, files: dict[str, bytes], names: str, digest: str, clear_demo: bool) -> jobs.Job:
    """Import the files as `user`, and compute the figures, in a process of its own."""
    return _launch(store, user, KIND, files, {"names": names, "digest": digest, "clear_demo": clear_demo})


READING_AT_ONCE = sandbox.READERS  # checks and imports reading files at once, each in its own processes
_starting = threading.Lock()  # one session at a time counts the jobs under way and starts a check


def check(store, user: User, files: dict[str, bytes], names: str, digest: str, fresh: bool) -> jobs.Job | None:
    """Check the files as `user` in a process of its own, writing nothing but the record of a refusal: its result
    is {"problems": [...]} or, for files that pass, {"preview": [...]} (what `uploads.dry_run` says they would
    change). A million-row file is read and checked there, not in the server its other users share. None, and
    nothing started, while READING_AT_ONCE checks and imports of the store are under way (ask again shortly)."""
    with _starting:
        if len([j for j in jobs.under_way(store.url) if j.kind in (CHECK, KIND)]) >= READING_AT_ONCE:
            return None
        return _launch(store, user, CHECK, files, {"names": names, "digest": digest, "fresh": fresh})


def _refused(store, user: User, spec: dict, extract: importer.Extract) -> dict:
    """A refused upload recorded in the history, and the job's result naming its problems."""
    uploads.record_refusal(store, user, spec["names"], spec["digest"], extract.problems)
    return {"problems": [p.__dict__ for p in extract.problems]}


def _check(job: jobs.Job, store, user: User, paths: list[Path]) -> None:
    spec = job.spec
    require(user, "upload")
    extract = importer.parse(paths, store, validate.Limits.of(store), fresh=spec["fresh"])
    job.result = _refused(store, user, spec, extract) if not extract.ok else \
        {"preview": uploads.dry_run(store, extract.frames, fresh=spec["fresh"]).to_dict("records")}
    job.state, job.fraction = "done", 1.0


def _import(job: jobs.Job, store, user: User, paths: list[Path]) -> None:
    spec = job.spec
    try:
        extract, counts = importer.import_files(store, paths, actor=user, progress=jobs.reporter(job),
                                                limits=validate.Limits.of(store), clear_demo=spec["clear_demo"],
                                                upload=(spec["names"], spec["digest"]))
    except importer.InvalidExtract as err:  # refused at the write (the store changed meanwhile): in the history too
        extract, counts = importer.Extract(problems=err.problems), {}
    if not extract.ok:  # the store changed since the page's check
        job.state, job.result = "failed", _refused(store, user, spec, extract)
    else:
        job.state, job.fraction, job.result = "done", 1.0, {"counts": counts}


def run(job: jobs.Job) -> jobs.Job:
    """Do the job: check its files, or import them and compute the figures, saying how far it got."""
    spec = job.spec
    sandbox.fork_here()  # this process does one job with one thread: it forks the reading children itself
    store = open_store(job.url)
    try:
        user = accounts.load(store, spec["username"])
        if user is None:
            raise PermissionError("账户已停用 / the account is no longer active")
        (_check if job.kind == CHECK else _import)(job, store, user, [Path(p) for p in spec["files"]])
    except PermissionError as err:  # an account stopped or without the right meanwhile: refused, and audited
        audit.record(store, spec["username"], "access_denied", target=spec["names"][:200], outcome="denied",
                     detail=f"{job.kind} job: {err}"[:1000])
        job.state, job.result = "failed", {"error": str(err)}
    except (importer.RefreshFailed, importer.DemoInTheWay, importer.InvalidExtract) as err:
        job.state, job.result = "failed", {"error": str(err)}
    except Exception as err:  # noqa: BLE001 - the page says it failed, with a reference to the log
        LOG.exception("%s job %s failed", job.kind, job.id)
        what = ("检查失败", "the check failed") if job.kind == CHECK else ("导入失败", "the import failed")
        job.state, job.result = "failed", {"error": f"{what[0]}（{type(err).__name__}，参考号 {job.id[:8]}） / "
                                                    f"{what[1]} ({type(err).__name__}, reference {job.id[:8]})"}
    finally:
        shutil.rmtree(spec["folder"], ignore_errors=True)
    jobs.save(job)
    return job


if __name__ == "__main__":
    sys.exit(jobs.serve(run, sys.argv[1:]))
