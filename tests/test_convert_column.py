"""The import converts a column at once and leaves every cell it cannot take at once to the cell-by-cell
conversion: each value and each message must be what the cell-by-cell conversion gives, for the cells a column
usually holds and for the odd ones (signs, exponents, underscores, serial dates, out-of-range days and years,
invisible characters, full-width letters, over-long text)."""
from __future__ import annotations

import random

import pytest

from core.ingest import importer
from core.policy import extract as F

EDGES = ["", "0", "00", "0012", "12", "1.5", "-1.5", "+3", "1.", ".5", "1e3", "1E-2", "-0", "1_000", " 7", "1e400",
         "inf", "-inf", "nan", "NaN", "1e12", "1000000000001", "2025.5", "2025", "1989", "2100", "abc", "十个", "１２",
         "2026-03-02", "2026-02-30", "2026-3-2", "20260302", "2026-03-02 00:00:00", "2026-03-02T08:00", "46083",
         "46083.5", "1989-12-31", "1990-01-01", "2099-12-31", "2100-01-01", "0000-01-01", "A\u200b1", "a\x00b",
         "H3701020001", "H 370", "x" * 60, "中选", "非中选", "是", "否", "线上", "其他", "1\u2028"]


def _one_by_one(column: F.Column, texts: list[str], length: int | None) -> tuple[list, list[tuple]]:
    values, wrong = [], []
    for i, text in enumerate(texts):
        if text == "":
            values.append(None)
            if column.required:
                wrong.append((i, "", "必填项为空", "required value is empty"))
            continue
        try:
            values.append(importer._convert(column, text, length))
        except ValueError as err:
            values.append(None)
            wrong.append((i, text, *err.args))
    return values, wrong


COLUMNS = [(sheet.name, c) for sheet in F.SHEETS for c in sheet.columns]


@pytest.mark.parametrize("sheet,column", COLUMNS, ids=[f"{s}.{c.name}" for s, c in COLUMNS])
def test_each_cell_gets_what_the_cell_by_cell_conversion_gives(sheet, column):
    rng = random.Random(f"{sheet}.{column.name}")
    alphabet = "0123456789.-+eE_ x中１\u200b:T"
    texts = EDGES + ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(300)]
    texts = [t.strip() for t in texts]
    for length in (None, 20):
        got = importer._convert_column(column, texts, length)
        expected = _one_by_one(column, texts, length)
        assert got[1] == expected[1]
        for value, want, text in zip(got[0], expected[0], texts):
            assert type(value) is type(want) and value == want, (text, value, want)


QUIET = [(s, c) for s, c in COLUMNS if c.name in ("order_id", "institution_name", "order_qty", "order_date", "channel")]


@pytest.mark.parametrize("sheet,column", QUIET, ids=[f"{s}.{c.name}" for s, c in QUIET])
def test_a_clean_column_with_one_odd_cell_deep_inside(sheet, column):
    """A column the quick path takes whole (every cell printable) is not left unchecked: one cell with a newline,
    a zero-width space or a full-width space among a thousand clean ones gets what the cell-by-cell conversion
    gives, and a full-width space (not printable, not invisible) is no invisible character."""
    clean = {"code": "H3701020001", "text": "某某医院", "qty": "12", "date": "2026-03-02", "choice": "线上"}[column.kind]
    for odd in ("a\nb", "A\u200bB", "甲\u3000乙", "12\u3000", "\u3000"):
        texts = [clean] * 700 + [odd] + [clean] * 300 + [""]
        got = importer._convert_column(column, texts, 40)
        expected = _one_by_one(column, texts, 40)
        assert got[1] == expected[1], odd
        assert got[0] == expected[0], odd
