"""Sealing a finished PDF: a PAdES signature in an incremental update.

The PAdES baseline levels (ETSI EN 319 142-1), each adding to the one before:

* B-B: the signature (subfilter ETSI.CAdES.detached, SHA-256);
* B-T: with a timestamp authority's RFC 3161 token over the signature, which proves
  when the seal was made independently of our clock;
* B-LT: with the certificate chain and its revocation data (OCSP responses, CRLs),
  fetched while sealing, in the document security store (DSS): the seal can then be
  validated from the file alone after the CA's services are gone;
* B-LTA: with a document timestamp over all of that, so the validation data is itself
  proven to have existed then; a later document timestamp (see :mod:`docgen.seal.ltv`)
  extends the proof before the last one's certificate runs out.

The signature covers the whole file as it is handed in, so nothing may be appended to a
sealed file without showing (B-LT and B-LTA append their DSS and document timestamp
after it, in further incremental updates that validators recognise as such).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from docgen.seal._pyhanko import (
    KeySigner,
    asn1_certificate,
    fetcher_backend,
    timestamper_for,
)
from docgen.seal.errors import SealError, SealingFailed, TimestampUnavailable
from docgen.seal.keys import SealingKey

FIELD_NAME = "Seal"
DIGEST = "sha256"
TIMESTAMP_TIMEOUT = 10.0
LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


def seal(
    pdf: bytes,
    key: SealingKey,
    *,
    reason: str,
    location: str | None = None,
    timestamp_url: str | None = None,
    timestamp_timeout: float = TIMESTAMP_TIMEOUT,
    now: datetime | None = None,
    level: str | None = None,
    trust_roots: Sequence[Any] = (),
) -> bytes:
    """The PDF with the organisation's seal added in an incremental update.

    ``level`` is the PAdES baseline level, one of :data:`LEVELS`; by default B-T with
    ``timestamp_url``, else B-B. B-LT and B-LTA need ``timestamp_url``, and fetch the
    chain's revocation data (OCSP, else CRL) from the URLs its certificates name: a
    certificate that is revoked, or whose status cannot be had, is refused
    (:class:`SealingFailed`; :class:`TimestampUnavailable` when the responder is down).
    Their chain ends at a self-signed certificate in the key's chain or in
    ``trust_roots``.

    The original bytes are kept unchanged at the start of the result. With
    ``timestamp_url`` the seal carries a signature timestamp from that RFC 3161
    authority (B-T); a TSA that cannot be reached or answers nonsense raises
    :class:`~docgen.seal.errors.TimestampUnavailable` (transient: try again later).
    A certificate not valid at ``now`` (default: the current time) is refused.

    Call it from synchronous code: it runs pyHanko's asyncio code in an event loop of
    its own.
    """
    now = now or datetime.now(UTC)
    key.check_valid_at(now)
    if timestamp_url and not timestamp_url.startswith(("http://", "https://")):
        raise SealError(f"seal_timestamp_url: {timestamp_url!r} is not an http:// or "
                        f"https:// URL")
    level = level or ("B-T" if timestamp_url else "B-B")
    if level not in LEVELS:
        raise SealError(f"seal_level: {level!r} is not one of {', '.join(LEVELS)}")
    if level != "B-B" and not timestamp_url:
        raise SealError(f"seal_level: {level} needs a timestamp authority; set "
                        f"seal_timestamp_url, or seal at B-B")
    long_term = level in ("B-LT", "B-LTA")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SealingFailed(f"cannot seal: the file is not a readable PDF ({exc})") from None
    if writer.prev.encrypted:
        raise SealingFailed("cannot seal an encrypted PDF")

    meta = PdfSignatureMetadata(
        field_name=_free_field_name(writer),
        md_algorithm=DIGEST,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=long_term,
        use_pades_lta=level == "B-LTA",
        validation_context=(fetching_context(key, trust_roots, now, timestamp_timeout)
                            if long_term else None),
    )
    # The URL the seal's own timestamp comes from (None at B-B), which also keys the
    # signature sizes kept per key.
    stamp_url = timestamp_url if level != "B-B" else None
    timestamper = timestamper_for(stamp_url, timestamp_timeout) if stamp_url else None
    state = _state_for(key)
    signer = PdfSigner(meta, state.signer, timestamper=timestamper)
    output = BytesIO()
    try:
        reserved = asyncio.run(_released(
            _sign(signer, writer, now, output, state.reserved.get(stamp_url)),
            meta.validation_context))
    except BaseException as exc:
        # Measure afresh next time, in case the size kept was what went wrong.
        state.reserved.pop(stamp_url, None)
        if isinstance(exc, SealError):
            raise
        if long_term and isinstance(exc, PathValidationError | PathBuildingError
                                    | SigningError):
            raise _long_term_failure(exc, key) from None
        if isinstance(exc, SigningError | PdfError | ValueError | KeyError | IndexError
                      | TypeError):
            # pyHanko reads the PDF lazily, so a damaged file shows only while signing.
            raise SealingFailed(f"cannot seal the PDF: {exc}") from None
        raise
    state.reserved[stamp_url] = reserved
    return output.getvalue()


def resolve_level(setting: str, timestamp_url: str | None, key: SealingKey) -> str:
    """The level the ``seal_level`` setting means for this key and timestamp authority.

    ``auto`` is B-LTA when there is a timestamp authority and the certificate is a CA's
    (the one level that still validates once the CA's and the TSA's certificates have
    expired, as the archive refreshes its timestamps); B-T for a self-signed certificate,
    which has no OCSP responder or CRL to embed; B-B without a timestamp authority.
    """
    wanted = (setting or "auto").strip()
    if wanted.lower() != "auto":
        return wanted.upper()
    if not timestamp_url:
        return "B-B"
    cert = key.certificate
    return "B-T" if cert.issuer == cert.subject else "B-LTA"


def fetching_context(key: SealingKey, trust_roots: Sequence[Any], now: datetime,
                     timeout: float) -> ValidationContext:
    """What B-LT sealing validates the chain with: fetching each certificate's OCSP
    response or CRL (to embed them), a revoked or unknown status refused."""
    chain = [asn1_certificate(c) for c in (key.certificate, *key.chain)]
    # asn1crypto's self_signed is "no", "maybe" or "yes" (a string, always truthy).
    roots = ([c for c in chain if c.self_signed != "no"]
             + [asn1_certificate(c) for c in trust_roots])
    return ValidationContext(
        trust_roots=roots, other_certs=chain, allow_fetching=True, moment=now,
        revocation_mode="hard-fail",
        fetcher_backend=fetcher_backend(timeout),
    )


def _long_term_failure(exc: BaseException, key: SealingKey) -> SealError:
    # pyHanko wraps the path validation error in a SigningError that says only "could
    # not be validated"; the reason is in the cause.
    causes = [exc]
    while causes[-1].__cause__ is not None and len(causes) < 5:
        causes.append(causes[-1].__cause__)
    text = "; ".join(" ".join(str(c).split()) or type(c).__name__ for c in causes)
    if "revoked" in text.lower():
        return SealingFailed(f"cannot seal at B-LT: the sealing certificate ({key.subject}) "
                             f"or a CA above it is revoked ({text}); replace the sealing "
                             f"certificate")
    if any(word in text.lower() for word in ("fetch", "connect", "timeout", "revocation")):
        return TimestampUnavailable(
            f"cannot seal at B-LT: the revocation status of the sealing certificate "
            f"could not be had from its OCSP responder or CRL ({text}); the document was "
            f"not sealed, try again later")
    return SealingFailed(f"cannot seal at B-LT: the sealing certificate's chain does not "
                         f"validate ({text}); put the CA certificates above it in the "
                         f"certificate file, up to a self-signed root")


async def _released(work: Awaitable[int], context: ValidationContext | None) -> int:
    """``work``, then the fetchers' HTTP session closed in the loop that opened it."""
    try:
        return await work
    finally:
        if context is not None:
            await context.aclose()  # type: ignore[no-untyped-call]  # unannotated


