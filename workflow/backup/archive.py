"""The backup archive: a gzip-compressed tar (POSIX pax) holding

    database.pgdump | database.sqlite3   the database (pg_dump custom format, or a SQLite file)
    uploads/<path>                       every file of the upload directory, at its relative path
    manifest.json                        what the archive is, and the SHA-256 of every other member

The manifest comes last because it lists the checksums of what precedes it, computed while each
member is written; reading it therefore takes one pass over the archive, which restoring makes
anyway to verify every checksum before it changes anything. Members are copied in chunks:
neither writing nor reading holds a file, the database or the archive in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import posixpath
import tarfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

FORMAT = "kpi-workflow-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads/"
DATABASE_MEMBERS = ("database.pgdump", "database.sqlite3")
CHUNK = 1024 * 1024
# A manifest lists one line per file; far beyond any real upload directory, and a bound on what
# a damaged or hostile archive can make restore read into memory.
MANIFEST_MAX_BYTES = 512 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore cannot go on; the message tells the operator why and what to do."""


class _HashingReader:
    """Reads from a binary file while computing the SHA-256 and size of what was read."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha.update(data)
        self.size += len(data)
        return data


class _HashingWriter(io.RawIOBase):
    """Passes writes to a file while computing the SHA-256 of the whole archive."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.sha.update(view)
        self.size += len(view)
        self.raw.write(view)
        return len(view)


def file_entry(sha: str, size: int) -> dict[str, Any]:
    return {"sha256": sha, "size": size}


class ArchiveWriter:
    """Writes an archive to `path` through `path.partial`, renamed only once complete, so that an
    interrupted backup never leaves a file that looks like a finished archive."""

    def __init__(self, path: Path, *, compresslevel: int = 6) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._hashing = _HashingWriter(self._file)
        self._tar = tarfile.open(fileobj=self._hashing, mode="w:gz", compresslevel=compresslevel, format=tarfile.PAX_FORMAT)  # type: ignore[call-overload]
        self.files: dict[str, dict[str, Any]] = {}

    def add_file(self, name: str, source: Path, *, mode: int = 0o600) -> dict[str, Any]:
        """Copy `source` into the archive as `name`; returns its manifest entry."""
        with source.open("rb") as fh:
            stat = os.fstat(fh.fileno())
            info = tarfile.TarInfo(name)
            info.size = stat.st_size
            info.mtime = int(stat.st_mtime)
            info.mode = mode
            reader = _HashingReader(fh)
            try:
                self._tar.addfile(info, reader)  # type: ignore[arg-type]
            except OSError as exc:
                if "unexpected end of data" in str(exc):
                    raise BackupError(f"{source} became shorter while it was being copied; run the backup again") from None
                raise
        self.files[name] = file_entry(reader.sha.hexdigest(), reader.size)
        return self.files[name]

    def finish(self, manifest: dict[str, Any]) -> tuple[str, int]:
        """Write the manifest, close, sync and rename; returns (archive SHA-256, size)."""
        data = json.dumps({**manifest, "files": self.files}, ensure_ascii=False, indent=1, sort_keys=False).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        info.mtime = int(time.time())
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.path)
        sync_directory(self.path.parent)
        return self._hashing.sha.hexdigest(), self._hashing.size

    def abort(self) -> None:
        try:
            self._tar.close()
        except Exception:  # noqa: BLE001  (already failing; the partial file goes anyway)
            pass
        self._file.close()
        self.partial.unlink(missing_ok=True)


