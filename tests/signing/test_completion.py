"""What the final record says, read from an audit trail: who caused each event, whose
IP address and browser are shown, the signer's time zone, confirmations and refusals.

Pure: audit records built as the service writes them, in; a Completion out.
"""

from __future__ import annotations

import datetime as dt

import pytest

from docgen import plan_from_data
from docgen.stamp import DocumentKind, SealFacts
from docgen.stamp.model import AMENDMENT, OUTCOME_LETTER
from signing.domain import audit
from signing.domain.completion import KeyFacts, SignerFacts, completion_of
from signing.domain.events import EventType
from signing.domain.wording import CONSENT, consent_for
from signing.domain.workflow import Event

UTC = dt.UTC
T0 = dt.datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
MANAGER_IP, MANAGER_UA = "198.51.100.23", "Mozilla/5.0 (Macintosh) Safari/17.6"
EMPLOYEE_IP, EMPLOYEE_UA = "203.0.113.7", "Mozilla/5.0 (Windows NT 10.0) Chrome/131"
KEY = "apikey:psk_ab12cd34"

MANAGER = SignerFacts("m1", "manager", "Priya Raman", "priya@example.com", "acknowledged",
                      T0 + dt.timedelta(hours=1))
EMPLOYEE = SignerFacts("e1", "employee", "Léa Brändli", "lea@example.com", "acknowledged",
                       dt.datetime(2026, 12, 6, 3, 2, tzinfo=UTC))


class Trail:
    """An envelope's audit trail, appended to as the service does."""

    def __init__(self) -> None:
        self.records: list[audit.AuditRecord] = []

    def add(self, type_: str, at: dt.datetime, actor: str, *, signer: str | None = None,
            ip: str | None = None, ua: str | None = None, **data: object) -> None:
        previous = self.records[-1] if self.records else None
        self.records.append(audit.append(previous, Event(type_, signer, dict(data)),
                                         envelope_id="env1", at=at, actor=actor, ip=ip,
                                         user_agent=ua, document_sha256="a" * 64))


def routed_manager_first(*, reminded_by: str = "worker", **employee_data: object) -> Trail:
    """HR sends by API key; the manager signs first, from their own browser, and that
    makes plansign send the plan to the employee, who then signs from theirs."""
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY, ip="192.0.2.1", ua="curl/8")
    t.add(EventType.SIGNER_NOTIFIED, T0, KEY, signer="m1", ip="192.0.2.1", ua="curl/8")
    t.add(EventType.EMAIL_DELIVERED, T0 + dt.timedelta(seconds=30), "sendgrid", signer="m1",
          ip="167.89.0.1")
    t.add(EventType.SIGNER_VIEWED, T0 + dt.timedelta(minutes=50), "signer:m1", signer="m1",
          ip=MANAGER_IP, ua=MANAGER_UA)
    signed = T0 + dt.timedelta(hours=1)
    t.add(EventType.SIGNER_ACKNOWLEDGED, signed, "signer:m1", signer="m1", ip=MANAGER_IP,
          ua=MANAGER_UA, typed_name="Priya Raman", statement="I confirm...")
    # Recorded in the manager's request: the manager's address is on this record.
    t.add(EventType.SIGNER_NOTIFIED, signed, "signer:m1", signer="e1", ip=MANAGER_IP,
          ua=MANAGER_UA)
    t.add(EventType.SIGNER_REMINDED, signed + dt.timedelta(days=1), reminded_by, signer="e1")
    t.add(EventType.SIGNER_DOCUMENT_OPENED, EMPLOYEE.decided_at - dt.timedelta(minutes=9),
          "signer:e1", signer="e1", ip=EMPLOYEE_IP, ua=EMPLOYEE_UA, download=False)
    t.add(EventType.SIGNER_DOCUMENT_OPENED, EMPLOYEE.decided_at - dt.timedelta(minutes=8),
          "signer:e1", signer="e1", ip=EMPLOYEE_IP, ua=EMPLOYEE_UA, download=True)
    t.add(EventType.SIGNER_ACKNOWLEDGED, EMPLOYEE.decided_at, "signer:e1", signer="e1",
          ip=EMPLOYEE_IP, ua=EMPLOYEE_UA, typed_name="Lea Braendli", statement="I have...",
          **employee_data)
    t.add(EventType.ENVELOPE_COMPLETED, EMPLOYEE.decided_at, "signer:e1", ip=EMPLOYEE_IP,
          ua=EMPLOYEE_UA)
    return t


