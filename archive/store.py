"""Write-once blob stores keyed by the SHA-256 of their content.

A blob's key is its hash, so writing the same bytes twice is harmless and a blob can
always be checked against its key. Stores never overwrite or modify a blob; ``get``
checks the hash on every read, so a corrupted blob is reported, never served.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from archive.errors import BlobCorrupted, BlobNotFound, InvalidKey, StoreUnavailable

_KEY = re.compile(r"[0-9a-f]{64}")


def blob_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_key(key: str) -> str:
    """``key`` if it is a SHA-256 in hex; anything else (``../``, NUL bytes) is refused."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidKey(str(key)[:80])
    return key


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its key."""

    def get(self, key: str) -> bytes:
        """The blob's bytes, checked against the key."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove a blob (retention only; never to change one)."""


class FolderStore:
    """Blobs as files under ``root/ab/cd/<key>``, written to a temporary name, flushed,
    then linked into place, so a reader never sees half a blob and an existing blob is
    never replaced."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = blob_key(data)
        final = self.path(key)
        if final.exists():
            return key
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".incoming-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o440)
                # Linking fails if the blob appeared meanwhile, so one is never replaced.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, final)
            finally:
                Path(tmp).unlink(missing_ok=True)
            _fsync_dir(final.parent)
        except OSError as exc:
            raise StoreUnavailable(_describe(exc, self.root)) from exc
        return key

    def get(self, key: str) -> bytes:
        try:
            data = self.path(key).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        except OSError as exc:
            raise StoreUnavailable(_describe(exc, self.root)) from exc
        actual = blob_key(data)
        if actual != key:
            raise BlobCorrupted(key, actual)
        return data

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _describe(exc: OSError, root: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the archive folder {root} is full; free space and try again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"the archive folder {root} cannot be written: {exc.strerror}"
    return f"the archive folder {root} could not be used: {exc.strerror or exc}"
