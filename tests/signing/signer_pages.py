"""A signer at the web pages, for the tests that drive them through Flask's test client:
the sample plan sent, its link opened, the CSRF token read from the page, an action
posted. The ``signer`` fixture (tests/conftest.py) gives a :class:`SignerPages`, as
Flask's tutorial gives ``auth``.

The plan is sent with the default routing, as ``plansign send`` sends it: the manager
first, then the employee, then HR. :func:`send_plan` has the manager confirm (through
the signing service) so that the employee, whom most tests drive, has been sent it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from docgen import sample_plan
from signing.domain import envelopes as svc
from signing.domain.models import SignerRow
from signing.domain.sending import signer_specs
from signing.domain.wording import consent_for, statement_for
from signing.web.current import services_of

HR = svc.Actor("hr:test")
MANAGER_ZONE = "Europe/Zurich"  # the manager's browser's, not the plan's (Europe/London)


def meeting_time(ago: dt.timedelta, zone: str = MANAGER_ZONE) -> str:
    """A meeting ``ago`` before now, as a ``datetime-local`` input in ``zone`` gives it."""
    local = (dt.datetime.now(dt.UTC) - ago).astimezone(ZoneInfo(zone))
    return local.strftime("%Y-%m-%dT%H:%M")


def send_plan(sessions, *, manager_confirms: bool = True,
              language: str | None = None) -> tuple[str, str]:
    """The sample plan sent with the default routing (manager, employee, HR), and, unless
    ``manager_confirms`` is false, confirmed by the manager, so the employee has been
    sent it: (envelope id, the employee's signer id). With ``language``, the plan is
    written in it (its signers' pages speak it)."""
    plan = sample_plan()
    now = dt.datetime.now(dt.UTC)
    data = plan.model_dump(mode="json", by_alias=True, exclude_none=True)
    if language is not None:
        data["language"] = language
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=data,
            template="standard", pdf=b"%PDF-1.7 the plan", signers=signer_specs(plan),
            actor=HR, now=now)
        svc.perform(session, envelope_id, "send", actor=HR, now=now,
                    expires_in=dt.timedelta(days=14))
        ids = signer_ids(session, envelope_id)
        if manager_confirms:
            svc.perform(session, envelope_id, "confirm", signer_id=ids["manager"],
                        typed_name=plan.manager.name, consent=True,
                        statement=statement_for("manager"), consent_text=consent_for("manager"),
                        actor=svc.Actor(f"signer:{ids['manager']}"), now=now)
        return envelope_id, ids["employee"]


def signer_ids(session, envelope_id: str) -> dict[str, str]:
    """The envelope's signer ids by role."""
    return {s.role: s.id for s in svc.load(session, envelope_id).signers}


def token_for(app, sessions, signer_id: str) -> str:
    """The signer's link token, as an invitation holds it now."""
    with sessions() as session:
        nonce = session.get(SignerRow, signer_id).nonce
    return services_of(app).links.sign(signer_id, nonce)


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def open_plan(app, client, sessions) -> tuple[str, str, str]:
    """The sample plan sent, the manager confirming, and the employee's link opened in
    ``client``: (envelope id, the employee's signer id, the plan page)."""
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
    """A signer of the sample plan in one browser (``client``): ``open`` sends the plan,
    opens the employee's link and reads the CSRF token from the plan page; ``open_as``
    opens another signer's link of the same envelope; each action posts its form with
    that token and returns the response; ``follow`` reads where a response redirects."""

    def __init__(self, app, client, sessions) -> None:
        self.app, self.client, self.sessions = app, client, sessions
        self.envelope_id = self.signer_id = self.csrf_token = ""

    def open(self, *, language: str | None = None) -> str:
        """The plan sent (in ``language``, if given), the manager confirming, and the
        employee's link opened."""
        self.send(language=language)
        return self.open_as("employee")

    def send(self, *, manager_confirms: bool = True, language: str | None = None) -> None:
        """The plan sent (see :func:`send_plan`); nothing opened yet."""
        self.envelope_id, _ = send_plan(self.sessions, manager_confirms=manager_confirms,
                                        language=language)

    def open_as(self, role: str) -> str:
        """This browser, now as the ``role`` signer of the same envelope."""
        with self.sessions() as session:
            self.signer_id = signer_ids(session, self.envelope_id)[role]
        response = self.client.get(f"/s/{token_for(self.app, self.sessions, self.signer_id)}")
        assert response.status_code == 303, response.get_data(as_text=True)
        page = self.client.get("/sign").get_data(as_text=True)
        self.csrf_token = csrf(page)
        return page

    def another(self) -> SignerPages:
        """Another browser on the same envelope (``open_as`` it)."""
        other = SignerPages(self.app, self.app.test_client(), self.sessions)
        other.envelope_id = self.envelope_id
        return other

    def post(self, action: str, **fields: str):
        return self.client.post(f"/sign/{action}",
                                data={"csrf_token": self.csrf_token, **fields})

    def acknowledge(self, typed_name: str = "Alex Sample", consent: bool = True, **fields: str):
        return self.post("acknowledge", typed_name=typed_name,
                         **({"consent": "on"} if consent else {}), **fields)

    def refuse(self, confirm_refusal: bool = True, **fields: str):
        return self.post("refuse", **({"confirm_refusal": "on"} if confirm_refusal else {}),
                         **fields)

    def confirm(self, typed_name: str, consent: bool = True, **fields: str):
        return self.post("confirm", typed_name=typed_name,
                         **({"consent": "on"} if consent else {}), **fields)

    def decline(self, reason: str, **fields: str):
        return self.post("decline", reason=reason, **fields)

    def record_refusal(self, witness: str, confirm_record: bool = True, **fields: str):
        """Records the employee's refusal; the meeting was an hour ago, in the manager's
        zone (Europe/Zurich), unless ``fields`` say otherwise."""
        fields = {"meeting_at": meeting_time(dt.timedelta(hours=1)),
                  "timezone": MANAGER_ZONE, **fields}
        return self.post("record_refusal", witness=witness,
                         **({"confirm_record": "on"} if confirm_record else {}), **fields)

    def comment(self, comment: str, **fields: str):
        return self.post("comment", comment=comment, **fields)

    def follow(self, response) -> str:
        return self.client.get(response.headers["Location"]).get_data(as_text=True)

    def events(self) -> list[str]:
        return events(self.sessions, self.envelope_id)
