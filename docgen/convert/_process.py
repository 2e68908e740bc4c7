"""Child processes that cannot outlive us, and see only what they need of our environment.

* Every child gets ``PR_SET_PDEATHSIG=SIGKILL``, so it dies if we are killed outright.
* That signal fires when the *thread* that forked the child ends, not the process; so every
  child is started from one long-lived daemon thread, whichever thread asked for it.
* A child's environment is built from a short list of harmless variables, never copied
  whole: secrets in ours (``PLANSIGN_*``, credentials) must not reach LibreOffice.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, cast

#: Variables a child inherits from us, if we have them: where programs and the home folder
#: are (fontconfig keeps its cache under ``HOME``), the locale, and the time zone (dates in
#: a PDF's metadata). Everything else a child needs is set explicitly by whoever starts it.
INHERITED_VARIABLES = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ"})
INHERITED_PREFIXES = ("LC_",)


def child_environment(**settings: str) -> dict[str, str]:
    """A minimal environment for a child process: :data:`INHERITED_VARIABLES` and ``LC_*``
    from ours, plus ``settings``."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name in INHERITED_VARIABLES or name.startswith(INHERITED_PREFIXES)
    }
    return {**inherited, **settings}


def spawn(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(args, **kwargs)`` for a child that dies with us (see module doc)."""
    return _spawner.popen(args, preexec_fn=_DIE_WITH_PARENT, **kwargs)


def parent_death_signal(signum: int) -> Callable[[], None] | None:
    """A function that has Linux send ``signum`` to the process calling it when its
    parent (the thread that forked it) ends, killed or not: ``PR_SET_PDEATHSIG``. For a
    ``preexec_fn``, or for a forked child to call itself; None where there is no prctl
    (not Linux).

    libc is looked up here, before any fork, so the child only makes one foreign call.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def die_with_parent() -> None:
        prctl(pr_set_pdeathsig, signum, 0, 0, 0)

    return die_with_parent


_DIE_WITH_PARENT = parent_death_signal(signal.SIGKILL)

# One Popen for the spawner thread to make: where its answer goes, the args and kwargs.
_SpawnJob = tuple[Future[subprocess.Popen[bytes]], list[str], dict[str, Any]]


class _Spawner:
    """Starts child processes from one long-lived daemon thread.

    Why: a worker started from a short-lived thread (a request handler, a thread pool used to
    start instances in parallel) would be SIGKILLed the moment that thread returned.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_SpawnJob] = queue.SimpleQueue()
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
                # No caller asks for text mode, which is what mypy picks for **kwargs.
                future.set_result(cast("subprocess.Popen[bytes]", subprocess.Popen(args, **kwargs)))
            except BaseException as exc:
                future.set_exception(exc)


_spawner = _Spawner()


# -- pidfds ------------------------------------------------------------------------------------


def pidfd_open(pid: Any) -> int | None:
    """A pidfd for a process that is not our child (soffice.bin is the worker's), so that
    signalling it later cannot hit a recycled pid; None if there is no such process."""
    if not isinstance(pid, int) or not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


def pidfd_kill(pidfd: int) -> None:
    """SIGKILL the process behind a pidfd; nothing if it is gone already."""
    with contextlib.suppress(OSError):
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)


def pidfd_close(pidfd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(pidfd)
