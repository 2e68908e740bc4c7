"""Writing files so that a crash never leaves half a document under its real name."""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
import threading
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


class StagedFiles:
    """Files written under temporary names as they are made, then published under their
    real names together, or not at all: a batch that fails half-way leaves nothing.

    :meth:`stage` writes and flushes one file beside its real name (safe from several
    threads, so files are written while later ones are still being made);
    :meth:`publish` renames every one and syncs each folder once; :meth:`discard`, or
    leaving the ``with`` block without publishing, removes what was staged, and the
    folders staging made. A crash never leaves half a file under its real name, as with
    :func:`write_atomic`."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []
        self._made: list[Path] = []  # folders made for staged files, outermost first
        self._lock = threading.Lock()
        self.published: list[Path] = []

    def stage(self, path: Path, data: bytes) -> None:
        with self._lock:
            missing = list(itertools.takewhile(lambda folder: not folder.exists(),
                                               (path.parent, *path.parent.parents)))
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            finally:
                self._made.extend(folder for folder in reversed(missing) if folder.is_dir())
        tmp = _flushed_temporary(path, data)
        with self._lock:
            self._staged.append((tmp, path))

    def publish(self) -> list[Path]:
        """Give every staged file its real name, in the order staged; the paths written.
        On an error, what was renamed stays (see :attr:`published`), the rest is removed."""
        with self._lock:
            staged, self._staged = self._staged, []
        try:
            for tmp, path in staged:
                os.replace(tmp, path)
                self.published.append(path)
        finally:
            for tmp, _ in staged[len(self.published):]:
                Path(tmp).unlink(missing_ok=True)
        for folder in dict.fromkeys(path.parent for path in self.published):
            _sync_folder(folder)
        return self.published

    def discard(self) -> None:
        with self._lock:
            staged, self._staged = self._staged, []
            # Folders hold what was published; else they are ours to take away again.
            made = [] if self.published else self._made
            self._made = []
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):  # not empty: someone else wrote there
                folder.rmdir()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


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
