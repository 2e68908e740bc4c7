"""Loading the sealing key (PKCS#12, PEM), the self-signed fallback, and clear errors."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from docgen.seal import (
    SealCertificateExpired,
    SealCertificateMismatch,
    SealKeyError,
    SealKeyUnreadable,
    SealPassphraseError,
    create_self_signed,
    load_sealing_key,
    seal,
    sealing_key_for,
    self_signed_path,
    validate,
)
from tests.docgen.seal.sealkit import cert_pem, certificate, key_pem, key_usage, name

NOW = datetime.now(UTC)
ORG = "Acme Test Ltd"


@pytest.fixture(scope="module")
def ca() -> tuple:
    """An organisation's CA (RSA) and a seal certificate it issued for an RSA 2048 key."""
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_cert = certificate(name("Acme Test Root CA"), ca_key, ca=True)
    seal_key = rsa.generate_private_key(65537, 2048)
    seal_cert = certificate(name("Acme Test Ltd document seal"), seal_key,
                            issuer=(ca_cert.subject, ca_key))
    return ca_key, ca_cert, seal_key, seal_cert


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- the self-signed fallback ---------------------------------------------------------------

def test_without_settings_a_self_signed_key_is_created_once(tmp_path: Path) -> None:
    key, notice = sealing_key_for({}, instance_folder=tmp_path, organisation=ORG, now=NOW)
    path = tmp_path / "seal" / "seal.pem"
    assert notice == (f"created a self-signed sealing certificate in {path}; configure "
                      f"seal_pkcs12_path for your organisation's certificate")
    assert self_signed_path(tmp_path / "seal") == path
    again, second_notice = sealing_key_for({}, instance_folder=tmp_path, organisation=ORG,
                                           now=NOW)
    assert second_notice is None
    assert again.certificate == key.certificate


