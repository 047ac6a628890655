"""Workbooks examined and read in child processes with a memory ceiling and a time limit.

A workbook is read by calamine, compiled code that stops the whole process when a file makes it ask for more
memory than there is (a cell at the sheet's far corner, a stated count of four billion strings, a dimension record
that runs backwards), and raises panics Python cannot catch as exceptions; the checks of the file's structure and
the search for formulas (core.ingest.validate, core.ingest.workbooks) walk structures a file may forge. They run in
two children at once, one examining the file, one reading its cells (after the same structural checks): whatever a
file does, the server and its other users go on, and the file is refused with its reason, the examination's first
(the reading child is then stopped, whatever calamine was doing to its process).

The children are forked by a helper process (`python -m core.ingest.sandbox`), started once per process that
reads files, which has loaded the reading modules and does nothing else: a fork costs milliseconds where a fresh
interpreter costs a second, and the helper, unlike a server with threads, is safe to fork (an upload's worker process,
one job and one thread, forks the children itself: `fork_here`). Requests and answers
cross its standard input and output as length-prefixed pickles. Each helper reads one file at a time; a process
keeps up to READERS helpers, so that as many analysts' files are read at once (each child may take MEMORY bytes),
and a further file waits for a helper to be free.
"""
from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from core.ingest import reading, validate
from core.ingest.problems import Problem
from core.paths import ROOT

MEMORY = 4 * 1024 ** 3  # bytes of address space a reading child may take (a million-row workbook needs about 2 GB)
TIMEOUT = 600  # seconds a file may take to be examined and read
READERS = max(1, min(int(os.environ.get("VBP_READERS", 0)) or (os.cpu_count() or 1), 4))  # files read at once

_idle: list[subprocess.Popen] = []  # helpers waiting for a file
_busy: list[subprocess.Popen] = []  # helpers reading one
_lock = threading.Lock()  # guards the two lists
_free = threading.BoundedSemaphore(READERS)  # a file waits here for a helper


def _send(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream):
    head = stream.read(8)
    if len(head) < 8:
        return None
    (size,) = struct.unpack("<Q", head)
    data = stream.read(size)
    return pickle.loads(data) if len(data) == size else None


STATUSES = ("done", "died", "timeout")


def _answer(stream, status: str, payload: bytes | bytearray) -> None:
    """The helper's answer: its status and the child's pickled answer as the child wrote it (a million-row sheet's
    answer is a hundred megabytes: it is neither copied nor pickled again on the way)."""
    stream.write(struct.pack("<BQ", STATUSES.index(status), len(payload)))
    stream.write(payload)
    stream.flush()


def _answered(stream) -> tuple[str, bytes] | None:
    head = stream.read(9)
    if len(head) < 9:
        return None
    code, size = struct.unpack("<BQ", head)
    payload = stream.read(size)
    return (STATUSES[code], payload) if len(payload) == size and code < len(STATUSES) else None


def _ceiling(memory: int) -> None:
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]  # never above a ceiling set on the server itself
    ceiling = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _examine(path: str, limits):
    """In the examining child: ("refused", kind, problem), ("passed", kind) or ("error", name of the exception)."""
    try:
        kind, refused = validate.examine(Path(path), limits)
        return ("passed", kind) if refused is None else ("refused", kind, refused)
    except BaseException as err:  # noqa: BLE001 - whatever the file makes the checks meet is its fault
        return ("error", type(err).__name__)


def _read(path: str, limits):
    """In the reading child: ("read", kind, sheets), ("refused", kind, problem) or ("error", name of the exception).
    Its structure is examined again first (not its formulas, which the examining child looks for meanwhile), so
    that calamine never opens a file that examination refuses."""
    try:
        kind, refused = validate.examine(Path(path), limits, formulas=False)
        if refused is not None:
            return ("refused", kind, refused)
        return ("read", kind, reading.read_workbook_here(Path(path), kind, limits))
    except BaseException as err:  # noqa: BLE001 - a panic of compiled code is a BaseException: the file's fault
        if isinstance(err, reading.Refused):
            return ("refused", None, err.problem)
        return ("error", type(err).__name__)


