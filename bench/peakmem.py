"""Peak memory for the benchmarks: of this process, or of a process and all it started.

Linux only (it reads ``/proc``), as the benchmarks' machine is. Two measures:

- :func:`own_peak_mb`: this process's high-water mark (``VmHWM``), exact; for a benchmark
  that does its work in-process.
- :class:`TreePeak`: a process and its descendants (a server's workers, LibreOffice
  instances), their resident memory summed and sampled every ``interval`` seconds while
  the ``with`` block runs; the peak of the sums. Sampling can miss a peak shorter than the
  interval; each process's own high-water mark is kept too, and their sum
  (:attr:`TreePeak.hwm_sum_mb`) is an upper bound the sampled peak never exceeds.

Usage::

    with TreePeak(server.pid) as peak:
        drive_load()
    print(f"peak {peak.peak_mb:.0f} MB")
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

_PROC = Path("/proc")


def own_peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return _status_kb(os.getpid(), "VmHWM") / 1024


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in (_PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass  # the process ended meanwhile
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = (_PROC / str(pid) / "task").iterdir()
        for task in tasks:
            text = (task / "children").read_text().split()
            found.extend(int(child) for child in text)
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and every process below it, as they are now."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue.extend(_children(current))
    return pids


class TreePeak:
    """Samples the summed resident memory of ``pid``'s process tree; see the module."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self._hwm_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peakmem", daemon=True)

    @property
    def hwm_sum_mb(self) -> float:
        """The sum of each process's own peak: an upper bound on the tree's peak."""
        return sum(self._hwm_kb.values()) / 1024

    def sample(self) -> None:
        total = 0
        for pid in tree(self.pid):
            total += _status_kb(pid, "VmRSS")
            hwm = _status_kb(pid, "VmHWM")
            if hwm:
                self._hwm_kb[pid] = max(self._hwm_kb.get(pid, 0), hwm)
        self.peak_mb = max(self.peak_mb, total / 1024)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreePeak:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