def complete(trail: Trail, plan_data, signers=(MANAGER, EMPLOYEE), **kwargs):
    return completion_of(envelope_id="env1", document_sha256="a" * 64, signers=signers,
                         trail=trail.records, plan=plan_from_data(plan_data),
                         company="Acme", **kwargs)


def rows(completion, role: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    signer = next(s for s in completion.signers if s.role == role)
    return {e.what: (e.actor, e.ip, e.user_agent) for e in signer.events}


def test_a_routed_employees_sent_row_is_plansigns_act_not_the_managers_address(plan_data):
    employee = rows(complete(routed_manager_first(), plan_data), "employee")
    assert employee["sent"] == ("plansign (system)", None, None)
    assert employee["reminded"] == ("plansign (system)", None, None)
    assert employee["acknowledged"] == ("Léa Brändli (employee)", EMPLOYEE_IP, EMPLOYEE_UA)


def test_each_event_names_who_caused_it(plan_data):
    completion = complete(routed_manager_first(), plan_data,
                          keys={KEY: KeyFacts("Payroll sync", "hr")})
    manager = rows(completion, "manager")
    assert manager["sent"] == ("HR key “Payroll sync” (psk_ab12cd34)", None, None)
    assert manager["email delivered"] == ("SendGrid (email provider)", None, None)
    assert manager["viewed"] == ("Priya Raman (manager)", MANAGER_IP, MANAGER_UA)
    # A key the database no longer knows is still named by its prefix.
    unnamed = rows(complete(routed_manager_first(), plan_data), "manager")
    assert unnamed["sent"][0] == "API key psk_ab12cd34"


@pytest.mark.parametrize("language,named,unnamed", [
    ("en", "Dana Whitfield (plansign console, user dana)", "plansign console (user dana)"),
    ("ar", "Dana Whitfield (وحدة تحكم plansign، المستخدم dana)",
     "وحدة تحكم plansign (المستخدم dana)"),
])
def test_a_console_persons_act_names_them_never_the_trails_actor_id(plan_data, language,
                                                                   named, unnamed):
    """HR reminding the employee from the console: the certificate says who, by name
    and username, in the record's language; "person:dana" is the trail's, not a reader's."""
    trail = routed_manager_first(reminded_by="person:dana")
    data = {**plan_data, "language": language}
    by_name = complete(trail, data, people={"person:dana": "Dana Whitfield"})
    employee = next(s for s in by_name.signers if s.role == "employee")
    actors = {e.actor for e in employee.events}
    assert named in actors and not any("person:" in (a or "") for a in actors)
    # A person the database no longer knows is still named by their username.
    gone = next(s for s in complete(trail, data).signers if s.role == "employee")
    assert unnamed in {e.actor for e in gone.events}


def test_opening_and_downloading_the_pdf_are_lines_of_their_own(plan_data):
    employee = rows(complete(routed_manager_first(), plan_data), "employee")
    assert employee["opened the full plan (PDF)"] == ("Léa Brändli (employee)", EMPLOYEE_IP,
                                                      EMPLOYEE_UA)
    assert employee["downloaded the plan (PDF)"][0] == "Léa Brändli (employee)"


def test_the_signers_own_time_zone_comes_from_their_signature(plan_data):
    completion = complete(routed_manager_first(timezone="America/Chicago"), plan_data)
    zones = {s.role: s.timezone for s in completion.signers}
    # The manager's browser sent none: the plan's check-in zone.
    assert zones == {"employee": "America/Chicago", "manager": "Europe/London"}


@pytest.mark.parametrize("sent", [None, "Not/AZone", "../../etc/passwd", 7])
def test_a_missing_or_bogus_zone_falls_back_to_the_plans(plan_data, sent):
    data = {} if sent is None else {"timezone": sent}
    completion = complete(routed_manager_first(**data), plan_data)
    assert completion.signers[1].timezone == "Europe/London"
    del plan_data["checkins"]
    assert complete(routed_manager_first(**data), plan_data).signers[1].timezone is None


def test_a_name_that_differs_is_carried_to_the_record(plan_data):
    completion = complete(routed_manager_first(name_differs=True), plan_data)
    assert completion.signers[1].name_differs is True
    assert completion.signers[1].typed_name == "Lea Braendli"
    assert completion.signers[0].name_differs is False


def test_a_confirmation_is_read_like_an_acknowledgement(plan_data):
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY)
    t.add(EventType.SIGNER_NOTIFIED, T0, KEY, signer="m1")
    t.add(EventType.SIGNER_CONFIRMED, T0 + dt.timedelta(hours=1), "signer:m1", signer="m1",
          ip=MANAGER_IP, ua=MANAGER_UA, typed_name="Priya Raman", consent=True,
          statement="I confirm the plan was discussed with the employee.",
          consent_text="Consent as shown.", timezone="Europe/Zurich")
    t.add(EventType.ENVELOPE_COMPLETED, T0 + dt.timedelta(hours=1), "signer:m1")
    manager = SignerFacts("m1", "manager", "Priya Raman", "priya@example.com", "confirmed",
                          T0 + dt.timedelta(hours=1))
    completion = complete(t, plan_data, signers=(manager,))
    (signer,) = completion.signers
    assert (signer.decision, signer.typed_name, signer.timezone) == (
        "confirmed", "Priya Raman", "Europe/Zurich")
    assert signer.statement == "I confirm the plan was discussed with the employee."
    assert signer.consent == "Consent as shown."
    assert rows(completion, "manager")["confirmed"][0] == "Priya Raman (manager)"


