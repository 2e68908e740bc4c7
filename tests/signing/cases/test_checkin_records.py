"""Issue 19: the employee's check-in records of an open case, each a sealed PDF of its own
in the archive, on the records page.

A real plan's case (the sample plan, sent through the envelope service), check-ins
recorded and answered through the case service, the worker's handler rendering and
sealing with the instance's self-signed seal, the records page and its links through
the web app, and ``plansign verify`` on what was archived.
"""

from __future__ import annotations

import datetime as dt
import email
import re
import subprocess
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from archive import access_log
from archive.models import ArchivedRecord
from signing.cli import main
from signing.domain import case_service, erasure, outbox, own_records
from signing.domain import envelopes as svc
from signing.domain.links import Purpose
from signing.domain.mail import FileMailBackend
from signing.domain.models import CheckinRecordFile, OutboxRow
from signing.domain.notify import Mailer
from signing.web.app import create_app
from signing.web.current import services_of
from tests.signing.cases.casekit import record_first, send_case_plan

pytestmark = pytest.mark.usefixtures("clean_env")

KEYS = ["k" * 40]
BASE = "https://sign.example.com"
EMPLOYEE = "alex.sample@example.com"  # the sample plan's employee
NO_LIMITS = {"rate_limit_signer": "", "rate_limit_signer_strict": "",
             "rate_limit_records_request": "", "rate_limit_records_request_address": ""}
EMPLOYEE_ACTOR = svc.Actor("signer:employee")


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": KEYS[0], "base_url": BASE, **NO_LIMITS})


@pytest.fixture
def env(tmp_path, database_url):
    return {"PLANSIGN_INSTANCE_PATH": str(tmp_path), "PLANSIGN_DATABASE_URL": database_url,
            "PLANSIGN_SECRET_KEYS": KEYS[0], "PLANSIGN_BASE_URL": BASE}


def render(app, now: dt.datetime | None = None) -> int:
    """The worker's part: carry out the check-in record rows due; how many it claimed."""
    services = services_of(app)
    return outbox.run_once(services.sessions,
                           {"checkin_record": services.checkin_record_maker},
                           now=now or dt.datetime.now(dt.UTC))


def versions(app, checkin_id: str) -> list[CheckinRecordFile]:
    with services_of(app).sessions() as session:
        return list(session.scalars(select(CheckinRecordFile)
                                    .where(CheckinRecordFile.checkin_id == checkin_id)
                                    .order_by(CheckinRecordFile.version)))


def text_of(pdf: bytes, folder: Path) -> str:
    path = folder / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def acknowledge(app, checkin_id: str) -> None:
    with services_of(app).sessions.begin() as session:
        assert case_service.acknowledge_checkin(session, checkin_id, actor=EMPLOYEE_ACTOR,
                                                now=dt.datetime.now(dt.UTC))


def comment(app, checkin_id: str, text: str) -> None:
    with services_of(app).sessions.begin() as session:
        case_service.comment_on_checkin(session, checkin_id, text, actor=EMPLOYEE_ACTOR,
                                        now=dt.datetime.now(dt.UTC))


