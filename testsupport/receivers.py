"""Real HTTP receivers on 127.0.0.1, and a Standard Webhooks verifier written out from
the specification (not the library that signs), for the webhook tests."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def spec_verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check, from the specification: HMAC-SHA256 under the
    base64-decoded secret (after ``whsec_``) of ``{id}.{timestamp}.{body}``, base64,
    compared with each ``v1,`` signature in the space-separated header."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() on arrival
    path: str


@dataclass
class Receiver:
    """A receiver whose answer to each request is decided by ``respond``: it gets the
    request and its index and returns (status, headers, body), or sleeps first."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    respond: Callable[[Received, int], tuple[int, dict[str, str], bytes]] = (
        lambda request, index: (204, {}, b""))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@contextlib.contextmanager
def serve_receiver(port: int = 0) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 (on ``port``, else any free one), answering 204 unless the
    test says otherwise."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            request = Received({k.lower(): v for k, v in self.headers.items()},
                               self.rfile.read(length), time.time(), self.path)
            with state.lock:
                index = len(state.received)
                state.received.append(request)
            status, headers, body = state.respond(request, index)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a hanging answer must not hold up the next test
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
