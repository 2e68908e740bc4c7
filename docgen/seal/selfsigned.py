"""A self-signed sealing certificate, made on first use when none is configured.

A fresh installation then seals from day one; the seal proves the file is unchanged,
though only people who trust this certificate can tell it is the organisation's. The
message returned on creation tells the operator how to use a real one instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from docgen.files import write_once
from docgen.seal.errors import SealKeyError
from docgen.seal.keys import Origin, SealingKey, load_pem, load_sealing_key

SEAL_FOLDER = "seal"
# Key and certificate in one file, so that publishing it is one atomic step and no
# reader can ever see a key without its certificate or the other way round.
SEAL_FILE = "seal.pem"
VALIDITY = timedelta(days=3652)
# Backdated a little, so a machine whose clock runs behind the one that made the
# certificate can still seal with it.
BACKDATE = timedelta(hours=1)
SUFFIX = " document seal"
MAX_NAME = 64  # X.509's upper bound for a common name and an organisation name


def self_signed_path(folder: Path) -> Path:
    """Where :func:`create_self_signed` keeps the key and certificate under ``folder``."""
    return folder / SEAL_FILE


def create_self_signed(folder: Path, organisation: str, *, now: datetime) -> SealingKey:
    """The self-signed sealing key in ``folder``: made now if there is none, else loaded.

    The file is owner-only (0600) and is published under its name only once complete;
    two processes creating it at once both end up with the same key (the first one
    published).
    """
    return _ensure(folder, organisation, now)[0]


def configured_sealing_key(settings: Mapping[str, Any], *, now: datetime | None = None,
                           check_dates: bool = True) -> SealingKey | None:
    """The sealing key the ``seal_*`` settings name, or None when they name none.
    ``check_dates`` as for :func:`load_sealing_key`."""
    def value(name: str) -> Any:
        return settings.get(name) or None

    if value("seal_pkcs11_module"):
        if value("seal_pkcs12_path") or value("seal_key_path"):
            raise SealKeyError("set either seal_pkcs11_module, or seal_pkcs12_path or "
                               "seal_key_path, not both", "seal_pkcs11_module")
        from docgen.seal.pkcs11 import load_token_key

        return load_token_key(
            module=value("seal_pkcs11_module"), token_label=value("seal_pkcs11_token_label"),
            key_label=value("seal_pkcs11_key_label"), pin=value("seal_pkcs11_pin"),
            chain_path=value("seal_pkcs11_chain_path"), now=now, check_dates=check_dates)
    if not (value("seal_pkcs12_path") or value("seal_key_path") or value("seal_cert_path")):
        return None
    return load_sealing_key(
        pkcs12_path=value("seal_pkcs12_path"),
        pkcs12_passphrase=value("seal_pkcs12_passphrase"),
        key_path=value("seal_key_path"),
        cert_path=value("seal_cert_path"),
        key_passphrase=value("seal_key_passphrase"),
        now=now,
        check_dates=check_dates,
    )


def sealing_key_for(
    settings: Mapping[str, Any],
    *,
    instance_folder: Path,
    organisation: str,
    now: datetime,
) -> tuple[SealingKey, str | None]:
    """The sealing key the settings name, else the instance's self-signed one.

    ``settings`` is anything with the ``seal_*`` settings as keys (plansign's
    :class:`config.Settings` is). Returns the key and, when a self-signed certificate
    was created just now, a message for the operator (``None`` otherwise).
    """
    key = configured_sealing_key(settings, now=now)
    if key is not None:
        return key, None
    folder = instance_folder / SEAL_FOLDER
    key, created = _ensure(folder, organisation, now)
    if not created:
        return key, _renamed_notice(key, organisation, self_signed_path(folder))
    return key, (
        f"created a self-signed sealing certificate in {self_signed_path(folder)}; "
        f"configure seal_pkcs12_path for your organisation's certificate"
    )


def certificate_organisation(key: SealingKey) -> str:
    """The organisation (O=) a sealing certificate names, or ""."""
    names = key.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else ""


def _renamed_notice(key: SealingKey, organisation: str, path: Path) -> str | None:
    """The self-signed certificate made earlier keeps sealing when the company's name is
    configured or changed since (every record it sealed is checked against it); the
    operator is told how to have one in the new name."""
    wanted = _organisation(organisation)
    named = certificate_organisation(key)
    if not organisation.strip() or named == wanted:
        return None
    return (f"the self-signed sealing certificate in {path} names {named!r}, not "
            f"company_name {wanted!r}; it keeps sealing. For one in the new name, copy "
            f"{path.name}'s certificate into seal_trust_path (so records it sealed still "
            f"verify) and delete {path}: plansign then makes a new one")


def _organisation(organisation: str) -> str:
    return (organisation.strip() or "plansign")[:MAX_NAME]


def _origin(path: Path) -> Origin:
    label = "self-signed seal"
    return Origin(
        label, label, label,
        f"delete {path} to have plansign create a new self-signed one, or set "
        f"seal_pkcs12_path to your organisation's certificate",
    )


def _ensure(folder: Path, organisation: str, now: datetime) -> tuple[SealingKey, bool]:
    path = self_signed_path(folder)
    created = False
    if not path.exists():
        created = write_once(path, _make_pem(organisation, now))
    key = load_pem(path, path, None, _origin(path))
    key.check_valid_at(now)
    return key, created


def _make_pem(organisation: str, now: datetime) -> bytes:
    # EC P-256: signing and loading take well under a millisecond (RSA 3072 takes
    # milliseconds to sign and far longer to load), and every PAdES validator knows it.
    key = ec.generate_private_key(ec.SECP256R1())
    org = _organisation(organisation)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, org[: MAX_NAME - len(SUFFIX)] + SUFFIX),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + cert.public_bytes(serialization.Encoding.PEM)
