"""`plansign demo`, the README's run command: the whole flow on the embedded defaults, in
real processes (LibreOffice, `plansign serve`, `plansign worker`), completed over HTTP
by the demo itself, or by a person (here, this test) with --wait."""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from signing.cli.demo import Signer, acknowledge_as_employee, confirm_as
from tests.pdftext import pdf_text
from testsupport.net import free_port

pytestmark = pytest.mark.slow  # real processes, up to a minute: -m 'not slow' leaves it out

PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]


# `plansign`, exec'd (the same process: its pid is the one Popen knows) with SIGHUP, SIGINT
# and SIGQUIT ignored, as `(nohup make test &)` leaves every process under it (a shell's
# background job ignores SIGINT and SIGQUIT, nohup SIGHUP): this test failed in every
# whole run started that way until the demo took Ctrl+C back. And SIGINT blocked too.
DEAF_TO_CTRL_C = [sys.executable, "-c", (
    "import os, signal, sys\n"
    "for number in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT):\n"
    "    signal.signal(number, signal.SIG_IGN)\n"
    "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}); "
    "os.execv(sys.executable, [sys.executable, '-c', "
    "'from signing.cli import main; main()', *sys.argv[1:]])")]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}


def assert_nothing_listens(port: int) -> None:
    """Refused: no process answers there (a 403 would mean the service still runs)."""
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/sign", timeout=2)
    assert not isinstance(refused.value, urllib.error.HTTPError)
    assert isinstance(refused.value.reason, ConnectionRefusedError)


def signal_state(pid: int) -> str:
    """What a process was doing and its signals' state, for a failure's message."""
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        wchan = Path(f"/proc/{pid}/wchan").read_text()
    except OSError as exc:
        return f"unreadable ({exc})"
    kept = [line for line in status if line.startswith(("State", "SigBlk", "SigIgn", "SigCgt",
                                                          "SigPnd", "ShdPnd"))]
    return "; ".join(kept) + f"; wchan {wchan}"


def lines_until(stream, marker: str, seen: list[str], timeout: float = 240) -> None:
    """Read the demo's output into ``seen`` until a line holds ``marker``; fail, rather
    than hang, if it does not come in time."""
    found = threading.Event()

    def read() -> None:
        for line in stream:
            seen.append(line)
            if marker in line:
                found.set()
                return

    threading.Thread(target=read, daemon=True).start()
    assert found.wait(timeout), f"no {marker!r} in:\n{''.join(seen)}"


def test_the_demo_does_the_whole_job_and_verifies_it(tmp_path):
    port = free_port()
    done = subprocess.run([*PLANSIGN, "demo", "--out", str(tmp_path), "--port", str(port)],
                          env=_env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert f"http://127.0.0.1:{port}/s/" in out  # the links from the file outbox
    # The default routing: every signature line is signed by its role, in turn.
    assert out.index("Confirming as Jürg Baumann (the manager)") \
        < out.index("Acknowledging as Léa Brändli would") \
        < out.index("Confirming as Sofía Castellanos (HR)")
    # The self-signed default seals at PAdES B-B (no timestamp authority): verify says so.
    assert re.search(r"ok +seal: valid \(PAdES B-B\), covers the whole file", out), out
    for check in ("audit chain (archive)", "original PDF hash", "final PDF hash"):
        assert re.search(rf"ok +{re.escape(check)}", out), out
    assert "FAIL" not in out
    for name in ("support-agent-30d", "engineer-90d", "account-executive-60d"):
        assert (tmp_path / "examples" / f"{name}.pdf").stat().st_size > 10_000
    final = pdf_text((tmp_path / "record" / "final.pdf").read_bytes())
    assert "Certificate of completion" in final and "Acknowledged" in final
    assert final.count("Confirmed") >= 2  # the manager's and HR's signatures
    assert "that I have discussed this Performance Improvement" in " ".join(final.split())
    assert "moved to Tuesday mornings" in final  # the demo's comment, on its own page
    # The service and the worker are stopped: nothing answers on the port any more.
    assert_nothing_listens(port)


def sign_in_to_console(base_url: str, username: str, password: str) -> str:
    """Sign in on the console's page as a browser does; returns the page it lands on."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base_url}/console/signin", timeout=10).read().decode()
    token = html.unescape(re.search(r'name="csrf_token" value="([^"]+)"', page).group(1))
    body = urllib.parse.urlencode({"csrf_token": token, "username": username,
                                   "password": password}).encode()
    with opener.open(urllib.request.Request(f"{base_url}/console/signin", data=body),
                     timeout=10) as answer:
        return answer.read().decode()


def test_the_demo_waits_for_a_person_and_keeps_serving(tmp_path):
    port = free_port()
    # Started deaf to Ctrl+C (DEAF_TO_CTRL_C): an ignored or blocked SIGINT survives exec,
    # and Ctrl+C must still stop the demo.
    demo = subprocess.Popen([*DEAF_TO_CTRL_C, "demo", "--out", str(tmp_path),
                             "--port", str(port), "--wait"], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen: list[str] = []
        # A person opens each link in turn and signs, as in a browser.
        for signer in (Signer(1, "manager", "Jürg Baumann", ""),
                       Signer(2, "employee", "Léa Brändli", ""),
                       Signer(3, "hr", "Sofía Castellanos", "")):
            lines_until(demo.stdout, "Waiting for you", seen)
            link = [line.strip() for line in seen
                    if line.strip().startswith(f"http://127.0.0.1:{port}/s/")][-1]
            if signer.role == "employee":
                acknowledge_as_employee(link, signer.name, "Read and understood.")
            else:
                confirm_as(link, signer)
        lines_until(demo.stdout, "Still serving", seen)
        text = "".join(seen)
        assert re.search(r"ok +seal: valid", text), text
        # The console's HR person, and how to sign in, as printed.
        signs_in = re.search(rf"Open http://127.0.0.1:{port}/console/ and sign in as "
                             r"(\S+) with the password (\S+)", text)
        assert signs_in, text
        home = sign_in_to_console(f"http://127.0.0.1:{port}", *signs_in.groups())
        assert "Sofía Castellanos" in home and "Sign out" in home
        # Still serving: the signer's page answers (403 without a session).
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign", timeout=5)
        assert answer.value.code == 403
    finally:
        # Ctrl+C: the demo stops the service and the worker together, within its
        # STOP_GRACE (then kills them); the rest is its own exit.
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            state = signal_state(demo.pid)
            demo.kill()  # its service and worker get SIGTERM as it dies (PR_SET_PDEATHSIG)
            demo.wait()
            pytest.fail(f"the demo did not stop within 60 s of Ctrl+C; it was {state}; "
                        f"the test process: {signal_state(os.getpid())}")
    rest = demo.stdout.read()
    assert "Stopping the service and the worker" in rest, rest
    assert_nothing_listens(port)
