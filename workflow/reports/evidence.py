"""Evidence files: what type a file really is, where it is stored, and how it is read back.

The type is decided from the content, never from the name: `filetype` reads the signature;
containers are then opened to confirm what they hold (Office Open XML and OpenDocument files
are ZIP archives whose main part must be there; Word 97–2003 and Excel 97–2003 files are OLE
compound files whose main stream must be there, read with `olefile`). A ZIP, an executable or
an HTML page renamed to .docx or .pdf is therefore refused.

A ZIP archive is opened with bounded reads only, so that a small upload cannot make a worker
unpack gigabytes (a "decompression bomb"): the end record is read first and an archive with too
many parts or too large a directory is refused before `zipfile` parses it; then the sizes every
part declares are checked against the limits of `ArchiveLimits` (settings
`upload_unpacked_part_mb`, `upload_unpacked_total_mb`, `upload_compression_ratio_max`); then
every part is unpacked in 64 KB pieces that are counted and thrown away, which also checks
their CRCs, and nothing beyond the limits is ever unpacked. Only stored and deflated parts are
accepted (what Office and OpenDocument write); the other methods cannot be unpacked in bounded
steps by `zipfile`.

Files are stored once by content under the configured upload folder, `ab/cd/<sha256>`,
written to a temporary name and renamed, so a half-written file is never served.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
import olefile
from flask import current_app

from workflow.reports.rules import EVIDENCE_TYPES

CHUNK = 64 * 1024
HEAD = 8192
# The part each container type must hold to be what its signature claims.
_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_ODF_MIME = {"odt": b"application/vnd.oasis.opendocument.text", "ods": b"application/vnd.oasis.opendocument.spreadsheet"}
_OLE_STREAMS = {"doc": ("WordDocument",), "xls": ("Workbook", "Book")}


# An Office or OpenDocument file has tens of parts (a few thousand with many images); its
# directory a few hundred bytes per part. Checked before `zipfile` builds an object per part.
MAX_PARTS = 5000
MAX_DIRECTORY_BYTES = 1024 * 1024
# Small parts may compress very well (a page of spaces) without harm; the ratio is checked above.
RATIO_FLOOR_BYTES = 1024 * 1024
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_BOUNDED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class TooLarge(Exception):
    """The upload is over the size limit (nothing was kept)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """How much a ZIP container may unpack to: per part, in all, and its compression ratio."""

    part_bytes: int
    total_bytes: int
    ratio: int

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        settings = current_app.config["KPI"]
        mb = 1024 * 1024
        return cls(settings["upload_unpacked_part_mb"] * mb, settings["upload_unpacked_total_mb"] * mb, settings["upload_compression_ratio_max"])


