"""Rate limit counts in a small file that every web process on one machine maps into
memory (``rate_limit_storage`` ``file``; the default on SQLite, where `plansign serve`
runs several processes on one machine and the database has one writer).

The file is a fixed table of slots, each a key's digest, its window's end and its hit
count. A hit takes an exclusive ``flock`` lock on the file (and a thread lock, since
the lock belongs to the open file, which a process's threads share), finds the key's
slot by linear probing from its digest, counts, and lets go: a few microseconds, no system call but
the two for the lock, no thread started, and nothing written to disk but what the
kernel writes back on its own (a count lost in a crash does no harm). A process that
dies holding the lock loses it with its life, so none can wedge the others.

Bounds: ``SLOTS`` keys live at once (65,536 client addresses or API keys in one window);
a key is looked for in ``PROBES`` slots from its own, and when all of those hold live
windows of other keys, the one ending first is taken over (that key's count starts
again): only a flood from tens of thousands of addresses at once reaches that, and it
then loses counts of its own addresses, which were each far below a limit.

The file belongs to one machine: processes on several machines share counts through
PostgreSQL (``database``) or Redis.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from limits.storage import Storage

MAGIC = b"plansign rate limits 1\0\0"  # 24 bytes; a file with other bytes is made afresh
_HEADER = struct.Struct("<24sQ")  # magic, slot count: 32 bytes
_SLOT = struct.Struct("<16sdq")  # key digest, window end (Unix time), hits: 32 bytes
_EMPTY = bytes(16)


# The file lock is taken and let go of through libc without letting go of the GIL
# (ctypes.PyDLL keeps it through the call). Python's own fcntl.flock and lockf let go of
# it around the system call and must win it back once the lock is theirs: with the
# worker's other request threads running, that took up to a switch interval (5 ms) or
# more, while every other process's hits queued behind the held lock (the signer's
# page's limiter wait reached 20 ms at its p99 in bench_page_tail.py; the count itself
# takes microseconds). Uncontended, the lock is now held for those microseconds only;
# contended, the hit retries briefly, then waits in fcntl.flock (without the GIL).
_flock: Any = None
try:
    _flock = ctypes.PyDLL(None, use_errno=True).flock
    _flock.argtypes, _flock.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
except (OSError, AttributeError):  # no libc flock to call: Python's alone
    _flock = None
_RETRIES = 50
_RETRY_PAUSE = 0.0001  # seconds; a holder keeps the lock for microseconds


def _lock_file(fd: int) -> None:
    if _flock is not None:
        for _ in range(_RETRIES):
            if _flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB) == 0:
                return
            error = ctypes.get_errno()
            if error not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EINTR):
                raise OSError(error, os.strerror(error))
            time.sleep(_RETRY_PAUSE)
    fcntl.flock(fd, fcntl.LOCK_EX)


def _unlock_file(fd: int) -> None:
    if _flock is not None and _flock(fd, fcntl.LOCK_UN) == 0:
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


class FileStorage(Storage):
    """Fixed-window counters in a shared, memory-mapped file, for the ``limits`` library
    (see the module)."""

    # Registers the scheme; limits reads it from the class (see DatabaseStorage).
    STORAGE_SCHEME = ["plansign+file"]  # noqa: RUF012
    URI = "plansign+file://"
    SLOTS = 1 << 16
    PROBES = 32

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, *,
                 path: Path, clock: Callable[[], float] = time.time, slots: int = SLOTS,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = path
        self._clock = clock
        self._slots = slots
        self._threads = threading.Lock()
        size = _HEADER.size + slots * _SLOT.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        with self._locked():
            if os.fstat(self._fd).st_size != size or self._header() != (MAGIC, slots):
                os.ftruncate(self._fd, 0)  # another layout, or a file cut short: start over
                os.ftruncate(self._fd, size)
                os.pwrite(self._fd, _HEADER.pack(MAGIC, slots), 0)
        self._map = mmap.mmap(self._fd, size)

    def _header(self) -> tuple[bytes, int]:
        raw = os.pread(self._fd, _HEADER.size, 0)
        return _HEADER.unpack(raw) if len(raw) == _HEADER.size else (b"", 0)

    class _Lock:
        def __init__(self, storage: FileStorage) -> None:
            self.storage = storage

        def __enter__(self) -> None:
            self.storage._threads.acquire()
            try:
                _lock_file(self.storage._fd)
            except BaseException:
                self.storage._threads.release()
                raise

        def __exit__(self, *_exc: object) -> None:
            try:
                _unlock_file(self.storage._fd)
            finally:
                self.storage._threads.release()

    def _locked(self) -> FileStorage._Lock:
        return FileStorage._Lock(self)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return OSError

    # -- slots -------------------------------------------------------------------------

    def _offset(self, index: int) -> int:
        return _HEADER.size + index * _SLOT.size

    def _find(self, digest: bytes, now: float, *, claim: bool) -> int | None:
        """The slot holding ``digest``; with ``claim``, else a free one, an ended one, or
        (all ``PROBES`` live) the one whose window ends first. Call with the lock held."""
        start = int.from_bytes(digest[:8], "little") % self._slots
        reusable: int | None = None
        soonest: tuple[float, int] | None = None
        for step in range(min(self.PROBES, self._slots)):
            index = (start + step) % self._slots
            held, ends, _ = _SLOT.unpack_from(self._map, self._offset(index))
            if held == digest:
                return index
            if held == _EMPTY:  # never used: the key is not further on
                return (reusable if reusable is not None else index) if claim else None
            if ends <= now and reusable is None:
                reusable = index
            if soonest is None or ends < soonest[0]:
                soonest = (ends, index)
        if not claim:
            return None
        if reusable is not None:
            return reusable
        assert soonest is not None
        return soonest[1]

    @staticmethod
    def _digest(key: str) -> bytes:
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        return digest if digest != _EMPTY else b"\1" + digest[1:]

    # -- the Storage interface ---------------------------------------------------------

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        digest, now = self._digest(key), self._clock()
        with self._locked():
            index = self._find(digest, now, claim=True)
            assert index is not None
            offset = self._offset(index)
            held, ends, hits = _SLOT.unpack_from(self._map, offset)
            if held != digest or ends <= now:  # a new window starts with this hit
                ends, hits = now + expiry, 0
            hits += amount
            _SLOT.pack_into(self._map, offset, digest, ends, hits)
        return int(hits)

    def _live(self, key: str) -> tuple[float, int] | None:
        digest, now = self._digest(key), self._clock()
        with self._locked():
            index = self._find(digest, now, claim=False)
            if index is None:
                return None
            _, ends, hits = _SLOT.unpack_from(self._map, self._offset(index))
        return (ends, hits) if ends > now else None

    def get(self, key: str) -> int:
        live = self._live(key)
        return int(live[1]) if live else 0

    def get_expiry(self, key: str) -> float:
        live = self._live(key)
        return float(live[0]) if live else self._clock()

    def check(self) -> bool:
        return not self._map.closed

    def reset(self) -> int | None:
        with self._locked():
            live = sum(1 for index in range(self._slots)
                       if _SLOT.unpack_from(self._map, self._offset(index))[1] > self._clock())
            self._map[_HEADER.size:] = bytes(len(self._map) - _HEADER.size)
        return live

    def clear(self, key: str) -> None:
        digest = self._digest(key)
        with self._locked():
            index = self._find(digest, self._clock(), claim=False)
            if index is not None:  # the digest stays, so later keys' probes go past it
                _SLOT.pack_into(self._map, self._offset(index), digest, 0.0, 0)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)
