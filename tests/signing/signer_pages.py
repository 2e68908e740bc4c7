"""A signer at the web pages, for the tests that drive them through Flask's test client:
the sample plan sent, its link opened, the CSRF token read from the page, an action
posted. The ``signer`` fixture (tests/conftest.py) gives a :class:`SignerPages`, as
Flask's tutorial gives ``auth``."""

from __future__ import annotations

import datetime as dt
import re

from docgen import sample_plan
from signing.domain import envelopes as svc
from signing.domain import workflow as wf
from signing.domain.models import SignerRow
from signing.web.current import services_of

HR = svc.Actor("hr:test")


def send_plan(sessions) -> tuple[str, str]:
    """The sample plan sent to its employee: (envelope id, signer id)."""
    plan = sample_plan()
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=b"%PDF-1.7 the plan",
            signers=[svc.SignerSpec(wf.Role.EMPLOYEE, plan.employee.name, plan.employee.email,
                                    1)], actor=HR, now=now)
        svc.perform(session, envelope_id, "send", actor=HR, now=now,
                    expires_in=dt.timedelta(days=14))
        signer = svc.load(session, envelope_id).signers[0]
        return envelope_id, signer.id


def token_for(app, sessions, signer_id: str) -> str:
    """The signer's link token, as an invitation holds it now."""
    with sessions() as session:
        nonce = session.get(SignerRow, signer_id).nonce
    return services_of(app).links.sign(signer_id, nonce)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def open_plan(app, client, sessions) -> tuple[str, str, str]:
    """The sample plan sent and its link opened in ``client``: (envelope id, signer id,
    the plan page)."""
    envelope_id, signer_id = send_plan(sessions)
    response = client.get(f"/s/{token_for(app, sessions, signer_id)}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign"  # the token leaves the URL
    page = client.get("/sign").get_data(as_text=True)
    return envelope_id, signer_id, page


def events(sessions, envelope_id) -> list[str]:
    """The envelope's audit event types, oldest first."""
    with sessions() as session:
        return [r.type for r in svc.audit_trail(session, envelope_id)]


class SignerPages:
    """The employee of the sample plan in one browser (``client``): ``open`` sends the plan,
    opens its link and reads the CSRF token from the plan page; each action posts its form
    with that token and returns the response; ``follow`` reads where a response redirects."""

    def __init__(self, app, client, sessions) -> None:
        self.app, self.client, self.sessions = app, client, sessions
        self.envelope_id = self.signer_id = self.csrf_token = ""

    def open(self) -> str:
        self.envelope_id, self.signer_id, page = open_plan(self.app, self.client, self.sessions)
        self.csrf_token = csrf(page)
        return page

    def post(self, action: str, **fields: str):
        return self.client.post(f"/sign/{action}",
                                data={"csrf_token": self.csrf_token, **fields})

    def acknowledge(self, typed_name: str = "Alex Sample", consent: bool = True, **fields: str):
        return self.post("acknowledge", typed_name=typed_name,
                         **({"consent": "on"} if consent else {}), **fields)

    def refuse(self, **fields: str):
        return self.post("refuse", **fields)

    def comment(self, comment: str, **fields: str):
        return self.post("comment", comment=comment, **fields)

    def follow(self, response) -> str:
        return self.client.get(response.headers["Location"]).get_data(as_text=True)

    def events(self) -> list[str]:
        return events(self.sessions, self.envelope_id)
