"""A real OpenID Connect provider on 127.0.0.1 for the console's single sign-on tests
(``oidc-provider-mock``: Authlib's authorization server with discovery, JWKS, signed ID
tokens and a one-click sign-in form), and what a person does at it.

Reusable by any test, browser tests included::

    from tests.console.oidc_provider import oidc_provider  # noqa: F401  (the fixture)

    def test_x(oidc_provider):
        oidc_provider.set_user("dana", {"email": "dana@example.com", "groups": ["hr"]})
        settings = oidc_provider.settings(roles="hr=hr")   # console_oidc_* for create_app
        ...
        callback = oidc_provider.sign_in(authorize_url, "dana")  # the URL it sends back to

In a browser, the provider's page at the authorization URL has a "sub" field and an
"Authorize" button: type the subject and press it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import oidc_provider_mock
import pytest
import requests
from werkzeug.serving import make_server

CLIENT_ID = "plansign-console"
CLIENT_SECRET = "provider-test-secret"


@dataclass
class Provider:
    issuer: str  # http://127.0.0.1:<port>, as its discovery document says

    def settings(self, *, roles: str = "plansign-hr=hr; plansign-managers=manager",
                 create_people: bool = True, provider_name: str = "Test Provider",
                 **others: Any) -> dict[str, Any]:
        """The console's single sign-on settings for this provider, for ``create_app``."""
        return {"console_oidc_issuer": self.issuer, "console_oidc_client_id": CLIENT_ID,
                "console_oidc_client_secret": CLIENT_SECRET,
                "console_oidc_provider_name": provider_name, "console_oidc_roles": roles,
                "console_oidc_create_people": create_people, **others}

    def set_user(self, subject: str, claims: dict[str, Any]) -> None:
        """The claims the provider vouches for about ``subject`` from now on."""
        answer = requests.put(f"{self.issuer}/users/{subject}", json=claims, timeout=10)
        answer.raise_for_status()

    def sign_in(self, authorize_url: str, subject: str, *, deny: bool = False) -> str:
        """Sign in at the provider as ``subject`` (or refuse to, ``deny``), as a person
        would on its page: returns the URL it sends the browser back to."""
        assert authorize_url.startswith(self.issuer + "/"), authorize_url
        answer = requests.post(authorize_url, data={"action": "deny"} if deny
                               else {"sub": subject}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider, served on a free port of 127.0.0.1 in a thread, until the end."""
    app = oidc_provider_mock.app(require_nonce=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider
