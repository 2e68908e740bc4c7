"""One LibreOffice instance converting .docx to PDF: deadlines, retries and restarts."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import itertools
import logging
import os
import shutil
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from docgen.convert._tempfiles import private_dir, profile_dir
from docgen.convert._worker import Worker, WorkerGone, WorkerTimeout
from docgen.convert.locate import LibreOffice, find_libreoffice
from docgen.errors import ConversionError, ConversionTimeout, ConverterUnavailable

logger = logging.getLogger(__name__)

DOCX_FILTER = "MS Word 2007 XML"  # LibreOffice's import filter: skips type detection
STARTUP_TIMEOUT = 60.0  # seconds for one instance to start; not part of a document's deadline

_request_ids = itertools.count(1)


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
    stops: int = 0  #: stopped by :meth:`Converter.stop` (an idle pool shrinking)
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

    ``libreoffice``: from :func:`find_libreoffice` (default: found now); ``folder``: the
    instance's own folder for its profile, logs and documents in transit, removed by
    :meth:`close` (default: a fresh private one in the system's temporary folder);
    ``timeout``: seconds a document may take before LibreOffice is deemed hung, killed and
    restarted; ``retries``: how many more times a document is tried after a hang or a crash;
    ``max_documents``: documents after which LibreOffice is restarted anyway;
    ``startup_timeout``: seconds LibreOffice may take to start, not counted in any document's
    ``timeout``.
    """

    def __init__(
        self,
        *,
        libreoffice: LibreOffice | None = None,
        folder: str | os.PathLike[str] | None = None,
        timeout: float = 60.0,
        max_documents: int = 200,
        retries: int = 2,
        name: str = "lo",
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        check_settings(timeout=timeout, max_documents=max_documents, retries=retries)
        self.timeout = timeout
        self.max_documents = max_documents
        self.retries = retries
        self.startup_timeout = startup_timeout
        self.name = name
        self._lo = libreoffice if libreoffice is not None else find_libreoffice()
        if folder is None:
            self._dir = private_dir()
        else:
            self._dir = Path(folder)
            self._dir.mkdir(mode=0o700, exist_ok=True)
        self._lock = threading.Lock()  # one conversion (or start/restart) at a time
        self._state_lock = threading.Lock()  # guards _worker and _closed against close()
        self._worker: Worker | None = None
        self._closed = False
        self._started_before = False  # so that the next start counts as a restart
        self._stats = ConverterStats(name)
        atexit.register(self.close)  # a pool unregisters this: it closes its own, in parallel

    # -- public API ----------------------------------------------------------------------------

    @property
    def stats(self) -> ConverterStats:
        worker = self._worker
        since_start = worker.documents if worker is not None else 0
        return dataclasses.replace(self._stats, documents_since_start=since_start)

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

    @property
    def started(self) -> bool:
        """Is LibreOffice running or starting (rather than not started, or stopped)?"""
        return self._worker is not None

    def stop(self) -> bool:
        """Stop LibreOffice now (politely, as :meth:`close` does) to free its memory; unlike
        :meth:`close`, the converter stays usable and starts LibreOffice again on the next
        document. Waits for a conversion under way to finish first. False if it was not
        running."""
        with self._lock:
            with self._state_lock:
                worker, self._worker = self._worker, None
            if worker is None:
                return False
            worker.stop()
            worker.close_pipes()
            self._stats.stops += 1
            return True

    def convert(self, docx: bytes) -> bytes:
        """Convert a Word .docx document, given as bytes, to PDF bytes."""
        check_docx(docx)
        number = next(_request_ids)
        src, dst = self._dir / f"in-{number}.docx", self._dir / f"out-{number}.pdf"
        try:
            src.write_bytes(docx)  # our private folder: nobody else reads it
            self._convert(src, dst)
            return read_pdf(dst)
        finally:
            src.unlink(missing_ok=True)
            dst.unlink(missing_ok=True)

    def restart_if_due(self) -> None:
        """Do a planned restart now if one is due (the pool calls this while the instance is
        idle, so that no caller waits for it)."""
        with self._lock:
            if self._restart_due():
                self._recycle()

    def close(self) -> None:
        """Stop LibreOffice (politely, then by force) and remove our temporary files."""
        self._finish_close(self._begin_close())
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
        state = "closed" if self._closed else ("running" if self._worker else "idle")
        return f"<Converter {self.name} {state} documents={self._stats.documents}>"

    # -- for the pool --------------------------------------------------------------------------

    def _begin_start(self) -> None:
        """Launch the worker without waiting for it, so that several start in parallel."""
        with self._lock, self._state_lock:
            if self._worker is None and not self._closed:
                self._worker = self._spawn()

    def _restart_due(self) -> bool:
        worker = self._worker
        return worker is not None and worker.documents >= self.max_documents

    def _begin_close(self, *, kill: bool = False) -> Worker | None:
        """Mark closed, take the worker away (anyone converting on it sees it die) and tell
        it to stop, or with ``kill`` kill LibreOffice; the worker to wait for with
        :meth:`_finish_close`, if any."""
        with self._state_lock:
            self._closed = True
            worker, self._worker = self._worker, None
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        if worker is None:
            return None
        return worker if (worker.begin_kill() if kill else worker.begin_stop()) else None

    def _finish_close(self, worker: Worker | None) -> None:
        """Wait for the worker :meth:`_begin_close` stopped. A thread still converting owns
        its pipes: then the garbage collector closes them for it."""
        if worker is None:
            return
        worker.finish_stop()
        if self._lock.acquire(blocking=False):
            try:
                worker.close_pipes()
            finally:
                self._lock.release()

    # -- conversion with retries ---------------------------------------------------------------

    def _convert(self, src: Path, dst: Path) -> None:
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
                    "filter": DOCX_FILTER,
                }
                fresh = worker.documents == 0
                failure = self._attempt(worker, request)
                if failure is None:
                    return
                failures.append(failure)
                self._retire(worker, request, failure, attempt)
                if failure == "timeout" and fresh:
                    # A document that a fresh LibreOffice cannot finish in time will not
                    # finish on the next one either: retrying would only make the caller
                    # wait retries times as long for the same answer. A hang of an
                    # instance that had been working is retried on a fresh one.
                    break
            self._stats.failures += 1
            if all(failure == "timeout" for failure in failures):
                raise ConversionTimeout(self._give_up_message(failures), self.timeout)
            raise ConversionError(self._give_up_message(failures))

    def _attempt(self, worker: Worker, request: dict[str, Any]) -> str | None:
        """One try: None on success, ``"timeout"`` or ``"crash: ..."`` if worth retrying;
        :class:`ConversionError` if the document itself is the problem."""
        sent = time.perf_counter()
        try:
            answer = worker.request(request, self.timeout)
        except WorkerTimeout:
            self._stats.timeouts += 1
            return "timeout"
        except WorkerGone as exc:
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
        raise ConversionError(f"LibreOffice could not convert the document: {answer.get('error')}")

    def _record_success(self, worker: Worker, answer: dict[str, Any], seconds: float) -> None:
        worker.documents += 1
        stats = self._stats
        stats.documents += 1
        stats.last_load_ms = answer.get("load_ms")
        stats.last_export_ms = answer.get("export_ms")
        stats.last_roundtrip_ms = round(seconds * 1000, 1)

    def _give_up_message(self, failures: list[str]) -> str:
        tries = f"tried {len(failures)} time{'s' if len(failures) != 1 else ''}"
        if all(failure == "timeout" for failure in failures):
            return (
                f"LibreOffice did not finish converting the document within {self.timeout:g} s "
                f"({tries})"
            )
        if all(failure.startswith("crash") for failure in failures):
            return f"LibreOffice crashed while converting the document ({tries}): " + (
                failures[-1].removeprefix("crash: ")
            )
        return f"LibreOffice failed to convert the document ({tries}): " + "; ".join(failures)

    # -- the worker's life ---------------------------------------------------------------------

    def _running_worker(self) -> Worker:
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

    def _spawn(self) -> Worker:
        """Start a worker process (without waiting for it). Call with ``_state_lock`` held."""
        if self._started_before:
            self._stats.restarts += 1
        self._started_before = True
        try:
            return Worker.spawn(self._lo, self._dir, self.startup_timeout)
        except OSError as exc:
            raise ConverterUnavailable(f"cannot start LibreOffice's worker: {exc}") from exc

    def _wait_ready(self, worker: Worker) -> None:
        """Wait for LibreOffice to be up. A profile left broken by a killed instance is the
        likely cause of a failed start, so the first failure retries with a fresh one."""
        try:
            ready = worker.wait_ready(self.startup_timeout + 10)
        except ConverterUnavailable as exc:
            self._forget(worker)
            if self._closed:
                raise ConversionError(f"converter {self.name} is closed") from None
            profile = profile_dir(self._dir)
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
        logger.debug("LibreOffice %s ready: %s", self.name, ready)

    def _retire(self, worker: Worker, request: dict[str, Any], failure: str, attempt: int) -> None:
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

    def _forget(self, worker: Worker) -> None:
        with self._state_lock:
            if self._worker is worker:
                self._worker = None

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


# -- checks --------------------------------------------------------------------------------------


def check_settings(*, timeout: float, max_documents: int, retries: int) -> None:
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, not {timeout!r}")
    if max_documents < 1:
        raise ValueError(f"max_documents must be at least 1, not {max_documents!r}")
    if retries < 0:
        raise ValueError(f"retries must not be negative, not {retries!r}")


def check_docx(data: bytes) -> None:
    """Refuse what cannot be a .docx before bothering LibreOffice: a .docx is a ZIP package."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"convert() wants the .docx as bytes, not {type(data).__name__}")
    if bytes(data[:4]) != b"PK\x03\x04":
        raise ConversionError(
            "LibreOffice could not convert the document: it is not a Word .docx file "
            "(a .docx is a ZIP package, and these bytes are not one)"
        )


def read_pdf(path: Path) -> bytes:
    """Read what LibreOffice wrote: it must be there and be a PDF."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConversionError(f"LibreOffice reported success but wrote no PDF: {exc}") from exc
    if not data.startswith(b"%PDF-"):
        raise ConversionError(f"LibreOffice wrote something that is not a PDF to {path}")
    return data
