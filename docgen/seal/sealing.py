"""Sealing a finished PDF: a PAdES signature in an incremental update.

PAdES baseline B-B (subfilter ETSI.CAdES.detached, SHA-256), or B-T when a timestamp
authority is given: its RFC 3161 token over the signature proves when the seal was made,
independently of our clock. The signature covers the whole file as it is handed in, so
nothing may be appended to a sealed file without showing.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO

from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from docgen.seal._pyhanko import KeySigner, timestamper_for
from docgen.seal.errors import SealError, SealingFailed
from docgen.seal.keys import SealingKey

FIELD_NAME = "Seal"
DIGEST = "sha256"
TIMESTAMP_TIMEOUT = 10.0


def seal(
    pdf: bytes,
    key: SealingKey,
    *,
    reason: str,
    location: str | None = None,
    timestamp_url: str | None = None,
    timestamp_timeout: float = TIMESTAMP_TIMEOUT,
    now: datetime | None = None,
) -> bytes:
    """The PDF with the organisation's seal added in an incremental update.

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
    )
    timestamper = timestamper_for(timestamp_url, timestamp_timeout) if timestamp_url else None
    state = _state_for(key)
    signer = PdfSigner(meta, state.signer, timestamper=timestamper)
    output = BytesIO()
    try:
        reserved = asyncio.run(_sign(signer, writer, now, output,
                                     state.reserved.get(timestamp_url)))
    except BaseException as exc:
        # Measure afresh next time, in case the size kept was what went wrong.
        state.reserved.pop(timestamp_url, None)
        if isinstance(exc, SigningError | PdfError | ValueError | KeyError | IndexError
                      | TypeError):
            # pyHanko reads the PDF lazily, so a damaged file shows only while signing.
            raise SealingFailed(f"cannot seal the PDF: {exc}") from None
        raise
    state.reserved[timestamp_url] = reserved
    return output.getvalue()


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

    signer: KeySigner
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
            state = _states[key] = _KeyState(KeySigner(key))
        return state


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
