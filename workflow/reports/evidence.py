"""Evidence files: what type a file really is, where it is stored, and how it is read back.

The type is decided from the content, never from the name: `filetype` reads the signature;
containers are then opened to confirm what they hold (Office Open XML and OpenDocument files
are ZIP archives whose main part must be there; Word 97–2003 and Excel 97–2003 files are OLE
compound files whose main stream must be there, read with `olefile`). A ZIP, an executable or
an HTML page renamed to .docx or .pdf is therefore refused.

Files are stored once by content under the configured upload folder, `ab/cd/<sha256>`,
written to a temporary name and renamed, so a half-written file is never served.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
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


class TooLarge(Exception):
    """The upload is over the size limit (nothing was kept)."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    kind: str  # a key of EVIDENCE_TYPES
    content_type: str


def _zip_kind(data: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(data) as archive:
            names = set(archive.namelist())
            for kind, main in _OOXML_MAIN.items():
                if "[Content_Types].xml" in names and main in names:
                    return kind
            if "mimetype" in names:
                mime = archive.read("mimetype").strip()
                return next((kind for kind, m in _ODF_MIME.items() if m == mime), None)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
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


def detect(data: IO[bytes]) -> str | None:
    """The evidence type of a seekable file's content (a key of EVIDENCE_TYPES), or None."""
    data.seek(0)
    head = data.read(HEAD)
    data.seek(0)
    guess = filetype.guess(head)
    extension = guess.extension if guess is not None else None
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
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
