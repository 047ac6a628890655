"""One import path: read a standard extract, map its headers, check it whole, then write.

Reads a workbook (.xlsx, .xls, .ods or .xlsb, by calamine, whatever its suffix says) with English or Chinese sheet
names and headers, or one .csv per sheet whose file name is, or contains, the sheet's name (UTF-8 with or without
BOM, UTF-16, GB18030). Every cell is read as text and converted by the column's kind, so codes keep their leading
zeros (and a code column that lost them is named as the cause). Nothing is written
unless the whole file is valid; a valid file is written in one transaction, rows
inserted or replaced by their key.
"""
from __future__ import annotations

import codecs
import datetime as dt
import functools
import io
import logging
import math
import re
import sys
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from core import demo
from core.access import audit
from core.access.admin import remove_demo_accounts
from core.access.roles import require, User
from core.ingest import sandbox, uploads, validate
from core.ingest.problems import Problem
from core.policy import extract as F
from core.refresh import marts
from core.store import db
from core.store import schema as S
from core.store.opening import StoreBusy

LOG = logging.getLogger("vbp")


@dataclass
class Extract:
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet name -> typed frame
    problems: list[Problem] = field(default_factory=list)
    checked_at: str | None = None  # the store's rows version the rules were checked against (parse)
    written_at: str | None = None  # the rows version its write made (write): its undo takes back only its own

    @property
    def ok(self) -> bool:
        return not self.problems


class InvalidExtract(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Unreadable(ValueError):
    """A file that cannot be read as what it claims to be: the message says why, in Chinese and English."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en)
        self.zh, self.en = zh, en


def _common_share(text: str) -> float:
    """The share of a text's letters beyond ASCII that are common simplified Chinese characters (those of GB2312):
    near 1 for Chinese written in GB18030, low for Big5 bytes read as GB18030, which come out as rare characters
    and Japanese kana. Punctuation does not count."""
    letters = [ch for ch in text if ord(ch) > 0x7F and unicodedata.category(ch).startswith("L")]
    if not letters:
        return 1.0
    common = 0
    for ch in letters:
        if "\u4e00" <= ch <= "\u9fff":
            try:
                ch.encode("gb2312")
                common += 1
            except UnicodeEncodeError:
                pass
    return common / len(letters)


def _refuse_damaged_utf8(raw: bytes, first_bad: int) -> None:
    """Refuses, naming the line, a UTF-8 file with a few invalid bytes (cut or changed in transfer or editing):
    its Chinese decodes as UTF-8 everywhere else. GB18030 text read as UTF-8 gives about one Chinese character by
    chance per forty invalid sequences (measured on the notice's text); a file with four good characters or more per
    invalid sequence is UTF-8 damaged."""
    text = raw.decode("utf-8", "replace")
    bad = len(re.findall("\ufffd+", text))  # one damaged character may leave two or three replacement marks
    good = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if bad * 4 > good:
        return
    line = raw[:first_bad].count(b"\n") + 1
    raise Unreadable(f"文件为 UTF-8 编码，但第 {line} 行含有无效字节（全文件共 {bad} 处），文件可能在传输或编辑中损坏；"
                     "请从原表格重新导出为 UTF-8 编码的 CSV",
                     f"the file is UTF-8 but line {line} holds invalid bytes ({bad} in the file): it may have been "
                     "damaged in transfer or editing; export the CSV again as UTF-8")


def _decode_csv(raw: bytes) -> str:
    """A CSV's text: UTF-8 (with or without BOM), UTF-16 (by its BOM, or by the zero bytes of its ASCII
    characters all on one side), or GB18030; Big5 is recognised and refused by name."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8", "strict")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    head = raw[:65536]
    if b"\x00" in head:
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if min(odd, even) * 20 <= max(odd, even) and max(odd, even) * 10 >= len(head) and len(raw) % 2 == 0:
            return raw.decode("utf-16-le" if odd > even else "utf-16-be")
        raise Unreadable("文件含有空字节（\\0），不是文本文件", "the file holds NUL bytes: it is not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        _refuse_damaged_utf8(raw, err.start)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise Unreadable("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV",
                         "the file's encoding is not recognised: save the CSV as UTF-8 or GB18030") from None
    if _common_share(text) < 0.8:
        try:
            raw.decode("big5")
        except UnicodeDecodeError:
            return text
        raise Unreadable("文件为 Big5（繁体中文）编码，请另存为 UTF-8 或 GB18030 编码的 CSV",
                         "the file is in Big5 (traditional Chinese): save it as UTF-8 or GB18030")
    return text


