"""Command line: python -m core demo | import | flags | indicators.

Exit codes: 0 done, 1 invalid input (every problem printed), 2 misuse.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from . import demo, importer, uploads
from .store import open_store


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def cmd_demo(args) -> int:
    store = open_store(args.db)
    try:
        counts = demo.load(store, scale=args.scale, seed=args.seed, replace=args.replace, progress=_progress)
    except demo.StoreNotEmpty as err:
        print(err, file=sys.stderr)
        return 2
    for name, n in counts.items():
        print(f"{name}\t{n}")
    return 0


def cmd_import(args) -> int:
    paths = [Path(p) for p in args.files]
    for p in paths:
        if not p.exists():
            print(f"文件不存在 / no such file: {p}", file=sys.stderr)
            return 2
    store = open_store(args.db)
    user = os.environ.get("USER") or "cli"
    names, digest = ", ".join(p.name for p in paths), uploads.sha256(paths)
    try:
        extract, counts = importer.import_files(store, paths, dry_run=args.dry_run, progress=_progress)
    except importer.InvalidExtract as err:
        extract, counts = importer.Extract(problems=err.problems), {}
    if not extract.ok:
        for problem in extract.problems:
            print(problem, file=sys.stderr)
        print(f"共 {len(extract.problems)} 个错误，未写入任何数据 / {len(extract.problems)} errors, nothing written",
              file=sys.stderr)
        uploads.record(store, user, names, digest, {}, "rejected", len(extract.problems))
        return 1
    rows = {name: len(f) for name, f in extract.frames.items()}
    if args.dry_run:
        diff = uploads.dry_run(store, extract.frames)
        print("sheet\tinsert\treplace\tunchanged\t(将新增/替换/不变 would insert/replace/leave)")
        for r in diff.itertuples(index=False):
            print(f"{r.sheet}\t{r.insert}\t{r.replace}\t{r.unchanged}")
        uploads.record(store, user, names, digest, rows, "dry_run", 0)
        return 0
    for name, n in counts.items():
        print(f"{name}\t{n}\t已写入 / written")
    uploads.record(store, user, names, digest, counts, "imported", 0)
    return 0


def cmd_flags(args) -> int:
    from . import marts, report
    store = open_store(args.db)
    frame = marts.flags(store, as_of=args.as_of, category=args.category or "")
    report.emit(frame, args.format, sys.stdout)
    return 0


def cmd_indicators(args) -> int:
    from . import marts, report
    store = open_store(args.db)
    frame = marts.indicator_table(store, args.level, as_of=args.as_of, category=args.category or "")
    report.emit(frame, args.format, sys.stdout)
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text}") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="集采全流程监测平台 命令行 / VBP monitoring command line")
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp):
        sp.add_argument("--db", metavar="URL", help="数据库地址，默认 VBP_DATABASE_URL 或 data/vbp.sqlite3")
        return sp

    d = with_db(sub.add_parser("demo", help="生成并载入演示数据 / load the demo province"))
    d.add_argument("--scale", choices=sorted(demo.SCALES), default="demo")
    d.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    d.add_argument("--replace", action="store_true", help="清空现有数据后载入 / wipe existing data first")
    d.set_defaults(func=cmd_demo)

    i = with_db(sub.add_parser("import", help="导入标准抽取文件 / import standard extract files"))
    i.add_argument("files", nargs="+")
    i.add_argument("--dry-run", action="store_true", help="只检查不写入 / check only")
    i.set_defaults(func=cmd_import)

    f = with_db(sub.add_parser("flags", help="列出全部预警 / list every flag"))
    f.add_argument("--as-of", type=_date)
    f.add_argument("--category", choices=("药品", "耗材"), help="只计该类产品 / one product category only")
    f.add_argument("--format", choices=("csv", "table"), default="csv")
    f.set_defaults(func=cmd_flags)

    n = with_db(sub.add_parser("indicators", help="各级指标 / indicators by level"))
    n.add_argument("--level", required=True, choices=("province", "city", "county", "institution", "enterprise"))
    n.add_argument("--as-of", type=_date)
    n.add_argument("--category", choices=("药品", "耗材"), help="只计该类产品 / one product category only")
    n.add_argument("--format", choices=("csv", "table"), default="csv")
    n.set_defaults(func=cmd_indicators)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
