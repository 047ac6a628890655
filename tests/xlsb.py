"""A small writer of .xlsb workbooks (Excel's binary format, MS-XLSB) for tests: neither LibreOffice nor any
package here writes one. Sheets of text and numbers, optionally a hidden sheet and a formula cell; enough for
calamine to read them as Excel would save them."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path


def _varint(value: int, limit: int) -> bytes:
    out = bytearray()
    for _ in range(limit):
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            break
    return bytes(out)


def record(kind: int, body: bytes = b"") -> bytes:
    return _varint(kind, 2) + _varint(len(body), 4) + body


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _cell(col: int, value) -> bytes:
    head = struct.pack("<II", col, 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return record(0x0005, head + struct.pack("<d", float(value)))  # BrtCellReal
    return record(0x0006, head + _wide(str(value)))  # BrtCellSt: the text in the cell itself


def _formula(col: int, result: float) -> bytes:
    """BrtFmlaNum: the cached result, flags, then the parsed formula `=2` (ptgInt 2) and no extra data."""
    parsed = struct.pack("<I", 3) + b"\x1e\x02\x00" + struct.pack("<I", 0)
    return record(0x0009, struct.pack("<II", col, 0) + struct.pack("<d", result) + struct.pack("<H", 0) + parsed)


def _sheet(rows: list[list], formula_at: tuple[int, int] | None) -> bytes:
    width = max((len(r) for r in rows), default=1)
    out = record(0x0081) + record(0x0094, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1)) + record(0x0091)
    for r, values in enumerate(rows):
        out += record(0x0000, struct.pack("<IIH", r, 0, 300) + b"\x00\x00\x00" + struct.pack("<I", 0))
        for c, value in enumerate(values):
            if formula_at == (r, c):
                out += _formula(c, 2.0)
            elif value not in (None, ""):
                out += _cell(c, value)
    return out + record(0x0092) + record(0x0082)


def write_xlsb(sheets: dict[str, list[list]], path: Path, hidden: tuple[str, ...] = (),
               formula: tuple[str, int, int] | None = None) -> Path:
    """`sheets`: title -> rows (the first is the header). `hidden`: titles saved hidden. `formula`: (title, row
    index, column index) of a cell that holds `=2` instead of its value."""
    book = record(0x0083) + record(0x008F)
    rels = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (title, rows) in enumerate(sheets.items(), start=1):
            book += record(0x009C, struct.pack("<II", 1 if title in hidden else 0, i) + _wide(f"rId{i}") + _wide(title))
            rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        f'relationships/worksheet" Target="worksheets/sheet{i}.bin"/>')
            at = formula[1:] if formula and formula[0] == title else None
            zf.writestr(f"xl/worksheets/sheet{i}.bin", _sheet(rows, at))
        zf.writestr("xl/workbook.bin", book + record(0x0090) + record(0x0084))
        zf.writestr("xl/_rels/workbook.bin.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns='
                    '"http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
        zf.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
                    '</Relationships>')
        zf.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/'
                    'vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/'
                    'vnd.openxmlformats-package.relationships+xml"/></Types>')
    return path
