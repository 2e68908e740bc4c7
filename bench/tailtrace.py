"""Where a served request's time goes, request by request: run `plansign serve` (or the
floor app) under this module, and each worker writes one line per request to
``$TAILTRACE_DIR/<pid>.jsonl`` as it exits.

A diagnostic for bench_page_tail.py, not part of the product: it patches the server's
worker class and Flask in the master before the workers fork, so the code measured is
the product's own. For each request (times in ms, relative to the moment the worker's
main loop saw the connection readable):

- ``read``: the main loop reading the request whole, until it is handed to the pool;
- ``queue``: waiting in the thread pool's queue for a free thread;
- ``pre``: in the thread, before the app (gunicorn's parser, the environ);
- ``open``: the app until Flask's ``request_started`` (the session cookie opened);
- ``before``: ``before_request`` hooks (rate limit, the signer's words);
- ``view``: the view function, of which ``db_connect`` (a pooled connection handed
  out, pool wait included), ``db_exec`` (the statements, round trips included) and
  ``render`` (Jinja);
- ``after``: the response's processing (the session cookie saved, headers);
- ``write``: the response written and the thread done;
- ``finish``: from the thread done until the main loop put the connection back in
  its poller (the next request on it waits for this), or, since a thread carries on
  with a kept-alive connection itself (``_carry_on``), until it did (queued the next
  request, seen by the thread: its ``wake``, or put the connection in the poller);
- ``cpu``: the thread's own CPU from the app's start to its end; ``app`` minus ``cpu``
  minus ``db_exec`` is time the thread was runnable but waited, mostly for the GIL;
- ``rl_wait``, ``rl_hold``: the rate limiter's counts file, waiting for its lock and
  holding it;
- ``gc``: garbage collection pauses in the process that overlapped the request.

Usage: ``python bench/tailtrace.py serve|floor ARGS...``: ``serve`` runs
``plansign serve ARGS``, ``floor`` runs ``bench/webapps.py floor ARGS``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

# The checkout whose code is traced (TAILTRACE_ROOT: a baseline's), this one by default.
ROOT = Path(os.environ.get("TAILTRACE_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

now = time.perf_counter
_local = threading.local()
_records: list[dict[str, float]] = []
_gc_pauses: list[tuple[float, float, int]] = []  # start, end, generation
_gc_started = [0.0]


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[0] = now()
    else:
        _gc_pauses.append((_gc_started[0], now(), info["generation"]))


def _dump() -> None:
    folder = os.environ.get("TAILTRACE_DIR")
    if not folder or not _records:
        return
    path = Path(folder) / f"{os.getpid()}.jsonl"
    with path.open("w") as out:
        for record in _records:
            out.write(json.dumps(record) + "\n")
        out.write(json.dumps({"gc": _gc_pauses}) + "\n")


def _mark(name: str) -> None:
    record = getattr(_local, "record", None)
    if record is not None:
        record[name] = now()


def install() -> None:
    from flask import Flask, request_started, template_rendered
    from flask.templating import before_render_template
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from signing.web import server

    worker = server.BufferingThreadWorker
    enqueue, hand_over, handle, run = (worker.enqueue_req, worker._hand_over, worker.handle,
                                       worker.run)
    finish = server.ThreadWorker.finish_request

    def traced_enqueue(self: Any, conn: Any) -> None:
        if getattr(conn, "plansign_whole", None) is None and not hasattr(conn, "tt"):
            conn.tt = {"wake": now()}
        enqueue(self, conn)

    def traced_hand_over(self: Any, conn: Any, request: bytes) -> None:
        if hasattr(conn, "tt"):
            conn.tt["submit"] = now()
        hand_over(self, conn, request)

    def traced_handle(self: Any, conn: Any) -> Any:
        record = getattr(conn, "tt", None)
        if record is None:
            return handle(self, conn)
        record["start"] = now()
        _local.record = record
        try:
            return handle(self, conn)
        finally:
            record.setdefault("end", now())  # set already where the thread carried on
            _local.record = None

    def traced_finish(self: Any, conn: Any, fs: Any) -> None:
        record = getattr(conn, "tt", None)
        finish(self, conn, fs)
        if record is not None and "end" in record:
            record["finish"] = now()
            _records.append(record)
            del conn.tt

    def traced_run(self: Any) -> None:
        gc.callbacks.append(_gc_callback)
        try:
            run(self)
        finally:
            _dump()

    worker.enqueue_req, worker._hand_over, worker.handle = (traced_enqueue, traced_hand_over,
                                                            traced_handle)
    carry_on = getattr(worker, "_carry_on", None)
    if carry_on is not None:  # a thread carries on with a kept-alive connection itself
        queue_next = worker._queue_next

        def traced_carry_on(self: Any, conn: Any) -> bool:
            record = conn.__dict__.pop("tt", None)  # the request just answered
            if record is not None:
                record["end"] = now()
            carried = carry_on(self, conn)
            if record is not None and carried:  # the connection needs no main-loop turn
                record["finish"] = now()
                _records.append(record)
            elif record is not None:
                conn.tt = record  # for gunicorn's finish_request, as before
            return bool(carried)

        def traced_queue_next(self: Any, conn: Any, size: int) -> bool:
            # The next request, seen by the thread rather than by the main loop's poller.
            started = now()
            conn.tt = {"wake": started, "submit": started}
            queued = queue_next(self, conn, size)
            if not queued:
                conn.__dict__.pop("tt", None)
            return bool(queued)

        worker._carry_on, worker._queue_next = traced_carry_on, traced_queue_next
    worker.run = traced_run
    server.ThreadWorker.finish_request = traced_finish

    wsgi_app = Flask.wsgi_app

    def traced_wsgi_app(self: Any, environ: Any, start_response: Any) -> Any:
        record = getattr(_local, "record", None)
        if record is None:
            return wsgi_app(self, environ, start_response)
        record["app0"], record["cpu0"] = now(), time.thread_time()
        record["path"] = environ.get("PATH_INFO", "")
        try:
            return wsgi_app(self, environ, start_response)
        finally:
            record["app1"], record["cpu1"] = now(), time.thread_time()

    Flask.wsgi_app = traced_wsgi_app
    preprocess, dispatch = Flask.preprocess_request, Flask.dispatch_request

    def traced_preprocess(self: Any) -> Any:
        _mark("before0")
        try:
            return preprocess(self)
        finally:
            _mark("before1")

    def traced_dispatch(self: Any) -> Any:
        _mark("view0")
        try:
            return dispatch(self)
        finally:
            _mark("view1")

    Flask.preprocess_request, Flask.dispatch_request = traced_preprocess, traced_dispatch
    request_started.connect(lambda *_a, **_k: _mark("opened"), weak=False)
    before_render_template.connect(lambda *_a, **_k: _mark("render0"), weak=False)
    template_rendered.connect(lambda *_a, **_k: _mark("render1"), weak=False)

    def add(name: str, started: float) -> None:
        record = getattr(_local, "record", None)
        if record is not None:
            record[name] = record.get(name, 0.0) + now() - started

    connect = Engine.connect

    def traced_connect(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = now()
        try:
            return connect(self, *args, **kwargs)
        finally:
            add("db_connect", started)

    Engine.connect = traced_connect

    from signing.web.ratecounts import FileStorage

    lock_enter, lock_exit = FileStorage._Lock.__enter__, FileStorage._Lock.__exit__

    def traced_lock_enter(self: Any) -> None:
        started = now()
        lock_enter(self)
        record = getattr(_local, "record", None)
        if record is not None:
            record["rl_wait"] = record.get("rl_wait", 0.0) + now() - started
            record["rl_held"] = now()

    def traced_lock_exit(self: Any, *exc: object) -> None:
        record = getattr(_local, "record", None)
        if record is not None and "rl_held" in record:
            record["rl_hold"] = record.get("rl_hold", 0.0) + now() - record.pop("rl_held")
        lock_exit(self, *exc)

    FileStorage._Lock.__enter__, FileStorage._Lock.__exit__ = traced_lock_enter, traced_lock_exit

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, *_args: Any) -> None:
        conn.info["tt_exec"] = now()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, *_args: Any) -> None:
        add("db_exec", conn.info.pop("tt_exec", now()))


def main() -> None:
    what, args = sys.argv[1], sys.argv[2:]
    install()
    if what == "serve":
        from signing.cli import main as cli

        sys.argv = ["plansign", "serve", *args]
        cli()
    else:
        sys.argv = ["webapps.py", "floor", *args]
        import runpy

        runpy.run_path(str(ROOT / "bench" / "webapps.py"), run_name="__main__")


if __name__ == "__main__":
    main()
