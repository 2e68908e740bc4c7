"""The console's records pages (signing.web.console.records): archive search with the
records API's filters and paging, a record's page with its trail in words and its
access log, downloads, legal holds with a confirmation, the purge preview; each as the
roles and teams that should and should not reach it, and every read in the access log
with the person's name."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import uuid
import zipfile

import pytest

from archive import RecordDocuments, RecordIndex, access_log, get_record, put_record
from signing.domain import audit
from signing.domain import workflow as wf
from signing.domain.events import EventType
from tests.archive.records_data import seed

pytestmark = pytest.mark.database

SALES, SUPPORT = "Sales HR", "Support HR"


def log(sessions, **kw):
    with sessions() as session:
        return [(e.action, e.allowed, e.actor) for e in access_log(session, **kw)]


@pytest.fixture
def ids(services, sessions):
    """Six archived records sent by a Sales HR person (``hr.sales``)."""
    with sessions.begin() as session:
        ids = seed(session, services.store, sent_by="person:hr.sales")
        for envelope_id in ids:
            get_record(session, envelope_id).team = SALES
    return ids


def trail_record(services, sessions, *, sent_by="person:hr.sales", team=SALES,
                 retain_for=None, completed=None, envelope_id=None) -> str:
    """A record whose archived trail has a sending, a refusal recorded in a meeting and a
    comment, by people with names."""
    envelope_id = envelope_id or str(uuid.uuid4())
    completed = completed or dt.datetime(2026, 11, 2, 15, 30, tzinfo=dt.UTC)
    events = [
        (wf.Event(EventType.ENVELOPE_CREATED, data={"template": "standard"}), "person:hr.sales"),
        (wf.Event(EventType.SIGNER_NOTIFIED, "s-emp"), "worker"),
        (wf.Event(EventType.SIGNER_REFUSED, "s-emp", data={
            "recorded_by": "s-mgr", "witness": "Mia Schulz", "reason": "Disagrees"}),
         "signer:s-mgr"),
        (wf.Event(EventType.SIGNER_COMMENTED, "s-emp", data={"comment": "I want a review"}),
         "signer:s-emp"),
        (wf.Event(EventType.ENVELOPE_COMPLETED), "worker"),
    ]
    trail, previous = [], None
    for n, (event, actor) in enumerate(events):
        previous = audit.append(previous, event, envelope_id=envelope_id, actor=actor,
                                at=completed - dt.timedelta(hours=len(events) - n))
        trail.append(audit.to_json(previous))
    with sessions.begin() as session:
        put_record(session, services.store, RecordIndex(
            envelope_id=envelope_id, plan_id="PIP-T", employee_name="Léa Brändli",
            employee_id="E-1", manager_name="Jürg Baumann", department="Sales",
            outcome="refused", sent_at=completed - dt.timedelta(days=30),
            completed_at=completed, sent_by=sent_by, team=team),
            RecordDocuments(original_pdf=b"%PDF original", final_pdf=b"%PDF final",
                            plan_data={"plan_id": "PIP-T"}, audit_trail=trail),
            now=completed, retain_for=retain_for)
    return envelope_id


def test_records_staff_search_with_filters_and_the_search_is_logged_by_name(console, ids,
                                                                             sessions):
    who = console.sign_in("records", display_name="Riley Records")
    page = console.get("/console/records/?name=brandli&outcome=acknowledged")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Léa Brändli" in text and "Lea Brandt" not in text  # refused: filtered out
    assert "Archived plans found: 1; showing 1 to 1" in text
    assert log(sessions)[0] == ("search", True, who.display_name)
    by_department = console.get("/console/records/?department=Sales").get_data(as_text=True)
    assert "Ángel Núñez" in by_department and "Ivan Petrov" not in by_department


def test_search_dates_are_days_in_the_persons_zone_and_bad_ones_are_named(console, ids):
    console.sign_in("records")
    # Completed 2020-03-02 09:00 UTC (the first of the seed): a search of that day finds it.
    text = console.get("/console/records/?completed_from=2020-03-02&completed_to=2020-03-02"
                       ).get_data(as_text=True)
    assert "Léa Brändli" in text and "Lea Brandt" not in text
    bad = console.get("/console/records/?sent_from=2020-13-01&outcome=lost")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="f-sent_from-error"' in text and "YYYY-MM-DD" in text
    assert 'aria-describedby="f-outcome-error"' in text


def test_results_come_in_pages_and_a_capped_total_says_more_than(console, ids, monkeypatch):
    console.sign_in("admin")
    monkeypatch.setattr(importlib.import_module("signing.web.console.records"), "PAGE_SIZE", 4)
    first = console.get("/console/records/?sort=employee_name").get_data(as_text=True)
    assert "Archived plans found: 6; showing 1 to 4" in first and 'rel="next"' in first
    second = console.get("/console/records/?sort=employee_name&page=2").get_data(as_text=True)
    assert "showing 5 to 6" in second and 'rel="prev"' in second and 'rel="next"' not in second
    monkeypatch.setattr(importlib.import_module("archive.search"), "COUNT_LIMIT", 3)
    capped = console.get("/console/records/").get_data(as_text=True)
    assert "Archived plans found: more than 3" in capped and "Counting stops" in capped


def test_hr_finds_only_its_teams_records(console, ids, services, sessions):
    console.sign_in("hr", team=SALES)
    other = trail_record(services, sessions, sent_by="person:someone", team=SUPPORT)
    text = console.get("/console/records/").get_data(as_text=True)
    assert "Archived plans found: 6;" in text
    assert console.get(f"/console/records/{ids[0]}").status_code == 200
    assert console.get(f"/console/records/{other}").status_code == 404
    console.sign_in("hr", team=SUPPORT)
    text = console.get("/console/records/").get_data(as_text=True)
    assert "Archived plans found: 1;" in text and other in text and ids[0] not in text
    refused = console.get(f"/console/records/{ids[0]}")
    assert refused.status_code == 404
    assert "Page not found" in refused.get_data(as_text=True)
    assert 'href="/console/static/console.css' in refused.get_data(as_text=True)
    assert log(sessions, denied_only=True, limit=1)[0][0] == "view"


def test_a_records_page_tells_the_trail_in_words_with_names(console, services, sessions):
    console.person("hr", username="hr.sales", display_name="Hana Sales", team=SALES)
    envelope_id = trail_record(services, sessions, envelope_id=_envelope_with_signers(sessions))
    who = console.sign_in("records", display_name="Riley Records")
    page = console.get(f"/console/records/{envelope_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    # Told in the same words as the plan's page (one timeline for both).
    assert "Hana Sales (HR) prepared the plan." in text
    assert ("Jürg Baumann (manager) recorded that Léa Brändli (employee) refused to sign in "
            "a meeting, witnessed by Mia Schulz.") in text
    assert "What they said: Disagrees" in text
    assert "Léa Brändli (employee) commented: I want a review" in text
    assert "Monday 2 November 2026, 15:30 UTC" in text  # completed, in the person's zone
    assert "Access log of this record" in text and who.display_name in text
    assert log(sessions, envelope_id=envelope_id)[0] == ("view", True, who.display_name)


def _envelope_with_signers(sessions) -> str:
    """An envelope in the signing database whose signers are s-emp and s-mgr (the
    trail's), so that the page names them."""
    from docgen import sample_plan
    from signing.domain import envelopes as svc
    from signing.domain.models import SignerRow
    plan = sample_plan()
    with sessions.begin() as session:
        envelope_id = svc.create_envelope(
            session, plan_data=plan.model_dump(mode="json", by_alias=True, exclude_none=True),
            template="standard", pdf=f"%PDF {uuid.uuid4()}".encode(), signers=[],
            actor=svc.Actor("person:hr.sales"), now=dt.datetime.now(dt.UTC), team=SALES)
        session.add_all([
            SignerRow(id="s-emp", envelope_id=envelope_id, role="employee", name="Léa Brändli",
                      email="lea@example.com", routing_order=2, state="refused"),
            SignerRow(id="s-mgr", envelope_id=envelope_id, role="manager", name="Jürg Baumann",
                      email="jurg@example.com", routing_order=1, state="confirmed")])
    return envelope_id


def test_documents_and_the_bundle_download_as_the_api_gives_them(console, ids, sessions):
    who = console.sign_in("records")
    final = console.get(f"/console/records/{ids[0]}/final.pdf")
    assert final.status_code == 200 and final.data == b"%PDF final 0"
    assert final.headers["Content-Disposition"] == f'attachment; filename="{ids[0]}-final.pdf"'
    bundle = console.get(f"/console/records/{ids[0]}/bundle.zip")
    assert bundle.status_code == 200 and bundle.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
        assert "SHA256SUMS" in archive.namelist()
    assert log(sessions, envelope_id=ids[0])[:2] == [
        ("download bundle.zip", True, who.display_name),
        ("download final.pdf", True, who.display_name)]
    assert console.get(f"/console/records/{ids[0]}/secrets.txt").status_code == 404


def test_a_legal_hold_is_placed_and_lifted_with_a_reason_after_confirming(console, ids,
                                                                         sessions):
    who = console.sign_in("records", display_name="Riley Records")
    path = f"/console/records/{ids[0]}/hold"
    assert "Place a legal hold" in console.get(path).get_data(as_text=True)
    missing = console.post(path, data={"reason": " ", "confirm": "yes"}, token_from=path)
    assert missing.status_code == 400 and 'id="f-reason-error"' in missing.get_data(as_text=True)
    unconfirmed = console.post(path, data={"reason": "Tribunal claim 2026/114"},
                               token_from=path)
    assert unconfirmed.status_code == 400
    assert "Tick the box" in unconfirmed.get_data(as_text=True)
    with sessions() as session:
        assert not get_record(session, ids[0]).on_hold
    done = console.post(path, data={"reason": "Tribunal claim 2026/114", "confirm": "yes"},
                        token_from=path)
    assert done.status_code == 303
    page = console.get(done.headers["Location"]).get_data(as_text=True)
    assert "Tribunal claim 2026/114" in page and "placed by Riley Records" in page
    again = console.post(path, data={"reason": "Twice", "confirm": "yes"}, token_from=path)
    assert again.status_code == 400 and "already on hold" in again.get_data(as_text=True)
    lift = f"/console/records/{ids[0]}/release"
    assert console.post(lift, data={"reason": "Settled", "confirm": "yes"},
                        token_from=lift).status_code == 303
    with sessions() as session:
        assert not get_record(session, ids[0]).on_hold
    assert ("lift hold", True, who.display_name) in log(sessions, envelope_id=ids[0])


def test_another_teams_hr_cannot_hold_and_the_refusal_is_logged(console, ids, sessions):
    console.sign_in("hr", team=SUPPORT)
    path = f"/console/records/{ids[0]}/hold"
    assert console.get(path).status_code == 404
    assert console.post(path, data={"reason": "x", "confirm": "yes"},
                        token_from="/console/records/").status_code == 404
    with sessions() as session:
        assert not get_record(session, ids[0]).on_hold
    assert log(sessions, denied_only=True, limit=1)[0][1] is False


def test_the_purge_preview_says_what_would_go_and_what_a_hold_keeps(console, services,
                                                                    sessions):
    long_ago = dt.datetime(2010, 1, 4, tzinfo=dt.UTC)
    due = trail_record(services, sessions, completed=long_ago, retain_for=dt.timedelta(days=1))
    held = trail_record(services, sessions, completed=long_ago, retain_for=dt.timedelta(days=1))
    kept = trail_record(services, sessions, retain_for=dt.timedelta(days=7 * 365))
    with sessions.begin() as session:
        get_record(session, held).hold_reason = "Claim 9"
        get_record(session, held).hold_by = "Riley Records"
        get_record(session, held).hold_at = long_ago
    console.sign_in("records")
    page = console.get("/console/records/purge")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ("1 record would be purged. 1 record past its period is kept on legal hold."
            in " ".join(text.split()))
    assert f"/console/records/{due}" in text and f"/console/records/{held}" in text
    assert f"/console/records/{kept}" not in text
    assert "Claim 9" in text and "Its retention period ended" in text
    with sessions() as session:
        assert get_record(session, due)  # a preview deletes nothing
    assert log(sessions)[0][0] == "purge preview"


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_the_purge_preview_is_records_staffs_and_admins(console, role, sessions):
    console.sign_in(role)
    page = console.get("/console/records/purge")
    assert page.status_code == 403
    assert "This page is not for your role" in page.get_data(as_text=True)
    assert log(sessions, denied_only=True)[0][1] is False


def test_managers_cannot_reach_the_archive(console, ids):
    console.sign_in("manager")
    assert console.get("/console/records/").status_code == 403
    assert console.get(f"/console/records/{ids[0]}").status_code == 403
    assert console.get(f"/console/records/{ids[0]}/bundle.zip").status_code == 403


def test_a_corrupted_document_is_never_served_and_the_page_says_so(console, ids, services,
                                                                  sessions):
    console.sign_in("records")
    with sessions() as session:
        record = get_record(session, ids[2])
        for column in ("final_sha256", "audit_sha256"):
            path = services.store.path(getattr(record, column))
            os.chmod(path, 0o640)
            path.write_bytes(b"changed")
    download = console.get(f"/console/records/{ids[2]}/final.pdf")
    assert download.status_code == 409 and b"changed" not in download.data
    assert "cannot be read just now" in download.get_data(as_text=True)
    page = console.get(f"/console/records/{ids[2]}")
    assert page.status_code == 409 and "no longer matches its SHA-256" in page.get_data(
        as_text=True)
    assert "failed" in log_details(sessions, ids[2])[0]


def log_details(sessions, envelope_id):
    with sessions() as session:
        return [e.detail or "" for e in access_log(session, envelope_id=envelope_id)]


def test_records_staff_hold_a_department_release_it_and_its_records_say_so(console, ids,
                                                                         sessions):
    who = console.sign_in("records", display_name="Riley Records")
    page = console.get("/console/records/holds")
    assert page.status_code == 200
    assert "No hold over a department or a manager is in force" in page.get_data(as_text=True)
    refused = console.post("/console/records/holds", token_from="/console/records/holds",
                           data={"scope": "department", "value": "", "reason": " "})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'href="#f-value"' in text and \
        'href="#f-reason"' in text
    placed = console.post("/console/records/holds", token_from="/console/records/holds",
                          data={"scope": "department", "value": "customer care",
                                "reason": "EEOC charge 846-2026-1", "confirm": "yes"})
    assert placed.status_code == 303
    listing = console.get(placed.headers["Location"]).get_data(as_text=True)
    assert "EEOC charge 846-2026-1" in listing and "Riley Records" in listing
    record = console.get(f"/console/records/{ids[0]}").get_data(as_text=True)
    assert "Kept by a hold over its department or manager" in record
    assert "Over the department customer care since" in record
    with sessions() as session:
        from archive import legal_holds
        [hold] = legal_holds(session)
    release = f"/console/records/holds/{hold.id}/release"
    assert "It keeps 2 record(s) now" in console.get(release).get_data(as_text=True)
    unconfirmed = console.post(release, token_from=release, data={"reason": "Dismissed"})
    assert unconfirmed.status_code == 400
    done = console.post(release, token_from=release,
                        data={"reason": "Charge dismissed", "confirm": "yes"})
    assert done.status_code == 303
    listing = console.get("/console/records/holds").get_data(as_text=True)
    assert "Charge dismissed" in listing
    assert console.get(release).status_code == 404  # released: no longer in force
    actions = log(sessions)
    assert ("hold department", True, who.display_name) in actions
    assert ("release department hold", True, who.display_name) in actions


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_holds_over_a_department_are_records_staffs_and_admins(console, role, sessions):
    console.sign_in(role)
    assert console.get("/console/records/holds").status_code == 403
    assert console.post("/console/records/holds", data={
        "scope": "department", "value": "Sales", "reason": "x", "confirm": "yes"},
        token_from="/console/").status_code == 403
    with sessions() as session:
        from archive import legal_holds
        assert legal_holds(session) == []


def test_the_purge_preview_names_a_hold_over_a_manager(console, services, sessions):
    long_ago = dt.datetime(2010, 1, 4, tzinfo=dt.UTC)
    held = trail_record(services, sessions, completed=long_ago, retain_for=dt.timedelta(days=1))
    with sessions.begin() as session:
        from archive import Reader, place_group_hold
        place_group_hold(session, "manager", "Jurg Baumann", reason="Tribunal 7",
                         by=Reader("cli:riley"), now=long_ago)
    console.sign_in("records")
    text = console.get("/console/records/purge").get_data(as_text=True)
    assert ("0 records would be purged. 1 record past its period is kept on legal hold."
            in " ".join(text.split()))
    assert f"/console/records/{held}" in text
    assert "The hold over the manager Jurg Baumann: Tribunal 7" in text
