"""Word → PDF through a warm pool of LibreOffice instances, driven over UNO.

Why this shape:

* Starting LibreOffice costs about a second; converting a few pages costs about a tenth of
  that. So instances are started once and kept warm, and each is warmed up with a throw-away
  conversion before it is marked ready.
* The ``uno`` module exists only for the system Python, not for the project's venv, so every
  instance is a small worker script (``_uno_worker.py``) run by that Python, which owns one
  ``soffice.bin`` and answers JSON lines on its stdin/stdout.
* LibreOffice hangs and crashes now and then, and grows in memory. So every document has a
  deadline after which its instance is killed and restarted and the document retried, and
  every instance is restarted after ``max_documents`` documents.
* No LibreOffice may outlive us: instances are killed with their process group on trouble,
  stopped on :meth:`ConverterPool.close` and at interpreter exit, and tied to our life with
  ``PR_SET_PDEATHSIG`` in case we are killed outright.

Typical use::

    with ConverterPool(2) as pool:
        pdf = pool.convert(docx_bytes)
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import functools
import hashlib
import itertools
import json
import logging
import os
import queue
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from docgen.errors import ConversionError, ConverterUnavailable

__all__ = [
    "Converter",
    "ConverterPool",
    "ConverterStats",
    "LibreOffice",
    "find_libreoffice",
]

logger = logging.getLogger(__name__)

DEFAULT_SOFFICE = Path("/usr/lib/libreoffice/program/soffice.bin")
DEFAULT_UNO_PYTHON = Path("/usr/bin/python3")
INSTALL_HINT = "run `apt-get install libreoffice-writer-nogui python3-uno` (or `make setup`)"
WORKER_SCRIPT = Path(__file__).with_name("_uno_worker.py")
FONTCONFIG_FILE = Path(__file__).with_name("fonts.conf")

DOCX_FILTER = "MS Word 2007 XML"
#: The files :meth:`Converter.convert_file` takes, and the import filter for each. Naming the
#: filter skips type detection and makes LibreOffice refuse a file that is not in that format,
#: where detection would guess (random bytes come out as a PDF of gibberish, or, in
#: LibreOffice 7.4, can even tear down the UNO connection).
IMPORT_FILTERS: dict[str, str] = {
    ".docx": DOCX_FILTER,
    ".doc": "MS Word 97",
    ".odt": "writer8",
    ".rtf": "Rich Text Format",
}

STARTUP_TIMEOUT = 60.0  # seconds for one instance to start; not part of a document's deadline
STOP_GRACE = 10.0  # seconds an instance gets to quit politely before it is killed
KILL_GRACE = 2.0  # seconds a worker gets to reap its killed soffice.bin before its group dies

_request_ids = itertools.count(1)


# -- finding LibreOffice ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LibreOffice:
    """Where LibreOffice's ``soffice.bin`` and the Python that can ``import uno`` are."""

    soffice: Path
    uno_python: Path


def find_libreoffice(
    soffice: str | os.PathLike[str] | None = None,
    uno_python: str | os.PathLike[str] | None = None,
) -> LibreOffice:
    """Locate LibreOffice, or raise :class:`ConverterUnavailable` saying what to install.

    ``soffice`` may name ``soffice.bin``, the ``soffice`` wrapper, or LibreOffice's
    ``program`` folder; by default the ``soffice`` on PATH is followed to its ``soffice.bin``.
    """
    return LibreOffice(_find_soffice_bin(soffice), _find_uno_python(uno_python))


def _find_soffice_bin(soffice: str | os.PathLike[str] | None) -> Path:
    """soffice.bin itself: the ``soffice`` shell wrapper would hide the real process from us."""
    if soffice is None:
        on_path = shutil.which("soffice")
        candidates = [Path(on_path)] if on_path else []
        candidates.append(DEFAULT_SOFFICE)
    else:
        candidates = [Path(soffice)]
    for candidate in candidates:
        found = _soffice_bin_for(candidate)
        if found is not None:
            return found
    where = f"{candidates[0]} does not exist" if soffice is not None else "soffice is not on PATH"
    raise ConverterUnavailable(f"LibreOffice is not installed ({where}): {INSTALL_HINT}")


