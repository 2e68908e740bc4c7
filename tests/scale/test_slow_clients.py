"""Slow clients against a real `plansign serve`: 300 connections from 127.0.0.1 that
each trickle a request's first line and headers a byte at a time, never finishing, do
not keep a normal request from being answered. (With waitress's defaults, 100 such
connections made the service unreachable for everyone.)"""

from __future__ import annotations

import contextlib
import socket
import threading
import urllib.error
import urllib.request

import pytest

from testsupport import cluster

pytestmark = pytest.mark.slow  # real processes, up to a minute: -m 'not slow' leaves it out

SLOW_CLIENTS = 300
ANSWER_DEADLINE = 30  # seconds: generous; the request is a page that needs no database write
PARTIAL_REQUEST = b"GET /sign HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000


class Tricklers:
    """``count`` sockets, each sending one more byte of a request that never ends, in
    turns, until stopped."""

    def __init__(self, port: int, count: int) -> None:
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5)
                        for _ in range(count)]
        self.sent = 0
        self.rounds = 0
        self.first_round = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopping.is_set() and self.sent < len(PARTIAL_REQUEST):
            byte = PARTIAL_REQUEST[self.sent:self.sent + 1]
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # one the server dropped
                    sock.send(byte)
            self.sent += 1
            self.rounds += 1
            self.first_round.set()
            self.stopping.wait(0.2)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()


def test_trickling_connections_leave_normal_requests_answered(database_url, tmp_path):
    group = cluster.Cluster(database_url, tmp_path / "instance", webs=1, workers=0)
    group.start()
    try:
        [port] = group.ports
        slow = Tricklers(port, SLOW_CLIENTS)
        try:
            assert slow.first_round.wait(timeout=30)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/sign",
                                       timeout=ANSWER_DEADLINE)
                status = 200
            except urllib.error.HTTPError as answer:
                status = answer.code  # 403: no signer's session, a page all the same
            except OSError as exc:
                pytest.fail(f"a normal request went unanswered while {SLOW_CLIENTS} slow "
                            f"clients trickled: {exc}")
            assert status == 403
            still_trickling = slow.thread.is_alive()
        finally:
            slow.close()
        assert still_trickling  # the slow clients were held while the request was answered
        assert group.processes["web1"].poll() is None
    finally:
        group.stop()
