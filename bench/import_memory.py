"""Peak memory of importing a large orders workbook (default a million rows), as an analyst's upload runs it.

Makes the workbook (.xlsx, or .csv with --csv) and a store holding its institutions and products, then runs
`python -m core import FILE --db URL` and samples every process of the import (the command, its reading helper and
the helper's two children, one reading the cells, one examining the file) every 0.1 s. Prints the peak of their sum and each process's own peak (the target:
under 2 GB), and the time. The refresh that follows the rows is included (as after an upload).
Run: python bench/import_memory.py [--rows N] [--csv] [--db URL] (default: a SQLite file in a temporary folder)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_speed import BASE, orders  # noqa: E402 - the same rows as the speed benchmark

from core.access.roles import system_user  # noqa: E402
from core.ingest import exporter, importer  # noqa: E402
from core.paths import ROOT  # noqa: E402
from core.store.opening import open_store  # noqa: E402


def _tree(root: int) -> dict[int, int]:
    """The process `root` and its descendants: pid -> parent pid."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = {root: 0}, [root]
    while todo:
        pid = todo.pop()
        for child in (c for c, parent in parents.items() if parent == pid):
            found[child] = pid
            todo.append(child)
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next((int(line.split()[1]) * 1024 for line in fh if line.startswith("VmRSS")), 0)
    except OSError:
        return 0


def _kind(pid: int, root: int, helpers: set[int]) -> str:
    if pid == root:
        return "the import command"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            command = fh.read()
    except OSError:
        return "?"
    if b"core.ingest.sandbox" in command:
        return "reading helper" if pid in helpers else "helper's child (reads or examines)"
    return command.split(b"\0")[0].decode(errors="replace")


def measure(argv: list[str]) -> tuple[int, float, int, dict[str, int]]:
    """(exit code, seconds, peak of the sum of the tree's RSS, peak RSS by kind of process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL)
    peak, by_kind, helpers = 0, {}, set()
    while proc.poll() is None:
        pids = _tree(proc.pid)
        helpers |= {pid for pid, parent in pids.items() if parent == proc.pid}
        sizes = {pid: _rss(pid) for pid in pids}
        peak = max(peak, sum(sizes.values()))
        for pid, size in sizes.items():
            kind = _kind(pid, proc.pid, helpers)
            by_kind[kind] = max(by_kind.get(kind, 0), size)
        time.sleep(0.1)
    return proc.returncode, time.perf_counter() - start, peak, by_kind


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--csv", action="store_true", help="a CSV file instead of a workbook")
    ap.add_argument("--db", help="a store URL (its data is replaced); default a SQLite file of its own")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = args.db or f"sqlite:///{folder / 'memory.sqlite3'}"
    store = open_store(url)
    importer.import_files(store, [exporter.write_xlsx(BASE, folder / "base.xlsx")], actor=system_user(store))
    made = time.perf_counter()
    frame = orders(args.rows)
    if args.csv:
        path = exporter.write_csv({"orders": frame}, folder, encoding="utf-8")[0]
    else:
        path = exporter.write_xlsx({"orders": frame}, folder / "orders.xlsx")
    print(f"{path.name}: {args.rows:,} rows, {path.stat().st_size / 1048576:.0f} MB, made in "
          f"{time.perf_counter() - made:.0f} s")
    code, seconds, peak, by_kind = measure([sys.executable, "-m", "core", "import", str(path), "--db", url])
    print(f"exit {code}, {seconds:.1f} s; peak of all the import's processes together: {peak / 1048576:,.0f} MB")
    for kind, size in sorted(by_kind.items(), key=lambda item: -item[1]):
        if size:
            print(f"  {kind:36s} {size / 1048576:8,.0f} MB")


if __name__ == "__main__":
    main()
