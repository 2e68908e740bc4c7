"""The sealing key: the organisation's private key, its certificate and the chain above it.

It is loaded from a PKCS#12 file or from PEM (or DER) key and certificate files. Every
fault is turned into a :class:`~docgen.seal.errors.SealKeyError` that names the setting to
fix, because whoever reads the message is setting plansign up, not debugging it.

Loaded keys are cached per process: parsing an RSA key makes the cryptography library
check it, which costs hundreds of milliseconds for RSA 3072, far more than a seal.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from docgen.seal.errors import (
    SealCertificateExpired,
    SealCertificateMismatch,
    SealKeyError,
    SealKeyUnreadable,
    SealPassphraseError,
)

PrivateKey = (
    rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
Passphrase = str | bytes | None

MIN_RSA_BITS = 2048
# A key or certificate file is a few kilobytes; anything much larger is the wrong file,
# and reading it whole would only waste memory.
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True, eq=False)
class SealingKey:
    """What seals: a private key, its certificate, and the CA certificates above it."""

    private_key: PrivateKey = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    # Where the key came from and what to do when its certificate runs out, for messages.
    source: str = "memory"
    renew_hint: str = "replace the sealing certificate"

    @property
    def subject(self) -> str:
        """The certificate's subject, as RFC 4514 text (``CN=Acme document seal,O=Acme``)."""
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (DER), in hex: what people compare by eye."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    def check_valid_at(self, now: datetime) -> None:
        """Raise :class:`SealCertificateExpired` unless the certificate is valid at ``now``.

        A seal made with an expired certificate validates nowhere, so it is refused
        before it is made rather than discovered years later.
        """
        cert = self.certificate
        if now < cert.not_valid_before_utc:
            raise SealCertificateExpired(
                f"the sealing certificate from {self.source} is not valid until "
                f"{_day(cert.not_valid_before_utc)}; check the machine's clock, or "
                f"{self.renew_hint}"
            )
        if now > cert.not_valid_after_utc:
            raise SealCertificateExpired(
                f"the sealing certificate from {self.source} expired on "
                f"{_day(cert.not_valid_after_utc)}; {self.renew_hint}"
            )


@dataclass(frozen=True)
class Origin:
    """The names a loader uses in its messages: which setting holds which file."""

    key: str
    cert: str
    passphrase: str
    renew_hint: str


PKCS12_ORIGIN = Origin(
    "seal_pkcs12_path", "seal_pkcs12_path", "seal_pkcs12_passphrase",
    "point seal_pkcs12_path at a current certificate",
)
PEM_ORIGIN = Origin(
    "seal_key_path", "seal_cert_path", "seal_key_passphrase",
    "point seal_cert_path (and seal_key_path) at a current certificate",
)


def load_sealing_key(
    *,
    pkcs12_path: str | os.PathLike[str] | None = None,
    pkcs12_passphrase: Passphrase = None,
    key_path: str | os.PathLike[str] | None = None,
    cert_path: str | os.PathLike[str] | None = None,
    key_passphrase: Passphrase = None,
    now: datetime | None = None,
    check_dates: bool = True,
) -> SealingKey:
    """Load the sealing key from a PKCS#12 file, or from a key file and a certificate file.

    Give either ``pkcs12_path`` or both ``key_path`` and ``cert_path`` (which may name the
    same PEM file holding both). The certificate file may also hold the CA chain. Empty
    strings count as not given, as the settings' defaults are empty.

    The certificate must belong to the key and be valid at ``now`` (default: the current
    time), unless ``check_dates`` is false: verifying old seals trusts a certificate that
    has expired since. Results are cached per process, keyed by the files' identity and modification
    time, so a replaced file is read again.
    """
    now = now or datetime.now(UTC)
    if pkcs12_path and (key_path or cert_path):
        raise SealKeyError(
            "set either seal_pkcs12_path, or seal_key_path and seal_cert_path, not both",
            "seal_pkcs12_path",
        )
    if pkcs12_path:
        key = load_pkcs12(Path(pkcs12_path), pkcs12_passphrase, PKCS12_ORIGIN)
    elif key_path and cert_path:
        key = load_pem(Path(key_path), Path(cert_path), key_passphrase, PEM_ORIGIN)
    elif key_path or cert_path:
        missing = "seal_cert_path" if key_path else "seal_key_path"
        raise SealKeyError(
            f"{missing} is not set: seal_key_path and seal_cert_path go together", missing
        )
    else:
        raise SealKeyError(
            "no sealing key is configured: set seal_pkcs12_path, or seal_key_path and "
            "seal_cert_path",
            "seal_pkcs12_path",
        )
    if check_dates:
        key.check_valid_at(now)
    return key


