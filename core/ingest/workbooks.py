"""What a workbook file is, by its content, and what it hides, before anything reads its cells.

The kinds an analyst's Excel, WPS or LibreOffice saves: .xlsx (zip of XML), .xlsb (zip of binary records),
.ods (zip of OpenDocument XML) and .xls (BIFF8 records in an OLE compound file). A file's kind is taken from its
bytes, not its name. For each kind this finds the first cell that holds a formula (its value would be the cached
result of a calculation nobody checked), and an encrypted file; hidden sheets are read from calamine's sheet
list by the importer, the same way for every kind. Nothing here reads a cell's value.
"""
from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and an encrypted .xlsx (a password-protected OOXML package)
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
KINDS = (".xlsx", ".xls", ".ods", ".xlsb")


@dataclass(frozen=True)
class Cell:
    """Where a formula is: the sheet's title, the row as the spreadsheet numbers it, the column's letters."""
    sheet: str
    row: int | None
    column: str


def letters(index: int) -> str:
    """Column letters of a 0-based column index (0 -> A, 27 -> AB)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


class TwoKinds(ValueError):
    """A zip holding the main parts of two kinds of workbook: each reader would read another of them."""


def zip_kind(zf: zipfile.ZipFile) -> str | None:
    """.xlsx, .xlsb or .ods by the parts a zip holds; None for any other zip; TwoKinds when it holds two."""
    names = set(zf.namelist())
    found = [kind for kind, holds in ((".xlsx", "xl/workbook.xml" in names), (".xlsb", "xl/workbook.bin" in names),
                                      (".ods", "content.xml" in names and "mimetype" in names)) if holds]
    if len(found) > 1:
        raise TwoKinds(found)
    if found == [".ods"] and zf.read("mimetype").strip() != ODS_MIME:
        return None
    return found[0] if found else None


# --- .xlsx: <f> elements in the worksheet parts ----------------------------------------------------------------

_NOT_SHEETS = ("sharedStrings", "styles", "theme", "docProps", "[Content_Types]", "_rels", "calcChain", "printerSettings")


_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _rel_targets(rels: bytes) -> dict[str, str]:
    """Relationship id -> target, from a relationships part parsed as XML (in one pass, whatever it holds)."""
    return {el.get("Id", ""): el.get("Target", "") for el in ET.fromstring(rels).iter()
            if str(el.tag).endswith("Relationship")}


def _part(target: str) -> str:
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def _xlsx_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's title, from the workbook and its relationships."""
    try:
        book, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = _rel_targets(rels)
    return {_part(targets.get(el.get(_REL, ""), "")): el.get("name", "") for el in ET.fromstring(book).iter()
            if str(el.tag).endswith("}sheet")}


# An element by its local name, whatever its namespace prefix (x:f, as the .NET OpenXML SDK writes it) and
# whatever space follows its name.
_PREFIX = rb"(?:[^\s<>/:=\"']+:)?"
_XML_FORMULA = re.compile(rb"<" + _PREFIX + rb"f[\s>/]")
_SHEET_DATA = re.compile(rb"<" + _PREFIX + rb"sheetData[\s>/]")
_CELL_OPEN = re.compile(rb"<" + _PREFIX + rb"c\s")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]+)([0-9]+)["']""")
_NAME_REST = re.compile(rb"""[^\s<>/="']*""")  # what may follow "<" up to the end of a piece that cuts a tag's name
SCAN_CHUNK = 1 << 22  # bytes of a part inflated at a time: a million-row sheet's half a gigabyte of XML is never held
CELL_HEAD = 1 << 20  # bytes kept from the opening of the last cell: its reference (r="B12") is in its opening tag


def _last_cell(data: bytes, stop: int) -> bytes | None:
    """The bytes from the last cell opened within CELL_HEAD before `stop` to `stop`, or None."""
    last = None
    for last in _CELL_OPEN.finditer(data, max(0, stop - CELL_HEAD), stop):
        pass
    return None if last is None else data[last.start():stop]


