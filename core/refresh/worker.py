"""The figures computed again in a process of its own after a change that moves them (a setting saved, a
non-cooperation record made or withdrawn on a page), so the server's other users wait for nothing:
`python -m core.refresh.worker JOB_FILE` (started by `start`, never by hand).

While it runs every reader is served the figures in force (`marts.ensure_default` serves the previous default view
while a job of the store is under way, with a note saying the new ones are on their way); the new ones are written
in one transaction. Killed midway, it leaves the previous figures whole, and the next reader computes them.
"""
from __future__ import annotations

import contextlib
import logging
import sys

import sqlalchemy as sa

from core.refresh import marts
from core.store import jobs
from core.store.opening import open_store

LOG = logging.getLogger("vbp")
KIND = "refresh"


MODULE = "core.refresh.worker"


def start(store, reason: str = "") -> jobs.Job:
    """Start the process that computes the store's figures for its data as they are now."""
    return jobs.launch(store.url, KIND, MODULE, {"reason": reason})


@contextlib.contextmanager
def ahead(store, reason: str):
    """For a change that moves the figures: the job announced before the change is committed, its process started
    by calling what this yields once it is (a reader in between finds the job under way and is served the figures
    in force, instead of computing them itself); withdrawn when nothing called it (the change was refused, or did
    not move the figures)."""
    job, started = jobs.announce(store.url, KIND, {"reason": reason}), []

    def go(_store=None) -> jobs.Job:
        if not started:
            started.append(jobs.start(job, MODULE))
        return job
    try:
        yield go
    finally:
        if not started:
            jobs.withdraw(job)


def run(job: jobs.Job) -> jobs.Job:
    """Do the job: compute and store the default view, saying how far it got. A view another process stored for the
    same data meanwhile (a reader that did not wait) is taken as done."""
    try:
        store = open_store(job.url)
        try:
            as_of = marts.refresh(store, progress=jobs.reporter(job), give_way=True)
            job.result = {"as_of": str(as_of)}
        except (marts.AlreadyCurrent, sa.exc.IntegrityError):
            job.result = {"as_of": "", "note": "already current"}
        job.state, job.fraction = "done", 1.0
    except Exception as err:  # noqa: BLE001 - the next reader computes the figures; the log keeps why
        LOG.exception("refresh job %s failed", job.id)
        job.state, job.result = "failed", {"error": f"{type(err).__name__}: {err}"[:500]}
    jobs.save(job)
    return job


if __name__ == "__main__":
    sys.exit(jobs.serve(run, sys.argv[1:]))
