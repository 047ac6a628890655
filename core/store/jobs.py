"""Work for a store done in a process of its own (an upload's check; an import and its figures; the figures after a
setting saved or a non-cooperation record), and where it stands.

A job is a small JSON file in a private folder of this machine's temporary directory, one folder per store: what
the job is to do, the process doing it, how far it got (a fraction and a message) and how it ended. The process
writes it (each time whole, by renaming a finished file over it, so a reader never sees half of one); pages read
it. Files rather than rows: the process holds the store's write lock for seconds at a time, and its progress must
show meanwhile. A job is under way while its process lives: one killed midway is seen as ended, whatever its file
last said.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.paths import ROOT

LOG = logging.getLogger("vbp")
# where jobs' files are kept: VBP_JOBS_DIR, or vbp-jobs in the system's temporary folder (a test run sets its own, so
# that no file of an earlier run whose store had the same path is taken for one of its own)
ROOT_DIR = Path(os.environ.get("VBP_JOBS_DIR") or Path(tempfile.gettempdir()) / "vbp-jobs")
ENDED = ("done", "failed")
KEPT = 24 * 3600  # seconds an ended job's file is kept (its page may be opened again meanwhile)
PAUSE_ENV = "VBP_JOB_PAUSE"  # a job's process stops itself (SIGSTOP) at the first step whose message contains it


@dataclass
class Job:
    id: str
    url: str
    kind: str
    spec: dict = field(default_factory=dict)  # what the process needs: file paths, names, the actor...
    state: str = "starting"  # starting, running, done, failed
    fraction: float = 0.0
    message: str = ""
    result: dict = field(default_factory=dict)  # counts written, problems, the reason of a failure
    pid: int | None = None
    host: str = ""
    started: float = 0.0
    updated: float = 0.0

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    def alive(self) -> bool:
        """Whether the job's process runs (on this machine: its process id, started for this job; a job of another
        machine's server counts as running while its file changes)."""
        if self.ended:
            return False
        if self.host != socket.gethostname():
            return time.time() - self.updated < 600
        if self.pid is None:
            return time.time() - self.started < 60  # being started: its process writes its id first
        try:
            cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return False
        return self.id.encode() in cmdline  # not another process that took the same id later


def folder(url: str) -> Path:
    """The private folder of one store's jobs (made on first use, readable by this user alone)."""
    path = ROOT_DIR / hashlib.sha256(url.encode()).hexdigest()[:16]
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    ROOT_DIR.chmod(0o700)
    return path


def _path(url: str, job_id: str) -> Path:
    if not job_id.isalnum():
        raise ValueError(f"not a job id: {job_id!r}")
    return folder(url) / f"{job_id}.json"


def save(job: Job) -> None:
    job.updated = time.time()
    path = _path(job.url, job.id)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".job-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(job), fh, ensure_ascii=False, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    os.replace(temp, path)


def load(url: str, job_id: str) -> Job | None:
    try:
        data = json.loads(_path(url, job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Job(**data)


READ_ONLY = ("check",)  # kinds of job that change nothing the figures are computed from


def of_store(url: str) -> list[Job]:
    """Every job of the store whose file is kept, under way or ended (not the files being written: `save`'s
    temporary ones)."""
    found = (load(url, path.stem) for path in folder(url).glob("[!.]*.json"))
    return [job for job in found if job is not None]


def under_way(url: str, changing: bool = False) -> list[Job]:
    """The store's jobs whose process still runs (`changing`: only those whose work changes the figures); ended jobs'
    files older than KEPT are removed on the way."""
    out = []
    for job in of_store(url):
        if job.alive() and not (changing and job.kind in READ_ONLY):
            out.append(job)
        elif time.time() - job.updated > KEPT:
            _path(url, job.id).unlink(missing_ok=True)
    return out


def announce(url: str, kind: str, spec: dict) -> Job:
    """A new job's file, before its process: it counts as under way from now (for a minute, or until its process
    runs), so that a change whose work it is to do can be committed after it with no moment in between when a
    reader finds the change and no job for it."""
    job = Job(id=uuid.uuid4().hex, url=url, kind=kind, spec=spec, host=socket.gethostname(), started=time.time())
    save(job)
    return job


def start(job: Job, module: str, log: Path | None = None) -> Job:
    """Start `python -m module JOB_FILE` for an announced job, in a session of its own (it outlives the page that
    asked for it and is not stopped with the server's requests); its output goes to `log` (a file beside the job's)."""
    path = _path(job.url, job.id)
    with open(log or path.with_suffix(".log"), "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", module, str(path)], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    threading.Thread(target=proc.wait, daemon=True).start()  # reaped when it ends: no zombie beside the server
    return job


def withdraw(job: Job) -> None:
    """An announced job that will not start (the change it was for was refused): no longer under way."""
    _path(job.url, job.id).unlink(missing_ok=True)


def launch(url: str, kind: str, module: str, spec: dict, log: Path | None = None) -> Job:
    """Announce a job and start its process at once."""
    return start(announce(url, kind, spec), module, log)


def reporter(job: Job):
    """The `progress(fraction, message)` a job's process passes to its work: the job's file written at each new
    step, and within a step often enough to watch (at most every 0.3 s). With VBP_JOB_PAUSE set, the process stops
    itself (SIGSTOP) once, its file written, at the first step whose message contains that text, until a SIGCONT: a
    test (or a person reproducing a fault) then finds it in that step for sure, however fast it ran through it."""
    last, pause = [0.0], [os.environ.get(PAUSE_ENV)]

    def progress(fraction: float, message: str) -> None:
        step = str(message) != job.message
        job.fraction, job.message = min(max(float(fraction), 0.0), 1.0), str(message)
        if step or time.monotonic() - last[0] > 0.3:
            last[0] = time.monotonic()
            save(job)
        if step and pause[0] and pause[0] in job.message:
            pause[0] = None
            LOG.warning("job %s stops itself at %r (%s is set)", job.id, job.message, PAUSE_ENV)
            os.kill(os.getpid(), signal.SIGSTOP)
    return progress


def serve(run, argv: list[str]) -> int:
    """A job's process (`python -m module JOB_FILE`): take up the job of the file, do it with `run(job) -> Job`;
    exit 0 when it is done."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    job = run(begin(Path(argv[0])))
    return 0 if job.state == "done" else 1


def begin(path: Path) -> Job:
    """The job of a file, as its own process takes it up: its process id and state written."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    job = Job(**data)
    job.pid, job.state = os.getpid(), "running"
    save(job)
    return job
