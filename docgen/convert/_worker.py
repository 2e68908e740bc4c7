"""One worker process (``_uno_worker.py``, under LibreOffice's Python) and its soffice.bin.

We talk to the worker in JSON lines over its stdin and stdout (the protocol is described in
``_uno_worker.py``). The worker leads its own process group, with soffice.bin in it: killing
the group leaves nothing behind, whatever state either process is in.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from docgen.convert import _process
from docgen.convert._tempfiles import profile_dir, profile_seed, remove_sockets, uno_pipe_name
from docgen.convert.locate import INSTALL_HINT, LibreOffice
from docgen.errors import ConverterUnavailable
from docgen.resources import package_path

logger = logging.getLogger(__name__)

WORKER_SCRIPT = package_path("docgen.convert", "_uno_worker.py")
FONTCONFIG_FILE = package_path("docgen.convert", "fonts.conf")

STOP_GRACE = 10.0  # seconds an instance gets to quit politely before it is killed
KILL_GRACE = 2.0  # seconds a worker gets to reap its killed soffice.bin before its group dies


class WorkerGone(Exception):
    """The worker process ended or closed its stdout."""


class WorkerTimeout(Exception):
    """The worker did not answer in time."""


class LineReader:
    """Newline-terminated lines from a pipe, with a deadline: no reader thread per worker."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)

    def readline(self, deadline: float) -> bytes:
        """The next line (without newline); :class:`WorkerTimeout` at ``deadline`` (monotonic),
        :class:`WorkerGone` at end of file."""
        while (end := self._buffer.find(b"\n")) < 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(max(1, int(remaining * 1000))):
                if time.monotonic() >= deadline:
                    raise WorkerTimeout
                continue
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise WorkerGone("the worker closed its output")
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line


class Worker:
    """One ``_uno_worker.py`` process, and through it one ``soffice.bin``."""

    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self.log_path = log_path
        self.ready: dict[str, Any] | None = None  # the ready message, once it came
        self.documents = 0  # converted by this worker's soffice.bin
        self._lines = LineReader(proc.stdout.fileno())
        self._soffice_pidfd: int | None = None
        self._sockets: list[str] = []  # soffice's named pipes in /tmp
        self._stop_lock = threading.Lock()
        self._stopping = False

    @classmethod
    def spawn(cls, lo: LibreOffice, folder: Path, startup_timeout: float) -> Worker:
        """Start the worker process in ``folder``; do not wait for LibreOffice to be ready.

        LibreOffice's temporary files go to a folder of ours (``TMPDIR``), emptied before each
        start: a killed instance leaves its own behind.
        """
        tmp = folder / "tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(mode=0o700, parents=True)
        command = [
            str(lo.uno_python),
            "-I",  # no PYTHON* variables, no user site, no script folder on sys.path
            str(WORKER_SCRIPT),
            "--soffice",
            str(lo.soffice),
            "--profile",
            str(profile_dir(folder)),
            "--profile-seed",
            str(profile_seed(lo.soffice)),
            "--pipe",
            uno_pipe_name(),
            "--startup-timeout",
            str(startup_timeout),
            "--soffice-log",
            str(folder / "soffice.log"),
        ]
        log_path = folder / "worker.log"
        with open(log_path, "ab") as log:
            proc = _process.spawn(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=_process.child_environment(
                    TMPDIR=str(tmp), FONTCONFIG_FILE=str(FONTCONFIG_FILE)
                ),
                process_group=0,
            )
        return cls(proc, log_path)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        """Wait for the worker's ready line; :class:`ConverterUnavailable` if it never comes."""
        try:
            message: dict[str, Any] = json.loads(self._lines.readline(time.monotonic() + timeout))
        except WorkerTimeout:
            self._abandon()
            raise ConverterUnavailable(
                f"LibreOffice did not start within {timeout:g} s{self._log_tail()}"
            ) from None
        except (WorkerGone, ValueError):
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
        self._soffice_pidfd = _process.pidfd_open(message.get("soffice_pid"))
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
            raise WorkerGone(f"cannot write to the worker: {exc}") from None
        while True:
            try:
                answer = json.loads(self._lines.readline(deadline))
            except ValueError as exc:
                raise WorkerGone(f"garbled answer from the worker: {exc}") from None
            if isinstance(answer, dict) and answer.get("id") == message["id"]:
                return answer
            logger.debug("ignoring stray worker line %r", answer)

    # -- stopping ------------------------------------------------------------------------------

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
        self._release_pidfd()

    def begin_kill(self) -> bool:
        """Tell the worker to stop and kill its soffice.bin now, without waiting (see
        :meth:`finish_stop`): for a LibreOffice whose profile is thrown away next, so that
        quitting politely saves nothing. False if already stopping."""
        if not self.begin_stop():
            return False
        if self._soffice_pidfd is not None:
            _process.pidfd_kill(self._soffice_pidfd)
        return True

    def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop politely (LibreOffice tidies its profile), killing only if it will not."""
        if self.begin_stop():
            self.finish_stop(grace)

    def kill(self) -> None:
        """Stop now: the worker may be stuck in a call to a hung LibreOffice."""
        if self.begin_stop():
            self._kill_now()
            self._release_pidfd()

    def close_pipes(self) -> None:
        """Close our ends of its stdin/stdout once nobody can be reading them any more."""
        for pipe in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()

    def _abandon(self) -> None:
        self.kill()
        self.close_pipes()

    def _kill_now(self) -> None:
        """Kill soffice.bin first, so that the worker (its parent) reaps it and no zombie is
        left for init; then, if the worker does not exit, kill the whole process group."""
        if self._soffice_pidfd is not None:
            _process.pidfd_kill(self._soffice_pidfd)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(KILL_GRACE)
        if self.proc.returncode is None:  # not reaped yet, so its group id is still ours
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        remove_sockets(self._sockets)

    def _release_pidfd(self) -> None:
        """Close the pidfd. Not stdout: a converting thread may still be reading it, and a
        closed (then reused) descriptor number would hand it someone else's data."""
        if self._soffice_pidfd is not None:
            _process.pidfd_close(self._soffice_pidfd)
            self._soffice_pidfd = None

    def _log_tail(self, lines: int = 5) -> str:
        """The end of the worker's log, to put in an error message."""
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return ""
        return (": " + " | ".join(text)) if text else ""
