"""A problem found in an upload: where it is, the value, and what is wrong, in Chinese and English."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # as the spreadsheet numbers it (header = 1)
    column: str
    value: str
    zh: str
    en: str

    def __str__(self) -> str:
        where = f"{self.sheet}" + (f" 第{self.row}行" if self.row else "") + (f" [{self.column}]" if self.column else "")
        said = f"{self.zh} / {self.en}" + (f" (值 value: {self.value!r})" if self.value else "")
        return f"{where}: {said}" if where else said  # a problem of no sheet (the store busy, changed) alone
