"""A record's page in the console lists the sealed PDFs of the employee's check-in
records (every version), named by the meeting's day in the person's language, each
download hash-checked and written to the access log, for the people who may read the
record's other documents, and no one else.

The plan is the sample plan sent through the envelope service, its first check-in
recorded through the case service; the PDFs are the worker's (rendered and sealed), or,
where only who may download matters, a stand-in blob with its row as the worker writes
it."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re

import pytest
from sqlalchemy import select

from archive import RecordDocuments, RecordIndex, access_log, put_record
from signing.domain import case_service, outbox
from signing.domain import envelopes as svc
from signing.domain.models import CheckinRecordFile
from tests.console.test_console_language import set_preferences
from tests.disposition import disposition
from tests.signing.cases.casekit import past_meeting, record_first, send_case_plan

pytestmark = pytest.mark.database

SALES, SUPPORT = "Sales HR", "Support HR"
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


def meeting_day() -> dt.date:
    """The day check-in 1 was held (record_first holds it as scheduled), in the plan's
    check-in zone, as its record states it."""
    return past_meeting().starts.date()


def english(day: dt.date) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def archive_plan(services, sessions, envelope_id: str) -> None:
    """The plan's record archived (stand-in documents) as the Sales HR person's, its case
    still open."""
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        put_record(session, services.store, RecordIndex(
            envelope_id=envelope_id, plan_id="PIP-C", employee_name="Alex Sample",
            employee_id=None, manager_name="Morgan Example", department="Support",
            outcome="acknowledged", sent_at=now - dt.timedelta(days=20),
            completed_at=now - dt.timedelta(days=19), sent_by="person:hr.sales", team=SALES),
            RecordDocuments(b"%PDF-1.7 stand-in original", b"%PDF-1.7 stand-in final",
                            {"plan_id": "PIP-C"}, []), now=now)


def render(services) -> int:
    return outbox.run_once(services.sessions, {"checkin_record": services.checkin_record_maker},
                           now=dt.datetime.now(dt.UTC))


def links(page_text: str) -> dict[str, str]:
    """The record page's documents: each link's words to where it goes."""
    section = page_text.split('id="h-docs"', 1)[1].split("</section>", 1)[0]
    return {html.unescape(words): html.unescape(href) for href, words in re.findall(
        r'<a href="([^"]+)" download>([^<]+)</a>', section)}


def log(sessions, envelope_id):
    with sessions() as session:
        return [(e.action, e.allowed, e.actor, e.detail)
                for e in access_log(session, envelope_id=envelope_id)]


def test_each_version_is_listed_by_its_meetings_day_and_downloads_as_sealed(
        console, services, sessions):
    envelope_id = send_case_plan(sessions, owner="person:hr.sales", team=SALES)
    checkin_id = record_first(sessions, envelope_id)
    employee = svc.Actor("signer:employee")
    with sessions.begin() as session:
        case_service.acknowledge_checkin(session, checkin_id, actor=employee,
                                         now=dt.datetime.now(dt.UTC))
    assert render(services) == 1
    with sessions.begin() as session:  # a comment after: a second version
        case_service.comment_on_checkin(session, checkin_id, "Week three is missing.",
                                        actor=employee, now=dt.datetime.now(dt.UTC))
    assert render(services) == 1
    archive_plan(services, sessions, envelope_id)
    with sessions() as session:
        first, second = session.scalars(select(CheckinRecordFile).order_by(
            CheckinRecordFile.version)).all()

    who = console.sign_in("records", display_name="Riley Records")
    page = console.get(f"/console/records/{envelope_id}")
    assert page.status_code == 200
    listed = links(page.get_data(as_text=True))
    day = english(meeting_day())
    assert list(listed) == [
        "Final sealed PDF", "Original PDF as sent", "Plan data (JSON)", "Audit trail (JSON)",
        f"Check-in record, {day} (version 1 of 2)", f"Check-in record, {day} (version 2 of 2)",
        "Records bundle (ZIP: every document, with SHA-256 sums)"]

    for kept, words in ((first, "version 1 of 2"), (second, "version 2 of 2")):
        served = console.get(listed[f"Check-in record, {day} ({words})"])
        assert served.status_code == 200 and served.mimetype == "application/pdf"
        assert served.data == services.store.get(kept.sha256)
        assert hashlib.sha256(served.data).hexdigest() == kept.sha256
        name = f"check-in-1-record-v{kept.version}.pdf"
        assert served.headers["Content-Disposition"] == \
            f'attachment; filename="{envelope_id}-{name}"'
    assert [e[:3] for e in log(sessions, envelope_id)[:2]] == [
        ("download check-in-1-record-v2.pdf", True, who.display_name),
        ("download check-in-1-record-v1.pdf", True, who.display_name)]

    # A version never made is not there, and the try is logged; a name the page never
    # gives out is not served either.
    assert console.get(f"/console/records/{envelope_id}/check-in-1-record-v3.pdf"
                       ).status_code == 404
    action, allowed, _, detail = log(sessions, envelope_id)[0]
    assert action == "download check-in-1-record-v3.pdf" and allowed
    assert "failed" in (detail or "")
    assert console.get(f"/console/records/{envelope_id}/check-in-01-record-v1.pdf"
                       ).status_code == 404


@pytest.fixture
def stand_in(services, sessions) -> tuple[str, str]:
    """An archived plan with one check-in record's PDF (a stand-in blob, its row as the
    worker writes it): the plan's id and the PDF's SHA-256."""
    envelope_id = send_case_plan(sessions, owner="person:hr.sales", team=SALES)
    checkin_id = record_first(sessions, envelope_id)
    archive_plan(services, sessions, envelope_id)
    pdf = f"%PDF-1.7 check-in record of {envelope_id}".encode()
    with sessions.begin() as session:
        digest = services.store.put(pdf)
        session.add(CheckinRecordFile(
            checkin_id=checkin_id, envelope_id=envelope_id, meeting=1, version=1,
            sha256=digest, record_sha256="1" * 64, answer="acknowledged",
            made_at=dt.datetime.now(dt.UTC)))
    return envelope_id, digest


def test_the_name_is_in_the_persons_language(console, sessions, stand_in):
    envelope_id, _ = stand_in
    who = console.sign_in("records")
    set_preferences(sessions, who.username, "fr", "Europe/Paris")
    listed = links(console.get(f"/console/records/{envelope_id}").get_data(as_text=True))
    day = meeting_day()
    french = f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"
    words = [w for w in listed if french in w]
    assert words == [f"Compte rendu du point de suivi du {french}"], list(listed)
    assert not [w for w in listed if "Check-in" in w]
    # Saved under a name in the person's language too; one not in ASCII has the English
    # one beside it, for old clients.
    header = disposition(console.get(listed[words[0]]).headers["Content-Disposition"])
    assert header.name == f"{envelope_id}-compte-rendu-de-suivi-1-v1.pdf"
    set_preferences(sessions, who.username, "ar")
    header = disposition(console.get(listed[words[0]]).headers["Content-Disposition"])
    assert header.name == f"{envelope_id}-محضر-اجتماع-المتابعة-1-الإصدار-1.pdf"
    assert header.fallback == f"{envelope_id}-check-in-1-record-v1.pdf"


@pytest.mark.parametrize("role,team", [("records", None), ("admin", None), ("hr", SALES)])
def test_those_who_read_the_record_download_it(console, sessions, services, stand_in, role,
                                                team):
    envelope_id, digest = stand_in
    who = console.sign_in(role, team=team)
    page = console.get(f"/console/records/{envelope_id}").get_data(as_text=True)
    href = links(page)[f"Check-in record, {english(meeting_day())}"]
    assert href == f"/console/records/{envelope_id}/check-in-1-record-v1.pdf"
    served = console.get(href)
    assert served.status_code == 200 and served.data == services.store.get(digest)
    assert log(sessions, envelope_id)[0][:3] == (
        "download check-in-1-record-v1.pdf", True, who.display_name)


def test_another_teams_hr_is_told_it_is_not_there_and_it_is_logged(console, sessions,
                                                                     stand_in):
    envelope_id, _ = stand_in
    who = console.sign_in("hr", team=SUPPORT)
    refused = console.get(f"/console/records/{envelope_id}/check-in-1-record-v1.pdf")
    assert refused.status_code == 404
    assert b"%PDF" not in refused.data and "Page not found" in refused.get_data(as_text=True)
    action, allowed, actor, _ = log(sessions, envelope_id)[0]
    assert (action, allowed, actor) == ("download check-in-1-record-v1.pdf", False,
                                        who.display_name)


def test_a_manager_may_not(console, sessions, stand_in):
    envelope_id, _ = stand_in
    console.sign_in("manager")
    refused = console.get(f"/console/records/{envelope_id}/check-in-1-record-v1.pdf")
    assert refused.status_code == 403 and b"%PDF" not in refused.data
    assert "This page is not for your role" in refused.get_data(as_text=True)


def test_a_changed_check_in_record_is_never_served(console, sessions, services, stand_in):
    envelope_id, digest = stand_in
    console.sign_in("records")
    path = services.store.path(digest)
    os.chmod(path, 0o640)
    path.write_bytes(b"%PDF-1.7 changed")
    served = console.get(f"/console/records/{envelope_id}/check-in-1-record-v1.pdf")
    assert served.status_code == 409 and b"changed" not in served.data
    assert "no longer matches its SHA-256" in served.get_data(as_text=True)
    assert "failed" in (log(sessions, envelope_id)[0][3] or "")