# -- loading, cached ---------------------------------------------------------------------

_cache: dict[tuple[Any, ...], SealingKey] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 16


def _cached(kind: str, paths: tuple[Path, ...], passphrase: Passphrase, origin: Origin,
            load: Callable[[], SealingKey]) -> SealingKey:
    # Keyed by what identifies the files' content (inode, size, mtime), so replacing a
    # certificate takes effect without a restart; and by a hash of the passphrase, so
    # the cache never holds it in the clear.
    stats = tuple(_stat(path, setting) for path, setting in
                  zip(paths, (origin.key, origin.cert), strict=False))
    secret = hashlib.sha256(_as_bytes(passphrase) or b"").hexdigest()
    cache_key = (kind, origin, tuple(str(p) for p in paths), stats, secret)
    with _cache_lock:
        found = _cache.get(cache_key)
    if found is not None:
        return found
    key = load()
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[cache_key] = key
    return key


def clear_cache() -> None:
    """Forget every loaded key (tests; or after rotating keys in a long-lived process)."""
    with _cache_lock:
        _cache.clear()


def load_pkcs12(path: Path, passphrase: Passphrase, origin: Origin = PKCS12_ORIGIN
                ) -> SealingKey:
    """The key, certificate and chain in a PKCS#12 (.p12, .pfx) file."""
    def load() -> SealingKey:
        data = _read(path, origin.key)
        try:
            key, cert, others = pkcs12.load_key_and_certificates(data, _as_bytes(passphrase))
        except ValueError:
            if not _looks_like_pkcs12(data):
                raise SealKeyUnreadable(
                    f"{origin.key}: {path} is not a PKCS#12 file (.p12 or .pfx)", origin.key
                ) from None
            what = "is wrong" if passphrase else "is not set, and the file is encrypted"
            raise SealPassphraseError(
                f"{origin.passphrase} {what}: {path} cannot be opened with it",
                origin.passphrase,
            ) from None
        if key is None:
            raise SealKeyUnreadable(
                f"{origin.key}: {path} holds no private key", origin.key)
        if cert is None:
            raise SealKeyUnreadable(
                f"{origin.key}: {path} holds no certificate for its key", origin.key)
        return _assemble(key, [cert, *others], path, origin)

    return _cached("pkcs12", (path,), passphrase, origin, load)


def load_pem(key_path: Path, cert_path: Path, passphrase: Passphrase,
             origin: Origin = PEM_ORIGIN) -> SealingKey:
    """A private key file and a certificate file (PEM or DER; the latter may hold the chain)."""
    def load() -> SealingKey:
        key = _parse_key(_read(key_path, origin.key), key_path, passphrase, origin)
        certs = _parse_certificates(_read(cert_path, origin.cert), cert_path, origin.cert)
        return _assemble(key, certs, cert_path, origin)

    return _cached("pem", (key_path, cert_path), passphrase, origin, load)


def _parse_key(data: bytes, path: Path, passphrase: Passphrase, origin: Origin) -> Any:
    pem = b"-----BEGIN" in data
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    secret = _as_bytes(passphrase)
    try:
        return loader(data, secret)
    except TypeError:
        if secret is None:
            raise SealPassphraseError(
                f"{origin.passphrase} is not set, and the key in {path} is encrypted",
                origin.passphrase,
            ) from None
        # A passphrase for a key that has none is harmless: use the key as it is.
        return loader(data, None)
    except ValueError:
        if secret is not None and _looks_encrypted(data, pem):
            raise SealPassphraseError(
                f"{origin.passphrase} is wrong: the key in {path} cannot be decrypted with it",
                origin.passphrase,
            ) from None
        raise SealKeyUnreadable(
            f"{origin.key}: {path} holds no private key (expected a PEM or DER key file)",
            origin.key,
        ) from None
    except Exception as exc:  # cryptography reports unsupported key kinds in other ways
        raise SealKeyUnreadable(
            f"{origin.key}: the key in {path} cannot be used: {exc}", origin.key
        ) from None