def _part_formula(fh) -> bytes | None:
    """In a part read piece by piece: None when it holds no worksheet data or no formula element, else the bytes
    from the opening of the cell holding the first formula to the formula (empty when no cell opens within
    CELL_HEAD before it). A tag whose name a piece cuts off, whatever its length, is carried into the next piece,
    so every element is seen whole; the last CELL_HEAD bytes of a piece are kept for the cell of a formula early in
    the next."""
    sheet_data, found, carry, tail = False, None, b"", b""
    while piece := fh.read(SCAN_CHUNK):
        buf = tail + piece
        lt = buf.rfind(b"<")
        end = lt if lt >= 0 and _NAME_REST.fullmatch(buf, lt + 1) else len(buf)  # buf[:end] holds whole tags
        sheet_data = sheet_data or _SHEET_DATA.search(buf, 0, end) is not None
        if found is None:
            formula = _XML_FORMULA.search(buf, 0, end)
            if formula:
                found = _last_cell(buf, formula.start())
                if found is None:
                    joined = carry + buf[:formula.start()]
                    found = _last_cell(joined, len(joined)) or b""
            else:
                carry = buf[end - CELL_HEAD:end] if end >= CELL_HEAD else (carry + buf[:end])[-CELL_HEAD:]
        if found is not None and sheet_data:
            return found
        tail = buf[end:]
    return None


def _sheet_parts(zf: zipfile.ZipFile, titles: dict[str, str]) -> list[str]:
    """Every part a worksheet may be in: the workbook's sheets by its relationships (whatever they are named), and
    every other XML part but the known kinds that are not sheets."""
    others = [p for p in zf.namelist() if p.lower().endswith(".xml") and not any(w in p for w in _NOT_SHEETS)]
    return sorted(set(others) | (set(titles) & set(zf.namelist())))


def xlsx_formula(zf: zipfile.ZipFile) -> Cell | None:
    """The first cell of an .xlsx workbook with a formula element, in every worksheet part whatever it is named."""
    titles = _xlsx_titles(zf)
    for part in _sheet_parts(zf, titles):
        with zf.open(part) as fh:
            hit = _part_formula(fh)
        if hit is not None:  # the formula's cell is the last one opened before it
            found = _CELL_REF.search(hit)
            return Cell(titles.get(part, part), int(found.group(2)) if found else None,
                        found.group(1).decode() if found else "")
    return None