async def _sign(signer: PdfSigner, writer: IncrementalPdfFileWriter, now: datetime,
                output: BytesIO, reserved: int | None) -> int:
    """pyHanko's sign_pdf, step by step, so that the signing time is ``now``, not the clock.

    These are the steps of pyHanko's documented interrupted-signing API, in the order
    ``PdfSigner.async_sign_pdf`` takes them. Returns the bytes reserved for the signature.
    """
    session = signer.init_signing_session(writer)
    session.system_time = now
    validation_info = await session.perform_presign_validation(writer)
    if reserved is None:
        reserved = await session.estimate_signature_container_size(validation_info)
    tbs = session.prepare_tbs_document(validation_info=validation_info,
                                       bytes_reserved=reserved)
    digest, out = tbs.digest_tbs_document(output=output)
    post = await tbs.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=now),
    )
    await post.post_signature_processing(out)
    return reserved


@dataclass
class _KeyState:
    """What is worth keeping between seals with one key."""

    signer: Signer
    # Bytes to reserve for the signature, per timestamp URL. pyHanko estimates this by
    # building a whole dummy signature (with the TSA's first token, which it keeps), a
    # third of a seal's time; for a given key and TSA the answer is the same every time.
    reserved: dict[str | None, int] = field(default_factory=dict)


# Built on a key's first seal (the signer converts the certificates to asn1crypto's
# form); it goes when the key does.
_states: weakref.WeakKeyDictionary[SealingKey, _KeyState] = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()


def _state_for(key: SealingKey) -> _KeyState:
    with _states_lock:
        state = _states.get(key)
        if state is None:
            state = _states[key] = _KeyState(_signer_for(key))
        return state


def _signer_for(key: SealingKey) -> Signer:
    from docgen.seal.pkcs11 import TokenSealingKey, token_signer

    if isinstance(key, TokenSealingKey):
        signer: Signer = token_signer(key)
        return signer
    return KeySigner(key)


def _free_field_name(writer: IncrementalPdfFileWriter) -> str:
    """``Seal``, or ``Seal2``, ... if the document already has a field of that name."""
    taken = {name for name, _, _ in enumerate_sig_fields(writer.prev)}
    taken |= _all_field_names(writer)
    if FIELD_NAME not in taken:
        return FIELD_NAME
    n = 2
    while f"{FIELD_NAME}{n}" in taken:
        n += 1
    return f"{FIELD_NAME}{n}"


def _all_field_names(writer: IncrementalPdfFileWriter) -> set[str]:
    """Top-level form field names of any type: a text field named Seal blocks the name too."""
    try:
        acroform = writer.prev.root["/AcroForm"]
        return {str(f.get_object().get("/T", "")) for f in acroform[pdf_name("/Fields")]}
    except (KeyError, TypeError, AttributeError):
        return set()
