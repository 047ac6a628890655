"""One import path: read a standard extract, map its headers, check it whole, then write.

Reads .xlsx (calamine) with English or Chinese sheet names and headers, or one .csv per
sheet named after it (UTF-8, UTF-8 with BOM, or GB18030). Every cell is read as text and
converted by the column's kind, so codes keep their leading zeros. Nothing is written
unless the whole file is valid; a valid file is written in one transaction, rows
inserted or replaced by their key.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine
import sqlalchemy as sa

from . import db, marts
from . import formats as F
from . import schema as S
from . import validate
from .accounts import User, require
from .admin import remove_demo_accounts
from .problems import Problem


@dataclass
class Extract:
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet name -> typed frame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class InvalidExtract(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnicodeDecodeError("csv", raw[:1], 0, 1, "neither UTF-8 nor GB18030")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _read_xlsx(path: Path) -> dict[str, tuple[pd.DataFrame, set[tuple[int, str]]]]:
    """Each sheet as text, with the (row index, header) of cells Excel stored as numbers."""
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    out = {}
    for title in wb.sheet_names:
        rows = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
        rows = [r for r in rows if any(v not in (None, "") for v in r)] if rows else []
        if not rows:
            out[title] = (pd.DataFrame(), set())
            continue
        header = [_cell_text(v).strip() for v in rows[0]]
        numeric = {(i, header[j]) for i, r in enumerate(rows[1:]) for j, v in enumerate(r)
                   if j < len(header) and isinstance(v, (int, float)) and not isinstance(v, bool)}
        body = [[_cell_text(v) for v in r[:len(header)]] + [""] * (len(header) - len(r)) for r in rows[1:]]
        out[title] = (pd.DataFrame(body, columns=header), numeric)
    return out


def read_raw(paths: list[Path], limits: validate.Limits = validate.Limits()):
    """Sheets as text frames keyed by standard sheet name: (title, frame, numeric cells)."""
    sheets: dict[str, tuple[str, pd.DataFrame, set]] = {}
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        refused = validate.refuse(path, limits)
        if refused is not None:
            problems.append(refused)
            continue
        try:
            if path.suffix.lower() == ".csv":
                found = {path.stem: (_read_csv(path), set())}
            else:
                found = _read_xlsx(path)
        except (UnicodeDecodeError, python_calamine.CalamineError, ValueError) as err:
            problems.append(Problem(path.name, None, "", "", f"无法读取文件：{type(err).__name__}",
                                    f"the file cannot be read: {type(err).__name__}"))
            continue
        for title, (frame, numeric) in found.items():
            if str(title).strip().lower() in F.NOTE_SHEETS:
                continue
            sheet = F.sheet_for(str(title))
            if sheet is None:
                problems.append(Problem(str(title), None, "", str(title), "未知的工作表名称", "unknown sheet name"))
                continue
            if sheet.name in sheets:
                problems.append(Problem(str(title), None, "", path.name, f"工作表“{sheet.zh}”在上传中出现了不止一次",
                                        f"the sheet {sheet.name} is given more than once in this upload"))
                continue
            sheets[sheet.name] = (str(title), frame, numeric)
    total = sum(len(f) for _, f, _ in sheets.values())
    if total > limits.max_rows:
        problems.append(Problem(", ".join(t for t, _, _ in sheets.values()), None, "", str(total),
                                f"行数超过上限 {limits.max_rows:,}", f"more rows than the limit of {limits.max_rows:,}"))
        sheets = {}
    return sheets, problems


def _convert(column: F.Column, text: str):
    """Text of one cell to its value; raises ValueError with (zh, en) when it does not fit."""
    if column.kind in ("code", "text"):
        return text
    if column.kind == "choice":
        if text not in column.choices:
            raise ValueError(f"取值应为 {'/'.join(column.choices)}", f"must be one of {'/'.join(column.choices)}")
        return text
    if column.kind == "date":
        try:
            if text.replace(".", "", 1).isdigit():  # an Excel serial date
                return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(text)))
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise ValueError("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD") from None
    try:
        number = float(text)
    except ValueError:
        raise ValueError("应为数字", "must be a number") from None
    if column.kind == "int":
        if number != int(number):
            raise ValueError("应为整数", "must be a whole number")
        return int(number)
    if column.kind == "qty" and number < 0:
        raise ValueError("数量不能为负", "quantity must not be negative")
    return number


def parse(paths: list[Path], store=None, limits: validate.Limits = validate.Limits(), fresh: bool = False) -> Extract:
    """Read and check files against the format and the store; every problem is collected, nothing is written.
    `fresh`: the store's rows are about to go (the demo is cleared), so the files must stand on their own."""
    raw, problems = read_raw(paths, limits)
    out = Extract(problems=problems)
    titles = {}
    for name, (title, frame, numeric) in raw.items():
        titles[name] = title
        sheet = F.SHEET_BY_NAME[name]
        mapping = {}
        for header in frame.columns:
            col = F.column_for(sheet, header)
            if col is None:
                out.problems.append(Problem(title, 1, str(header), str(header), "未知的列名", "unknown column header"))
            else:
                mapping[header] = col.name
        frame = frame.rename(columns=mapping)
        missing = [c for c in sheet.columns if c.required and c.name not in frame.columns]
        for c in missing:
            out.problems.append(Problem(title, 1, f"{c.zh} {c.name}", "", "缺少必填列", "required column is missing"))
        if missing:
            continue
        typed: dict[str, list] = {c.name: [] for c in sheet.columns}
        numeric_codes = {(i, mapping[h]) for i, h in numeric if h in mapping}
        for i, record in enumerate(frame.to_dict("records")):
            excel_row = i + 2
            for c in sheet.columns:
                text = str(record.get(c.name, "") or "").strip()
                if c.kind == "code" and text and (i, c.name) in numeric_codes and _lost_zeros(
                        text, c.name, frame, {r for r, name in numeric_codes if name == c.name}):
                    out.problems.append(Problem(title, excel_row, f"{c.zh} {c.name}", text,
                                                "编码被保存为数字，前导零已丢失；请将该列设为文本格式后重新填写",
                                                "the code was saved as a number and lost its leading zeros: format the column as text"))
                if text == "":
                    if c.required:
                        out.problems.append(Problem(title, excel_row, f"{c.zh} {c.name}", "", "必填项为空", "required value is empty"))
                    typed[c.name].append(None)
                    continue
                try:
                    typed[c.name].append(_convert(c, text))
                except ValueError as err:
                    zh, en = err.args
                    out.problems.append(Problem(title, excel_row, f"{c.zh} {c.name}", text, zh, en))
                    typed[c.name].append(None)
        typed_frame = pd.DataFrame(typed)
        if "is_primary" in typed_frame:
            typed_frame["is_primary"] = typed_frame["is_primary"].map({"是": True, "否": False})
        dupes = typed_frame.duplicated(subset=list(sheet.key), keep="first")
        for i in typed_frame.index[dupes]:
            out.problems.append(Problem(title, i + 2, "+".join(sheet.key), "", "主键重复", "duplicate key in the file"))
        out.frames[name] = typed_frame
    # Rules across rows and the store run on what could be read, so all problems show at once.
    out.problems += validate.rules(out.frames, titles, store, fresh) + validate.province_rules(out.frames, titles, store)
    return out


