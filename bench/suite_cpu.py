"""Where the test suite's time goes: runs pytest with this file as a plugin and prints how busy the machine's cores
were (from /proc/stat, every 5 s), each program's CPU (every process's, read from /proc each second), the CPU of
each test module (the test process's own and its waited-for children's: Streamlit servers, subprocesses) and how
much of it went to `marts.compute`, the refresh.

    python bench/suite_cpu.py [pytest arguments, e.g. tests/test_casework.py -n 0]

Chromium (its Playwright driver is never waited for) and PostgreSQL's backends are not counted per test; the
cores' figure includes them. A machine whose speed varies (this one swings about 2x within the hour) also prints a
speed probe before and after: the same Python loop's CPU seconds.
"""
from __future__ import annotations

import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDS = "VBP_SUITE_CPU_RECORDS"  # the folder the test processes write their records into


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


# -- the plugin (loaded by `-p suite_cpu` in the controller and in every pytest-xdist worker) --------------------
_spent = {"compute": 0.0, "n": 0, "watched": False}


def _watch_compute() -> None:
    """Time `marts.compute` (imported at the first test, after tests/conftest.py has set the test environment)."""
    from core.refresh import marts
    original = marts.compute

    def timed(*args, **kwargs):
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            _spent["compute"] += time.process_time() - start
            _spent["n"] += 1
    marts.compute = timed  # the module's own callers look it up at call time
    _spent["watched"] = True


def _record(row: dict) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(Path(os.environ[RECORDS]) / f"{worker}.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not os.environ.get(RECORDS):
        yield
        return
    if not _spent["watched"]:
        _watch_compute()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start, _spent["compute"], _spent["n"] = time.monotonic(), 0.0, 0
    yield
    _record({"test": item.nodeid, "wall": time.monotonic() - start,
             "own": _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(own),
             "children": _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children),
             "compute": _spent["compute"], "computes": _spent["n"]})


# -- the command ---------------------------------------------------------------------------------------------------
def _stat() -> list[int]:
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:9]]


TICK = os.sysconf("SC_CLK_TCK")


def _program(pid: str, comm: str) -> str:
    """What a process is, for the per-program figures: chromium, postgres, streamlit, pytest, soffice, node, other."""
    if comm.startswith(("chrom", "headless_shell")):
        return "chromium"
    if pid == str(os.getpid()):
        return "this measurement (its probe and readings)"
    if comm.startswith("postgres"):
        return "postgres"
    if comm.startswith(("soffice", "oosplash")):
        return "soffice"
    if comm == "node":
        return "node (Playwright's driver)"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if "streamlit" in cmdline or "app.py" in cmdline:
        return "streamlit servers"
    if "pytest" in cmdline or "exec(eval(sys.stdin.readline()))" in cmdline:  # the latter: pytest-xdist's workers
        return "pytest processes"
    if comm.startswith("python"):
        args = cmdline.split()
        return "python -m " + args[args.index("-m") + 1] if "-m" in args[:-1] else "other python"
    return "other"


def _processes(seen: dict) -> None:
    """Each living process's CPU so far (utime + stime) into `seen`, by (pid, start time): the last reading of a
    process is kept, so one that ends between two readings loses only its last few seconds."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        key = (entry.name, fields[19])  # starttime
        ticks = int(fields[11]) + int(fields[12])
        if key not in seen:
            seen[key] = [_program(entry.name, comm), 0, ticks, True]  # program, ticks before, ticks now, started since
        seen[key][2] = ticks


def probe() -> float:
    """CPU seconds of a fixed Python loop: this machine's speed at the moment."""
    start, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - start


def main(argv: list[str]) -> int:
    print(f"speed probe before: {probe():.2f} CPU-s")
    samples: list[tuple[float, list[int]]] = []
    done = threading.Event()
    seen: dict = {}
    _processes(seen)
    for row in seen.values():  # what ran before the suite does not count
        row[1], row[3] = row[2], False

    def sample() -> None:
        count = 0
        while not done.is_set():
            if count % 5 == 0:
                samples.append((time.monotonic(), _stat()))
            _processes(seen)
            count += 1
            done.wait(1)

    with tempfile.TemporaryDirectory(prefix="suite-cpu-") as folder:
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        env = {**os.environ, RECORDS: folder, "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH", "")]).strip(os.pathsep)}
        start = time.monotonic()
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "suite_cpu", *argv], cwd=ROOT, env=env)
        wall = time.monotonic() - start
        done.set()
        sampler.join()
        samples.append((time.monotonic(), _stat()))
        rows = [json.loads(line) for p in Path(folder).glob("*.jsonl") for line in p.read_text().splitlines()]
    print(f"speed probe after: {probe():.2f} CPU-s")
    first, last = samples[0][1], samples[-1][1]
    spent = [b - a for a, b in zip(first, last)]
    total = sum(spent) or 1
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    print(f"\nwall {wall:.0f} s; the machine's cores: " + ", ".join(f"{n} {v / total:.1%}" for n, v in zip(names, spent) if v))
    programs: dict[str, float] = collections.Counter()
    started: dict[str, int] = collections.Counter()  # processes seen that started during the run
    for program, before, ticks, new in seen.values():
        programs[program] += (ticks - before) / TICK
        started[program] += new
    busy = (total - spent[3] - spent[4]) / TICK
    print(f"by program (each process read every second; {sum(programs.values()):.0f} of the cores' {busy:.0f} busy s "
          "seen; the rest is the kernel's own work and processes ending between two readings):")
    for program, cpu in programs.most_common():
        print(f"{cpu:9.0f} s  {started[program]:5d} processes  {program}")
    own, children = sum(r["own"] for r in rows), sum(r["children"] for r in rows)
    compute, computes = sum(r["compute"] for r in rows), sum(r["computes"] for r in rows)
    print(f"{len(rows)} tests: own CPU {own:.0f} s, waited-for children {children:.0f} s; marts.compute {computes} times, "
          f"{compute:.0f} s ({compute / (own or 1):.0%} of the tests' own)")
    modules: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0, 0.0])
    for r in rows:
        m = modules[r["test"].split("::")[0]]
        m[0] += r["own"]
        m[1] += r["children"]
        m[2] += r["compute"]
        m[3] += r["computes"]
        m[4] += r["wall"]
    print(f"\n{'own':>7} {'children':>9} {'compute':>8} {'n':>4} {'wall':>7}  module")
    for name, (o, c, cp, n, w) in sorted(modules.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:25]:
        print(f"{o:7.1f} {c:9.1f} {cp:8.1f} {n:4d} {w:7.1f}  {name}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
