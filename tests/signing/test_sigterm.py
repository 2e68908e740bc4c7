"""SIGTERM (systemd, docker stop) stops `plansign serve` and `plansign worker` cleanly:
LibreOffice stopped, no `docgen-pdf-*` folder in the temporary folder, no LibreOffice
pipe in /tmp. Real processes, each with a private TMPDIR, and a real conversion."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from docgen.convert._tempfiles import PIPE_DIR, _ipc_pipe_name, _pid_namespace
from docgen.loading import parse_plan_text
from signing.domain import apikeys
from signing.domain.models import OutboxRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.conftest import EXAMPLES
from tests.signing.signer_pages import send_plan
from testsupport.net import STARTUP_SECONDS, free_port

pytestmark = pytest.mark.usefixtures("clean_env")
PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]


@pytest.fixture
def instance(tmp_path, database_url):
    """An instance folder and database with an admin key, a plan sent (its email due),
    and the environment of a child process with a TMPDIR of its own."""
    settings = {"instance_path": str(tmp_path / "instance"), "database_url": database_url,
                "secret_keys": "k" * 40, "base_url": "https://sign.example.com"}
    app = create_app(settings)
    sessions = services_of(app).sessions
    send_plan(sessions)
    with sessions.begin() as session:
        _, key = apikeys.create_key(session, "operator", "admin", dt.datetime.now(dt.UTC))
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir),
           **{f"PLANSIGN_{k.upper()}": v for k, v in settings.items()}}
    yield env, tmpdir, key, sessions
    sessions.kw["bind"].dispose()


def pipes_of(pid: int) -> list[Path]:
    """The named pipes LibreOffice made for process ``pid`` (their names carry it)."""
    return list(PIPE_DIR.glob(f"OSL_PIPE_{os.getuid()}_docgen-{_pid_namespace()}-{pid}-*"))


def processes_using(folder: Path) -> list[str]:
    """Processes whose command line names ``folder`` (LibreOffice's profile is in it)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(folder).encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            continue  # gone meanwhile
    return found


def stop(process: subprocess.Popen) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=120)[0].decode()
    return process.returncode, output


def test_serve_stopped_by_sigterm_leaves_no_libreoffice_behind(instance):
    env, tmpdir, key, _ = instance
    plan = parse_plan_text(EXAMPLES[2].read_text(encoding="utf-8"), fmt="yaml")
    port = free_port()
    server = subprocess.Popen([*PLANSIGN, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:  # until it answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/s/x")
            except urllib.error.HTTPError:
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        sent = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/envelopes", method="POST",
            data=json.dumps({"plan": plan}).encode(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"}),
            timeout=300)
        assert sent.status == 201  # a plan converted by the server's LibreOffice
        (folder,) = tmpdir.glob("docgen-pdf-*")
        profiles = list(folder.glob("*/profile"))
        assert profiles and processes_using(tmpdir)  # LibreOffice runs, in the TMPDIR
        ipc_pipes = [PIPE_DIR / _ipc_pipe_name(profile) for profile in profiles]
    finally:
        status, output = stop(server)
    assert list(tmpdir.iterdir()) == [], output
    assert not pipes_of(server.pid) and not any(p.exists() for p in ipc_pipes)
    assert status == 0, output
    assert processes_using(tmpdir) == []


def test_worker_stopped_by_sigterm_exits_cleanly(instance):
    env, tmpdir, _, sessions = instance
    worker = subprocess.Popen([*PLANSIGN, "worker"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:  # until it has sent the plan's email: at work
            with sessions() as session:
                due = session.scalars(select(OutboxRow).where(OutboxRow.sent_at.is_(None),
                                                              OutboxRow.kind == "email")).all()
            if not due:
                break
            assert time.monotonic() < deadline and worker.poll() is None, "the worker idles"
            time.sleep(0.2)
    finally:
        status, output = stop(worker)
    assert status == 0, output
    assert "plansign: stopping (SIGTERM)" in output
    assert list(tmpdir.iterdir()) == [], output
    assert not pipes_of(worker.pid) and processes_using(tmpdir) == []