def load_certificates(path: Path, setting: str) -> list[x509.Certificate]:
    """Certificates to trust, from a PEM file of one or more, or one DER certificate."""
    return _parse_certificates(_read(path, setting), path, setting)


def _parse_certificates(data: bytes, path: Path, setting: str) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise SealKeyUnreadable(
            f"{setting}: {path} holds no certificate (expected a PEM or DER certificate)",
            setting,
        ) from None


def _assemble(key: Any, certs: list[x509.Certificate], path: Path, origin: Origin
              ) -> SealingKey:
    """Check the key, pick the certificate that belongs to it; the others are its chain."""
    _check_key_kind(key, path, origin)
    own = _public_der(key.public_key())
    leaf = next((c for c in certs if _public_der(c.public_key()) == own), None)
    if leaf is None:
        raise SealCertificateMismatch(
            f"{origin.cert}: the certificate in {path} ({certs[0].subject.rfc4514_string()}) "
            f"does not belong to the private key in {origin.key}; set both to the same "
            f"key pair",
            origin.cert,
        )
    _check_key_usage(leaf, path, origin)
    chain = tuple(c for c in certs if c is not leaf)
    return SealingKey(key, leaf, chain, source=f"{path} ({origin.cert})",
                      renew_hint=origin.renew_hint)


def _check_key_kind(key: Any, path: Path, origin: Origin) -> None:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise SealKeyError(
                f"{origin.key}: the RSA key in {path} has {key.key_size} bits; a seal needs "
                f"at least {MIN_RSA_BITS}",
                origin.key,
            )
        return
    if isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
                  | ed448.Ed448PrivateKey):
        return
    raise SealKeyError(
        f"{origin.key}: the key in {path} is a {type(key).__name__}; a seal needs an RSA, "
        f"EC or EdDSA key",
        origin.key,
    )


def _check_key_usage(cert: x509.Certificate, path: Path, origin: Origin) -> None:
    """A certificate whose key usage excludes signing makes seals that validators reject."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SealKeyError(
            f"{origin.cert}: the certificate in {path} is not for signatures (its key usage "
            f"has neither digitalSignature nor nonRepudiation)",
            origin.cert,
        )


def _public_der(public_key: Any) -> bytes:
    der: bytes = public_key.public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def _looks_like_pkcs12(data: bytes) -> bool:
    """Whether the outer PKCS#12 structure parses: then a failure to open it is the passphrase."""
    try:
        version: str = asn1_pkcs12.Pfx.load(data, strict=True)["version"].native
        return version == "v3"
    except Exception:  # asn1crypto raises several kinds on garbage
        return False


def _looks_encrypted(data: bytes, pem: bool) -> bool:
    if pem:
        return b"ENCRYPTED" in data
    return True  # DER gives no cheap tell; with a passphrase given, blame the passphrase


def _read(path: Path, setting: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SealKeyUnreadable(
                f"{setting}: {path} is {size} bytes, too large to be a key or certificate",
                setting,
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SealKeyUnreadable(f"{setting}: {path} does not exist", setting) from None
    except IsADirectoryError:
        raise SealKeyUnreadable(f"{setting}: {path} is a folder, not a file", setting) from None
    except OSError as exc:
        raise SealKeyUnreadable(
            f"{setting}: {path} cannot be read: {exc.strerror}", setting) from None


def _stat(path: Path, setting: str) -> tuple[int, int, int, int]:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SealKeyUnreadable(f"{setting}: {path} does not exist", setting) from None
    except OSError as exc:
        raise SealKeyUnreadable(
            f"{setting}: {path} cannot be read: {exc.strerror}", setting) from None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _as_bytes(passphrase: Passphrase) -> bytes | None:
    if passphrase is None or passphrase in ("", b""):
        return None
    return passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")
