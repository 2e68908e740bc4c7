"""How `plansign demo` stops the service and the worker it started: together, against one
deadline, and whatever has not stopped by then is killed with its process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from signing.cli.demo import stop_together

# A stand-in for `plansign serve` or `plansign worker`: on SIGTERM it notes that it was
# asked, then does what ``ON_TERM`` says before exiting.
CHILD = textwrap.dedent("""
    import os, signal, sys, time
    name, notes, on_term = sys.argv[1], sys.argv[2], sys.argv[3]

    def note(line):
        with open(notes, "a") as f:
            f.write(line + "\\n")

    def stop(signum, frame):
        note(f"{name} asked to stop")
        if on_term == "wait-for-the-other":
            # Exits only once the other was asked too, or gives up after 60 s.
            for _ in range(600):
                if any(line.endswith("asked to stop") and not line.startswith(name)
                       for line in open(notes).read().splitlines()):
                    note(f"{name} saw the other asked")
                    break
                time.sleep(0.1)
        sys.exit(0)

    if on_term == "ignore":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        # A worker process of its own, as gunicorn's master has: it must not outlive it.
        helper = __import__("subprocess").Popen([sys.executable, "-c",
                                                 "import time; time.sleep(600)"])
        note(f"helper {helper.pid}")
    else:
        signal.signal(signal.SIGTERM, stop)
    note(f"{name} ready")
    time.sleep(600)
""")


def _start(tmp_path: Path, name: str, on_term: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", CHILD, name, str(tmp_path / "notes"),
                             on_term], process_group=0)


def _notes(tmp_path: Path) -> list[str]:
    path = tmp_path / "notes"
    return path.read_text().splitlines() if path.exists() else []


def _wait_until_ready(tmp_path: Path, *names: str) -> None:
    for _ in range(600):
        if all(f"{name} ready" in _notes(tmp_path) for name in names):
            return
        subprocess.run(["sleep", "0.1"], check=True)
    raise AssertionError(_notes(tmp_path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose here (its parent has not reaped it yet).
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def test_both_are_asked_to_stop_before_either_has_to_finish(tmp_path):
    """The service is asked to stop while the worker is still finishing: each was stopped
    after the other before, and under load their times added up past a minute."""
    first = _start(tmp_path, "worker", "wait-for-the-other")
    second = _start(tmp_path, "serve", "wait-for-the-other")
    _wait_until_ready(tmp_path, "worker", "serve")

    stop_together([first, second], grace=120)

    assert first.returncode == 0 and second.returncode == 0
    notes = _notes(tmp_path)
    assert "worker saw the other asked" in notes, notes
    assert "serve saw the other asked" in notes, notes


def test_what_does_not_stop_in_time_is_killed_with_its_process_group(tmp_path):
    stubborn = _start(tmp_path, "serve", "ignore")
    polite = _start(tmp_path, "worker", "exit")
    _wait_until_ready(tmp_path, "serve", "worker")
    helper = int(next(n for n in _notes(tmp_path) if n.startswith("helper ")).split()[1])

    stop_together([stubborn, polite], grace=1.0)

    assert stubborn.returncode == -signal.SIGKILL
    assert polite.returncode == 0 and "worker asked to stop" in _notes(tmp_path)
    # The stubborn one's own child went with it, killed as one group.
    for _ in range(100):
        if not _alive(helper):
            break
        subprocess.run(["sleep", "0.1"], check=True)
    assert not _alive(helper)


def test_a_process_already_gone_is_left_alone(tmp_path):
    done = subprocess.Popen([sys.executable, "-c", "pass"], process_group=0)
    done.wait()
    stop_together([done], grace=1.0)
    assert done.returncode == 0