def test_the_self_signed_key_file_is_owner_only_and_no_temporary_file_is_left(
        tmp_path: Path) -> None:
    sealing_key_for({}, instance_folder=tmp_path, organisation=ORG, now=NOW)
    folder = tmp_path / "seal"
    assert sorted(p.name for p in folder.iterdir()) == ["seal.pem"]
    assert stat.S_IMODE((folder / "seal.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_self_signed_certificate_is_fit_for_sealing(tmp_path: Path) -> None:
    key = create_self_signed(tmp_path, ORG, now=NOW)
    cert = key.certificate
    assert key.subject == f"O={ORG},CN={ORG} document seal"
    usage = cert.extensions.get_extension_for_class(type(key_usage())).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert timedelta(days=3650) <= cert.not_valid_after_utc - NOW <= timedelta(days=3660)
    assert isinstance(key.private_key, ec.EllipticCurvePrivateKey)


def test_a_very_long_organisation_name_still_makes_a_certificate(tmp_path: Path) -> None:
    key = create_self_signed(tmp_path, "A" * 200, now=NOW)
    assert key.subject.endswith(" document seal")


def test_a_second_process_creating_at_once_ends_up_with_the_first_ones_key(
        tmp_path: Path) -> None:
    # The loser of the race finds the file already published and loads it.
    first = create_self_signed(tmp_path, ORG, now=NOW)
    from docgen import write_once
    from docgen.seal.selfsigned import _make_pem

    assert write_once(self_signed_path(tmp_path), _make_pem(ORG, NOW)) is False
    assert create_self_signed(tmp_path, ORG, now=NOW).certificate == first.certificate
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seal.pem"]


def test_an_expired_self_signed_certificate_says_what_to_do(tmp_path: Path) -> None:
    create_self_signed(tmp_path, ORG, now=NOW)
    with pytest.raises(SealCertificateExpired, match=r"delete .*seal.pem to have plansign create"):
        create_self_signed(tmp_path, ORG, now=NOW + timedelta(days=4000))


# -- PKCS#12 ----------------------------------------------------------------------------------

def test_a_pkcs12_file_with_its_chain_loads_and_seals(tmp_path: Path, ca, pdf: bytes) -> None:
    _, ca_cert, seal_key, seal_cert = ca
    p12 = write(tmp_path / "seal.p12", pkcs12.serialize_key_and_certificates(
        b"seal", seal_key, seal_cert, [ca_cert],
        serialization.BestAvailableEncryption(b"s3cret")))
    key = load_sealing_key(pkcs12_path=p12, pkcs12_passphrase="s3cret", now=NOW)
    assert key.certificate == seal_cert and key.chain == (ca_cert,)
    # Trusting the CA alone is enough: the seal carries the chain.
    report = validate(seal(pdf, key, reason="r"), trusted=[ca_cert])
    assert report.ok, report.problems


def test_settings_naming_a_pkcs12_file_are_used(tmp_path: Path, ca) -> None:
    _, ca_cert, seal_key, seal_cert = ca
    p12 = write(tmp_path / "seal.p12", pkcs12.serialize_key_and_certificates(
        b"seal", seal_key, seal_cert, [ca_cert], serialization.NoEncryption()))
    settings = {"seal_pkcs12_path": str(p12), "seal_pkcs12_passphrase": None,
                "seal_key_path": "", "seal_cert_path": ""}
    key, notice = sealing_key_for(settings, instance_folder=tmp_path / "instance",
                                  organisation=ORG, now=NOW)
    assert notice is None and key.certificate == seal_cert
    assert not (tmp_path / "instance").exists()


def test_loaded_keys_are_cached_until_the_file_changes(tmp_path: Path, ca) -> None:
    _, ca_cert, seal_key, seal_cert = ca
    data = pkcs12.serialize_key_and_certificates(b"seal", seal_key, seal_cert, [ca_cert],
                                                 serialization.NoEncryption())
    p12 = write(tmp_path / "seal.p12", data)
    first = load_sealing_key(pkcs12_path=p12, now=NOW)
    assert load_sealing_key(pkcs12_path=p12, now=NOW) is first
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_cert = certificate(name("Replacement seal"), other_key, usage=key_usage())
    replacement = tmp_path / "new.p12"
    write(replacement, pkcs12.serialize_key_and_certificates(
        b"seal", other_key, other_cert, None, serialization.NoEncryption()))
    os.replace(replacement, p12)
    assert load_sealing_key(pkcs12_path=p12, now=NOW).certificate == other_cert


@pytest.mark.parametrize("given, message", [
    (None, "seal_pkcs12_passphrase is not set, and the file is encrypted"),
    ("wrong", "seal_pkcs12_passphrase is wrong"),
])
def test_a_wrong_or_missing_pkcs12_passphrase_is_named(tmp_path: Path, ca, given,
                                                       message: str) -> None:
    _, _, seal_key, seal_cert = ca
    p12 = write(tmp_path / "seal.p12", pkcs12.serialize_key_and_certificates(
        b"seal", seal_key, seal_cert, None, serialization.BestAvailableEncryption(b"right")))
    with pytest.raises(SealPassphraseError, match=message) as info:
        load_sealing_key(pkcs12_path=p12, pkcs12_passphrase=given, now=NOW)
    assert info.value.setting == "seal_pkcs12_passphrase"


def test_a_file_that_is_not_pkcs12_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "seal.p12", b"certainly not PKCS#12")
    with pytest.raises(SealKeyUnreadable,
                       match=r"seal_pkcs12_path: .*seal.p12 is not a PKCS#12 file"):
        load_sealing_key(pkcs12_path=path, pkcs12_passphrase="x", now=NOW)


def test_a_missing_file_or_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(SealKeyUnreadable, match=r"seal_pkcs12_path: .*nope.p12 does not exist"):
        load_sealing_key(pkcs12_path=tmp_path / "nope.p12", now=NOW)
    with pytest.raises(SealKeyUnreadable, match="is a folder, not a file"):
        load_sealing_key(pkcs12_path=tmp_path, now=NOW)
    with pytest.raises(SealKeyUnreadable, match=r"seal_key_path: .*key.pem does not exist"):
        load_sealing_key(key_path=tmp_path / "key.pem", cert_path=tmp_path / "c.pem", now=NOW)


# -- PEM key and certificate ------------------------------------------------------------------

def test_pem_key_and_certificate_with_chain_load(tmp_path: Path, ca) -> None:
    _, ca_cert, seal_key, seal_cert = ca
    key_file = write(tmp_path / "key.pem", key_pem(seal_key, b"pem-pass"))
    cert_file = write(tmp_path / "cert.pem", cert_pem(ca_cert, seal_cert))  # any order
    key = load_sealing_key(key_path=key_file, cert_path=cert_file,
                           key_passphrase="pem-pass", now=NOW)
    assert key.certificate == seal_cert and key.chain == (ca_cert,)
    assert str(cert_file) in key.source


def test_one_pem_file_may_hold_key_and_certificate(tmp_path: Path, ca) -> None:
    _, _, seal_key, seal_cert = ca
    both = write(tmp_path / "both.pem", key_pem(seal_key) + cert_pem(seal_cert))
    assert load_sealing_key(key_path=both, cert_path=both, now=NOW).certificate == seal_cert


def test_der_key_and_certificate_load(tmp_path: Path, ca) -> None:
    _, _, seal_key, seal_cert = ca
    key_file = write(tmp_path / "key.der", seal_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    cert_file = write(tmp_path / "cert.der", seal_cert.public_bytes(serialization.Encoding.DER))
    assert load_sealing_key(key_path=key_file, cert_path=cert_file,
                            now=NOW).certificate == seal_cert


@pytest.mark.parametrize("given, message", [
    (None, "seal_key_passphrase is not set, and the key in .* is encrypted"),
    ("wrong", "seal_key_passphrase is wrong"),
])
def test_a_wrong_or_missing_key_passphrase_is_named(tmp_path: Path, ca, given,
                                                    message: str) -> None:
    _, _, seal_key, seal_cert = ca
    key_file = write(tmp_path / "key.pem", key_pem(seal_key, b"right"))
    cert_file = write(tmp_path / "cert.pem", cert_pem(seal_cert))
    with pytest.raises(SealPassphraseError, match=message) as info:
        load_sealing_key(key_path=key_file, cert_path=cert_file, key_passphrase=given, now=NOW)
    assert info.value.setting == "seal_key_passphrase"


def test_a_certificate_for_another_key_is_a_mismatch(tmp_path: Path, ca) -> None:
    _, ca_cert, seal_key, _ = ca
    key_file = write(tmp_path / "key.pem", key_pem(seal_key))
    cert_file = write(tmp_path / "cert.pem", cert_pem(ca_cert))
    with pytest.raises(SealCertificateMismatch,
                       match="does not belong to the private key in seal_key_path") as info:
        load_sealing_key(key_path=key_file, cert_path=cert_file, now=NOW)
    assert info.value.setting == "seal_cert_path"


def test_an_expired_or_future_certificate_is_refused(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    key_file = write(tmp_path / "key.pem", key_pem(key))
    expired = certificate(name("Old seal"), key, usage=key_usage(),
                          not_before=NOW - timedelta(days=800),
                          not_after=NOW - timedelta(days=2))
    cert_file = write(tmp_path / "cert.pem", cert_pem(expired))
    with pytest.raises(SealCertificateExpired,
                       match=r"from .*cert.pem \(seal_cert_path\) expired on .*point "
                             r"seal_cert_path"):
        load_sealing_key(key_path=key_file, cert_path=cert_file, now=NOW)
    future = certificate(name("Future seal"), key, usage=key_usage(),
                         not_before=NOW + timedelta(days=2), not_after=NOW + timedelta(days=9))
    write(tmp_path / "future.pem", cert_pem(future))
    with pytest.raises(SealCertificateExpired, match="is not valid until"):
        load_sealing_key(key_path=key_file, cert_path=tmp_path / "future.pem", now=NOW)


def test_a_certificate_not_for_signatures_is_refused(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate(name("Encryption only"), key, usage=key_usage(sign=False))
    with pytest.raises(SealKeyError, match="is not for signatures"):
        load_sealing_key(key_path=write(tmp_path / "k.pem", key_pem(key)),
                         cert_path=write(tmp_path / "c.pem", cert_pem(cert)), now=NOW)


def test_files_holding_the_wrong_thing_are_named(tmp_path: Path, ca) -> None:
    _, _, seal_key, seal_cert = ca
    cert_file = write(tmp_path / "cert.pem", cert_pem(seal_cert))
    key_file = write(tmp_path / "key.pem", key_pem(seal_key))
    with pytest.raises(SealKeyUnreadable, match=r"seal_key_path: .*cert.pem holds no private"):
        load_sealing_key(key_path=cert_file, cert_path=cert_file, now=NOW)
    with pytest.raises(SealKeyUnreadable, match=r"seal_cert_path: .*key.pem holds no cert"):
        load_sealing_key(key_path=key_file, cert_path=key_file, now=NOW)


def test_a_weak_rsa_key_is_refused(tmp_path: Path) -> None:
    weak = rsa.generate_private_key(65537, 1024)
    cert = certificate(name("Weak seal"), weak, usage=key_usage())
    with pytest.raises(SealKeyError, match="has 1024 bits; a seal needs at least 2048"):
        load_sealing_key(key_path=write(tmp_path / "k.pem", key_pem(weak)),
                         cert_path=write(tmp_path / "c.pem", cert_pem(cert)), now=NOW)


@pytest.mark.parametrize("given, message", [
    ({"pkcs12_path": "a.p12", "key_path": "k.pem"}, "set either seal_pkcs12_path, or"),
    ({"key_path": "k.pem"}, "seal_cert_path is not set"),
    ({"cert_path": "c.pem"}, "seal_key_path is not set"),
    ({}, "no sealing key is configured"),
])
def test_settings_that_do_not_fit_together_are_named(given: dict, message: str) -> None:
    with pytest.raises(SealKeyError, match=message):
        load_sealing_key(**given, now=NOW)


# -- the company's name in the self-signed certificate ---------------------------------------

def test_the_self_signed_certificate_carries_the_companys_legal_name(tmp_path: Path) -> None:
    key = create_self_signed(tmp_path, "Harbor & Finch Analytics, Inc.", now=NOW)
    subject = key.certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == \
        "Harbor & Finch Analytics, Inc."
    # One full stop after "Inc", never two.
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == \
        "Harbor & Finch Analytics, Inc. document seal"


def test_a_long_company_name_fits_x509s_limits(tmp_path: Path) -> None:
    name = "The Very Long Name of a Holding Company for Several Regional Subsidiaries plc"
    key = create_self_signed(tmp_path, name, now=NOW)
    org = key.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    common = key.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert org == name[:64] and len(common) <= 64 and common.endswith(" document seal")


def test_an_existing_self_signed_key_keeps_sealing_after_the_name_changes(
        tmp_path: Path) -> None:
    """Records it sealed are checked against it: it is never replaced behind the
    operator's back; they are told how to have one in the new name."""
    first, _ = sealing_key_for({}, instance_folder=tmp_path, organisation="", now=NOW)
    again, notice = sealing_key_for({}, instance_folder=tmp_path,
                                    organisation="Harbor & Finch Analytics, Inc.", now=NOW)
    assert again.certificate == first.certificate
    assert notice is not None
    assert "names 'plansign', not company_name 'Harbor & Finch Analytics, Inc.'" in notice
    assert "keeps sealing" in notice
    _, unchanged = sealing_key_for({}, instance_folder=tmp_path, organisation="", now=NOW)
    assert unchanged is None