def sync_directory(path: Path) -> None:
    """Make a rename durable (the directory entry), where the system allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def member_name_is_safe(name: str) -> bool:
    """A member restore may write: the database, or a plain relative path under uploads/."""
    if name in DATABASE_MEMBERS or name == MANIFEST:
        return True
    if not name.startswith(UPLOADS) or "\\" in name or "\x00" in name:
        return False
    relative = name[len(UPLOADS):]
    return bool(relative) and not relative.startswith("/") and posixpath.normpath(relative) == relative and not any(
        part in ("", ".", "..") for part in relative.split("/")
    )


def _members(path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """Each member of the archive in order, with a stream of its content, refusing anything that
    is not a regular file at a safe name (links, devices, absolute or climbing paths)."""
    with tarfile.open(path, mode="r|gz") as tar:
        for member in tar:
            if not member.isreg() or not member_name_is_safe(member.name):
                raise BackupError(f"{path.name}: unexpected member {member.name!r}; this is not an archive made by kpi backup")
            stream = tar.extractfile(member)
            assert stream is not None
            yield member, stream


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn what a damaged archive raises, wherever in the stream it shows, into one message."""
    try:
        yield
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise BackupError(f"{path.name} cannot be read: it is damaged or truncated ({exc})") from None


def _copy(stream: IO[bytes], sink: Callable[[bytes], Any] | None) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink(chunk)
    return sha.hexdigest(), size


def read_manifest(data: bytes, name: str) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except ValueError:
        raise BackupError(f"{name}: the manifest is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{name} is not an archive made by kpi backup")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(f"{name} was made by a newer version of KPI Workflow (archive format {manifest.get('format_version')}); restore it with that version")
    for key, kind in (("files", dict), ("tables", dict), ("database", dict), ("created_at", str)):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"{name}: the manifest is incomplete ({key})")
    return manifest


def verify(path: Path) -> dict[str, Any]:
    """Read the whole archive once, check every member against the manifest, return the manifest.

    Nothing is written anywhere: an archive that fails here has changed nothing.
    """
    seen: dict[str, tuple[str, int]] = {}
    manifest_data: bytes | None = None
    with _reading(path):
        for member, stream in _members(path):
            if member.name == MANIFEST:
                if member.size > MANIFEST_MAX_BYTES:
                    raise BackupError(f"{path.name}: the manifest is implausibly large; the archive is damaged")
                manifest_data = stream.read()
                continue
            if member.name in seen:
                raise BackupError(f"{path.name}: {member.name} appears twice; the archive is damaged")
            seen[member.name] = _copy(stream, None)
    if manifest_data is None:
        raise BackupError(f"{path.name} has no manifest: it is incomplete or not an archive made by kpi backup")
    manifest = read_manifest(manifest_data, path.name)
    expected = manifest["files"]
    missing = sorted(set(expected) - set(seen))
    unexpected = sorted(set(seen) - set(expected))
    if missing or unexpected:
        raise BackupError(f"{path.name} does not hold what its manifest lists (missing: {', '.join(missing[:5]) or 'none'}; not listed: {', '.join(unexpected[:5]) or 'none'})")
    for name, (sha, size) in seen.items():
        entry = expected[name]
        if not isinstance(entry, dict) or entry.get("sha256") != sha or entry.get("size") != size:
            raise BackupError(f"{path.name} is damaged: {name} does not match its checksum; nothing was restored")
    database_file = manifest["database"].get("file")
    if database_file not in DATABASE_MEMBERS or database_file not in seen:
        raise BackupError(f"{path.name}: the manifest names no database file")
    return manifest


def extract(
    path: Path,
    manifest: dict[str, Any],
    open_target: Callable[[tarfile.TarInfo], IO[bytes] | None],
    written: Callable[[tarfile.TarInfo], None] = lambda member: None,
) -> None:
    """Second pass: stream each member into `open_target(member)` (None: skip it), checking its
    checksum again, since the archive may have changed since `verify` read it; `written(member)`
    is called once a member's target is complete and closed."""
    with _reading(path):
        for member, stream in _members(path):
            if member.name == MANIFEST:
                continue
            target = open_target(member)
            if target is None:
                continue
            with target:
                sha, size = _copy(stream, target.write)
            entry = manifest["files"].get(member.name) or {}
            if entry.get("sha256") != sha or entry.get("size") != size:
                raise BackupError(f"{path.name} changed while it was being restored ({member.name}); nothing was restored, run the restore again")
            written(member)