CSV_PIECE = 1 << 24  # bytes of a CSV decoded at a time while its encoding is checked


def _plain_utf8(path: Path) -> str | None:
    """"utf-8-sig" or "utf-8" for a CSV that is UTF-8 throughout (with or without its BOM) and holds no NUL byte,
    found by decoding it a piece at a time (no copy of its whole text); None for any other file. Such a file is
    one `_decode_csv` reads as UTF-8 too, so pandas can read it from the disk itself: the bytes, their text and a
    StringIO of it (four bytes a character once one Chinese character is in it) are never held at once."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with open(path, "rb") as fh:
        bom = fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        fh.seek(0)
        while piece := fh.read(CSV_PIECE):
            if b"\x00" in piece:
                return None
            try:
                decoder.decode(piece)
            except UnicodeDecodeError:
                return None
    try:
        decoder.decode(b"", final=True)  # a character cut at the end
    except UnicodeDecodeError:
        return None
    return "utf-8-sig" if bom else "utf-8"


def _read_csv(path: Path) -> pd.DataFrame:
    codec = _plain_utf8(path)
    source = path if codec is not None else io.StringIO(_decode_csv(path.read_bytes()))
    frame = pd.read_csv(source, encoding=codec, dtype=str, keep_default_na=False)
    return frame.fillna("")  # a row shorter than the header: its missing cells are empty


def _fits(sheet: F.Sheet, headers: list) -> bool:
    """Whether every header names a column of the sheet and every required column of it is there."""
    columns = [F.column_for(sheet, h) for h in headers]
    return bool(headers) and None not in columns and \
        {c.name for c in sheet.columns if c.required} <= {c.name for c in columns}


def _sheet_of(title: str, csv: bool, headers: list = ()) -> F.Sheet | Problem | None:
    """The sheet a workbook's tab, or a CSV file by its name, stands for; None for the notes (skipped); a Problem
    naming every accepted name when it stands for none (or, a CSV's name, for several). A CSV whose name contains
    sheet names is matched by its `headers` among them (产品约定采购量.csv holding agreements), or, when its columns
    fit none of them and one other sheet alone, to that one (配送企业订单.csv holding orders, not enterprises)."""
    if title.strip().lower() in F.NOTE_SHEETS:
        return None
    sheet = F.sheet_for(title)
    if sheet is not None:
        return sheet
    named = F.sheets_named_in(title) if csv else []  # filled-医疗机构, orders_2026-10
    fitting = [s for s in F.SHEETS if _fits(s, list(headers))] if named else []
    by_columns = [s for s in named if s in fitting] or ([] if len(fitting) != 1 else fitting)
    if len(by_columns) == 1:
        return by_columns[0]
    if len(named) == 1:
        return named[0]
    if csv and not named and any(note in title.lower() for note in F.NOTE_SHEETS):
        return None  # the template's notes saved as a CSV of their own (filled-填写说明.csv)
    what = ("CSV 文件名", "the CSV file name") if csv else ("工作表名称", "the sheet name")
    said = (f"同时含有 {'、'.join(s.zh for s in named)}，无法确定是哪张表",
            f"names {', '.join(s.name for s in named)} at once, so the sheet it holds is unclear") if len(named) > 1 else \
        ("未对应任何工作表", "names no sheet")
    return Problem(title, None, "", title, f"{what[0]}{said[0]}；应为（或含有）以下名称之一：{F.accepted_names('zh')}",
                   f"{what[1]} {said[1]}: it must be (or contain) one of {F.accepted_names('en')}")


def read_raw(paths: list[Path], limits: validate.Limits = validate.Limits()):
    """Sheets as text frames keyed by standard sheet name: (title, frame, numeric cells)."""
    sheets: dict[str, tuple[str, pd.DataFrame, set]] = {}
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        csv = path.suffix.lower() == ".csv"
        if csv:
            kind, refused = validate.examine(path, limits)
        else:  # examined and read in a child process: whatever the file does there, it is refused here
            kind, refused, found = sandbox.examine_and_read(path, limits)
        if refused is not None:
            problems.append(refused)
            continue
        try:
            if csv:
                found = {path.stem: (_read_csv(path), {})}
        except Unreadable as err:
            problems.append(Problem(path.name, None, "", "", err.zh, err.en))
            continue
        except (UnicodeDecodeError, ValueError, pd.errors.ParserError, OverflowError) as err:
            problems.append(Problem(path.name, None, "", "", f"无法读取文件（{type(err).__name__}），请确认文件完整且为标准格式",
                                    f"the file cannot be read ({type(err).__name__}): check it is whole and in the standard format"))
            continue
        for title, (frame, numeric) in found.items():
            sheet = _sheet_of(str(title), csv, list(frame.columns))
            if sheet is None:  # the notes
                continue
            if isinstance(sheet, Problem):
                problems.append(sheet)
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


MAX_PROBLEMS = 1_000  # problems listed for one upload
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2099, 12, 31)  # dates outside are typing errors, not data
LARGEST = 1e12  # no quantity, price or count of this platform comes near it


def _invisible(text: str) -> str | None:
    """The first control, invisible or format character of a text (a NUL byte, a zero-width space), or None."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return ch
    return None


def _convert(column: F.Column, text: str, length: int | None = None):
    """Text of one cell to its value; raises ValueError with (zh, en) when it does not fit."""
    hidden = _invisible(text)
    if hidden is not None:
        raise ValueError(f"含有不可见字符 U+{ord(hidden):04X}，请删除后重新输入",
                         f"holds an invisible character U+{ord(hidden):04X}: delete it and type the value again")
    if length is not None and len(text) > length:
        raise ValueError(f"长度为 {len(text)} 个字符，超过上限 {length}", f"{len(text)} characters, more than {length}")
    if column.kind == "code":
        odd = next((ch for ch in text if not "!" <= ch <= "~"), None)
        if odd is not None:  # full-width letters, spaces, Chinese: a look-alike of another code
            raise ValueError(f"编码只能含半角英文字母、数字和符号（发现“{odd}”U+{ord(odd):04X}）",
                             f"a code has half-width letters, digits and signs only (found U+{ord(odd):04X})")
        return text
    if column.kind == "text":
        return text
    if column.kind == "choice":
        if text not in column.choices:
            raise ValueError(f"取值应为 {'/'.join(column.choices)}", f"must be one of {'/'.join(column.choices)}")
        return text
    if column.kind == "date":
        try:
            if text.replace(".", "", 1).isdigit():  # an Excel serial date
                serial = float(text)
                if not 1 <= serial <= 2958465:
                    raise OverflowError
                day = dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
            else:
                day = dt.date.fromisoformat(text[:10])
        except (ValueError, OverflowError):
            raise ValueError("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD") from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(f"日期应在 {FIRST_DAY} 至 {LAST_DAY} 之间", f"a date lies between {FIRST_DAY} and {LAST_DAY}")
        return day
    try:
        number = float(text)
    except ValueError:
        raise ValueError("应为数字", "must be a number") from None
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise ValueError("应为有限的数字（不能是 nan、inf 或过大的数）", "must be a finite number (not nan, inf or a huge one)")
    if column.kind == "int":
        if number != int(number):
            raise ValueError("应为整数", "must be a whole number")
        if column.name == "year" and not FIRST_DAY.year <= number <= LAST_DAY.year:
            raise ValueError(f"年度应在 {FIRST_DAY.year} 至 {LAST_DAY.year} 之间",
                             f"a year lies between {FIRST_DAY.year} and {LAST_DAY.year}")
        return int(number)
    if column.kind == "qty" and number < 0:
        raise ValueError("数量不能为负", "quantity must not be negative")
    return number


@functools.cache
def _invisible_class() -> re.Pattern:
    """A pattern matching any control, invisible or format character, or line or paragraph separator (the
    characters `_invisible` finds), built once from the Unicode database."""
    wanted = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")]
    ranges, start = [], wanted[0]
    for prev, c in zip(wanted, wanted[1:] + [None]):
        if c != prev + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = c
    return re.compile("[" + "".join(ranges) + "]")


_NO = object()  # a cell the quick conversion leaves to `_convert`, which says what is wrong with it
_CODE = re.compile(r"[!-~]+")
_NOT_CODE = re.compile(r"[^!-~\n]")  # in a column's codes joined by newlines


def _quick(column: F.Column):
    """A function from a cell's text (not empty, no invisible character, not too long) to its value as `_convert`
    gives it, or _NO when the cell needs `_convert`'s word on it; the common cells of each kind in a few steps."""
    kind = column.kind
    if kind == "code":
        return lambda t: t if _CODE.fullmatch(t) else _NO
    if kind == "text":
        return lambda t: t
    if kind == "choice":
        choices = frozenset(column.choices)
        return lambda t: t if t in choices else _NO

    if kind == "date":
        def day(t):
            if t.replace(".", "", 1).isdigit():
                return _NO  # an Excel serial date
            try:
                d = dt.date.fromisoformat(t[:10])
            except ValueError:
                return _NO
            return d if FIRST_DAY <= d <= LAST_DAY else _NO
        return day
    lowest = 0 if kind == "qty" else -LARGEST
    years = column.name == "year"

    def number(t):
        try:
            x = float(t)
        except ValueError:
            return _NO
        if not lowest <= x <= LARGEST:  # also nan
            return _NO
        if kind != "int":
            return x
        if x != int(x) or (years and not FIRST_DAY.year <= x <= LAST_DAY.year):
            return _NO
        return int(x)
    return number


def _convert_column(column: F.Column, texts: list[str], length: int | None) -> tuple[list, list[tuple]]:
    """A column's stripped texts to their values: the common cells by `_quick`, every other one by `_convert`, so
    each value and each message is what `_convert` gives (values with None where empty or wrong, [(row index, text,
    zh, en)] of empty required cells and cells that do not fit). Invisible characters are looked for in the whole
    column at once, and only the cells that may be wrong are visited one by one."""
    spaced, odd = " ".join(texts), set()
    if not spaced.isprintable():  # control, format and separator characters are not printable (nor are a few
        hidden = _invisible_class()  # others, such as U+3000: the exact class decides)
        if hidden.search(spaced) is not None:
            odd = {i for i, t in enumerate(texts) if hidden.search(t)}
    if length is not None and max(map(len, texts), default=0) > length:
        odd |= {i for i, t in enumerate(texts) if len(t) > length}
    if column.kind in ("text", "code") and (column.kind == "text" or _NOT_CODE.search("\n".join(texts)) is None):
        values = [t or None for t in texts]  # every cell fits as it is (a newline is an invisible character: odd)
        suspect = {""} if column.required and "" in texts else set()
    else:
        quick, distinct = _quick(column), set(texts)
        memo = {t: quick(t) for t in distinct if t}  # each distinct text once: days, quantities, codes repeat
        values = [memo[t] if t else None for t in texts]
        suspect = {t for t, v in memo.items() if v is _NO} | ({""} if column.required and "" in distinct else set())
    for i in odd:
        values[i] = None
    visit = odd | ({i for i, t in enumerate(texts) if t in suspect} if suspect else set())
    wrong = []
    for i in sorted(visit):
        t = texts[i]
        if values[i] is None and t == "":
            if column.required:
                wrong.append((i, "", "必填项为空", "required value is empty"))
        elif values[i] is None or values[i] is _NO:
            try:
                values[i] = _convert(column, t, length)
            except ValueError as err:
                values[i] = None
                wrong.append((i, t, *err.args))
    return values, wrong


def parse(paths: list[Path], store=None, limits: validate.Limits = validate.Limits(), fresh: bool = False) -> Extract:
    """Read and check files against the format and the store; every problem is collected, nothing is written.
    `fresh`: the store's rows are about to go (the demo is cleared), so the files must stand on their own."""
    checked_at = store.meta("rows_version", "0") if store is not None else None  # before any rule reads the store
    raw, problems = read_raw(paths, limits)
    if not raw and not problems:  # an empty workbook, or the notes alone: nothing to import is not a success
        problems.append(Problem(", ".join(Path(p).name for p in paths), None, "", "",
                                f"文件中没有标准抽取格式的工作表；工作表应为以下名称之一：{F.accepted_names('zh')}",
                                f"the file holds no sheet of the standard extract: a sheet is named one of "
                                f"{F.accepted_names('en')}"))
    out = Extract(problems=problems, checked_at=checked_at)
    titles, numeric_cells = {}, {}
    for name, (title, frame, numeric) in raw.items():
        titles[name] = title
        sheet = F.SHEET_BY_NAME[name]
        mapping, positions = {}, []
        for pos, header in enumerate(frame.columns):
            col = F.column_for(sheet, header)
            if col is None:
                out.problems.append(Problem(title, 1, str(header), str(header), "未知的列名", "unknown column header"))
            elif col.name in mapping.values():  # 机构编码 and institution_code, or one header twice
                out.problems.append(Problem(title, 1, str(header), str(header), f"列“{col.zh} {col.name}”出现了不止一次",
                                            f"the column {col.name} is given more than once"))
            else:
                mapping[header] = col.name
                positions.append(pos)
        frame = frame.iloc[:, positions].set_axis(list(mapping.values()), axis=1)
        missing = [c for c in sheet.columns if c.required and c.name not in frame.columns]
        for c in missing:
            out.problems.append(Problem(title, 1, f"{c.zh} {c.name}", "", "缺少必填列", "required column is missing"))
        if missing:
            continue
        lengths = {c.name: getattr(S.DATA_TABLES[name].c[c.name].type, "length", None) for c in sheet.columns}
        numeric_cells[name] = {mapping[h]: rows for h, rows in numeric.items() if h in mapping}
        typed: dict[str, list] = {}
        found: list[tuple[int, int, Problem]] = []  # (row index, column position, problem): said row by row
        for pos, c in enumerate(sheet.columns):
            texts = list(map(str.strip, frame[c.name].tolist())) if c.name in frame else [""] * len(frame)
            typed[c.name], wrong = _convert_column(c, texts, lengths.get(c.name))
            for i, text, zh, en in wrong:
                found.append((i, pos, Problem(title, i + 2, f"{c.zh} {c.name}", text, zh, en)))
        out.problems += [p for _, _, p in sorted(found, key=lambda f: f[:2])]
        typed_frame = pd.DataFrame(typed)
        if "is_primary" in typed_frame:
            typed_frame["is_primary"] = typed_frame["is_primary"].map({"是": True, "否": False})
        dupes = typed_frame.duplicated(subset=list(sheet.key), keep="first")
        for i in typed_frame.index[dupes]:
            out.problems.append(Problem(title, i + 2, "+".join(sheet.key), "", "主键重复", "duplicate key in the file"))
        out.frames[name] = typed_frame
    # Rules across rows and the store run on what could be read, so all problems show at once.
    out.problems += validate.rules(out.frames, titles, store, fresh, numeric_cells) + validate.province_rules(out.frames, titles, store)
    if len(out.problems) > MAX_PROBLEMS:  # a page and a report an analyst can read; the count says the rest
        more = len(out.problems) - MAX_PROBLEMS
        out.problems = out.problems[:MAX_PROBLEMS] + [Problem(
            "", None, "", str(more), f"另有 {more:,} 个错误未列出（仅列出前 {MAX_PROBLEMS:,} 个）；请按以上错误修改后重新检查",
            f"{more:,} more problems are not listed (the first {MAX_PROBLEMS:,} are): fix these and check again")]
    return out


# The rules that read the store (codes known, agreements overlapping, a product with agreements staying selected)
# were checked against data another import or a taken-back one has since changed.
CHANGED_SINCE_CHECK = Problem("", None, "", "", "检查文件之后，数据库中的数据已被另一次导入修改；为免按过期的数据写入，本次未写入任何数据，"
                                                "请重新上传该文件",
                              "the store's data changed after the file was checked (another import): nothing was "
                              "written, so that nothing is written against data that no longer holds; upload the file "
                              "again")


class DemoInTheWay(ValueError):
    """Real data into a store that holds the demo: the demo has to go first (asked for, never silently)."""

    def __init__(self):
        super().__init__("数据库中是演示数据：导入正式数据前须先清除全部演示数据（页面上勾选“清除演示数据后导入”，命令行加 "
                         "--clear-demo），正式数据不会与演示数据混在一起 / the store holds the demo province: clear it first "
                         "(tick “clear the demo” on the page, or add --clear-demo), so real data never mixes with the demo")


def write(store, extract: Extract, actor: User, progress=None, clear_demo: bool = False,
          upload: tuple[str, str] | None = None, before: dict[str, list] | None = None) -> dict[str, int]:
    """Write a valid extract in one transaction; on any database error nothing is kept. Only a role
    that may upload can write. Into a store that holds the demo only with `clear_demo`: the demo's rows and
    accounts then go in the same transaction, and the store holds the real data alone. `upload` = (file names,
    SHA-256): its record in the upload history and the audit log commits with the rows, or not at all. `before`
    (a dict) collects, per sheet, the rows the write replaced as they were (for `undo`)."""
    require(actor, "upload")
    if not extract.ok:
        raise InvalidExtract(extract.problems)
    if store.holds_demo() and not clear_demo:
        raise DemoInTheWay()
    counts = {}
    try:
        with store.writing("import") as conn:  # one import writes at a time, against the data it was checked with
            if extract.checked_at is not None and _rows_version(conn) != extract.checked_at:
                raise InvalidExtract([CHANGED_SINCE_CHECK])
            cleared = clear_demo and store.holds_demo()
            if cleared:
                demo.clear(conn)
            for name in F.WRITE_ORDER:
                if name in extract.frames:
                    if progress is not None:
                        progress(0.0, f"写入 {name} / writing {name}")
                    kept = None if before is None else before.setdefault(name, [])
                    counts[name] = db.upsert(conn, S.DATA_TABLES[name], extract.frames[name], before=kept,
                                             emptied=cleared)
            store.bump_data_version(conn, rows=True)
            extract.written_at = _rows_version(conn)
            remove_demo_accounts(conn)
            store.set_meta(conn, "demo_closed", "1")
            if upload is not None:
                uploads.record(store, actor, upload[0], upload[1], counts, "imported", 0, conn=conn)
    except StoreBusy as busy:  # a long write held the store past the wait: refused, said and recorded as such
        raise InvalidExtract([Problem("", None, "", "", busy.ZH, busy.EN)]) from None
    except sa.exc.IntegrityError as err:
        reason = str(err.orig).splitlines()[0]
        raise InvalidExtract([Problem(name, None, "", "", f"数据库拒绝写入（引用不存在的编码或违反约束），未写入任何数据：{reason}",
                                      f"the store refused the rows (unknown code or broken rule); nothing was written: {reason}")]) from None
    return counts


def _rows_version(conn: sa.Connection) -> str:
    return conn.execute(sa.select(S.store_meta.c.value).where(S.store_meta.c.key == "rows_version")).scalar() or "0"


class RefreshFailed(RuntimeError):
    """The figures could not be computed for the data a file brought: the file's rows were taken back out, and its
    upload is recorded as refused with the reason (the server log has the details under the reference)."""

    def __init__(self, reference: str, kept: bool = False):
        self.reference, self.kept = reference, kept
        if kept:
            super().__init__(f"导入后汇总计算失败；其后已有另一次导入写入，本次数据保留未撤回，汇总将重新计算（参考号 {reference}，"
                             f"请告知系统管理员） / the figures could not be computed after the import; another import "
                             f"has written since, so this one's rows stay and the figures are computed again (reference "
                             f"{reference}: tell the administrator)")
        else:
            super().__init__(f"导入后汇总计算失败，已撤回本次导入，数据库保持导入前的状态（参考号 {reference}，请告知系统管理员） / "
                             f"the figures could not be computed after the import, so the import was taken back and the "
                             f"store is as it was (reference {reference}: tell the administrator)")


class KeptAfterFailure(RuntimeError):
    """An undo that found another import written since the one to take back (its rows stay)."""


def commit(store, extract: Extract, actor: User, progress=None, clear_demo: bool = False,
           upload: tuple[str, str] | None = None) -> dict[str, int]:
    """Write a valid extract and compute the figures for it: the store then holds the file's rows with their
    figures, or, when the figures cannot be computed, is as it was before the file (the rows taken back out, the
    upload recorded as refused with the reason; a demo the file cleared generated again from its seed) and
    RefreshFailed says so."""
    demo_was = {k: store.meta(k) for k in ("demo_scale", "demo_seed", "demo_closed")} \
        if clear_demo and store.holds_demo() else None
    before: dict[str, list] = {}
    counts = write(store, extract, actor, progress, clear_demo, upload, before)
    if not store.counts()["orders"]:
        return counts
    try:
        marts.refresh(store, progress=progress or (lambda _f, _m: None))
    except Exception as err:  # noqa: BLE001 - whatever stopped the figures, the file is taken back whole
        reference = uuid.uuid4().hex[:8]
        LOG.exception("refresh after an import failed (reference %s)", reference)
        try:
            undo(store, extract, actor, before, upload, f"{type(err).__name__}（参考号 {reference} / reference {reference}）")
        except KeptAfterFailure:
            raise RefreshFailed(reference, kept=True) from None
        if demo_was is not None:
            _demo_again(store, demo_was)
        raise RefreshFailed(reference) from None
    return counts


def _demo_again(store, was: dict[str, str | None]) -> None:
    """The demo a taken-back file had cleared, generated again from its seed, with its accounts."""
    with store.begin() as conn:
        if was["demo_closed"] is None:
            conn.execute(S.store_meta.delete().where(S.store_meta.c.key == "demo_closed"))
        else:
            store.set_meta(conn, "demo_closed", was["demo_closed"])
    demo.load(store, scale=was["demo_scale"] or "demo", seed=int(was["demo_seed"] or demo.DEFAULT_SEED), refresh=False)
    try:
        marts.refresh(store)
    except Exception:  # noqa: BLE001 - the demo's rows are written; its figures are computed by the next reader
        LOG.exception("the demo's figures could not be computed again after a taken-back import")


def undo(store, extract: Extract, actor: User, before: dict[str, list], upload: tuple[str, str] | None,
         reason: str) -> None:
    """Take a written extract back out in one transaction: its added rows go, its replaced rows get their values
    back, its upload record becomes a refusal with `reason`, and the marts are stale again. Under the import's lock,
    and only while no import has written since (its rows would be taken out with this one's): else the rows stay,
    the upload record says so, and KeptAfterFailure is raised (the figures are computed again by the next reader)."""
    with store.writing("import") as conn:
        if extract.written_at is not None and _rows_version(conn) != extract.written_at:
            if upload is not None:
                said = (f"导入后汇总计算失败；其后已有另一次导入写入，本次数据未撤回，汇总将重新计算 / the figures failed after "
                        f"the import; another import has written since, so its rows stay and the figures are computed "
                        f"again: {reason}")
                last = sa.select(sa.func.max(S.uploads.c.upload_id)).where(
                    S.uploads.c.sha256 == upload[1]).scalar_subquery()
                conn.execute(S.uploads.update().where(S.uploads.c.upload_id == last).values(reason=said))
                audit.record(store, actor, "upload", target=upload[0][:200], detail=said, outcome="imported", conn=conn)
            raise KeptAfterFailure()
        for name in reversed(F.WRITE_ORDER):
            if name in extract.frames:
                db.undo_upsert(conn, S.DATA_TABLES[name], extract.frames[name], before.get(name, []))
        if upload is not None:  # the record written with the rows becomes a refusal; the audit log keeps both
            said = f"导入后汇总计算失败，已撤回 / the figures failed after the import, taken back: {reason}"
            last = sa.select(sa.func.max(S.uploads.c.upload_id)).where(S.uploads.c.sha256 == upload[1]).scalar_subquery()
            conn.execute(S.uploads.update().where(S.uploads.c.upload_id == last).values(
                outcome="rejected", error_count=1, rows_json="{}", reason=said))
            audit.record(store, actor, "upload", target=upload[0][:200], detail=said, outcome="rejected", conn=conn)
        store.bump_data_version(conn, rows=True)


def import_files(store, paths: list[Path], *, actor: User, dry_run: bool = False, progress=None,
                 limits: validate.Limits | None = None, clear_demo: bool = False,
                 upload: tuple[str, str] | None = None, refresh: bool = True) -> tuple[Extract, dict[str, int]]:
    """Parse, check and write files; after a write the marts are recomputed (`refresh` False: the rows are only
    written, the figures lag them until the next refresh or reader). `clear_demo`: the store's demo goes first (in
    the import's transaction), and the files are checked against an empty store. `upload`: the record written with
    the rows (see `write`)."""
    require(actor, "upload")
    extract = parse(paths, store, limits or validate.Limits.of(store), fresh=clear_demo and store.holds_demo())
    if not extract.ok or dry_run:
        return extract, {}
    if not refresh:
        return extract, write(store, extract, actor, progress, clear_demo, upload)
    return extract, commit(store, extract, actor, progress, clear_demo, upload)
