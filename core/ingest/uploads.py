"""Uploads: what a file would change (the dry run), the record of every upload, the template workbook
and the error report."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import json
import os
import stat
from pathlib import Path

import openpyxl
import pandas as pd
import sqlalchemy as sa

from core.access import audit
from core.ingest.problems import Problem
from core.policy import clock
from core.policy import extract as F
from core.present import xlsx
from core.store import schema as S
from core.store.opening import StoreBusy

LOG = logging.getLogger("vbp")

EXAMPLE = {
    "institutions": ["H3701020001", "历下区人民医院", "370102", "二级", "综合医院", "否", "公立", 117.08, 36.66],
    "enterprises": ["0001", "某某制药有限公司", "生产企业"],
    "products": ["0012", "阿托伐他汀钙", "片剂", "20mg×7片", "药品", "0001", "国家第一批", "中选", None, None],
    "agreements": ["H3701020001", "0012", "2026-01-01", "2026-12-31", 1200, 1000, 960, None],
    "orders": ["DD20260000001", "H3701020001", "0012", None, "2026-03-02", 100, 0.94, "线上", 100, "2026-03-03", "2026-03-04"],
    "baseline": ["H3701020001", "0012", 2025, 300],
    "complaints": ["SQ2026000001", "H3701020001", "0001", "0012", "供货不及时", "2026-04-29", "2026-05-06", "2026-05-08", None],
}


def _normal(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


KEYS_AT_ONCE = 2_000  # a file's keys looked up in the store at a time (a few thousand bound values per query)


def _bound(column: sa.Column, value):
    """A key value as its column takes it in a query: a date of a Date column (given as text too), a whole number of
    an Integer one, text otherwise. Another caller than importer.parse may pass "2026-01-01" for a date."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(column.type, sa.Date):
        return pd.Timestamp(value).date()
    if isinstance(column.type, sa.Integer):
        return int(value)
    return str(value)


def _stored(store, table: sa.Table, columns: list[sa.Column], cols: list[str],
            given: pd.DataFrame) -> dict[tuple, tuple]:
    """The stored rows of a sheet that share a key (`columns`) with the file's (normal key -> normal row), looked up
    by key a batch at a time: a province's twelve million orders are never read for a file of a few."""
    key = columns[0] if len(columns) == 1 else sa.tuple_(*columns)
    wanted = list(dict.fromkeys(tuple(_bound(c, v) for c, v in zip(columns, r))
                                for r in given.itertuples(index=False, name=None)))
    found = {}
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), KEYS_AT_ONCE):
            batch = wanted[start:start + KEYS_AT_ONCE]
            query = sa.select(*(table.c[c] for c in cols)).where(
                key.in_([k[0] for k in batch] if len(columns) == 1 else batch))
            for r in conn.execute(query):
                row = tuple(_normal(v) for v in r)
                found[row[:len(columns)]] = row
    return found


def dry_run(store, frames: dict[str, pd.DataFrame], fresh: bool = False) -> pd.DataFrame:
    """Per sheet: rows the file would insert, replace (same key, other values) and leave unchanged (`fresh`: into
    the store emptied of its demo, where every row is new)."""
    rows = []
    for name in F.WRITE_ORDER:
        if name not in frames:
            continue
        sheet, frame = F.SHEET_BY_NAME[name], frames[name]
        keys = list(sheet.key)
        cols = keys + [c for c in sheet.column_names if c in frame.columns and c not in keys]
        table = S.DATA_TABLES[name]
        typed = [table.c[k] for k in keys]
        index = {} if fresh else _stored(store, table, typed, cols, frame[keys])
        insert, replace, same = len(frame), 0, 0  # none of the file's keys stored: every row is new, none compared
        for r in frame[cols].itertuples(index=False, name=None) if index else ():
            key = tuple(_normal(_bound(c, v)) for c, v in zip(typed, r))
            old = index.get(key)
            if old is None:
                continue
            insert -= 1
            if old == key + tuple(_normal(v) for v in r[len(keys):]):
                same += 1
            else:
                replace += 1
        rows.append({"sheet": name, "sheet_zh": sheet.zh, "insert": insert, "replace": replace, "unchanged": same})
    return pd.DataFrame(rows, columns=["sheet", "sheet_zh", "insert", "replace", "unchanged"])


def sha256(paths: list[Path], limit: int | None = None) -> str:
    """The files' SHA-256, read in chunks; what is not a regular file (a folder, a device, a pipe) is not read, and
    a file is read at most to `limit` bytes (a larger one is refused anyway)."""
    digest = hashlib.sha256()
    for p in paths:
        try:
            regular = stat.S_ISREG(os.stat(p).st_mode)
        except OSError:
            regular = False
        if not regular:
            digest.update(f"not a file: {Path(p).name}".encode("utf-8", "replace"))
            continue
        left = limit if limit is not None else float("inf")
        with open(p, "rb") as fh:
            while left > 0 and (chunk := fh.read(min(1 << 20, int(min(left, 1 << 20))))):
                digest.update(chunk)
                left -= len(chunk)
    return digest.hexdigest()


