"""`plansign verify` years later: a seal is checked against its certificate as of the
time it was made, so a record sealed while the organisation's certificate was valid
still verifies once that certificate has expired; and the time the seal claims must be
the sealing the hash-chained audit trail records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import fields

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from archive import (
    ArchivedRecord,
    FolderStore,
    RecordDocuments,
    RecordIndex,
    canonical_json,
    put_record,
)
from config import load_settings
from database import make_engine, make_session_factory
from docgen.seal import create_self_signed, load_sealing_key, seal, validate
from docgen.stamp import stamp, stated_trail
from signing import instance
from signing.domain import audit, verification
from signing.domain.workflow import Event
from signing.migrations import upgrade
from tests.docgen.seal.sealkit import cert_pem, certificate, key_pem, make_pdf, name
from tests.docgen.stamp import stampkit as kit
from tests.docgen.stamp.stampkit import without_attachments

NOW = dt.datetime.now(dt.UTC)
SEALED_AT = NOW - dt.timedelta(days=400)  # sealed more than a year ago ...
EXPIRED = SEALED_AT + dt.timedelta(days=365)  # ... with a certificate that has expired


@pytest.fixture
def expired_key(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate(name("Records seal 2025"), key,
                       not_before=SEALED_AT - dt.timedelta(days=1), not_after=EXPIRED)
    (tmp_path / "seal.key").write_bytes(key_pem(key))
    (tmp_path / "seal.crt").write_bytes(cert_pem(cert))
    # As it was loaded to seal, back then.
    return load_sealing_key(key_path=tmp_path / "seal.key", cert_path=tmp_path / "seal.crt",
                            now=SEALED_AT)


def archive_sealed(tmp_path, database_url, key, *, sealed_at: dt.datetime):
    engine = make_engine(database_url)
    upgrade(engine)
    sessions, store = make_session_factory(engine), FolderStore(tmp_path / "archive")
    original = make_pdf(2)
    final = seal(original, key, reason="Sealed record", now=SEALED_AT)
    digest = hashlib.sha256(final).hexdigest()
    trail, previous = [], None
    for event, at in ((Event("envelope.sent"), SEALED_AT - dt.timedelta(days=2)),
                      (Event("envelope.completed"), SEALED_AT - dt.timedelta(minutes=1)),
                      (Event("envelope.sealed", data={"final_sha256": digest}), sealed_at)):
        previous = audit.append(previous, event, envelope_id="env-old", at=at,
                                actor="worker",
                                document_sha256=hashlib.sha256(original).hexdigest())
        trail.append(previous)
    with sessions.begin() as session:
        put_record(session, store, RecordIndex(
            envelope_id="env-old", plan_id="PIP-2025-7", employee_name="Alex Sample",
            employee_id=None, manager_name="Jo Manager", department=None,
            outcome="acknowledged", sent_at=trail[0].at, completed_at=trail[1].at),
            RecordDocuments(original_pdf=original, final_pdf=final, plan_data={},
                            audit_trail=[audit.to_json(r) for r in trail]),
            now=sealed_at)
    return sessions, store, final


def line(sessions, store, key, name):
    with sessions() as session:
        checks = verification.verify_envelope(
            session, store, "env-old", lambda pdf: validate(pdf, trusted=[key.certificate]))
    return next(c for c in checks if c.name == name)


def test_a_seal_made_while_the_certificate_was_valid_still_verifies(
        tmp_path, database_url, expired_key):
    sessions, store, _ = archive_sealed(tmp_path, database_url, expired_key,
                                        sealed_at=SEALED_AT)
    assert expired_key.certificate.not_valid_after_utc < NOW  # expired since
    seal_check = line(sessions, store, expired_key, "seal")
    assert seal_check.ok, seal_check.detail
    time_check = line(sessions, store, expired_key, "seal time")
    assert time_check.ok, time_check.detail
    assert f"sealing at {SEALED_AT:%Y-%m-%d %H:%M:%S} UTC" in time_check.detail


def test_a_seal_whose_time_the_audit_trail_does_not_bear_out_fails(
        tmp_path, database_url, expired_key):
    # The trail records the sealing ten days after the time the seal claims: a backdated
    # seal, or a trail that is not this seal's.
    sessions, store, _ = archive_sealed(tmp_path, database_url, expired_key,
                                        sealed_at=SEALED_AT + dt.timedelta(days=10))
    time_check = line(sessions, store, expired_key, "seal time")
    assert not time_check.ok


def test_verify_still_loads_an_expired_configured_certificate(tmp_path, expired_key):
    """The trust list for verify is the configured certificate even once it has expired
    (sealing refuses it; verifying must not)."""
    settings = load_settings({"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
                              "PLANSIGN_SEAL_KEY_PATH": str(tmp_path / "seal.key"),
                              "PLANSIGN_SEAL_CERT_PATH": str(tmp_path / "seal.crt")})
    assert instance.trusted_seal_certificates(settings)[0] == expired_key.certificate


def test_a_seal_made_after_its_certificate_expired_fails(tmp_path, database_url, expired_key):
    """plansign refuses to seal with an expired certificate; a PDF sealed that way by
    anything else (a forger with an old key, a tool that does not check) fails verify."""
    class Unchecked(type(expired_key)):  # a signer that does not check dates
        def check_valid_at(self, now):
            return None

    forger = Unchecked(**{f.name: getattr(expired_key, f.name) for f in fields(expired_key)})
    late = seal(make_pdf(1), forger, reason="r", now=EXPIRED + dt.timedelta(days=10))
    report = validate(late, trusted=[expired_key.certificate])
    assert not report.ok
    assert any("not valid when the seal was made" in p for p in report.problems)
    # ... whereas the same certificate's seal made in time still passes today.
    timely = seal(make_pdf(1), expired_key, reason="r", now=SEALED_AT)
    assert validate(timely, trusted=[expired_key.certificate]).ok


def test_a_record_sealed_before_the_trail_was_attached_is_checked_by_its_certificate(
        tmp_path, database_url):
    """Records sealed before the audit trail was attached state its head on their
    certificate page only: the archived trail must still reach that head, which a
    rewritten, re-chained trail cannot."""
    key = create_self_signed(tmp_path / "seal", "Acme Test Ltd", now=NOW)
    original = make_pdf(2)
    trail, previous = [], None
    for event in (Event("envelope.sent"), Event("signer.viewed", "s1"),
                  Event("signer.acknowledged", "s1", {"typed_name": "Alex Sample"}),
                  Event("envelope.completed")):
        previous = audit.append(previous, event, envelope_id="env-legacy",
                                at=NOW - dt.timedelta(hours=1), actor="signer:s1",
                                ip="203.0.113.9", document_sha256=sha256(original))
        trail.append(previous)
    completion = dataclasses.replace(
        kit.completion(original, kit.signer("employee", "Alex Sample")),
        envelope_id="env-legacy", audit_head_hash=trail[-1].hash)
    final = seal(without_attachments(stamp(original, completion).pdf), key,
                 reason="Sealed record", now=NOW)
    previous = audit.append(previous, Event("envelope.sealed",
                                            data={"final_sha256": sha256(final)}),
                            envelope_id="env-legacy", at=NOW, actor="worker")
    trail.append(previous)
    engine = make_engine(database_url)
    upgrade(engine)
    sessions, store = make_session_factory(engine), FolderStore(tmp_path / "archive")
    with sessions.begin() as session:
        put_record(session, store, RecordIndex(
            envelope_id="env-legacy", plan_id="PIP-2025-9", employee_name="Alex Sample",
            employee_id=None, manager_name="Jo Manager", department=None,
            outcome="acknowledged", sent_at=trail[0].at, completed_at=trail[3].at),
            RecordDocuments(original_pdf=original, final_pdf=final, plan_data={},
                            audit_trail=[audit.to_json(r) for r in trail]), now=NOW)

    def checks():
        with sessions() as session:
            return {c.name: c for c in verification.verify_envelope(
                session, store, "env-legacy",
                lambda pdf: validate(pdf, trusted=[key.certificate]))}

    assert stated_trail(final).records is None  # a record as made before
    genuine = checks()
    assert all(c.ok for c in genuine.values()), [c for c in genuine.values() if not c.ok]
    assert "states the head" in genuine["audit chain (sealed PDF)"].detail
    assert genuine["audit trail (archive) against the seal"].detail.startswith("its event 4")

    # The acknowledgement rewritten, the chain recomputed, the archived trail replaced.
    forged, previous = [], None
    for record in trail:
        changed = dataclasses.replace(record, prev_hash=previous.hash if previous
                                      else audit.GENESIS,
                                      ip="198.51.100.66" if record.seq == 3 else record.ip)
        previous = dataclasses.replace(changed, hash=audit.record_hash(changed))
        forged.append(previous)
    with sessions.begin() as session:
        row = session.get_one(ArchivedRecord, "env-legacy")
        row.audit_sha256 = store.put(canonical_json([audit.to_json(r) for r in forged]))
    after = checks()
    assert after["audit chain (archive)"].ok  # consistent with itself ...
    against = after["audit trail (archive) against the seal"]
    assert not against.ok and "the trail was changed after sealing" in against.detail


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
