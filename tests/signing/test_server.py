"""The server `plansign serve` runs (signing/web/server.py): what counts as a whole
request, tokens kept out of its log lines, and, against a real `plansign serve` with one
worker of one thread, that a client sending a request slowly holds no thread, is closed
after serve_channel_timeout, and that 100-continue and pipelined requests are served."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from signing.web.server import Buffered, RedactTokens, request_state
from testsupport.net import STARTUP_SECONDS, free_port

LIMIT = 1000


@pytest.mark.parametrize(("data", "state"), [
    (b"GET /sign HTTP/1.1\r\nHost: x\r\n", Buffered.INCOMPLETE),
    (b"GET /sign HTTP/1.1\r\nHost: x\r\n\r\n", Buffered.WHOLE),
    (b"GET /sign HTTP/1.0\n\n", Buffered.WHOLE),
    (b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", Buffered.INCOMPLETE),
    (b"POST /a HTTP/1.1\r\ncontent-length:5\r\n\r\nabcde", Buffered.WHOLE),
    (b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcdeGET /", Buffered.WHOLE),  # pipelined
    (b"POST /a HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", Buffered.BODY_TOO_LARGE),
    (b"POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Buffered.HAND_OVER),
    (b"POST /a HTTP/1.1\r\nContent-Length: -5\r\n\r\n", Buffered.HAND_OVER),
    (b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", Buffered.INCOMPLETE),
    (b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     Buffered.WHOLE),
    (b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Buffered.WHOLE),
    (b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
     Buffered.HAND_OVER),  # smuggling's shape: gunicorn's parser refuses it
    (b"POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", Buffered.HAND_OVER),
    (b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"x" * (LIMIT + 70_000),
     Buffered.BODY_TOO_LARGE),
    (b"GET /" + b"a" * 70_000, Buffered.HEAD_TOO_LARGE),
])
def test_a_request_is_whole_once_its_framing_says_so(data, state):
    assert request_state(data, LIMIT)[0] is state


def test_a_client_expecting_100_continue_is_told_once_the_head_is_in():
    head = b"POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    assert request_state(head, LIMIT) == (Buffered.INCOMPLETE, True)
    assert request_state(head + b"ab", LIMIT) == (Buffered.INCOMPLETE, False)  # it is sending


def test_tokens_are_redacted_from_the_servers_log_lines(caplog):
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactTokens())
    with caplog.at_level(logging.INFO, "test.redact"):
        logger.error("Error handling request %s", "/s/eyJzIjoi.secret-part?x=1")
        logger.error("Error handling request /api/v1/envelopes/e1/final.pdf?token=abc.def&x=1")
        for page in ("copy", "my-records", "checkin"):  # every page a link's token opens
            logger.error("Error handling request /%s/eyJj.secret-%s", page, page)
    assert "secret-" not in caplog.text and "abc.def" not in caplog.text
    assert "/checkin/[token]" in caplog.text
    assert "/s/[token]?x=1" in caplog.text and "token=[token]&x=1" in caplog.text


@pytest.fixture
def one_thread_server(tmp_path, database_url):
    """`plansign serve` with one worker process of one thread, and 2 s to send a request."""
    port = free_port()
    env = {**os.environ, "PLANSIGN_INSTANCE_PATH": str(tmp_path),
           "PLANSIGN_DATABASE_URL": database_url, "PLANSIGN_SECRET_KEYS": "k" * 40,
           "PLANSIGN_SERVE_CHANNEL_TIMEOUT": "2"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from signing.cli import main; main()", "serve",
         "--port", str(port), "--workers", "1", "--threads", "1"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            exchange(port, b"GET /static/sign.css HTTP/1.1\r\nHost: x\r\n\r\n")
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)
    yield port
    server.terminate()
    output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0 and "Traceback" not in output, output


def exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` on a new connection (closed by the server after it answers) and
    read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_slow_request_holds_no_thread_and_is_closed_at_its_deadline(one_thread_server):
    port = one_thread_server
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        slow.sendall(b"GET /sign HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and no more, for now
        # The only thread is free: another request is answered meanwhile.
        assert exchange(port, b"GET /static/sign.css HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
            b"HTTP/1.1 200")
        # serve_channel_timeout (2 s) after it began, the server closes the slow one
        # without an answer (recv's 30 s timeout is only a bound on a broken test).
        assert slow.recv(65536) == b""
    finally:
        slow.close()


def test_100_continue_and_pipelined_requests_are_served(one_thread_server):
    port = one_thread_server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"POST /sign/acknowledge HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 7\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(b"consent"  # no CSRF token: 400, after the body was read
                     b"GET /static/sign.css HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /s/not-a-token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    # Each answer's status line follows the body before it (an HTML page ends without a
    # line break); gunicorn sends its own 100 Continue too, which clients skip.
    statuses = [s for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer) if s != b"100"]
    assert statuses == [b"400", b"200", b"403"]


def test_a_head_too_large_is_answered_431_and_a_long_url_is_the_apps(one_thread_server):
    port = one_thread_server
    answer = exchange(port, b"GET /sign HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000
                      + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert answer.endswith(b'{"error": "the request\'s head is over 64 KiB; nothing was changed"}')
    # A URL far past gunicorn's own 4 KiB request line reaches the app.
    answer = exchange(port, b"GET /s/" + b"t" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 403 ")


def test_a_worker_leaves_new_connections_to_one_holding_fewer(monkeypatch):
    """ConnectionShares: a worker accepts while it holds no more than one connection
    above the least loaded other worker; a worker quiet for too long, or gone, does not
    count, so nobody waits on it."""
    from signing.web import server

    clock = [100.0]
    monkeypatch.setattr(server.time, "monotonic", lambda: clock[0])
    shares = server.ConnectionShares()
    first, second = shares.claim(1001), shares.claim(1002)
    assert first != second
    shares.write(first, 1001, 12)
    shares.write(second, 1002, 10)
    assert not shares.may_accept(first, 1001, 12)
    assert shares.may_accept(second, 1002, 10)
    shares.write(first, 1001, 11)
    assert shares.may_accept(first, 1001, 11)  # one above: still its turn too
    clock[0] += shares.STALE + 1  # the second has not written since
    shares.write(first, 1001, 30)
    assert shares.may_accept(first, 1001, 30)
    assert shares.claim(1003) == second  # its slot is taken over
    shares.release(first)
    assert shares.may_accept(second, 1003, 0)


# -- a thread carrying on with a kept-alive connection (BufferingThreadWorker._carry_on) ----


@pytest.fixture
def worker():
    """Our worker, in this process, with a pool of one thread, its poller and its method
    queue (what the main loop runs), but no main loop: the test turns it by hand. Its app
    answers each request with its path; ``/wait`` first waits for ``release``."""
    import selectors
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from signing.web.server import BufferingThreadWorker

    release = threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/wait":
            release.wait(30)
        body = environ["PATH_INFO"].encode() + b";"
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    cfg = Config()
    cfg.set("threads", 1)
    cfg.set("worker_connections", 10)
    worker = BufferingThreadWorker(0, os.getpid(), [], None, 30, cfg, Logger(cfg))
    worker.wsgi, worker.release = app, release
    worker.tpool = ThreadPoolExecutor(max_workers=1)
    worker.poller = selectors.DefaultSelector()
    worker.method_queue.init()
    yield worker
    release.set()
    worker.alive = False
    worker.tpool.shutdown(wait=True)
    worker.poller.close()
    worker.method_queue.close()


def read_answers(sock: socket.socket, count: int) -> list[bytes]:
    """The paths ``count`` answers name (the worker's app answers a request's path and
    ``;``)."""
    data = b""
    while data.count(b";") < count:
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    return re.findall(rb"HTTP/1\.1 200 OK\r\n.*?\r\n\r\n(/\w*);", data, re.S)


def test_a_thread_queues_a_kept_alive_connections_next_request_when_it_is_there(worker):
    from gunicorn.workers.gthread import TConn

    client, served = socket.socketpair()
    client.settimeout(10)  # a bound on a broken test
    with client:
        conn = TConn(worker.cfg, served, ("127.0.0.1", 1), ("127.0.0.1", 2))
        worker.nr_conns = 1
        client.sendall(b"GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
        worker.enqueue_req(conn)  # as the main loop does for a new connection
        # While the first is being answered, the next arrives whole: the thread that
        # answered the first queues it itself, with no turn of the main loop.
        client.sendall(b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        worker.release.set()
        assert read_answers(client, 2) == [b"/wait", b"/second"]
        deadline = time.monotonic() + 10
        while conn not in worker.keepalived_conns:  # nothing yet: back in the poller
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert worker.method_queue._queue.empty()  # the main loop had nothing to do
        # A request sent in two parts is read by the main loop, from the poller.
        client.sendall(b"GET /third HTTP/1.1\r\nHo")
        worker.wait_for_and_dispatch_events(timeout=5)
        client.sendall(b"st: x\r\n\r\n")
        worker.wait_for_and_dispatch_events(timeout=5)
        assert read_answers(client, 1) == [b"/third"]
    # The client has gone: the poller sees it, and the connection is closed and counted.
    deadline = time.monotonic() + 10
    while worker.nr_conns:
        assert time.monotonic() < deadline
        worker.wait_for_and_dispatch_events(timeout=0.5)
    assert conn not in worker.keepalived_conns