def record_refusal(store, actor, file_name: str, digest: str, problems: list) -> bool:
    """A refused upload in the history with its reason; False, and the server log says so, when the store stays
    busy with another write past the wait (a refusal because the store is busy may find it busy still)."""
    try:
        record(store, actor, file_name, digest, {}, "rejected", len(problems), reason=reason_of(problems))
        return True
    except (sa.exc.OperationalError, StoreBusy) as err:
        LOG.warning("a refused upload (%s) could not be recorded: %s", file_name, err)
        return False


def record(store, actor, file_name: str, digest: str, rows: dict[str, int], outcome: str, error_count: int,
           reason: str = "", conn=None) -> None:
    """Keep who uploaded what, when, with which result and, for a refusal, why (in the upload history and the audit
    log, in one transaction; with `conn`, in the transaction that writes the file's rows)."""
    if conn is None:
        with store.begin() as conn:
            return record(store, actor, file_name, digest, rows, outcome, error_count, reason, conn)
    conn.execute(sa.insert(S.uploads).values(
        username=actor.username, uploaded_at=clock.now(), file_name=file_name.replace("\x00", "")[:255],
        sha256=digest, rows_json=json.dumps(rows, ensure_ascii=False), outcome=outcome, error_count=error_count,
        reason=reason.replace("\x00", "")[:1000]))
    audit.record(store, actor, "upload", target=file_name[:200], outcome=outcome, conn=conn,
                 detail=f"sha256={digest} rows={json.dumps(rows, ensure_ascii=False)} errors={error_count}")


def reason_of(problems: list[Problem]) -> str:
    """A refusal's reason for the history: the first problem, in Chinese and English, and how many there were."""
    if not problems:
        return ""
    first = problems[0]
    more = f"（共 {len(problems)} 个问题 / {len(problems)} problems）" if len(problems) > 1 else ""
    return f"{first}{more}"


def history(store, limit: int = 200, lang: str = "zh") -> pd.DataFrame:
    """The newest uploads first, with their rows per sheet and outcome as they read in `lang`."""
    frame = store.read(sa.select(S.uploads).order_by(S.uploads.c.upload_id.desc()).limit(limit))
    return frame.assign(rows_text=frame["rows_json"].map(lambda r: audit.rows_text(r, lang)),
                        outcome_text=frame["outcome"].map(lambda o: audit.OUTCOMES[o][1 if lang == "en" else 0]
                                                          if o in audit.OUTCOMES else o))


def template() -> bytes:
    """The standard extract as a workbook to fill in: Chinese and English headers, an example row, notes; code
    columns formatted as text (leading zeros stay), the header row frozen, each sheet printable."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in F.SHEETS:
        ws = wb.create_sheet(sheet.zh)
        ws.append([F.bilingual_header(c) for c in sheet.columns])
        ws.append(EXAMPLE[sheet.name])
        ws.row_dimensions[1].height = 34
        for cell in ws[1]:
            cell.font = openpyxl.styles.Font(bold=True)
            cell.fill = xlsx.HEADER_FILL
            cell.alignment = openpyxl.styles.Alignment(wrap_text=True, vertical="center")
        for j, c in enumerate(sheet.columns, start=1):
            letter = openpyxl.utils.get_column_letter(j)
            ws.column_dimensions[letter].width = max(12, xlsx.width_of(c.zh) + 4, len(c.name) + 2)
            if c.kind == "code":
                for row in range(2, 1002):
                    ws.cell(row=row, column=j).number_format = "@"  # codes are text: keep leading zeros
            elif c.kind == "date":
                ws.cell(row=2, column=j).number_format = xlsx.DATE_FORMAT
        ws.freeze_panes = "A2"
        xlsx.print_setup(ws, f"标准抽取模板 · {sheet.zh}", "")
    notes = wb.create_sheet("填写说明")
    notes.append(["工作表", "列", "英文列名", "必填", "规则"])
    for sheet in F.SHEETS:
        for c in sheet.columns:
            rule = "/".join(c.choices) if c.choices else {"code": "文本编码，保留前导零", "date": "日期 YYYY-MM-DD",
                                                            "qty": "数量 ≥ 0", "int": "整数", "float": "数值",
                                                            "text": "文本"}.get(c.kind, "")
            notes.append([sheet.zh, c.zh, c.name, "是" if c.required else "否", rule])
    notes.append([])
    notes.append(["表头可用中文、英文或模板中的中英文；第2行为示例，请替换为实际数据。每个工作表都可省略。"])
    for cell in notes[1]:
        cell.font = openpyxl.styles.Font(bold=True)
        cell.fill = xlsx.HEADER_FILL
    for letter, width in zip("ABCDE", (14, 18, 22, 6, 60)):
        notes.column_dimensions[letter].width = width
    notes.freeze_panes = "A2"
    xlsx.print_setup(notes, "标准抽取模板 · 填写说明", "")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def error_report_download(store, user, problems: list[Problem], name: str) -> bytes:
    """The error list of a refused file as the page's download gives it: audited as an export."""
    data = error_report(problems, user.username)
    audit.record(store, user, "export", target=f"错误清单 {name}"[:200], detail=f"{len(problems)} problems")
    return data


def error_report(problems: list[Problem], username: str) -> bytes:
    frame = pd.DataFrame([{"sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value, "zh": p.zh, "en": p.en}
                          for p in problems])
    return xlsx.workbook([("错误清单", frame, {"sheet": "工作表", "row": "行", "column": "列", "value": "值",
                                      "zh": "问题", "en": "Problem"})], username, {"错误数": str(len(problems))})