def _soffice_bin_for(path: Path) -> Path | None:
    real = path.resolve()
    if real.is_dir():
        real = real / "soffice.bin"
    elif real.name != "soffice.bin":
        real = real.with_name("soffice.bin")
    return real if real.is_file() and os.access(real, os.X_OK) else None


def _find_uno_python(uno_python: str | os.PathLike[str] | None) -> Path:
    python = Path(uno_python) if uno_python is not None else DEFAULT_UNO_PYTHON
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise ConverterUnavailable(
            f"LibreOffice's Python is not installed ({python} does not exist): {INSTALL_HINT}"
        )
    if not _can_import_uno(str(python)):
        raise ConverterUnavailable(
            f"LibreOffice's Python bridge is not installed ({python} cannot `import uno`): "
            f"{INSTALL_HINT}"
        )
    return python


@functools.cache
def _can_import_uno(python: str) -> bool:
    """Asked once per interpreter: a missing python3-uno should fail at construction, clearly."""
    try:
        done = subprocess.run(
            [python, "-I", "-c", "import uno"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


# -- starting processes -------------------------------------------------------------------------


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec_fn giving the child PR_SET_PDEATHSIG=SIGKILL (Linux only).

    libc is looked up here, before any fork, so the child only makes one foreign call.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def die_with_parent() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)

    return die_with_parent


_DIE_WITH_PARENT = _die_with_parent_hook()


class _Spawner:
    """Starts child processes from one long-lived daemon thread.

    Why: ``PR_SET_PDEATHSIG`` fires when the *thread* that forked the child ends, not the
    process. A worker started from a short-lived thread (a request handler, a thread pool used
    to start instances in parallel) would be SIGKILLed the moment that thread returned.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[subprocess.Popen[bytes]], list[str], dict]]
        self._jobs = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """``subprocess.Popen(args, **kwargs)``, run on the spawner thread."""
        self._ensure_thread()
        future: Future[subprocess.Popen[bytes]] = Future()
        self._jobs.put((future, args, kwargs))
        return future.result()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="docgen-convert-spawner", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            future, args, kwargs = self._jobs.get()
            try:
                future.set_result(subprocess.Popen(args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)


_spawner = _Spawner()


# -- one worker process -------------------------------------------------------------------------


class _WorkerGone(Exception):
    """The worker process ended or closed its stdout."""


class _WorkerTimeout(Exception):
    """The worker did not answer in time."""


class _LineReader:
    """Newline-terminated lines from a pipe, with a deadline: no reader thread per worker."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)

    def readline(self, deadline: float) -> bytes:
        """The next line (without newline); :class:`_WorkerTimeout` at ``deadline`` (monotonic),
        :class:`_WorkerGone` at end of file."""
        while (end := self._buffer.find(b"\n")) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(max(1, int(remaining * 1000))):
                if time.monotonic() >= deadline:
                    raise _WorkerTimeout
                continue
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise _WorkerGone("the worker closed its output")
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line


class _Worker:
    """One ``_uno_worker.py`` process, and through it one ``soffice.bin``.

    The worker leads its own process group, with soffice.bin in it: killing the group leaves
    nothing behind, whatever state either process is in.
    """

    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self.log_path = log_path
        self.ready: dict[str, Any] | None = None
        self.documents = 0
        self._lines = _LineReader(proc.stdout.fileno())
        self._soffice_pidfd: int | None = None
        self._sockets: list[str] = []  # soffice's named pipes in /tmp
        self._stop_lock = threading.Lock()
        self._stopping = False

    @classmethod
    def spawn(cls, lo: LibreOffice, folder: Path, startup_timeout: float) -> _Worker:
        """Start the worker process; do not wait for LibreOffice to be ready.

        LibreOffice's temporary files go to a folder of ours (``TMPDIR``), emptied before each
        start: a killed instance leaves its own behind.
        """
        tmp = folder / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(mode=0o700, parents=True)
        pipe = f"docgen-{_owner_tag()}-{uuid.uuid4().hex[:12]}"
        command = [
            str(lo.uno_python),
            "-I",  # no PYTHON* variables, no user site, no script folder on sys.path
            str(WORKER_SCRIPT),
            "--soffice",
            str(lo.soffice),
            "--profile",
            str(folder / "profile"),
            "--pipe",
            pipe,
            "--startup-timeout",
            str(startup_timeout),
            "--soffice-log",
            str(folder / "soffice.log"),
        ]
        log_path = folder / "worker.log"
        with open(log_path, "ab") as log:
            proc = _spawner.popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env={**os.environ, "TMPDIR": str(tmp), "FONTCONFIG_FILE": str(FONTCONFIG_FILE)},
                process_group=0,
                preexec_fn=_DIE_WITH_PARENT,
            )
        return cls(proc, log_path)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        """Wait for the worker's ready line; :class:`ConverterUnavailable` if it never comes."""
        try:
            line = self._lines.readline(time.monotonic() + timeout)
            message = json.loads(line)
        except _WorkerTimeout:
            self._abandon()
            raise ConverterUnavailable(
                f"LibreOffice did not start within {timeout:g} s{self._log_tail()}"
            ) from None
        except (_WorkerGone, ValueError):
            self._abandon()
            raise ConverterUnavailable(f"LibreOffice did not start{self._log_tail()}") from None
        if not message.get("ready"):
            self._abandon()
            if message.get("reason") == "no-uno":
                raise ConverterUnavailable(
                    f"LibreOffice's Python bridge is not installed ({message.get('error')}): "
                    f"{INSTALL_HINT}"
                )
            raise ConverterUnavailable(f"LibreOffice did not start: {message.get('error')}")
        self.ready = message
        self._soffice_pidfd = _pidfd_open(message.get("soffice_pid"))
        self._sockets = [str(path) for path in message.get("sockets") or []]
        return message

    def request(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        assert self.proc.stdin is not None
        deadline = time.monotonic() + timeout
        try:
            self.proc.stdin.write(json.dumps(message).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise _WorkerGone(f"cannot write to the worker: {exc}") from None
        while True:
            try:
                answer = json.loads(self._lines.readline(deadline))
            except ValueError as exc:
                raise _WorkerGone(f"garbled answer from the worker: {exc}") from None
            if isinstance(answer, dict) and answer.get("id") == message["id"]:
                return answer
            logger.debug("ignoring stray worker line %r", answer)

    # -- stopping ----------------------------------------------------------------------------

    def begin_stop(self) -> bool:
        """Close the worker's stdin: it then quits LibreOffice and exits. False if already
        stopping (someone else reaps it)."""
        with self._stop_lock:
            if self._stopping:
                return False
            self._stopping = True
        with contextlib.suppress(OSError, ValueError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        return True

    def finish_stop(self, grace: float = STOP_GRACE) -> None:
        """Wait for a worker told to stop; kill it if it takes longer than ``grace``."""
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            logger.warning(
                "LibreOffice worker %d did not quit in %g s; killing it", self.pid, grace
            )
            self._kill_now()
        self._release_fds()

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop politely (LibreOffice tidies its profile), killing only if it will not."""
        if self.begin_stop():
            self.finish_stop(grace)

    def kill(self) -> None:
        """Stop now: the worker may be stuck in a call to a hung LibreOffice."""
        if self.begin_stop():
            self._kill_now()
            self._release_fds()

    def _abandon(self) -> None:
        self.kill()
        self.close_pipes()

    def _kill_now(self) -> None:
        """Kill soffice.bin first, so that the worker (its parent) reaps it and no zombie is
        left for init; then, if the worker does not exit, kill the whole process group."""
        if self._soffice_pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._soffice_pidfd, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(KILL_GRACE)
        if self.proc.returncode is None:  # not reaped yet, so its group id is still ours
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        _remove_sockets(self._sockets)

    def _release_fds(self) -> None:
        """Close the pidfd. Not stdout: a converting thread may still be reading it, and a
        closed (then reused) descriptor number would hand it someone else's data."""
        if self._soffice_pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._soffice_pidfd)
            self._soffice_pidfd = None

    def close_pipes(self) -> None:
        """Close our ends of its stdin/stdout once nobody can be reading them any more."""
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()

    def _log_tail(self, lines: int = 5) -> str:
        """The end of the worker's log, to put in an error message."""
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return ""
        return (": " + " | ".join(text)) if text else ""


def _remove_sockets(paths: list[str]) -> None:
    """Remove the named pipes a killed soffice.bin left in /tmp (only ever sockets)."""
    for path in paths:
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)


def _pidfd_open(pid: Any) -> int | None:
    """A pidfd for soffice.bin, so that killing it later cannot hit a recycled pid."""
    if not isinstance(pid, int) or not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


# -- one converter --------------------------------------------------------------------------------


@dataclasses.dataclass
class ConverterStats:
    """What one LibreOffice instance has done. :attr:`Converter.stats` hands out copies."""

    name: str
    documents: int = 0  #: converted, over all restarts
    documents_since_start: int = 0  #: converted by the current soffice.bin
    failures: int = 0  #: documents given up on
    restarts: int = 0  #: starts after the first one, for any reason
    crashes: int = 0
    timeouts: int = 0
    recycles: int = 0  #: planned restarts after ``max_documents`` documents
    pid: int | None = None  #: of the worker process
    soffice_pid: int | None = None
    startup_ms: float | None = None  #: soffice.bin start to UNO connection
    warmup_ms: float | None = None
    last_load_ms: float | None = None  #: loadComponentFromURL, measured in the worker
    last_export_ms: float | None = None  #: storeToURL + rename, measured in the worker
    last_roundtrip_ms: float | None = None  #: request sent to answer read, measured here


class Converter:
    """One LibreOffice instance (a worker process and its soffice.bin) converting to PDF.

    Conversions are serialised: LibreOffice's UNO API is not meant to convert several documents
    at once, and one instance per core is faster anyway. Use :class:`ConverterPool` for
    parallelism. The instance starts on first use, or with :meth:`start`.

    ``timeout``: seconds a document may take before LibreOffice is deemed hung, killed and
    restarted; ``retries``: how many more times a document is tried after a hang or a crash;
    ``max_documents``: documents after which LibreOffice is restarted anyway;
    ``soffice``/``uno_python``: see :func:`find_libreoffice`; ``workdir``: where the private
    temporary folder goes (default: the system's); ``startup_timeout``: seconds LibreOffice
    may take to start, not counted in any document's ``timeout``.
    """

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        max_documents: int = 200,
        retries: int = 2,
        soffice: str | os.PathLike[str] | None = None,
        uno_python: str | os.PathLike[str] | None = None,
        workdir: str | os.PathLike[str] | None = None,
        name: str = "lo",
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        _check_settings(timeout=timeout, max_documents=max_documents, retries=retries)
        self.timeout = timeout
        self.max_documents = max_documents
        self.retries = retries
        self.startup_timeout = startup_timeout
        self.name = name
        self._lo = find_libreoffice(soffice, uno_python)
        self._dir = _private_dir(workdir)  # profile, logs, documents in transit
        self._lock = threading.Lock()  # one conversion (or start/restart) at a time
        self._state_lock = threading.Lock()  # guards _worker and _closed against close()
        self._worker: _Worker | None = None
        self._closed = False
        self._starts = 0
        self._stats = ConverterStats(name)
        atexit.register(self.close)  # a pool unregisters this: it closes its own, in parallel

    # -- public API --------------------------------------------------------------------------

    @property
    def stats(self) -> ConverterStats:
        return dataclasses.replace(self._stats)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def running(self) -> bool:
        """Is LibreOffice up and ready (rather than not started yet, or being restarted)?"""
        worker = self._worker
        return worker is not None and worker.ready is not None

    def start(self) -> None:
        """Start LibreOffice now rather than on the first document."""
        with self._lock:
            self._running_worker()

    def _begin_start(self) -> None:
        """Launch the worker without waiting for it, so that several start in parallel."""
        with self._lock, self._state_lock:
            if self._worker is None and not self._closed:
                self._worker = self._spawn()

    def convert(self, docx: bytes) -> bytes:
        """Convert a Word .docx document, given as bytes, to PDF bytes."""
        _check_docx(docx)
        number = next(_request_ids)
        src, dst = self._dir / f"in-{number}.docx", self._dir / f"out-{number}.pdf"
        try:
            _write_atomically(src, docx)
            self._convert(src, dst, DOCX_FILTER, "the document")
            return _read_pdf(dst)
        finally:
            src.unlink(missing_ok=True)
            dst.unlink(missing_ok=True)

    def convert_file(self, src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        """Convert the document at ``src`` to a PDF at ``dst`` (written whole, then renamed)."""
        source, target = Path(src).absolute(), Path(dst).absolute()
        if not source.is_file():
            raise ConversionError(f"cannot convert {source}: no such file")
        if not target.parent.is_dir():
            raise ConversionError(f"cannot write {target}: no such folder {target.parent}")
        filter_name = IMPORT_FILTERS.get(source.suffix.lower())
        if filter_name is None:
            supported = ", ".join(IMPORT_FILTERS)
            raise ConversionError(
                f"cannot convert {source}: {source.suffix or 'no'} file type is not supported "
                f"(supported: {supported})"
            )
        self._convert(source, target, filter_name, str(source))
        _read_pdf(target, head_only=True)

    def close(self) -> None:
        """Stop LibreOffice (politely, then by force) and remove our temporary files."""
        worker = self._detach()
        if worker is not None:
            worker.stop()
            self._close_pipes_if_idle(worker)
        self._remove_dir()

    def _close_pipes_if_idle(self, worker: _Worker) -> None:
        """After close(): a thread still converting owns the pipes; GC closes them for it."""
        if self._lock.acquire(blocking=False):
            try:
                worker.close_pipes()
            finally:
                self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("running" if self._worker else "idle")
        return f"<Converter {self.name} {state} documents={self._stats.documents}>"

    # -- conversion with retries ------------------------------------------------------------

    def _convert(self, src: Path, dst: Path, filter_name: str, what: str) -> None:
        """Convert, restarting LibreOffice and retrying on a crash or a hang."""
        with self._lock:
            if self._restart_due():
                self._recycle()
            failures: list[str] = []
            for attempt in range(1, self.retries + 2):
                worker = self._running_worker()
                request = {
                    "id": next(_request_ids),
                    "in": str(src),
                    "out": str(dst),
                    "filter": filter_name,
                }
                failure = self._attempt(worker, request, what)
                if failure is None:
                    return
                failures.append(failure)
                self._retire(worker, request, failure, attempt)
            self._stats.failures += 1
            raise ConversionError(self._give_up_message(what, failures))

    def _attempt(self, worker: _Worker, request: dict[str, Any], what: str) -> str | None:
        """One try: None on success, ``"timeout"`` or ``"crash: ..."`` if worth retrying;
        :class:`ConversionError` if the document itself is the problem."""
        sent = time.perf_counter()
        try:
            answer = worker.request(request, self.timeout)
        except _WorkerTimeout:
            self._stats.timeouts += 1
            return "timeout"
        except _WorkerGone as exc:
            if self._closed:
                raise ConversionError("the converter was closed during the conversion") from None
            self._stats.crashes += 1
            return f"crash: {exc}"
        if answer.get("ok"):
            self._record_success(worker, answer, time.perf_counter() - sent)
            return None
        if answer.get("fatal"):
            self._stats.crashes += 1
            return f"crash: {answer.get('error')}"
        self._stats.failures += 1
        raise ConversionError(f"LibreOffice could not convert {what}: {answer.get('error')}")

    def _record_success(self, worker: _Worker, answer: dict[str, Any], seconds: float) -> None:
        worker.documents += 1
        stats = self._stats
        stats.documents += 1
        stats.documents_since_start = worker.documents
        stats.last_load_ms = answer.get("load_ms")
        stats.last_export_ms = answer.get("export_ms")
        stats.last_roundtrip_ms = round(seconds * 1000, 1)

    def _give_up_message(self, what: str, failures: list[str]) -> str:
        tries = f"tried {len(failures)} time{'s' if len(failures) != 1 else ''}"
        if all(failure == "timeout" for failure in failures):
            return (
                f"LibreOffice did not finish converting {what} within {self.timeout:g} s ({tries})"
            )
        if all(failure.startswith("crash") for failure in failures):
            return f"LibreOffice crashed while converting {what} ({tries}): {failures[-1][7:]}"
        return f"LibreOffice failed to convert {what} ({tries}): " + "; ".join(failures)

    # -- the worker's life ------------------------------------------------------------------

    def _running_worker(self) -> _Worker:
        """The current worker, started (and waited for) if need be. Call with ``_lock`` held."""
        with self._state_lock:
            if self._closed:
                raise ConversionError(f"converter {self.name} is closed")
            if self._worker is None:
                self._worker = self._spawn()
            worker = self._worker
        if worker.ready is None:
            self._wait_ready(worker)
        return worker

    def _spawn(self) -> _Worker:
        """Start a worker process (without waiting for it). Call with ``_state_lock`` held."""
        self._starts += 1
        if self._starts > 1:
            self._stats.restarts += 1
        try:
            return _Worker.spawn(self._lo, self._dir, self.startup_timeout)
        except OSError as exc:
            raise ConverterUnavailable(f"cannot start LibreOffice's worker: {exc}") from exc

    def _wait_ready(self, worker: _Worker) -> None:
        """Wait for LibreOffice to be up. A profile left broken by a killed instance is the
        likely cause of a failed start, so the first failure retries with a fresh one."""
        try:
            ready = worker.wait_ready(self.startup_timeout + 10)
        except ConverterUnavailable as exc:
            self._forget(worker)
            if self._closed:
                raise ConversionError(f"converter {self.name} is closed") from None
            profile = self._dir / "profile"
            if "Python bridge" in str(exc) or not profile.exists():
                raise
            logger.warning("LibreOffice %s did not start (%s); retrying afresh", self.name, exc)
            shutil.rmtree(profile, ignore_errors=True)
            with self._state_lock:
                if self._closed:
                    raise ConversionError(f"converter {self.name} is closed") from None
                worker = self._worker = self._spawn()
            try:
                ready = worker.wait_ready(self.startup_timeout + 10)
            except ConverterUnavailable:
                self._forget(worker)
                raise
        stats = self._stats
        stats.pid, stats.soffice_pid = ready.get("pid"), ready.get("soffice_pid")
        stats.startup_ms, stats.warmup_ms = ready.get("startup_ms"), ready.get("warmup_ms")
        stats.documents_since_start = 0
        logger.debug("LibreOffice %s ready: %s", self.name, ready)

    def _retire(self, worker: _Worker, request: dict[str, Any], failure: str, attempt: int) -> None:
        """Kill a worker that hung or crashed, and tidy what its conversion left."""
        logger.warning(
            "LibreOffice %s %s (attempt %d of %d); restarting it",
            self.name,
            f"did not answer within {self.timeout:g} s" if failure == "timeout" else failure,
            attempt,
            self.retries + 1,
        )
        self._forget(worker)
        worker.kill()
        worker.close_pipes()
        out = Path(request["out"])
        out.with_name(f".{out.name}.{request['id']}.part").unlink(missing_ok=True)

    def _forget(self, worker: _Worker) -> None:
        with self._state_lock:
            if self._worker is worker:
                self._worker = None

    def _restart_due(self) -> bool:
        worker = self._worker
        return worker is not None and worker.documents >= self.max_documents

    def _recycle(self) -> None:
        """Planned restart after ``max_documents`` documents, bounding LibreOffice's memory
        growth. Call with ``_lock`` held."""
        worker = self._worker
        if worker is None:
            return
        logger.info(
            "LibreOffice %s converted %d documents; restarting it", self.name, worker.documents
        )
        self._forget(worker)
        worker.stop()
        worker.close_pipes()
        self._stats.recycles += 1
        self._running_worker()

    def restart_if_due(self) -> None:
        """Do a planned restart now if one is due (the pool calls this while the instance is
        idle, so that no caller waits for it)."""
        with self._lock:
            if self._restart_due():
                self._recycle()

    def _detach(self) -> _Worker | None:
        """Mark closed and take the worker away (anyone converting on it sees it die)."""
        with self._state_lock:
            self._closed = True
            worker, self._worker = self._worker, None
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        return worker

    def _remove_dir(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


# -- temporary files --------------------------------------------------------------------------


PRIVATE_DIR_PREFIX = "docgen-pdf-"
PIPE_DIR = Path("/tmp")  # where LibreOffice puts its named pipes, whatever TMPDIR says


def _pid_namespace() -> str:
    """Which pid namespace we are in: a pid only means something within its own, and /tmp may
    be shared with other containers."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "0"


def _owner_tag() -> str:
    """``<pid namespace>-<pid>``, in the names of our folders and pipes, so that leftovers can
    be traced to a dead process."""
    return f"{_pid_namespace()}-{os.getpid()}"


def _private_dir(parent: str | os.PathLike[str] | None) -> Path:
    """A fresh private folder named after our pid, after sweeping up the folders of processes
    that were killed outright (their atexit never ran)."""
    root = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    _sweep_leftovers(root)
    return Path(tempfile.mkdtemp(prefix=f"{PRIVATE_DIR_PREFIX}{_owner_tag()}-", dir=root))


def _sweep_leftovers(root: Path) -> None:
    """Remove our private folders and LibreOffice pipes whose process is dead."""
    uid = os.getuid()
    with contextlib.suppress(OSError):
        for folder in root.glob(f"{PRIVATE_DIR_PREFIX}*-*"):
            if _owner_is_dead(folder.name.removeprefix(PRIVATE_DIR_PREFIX), uid, folder):
                for profile in folder.glob("*/profile"):
                    _remove_sockets([str(PIPE_DIR / _ipc_pipe_name(profile))])
                shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        prefix = f"OSL_PIPE_{uid}_docgen-"
        for pipe in PIPE_DIR.glob(f"{prefix}*-*"):
            if _owner_is_dead(pipe.name.removeprefix(prefix), uid, pipe):
                _remove_sockets([str(pipe)])


def _owner_is_dead(tail: str, uid: int, path: Path) -> bool:
    """``tail`` is ``<pid namespace>-<pid>-<anything>``: is that pid, in our namespace, gone,
    and the path ours?"""
    namespace, _, rest = tail.partition("-")
    pid_text = rest.split("-", 1)[0]
    if namespace != _pid_namespace() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    if path.lstat().st_uid != uid:
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _ipc_pipe_name(profile: Path) -> str:
    """The name of soffice.bin's single-instance pipe for a profile: MD5 of the profile URL in
    UTF-16, each byte in unpadded hex (as LibreOffice's officeipcthread.cxx builds it). Used
    only to tidy up; a mismatch in another LibreOffice version merely leaves a file behind."""
    url = profile.resolve().as_uri()
    digest = hashlib.md5(url.encode("utf-16-le"), usedforsecurity=False).digest()
    return f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_" + "".join(f"{b:x}" for b in digest)


def _check_settings(*, timeout: float, max_documents: int, retries: int) -> None:
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    if max_documents < 1:
        raise ValueError(f"max_documents must be at least 1, not {max_documents!r}")
    if retries < 0:
        raise ValueError(f"retries must not be negative, not {retries!r}")


def _check_docx(data: bytes) -> None:
    """Refuse what cannot be a .docx before bothering LibreOffice: a .docx is a ZIP package."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"convert() wants the .docx as bytes, not {type(data).__name__}")
    if bytes(data[:4]) != b"PK\x03\x04":
        raise ConversionError(
            "LibreOffice could not convert the document: it is not a Word .docx file "
            "(a .docx is a ZIP package, and these bytes are not one)"
        )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name and rename, so no reader ever sees part of the file."""
    part = path.with_name(f".{path.name}.part")
    part.write_bytes(data)
    os.replace(part, path)


def _read_pdf(path: Path, *, head_only: bool = False) -> bytes:
    """Read (or just check) what LibreOffice wrote: it must be there and be a PDF."""
    try:
        with open(path, "rb") as file:
            data = file.read(5) if head_only else file.read()
    except OSError as exc:
        raise ConversionError(f"LibreOffice reported success but wrote no PDF: {exc}") from exc
    if not data.startswith(b"%PDF-"):
        raise ConversionError(f"LibreOffice wrote something that is not a PDF to {path}")
    return data


# -- the pool -------------------------------------------------------------------------------------


class ConverterPool:
    """A fixed set of warm LibreOffice instances; :meth:`convert` is safe from any thread.

    Each call takes an idle instance (waiting for one if all are busy) and converts on it.
    Running instances are used in turn, least recently used first: an instance answers before
    it closes its document, so the next document goes to one that has finished tidying up (in
    parallel, on another core). An instance that is not running yet is only started when no
    running one is idle, so a lazily started pool runs no more instances than its concurrency
    needs.

    ``size``: number of instances (default: one per CPU); the other arguments are those of
    :class:`Converter`. Raises :class:`ConverterUnavailable` at once if LibreOffice is missing.
    """

    def __init__(
        self,
        size: int | None = None,
        *,
        timeout: float = 60.0,
        max_documents: int = 200,
        retries: int = 2,
        soffice: str | os.PathLike[str] | None = None,
        uno_python: str | os.PathLike[str] | None = None,
        workdir: str | os.PathLike[str] | None = None,
    ) -> None:
        size = (os.cpu_count() or 1) if size is None else size
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size!r}")
        _check_settings(timeout=timeout, max_documents=max_documents, retries=retries)
        lo = find_libreoffice(soffice, uno_python)
        self.size = size
        self._dir = _private_dir(workdir)
        self._converters = [
            Converter(
                timeout=timeout,
                max_documents=max_documents,
                retries=retries,
                soffice=lo.soffice,
                uno_python=lo.uno_python,
                workdir=self._dir,
                name=f"lo{index}",
            )
            for index in range(size)
        ]
        for converter in self._converters:
            atexit.unregister(converter.close)
        self._idle = list(self._converters)  # least recently used first
        self._cond = threading.Condition()
        self._closed = False
        atexit.register(self.close)

    @property
    def stats(self) -> list[ConverterStats]:
        """One snapshot per instance."""
        return [converter.stats for converter in self._converters]

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self) -> None:
        """Start every instance now, all in parallel, and wait until all are ready."""
        self.begin_start()
        for converter in self._converters:
            converter.start()

    def begin_start(self) -> None:
        """Launch every instance and return at once, so that LibreOffice's start-up (about
        a second) overlaps the caller's own work; conversions wait for readiness."""
        for converter in self._converters:
            converter._begin_start()

    def convert(self, docx: bytes) -> bytes:
        """Convert a Word .docx document, given as bytes, to PDF bytes."""
        with self._lease() as converter:
            return converter.convert(docx)

    def convert_file(self, src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        """Convert the document at ``src`` to a PDF at ``dst`` (written whole, then renamed)."""
        with self._lease() as converter:
            converter.convert_file(src, dst)

    def close(self) -> None:
        """Stop every instance (in parallel) and remove the pool's temporary folder."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        workers = [(c, worker) for c in self._converters if (worker := c._detach()) is not None]
        stopping = [(c, worker) for c, worker in workers if worker.begin_stop()]
        for converter, worker in stopping:
            worker.finish_stop()
            converter._close_pipes_if_idle(worker)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._idle)} of {self.size} idle"
        return f"<ConverterPool {state}>"

    @contextlib.contextmanager
    def _lease(self) -> Iterator[Converter]:
        """Borrow an idle instance for one conversion."""
        with self._cond:
            while not self._idle and not self._closed:
                self._cond.wait()
            if self._closed:
                raise ConversionError("the converter pool is closed")
            converter = self._take_idle()
        try:
            yield converter
        finally:
            self._give_back(converter)

    def _take_idle(self) -> Converter:
        """The least recently used running instance, else one yet to start. Call with
        ``_cond`` held and ``_idle`` not empty."""
        running = next((c for c in self._idle if c.running), self._idle[0])
        self._idle.remove(running)
        return running

    def _give_back(self, converter: Converter) -> None:
        """Return an instance; one due for its planned restart is restarted first, on a
        background thread, so that the caller who got the last document does not wait."""
        if converter._restart_due() and not self._closed:
            threading.Thread(
                target=self._restart_then_give_back,
                args=(converter,),
                name=f"docgen-convert-restart-{converter.name}",
                daemon=True,
            ).start()
            return
        with self._cond:
            self._idle.append(converter)
            self._cond.notify()

    def _restart_then_give_back(self, converter: Converter) -> None:
        try:
            converter.restart_if_due()
        except ConversionError as exc:  # it will be tried again, and reported, on next use
            if not self._closed:
                logger.error("LibreOffice %s could not be restarted: %s", converter.name, exc)
        with self._cond:
            self._idle.append(converter)
            self._cond.notify()