def test_a_refusal_recorded_by_the_manager_names_them_with_their_address(plan_data):
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY)
    t.add(EventType.SIGNER_NOTIFIED, T0, KEY, signer="e1")
    t.add(EventType.SIGNER_REFUSED, T0 + dt.timedelta(hours=2), "signer:m1", signer="e1",
          ip=MANAGER_IP, ua=MANAGER_UA, recorded_by="m1", witness="Anna Keller",
          confirmed=True)
    t.add(EventType.ENVELOPE_COMPLETED, T0 + dt.timedelta(hours=2), "signer:m1")
    employee = SignerFacts("e1", "employee", "Léa Brändli", "lea@example.com", "refused",
                           T0 + dt.timedelta(hours=2))
    completion = complete(t, plan_data, signers=(employee, MANAGER))
    assert completion.employee_refused
    assert rows(completion, "employee")["refusal recorded"] == (
        "Priya Raman (manager)", MANAGER_IP, MANAGER_UA)
    assert completion.signers[0].recorded_by == "Priya Raman"


def test_each_signer_carries_the_consent_they_agreed_to(plan_data):
    manager_words = consent_for("manager")
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY)
    t.add(EventType.SIGNER_CONFIRMED, T0 + dt.timedelta(hours=1), "signer:m1", signer="m1",
          typed_name="Priya Raman", consent=True, statement="I confirm...",
          consent_text=manager_words)
    # Signed before consents were kept with each signature: today's employee words.
    t.add(EventType.SIGNER_ACKNOWLEDGED, T0 + dt.timedelta(hours=2), "signer:e1",
          signer="e1", typed_name="Léa Brändli", consent=True, statement="I have...")
    t.add(EventType.ENVELOPE_EXPIRED, T0 + dt.timedelta(days=9), "worker")
    manager = SignerFacts("m1", "manager", "Priya Raman", "p@example.com", "confirmed", T0)
    hr = SignerFacts("h1", "hr", "Sofía Castellanos", "s@example.com", "waiting", None)
    completion = complete(t, plan_data, signers=(manager, EMPLOYEE, hr))
    assert [s.consent for s in completion.signers] == [manager_words, CONSENT, None]
    # The employee's rights (paper instead, withdrawal) are not the manager's words.
    assert "ask HR" not in manager_words and "withdraw" not in manager_words
    assert "in my role as the employee's manager" in manager_words


def test_a_signer_the_plan_never_reached_was_not_asked_and_one_who_was_did_not_respond(
        plan_data):
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY)
    t.add(EventType.SIGNER_NOTIFIED, T0, KEY, signer="e1")
    t.add(EventType.ENVELOPE_EXPIRED, T0 + dt.timedelta(days=9), "worker")
    employee = SignerFacts("e1", "employee", "Léa Brändli", "lea@example.com", "notified",
                           None)
    hr = SignerFacts("h1", "hr", "Sofía Castellanos", "s@example.com", "waiting", None)
    completion = complete(t, plan_data, signers=(employee, hr))
    assert [(s.decision, s.not_asked) for s in completion.signers] == [
        ("no_response", False), ("no_response", True)]
    assert rows(completion, "hr") == {"not asked (never sent the plan)": (
        "plansign (system)", None, None)}