# --- .ods: table:formula attributes in content.xml -------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_formula(zf: zipfile.ZipFile) -> Cell | None:
    """The first cell of an OpenDocument spreadsheet with a formula, counting repeated rows and columns."""
    title, row, col = "", 0, 0
    with zf.open("content.xml") as part:
        for event, el in ET.iterparse(part, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _TABLE + "table":
                    title, row = el.get(_TABLE + "name", ""), 0
                elif tag == _TABLE + "table-row":
                    col = 0
                elif tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell") and el.get(_TABLE + "formula"):
                    return Cell(title, row + 1, letters(col))
                continue
            if tag == _TABLE + "table-row":
                row += int(el.get(_TABLE + "number-rows-repeated", "1"))
                el.clear()
            elif tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                col += int(el.get(_TABLE + "number-columns-repeated", "1"))
    return None


# --- .xlsb: formula cell records in xl/worksheets/*.bin ------------------------------------------------------------

_ROW_HEADER = 0x0000
_FORMULA_CELLS = {0x0008, 0x0009, 0x000A, 0x000B}  # formula with a string, number, boolean or error result
_BUNDLE_SHEET = 0x009C


def _records(data: bytes):
    """(record type, start, size) of each record of an .xlsb part: the type in one or two bytes and the size in up
    to four, seven bits each. A record running past the end stops the walk."""
    i, end = 0, len(data)
    while i < end:
        kind = data[i] & 0x7F
        if data[i] & 0x80:
            i += 1
            if i >= end:
                return
            kind |= (data[i] & 0x7F) << 7
        i += 1
        size = 0
        for shift in range(0, 28, 7):
            if i >= end:
                return
            size |= (data[i] & 0x7F) << shift
            i += 1
            if not data[i - 1] & 0x80:
                break
        if i + size > end:
            return
        yield kind, i, size
        i += size


def _xlsb_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's title, from the workbook's sheet records and its relationships."""
    targets = _rel_targets(zf.read("xl/_rels/workbook.bin.rels")) if "xl/_rels/workbook.bin.rels" in zf.namelist() else {}
    book = zf.read("xl/workbook.bin")
    out = {}
    for kind, start, size in _records(book):
        if kind != _BUNDLE_SHEET or size < 12:
            continue
        try:  # state, tab id, then the relationship id and the name as (count of UTF-16 units, units)
            (n,) = struct.unpack_from("<I", book, start + 8)
            rel = book[start + 12:start + 12 + 2 * n].decode("utf-16-le") if n != 0xFFFFFFFF else ""
            at = start + 12 + (2 * n if n != 0xFFFFFFFF else 0)
            (m,) = struct.unpack_from("<I", book, at)
            name = book[at + 4:at + 4 + 2 * m].decode("utf-16-le")
        except (struct.error, UnicodeDecodeError):
            continue
        out[_part(targets.get(rel, ""))] = name
    return out


def xlsb_formula(zf: zipfile.ZipFile) -> Cell | None:
    """The first cell of an .xlsb workbook's sheets that holds a formula."""
    titles = _xlsb_titles(zf)
    for part in sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".bin")):
        data, row = zf.read(part), None
        for kind, start, size in _records(data):
            if kind == _ROW_HEADER and size >= 4:
                (row,) = struct.unpack_from("<I", data, start)
            elif kind in _FORMULA_CELLS and size >= 4:
                (col,) = struct.unpack_from("<I", data, start)
                return Cell(titles.get(part, part), None if row is None else row + 1, letters(col))
    return None


# --- .xls: an OLE compound file and the BIFF8 records of its Workbook stream ---------------------------------------

class Damaged(ValueError):
    """A compound file whose structure does not hold together."""


_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


