"""The signer's POST under stress, against a real `plansign serve`: twenty at once for one
signer, and a web process killed after recording an acknowledgement but before its
answer reached the browser. Either way the action is recorded once, and a retry is
answered as already done."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from signing.domain import envelopes as svc
from testsupport import cluster

pytestmark = pytest.mark.slow  # real processes, up to a minute: -m 'not slow' leaves it out


@pytest.fixture
def web(database_url, tmp_path, converter):
    """One web process on the selected database, and one sent envelope's link."""
    group = cluster.Cluster(database_url, tmp_path / "instance", webs=1, workers=0)
    group.start()
    sessions = group.sessions()
    [envelope_id] = cluster.send_all(sessions, converter, 1, expiring=set(),
                                     expire_in=dt.timedelta(days=1))
    with sessions() as session:
        signer = svc.load(session, envelope_id).signers[0]
    links = group.spawn("mail", "worker", "--once")
    assert links.wait(timeout=120) == 0
    link = cluster.links_by_email(group.mail, {signer.email})[signer.email]
    yield group, sessions, envelope_id, link
    group.stop()


def acknowledgement(token: str) -> bytes:
    return urllib.parse.urlencode({"csrf_token": token, "typed_name": "Load Signer 0",
                                   "consent": "on", "comment": "Received."}).encode()


def acknowledgements(sessions, envelope_id) -> int:
    with sessions() as session:
        return [r.type for r in svc.audit_trail(session, envelope_id)].count(
            "signer.acknowledged")


def test_twenty_acknowledgements_at_once_record_one(web):
    group, sessions, envelope_id, link = web
    opener, token = cluster.signed_in(link)
    port = group.ports[0]
    start = threading.Barrier(20)

    def post(_: int) -> str:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/sign/acknowledge",
                                         data=acknowledgement(token))
        start.wait()
        with opener.open(request, timeout=60) as answer:
            return urllib.parse.parse_qs(urllib.parse.urlsplit(answer.url).query)["done"][0]

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    assert sorted(answers) == ["acknowledge"] + ["already"] * 19
    assert acknowledgements(sessions, envelope_id) == 1


class ResponseDropper:
    """A TCP relay to the web process that passes requests on, and when the answer
    starts to come back, kills the web process and drops the connection: the POST was
    handled, its answer never arrived."""

    def __init__(self, upstream: int, victim: subprocess.Popen[bytes]) -> None:
        self.upstream, self.victim = upstream, victim
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        client, _ = self.server.accept()
        backend = socket.create_connection(("127.0.0.1", self.upstream))
        request = b""
        while b"\r\n\r\n" not in request:
            request += client.recv(65536)
        head, _, body = request.partition(b"\r\n\r\n")
        length = int(re.search(rb"content-length: *(\d+)", head, re.I)[1])
        while len(body) < length:
            body += client.recv(65536)
        backend.sendall(head + b"\r\n\r\n" + body)
        backend.recv(1)  # the answer has begun: the action is recorded
        self.victim.send_signal(signal.SIGKILL)
        self.victim.wait()
        client.close()
        backend.close()
        self.server.close()


def test_a_web_process_killed_before_answering_records_once(web):
    group, sessions, envelope_id, link = web
    opener, token = cluster.signed_in(link)
    port = group.ports[0]
    dropper = ResponseDropper(port, group.processes["web1"])
    jar = next(h.cookiejar for h in opener.handlers
               if isinstance(h, urllib.request.HTTPCookieProcessor))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    lost = urllib.request.Request(f"http://127.0.0.1:{dropper.port}/sign/acknowledge",
                                  data=acknowledgement(token), headers={"Cookie": cookie})
    with pytest.raises((urllib.error.URLError, ConnectionError, http_client_errors())):
        urllib.request.urlopen(lost, timeout=30)
    assert group.processes["web1"].returncode == -signal.SIGKILL
    assert acknowledgements(sessions, envelope_id) == 1

    # The browser tries again on a fresh web process: already done, nothing added.
    group.spawn("web1", "serve", "--port", str(port))
    cluster.wait_for_http(port)
    retry = urllib.request.Request(f"http://127.0.0.1:{port}/sign/acknowledge",
                                   data=acknowledgement(token))
    with opener.open(retry, timeout=30) as answer:
        page = answer.read().decode()
    assert "You have already responded to this plan. Nothing was changed." in page
    assert acknowledgements(sessions, envelope_id) == 1


def http_client_errors() -> type[Exception]:
    import http.client

    return http.client.HTTPException
