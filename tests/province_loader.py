"""A worker for tests/test_every_province.py: `python -m tests.province_loader` reads lines "<province code> <store
URL>" from stdin and, for each, runs what `python -m core demo --scale mini --db <URL>` runs with VBP_PROVINCE_CODE set
to the code (core.cli.main, in this process), then writes one JSON line {"province", "exit", "stderr"} to stdout.
One long-lived process loads many provinces: Python, pandas and cnmaps start once, not once a province."""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback

from core.cli import main as cli
from core.store import db
from core.store.opening import ENV_PROVINCE


def load(province: str, url: str) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    os.environ[ENV_PROVINCE] = province
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main(["demo", "--scale", "mini", "--db", url])
        except SystemExit as stop:  # argparse and friends, as the command line would end
            code = stop.code if isinstance(stop.code, int) else 1
        except Exception:  # noqa: BLE001 - reported to the test as the command line would print it
            traceback.print_exc()
            code = 1
        finally:
            db.dispose(url)
    return code, err.getvalue()


def serve() -> None:
    for line in sys.stdin:
        province, url = line.split()
        code, err = load(province, url)
        print(json.dumps({"province": province, "exit": code, "stderr": err[-2000:]}), flush=True)


if __name__ == "__main__":
    serve()
