"""`plansign archive refresh-timestamps`: a record sealed at B-LTA by the worker with a
CA-issued key (the certomancer PKI on 127.0.0.1) gets a new archive timestamp, kept as a
new version beside the old one, recorded in its trail, served by `archive get`, and still
verified by `plansign verify`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from archive import ArchivedRecord, FolderStore, RecordVersion
from config import load_settings
from database import make_session_factory
from docgen.seal import seal_level, timestamps
from signing import instance
from signing.cli import main
from signing.domain import envelopes as svc
from signing.domain.events import EventType
from tests.signing.clikit import archive_one
from testsupport.pki import Pki, running_pki

pytestmark = pytest.mark.usefixtures("clean_env")

# The PKI's TSA certificate runs to 2045: a horizon this long makes every record due.
EVERYTHING_DUE = "8000"


@pytest.fixture(scope="module")
def pki() -> Pki:
    with running_pki() as served:
        yield served


@pytest.fixture
def ca_env(env, pki: Pki, tmp_path):
    key, chain = pki.write_seal_files(tmp_path)
    return {**env, "PLANSIGN_SEAL_KEY_PATH": str(key), "PLANSIGN_SEAL_CERT_PATH": str(chain),
            "PLANSIGN_SEAL_TIMESTAMP_URL": pki.tsa_url(), "PLANSIGN_SEAL_REFRESH_HOURS": "0"}


def test_refresh_adds_a_version_the_trail_records_and_verify_accepts(runner, ca_env,
                                                                       tmp_path) -> None:
    envelope_id, record, _ = archive_one(runner, ca_env, tmp_path)
    settings = load_settings(ca_env)
    store = instance.blob_store(settings)
    sealed = store.get(record.final_sha256)
    assert seal_level(sealed) == "B-LTA"  # auto, for a CA-issued key with a TSA

    nothing = runner.invoke(main, ["archive", "refresh-timestamps"], env=ca_env)
    assert nothing.exit_code == 0, nothing.output
    assert nothing.output.strip() == "0 record(s) refreshed"

    env = {**ca_env, "PLANSIGN_SEAL_REFRESH_DAYS_BEFORE": EVERYTHING_DUE}
    dry = runner.invoke(main, ["archive", "refresh-timestamps", "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert f"due {envelope_id}: its last timestamp's certificate" in dry.output
    done = runner.invoke(main, ["archive", "refresh-timestamps"], env=env)
    assert done.exit_code == 0, done.output
    assert f"refreshed {envelope_id}" in done.output and "1 record(s) refreshed" in done.output

    sessions = make_session_factory(instance.database_engine(settings))
    with sessions() as session:
        now = session.get_one(ArchivedRecord, envelope_id)
        listed = session.scalars(select(RecordVersion).where(
            RecordVersion.envelope_id == envelope_id).order_by(RecordVersion.version)).all()
        trail = svc.audit_trail(session, envelope_id)
    assert [(v.version, v.sha256) for v in listed] == [
        (1, record.final_sha256), (2, now.final_sha256)]
    renewed = store.get(now.final_sha256)
    assert renewed.startswith(sealed) and store.get(record.final_sha256) == sealed
    assert [t.kind for t in timestamps(renewed)] == ["signature", "document", "document"]
    assert trail[-1].type == EventType.ENVELOPE_RETIMESTAMPED
    assert trail[-1].data["previous_sha256"] == record.final_sha256
    assert trail[-1].data["final_sha256"] == now.final_sha256

    got = runner.invoke(main, ["archive", "get", envelope_id, "--out",
                               str(tmp_path / "got")], env=ca_env)
    assert got.exit_code == 0, got.output
    assert (tmp_path / "got" / "final.pdf").read_bytes() == renewed

    verified = runner.invoke(main, ["verify", envelope_id], env=ca_env)
    assert verified.exit_code == 0, verified.output
    assert "seal: valid (PAdES B-LTA) from the certificates and revocation data" in \
        verified.output
    assert "ok    timestamp 3: document timestamp" in verified.output
    assert "final PDF hash: the audit trail records sealing version 1; versions 2 to 2" in \
        verified.output
    old = tmp_path / "old.pdf"
    old.write_bytes(sealed)
    earlier = runner.invoke(main, ["verify", str(old)], env=ca_env)
    assert earlier.exit_code == 0, earlier.output
    assert f"version 1 of the final PDF of envelope {envelope_id}" in earlier.output


def test_a_version_that_does_not_extend_the_last_fails_verify(runner, ca_env, tmp_path
                                                             ) -> None:
    envelope_id, record, _ = archive_one(runner, ca_env, tmp_path)
    env = {**ca_env, "PLANSIGN_SEAL_REFRESH_DAYS_BEFORE": EVERYTHING_DUE}
    assert runner.invoke(main, ["archive", "refresh-timestamps"], env=env).exit_code == 0
    settings = load_settings(ca_env)
    store: FolderStore = instance.blob_store(settings)
    sessions = make_session_factory(instance.database_engine(settings))
    # Someone with database access points version 2 at another sealed PDF.
    other = store.put(store.get(record.final_sha256) + b"\n% changed\n")
    with sessions.begin() as session:
        session.get_one(ArchivedRecord, envelope_id).final_sha256 = other
        version = session.scalars(select(RecordVersion).where(
            RecordVersion.envelope_id == envelope_id, RecordVersion.version == 2)).one()
        version.sha256 = other
    verified = runner.invoke(main, ["verify", envelope_id], env=ca_env)
    assert verified.exit_code == 1
    assert "FAIL  final PDF hash: the audit trail does not record version 2" in \
        verified.output


def test_refresh_needs_a_timestamp_authority(runner, env) -> None:
    result = runner.invoke(main, ["archive", "refresh-timestamps"], env=env)
    assert result.exit_code == 2
    assert "seal_timestamp_url is not set" in result.output


def test_the_worker_refreshes_on_its_schedule(runner, ca_env, tmp_path) -> None:
    env = {**ca_env, "PLANSIGN_SEAL_REFRESH_HOURS": "24",
           "PLANSIGN_SEAL_REFRESH_DAYS_BEFORE": EVERYTHING_DUE}
    envelope_id, _, worked = archive_one(runner, env, tmp_path)
    # The pass that archived the record ran the refresh after it.
    assert "added an archive timestamp to 1 record" in worked
    settings = load_settings(env)
    sessions = make_session_factory(instance.database_engine(settings))
    with sessions() as session:
        assert session.scalars(select(RecordVersion.version).where(
            RecordVersion.envelope_id == envelope_id)).all() == [1, 2]


def test_records_refreshed_a_few_at_once_and_a_second_run_finds_nothing(
        pki: Pki, sessions, tmp_path) -> None:
    """Four records sharing one sealed PDF (B-LTA, SHA-256 timestamps), all due because
    SHA-256 is retired; refreshed three at a time, each gets its own new version and its
    seal noted from the new token; a second run reads nothing."""
    import datetime as dt

    from docgen.seal import load_sealing_key, seal
    from signing.domain.archive_timestamps import RefreshPolicy, due, refresh
    from tests.docgen.seal.sealkit import make_pdf

    key_path, chain = pki.write_seal_files(tmp_path)
    key = load_sealing_key(key_path=key_path, cert_path=chain)
    store = FolderStore(tmp_path / "blobs")
    sealed = store.put(seal(make_pdf(2), key, reason="r", timestamp_url=pki.tsa_url(),
                            level="B-LTA"))
    now = dt.datetime.now(dt.UTC)
    ids = [f"{n:08d}-0000-4000-8000-000000000000" for n in range(4)]
    with sessions.begin() as session:
        session.add_all(ArchivedRecord(
            envelope_id=envelope_id, plan_id="PIP", employee_name="E",
            employee_name_folded="e", employee_id=None, manager_name="M",
            manager_name_folded="m", department="Sales", outcome="acknowledged",
            sent_at=now, completed_at=now, archived_at=now, sent_by="hr", team=None,
            original_sha256=sealed, final_sha256=sealed, plan_sha256=sealed,
            audit_sha256=sealed, retain_until=None) for envelope_id in ids)
    policy = RefreshPolicy(timestamp_url=pki.tsa_url(), days_before=180,
                           retired_digests=("sha256",), trust_roots=(pki.pem("root"),),
                           concurrency=3)
    outcomes = refresh(sessions, store, policy, now=now, limit=10)
    assert [(o.envelope_id, o.refreshed) for o in outcomes] == [(i, True) for i in ids], \
        outcomes
    assert all("sha256, which is being retired" in o.detail for o in outcomes)
    assert len({o.new_sha256 for o in outcomes}) == 4  # a timestamp of its own each
    with sessions() as session:
        for outcome in outcomes:
            record = session.get_one(ArchivedRecord, outcome.envelope_id)
            renewed = store.get(record.final_sha256)
            assert (record.seal_level, record.stamp_digest) == (seal_level(renewed), "sha512")
            assert record.stamp_expires_at == timestamps(renewed)[-1].expires
            assert [v.version for v in session.scalars(select(RecordVersion).where(
                RecordVersion.envelope_id == outcome.envelope_id))] == [1, 2]
        assert due(session, policy, now, 10) == []
    assert refresh(sessions, store, policy, now=now, limit=10) == []
