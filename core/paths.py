"""Where the project's files are: the checkout and its data/ folder (the store's default file, caches, calendars).

A leaf every layer may import: it knows no other module.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
