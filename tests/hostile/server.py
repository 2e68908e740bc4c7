"""A real `plansign serve` for the hostile-input tests, with an admin API key, sent
envelopes and a webhook endpoint to aim at.

The server is a child process on 127.0.0.1 that can resolve no host name (its
``socket.getaddrinfo`` answers only for IP literals and localhost), so nothing a fuzzer
puts in a webhook URL sends a DNS query off this machine; no worker runs, so nothing
is delivered either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

import webhooks
from database import Base
from docgen import sample_plan
from signing.domain import apikeys
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.web.app import create_app
from signing.web.current import services_of
from testsupport.net import STARTUP_SECONDS, free_port

SECRET_KEYS = "h" * 40

# Run in the server process before plansign: no name is resolved, except this machine.
OFFLINE_SERVE = """
import ipaddress, socket
_resolve = socket.getaddrinfo
def _local_only(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    try:
        ipaddress.ip_address((name or "").strip("[]").split("%")[0])
    except ValueError:
        if name not in (None, "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "the tests resolve no host names")
    return _resolve(host, *args, **kwargs)
socket.getaddrinfo = _local_only
from signing.cli import main
main()
"""


@dataclasses.dataclass(frozen=True)
class Server:
    url: str
    key: str  # an admin key
    envelope_id: str  # a sent envelope, its employee not yet acted
    signer_id: str  # its employee
    spare_envelope_id: str  # another, for a test that voids one
    endpoint_id: str  # a webhook endpoint
    sessions: object  # a session factory on the server's database

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def send_sample(session, now: dt.datetime) -> tuple[str, str]:
    """The sample plan sent to its employee, as the service writes it; its PDF is a stand-in."""
    plan = sample_plan()
    hr = svc.Actor("hr:test")
    envelope_id = svc.create_envelope(
        session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
        template="standard", pdf=b"%PDF-1.7 the plan",
        signers=[svc.SignerSpec(wf.Role.EMPLOYEE, plan.employee.name, plan.employee.email, 1)],
        actor=hr, now=now)
    svc.perform(session, envelope_id, "send", actor=hr, now=now, expires_in=dt.timedelta(days=14))
    return envelope_id, svc.load(session, envelope_id).signers[0].id


def seed(sessions) -> dict[str, str]:
    """An admin key, two sent envelopes (one to be voided) and a webhook endpoint."""
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        key = apikeys.create_key(session, "hostile tests", "admin", now)[1]
        envelope_id, signer_id = send_sample(session, now)
        spare_id, _ = send_sample(session, now)
        # An address no request ever goes to: no worker runs.
        endpoint = webhooks.create_endpoint(
            session, url="https://192.0.2.10/hooks", events=["envelope.sent"], name="hris",
            created_by="hr:test", sees_all=True, now=now, allow_private=True, resolve=None)
    return {"key": key, "envelope_id": envelope_id, "signer_id": signer_id,
            "spare_envelope_id": spare_id, "endpoint_id": endpoint.endpoint.id}


# Counts a rate limiter keeps change with every request; everything else must not.
UNTRACKED = {"rate_limits"}


def database_state(sessions) -> dict[str, list[tuple]]:
    """Every row of every plansign table, to show that a refused request changed nothing."""
    with sessions() as session:
        return {name: sorted(map(tuple, session.execute(select(table))), key=repr)
                for name, table in Base.metadata.tables.items() if name not in UNTRACKED}


@contextmanager
def serve(folder: Path) -> Iterator[Server]:
    """`plansign serve` on a free port of 127.0.0.1, on a seeded SQLite database in
    ``folder``, with no name resolution and no rate limits; stopped when the block ends."""
    database_url = f"sqlite:///{folder / 'plansign.db'}"
    settings = {"instance_path": str(folder), "database_url": database_url,
                "secret_keys": SECRET_KEYS, "converter_pool_size": 1}
    sessions = services_of(create_app(settings)).sessions
    seeded = seed(sessions)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}
    env.update({f"PLANSIGN_{name.upper()}": str(value) for name, value in settings.items()})
    env["PLANSIGN_BASE_URL"] = f"http://127.0.0.1:{port}"
    # Hundreds of requests a minute from one address, many with a bad key on purpose:
    # rate limits would answer most of them 429. They have tests of their own.
    env.update(dict.fromkeys(("PLANSIGN_RATE_LIMIT_SIGNER", "PLANSIGN_RATE_LIMIT_SIGNER_STRICT",
                              "PLANSIGN_RATE_LIMIT_API", "PLANSIGN_RATE_LIMIT_REFUSED"), ""))
    url = f"http://127.0.0.1:{port}"
    with open(folder / "serve.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", OFFLINE_SERVE, "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=5).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert server.poll() is None, (folder / "serve.log").read_text()
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            yield Server(url, sessions=sessions, **seeded)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            sessions.kw["bind"].dispose()
