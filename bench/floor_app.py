"""The floor app: the least a signer's page can do, as a yardstick for the real one.

Flask with the same kind of session cookie (signed, HttpOnly, SameSite=Lax), Flask-WTF's
CSRF token in a form, one primary-key ``SELECT`` through SQLAlchemy Core on the same
kind of database, and a small Jinja template. A bare "hello" is no fair ceiling for a
page that must check a session, a CSRF token and a row; this is.

``create_floor_app(database_url)`` makes the table and a few rows and returns the app:
``GET /enter/<n>`` starts a session for row ``n`` (the token exchange's counterpart),
``GET /`` shows that row with a form (the page's), ``POST /`` checks the form's CSRF
token (the acknowledgement's, without its write). Used in-process by
``bench_sign_page_cpu.py``; the app is a WSGI app any server can serve.
"""

from __future__ import annotations

from flask import Flask, abort, redirect, render_template, session
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, select
from werkzeug.wrappers import Response as BaseResponse

ROWS = 1000
_metadata = MetaData()
_people = Table("people", _metadata, Column("id", Integer, primary_key=True),
                Column("name", String(200)), Column("state", String(20)))
_BY_ID = select(_people.c.name, _people.c.state).where(_people.c.id == bindparam("id"))

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plan for {{ name }}</title></head>
<body><main><h1>{{ name }}</h1><p>State: {{ state }}</p>
<form method="post" action="/"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<label for="typed_name">Type your full name</label><input id="typed_name" name="typed_name">
<button type="submit">Acknowledge</button></form></main></body></html>
"""


def create_floor_app(database_url: str) -> Flask:
    engine = create_engine(database_url)
    _metadata.create_all(engine)
    with engine.begin() as conn:
        if conn.execute(select(_people.c.id).limit(1)).first() is None:
            conn.execute(_people.insert(), [{"id": i, "name": f"Person {i}", "state": "sent"}
                                            for i in range(ROWS)])
    app = Flask("floor")
    app.config.update(SECRET_KEY="floor" * 8, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None)
    app.jinja_loader = DictLoader({"page.html": _PAGE})  # compiled once, as files are
    CSRFProtect(app)

    @app.get("/enter/<int:person>")
    def enter(person: int) -> BaseResponse:
        session.clear()
        session["person"] = person
        return redirect("/", 303)

    @app.get("/")
    def page() -> str:
        with engine.connect() as conn:
            row = conn.execute(_BY_ID, {"id": session.get("person", -1)}).first()
        if row is None:
            abort(403)
        return render_template("page.html", name=row.name, state=row.state)

    @app.post("/")
    def act() -> BaseResponse:  # CSRFProtect has checked the token by now
        with engine.connect() as conn:
            row = conn.execute(_BY_ID, {"id": session.get("person", -1)}).first()
        if row is None:
            abort(403)
        return redirect("/", 303)

    return app
