"""A set of warm LibreOffice instances, shared by any number of threads, started when
needed and, optionally, stopped again when they have sat idle."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Self

from docgen.convert._tempfiles import private_dir
from docgen.convert.converter import Converter, ConverterStats, check_settings
from docgen.convert.locate import find_libreoffice
from docgen.errors import ConversionError

logger = logging.getLogger(__name__)


class ConverterPool:
    """A set of warm LibreOffice instances; :meth:`convert` is safe from any thread.

    Each call takes an idle instance (waiting for one if all are busy) and converts on it.
    Running instances are used in turn, least recently used first: an instance answers before
    it closes its document, so the next document goes to one that has finished tidying up (in
    parallel, on another core). An instance that is not running yet is only started when no
    running one is idle, so a lazily started pool runs no more instances than its concurrency
    needs.

    With ``idle_timeout`` (seconds), an instance nobody has used for that long is stopped, to
    give its memory back (LibreOffice holds about 200 MB), and started again when a document
    needs it. An instance being stopped is out of the pool until it has quit, as a leased one
    is: a document arriving meanwhile takes another, or waits for that one and starts it
    afresh, so no conversion ever runs on an instance that is going away.

    ``size``: number of instances (default: one per CPU); ``soffice``/``uno_python``: see
    :func:`find_libreoffice`; ``workdir``: where the pool's private temporary folder goes
    (default: the system's temporary folder); the other arguments are those of
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
        idle_timeout: float | None = None,
    ) -> None:
        size = (os.cpu_count() or 1) if size is None else size
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size!r}")
        if idle_timeout is not None and not idle_timeout > 0:
            raise ValueError(
                f"idle_timeout must be positive (or None: never), not {idle_timeout!r}")
        check_settings(timeout=timeout, max_documents=max_documents, retries=retries)
        lo = find_libreoffice(soffice, uno_python)
        self.size = size
        self._dir = private_dir(workdir)
        self._converters = [
            Converter(
                libreoffice=lo,
                folder=self._dir / f"lo{index}",
                timeout=timeout,
                max_documents=max_documents,
                retries=retries,
                name=f"lo{index}",
            )
            for index in range(size)
        ]
        for converter in self._converters:
            atexit.unregister(converter.close)
        self._idle = list(self._converters)  # least recently used first
        self._cond = threading.Condition()
        self._closed = False
        self.idle_timeout = idle_timeout
        self._idle_since: dict[str, float] = {}  # instance name -> when it was last given back
        self._shrinker: threading.Thread | None = None
        self._shrinker_wake = threading.Event()  # set on close; not _cond, whose notify()
        # must reach a caller waiting for an instance, never this thread instead
        if idle_timeout is not None:
            self._shrinker = threading.Thread(
                target=self._shrink_when_idle, name="docgen-convert-shrink", daemon=True)
            self._shrinker.start()
        atexit.register(self.close)

    @property
    def stats(self) -> list[ConverterStats]:
        """One snapshot per instance."""
        return [converter.stats for converter in self._converters]

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def started(self) -> int:
        """How many instances are running or starting now."""
        return sum(converter.started for converter in self._converters)

    def start(self) -> None:
        """Start every instance now, all in parallel, and wait until all are ready."""
        self.begin_start()
        for converter in self._converters:
            converter.start()

    def begin_start(self, count: int | None = None) -> None:
        """Launch every instance (or the first ``count``) and return at once, so that
        LibreOffice's start-up (about a second) overlaps the caller's own work;
        conversions wait for readiness."""
        for converter in self._converters[:count]:
            converter._begin_start()

    def convert(self, docx: bytes) -> bytes:
        """Convert a Word .docx document, given as bytes, to PDF bytes."""
        with self._lease() as converter:
            return converter.convert(docx)

    def close(self, *, kill: bool = False) -> None:
        """Stop every instance (in parallel) and remove the pool's temporary folder.
        ``kill``: kill LibreOffice rather than let it quit politely, which takes it a few
        tenths of a second to tidy a profile that is removed next anyway."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)
        self._shrinker_wake.set()
        if self._shrinker is not None and self._shrinker is not threading.current_thread():
            self._shrinker.join()  # an instance it is stopping has quit before we go on
        stopping = [(converter, converter._begin_close(kill=kill))
                    for converter in self._converters]
        for converter, worker in stopping:
            converter._finish_close(worker)
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
        self._put_back(converter)

    def _put_back(self, converter: Converter) -> None:
        with self._cond:
            self._idle.append(converter)
            self._idle_since[converter.name] = time.monotonic()
            self._cond.notify()

    def _restart_then_give_back(self, converter: Converter) -> None:
        try:
            converter.restart_if_due()
        except ConversionError as exc:  # it will be tried again, and reported, on next use
            if not self._closed:
                logger.error("LibreOffice %s could not be restarted: %s", converter.name, exc)
        self._put_back(converter)

    # -- shrinking when idle ---------------------------------------------------------------------

    def _shrink_when_idle(self) -> None:
        """The shrinker thread: stop each instance idle for ``idle_timeout``, one at a time,
        until the pool closes."""
        assert self.idle_timeout is not None
        while True:
            with self._cond:
                if self._closed:
                    return
                expired, next_check = self._take_expired(time.monotonic())
            if expired is not None:
                self._stop_idle(expired)
            else:
                self._shrinker_wake.wait(next_check)

    def _take_expired(self, now: float) -> tuple[Converter | None, float]:
        """An idle started instance unused for ``idle_timeout``, taken out of the pool (as a
        lease takes it, so no document can reach it while it stops); else None and the
        seconds until the next one could expire. Call with ``_cond`` held."""
        assert self.idle_timeout is not None
        next_check = self.idle_timeout  # one given back from now on expires no sooner
        for converter in self._idle:
            if not converter.started:
                continue
            since = self._idle_since.setdefault(converter.name, now)  # begun, never used
            left = since + self.idle_timeout - now
            if left <= 0:
                self._idle.remove(converter)
                return converter, 0.0
            next_check = min(next_check, left)
        return None, next_check

    def _stop_idle(self, converter: Converter) -> None:
        """Stop an instance taken out by :meth:`_take_expired`, then give it back (stopped:
        the next document to take it starts LibreOffice again)."""
        try:
            if converter.stop():
                logger.info("LibreOffice %s was idle for %g s; stopped it", converter.name,
                            self.idle_timeout)
        except Exception:  # never lose the instance: it is given back whatever happened
            logger.exception("LibreOffice %s could not be stopped", converter.name)
        with self._cond:
            self._idle.append(converter)
            self._idle_since.pop(converter.name, None)  # its clock starts when next started
            self._cond.notify()