@pytest.mark.parametrize(("meeting_at", "expected"), [
    ("2027-01-12T10:00:00+01:00",
     dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ("2027-01-12T10:00:00", None),  # no offset: not a moment, left out
    ("next Tuesday", None),
    (None, None),
])
def test_a_recorded_refusals_meeting_is_read_when_it_was_recorded(plan_data, meeting_at,
                                                                  expected):
    t = Trail()
    t.add(EventType.ENVELOPE_SENT, T0, KEY)
    data = {"meeting_place": "  Room 3,\n Zürich "} if meeting_at else {}
    if meeting_at:
        data["meeting_at"] = meeting_at
    t.add(EventType.SIGNER_REFUSED, T0 + dt.timedelta(hours=2), "signer:m1", signer="e1",
          recorded_by="m1", witness="Anna Keller", confirmed=True, reason="Not fair.",
          timezone="Europe/Zurich", **data)
    t.add(EventType.ENVELOPE_COMPLETED, T0 + dt.timedelta(hours=2), "signer:m1")
    employee = SignerFacts("e1", "employee", "Léa Brändli", "lea@example.com", "refused",
                           T0 + dt.timedelta(hours=2))
    (signer, _) = complete(t, plan_data, signers=(employee, MANAGER)).signers
    assert signer.meeting_at == expected
    assert signer.meeting_place == ("Room 3, Zürich" if meeting_at else None)
    assert (signer.refusal_recorded, signer.witness, signer.consent) == (
        True, "Anna Keller", None)
    assert signer.timezone == "Europe/Zurich"


def test_the_seal_is_passed_through(plan_data):
    seal = SealFacts("CN=Acme document seal,O=Acme", "b" * 64, T0)
    assert complete(routed_manager_first(), plan_data, seal=seal).seal == seal


def test_a_french_plans_record_is_in_french_its_people_and_hashes_as_they_are(plan_data):
    """The plan's language is the record's: its title, each event's name and who caused
    it; names, addresses and the head hash are not translated."""
    completion = complete(routed_manager_first(), {**plan_data, "language": "fr"},
                          keys={KEY: KeyFacts("Payroll sync", "hr")})
    assert completion.language == "fr"
    assert completion.title.startswith("Plan d’amélioration des performances concernant ")
    manager = rows(completion, "manager")
    assert manager["envoyé"] == ("clé RH «\u00a0Payroll sync\u00a0» (psk_ab12cd34)", None, None)
    assert manager["consulté"] == ("Priya Raman (responsable hiérarchique)", MANAGER_IP,
                                   MANAGER_UA)
    assert rows(completion, "employee")["relance envoyée"] == ("plansign (système)", None,
                                                              None)
    assert completion.audit_head_hash == routed_manager_first().records[-1].hash
    # A plan made before plans had a language is English, as its record always was.
    assert complete(routed_manager_first(), plan_data).language == "en"


@pytest.mark.parametrize(("document", "title", "opened", "not_asked"), [
    (DocumentKind(OUTCOME_LETTER),
     "Outcome letter of the Performance Improvement Plan for Alex Sample",
     "opened the full outcome letter (PDF)", "not asked (never sent the outcome letter)"),
    (DocumentKind(AMENDMENT, 1, dt.date(2026, 12, 4)),
     "Amendment 1 to the Performance Improvement Plan of 4 December 2026 for Alex Sample",
     "opened the full amendment (PDF)", "not asked (never sent the amendment)"),
])
def test_an_outcome_letters_or_amendments_record_names_it(plan_data, document, title, opened,
                                                         not_asked):
    """The finalizer tells which document the envelope held; the title and the events
    that name it say it (a plan's, above, as before)."""
    waiting = SignerFacts("h1", "hr", "Sofía Castellanos", "s@example.com", "waiting", None)
    completion = complete(routed_manager_first(), plan_data,
                          signers=(MANAGER, EMPLOYEE, waiting), document=document)
    # (the plan's date in the title is a document's: held together by no-break spaces)
    assert completion.document == document
    assert completion.title.replace("\u00a0", " ") == title
    assert opened in rows(completion, "employee")
    assert not_asked in rows(completion, "hr")
