"""An upload imported, and its figures computed, in a process of its own, so the server's other users wait for
nothing: `python -m core.ingest.worker JOB_FILE` (started by `start`, never by hand).

The page has checked the files and saved them into the job's private folder; this process checks them again
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
import time
from pathlib import Path

from core.access import accounts
from core.access.roles import User
from core.ingest import importer, uploads, validate
from core.store import jobs
from core.store.opening import open_store

LOG = logging.getLogger("vbp")
KIND = "import"


def start(store, user: User, files: dict[str, bytes], names: str, digest: str, clear_demo: bool) -> jobs.Job:
    """Save the files into a private folder and start the process that imports them as `user`."""
    folder = jobs.folder(store.url) / f"files-{int(time.time() * 1000)}-{digest[:12]}"
    folder.mkdir(mode=0o700)
    paths = []
    for name, data in files.items():
        path = folder / Path(name).name
        path.write_bytes(data)
        paths.append(str(path))
    spec = {"username": user.username, "files": paths, "folder": str(folder), "names": names, "digest": digest,
            "clear_demo": clear_demo}
    return jobs.launch(store.url, KIND, "core.ingest.worker", spec)


def run(job: jobs.Job) -> jobs.Job:
    """Do the job: import its files, computing the figures, saying how far it got."""
    spec = job.spec
    store = open_store(job.url)
    progress = jobs.reporter(job)
    try:
        user = accounts.load(store, spec["username"])
        if user is None:
            raise PermissionError("账户已停用 / the account is no longer active")
        paths = [Path(p) for p in spec["files"]]
        extract, counts = importer.import_files(store, paths, actor=user, progress=progress,
                                                limits=validate.Limits.of(store), clear_demo=spec["clear_demo"],
                                                upload=(spec["names"], spec["digest"]))
        if not extract.ok:  # the store changed since the page's check
            uploads.record(store, user, spec["names"], spec["digest"], {}, "rejected", len(extract.problems),
                           reason=uploads.reason_of(extract.problems))
            job.state, job.result = "failed", {"problems": [p.__dict__ for p in extract.problems]}
        else:
            job.state, job.fraction, job.result = "done", 1.0, {"counts": counts}
    except (importer.RefreshFailed, importer.DemoInTheWay, importer.InvalidExtract, PermissionError) as err:
        job.state, job.result = "failed", {"error": str(err)}
    except Exception as err:  # noqa: BLE001 - the page says it failed, with a reference to the log
        LOG.exception("import job %s failed", job.id)
        job.state, job.result = "failed", {"error": f"导入失败（{type(err).__name__}，参考号 {job.id[:8]}） / "
                                                    f"the import failed ({type(err).__name__}, reference {job.id[:8]})"}
    finally:
        shutil.rmtree(spec["folder"], ignore_errors=True)
    jobs.save(job)
    return job


if __name__ == "__main__":
    sys.exit(jobs.serve(run, sys.argv[1:]))
