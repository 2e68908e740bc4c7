"""The benchmark's reference apps, served by the same server, processes and threads as
`plansign serve` (run as a script by bench_signing_service.py):

- **hello**: ``GET /`` of a Flask app that returns "hello": the server's and Flask's
  own ceiling;
- **floor**: what any signer's page must do at least, in Flask: the same session cookie
  (Flask's, signed with itsdangerous, permanent and refreshed on every request, as
  plansign's), a CSRF token (Flask-WTF), one primary-key ``SELECT`` through SQLAlchemy
  Core on plansign's engine set-up, and a small Jinja template with a form.
  ``GET /floor/start/<id>`` starts a session for row ``id`` (303); ``GET /floor`` is the
  page.

Usage: ``python bench/webapps.py hello|floor --port P --server gunicorn|waitress
--workers W --threads T [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ row.title }}</title>
<link rel="stylesheet" href="/static/sign.css"></head>
<body><main>
<h1>{{ row.title }}</h1>
<p>Hello {{ row.name }}, please read the plan below and acknowledge it.</p>
<section>{% for paragraph in row.body.split("\\n") %}<p>{{ paragraph }}</p>{% endfor %}</section>
<form method="post" action="/floor/acknowledge">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<label>Your full name <input name="typed_name" autocomplete="name"></label>
<label><input type="checkbox" name="consent"> I agree to sign electronically</label>
<button>Acknowledge</button>
</form></main></body></html>
"""


def hello_app() -> Any:
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello() -> str:
        return "hello"

    return app


def floor_app(database_url: str) -> Any:
    from flask import Flask, abort, redirect, render_template, session
    from flask_wtf.csrf import CSRFProtect, generate_csrf
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text, bindparam, select

    from database import make_engine

    metadata = MetaData()
    rows = Table("bench_floor", metadata, Column("id", Integer, primary_key=True),
                 Column("name", String(200)), Column("title", String(200)), Column("body", Text))
    engine = make_engine(database_url)
    by_id = select(rows.c.name, rows.c.title, rows.c.body).where(rows.c.id == bindparam("id"))
    app = Flask("floor")
    app.config.update(SECRET_KEY="f" * 64, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=2 * 3600,
                      WTF_CSRF_TIME_LIMIT=None)
    CSRFProtect(app)
    template = app.jinja_env.from_string(PAGE)  # compiled once, as a template file is

    @app.get("/floor/start/<int:row_id>")
    def start(row_id: int) -> Any:
        session.clear()
        session.permanent = True
        session["row"] = row_id
        generate_csrf()
        return redirect("/floor", 303)

    @app.get("/floor")
    def page() -> Any:
        row_id = session.get("row")
        if row_id is None:
            abort(403)
        with engine.connect() as connection:
            row = connection.execute(by_id, {"id": row_id}).one_or_none()
        if row is None:
            abort(404)
        return render_template(template, row=row)

    return app


def make_floor_rows(database_url: str, count: int) -> None:
    """The floor app's table, ``count`` rows of about a plan page's text."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

    from database import make_engine

    metadata = MetaData()
    rows = Table("bench_floor", metadata, Column("id", Integer, primary_key=True),
                 Column("name", String(200)), Column("title", String(200)), Column("body", Text))
    engine = make_engine(database_url)
    metadata.create_all(engine)
    body = "\n".join(f"Goal {n}: answer 90% of tickets within one working day, measured "
                     "weekly from the helpdesk report." for n in range(8))
    with engine.begin() as connection:
        connection.execute(insert(rows), [
            {"id": i, "name": f"Signer {i}", "title": "Performance Improvement Plan",
             "body": body} for i in range(count)])
    engine.dispose()


def serve(factory: Callable[[], Any], args: argparse.Namespace) -> None:
    if args.server == "waitress":
        import waitress

        waitress.serve(factory(), host="127.0.0.1", port=args.port, threads=args.threads,
                       _quiet=True)
        return
    from signing.web.server import ServeOptions
    from signing.web.server import serve as gunicorn_serve

    def built() -> tuple[Any, Callable[[], None]]:
        return factory(), lambda: None

    gunicorn_serve(built, ServeOptions(
        host="127.0.0.1", port=args.port, workers=args.workers, threads=args.threads,
        connection_limit=1000, channel_timeout=30, backlog=2048, max_body=512 * 1024,
        switch_interval_us=args.switch_interval_us, gc_freeze=args.gc_freeze,
        balance_connections=args.balance))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=["hello", "floor"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", choices=["gunicorn", "waitress"], required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--switch-interval-us", type=int, default=0,
                        help="as plansign's serve_switch_interval_us")
    parser.add_argument("--no-balance", dest="balance", action="store_false",
                        help="as plansign's serve_balance_connections off")
    parser.add_argument("--no-gc-freeze", dest="gc_freeze", action="store_false",
                        help="as plansign's serve_gc_freeze off")
    args = parser.parse_args()
    if args.app == "hello":
        serve(hello_app, args)
    else:
        serve(lambda: floor_app(args.database_url), args)


if __name__ == "__main__":
    main()
