"""Adapters between our key and pyHanko: a signer over a key in memory, and a TSA client.

Both exist for reasons pyHanko's own classes do not cover:

* pyHanko's ``SimpleSigner`` keeps the key as DER and parses it again for every
  signature; the cryptography library then re-checks an RSA key, which costs far more
  than sealing. :class:`KeySigner` signs with the already-loaded key object.
* A timestamp authority fails in many ways (refused connection, HTTP 500, wrong content
  type, bytes that are not a timestamp, a token for another digest). :class:`Timestamper`
  turns every one into :class:`TimestampUnavailable`, so callers can tell "try again
  later" from a fault in the key or the PDF.
"""

from __future__ import annotations

import functools
import ssl
import threading
from typing import Any

import aiohttp
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko_certvalidator.fetchers import OwnedFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import process_pss_params

from docgen.seal import _hexstrings
from docgen.seal.errors import TimestampUnavailable
from docgen.seal.keys import SealingKey

_hexstrings.install()

# A timestamp reply is a few kilobytes; anything far larger is not one.
MAX_TSA_REPLY = 1 << 20


def asn1_certificate(cert: Any) -> asn1_x509.Certificate:
    """An asn1crypto certificate (what pyHanko speaks) from ours or from PEM/DER bytes."""
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, bytes | bytearray):
        data = bytes(cert)
        cert = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data))
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class KeySigner(Signer):
    """A pyHanko signer that signs with a key object held in memory."""

    def __init__(self, key: SealingKey) -> None:
        # pyhanko-certvalidator leaves this constructor unannotated.
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple([asn1_certificate(c) for c in key.chain])
        super().__init__(signing_cert=asn1_certificate(key.certificate),
                         cert_registry=registry)
        self._key = key.private_key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:
            # pyHanko signs once in advance only to learn the signature's size; a
            # placeholder of the largest size does as well and spares a private-key step.
            return bytes(_max_signature_size(self._key))
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism.signature_algo
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey):
            if algorithm == "rsassa_pss":
                pss, digest = process_pss_params(mechanism["parameters"])
                return key.sign(data, pss, digest)
            return key.sign(data, padding.PKCS1v15(), _hash(digest_algorithm))
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(_hash(digest_algorithm)))
        return key.sign(data)  # Ed25519 and Ed448 hash internally


def _hash(name: str) -> hashes.HashAlgorithm:
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    return get_pyca_cryptography_hash(name)


def _max_signature_size(key: Any) -> int:
    if isinstance(key, rsa.RSAPrivateKey):
        return (key.key_size + 7) // 8
    if isinstance(key, ec.EllipticCurvePrivateKey):
        # DER SEQUENCE of two INTEGERs, each at most one byte longer than the curve.
        n = (key.curve.key_size + 7) // 8
        return 2 * (n + 3) + 4
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return 64
    if isinstance(key, ed448.Ed448PrivateKey):
        return 114
    return 1024


class Timestamper(TimeStamper):
    """An RFC 3161 client over HTTP whose every failure is :class:`TimestampUnavailable`.

    pyHanko's own HTTP client opens a new aiohttp session for every request, and each
    builds an SSL context from a CA bundle (about 25 ms) even for plain http://; this
    one shares one SSL context per process.
    """

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        connector = aiohttp.TCPConnector(ssl=_tls_context())
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.post(
                self.url, data=req.dump(),
                headers={"Content-Type": "application/timestamp-query",
                         "Accept": "application/timestamp-reply"},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response,
        ):
            if response.status != 200:
                raise TimestampUnavailable(self._failed(f"it answered HTTP {response.status}"))
            kind = response.headers.get("Content-Type", "")
            if kind.split(";")[0].strip() != "application/timestamp-reply":
                raise TimestampUnavailable(self._failed(
                    f"it answered {kind or 'no content type'}, not a timestamp reply"))
            body = await response.content.read(MAX_TSA_REPLY + 1)
        if len(body) > MAX_TSA_REPLY:
            raise TimestampUnavailable(self._failed("its answer is far too large"))
        return tsp.TimeStampResp.load(body)

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> Any:
        try:
            token = await super().async_timestamp(message_digest, md_algorithm)
            # The token must be for what we asked: a TSA that stamps another digest
            # would make a seal that no validator accepts.
            info = token["content"]["encap_content_info"]["content"].parsed
            imprint = info["message_imprint"]["hashed_message"].native
        except (aiohttp.ClientError, OSError) as exc:  # OSError covers timeouts
            raise TimestampUnavailable(self._failed(_describe(exc))) from exc
        except TimestampRequestError as exc:  # pyHanko's: refused, or the wrong nonce
            raise TimestampUnavailable(self._failed(_describe(exc))) from exc
        except (ValueError, TypeError, KeyError, IndexError) as exc:  # asn1crypto's parsing
            raise TimestampUnavailable(self._failed(
                f"its answer is not an RFC 3161 timestamp reply ({_describe(exc)})")) from exc
        if imprint != message_digest:
            raise TimestampUnavailable(self._failed("it stamped another digest than ours"))
        return token

    def _failed(self, why: str) -> str:
        return (f"the timestamp authority at {self.url} gave no timestamp: {why}; the "
                f"document was not sealed, try again later")


class _Session(LazySession):
    """pyHanko's lazy HTTP session for OCSP and CRL fetching, with the SSL context built
    once per process (pyHanko's builds one from certifi's bundle per session, ~30 ms)."""

    def get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=_tls_context()))
        session: aiohttp.ClientSession = self._session
        return session


def fetcher_backend(timeout: float) -> OwnedFetcherBackend:
    """What fetches revocation data for one seal or refresh: its session is closed with
    the validation context that owns it."""
    return OwnedFetcherBackend(AIOHttpFetcherBackend(
        session=_Session(),  # type: ignore[no-untyped-call, arg-type]
        per_request_timeout=int(max(1, timeout))))


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, for https:// TSAs; built once, as loading them is slow."""
    return ssl.create_default_context()


def _describe(exc: BaseException) -> str:
    """An exception's message on one line (asn1crypto's span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


_timestampers: dict[tuple[str, float], Timestamper] = {}
_timestampers_lock = threading.Lock()


def timestamper_for(url: str, timeout: float) -> Timestamper:
    """One client per TSA per process: it keeps the first token it got to size later seals,
    which spares a second request to the TSA on every seal after the first."""
    with _timestampers_lock:
        found = _timestampers.get((url, timeout))
        if found is None:
            found = _timestampers[(url, timeout)] = Timestamper(url, timeout)
        return found
