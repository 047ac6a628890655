"""Loaded by Python at start-up in processes a test starts with this folder first on PYTHONPATH: with
VBP_TEST_FAULT=refresh, the figures of the store fail midway, as a bug would make them (the import's worker process
is where a page's upload computes them, out of reach of a test's monkeypatch)."""
import os

if os.environ.get("VBP_TEST_FAULT") == "refresh":
    from core.refresh import marts

    def _broken(*_args, **_kwargs):
        raise RuntimeError("a step of the refresh failed")

    marts._store_view = _broken
