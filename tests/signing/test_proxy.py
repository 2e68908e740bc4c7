"""Behind a load balancer (``proxy_count``): the signer's address in the audit trail is
the client's, from the trusted proxy's X-Forwarded-For, and a client cannot forge it."""

from __future__ import annotations

import pytest

from signing.domain import envelopes as svc
from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.signer_pages import csrf, open_plan


def acknowledging_ip(tmp_path, database_url, proxy_count: int, forwarded: str) -> str:
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "proxy_count": proxy_count})
    client, sessions = app.test_client(), services_of(app).sessions
    envelope_id, _, page = open_plan(app, client, sessions)
    response = client.post("/sign/acknowledge", headers={"X-Forwarded-For": forwarded},
                           data={"csrf_token": csrf(page), "typed_name": "Alex Sample",
                                 "consent": "on"})
    assert response.status_code == 303
    with sessions() as session:
        return next(r.ip for r in svc.audit_trail(session, envelope_id)
                    if r.type == "signer.acknowledged")


@pytest.mark.parametrize(("proxies", "forwarded", "recorded"), [
    (0, "203.0.113.9", "127.0.0.1"),                # no proxy trusted: the header is ignored
    (1, "203.0.113.9", "203.0.113.9"),              # the balancer's word for the client
    (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged first entry is not believed
])
def test_the_client_address_behind_a_proxy(tmp_path, database_url, proxies, forwarded,
                                            recorded):
    assert acknowledging_ip(tmp_path, database_url, proxies, forwarded) == recorded
