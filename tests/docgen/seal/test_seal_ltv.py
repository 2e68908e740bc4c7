"""Long-term validation against a real PKI on 127.0.0.1 (testsupport.pki): B-LT and B-LTA
seals, revocation before and after sealing, archive timestamps that outlive an expiring
timestamp authority, and tampering.

The PKI's clock is set back to 2025 to seal "then"; validation is always as of today,
which is what `plansign verify` does (pyHanko counts the real clock as the present)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from docgen.seal import (
    SealError,
    SealingFailed,
    SealingKey,
    add_archive_timestamp,
    load_sealing_key,
    refresh_reason,
    resolve_level,
    seal,
    seal_level,
    timestamps,
    validate,
)
from tests.docgen.seal.sealkit import pdfsig
from testsupport.pki import OLD_TSA_EXPIRES, REVOKED_ON, Pki

REASON = "Performance Improvement Plan, acknowledged"


@pytest.fixture(scope="module")
def ca_key(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> SealingKey:
    key, chain = pki.write_seal_files(tmp_path_factory.mktemp("seal"))
    return load_sealing_key(key_path=key, cert_path=chain)


@pytest.fixture(scope="module")
def revoked_key(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> SealingKey:
    key, chain = pki.write_seal_files(tmp_path_factory.mktemp("seal"), cert="seal-revoked")
    return load_sealing_key(key_path=key, cert_path=chain, check_dates=False)


def roots(pki: Pki) -> list[bytes]:
    return [pki.pem("root")]


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_seals_validate_in_pyhanko(pdf: bytes, pki: Pki, ca_key: SealingKey,
                                             level: str) -> None:
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url(), level=level)
    assert sealed.startswith(pdf)
    report = validate(sealed, trusted=roots(pki))
    assert report.ok, report.problems
    assert report.level == seal_level(sealed) == level
    kinds = [t.kind for t in report.timestamps]
    assert kinds == (["signature"] if level == "B-LT" else ["signature", "document"])
    assert report.timestamps[0].authority == "CN=Acme Test TSA 2,O=Acme Test Ltd,C=GB"
    assert report.timestamps[0].expires == datetime(2045, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_long_term_seals_validate_in_pdfsig(pdf: bytes, pki: Pki, ca_key: SealingKey,
                                            level: str, tmp_path) -> None:
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url(), level=level)
    report = pdfsig(sealed, tmp_path, trusted=roots(pki))
    seal_part = report.split("Signature #2")[0]  # the seal; #2 is the document timestamp
    assert "Signature Validation: Signature is Valid." in seal_part, report
    assert "Certificate Validation: Certificate is Trusted." in seal_part, report
    assert report.count("Signature Validation: Signature is Valid.") == 1, report
    assert "Signature Type: ETSI.CAdES.detached" in report, report
    if level == "B-LTA":  # the document timestamp is a second signature field
        assert "Signer Certificate Common Name: Acme Test TSA 2" in report, report
    # A reader whose NSS database does not hold the root: intact, but not trusted.
    (tmp_path / "untrusted").mkdir()
    untrusted = pdfsig(sealed, tmp_path / "untrusted")
    assert "Signature Validation: Signature is Valid." in untrusted, untrusted
    assert "Certificate is Trusted" not in untrusted, untrusted


def test_the_levels_below_stay_available(pdf: bytes, pki: Pki, ca_key: SealingKey) -> None:
    assert validate(seal(pdf, ca_key, reason=REASON), trusted=roots(pki)).level == "B-B"
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url(), level="B-T")
    assert validate(sealed, trusted=roots(pki)).level == "B-T"


def test_auto_is_b_lta_for_a_ca_certificate_with_a_tsa(ca_key: SealingKey,
                                                       seal_key: SealingKey) -> None:
    assert resolve_level("auto", "http://tsa", ca_key) == "B-LTA"
    assert resolve_level("auto", "http://tsa", seal_key) == "B-T"  # self-signed
    assert resolve_level("auto", None, ca_key) == "B-B"
    assert resolve_level("b-lt", "http://tsa", ca_key) == "B-LT"


def test_long_term_levels_need_a_timestamp_authority(pdf: bytes, ca_key: SealingKey) -> None:
    with pytest.raises(SealError, match="seal_level: B-LTA needs a timestamp authority"):
        seal(pdf, ca_key, reason=REASON, level="B-LTA")
    with pytest.raises(SealError, match="seal_level: 'B-X' is not one of"):
        seal(pdf, ca_key, reason=REASON, timestamp_url="http://tsa", level="B-X")


def test_a_seal_made_before_its_certificate_was_revoked_stays_valid(
        pdf: bytes, pki_clock: Pki, revoked_key: SealingKey) -> None:
    pki = pki_clock
    pki.freeze(REVOKED_ON - timedelta(days=30))
    sealed = seal(pdf, revoked_key, reason=REASON, timestamp_url=pki.tsa_url(),
                  level="B-LTA", now=pki.now())
    report = validate(sealed, trusted=roots(pki))
    assert report.ok, report.problems


def test_a_seal_after_its_certificate_was_revoked_fails(
        pdf: bytes, pki_clock: Pki, revoked_key: SealingKey) -> None:
    pki = pki_clock
    pki.freeze(REVOKED_ON + timedelta(days=30))
    with pytest.raises(SealingFailed, match="revoked"):
        seal(pdf, revoked_key, reason=REASON, timestamp_url=pki.tsa_url(), level="B-LTA",
             now=pki.now())
    # A B-T seal made then (no revocation check when sealing) cannot be made long-term.
    late = seal(pdf, revoked_key, reason=REASON, timestamp_url=pki.tsa_url(), level="B-T",
                now=pki.now())
    with pytest.raises(SealingFailed, match="revoked"):
        add_archive_timestamp(late, timestamp_url=pki.tsa_url(), trust_roots=roots(pki),
                              now=pki.now())


def test_a_refresh_before_the_tsa_expires_keeps_the_record_valid_after(
        pdf: bytes, pki_clock: Pki, ca_key: SealingKey) -> None:
    pki = pki_clock
    pki.freeze(OLD_TSA_EXPIRES - timedelta(days=140))
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url("tsa-old"),
                  level="B-LTA", now=pki.now())
    # Today, after the old TSA's certificate expired, nothing proves when it was sealed.
    stale = validate(sealed, trusted=roots(pki))
    assert not stale.ok and "long-term validation" in stale.problems[0], stale.problems

    pki.freeze(OLD_TSA_EXPIRES - timedelta(days=30))
    assert refresh_reason(sealed, now=pki.now(), days_before=60) == (
        "its last timestamp's certificate (CN=Acme Test TSA 1,O=Acme Test Ltd,C=GB) expires "
        "2025-06-01")
    assert refresh_reason(sealed, now=pki.now(), days_before=10) is None
    refreshed = add_archive_timestamp(sealed, timestamp_url=pki.tsa_url("tsa"),
                                      trust_roots=roots(pki), now=pki.now())
    assert refreshed.startswith(sealed)  # the earlier seal and timestamps untouched
    report = validate(refreshed, trusted=roots(pki))
    assert report.ok, report.problems
    assert report.level == "B-LTA"
    stamps = timestamps(refreshed)
    assert [t.kind for t in stamps] == ["signature", "document", "document"]
    assert stamps[-1].authority == "CN=Acme Test TSA 2,O=Acme Test Ltd,C=GB"
    assert refresh_reason(refreshed, now=datetime.now(UTC), days_before=180) is None


def test_retired_digests_call_for_a_refresh(pdf: bytes, pki: Pki, ca_key: SealingKey) -> None:
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url(), level="B-LTA")
    now = datetime.now(UTC)
    assert refresh_reason(sealed, now=now, days_before=30, retired_digests=["sha1"]) is None
    assert refresh_reason(sealed, now=now, days_before=30, retired_digests=["SHA-256"]) == (
        "its last timestamp uses sha256, which is being retired")
    refreshed = add_archive_timestamp(sealed, timestamp_url=pki.tsa_url(),
                                      trust_roots=roots(pki), digest="sha512")
    assert timestamps(refreshed)[-1].digest == "sha512"
    assert validate(refreshed, trusted=roots(pki)).ok
    # B-B has no proof of time to extend.
    assert refresh_reason(seal(pdf, ca_key, reason=REASON), now=now, days_before=30) is None


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_tampering_still_fails(pdf: bytes, pki: Pki, ca_key: SealingKey, level: str) -> None:
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url(), level=level)
    at = len(pdf) // 2  # inside the plan's own bytes
    changed = bytearray(sealed)
    changed[at] ^= 0x01
    report = validate(bytes(changed), trusted=roots(pki))
    assert not report.ok and not report.intact, report
    appended = validate(sealed + b"1 0 obj\n(x)\nendobj\n", trusted=roots(pki))
    assert not appended.ok and not appended.covers_whole_file


def test_a_refreshed_record_that_is_tampered_with_fails(pdf: bytes, pki: Pki,
                                                       ca_key: SealingKey) -> None:
    sealed = seal(pdf, ca_key, reason=REASON, timestamp_url=pki.tsa_url(), level="B-LTA")
    refreshed = bytearray(add_archive_timestamp(sealed, timestamp_url=pki.tsa_url(),
                                                trust_roots=roots(pki)))
    refreshed[len(pdf) // 2] ^= 0x01
    assert not validate(bytes(refreshed), trusted=roots(pki)).ok
