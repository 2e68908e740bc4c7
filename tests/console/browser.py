"""What the console's browser tests share: the app served on 127.0.0.1 in a thread, and
signing in through the form as a person does. (axe, screenshots and the focus walk are
the signer pages' :func:`tests.signing.test_signer_a11y.check_state`.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from signing.web.app import create_app
from tests.console.conftest import PASSWORD


def browser_app(folder: Path, **settings: Any) -> Flask:
    """An app on a SQLite file in ``folder`` for a browser test's module, with the
    signer pages' rate limits off (a test opens more pages a minute than a person) and
    ``settings`` on top."""
    return create_app({"instance_path": str(folder / "instance"),
                       "database_url": f"sqlite:///{folder / 'plansign.db'}",
                       "secret_keys": "k" * 40, "base_url": "http://127.0.0.1",
                       "rate_limit_signer": "", "rate_limit_signer_strict": "",
                       **settings})


@contextmanager
def serving(app) -> Iterator[str]:
    """``app`` on a free port of 127.0.0.1, in a thread; yields its base URL."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()
        thread.join()


def sign_in(page: Page, base: str, username: str, *, password: str = PASSWORD,
            signed_in: bool = True) -> None:
    """Sign in with the form (after clearing the browser's cookies); with ``signed_in``,
    wait until the page shows the person signed in."""
    page.context.clear_cookies()
    page.goto(f"{base}/console/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if signed_in:
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