def records_mail(app, client, tmp_path) -> str:
    """Ask for the employee's records, as the page and then the worker do; the email's
    text."""
    page = client.get("/my-records").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/my-records", data={"email": EMPLOYEE, "csrf_token": token}
                       ).status_code == 200
    services = services_of(app)
    assert own_records.answer_requests(services.sessions, now=dt.datetime.now(dt.UTC),
                                       pepper=services.records_pepper) == 1
    with services.sessions.begin() as session:  # only the request's email
        session.execute(update(OutboxRow).where(OutboxRow.name != own_records.REQUEST_EMAIL)
                        .values(sent_at=dt.datetime.now(dt.UTC)))
    folder = tmp_path / "mail-out"
    mailer = Mailer(FileMailBackend(folder), services.links, BASE, "Co",
                    record_links=services.record_links)
    outbox.run_once(services.sessions, {"email": mailer}, now=dt.datetime.now(dt.UTC))
    (path,) = sorted(folder.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    return str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def test_an_answered_check_in_is_sealed_archived_and_a_later_answer_adds_a_version(
        app, tmp_path, runner, env):
    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    assert render(app) == 0  # recorded, not yet answered: nothing to render
    acknowledge(app, checkin_id)
    assert render(app) == 1 and render(app) == 0
    (first,) = versions(app, checkin_id)
    assert (first.version, first.meeting, first.answer, first.envelope_id) == \
        (1, 1, "acknowledged", envelope_id)
    pdf = services.store.get(first.sha256)
    text = " ".join(text_of(pdf, tmp_path).split())
    for shown in ("Check-in 1 of", "Reviewed the ticket queue together.",
                  "Two queue-triage coaching sessions.", "Pair on escalations on Thursday.",
                  "The new macros help.", "A dip in week two.", "at risk", "78%",
                  "Acknowledged by Alex Sample", "About this record", checkin_id,
                  first.record_sha256):
        assert shown in text, shown

    # A comment after the acknowledgement: a second version; the first stays as it was.
    comment(app, checkin_id, "Le point 2 ne reflète pas notre échange. شكرا")
    assert render(app) == 1
    first_again, second = versions(app, checkin_id)
    assert first_again.sha256 == first.sha256 and services.store.get(first.sha256) == pdf
    assert second.version == 2 and second.record_sha256 != first.record_sha256
    assert "ne reflète pas notre échange" in text_of(services.store.get(second.sha256),
                                                     tmp_path)
    # Listed once, at its newest version, which is what a link serves.
    with services.sessions() as session:
        (listed,) = own_records.records_of(session, EMPLOYEE)
        employee_id = next(s.id for s in svc.load(session, envelope_id).signers
                           if s.role == "employee")
        served = own_records.KINDS["checkin"].read(session, services.store, checkin_id,
                                                   employee_id)
    assert (listed.kind, listed.record_id, listed.outcome) == ("checkin", checkin_id,
                                                               "acknowledged")
    assert served is not None and served.content == services.store.get(second.sha256)

    # verify FILE: the seal, and the data's hash as the archive states it.
    path = tmp_path / "check-in.pdf"
    path.write_bytes(services.store.get(second.sha256))
    result = runner.invoke(main, ["verify", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "version 2 of the record of check-in 1" in result.output
    assert "check-in 1 record, version 2 seal" in result.output
    # A record whose archived bytes were changed fails verify by envelope id.
    services.store.delete(first.sha256)
    result = runner.invoke(main, ["verify", envelope_id], env=env)
    assert result.exit_code == 1
    assert re.search(r"FAIL.*check-in 1 record, version 1", result.output), result.output
    assert re.search(r"ok\s+check-in 1 record, version 2 seal", result.output), result.output


def test_a_record_no_answer_came_for_is_rendered_when_its_window_closes(app):
    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    swept = case_service.sweep(services.sessions, now=later)
    assert (envelope_id, 1) in swept.unanswered
    assert render(app, later) == 1
    (kept,) = versions(app, checkin_id)
    assert kept.answer == "no_answer"


def test_the_records_page_gives_the_employee_each_check_in_record_and_no_one_else(
        app, client, tmp_path):
    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    acknowledge(app, checkin_id)
    render(app)
    (kept,) = versions(app, checkin_id)
    with services.sessions() as session:
        signers = {s.role: s for s in svc.load(session, envelope_id).signers}
        mine = own_records.records_of(session, EMPLOYEE)
        managers = own_records.records_of(session, signers["manager"].email.lower())
    # The plan is not archived yet (no plan record), its check-in record is.
    assert [(r.kind, r.record_id, r.outcome, r.meeting) for r in mine] == [
        ("checkin", checkin_id, "acknowledged", 1)]
    assert managers == []

    text = records_mail(app, client, tmp_path)
    assert "The record of check-in meeting 1 of your performance improvement plan" in text
    (link,) = re.findall(rf"{re.escape(BASE)}(/my-records/[A-Za-z0-9_.\-]+)", text)
    served = client.get(link)
    assert served.status_code == 200 and served.data == services.store.get(kept.sha256)
    assert "check-in-1-record.pdf" in served.headers["Content-Disposition"]
    with services.sessions() as session:
        (entry,) = [e for e in access_log(session, envelope_id=envelope_id)
                    if e.action == "records.download"]
    assert entry.allowed and entry.actor == f"signer:{signers['employee'].id}"
    assert checkin_id in (entry.detail or "")

    # The manager's signer id in a link to it: refused, and logged as refused.
    now = dt.datetime.now(dt.UTC)
    forged = services.record_links.sign("checkin", checkin_id, signers["manager"].id,
                                        purpose=Purpose.RECORDS_ACCESS, now=now)
    assert client.get(f"/my-records/{forged}").status_code == 410
    with services.sessions() as session:
        refused = [e for e in access_log(session, denied_only=True)
                   if e.actor == f"signer:{signers['manager'].id}"]
    assert len(refused) == 1 and refused[0].action == "records.download"
    # The link expires like the others.
    old = services.record_links.sign("checkin", checkin_id, signers["employee"].id,
                                     purpose=Purpose.RECORDS_ACCESS,
                                     now=now - dt.timedelta(minutes=61))
    assert client.get(f"/my-records/{old}").status_code == 410
    assert "expired" in client.get(f"/my-records/{old}").get_data(as_text=True)

    # Once the case file is archived, it holds the check-ins: they are no longer listed
    # nor served on their own.
    _archive_with_case_file(app, envelope_id)
    with services.sessions() as session:
        assert [r.kind for r in own_records.records_of(session, EMPLOYEE)] == [
            "case_file", "plan"]
    assert client.get(link).status_code == 410


def _archive_with_case_file(app, envelope_id: str) -> None:
    """The plan's record archived, with a case file (stand-ins: what matters here is that
    the archive holds one)."""
    from archive import RecordDocuments, RecordIndex, put_record

    services = services_of(app)
    now = dt.datetime.now(dt.UTC)
    pdf = b"%PDF-1.7 stand-in final"
    with services.sessions.begin() as session:
        put_record(session, services.store, RecordIndex(
            envelope_id=envelope_id, plan_id=envelope_id, employee_name="Alex Sample",
            employee_id=None, manager_name="m", department="Support",
            outcome="acknowledged", sent_at=now, completed_at=now - dt.timedelta(days=1)),
            RecordDocuments(pdf, pdf, {}, []), now=now)
        record = session.get_one(ArchivedRecord, envelope_id)
        record.case_file_sha256 = services.store.put(b"%PDF-1.7 stand-in case file")
        record.case_outcome, record.case_closed_at = "met", now


def test_a_purge_erases_the_check_in_records_rows_and_blobs(app):
    from archive.models import Tombstone

    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    acknowledge(app, checkin_id)
    render(app)
    (kept,) = versions(app, checkin_id)
    now = dt.datetime.now(dt.UTC)
    with services.sessions.begin() as session:  # as a purge leaves it: a tombstone only
        session.add(Tombstone(envelope_id=envelope_id, plan_id="p", original_sha256="0" * 64,
                              final_sha256="0" * 64, plan_sha256="0" * 64,
                              audit_sha256="0" * 64, sent_at=now,
                              completed_at=now, archived_at=now, retain_until=now,
                              purged_at=now, purged_by="test"))
    with services.sessions.begin() as session:
        assert erasure.erase_purged(session) == [envelope_id]
    # Committed, the blob and the row saying it is the check-in's stay for the sweep.
    assert services.store.exists(kept.sha256)
    assert erasure.sweep_purged_checkin_blobs(services.sessions, services.store) == 1
    assert erasure.sweep_purged_checkin_blobs(services.sessions, services.store) == 0
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CheckinRecordFile)) == 0
    assert not services.store.exists(kept.sha256)


def _archive_plan(app, envelope_id: str) -> None:
    """The plan's record archived (stand-in documents), its case still open."""
    from archive import RecordDocuments, RecordIndex, put_record

    services = services_of(app)
    now = dt.datetime.now(dt.UTC)
    with services.sessions.begin() as session:
        put_record(session, services.store, RecordIndex(
            envelope_id=envelope_id, plan_id=envelope_id, employee_name="Alex Sample",
            employee_id=None, manager_name="m", department="Support",
            outcome="acknowledged", sent_at=now, completed_at=now - dt.timedelta(days=1)),
            RecordDocuments(b"%PDF-1.7 stand-in original", b"%PDF-1.7 stand-in final", {}, []),
            now=now)


def test_records_staff_get_every_check_in_record_version_in_the_api_the_cli_and_the_bundle(
        app, tmp_path, runner, env):
    import hashlib
    import io
    import json
    import zipfile

    from signing.domain import apikeys

    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    acknowledge(app, checkin_id)
    render(app)
    comment(app, checkin_id, "I would add the queue figures from week three.")
    render(app)
    first, second = versions(app, checkin_id)
    _archive_plan(app, envelope_id)
    names = ["check-in-1-record-v1.pdf", "check-in-1-record-v2.pdf"]

    # plansign archive get: both versions beside the plan's documents, in the manifest.
    out = tmp_path / "got"
    result = runner.invoke(main, ["archive", "get", envelope_id, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    for name, kept in zip(names, (first, second), strict=True):
        assert (out / name).read_bytes() == services.store.get(kept.sha256)
        assert f"{out / name}  sha256 {kept.sha256}" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert [(c["file"], c["sha256"], c["answer"]) for c in manifest["checkin_records"]] == [
        (names[0], first.sha256, "acknowledged"), (names[1], second.sha256, "acknowledged")]

    # The records API: listed with the record, each served, every read logged.
    with services.sessions.begin() as session:
        _, plaintext = apikeys.create_key(session, "Records desk", "records",
                                          dt.datetime.now(dt.UTC))
    client, auth = app.test_client(), {"Authorization": f"Bearer {plaintext}"}
    detail = client.get(f"/api/v1/archive/records/{envelope_id}", headers=auth).get_json()
    assert [c["file"] for c in detail["checkin_records"]] == names
    served = client.get(f"/api/v1/archive/records/{envelope_id}/checkin-records/{names[1]}",
                        headers=auth)
    assert served.status_code == 200 and served.data == services.store.get(second.sha256)
    assert hashlib.sha256(served.data).hexdigest() == second.sha256
    missing = client.get(f"/api/v1/archive/records/{envelope_id}/checkin-records/"
                         "check-in-1-record-v3.pdf", headers=auth)
    assert missing.status_code == 404
    assert "has no document check-in-1-record-v3.pdf" in missing.get_json()["error"]
    bundle = client.get(f"/api/v1/archive/records/{envelope_id}/bundle.zip", headers=auth)
    with zipfile.ZipFile(io.BytesIO(bundle.data)) as zipped:
        assert zipped.read(names[0]) == services.store.get(first.sha256)
        sums = zipped.read("SHA256SUMS").decode()
        assert f"{first.sha256}  {names[0]}" in sums and f"{second.sha256}  {names[1]}" in sums
        assert len(json.loads(zipped.read("manifest.json"))["checkin_records"]) == 2
    with services.sessions() as session:
        actions = [e.action for e in access_log(session, envelope_id=envelope_id)]
    assert actions.count(f"download {names[0]}") == 1  # archive get
    assert actions.count(f"download {names[1]}") == 2  # archive get and the API
    assert "download check-in-1-record-v3.pdf" in actions  # the failed one too

    # The export holds them too.
    exported = tmp_path / "export.zip"
    result = runner.invoke(main, ["archive", "export", "--since", "2000-01-01", "--out",
                                  str(exported)], env=env)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(exported) as zipped:
        assert zipped.read(f"{envelope_id}/{names[1]}") == services.store.get(second.sha256)


def test_backfill_makes_the_records_of_check_ins_answered_before_they_were_kept(
        app, runner, env):
    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    acknowledge(app, checkin_id)
    # As before the records were kept as PDFs: the answer, and no job to draw it.
    with services.sessions.begin() as session:
        session.execute(update(OutboxRow).where(OutboxRow.name == "checkin_record")
                        .values(sent_at=dt.datetime.now(dt.UTC)))
    assert versions(app, checkin_id) == []

    dry = runner.invoke(main, ["case", "backfill-checkin-records", "--dry-run"], env=env)
    assert dry.exit_code == 0 and "would queue 1 check-in record(s)" in dry.output
    done = runner.invoke(main, ["case", "backfill-checkin-records"], env=env)
    assert done.exit_code == 0 and "queued 1 check-in record(s)" in done.output, done.output
    again = runner.invoke(main, ["case", "backfill-checkin-records"], env=env)
    assert "queued 0 check-in record(s)" in again.output  # already queued
    assert render(app) == 1
    (made,) = versions(app, checkin_id)
    assert made.answer == "acknowledged"
    assert "queued 0" in runner.invoke(main, ["case", "backfill-checkin-records"],
                                       env=env).output


def test_revoke_copy_links_stops_the_employees_check_in_record_links(
        app, client, tmp_path, runner, env):
    services = services_of(app)
    envelope_id = send_case_plan(services.sessions)
    checkin_id = record_first(services.sessions, envelope_id)
    acknowledge(app, checkin_id)
    render(app)
    (link,) = re.findall(rf"{re.escape(BASE)}(/my-records/[A-Za-z0-9_.\-]+)",
                         records_mail(app, client, tmp_path))
    assert client.get(link).status_code == 200

    # The plan's record is not archived yet; its check-in record is, and its link stops.
    result = runner.invoke(main, ["archive", "revoke-copy-links", envelope_id, "--reason",
                                  "The employee's mailbox was taken over."], env=env)
    assert result.exit_code == 0, result.output
    assert "nor do links to its 1 check-in record(s)" in result.output
    refused = client.get(link)
    assert refused.status_code == 410
    with services.sessions() as session:
        entries = access_log(session, envelope_id=envelope_id)
    (revoked,) = [e for e in entries if e.action == "copy.revoke"]
    assert revoked.actor.startswith("cli:") and checkin_id in (revoked.detail or "")
    assert "mailbox was taken over" in (revoked.detail or "")
    with services.sessions() as session:  # a refusal is logged under the check-in's id
        (denied,) = access_log(session, envelope_id=checkin_id, denied_only=True)
    assert denied.action == "records.download" and "refused" in (denied.detail or "")
