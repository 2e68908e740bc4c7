"""`plansign worker` finalizes what the signers finished, and `plansign verify` checks the
archived record: one line per check, exit 1 on any failure. Real LibreOffice, the
instance folder's self-signed seal and folder archive, as a new installation has them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re

import pytest
from sqlalchemy import select, text

from archive import ArchivedRecord, canonical_json
from config import load_settings
from database import make_session_factory
from signing import instance
from signing.cli import main
from signing.domain import audit
from signing.domain import envelopes as svc
from signing.domain.models import AuditEventRow
from signing.web.app import create_app
from signing.web.current import services_of
from tests.docgen.seal.sealkit import running_tsa
from tests.signing.clikit import archive_one

pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def archived(runner, env, tmp_path):
    """An envelope sent from the CLI, acknowledged, and finalized by the worker, which
    makes the new instance's self-signed seal and says so."""
    envelope_id, record, worked = archive_one(runner, env, tmp_path)
    assert "created a self-signed sealing certificate" in worked
    return envelope_id, record


def test_verify_an_envelope(runner, env, archived):
    envelope_id, _ = archived
    result = runner.invoke(main, ["verify", envelope_id], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(line.startswith("ok  ") for line in lines), result.output
    names = [re.match(r"ok\s+([^:]+):", line).group(1) for line in lines]
    assert names[:2] == ["archive record", "final PDF"] and "seal" in names
    assert "audit chain (archive)" in names and "audit chain (database)" in names
    # ... each checked against the trail the sealed PDF carries.
    assert {"audit chain (sealed PDF)", "audit trail (archive) against the seal",
            "audit trail (database) against the seal",
            "original PDF hash against the seal"} <= set(names)


def rewrite_acknowledgement(env, envelope_id, *, ip, typed_name):
    """What someone with write access to the database and the archive, but not the sealing
    key, can do: rewrite the acknowledgement, recompute the hash chain (it has no key),
    and put the rewritten trail in the archive in place of the old one."""
    sessions = make_session_factory(instance.database_engine(load_settings(env)))
    store = instance.blob_store(load_settings(env))
    with sessions.begin() as session:
        # Write access to the database is enough to lift the append-only guard.
        if session.bind.dialect.name == "postgresql":
            session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            session.execute(text("DROP TRIGGER audit_events_no_update"))
        rows = session.scalars(select(AuditEventRow).where(
            AuditEventRow.envelope_id == envelope_id).order_by(AuditEventRow.seq)).all()
        previous, rewritten = None, []
        for row in rows:
            if row.type == "signer.acknowledged":
                row.ip, row.data = ip, {**row.data, "typed_name": typed_name}
            record = audit.AuditRecord(
                envelope_id=row.envelope_id, seq=row.seq, type=row.type, at=row.at,
                actor=row.actor, ip=row.ip, user_agent=row.user_agent,
                document_sha256=row.document_sha256, signer_id=row.signer_id,
                data=dict(row.data), prev_hash=previous.hash if previous else audit.GENESIS)
            previous = dataclasses.replace(record, hash=audit.record_hash(record))
            row.prev_hash, row.hash = previous.prev_hash, previous.hash
            rewritten.append(previous)
        record = session.get_one(ArchivedRecord, envelope_id)
        archived = [audit.from_json(r) for r in json.loads(store.get(record.audit_sha256))]
        record.audit_sha256 = store.put(canonical_json(
            [audit.to_json(r) for r in rewritten[:len(archived)]]))


def test_a_rewritten_and_rechained_trail_fails_against_the_seal(runner, env, archived):
    envelope_id, _ = archived
    rewrite_acknowledgement(env, envelope_id, ip="198.51.100.66", typed_name="Someone Else")
    result = runner.invoke(main, ["verify", envelope_id], env=env)
    assert result.exit_code == 1, result.output
    # Each trail is consistent with itself: the chain alone cannot tell ...
    assert "ok    audit chain (archive):" in result.output
    assert "ok    audit chain (database):" in result.output
    assert "ok    seal:" in result.output and "ok    audit chain (sealed PDF):" in result.output
    # ... the sealed PDF can, and says what was changed.
    for where in ("archive", "database"):
        failed = next(line for line in result.output.splitlines()
                      if line.startswith(f"FAIL  audit trail ({where}) against the seal:"))
        assert "(signer.acknowledged) differs from the sealed PDF's" in failed
        assert 'ip is "198.51.100.66", sealed as "203.0.113.9"' in failed
        assert 'data.typed_name is "Someone Else"' in failed


def test_a_file_is_checked_by_the_trail_it_carries_alone(runner, env, archived, tmp_path):
    """Handed to an installation that has never seen it, the sealed PDF still proves its
    trail: the chain it carries is checked, though it is not in this archive."""
    _, record = archived
    final = tmp_path / "final.pdf"
    final.write_bytes(instance.blob_store(load_settings(env)).get(record.final_sha256))
    from cryptography.hazmat.primitives.serialization import Encoding

    trust = tmp_path / "seal.pem"
    (certificate,) = instance.trusted_seal_certificates(load_settings(env))
    trust.write_bytes(certificate.public_bytes(Encoding.PEM))
    elsewhere = {**env, "PLANSIGN_INSTANCE_PATH": str(tmp_path / "elsewhere"),
                 "PLANSIGN_DATABASE_URL": f"sqlite:///{tmp_path / 'elsewhere.db'}",
                 "PLANSIGN_SEAL_TRUST_PATH": str(trust)}
    result = runner.invoke(main, ["verify", str(final)], env=elsewhere)
    assert result.exit_code == 1, result.output  # not archived here
    assert "ok    seal:" in result.output
    assert "ok    audit chain (sealed PDF): " in result.output
    assert f"events of envelope {record.envelope_id}, head " in result.output
    assert "FAIL  archived:" in result.output


def test_verify_a_file_and_a_tampered_copy(runner, env, archived, tmp_path):
    _, record = archived
    store = instance.blob_store(load_settings(env))
    good = tmp_path / "final.pdf"
    good.write_bytes(store.get(record.final_sha256))
    result = runner.invoke(main, ["verify", str(good)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok    archived: the final PDF of envelope")

    tampered = bytearray(good.read_bytes())
    tampered[len(tampered) // 2] ^= 0x20
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(bytes(tampered))
    result = runner.invoke(main, ["verify", str(bad)], env=env)
    assert result.exit_code == 1
    assert "FAIL  seal:" in result.output and "FAIL  archived:" in result.output


def test_an_existing_file_is_checked_as_a_file_whatever_its_name(runner, env, archived,
                                                               tmp_path):
    envelope_id, record = archived
    final = instance.blob_store(load_settings(env)).get(record.final_sha256)
    for name in ("record.bin", "no-suffix", envelope_id):
        path = tmp_path / name
        path.write_bytes(final)
        result = runner.invoke(main, ["verify", str(path)], env=env)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("ok    archived: the final PDF of envelope"), name
    not_a_pdf = tmp_path / "notes.txt"
    not_a_pdf.write_text("hello")
    result = runner.invoke(main, ["verify", str(not_a_pdf)], env=env)
    assert result.exit_code == 1
    assert "FAIL  seal: the file is not a readable PDF" in result.output
    assert "FAIL  archived: no archived plan has this file" in result.output


def test_a_corrupted_archive_blob_fails_verification(runner, env, archived):
    envelope_id, record = archived
    path = instance.blob_store(load_settings(env)).path(record.final_sha256)
    os.chmod(path, 0o640)
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    result = runner.invoke(main, ["verify", envelope_id], env=env)
    assert result.exit_code == 1
    assert f"FAIL  final PDF: blob {record.final_sha256} is corrupted" in result.output


def test_verify_an_unknown_envelope(runner, env, tmp_path):
    result = runner.invoke(main, ["verify", "no-such-envelope"], env=env)
    assert result.exit_code == 1
    assert result.output == ("FAIL  archive record: no archived record for envelope "
                             "no-such-envelope\n")


def test_the_signer_page_then_offers_the_sealed_pdf(runner, env, archived):
    envelope_id, record = archived
    app = create_app({"instance_path": env["PLANSIGN_INSTANCE_PATH"], "secret_keys": "k" * 40,
                      "database_url": env["PLANSIGN_DATABASE_URL"]})
    sessions = services_of(app).sessions
    with sessions() as session:
        signer = svc.load(session, envelope_id).signers[0]
        token = services_of(app).links.sign(signer.id, signer.nonce)
    client = app.test_client()
    client.get(f"/s/{token}")
    page = client.get("/sign").get_data(as_text=True)
    assert "the final, sealed plan" in page
    pdf = client.get("/sign/document.pdf?download=1")
    assert pdf.headers["Content-Disposition"] == \
        'attachment; filename="performance-plan-signed.pdf"'
    assert hashlib.sha256(pdf.data).hexdigest() == record.final_sha256


def test_a_timestamped_seal_verifies_once_its_authority_is_trusted(runner, env, tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding

    with running_tsa() as tsa:
        env = {**env, "PLANSIGN_SEAL_TIMESTAMP_URL": tsa.url}
        envelope_id, _, _ = archive_one(runner, env, tmp_path)
        assert tsa.requests >= 1  # pyHanko may ask once more to size the token
    untrusted = runner.invoke(main, ["verify", envelope_id], env=env)
    assert untrusted.exit_code == 1
    assert "FAIL  seal: the timestamp authority's certificate" in untrusted.output
    trust = tmp_path / "trust.pem"
    trust.write_bytes(tsa.certificate.public_bytes(Encoding.PEM))
    trusted = runner.invoke(main, ["verify", envelope_id],
                            env={**env, "PLANSIGN_SEAL_TRUST_PATH": str(trust)})
    assert trusted.exit_code == 0, trusted.output
    missing = runner.invoke(main, ["verify", envelope_id],
                            env={**env, "PLANSIGN_SEAL_TRUST_PATH": str(tmp_path / "no.pem")})
    assert missing.exit_code == 1 and "seal_trust_path:" in missing.output
    assert "does not exist" in missing.output
