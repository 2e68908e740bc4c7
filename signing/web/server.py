"""The HTTP server `plansign serve` runs: gunicorn, with several worker processes (one per
CPU by default), each running a pool of threads (the ``gthread`` worker), and a worker
class of ours that reads every request whole before a thread handles it.

Why processes: Python runs one thread at a time per process, so one process with many
threads serves a machine's cores like one core. Several processes each hold their own
app, database pool and (when the API sends a plan) LibreOffice pool, all made after the
fork by ``app_factory`` (nothing is shared but the listening socket and the files in the
instance folder), and stopped by ``close`` when the worker exits.

Why our worker: gunicorn's gthread worker waits for a connection's first bytes without
a thread, but then reads the rest of the request in a thread, blocking: a client that
trickles a byte every second holds that thread for as long as it likes, and a few
dozen such clients take every thread of every worker. :class:`BufferingThreadWorker`
reads each request (head and body, up to the app's body limit) in the worker's main
loop, without a thread, and hands it to a thread only once it is whole, as waitress
did; a connection that has not sent a whole request within ``channel_timeout`` seconds
is closed. So slow clients hold connections (``connection_limit`` of them), never
threads. A body larger than the app takes is read to its end and thrown away, so that
the client reads the app's 413, and a head over 64 KiB is answered 431 here. A
buffering proxy (nginx) in front remains the production answer (README). And the thread
that has answered on a kept-alive connection carries on with it itself (the client's next
request queued if it is there whole, else the connection back in the poller) rather than
handing it to the main loop, which must win the GIL from the request threads for each turn.

No access log is written (its lines would hold signing links, which carry a token
until the first redirect), and gunicorn's own messages pass :class:`RedactTokens`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import mmap
import multiprocessing
import os
import re
import selectors
import signal
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from docgen.convert import parent_death_signal
from signing.web import tokenpaths

WSGIApp = Callable[..., Iterable[bytes]]

# How much of a request head is buffered before the parser is left to refuse it (it
# allows a 4 KiB request line and 100 fields of 8 KiB; real heads are a few hundred bytes).
MAX_HEAD = 64 * 1024
RECV_SIZE = 64 * 1024
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
DISCARD_LIMIT = 64 * 1024 * 1024  # bytes of a too large body read before giving up on it
_TOO_LARGE_BODY = b'{"error": "the request\'s head is over 64 KiB; nothing was changed"}'
HEAD_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                  b"Content-Type: application/json\r\nConnection: close\r\n"
                  b"Content-Length: " + str(len(_TOO_LARGE_BODY)).encode() + b"\r\n\r\n"
                  + _TOO_LARGE_BODY)


@dataclass(frozen=True)
class ServeOptions:
    """What `plansign serve` (and the benchmark's other apps) are served with."""

    host: str
    port: int
    workers: int
    threads: int
    connection_limit: int  # for the whole server, shared out between the workers
    channel_timeout: int  # seconds to send a whole request, or to stay idle between two
    backlog: int
    max_body: int  # the app's own limit: a larger body is handed over for it to refuse
    graceful_timeout: int = 30
    # How long a thread may hold the GIL while another waits for it (Python's
    # sys.setswitchinterval, in microseconds; 0 leaves Python's 5 ms).
    switch_interval_us: int = 0
    # Once a worker has built its app: move what is alive then out of the collector's
    # view (gc.freeze), so collections do not walk the app's long-lived objects again.
    gc_freeze: bool = True
    # Each worker accepts a new connection only while it holds no more than the others
    # (see ConnectionShares).
    balance_connections: bool = True


def default_workers() -> int:
    """One worker process per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# -- is the request whole? ------------------------------------------------------------------


class Buffered(Enum):
    INCOMPLETE = "incomplete"  # wait for more bytes
    WHOLE = "whole"  # hand it to a thread
    HAND_OVER = "hand over"  # malformed framing: gunicorn's parser refuses it
    BODY_TOO_LARGE = "body too large"  # read to its end, unkept; the app answers 413
    HEAD_TOO_LARGE = "head too large"  # answered 431 here


_HEAD_END = re.compile(rb"\r?\n\r?\n")


def request_state(data: bytes | bytearray, max_body: int) -> tuple[Buffered, bool]:
    """Whether ``data``, the bytes a connection has sent so far, hold a whole HTTP/1.x
    request; and whether the client waits for ``100 Continue`` before sending its body.

    Only framing is read here (where the head ends, ``Content-Length``,
    ``Transfer-Encoding``); anything odd is handed over for gunicorn's parser to refuse
    with the right status."""
    end = _HEAD_END.search(data)
    if end is None:
        return (Buffered.HEAD_TOO_LARGE if len(data) > MAX_HEAD else Buffered.INCOMPLETE), False
    if end.start() > MAX_HEAD:
        return Buffered.HEAD_TOO_LARGE, False
    lengths, encodings, expect = set(), [], False
    for name, value in _fields(bytes(data[:end.start()])):
        if name == b"content-length":
            lengths.add(value)
        elif name == b"transfer-encoding":
            encodings.append(value.lower())
        elif name == b"expect":
            expect = value.lower() == b"100-continue"
    body = len(data) - end.end()
    if encodings:
        if lengths or encodings[-1].split(b",")[-1].strip() != b"chunked":
            return Buffered.HAND_OVER, False  # request smuggling's shapes: refused there
        if body > max_body + 64 * 1024:  # chunk sizes and trailers on top of the body
            return Buffered.BODY_TOO_LARGE, False
        # The last chunk (size 0, no trailers) ends the body. A chunk whose data ends in
        # those bytes is taken for the end too: the thread then reads the rest, as any
        # gunicorn worker would.
        whole = data.endswith(b"0\r\n\r\n") and (body == 5 or data.endswith(b"\n0\r\n\r\n"))
        return (Buffered.WHOLE if whole else Buffered.INCOMPLETE), expect and not whole
    if not lengths:
        return Buffered.WHOLE, False
    if len(lengths) > 1 or not next(iter(lengths)).isdigit():
        return Buffered.HAND_OVER, False
    wanted = int(next(iter(lengths)))
    if wanted > max_body:
        return Buffered.BODY_TOO_LARGE, False
    if body >= wanted:
        return Buffered.WHOLE, False
    return Buffered.INCOMPLETE, expect and body == 0


def _fields(head: bytes) -> Iterator[tuple[bytes, bytes]]:
    """A request head's fields, names in lower case (the request line left out)."""
    for line in head.split(b"\n")[1:]:
        name, colon, value = line.partition(b":")
        if colon:  # the parser decides what a line without a colon is worth
            yield name.strip().lower(), value.strip()


_REFRAMED = {b"content-length", b"transfer-encoding", b"connection", b"expect"}


# -- connections shared out evenly between the workers --------------------------------------


class ConnectionShares:
    """How many connections each worker holds, in memory the master maps before it forks
    and its workers share.

    The workers all accept from one listening socket, and whichever is woken first takes
    the connection: at the start of a burst one worker took 39 of 50 kept-alive
    connections and the other 11 (bench_signing_service.py), and the first served its
    clients at a quarter of the other's pace per connection. Each worker writes its own
    slot (its pid, its count of connections, and when it last wrote), about every loop;
    it reads the others' when a connection arrives, and leaves the connection to them
    while it holds more than :data:`SLACK` above the least loaded. A worker that has not
    written for :data:`STALE` seconds (gone, or stuck) does not count, so no worker ever
    waits on one that cannot accept."""

    SLOTS = 256
    SLACK = 1
    STALE = 2.0
    PAUSE = 0.002  # seconds a worker leaves the listening socket to the others
    _SLOT = struct.Struct("=qqd")  # pid, connections, monotonic time of the last write

    def __init__(self) -> None:
        self.memory = mmap.mmap(-1, self.SLOTS * self._SLOT.size)  # shared, anonymous
        self.claiming = multiprocessing.Lock()  # two workers starting at once

    def claim(self, pid: int) -> int:
        """A slot for the worker ``pid``: a free one, or one whose worker went quiet."""
        # With a time limit: a worker killed while it held the lock must not stop the
        # next from starting (it accepts as gunicorn would, without a slot).
        if not self.claiming.acquire(timeout=1.0):
            return -1
        try:
            now = time.monotonic()
            for slot in range(self.SLOTS):
                held, _, written = self._SLOT.unpack_from(self.memory,
                                                          slot * self._SLOT.size)
                if held == 0 or now - written > self.STALE:
                    self.write(slot, pid, 0)
                    return slot
        finally:
            self.claiming.release()
        return -1  # no slot: this worker accepts as gunicorn would

    def write(self, slot: int, pid: int, connections: int) -> None:
        if slot >= 0:
            self._SLOT.pack_into(self.memory, slot * self._SLOT.size, pid, connections,
                                 time.monotonic())

    def release(self, slot: int) -> None:
        if slot >= 0:
            self._SLOT.pack_into(self.memory, slot * self._SLOT.size, 0, 0, 0.0)

    def may_accept(self, slot: int, pid: int, connections: int) -> bool:
        """Whether the worker in ``slot`` holds no more than :data:`SLACK` connections
        above the least loaded other live worker."""
        if slot < 0:
            return True
        now, fewest = time.monotonic(), None
        for other in range(self.SLOTS):
            held, count, written = self._SLOT.unpack_from(self.memory,
                                                          other * self._SLOT.size)
            if other != slot and held and held != pid and now - written <= self.STALE:
                fewest = count if fewest is None else min(fewest, count)
        return fewest is None or connections <= fewest + self.SLACK


# What a thread's ``handle`` returns when it has itself queued the connection's next
# request or put it back in the poller: the main loop has nothing to do for it.
CARRIED_ON = object()


# -- the worker -----------------------------------------------------------------------------


class BufferingThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no types
    """gunicorn's gthread worker, reading each request whole in its main loop first (see
    the module). Set ``channel_timeout`` and ``max_body`` on a subclass."""

    channel_timeout = 30
    max_body = 512 * 1024
    shares: ConnectionShares | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading: deque[Any] = deque()  # connections being read, oldest deadline first
        self.share_slot = -1
        self.accept_paused_until = 0.0

    def init_process(self) -> None:
        if self.shares is not None:
            self.share_slot = self.shares.claim(os.getpid())
        super().init_process()

    def notify(self) -> None:
        """Every turn of the main loop (at least once a second): tell the master this
        worker lives, and the other workers how many connections it holds."""
        super().notify()
        if self.shares is not None:
            self.shares.write(self.share_slot, os.getpid(), self.nr_conns)

    def accept(self, listener: Any) -> None:
        shares = self.shares
        if shares is not None and not shares.may_accept(self.share_slot, os.getpid(),
                                                        self.nr_conns):
            # Leave it to a worker holding fewer: stop watching the socket for a moment
            # (rather than be woken for it again at once).
            self.accept_paused_until = time.monotonic() + shares.PAUSE
            self.set_accept_enabled(False)
            return
        super().accept(listener)
        if shares is not None:
            shares.write(self.share_slot, os.getpid(), self.nr_conns)

    def set_accept_enabled(self, enabled: bool) -> None:
        if enabled and self.alive and time.monotonic() < self.accept_paused_until:
            return  # paused by accept; the main loop asks again on its next turn
        super().set_accept_enabled(enabled)

    def enqueue_req(self, conn: Any) -> None:
        """Every path to a thread comes here (a new connection, a kept-alive one that
        became readable, bytes a client pipelined): read first, unless it is whole."""
        if getattr(conn, "plansign_whole", None) is not None:
            self._submit(conn)
            return
        conn.plansign_buffer = bytearray()
        if conn.parser is not None:  # pipelined bytes the last request's parser read ahead
            conn.plansign_buffer += conn.parser.unreader.take_buffered()
        conn.plansign_deadline = time.monotonic() + self.channel_timeout
        conn.plansign_continued = False
        conn.plansign_discarding = None
        conn.sock.setblocking(False)
        self.reading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        if conn.plansign_buffer:
            self._consider(conn)
        if conn.plansign_buffer is not None:  # still being read (not handed over, not dropped)
            # Read now rather than on the loop's next turn: a kept-alive connection comes
            # here because the poller saw it readable, and its request is there already.
            # Waiting for the next turn cost every request a turn of this loop (and a
            # wait for the GIL behind the request threads) before a thread took it.
            self._readable(conn, conn.sock)

    def _readable(self, conn: Any, _sock: Any) -> None:
        try:
            data = conn.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._drop(conn)
            return
        if conn.plansign_discarding is not None:
            self._discard(conn, data)
            return
        conn.plansign_buffer += data
        self._consider(conn)

    def _consider(self, conn: Any) -> None:
        """Hand ``conn`` to a thread if its request is whole (or refuse it)."""
        state, expects_continue = request_state(conn.plansign_buffer, self.max_body)
        if state is Buffered.INCOMPLETE:
            if expects_continue and not conn.plansign_continued:
                conn.plansign_continued = True
                with contextlib.suppress(OSError):  # if so, the next read finds out
                    conn.sock.send(CONTINUE)  # 25 bytes to an empty send buffer: no wait
            return
        if state is Buffered.HEAD_TOO_LARGE:
            with contextlib.suppress(OSError):
                conn.sock.send(HEAD_TOO_LARGE)
            self._drop(conn)
        elif state is Buffered.BODY_TOO_LARGE:
            self._start_discarding(conn)
        else:
            self._hand_over(conn, bytes(conn.plansign_buffer))

    def _hand_over(self, conn: Any, request: bytes) -> None:
        self.poller.unregister(conn.sock)
        self.reading.remove(conn)
        conn.plansign_whole = request
        conn.plansign_buffer = None
        conn.data_ready = True
        self._submit(conn)

    def _submit(self, conn: Any) -> None:
        """Queue a whole request for the next free thread; once served, the connection
        goes back to the main loop (gunicorn's ``finish_request``), unless the thread has
        carried on itself (:meth:`_carry_on`)."""
        future = self.tpool.submit(self.handle, conn)
        future.add_done_callback(partial(self._served, conn))

    def _served(self, conn: Any, future: Any) -> None:
        if not future.cancelled() and future.exception() is None \
                and future.result() is CARRIED_ON:
            return
        self.method_queue.defer(self.finish_request, conn, future)

    # A body larger than the app takes is read to its end and thrown away, as waitress
    # did, so that the client, still sending it, can read the app's 413 (closing on a
    # client that is sending makes its system reset the connection, answer unread).
    # The app is then given the head, saying one byte more than it takes, and that many
    # bytes, and refuses it by its length. Past DISCARD_LIMIT the connection is closed.

    def _start_discarding(self, conn: Any) -> None:
        data = bytes(conn.plansign_buffer)
        end = _HEAD_END.search(data)
        assert end is not None  # a body is only too large once the head has ended
        conn.plansign_head = data[:end.start()]
        lengths = [value for name, value in _fields(conn.plansign_head)
                   if name == b"content-length"]
        # Bytes of body still to come (Content-Length), or None: up to the last chunk.
        conn.plansign_discarding = (int(lengths[0]) if lengths else None, b"", 0)
        conn.plansign_buffer = bytearray()
        if (b"expect", b"100-continue") in ((n, v.lower()) for n, v in
                                            _fields(conn.plansign_head)) \
                and not conn.plansign_continued and len(data) == end.end():
            conn.plansign_continued = True  # it waits for this before it sends the body
            with contextlib.suppress(OSError):
                conn.sock.send(CONTINUE)
        self._discard(conn, data[end.end():])

    def _discard(self, conn: Any, data: bytes) -> None:
        remaining, tail, discarded = conn.plansign_discarding
        discarded += len(data)
        if remaining is not None:
            remaining -= len(data)
            done = remaining <= 0
        else:
            tail = (tail + data)[-7:]
            done = tail.endswith(b"\n0\r\n\r\n")
        conn.plansign_discarding = (remaining, tail, discarded)
        if discarded > DISCARD_LIMIT:
            self._drop(conn)
        elif done:
            head = b"\r\n".join(
                line.rstrip(b"\r") for line in conn.plansign_head.split(b"\n")
                if line.split(b":", 1)[0].strip().lower() not in _REFRAMED)
            size = self.max_body + 1
            self._hand_over(conn, head + b"\r\nConnection: close\r\nContent-Length: "
                            + str(size).encode() + b"\r\n\r\n" + bytes(size))

    def _drop(self, conn: Any) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):  # not registered
            self.poller.unregister(conn.sock)
        self.reading.remove(conn)
        conn.plansign_buffer = None
        self.nr_conns -= 1
        conn.close()

    def handle(self, conn: Any) -> Any:
        """In a thread: give the parser the bytes read for it, then serve as gthread does."""
        whole = conn.plansign_whole
        conn.plansign_whole = None
        if whole is not None:
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(whole)
        keep_alive = super().handle(conn)
        if keep_alive is True and self._carry_on(conn):
            return CARRIED_ON
        return keep_alive

    def _carry_on(self, conn: Any) -> bool:
        """In the thread that has just answered on a kept-alive connection: queue the
        client's next request for a thread at once if it has arrived whole already, else
        put the connection back in the main loop's poller, here; whether either was done.

        gunicorn's path is the main loop's (``finish_request``): it must first win the GIL
        from the request threads to put the connection back in its poller, and then again
        when the poller sees the next request, before a thread takes it; under load the
        first step alone reached tens of milliseconds at its p99, often after the next
        request had arrived. A queued request joins the pool's queue behind those already
        waiting, as it would have; a thread adding to the poller and its list of kept-alive
        connections is safe (each step one operation under the GIL; the poller is epoll,
        which the kernel guards), and the main loop still closes idle ones."""
        if not self.alive or conn.parser is None or conn.parser.unreader.buf.getvalue():
            return False  # stopping, or bytes read ahead: gunicorn's own path
        try:
            waiting = conn.sock.recv(RECV_SIZE, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            waiting = b""
        except OSError:
            return False
        if waiting and request_state(waiting, self.max_body)[0] is Buffered.WHOLE:
            return self._queue_next(conn, len(waiting))
        # Nothing yet, part of a request, or the client has gone (the poller sees each).
        conn.sock.setblocking(False)
        conn.set_timeout()
        self.keepalived_conns.append(conn)  # first: once registered, the loop may take it
        try:
            self.poller.register(conn.sock, selectors.EVENT_READ,
                                 partial(self.on_client_socket_readable, conn))
        except (OSError, ValueError, RuntimeError):  # the poller is closed: stopping
            self.keepalived_conns.remove(conn)
            return False
        return True

    def _queue_next(self, conn: Any, size: int) -> bool:
        try:
            data = conn.sock.recv(size)  # what was peeked: in the buffer, no wait
        except OSError:
            return False
        conn.plansign_whole = data
        conn.data_ready = True
        try:
            self._submit(conn)
        except RuntimeError:  # the pool has been shut down: the bytes go back
            conn.plansign_whole = None
            conn.parser.unreader.unread(data)
            return False
        return True

    def _cap_keepalive(self, deadline: float) -> None:
        """gunicorn's, over a copy: request threads add to the list (:meth:`_carry_on`)."""
        for conn in list(self.keepalived_conns):
            conn.timeout = min(conn.timeout, deadline)

    def murder_pending(self) -> None:
        """Also close the connections that took longer than ``channel_timeout`` to send a
        request whole (run by gunicorn's loop about once a second)."""
        super().murder_pending()
        now = time.monotonic()
        while self.reading and self.reading[0].plansign_deadline <= now:
            self._drop(self.reading[0])
        if not self.alive:  # stopping: connections that have not begun a request go now
            # (a browser keeps idle ones open), so that the worker need not wait for
            # their deadline before it stops, and its LibreOffice with it.
            for conn in [c for c in self.reading if not c.plansign_buffer]:
                self._drop(conn)
            if not self._accepting:
                # And its copy of the listening socket, at once rather than once its last
                # request is answered: if the master is gone (killed), this copy is the
                # last, and a new `plansign serve` could not bind the port while it lives,
                # nor would connections queued on it ever be answered.
                for listener in self.sockets:
                    listener.close()


# -- no token in a log line -----------------------------------------------------------------


class RedactTokens(logging.Filter):
    """Replaces a signing link's token (``/s/<token>``) and any ``token=`` query value in
    a log record's message: gunicorn names a request's URI when it fails to handle it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = tokenpaths.redacted(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# -- the server -----------------------------------------------------------------------------


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn over ``app_factory``, which each worker process calls once, after the
    fork, for its app and what stops what the app made (``close``, run as the worker
    exits)."""

    def __init__(self, app_factory: Callable[[], tuple[WSGIApp, Callable[[], None]]],
                 options: ServeOptions) -> None:
        self.app_factory = app_factory
        self.options = options
        self.closers: list[Callable[[], None]] = []
        super().__init__()

    def load_config(self) -> None:
        options = self.options
        worker_class = type("PlansignWorker", (BufferingThreadWorker,), {
            "channel_timeout": options.channel_timeout, "max_body": options.max_body,
            # Made here, in the master, before it forks: the workers share it.
            "shares": ConnectionShares()
            if options.balance_connections and options.workers > 1 else None})
        settings: dict[str, Any] = {
            "bind": [f"{options.host}:{options.port}"],
            "workers": options.workers,
            "worker_class": worker_class,
            "threads": options.threads,
            # Per worker: connections being read or kept alive count, so slow clients
            # fill these, not threads.
            "worker_connections": max(options.threads + 1,
                                      math.ceil(options.connection_limit / options.workers)),
            "keepalive": options.channel_timeout,
            "backlog": options.backlog,
            # The worker's main loop tells the master it lives about once a second, with
            # requests running or not: this only catches a stuck loop.
            "timeout": 60,
            "graceful_timeout": options.graceful_timeout,
            "preload_app": False,  # each worker builds its own app after the fork
            "accesslog": None,  # never a log line with a signing link in it
            "errorlog": "-",
            "loglevel": "info",
            "proc_name": "plansign-serve",
            "http_parser": "python",  # the worker feeds it the bytes it read
            # Heads of up to MAX_HEAD (64 KiB, checked as they are read), with request
            # lines and fields of any length within it: gunicorn's 4 KiB line answered a
            # long query string with an HTML 414 the API never documents.
            "limit_request_line": 0,
            "limit_request_fields": 1000,
            "limit_request_field_size": MAX_HEAD,
            "control_socket_disable": True,  # no socket in $HOME
            "post_fork": _die_with_the_master,
            "worker_exit": self._worker_exit,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)
        errors = logging.getLogger("gunicorn.error")
        if not any(isinstance(f, RedactTokens) for f in errors.filters):
            errors.addFilter(RedactTokens())

    def load(self) -> WSGIApp:
        app, close = self.app_factory()
        self.closers.append(close)
        if self.options.switch_interval_us:
            sys.setswitchinterval(self.options.switch_interval_us / 1e6)
        if self.options.gc_freeze:
            # The app, its templates, engine and caches live as long as the worker: a
            # full collection (every few seconds under load) walked them all, holding
            # the GIL, in the middle of someone's request.
            gc.collect()
            gc.freeze()
        return app

    def _worker_exit(self, _arbiter: Any, worker: Any) -> None:
        if getattr(worker, "shares", None) is not None:
            worker.shares.release(worker.share_slot)
        while self.closers:
            self.closers.pop()()


def _die_with_the_master(arbiter: Any, _worker: Any) -> None:
    """In a new worker: SIGTERM (a clean stop: requests finished, LibreOffice stopped)
    when the master dies, killed or not. gunicorn's own check notices a second later,
    while the worker keeps accepting on the port a new master then cannot bind."""
    stop_with_the_master = parent_death_signal(signal.SIGTERM)
    if stop_with_the_master is None:  # not Linux: gunicorn's check is left
        return
    stop_with_the_master()
    if os.getppid() != arbiter.pid:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def serve(app_factory: Callable[[], tuple[WSGIApp, Callable[[], None]]],
          options: ServeOptions) -> None:
    """Serve until SIGTERM or SIGINT (the workers finish their requests first, up to
    ``graceful_timeout`` seconds); exits the process."""
    Server(app_factory, options).run()
