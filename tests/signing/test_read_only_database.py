"""A database that takes no writes is a set-up problem, and said to be one, naming the
database: not "briefly unavailable, try again". A SQLite file made read-only (chmod 0444)
under a real `plansign serve` and `plansign worker`; a PostgreSQL database with
default_transaction_read_only, in the web app and the worker."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from signing.cli import main
from signing.domain import apikeys
from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.signer_pages import csrf, events, open_plan, send_plan
from testsupport.net import STARTUP_SECONDS, free_port

pytestmark = pytest.mark.usefixtures("clean_env")
PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]


def as_the_files_owner_only() -> list[str]:
    """A prefix that runs a command bound by file permissions even as root (who is not,
    by CAP_DAC_OVERRIDE): so a 0444 file is read-only to it, as to any other user."""
    if os.geteuid() != 0:
        return []
    assert shutil.which("setpriv"), "setpriv is missing (util-linux)"
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.fixture
def read_only_instance(tmp_path):
    """An instance with a plan sent (its email due) and an admin key, whose SQLite file
    is then made read-only."""
    settings = {"instance_path": str(tmp_path / "instance"), "secret_keys": "k" * 40,
                "base_url": "https://sign.example.com"}
    app = create_app(settings)
    sessions = services_of(app).sessions
    envelope_id, _ = send_plan(sessions)
    with sessions.begin() as session:
        _, key = apikeys.create_key(session, "operator", "admin", dt.datetime.now(dt.UTC))
    sessions.kw["bind"].dispose()
    database = tmp_path / "instance" / "plansign.db"
    database.chmod(0o444)
    env = {**os.environ, "PLANSIGN_INSTANCE_PATH": settings["instance_path"],
           "PLANSIGN_SECRET_KEYS": settings["secret_keys"]}
    yield env, database, envelope_id, key
    database.chmod(0o600)


def test_the_worker_says_a_read_only_sqlite_file_is_one(read_only_instance):
    env, database, _, _ = read_only_instance
    done = subprocess.run([*as_the_files_owner_only(), *PLANSIGN, "worker", "--once"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"the SQLite database {database} is read-only, a setup problem" in done.stderr
    assert "writable by the user plansign runs as" in done.stderr
    assert "unavailable" not in done.stderr and "Traceback" not in done.stderr


def test_serve_says_a_read_only_sqlite_file_is_one(read_only_instance):
    env, database, envelope_id, key = read_only_instance
    port = free_port()
    server = subprocess.Popen([*as_the_files_owner_only(), *PLANSIGN, "serve", "--port",
                               str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    void = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/envelopes/{envelope_id}/void", method="POST",
        data=json.dumps({"reason": "sent by mistake"}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                urllib.request.urlopen(void)
                raise AssertionError("voided in a read-only database")
            except urllib.error.HTTPError as exc:
                status, headers, body = exc.code, exc.headers, json.loads(exc.read())
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert status == 503 and "Retry-After" not in headers  # waiting does not cure it
    assert body["error"].startswith("the database is read-only, a setup problem the "
                                    "operator must fix")
    assert str(database) not in body["error"]  # the server's files are its own business
    assert f"the SQLite database {database} is read-only" in output
    assert "Traceback" not in output


def test_a_read_only_postgresql_database_is_said_to_be_one(db_backend, database_url, tmp_path,
                                                          runner, caplog):
    if db_backend != "postgresql":
        pytest.skip("PostgreSQL's default_transaction_read_only")
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})
    sessions, client = services_of(app).sessions, app.test_client()
    envelope_id, _, page = open_plan(app, client, sessions)
    engine = sessions.kw["bind"]
    name = make_url(database_url).database
    with engine.begin() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only '
                                "= on"))
    engine.dispose()  # the setting holds for new connections

    response = client.post("/sign/acknowledge", data={
        "csrf_token": csrf(page), "typed_name": "Alex Sample", "consent": "on"})
    assert response.status_code == 503 and "Retry-After" not in response.headers
    assert "cannot record anything at the moment" in response.get_data(as_text=True)
    assert f"/{name}" in caplog.text and "is read-only, a setup problem" in caplog.text
    assert "signer.acknowledged" not in events(sessions, envelope_id)

    worked = runner.invoke(main, ["worker", "--once"], env={
        "PLANSIGN_INSTANCE_PATH": str(tmp_path), "PLANSIGN_DATABASE_URL": database_url,
        "PLANSIGN_SECRET_KEYS": "k" * 40})
    assert worked.exit_code == 1, worked.output
    assert "is read-only, a setup problem to fix: connect to the primary" in worked.output
    assert f"/{name}" in worked.output and "unavailable" not in worked.output


def test_the_tests_run_the_child_bound_by_permissions(tmp_path):
    """The premise of the SQLite tests above: the child cannot write a 0444 file."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    done = subprocess.run([*as_the_files_owner_only(), sys.executable, "-c",
                           f"open({str(probe)!r}, 'a')"], capture_output=True, check=False)
    assert done.returncode != 0 and b"PermissionError" in done.stderr
    probe.chmod(0o600)
    assert Path(probe).read_text() == "x"
