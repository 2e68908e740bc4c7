"""Writing files so that a crash never leaves half a document under its real name."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, flush to disk, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _flushed_temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def write_once(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it exists; True if this call created it.

    Written under a temporary name, flushed to disk, then hard-linked to its real name:
    unlike a rename, a link never replaces a file another process published meanwhile,
    so processes starting together (a web process and a worker) all end up using the
    one key that won. The file is its owner's only, in a folder made owner-only.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = _flushed_temporary(path, data)
    try:
        try:
            os.link(tmp, path)
            created = True
        except FileExistsError:
            created = False
        except OSError:
            # A file system without hard links: fall back to a rename, checked first.
            created = not path.exists()
            if created:
                os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    _sync_folder(path.parent)
    return created


def _flushed_temporary(path: Path, data: bytes) -> str:
    """``data`` on disk under a temporary name beside ``path`` (owner-only, as mkstemp
    makes it); removed again if writing fails."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """Flush the folder itself, so the new name survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
