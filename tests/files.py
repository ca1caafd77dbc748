"""Real files of each kind, made at test time: what heads upload as evidence, and what must be
refused however it is named."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import UTC, datetime

FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def pdf_bytes(text: str = "Báo cáo kết quả quý I") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    # A fixed creation date: the same text must give the same bytes (content-hash tests).
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text.encode("ascii", "replace").decode())
    return bytes(pdf.output())


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (139, 26, 26)).save(out, format=fmt)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   "<w:body><w:p><w:r><w:t>Biên bản nghiệm thu</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Chỉ tiêu", "Thực hiện"])
    wb.active.append(["Thu ngân sách", 310])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xls_bytes() -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Quy 1")
    sheet.write(0, 0, "Thu ngân sách")
    sheet.write(0, 1, 310)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _dir_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", NO_STREAM, NO_STREAM, child)
        + b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16
        + struct.pack("<IQ", start, size)
    )


def doc_bytes() -> bytes:
    """A Word 97–2003 file: an OLE compound file holding a WordDocument stream (its FIB starts
    with the Word magic number), written sector by sector as the format describes."""
    sector = 512
    stream = (struct.pack("<HH", 0xA5EC, 0x00C1) + b"\x00" * 4092)  # 8 sectors, above the mini-stream cut-off
    fat = [FAT_SECTOR, END] + [s + 1 for s in range(2, 9)] + [END]
    fat += [FREE] * (sector // 4 - len(fat))
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0)
        + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108
    )
    directory = (
        _dir_entry("Root Entry", 5, 1, END, 0)
        + _dir_entry("WordDocument", 2, NO_STREAM, 2, len(stream))
        + _dir_entry("", 0, NO_STREAM, 0, 0) * 2
    )
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + stream


def exe_bytes() -> bytes:
    # A DOS/PE header as Windows programs start.
    return b"MZ" + b"\x90\x00" + b"\x00" * 56 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 400


def html_bytes() -> bytes:
    return "<!doctype html><html><body><script>alert('x')</script><p>Báo cáo</p></body></html>".encode()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/readme.txt", "not a document")
        z.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


# --- decompression bombs: ZIP archives written byte by byte, so a part can unpack to hundreds of
# MB from a few hundred KB (and declare a size it does not have) without the test spending
# seconds compressing: a deflated MiB of one repeated byte, flushed to a byte boundary, is the
# same bytes every time, so N MiB are that block N times.

MIB = 1 << 20


def deflated_repeat(byte: bytes, mib: int) -> tuple[bytes, int, int]:
    """(raw deflate data, CRC-32, size) of `mib` MiB of `byte`."""
    import zlib

    chunk = byte * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    return block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc, mib * MIB


def deflated(data: bytes) -> tuple[bytes, int, int]:
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def zip_of(parts: list[tuple[str, tuple[bytes, int, int], int]]) -> bytes:
    """A ZIP archive of (name, deflated part, size it declares) in its local and central headers."""
    out, central = bytearray(), bytearray()
    for name, (packed, crc, _), declared in parts:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 33, crc, len(packed), declared, len(encoded), 0) + encoded + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 33, crc, len(packed), declared, len(encoded), 0, 0, 0, 0, 0,
                               offset) + encoded
    directory = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), directory, 0)
    return bytes(out)


def docx_with(document: tuple[bytes, int, int], declared: int | None = None) -> bytes:
    """A .docx whose word/document.xml is `document` (declaring `declared` bytes)."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as real:
        others = [(n, deflated(real.read(n))) for n in real.namelist() if n != "word/document.xml"]
    return zip_of([(n, d, d[2]) for n, d in others] + [("word/document.xml", document, document[2] if declared is None else declared)])