def _lost_zeros(text: str, column: str, frame: pd.DataFrame, numeric_rows: set[int]) -> bool:
    """A code Excel stored as a number has lost its leading zeros when it is shorter than the codes
    of that column that were kept as text."""
    kept = [len(str(v).strip()) for i, v in enumerate(frame[column]) if i not in numeric_rows and str(v).strip()]
    return bool(kept) and len(text) < max(kept)


class DemoInTheWay(ValueError):
    """Real data into a store that holds the demo: the demo has to go first (asked for, never silently)."""

    def __init__(self):
        super().__init__("数据库中是演示数据：导入正式数据前须先清除全部演示数据（页面上勾选“清除演示数据后导入”，命令行加 "
                         "--clear-demo），正式数据不会与演示数据混在一起 / the store holds the demo province: clear it first "
                         "(tick “clear the demo” on the page, or add --clear-demo), so real data never mixes with the demo")


def write(store, extract: Extract, actor: User, progress=None, clear_demo: bool = False) -> dict[str, int]:
    """Write a valid extract in one transaction; on any database error nothing is kept. Only a role
    that may upload can write. Into a store that holds the demo only with `clear_demo`: the demo's rows and
    accounts then go in the same transaction, and the store holds the real data alone."""
    require(actor, "upload")
    if not extract.ok:
        raise InvalidExtract(extract.problems)
    if store.holds_demo() and not clear_demo:
        raise DemoInTheWay()
    counts = {}
    try:
        with store.begin() as conn:
            if clear_demo and store.holds_demo():
                from . import demo
                demo.clear(conn)
            for name in F.WRITE_ORDER:
                if name in extract.frames:
                    if progress is not None:
                        progress(0.0, f"写入 {name} / writing {name}")
                    counts[name] = db.upsert(conn, S.DATA_TABLES[name], extract.frames[name])
            store.bump_data_version(conn)
            remove_demo_accounts(conn)
            store.set_meta(conn, "demo_closed", "1")
    except sa.exc.IntegrityError as err:
        reason = str(err.orig).splitlines()[0]
        raise InvalidExtract([Problem(name, None, "", "", f"数据库拒绝写入（引用不存在的编码或违反约束），未写入任何数据：{reason}",
                                      f"the store refused the rows (unknown code or broken rule); nothing was written: {reason}")]) from None
    return counts


def import_files(store, paths: list[Path], *, actor: User, dry_run: bool = False, progress=None,
                 limits: validate.Limits | None = None, clear_demo: bool = False) -> tuple[Extract, dict[str, int]]:
    """Parse, check and write files; after a write the marts are recomputed. `clear_demo`: the store's demo goes
    first (in the import's transaction), and the files are checked against an empty store."""
    require(actor, "upload")
    extract = parse(paths, store, limits or validate.Limits.of(store), fresh=clear_demo and store.holds_demo())
    if not extract.ok or dry_run:
        return extract, {}
    counts = write(store, extract, actor, progress, clear_demo)
    if store.counts()["orders"]:
        marts.refresh(store, progress=progress or (lambda _f, _m: None))
    return extract, counts