def _fork(work, path: str, limits, memory: int) -> tuple[int, int]:
    """A child doing `work(path, limits)` under the memory ceiling, its answer pickled straight into a pipe (a sheet's
    text is never held twice): (its pid, the pipe's end to read). A child that cannot write its whole answer exits 1."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        code = 0
        try:
            _ceiling(memory)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(work(path, limits), out, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - out of memory while packing the answer, say: the child died
            code = 1
        os._exit(code)
    os.close(write_end)
    return pid, read_end


def _one(path: str, limits, memory: int, timeout: float) -> tuple[str, bytearray]:
    """In the helper: one child examines the file (its formulas too) while another reads its cells, each on a core
    of its own; the examination's refusal comes first (the reading child is then stopped, whatever calamine is
    doing or about to do to its process). ("done", the pickled answer: a refusal, an error or the sheets), ("died",
    b"") when a child died (also while writing its answer), or ("timeout", b"")."""
    deadline = time.monotonic() + timeout
    children = {"examine": _fork(_examine, path, limits, memory), "read": _fork(_read, path, limits, memory)}
    got = {name: bytearray() for name in children}
    reading_from = {fd: name for name, (_, fd) in children.items()}
    read_status = "died"
    try:
        while reading_from:
            left = deadline - time.monotonic()
            ready = select.select(list(reading_from), [], [], left)[0] if left > 0 else []
            if not ready:
                return "timeout", bytearray()
            for fd in ready:
                name = reading_from[fd]
                chunk = os.read(fd, 1 << 20)
                if chunk:
                    got[name] += chunk
                    continue
                del reading_from[fd]
                os.close(fd)
                whole = os.waitpid(children[name][0], 0)[1] == 0
                children[name] = (0, -1)  # reaped
                if name == "read":
                    read_status = "done" if whole else "died"
                    continue
                try:
                    verdict = pickle.loads(got["examine"]) if whole else ("died",)
                except Exception:  # noqa: BLE001 - cannot happen to a whole answer; a cut one means the child died
                    verdict = ("died",)
                if verdict[0] == "died":
                    return "died", bytearray()
                if verdict[0] != "passed":
                    return "done", got["examine"]  # the reading child is stopped below, whatever it was doing
        return read_status, got["read"] if read_status == "done" else bytearray()
    finally:
        for pid, fd in children.values():
            if pid:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            if fd in reading_from:
                os.close(fd)


def serve() -> None:
    """The helper: with the reading modules loaded (this module's imports), answer requests until its input closes
    (its parent ended)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the server's terminal is the server's to handle
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (request := _receive(stdin)) is not None:
        _answer(stdout, *_one(*request))


def _problem(name: str, zh: str, en: str) -> Problem:
    return Problem(name, None, "", "", zh, en)


def _take() -> subprocess.Popen:
    """An idle helper that is alive, or a new one; marked busy."""
    with _lock:
        while _idle:
            helper = _idle.pop()
            if helper.poll() is None:
                break
            helper.wait()
        else:
            helper = subprocess.Popen([sys.executable, "-m", "core.ingest.sandbox"], cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        _busy.append(helper)
        return helper


def _give_back(helper: subprocess.Popen, alive: bool) -> None:
    with _lock:
        _busy.remove(helper)
        if alive:
            _idle.append(helper)
    if not alive:
        helper.kill()
        helper.wait()


_forks_itself = False  # set by `fork_here` in a process that runs one job with a single thread


def fork_here() -> None:
    """Fork the children from this process itself, without a helper: for a process of one thread doing one job (an
    upload's check or import in its worker), which is as safe to fork as a helper and spares starting one."""
    global _forks_itself
    _forks_itself = True


def _ask(request) -> tuple[str, bytes]:
    """Send a request to a free helper (waiting for one when READERS are busy) and wait for its answer; a helper
    that cannot answer is replaced, once. After `fork_here`, the children are forked here."""
    if _forks_itself and threading.active_count() == 1:
        return _one(*request)
    with _free:
        for _ in range(2):
            helper, answer = _take(), None
            try:
                _send(helper.stdin, request)
                answer = _answered(helper.stdout)
            except (BrokenPipeError, OSError):
                pass
            finally:  # a helper interrupted mid-answer (an exception in this thread) is not used again
                _give_back(helper, answer is not None)
            if answer is not None:
                return answer
    return "died", b""


def examine_and_read(path: Path, limits, memory: int = MEMORY, timeout: float = TIMEOUT):
    """(kind, Problem or None, sheets or None): what `validate.examine` says of the file and, when it passes, its
    sheets as `reading.read_workbook_here` reads them, from a child process; a child that dies, runs out of
    memory or time, or meets an error gives a Problem saying so."""
    name = Path(path).name
    status, payload = _ask((str(Path(path).resolve()), limits, memory, timeout))
    outcome = ("died",)
    if status == "timeout":
        return None, _problem(name, f"读取超时（超过 {timeout:.0f} 秒），文件可能已损坏或异常复杂；请另存为新的 .xlsx 后再上传",
                              f"reading it took longer than {timeout:.0f} s: the file may be damaged or built to be "
                              "slow; save it again as a new .xlsx and upload that"), None
    if status == "done":
        try:
            outcome = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - an answer cut short: the child died while writing it
            outcome = ("died",)
    if outcome[0] == "refused":
        return outcome[1], outcome[2], None
    if outcome[0] == "read":
        return outcome[1], None, outcome[2]
    if outcome[0] == "error" and outcome[1] != "MemoryError":
        return None, _problem(name, f"无法读取文件（{outcome[1]}），请确认文件完整且为标准格式",
                              f"the file cannot be read ({outcome[1]}): check it is whole and in the standard format"), None
    return None, _problem(name, "工作簿无法读取：它声明的单元格远多于实际内容，或文件已损坏（读取已中止）；请在 Excel 中另存为新的 "
                          ".xlsx 后再上传", "the workbook cannot be read: it declares far more cells than it holds, or it "
                          "is damaged (reading it was stopped); save it again as a new .xlsx and upload that"), None


if __name__ == "__main__":
    serve()