def ole_streams(data: bytes) -> dict[str, bytes]:
    """The streams at the root of an OLE compound file (MS-CFB), by name: a reader of the sector allocation
    tables, the directory and the mini stream, checking every index and chain it follows."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise Damaged("no compound file header")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise Damaged("sector sizes")
    size, mini_size = 1 << sector_shift, 1 << mini_shift
    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    sectors_in_file = (len(data) - (1 << sector_shift)) // (1 << sector_shift) if len(data) > (1 << sector_shift) else 0
    fat_count = min(fat_count, sectors_in_file)  # an allocation table longer than the file describes nothing
    cutoff, first_minifat, minifat_count, first_difat, difat_count = struct.unpack_from("<IIIII", data, 0x38)
    sectors = (len(data) - size) // size if len(data) > size else 0

    def sector(n: int) -> bytes:
        if n >= sectors:
            raise Damaged("sector out of range")
        return data[size + n * size: size + (n + 1) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    n = first_difat
    for _ in range(min(difat_count, sectors)):  # a chain of DIFAT sectors that loops stops here
        if n in (_FREE, _END) or len(difat) >= fat_count:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(n))
        difat += entries[:-1]
        n = entries[-1]
    fat: list[int] = []
    for n in difat[:fat_count]:
        if n not in (_FREE, _END):
            fat += struct.unpack(f"<{size // 4}I", sector(n))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out, n = [], start
        while n not in (_FREE, _END):
            if n >= len(table) or len(out) > limit:
                raise Damaged("broken chain")
            out.append(n)
            n = table[n]
        return out

    directory = b"".join(sector(n) for n in chain(first_dir, fat, sectors))
    entries = []
    for at in range(0, len(directory) - 127, 128):
        name_len = struct.unpack_from("<H", directory, at + 64)[0]
        kind = directory[at + 66]
        start, length = struct.unpack_from("<IQ", directory, at + 116)
        name = directory[at:at + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        entries.append((name, kind, start, length if sector_shift == 12 else length & 0xFFFFFFFF))
    if not entries or entries[0][1] != 5:
        raise Damaged("no root entry")
    minifat = []
    for n in chain(first_minifat, fat, sectors)[:minifat_count or None]:
        minifat += struct.unpack(f"<{size // 4}I", sector(n))
    mini_stream = b"".join(sector(n) for n in chain(entries[0][2], fat, sectors))
    streams: dict[str, bytes] = {}
    claimed: set[tuple[bool, int]] = set()  # no sector belongs to two streams (a forged directory repeats one)
    for name, kind, start, length in entries[1:]:
        if kind != 2:
            continue
        if name in streams:
            raise Damaged("two streams of one name")
        mini = length < cutoff
        used = chain(start, minifat if mini else fat, (len(mini_stream) // mini_size + 1) if mini else sectors)
        if claimed & {(mini, n) for n in used}:
            raise Damaged("a sector in two streams")
        claimed |= {(mini, n) for n in used}
        if length < cutoff:
            body = b"".join(mini_stream[n * mini_size:(n + 1) * mini_size]
                            for n in chain(start, minifat, len(mini_stream) // mini_size + 1))
        else:
            body = b"".join(sector(n) for n in chain(start, fat, sectors))
        if len(body) < length:
            raise Damaged("stream shorter than stated")
        streams[name] = body[:length]
    return streams


_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _FORMULA = 0x0809, 0x000A, 0x002F, 0x0085, 0x0006


def _biff_records(stream: bytes):
    """(type, offset, body) of each record; Damaged when a record's length runs past the stream's end (the
    records have lost step with one another: whatever type the next bytes seem to have means nothing)."""
    at = 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        if at + 4 + size > len(stream):
            raise Damaged("a record runs past the end of the stream")
        yield kind, at, stream[at + 4:at + 4 + size]
        at += 4 + size


def xls_encrypted(stream: bytes) -> bool:
    """Whether the workbook's globals say it is protected by a password (a FILEPASS record before their end)."""
    for kind, _, _ in _biff_records(stream):
        if kind == _FILEPASS:
            return True
        if kind == _EOF:
            return False
    return False


def xls_formula(stream: bytes) -> Cell | None:
    """The first cell of a BIFF8 workbook stream with a FORMULA record, with its sheet's title from the
    BOUNDSHEET records (each gives the offset where its sheet's records begin). The whole stream is walked first:
    Damaged when its records lose step (a length past the end, a sheet whose offset is not where a BOF record
    begins), so a damaged file is called damaged rather than blamed on a formula made of stray bytes. A FORMULA
    record counts when it can hold one: its cell, value and flags (20 bytes) and a parsed formula of the length it
    states."""
    sheets: list[tuple[int, str]] = []
    starts: set[int] = set()
    first: tuple[int, int, int] | None = None
    for kind, at, body in _biff_records(stream):
        if kind == _BOF:
            starts.add(at)
        elif kind == _BOUNDSHEET and len(body) >= 8:
            offset, count, wide = struct.unpack_from("<I", body)[0], body[6], body[7] & 1
            raw = body[8:8 + count * (2 if wide else 1)]
            sheets.append((offset, raw.decode("utf-16-le" if wide else "latin-1", "replace")))
        elif (kind == _FORMULA and first is None and len(body) >= 22
              and 22 + struct.unpack_from("<H", body, 20)[0] <= len(body)):
            row, col = struct.unpack_from("<HH", body)
            first = (at, row, col)
    if any(offset not in starts for offset, _ in sheets):
        raise Damaged("a sheet's records are not where the workbook says")
    if first is None:
        return None
    at, row, col = first
    title = next((name for offset, name in sorted(sheets, reverse=True) if offset <= at), "")
    return Cell(title, row + 1, letters(col))