class ArchiveRefused(Exception):
    """A container would unpack beyond the limits. `reason` is one of "parts", "part", "total",
    "ratio"; `limit` is the figure it went beyond (a count, MB, or a ratio)."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__(f"{reason} over {limit}")
        self.reason = reason
        self.limit = limit


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    kind: str  # a key of EVIDENCE_TYPES
    content_type: str


def _check_directory(data: IO[bytes]) -> None:
    """Refuse, from the end record alone, an archive whose directory is too large to parse."""
    data.seek(0, os.SEEK_END)
    size = data.tell()
    tail_size = min(size, 22 + 65535)  # the end record and its longest comment
    data.seek(size - tail_size)
    tail = data.read(tail_size)
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < 22:
        return  # not a ZIP archive: zipfile says so
    parts, directory_bytes = struct.unpack("<2xHI", tail[at + 8:at + 16])
    # ZIP64 is only needed past 65,535 parts or 4 GB, which no evidence file reaches.
    if tail[max(0, at - 20):at].startswith(_ZIP64_LOCATOR) or parts > MAX_PARTS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise ArchiveRefused("parts", MAX_PARTS)


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Refuse by the sizes the parts declare, before unpacking anything."""
    if len(infos) > MAX_PARTS:
        raise ArchiveRefused("parts", MAX_PARTS)
    for info in infos:
        if info.file_size > limits.part_bytes:
            raise ArchiveRefused("part", limits.part_bytes // (1024 * 1024))
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise ArchiveRefused("ratio", limits.ratio)
    if sum(info.file_size for info in infos) > limits.total_bytes:
        raise ArchiveRefused("total", limits.total_bytes // (1024 * 1024))


def _unpack_counting(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    """Unpack every part in bounded pieces, thrown away: checks the CRCs and that no part
    unpacks to more than it declared (zipfile stops there) or than the limits allow."""
    total = 0
    for info in infos:
        if info.compress_type not in _BOUNDED_METHODS:
            raise zipfile.BadZipFile(f"unsupported compression {info.compress_type}")
        with archive.open(info) as part:
            while chunk := part.read(CHUNK):
                total += len(chunk)
                if total > limits.total_bytes:
                    raise ArchiveRefused("total", limits.total_bytes // (1024 * 1024))


def _zip_kind(data: IO[bytes], limits: ArchiveLimits) -> str | None:
    try:
        _check_directory(data)
        data.seek(0)
        with zipfile.ZipFile(data) as archive:
            infos = archive.infolist()
            _check_sizes(infos, limits)
            names = {info.filename for info in infos}
            kind = next((k for k, main in _OOXML_MAIN.items() if "[Content_Types].xml" in names and main in names), None)
            if kind is None and "mimetype" in names:
                with archive.open("mimetype") as part:
                    mime = part.read(100).strip()
                kind = next((k for k, m in _ODF_MIME.items() if m == mime), None)
            if kind is not None:
                _unpack_counting(archive, infos, limits)
            return kind
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return None


def _ole_kind(data: IO[bytes]) -> str | None:
    try:
        with olefile.OleFileIO(data) as ole:
            for kind, streams in _OLE_STREAMS.items():
                if any(ole.exists(s) for s in streams):
                    return kind
    except (OSError, ValueError, TypeError):
        return None
    return None


def detect(data: IO[bytes], limits: ArchiveLimits | None = None) -> str | None:
    """The evidence type of a seekable file's content (a key of EVIDENCE_TYPES), or None.
    ArchiveRefused when a ZIP container would unpack beyond `limits` (the settings' by default)."""
    data.seek(0)
    head = data.read(HEAD)
    data.seek(0)
    guess = filetype.guess(head)
    extension = guess.extension if guess is not None else None
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data, limits or ArchiveLimits.from_settings())
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = _ole_kind(data)
    elif extension in EVIDENCE_TYPES and extension not in _OOXML_MAIN and extension not in _ODF_MIME and extension not in _OLE_STREAMS:
        kind = extension
    else:
        kind = None
    data.seek(0)
    return kind


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def clean_filename(name: str, kind: str) -> str:
    """The name to show and to download as: no folders, no control or reserved characters,
    Vietnamese letters kept, at most 200 characters, ending in the detected type's extension."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" ._") or "tep-minh-chung"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem = name
    extension = EVIDENCE_TYPES[kind][1]
    stem = stem[: 200 - len(extension) - 1].rstrip(" .") or "tep-minh-chung"
    return f"{stem}.{extension}"


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def path_of(sha256: str) -> Path:
    return upload_root() / sha256[:2] / sha256[2:4] / sha256


def spool(stream: IO[bytes], max_bytes: int) -> tuple[IO[bytes], str, int]:
    """Copy an upload to a temporary file, hashing as it goes; TooLarge past `max_bytes`."""
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            out.close()
            raise TooLarge()
        digest.update(chunk)
        out.write(chunk)
    out.seek(0)
    return out, digest.hexdigest(), size


def store(data: IO[bytes], sha256: str) -> Path:
    """Write the content at its place unless it is there already (same content, same name)."""
    target = path_of(sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            data.seek(0)
            while chunk := data.read(CHUNK):
                fh.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def bytes_io(content: bytes) -> IO[bytes]:
    return io.BytesIO(content)
