"""Long-term validation: which PAdES level a sealed PDF has, its timestamps, validating it
from what it embeds alone, and extending it with a new document timestamp.

A B-LTA record holds up only as long as its last document timestamp can be checked: once
that timestamp authority's certificate expires (or the digest it used is broken), the
proof that the seal and its validation data existed at that time weakens. Before then,
:func:`add_archive_timestamp` adds the last timestamp's own validation data (its TSA's
chain and revocation data) to the document security store and a new document timestamp
over everything, in an incremental update: the earlier seal and timestamps are untouched
and still verify, and the new timestamp carries the proof forward (ETSI EN 319 142-1).

Pure: functions over bytes; the only I/O is the HTTP a caller asks for by giving a
timestamp authority (and the OCSP responders and CRLs the certificates name).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from asn1crypto import cms
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    NonRevokedStatusAssertion,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from docgen.seal._pyhanko import asn1_certificate, fetcher_backend, timestamper_for
from docgen.seal.errors import SealError, SealingFailed, TimestampUnavailable
from docgen.words import N_, Foreign, Moment, Words

ARCHIVE_FIELD = "ArchiveTimestamp"
DEFAULT_DIGEST = "sha256"

log = logging.getLogger(__name__)


# ETSI EN 319 102-1 sub-indications, in words for records staff.
_INDICATIONS = {
    "HASH_FAILURE": N_("the document was changed after it was sealed"),
    "SIG_CRYPTO_FAILURE": N_("the seal's signature does not verify with its certificate"),
    "REVOKED": N_("the sealing certificate was revoked before the seal was made"),
    "NO_POE": N_("nothing in the file proves when the seal and its validation data existed "
                 "(a timestamp authority's certificate expired before an archive timestamp "
                 "was added)"),
}


@dataclass(frozen=True)
class TimestampInfo:
    """One timestamp a sealed PDF carries: on the seal's signature, or over the document."""

    kind: str  # "signature" (the seal's own, B-T) or "document" (B-LTA, archive)
    at: datetime
    authority: str  # the TSA certificate's subject, RFC 4514
    expires: datetime  # when the TSA certificate runs out
    digest: str  # the digest the timestamp is over ("sha256")

    def describe(self) -> str:
        """What the timestamp is, when and by whom: English as a ``str``, worded for a
        page in its reader's language (:class:`~docgen.words.Words`)."""
        values = {"at": Moment(self.at, "%Y-%m-%d %H:%M:%S UTC"),
                  "authority": self.authority, "digest": self.digest,
                  "expires": Moment(self.expires, "%Y-%m-%d", "day")}
        if self.kind == "document":
            return Words(N_("document timestamp %(at)s by %(authority)s (%(digest)s; its "
                            "certificate expires %(expires)s)"), **values)
        if self.kind == "signature":
            return Words(N_("signature timestamp %(at)s by %(authority)s (%(digest)s; its "
                            "certificate expires %(expires)s)"), **values)
        return (f"{self.kind} timestamp {self.at:%Y-%m-%d %H:%M:%S} UTC by {self.authority} "
                f"({self.digest}; its certificate expires {self.expires:%Y-%m-%d})")


@dataclass(frozen=True)
class LongTermReport:
    """What validating a seal from the file alone, as of a moment, found."""

    level: str
    valid: bool
    problem: str | None
    timestamps: tuple[TimestampInfo, ...]
    validated_at: datetime


def seal_level(pdf: bytes) -> str | None:
    """The PAdES baseline level of the seal (the last signature): "B-B", "B-T", "B-LT" or
    "B-LTA"; None when the PDF holds no signature or cannot be read."""
    try:
        return _summary(pdf)[0]
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        return None


def seal_summary(pdf: bytes) -> tuple[str | None, tuple[TimestampInfo, ...]]:
    """The seal's level (None: no seal) and every timestamp, from one reading of the file:
    pyHanko reads each signature's hex-encoded contents in Python, most of the time a
    refresh spends on a record, so it is done once. :class:`SealError` if unreadable."""
    try:
        return _summary(pdf)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SealError(f"the PDF's seal cannot be read: {_one_line(exc)}") from None


def _summary(pdf: bytes) -> tuple[str | None, tuple[TimestampInfo, ...]]:
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    signatures = reader.embedded_signatures
    seals = [s for s in signatures if s.sig_object_type != "/DocTimeStamp"]
    level = _level(reader, seals[-1], signatures) if seals else None
    return level, _timestamps_in(signatures)


def level_of(reader: PdfFileReader, signature: EmbeddedPdfSignature) -> str:
    return _level(reader, signature, reader.embedded_signatures)


def _level(reader: PdfFileReader, signature: EmbeddedPdfSignature,
           signatures: Sequence[EmbeddedPdfSignature]) -> str:
    later_stamps = [s for s in signatures if s.sig_object_type == "/DocTimeStamp"
                    and s.signed_revision > signature.signed_revision]
    has_dss = "/DSS" in reader.root
    if has_dss and later_stamps:
        return "B-LTA"
    if has_dss:
        return "B-LT"
    return "B-T" if _signature_timestamp(signature) is not None else "B-B"


def timestamps(pdf: bytes) -> tuple[TimestampInfo, ...]:
    """Every timestamp in the PDF, oldest first: the seal's own, then document timestamps."""
    return _timestamps_in(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)


def _timestamps_in(signatures: Sequence[EmbeddedPdfSignature]
                   ) -> tuple[TimestampInfo, ...]:
    found = []
    for signature in signatures:
        if signature.sig_object_type == "/DocTimeStamp":
            found.append(_info("document", signature.signed_data))
        else:
            token = _signature_timestamp(signature)
            if token is not None:
                found.append(_info("signature", token))
    return tuple(sorted(found, key=lambda t: t.at))


def _signature_timestamp(signature: EmbeddedPdfSignature) -> cms.SignedData | None:
    attrs = signature.signer_info["unsigned_attrs"]
    if not attrs:
        return None
    for attr in attrs:
        if attr["type"].native == "signature_time_stamp_token":
            signed_data: cms.SignedData = attr["values"][0]["content"]
            return signed_data
    return None


def _info(kind: str, signed_data: cms.SignedData) -> TimestampInfo:
    tst = signed_data["encap_content_info"]["content"].parsed
    sid = signed_data["signer_infos"][0]["sid"]
    cert = next((c.chosen for c in signed_data["certificates"]
                 if sid.name == "issuer_and_serial_number"
                 and c.chosen.issuer_serial == _issuer_serial(sid.chosen)), None)
    if cert is None:  # a subject key identifier, or the TSA left its certificate out
        cert = signed_data["certificates"][0].chosen
    ours = x509.load_der_x509_certificate(cert.dump())
    return TimestampInfo(
        kind=kind,
        at=tst["gen_time"].native.astimezone(UTC),
        authority=ours.subject.rfc4514_string(),
        expires=ours.not_valid_after_utc,
        digest=tst["message_imprint"]["hash_algorithm"]["algorithm"].native,
    )


def _issuer_serial(issuer_and_serial: Any) -> bytes:
    from asn1crypto import x509 as asn1_x509

    # asn1crypto's issuer_serial is "<sha256 of the issuer's DER>:<serial>" as bytes.
    issuer: asn1_x509.Name = issuer_and_serial["issuer"]
    serial: int = issuer_and_serial["serial_number"].native
    return f"{issuer.sha256.hex()}:{serial}".encode()


def validate_long_term(pdf: bytes, *, trusted: Sequence[Any], now: datetime | None = None
                       ) -> LongTermReport:
    """Validate the seal as of ``now`` (default: the current time) from what the PDF
    embeds, offline: the chain and revocation data in its DSS, its timestamps as proof of
    when each existed (ETSI EN 319 102-1 long-term validation, done by pyHanko).

    ``trusted`` are the trust anchors: the CA roots of the sealing certificate and of the
    timestamp authorities. Never raises for a bad document: the report says what failed.
    """
    now = now or datetime.now(UTC)
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        seals = reader.embedded_regular_signatures
        if not seals:
            return LongTermReport("none", False, "the PDF has no seal", (), now)
        signature = seals[-1]
        level = level_of(reader, signature)
        stamps = timestamps(pdf)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return LongTermReport("none", False, f"the file is not a readable PDF ({exc})", (),
                              now)
    from docgen.seal.validation import SEAL_KEY_USAGE

    roots = [asn1_certificate(c) for c in trusted]
    if level == "B-LT":
        return _validate_b_lt(reader, signature, roots, stamps, now)
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
        time_tolerance=timedelta(seconds=30),
    )
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY),
        local_knowledge=LocalKnowledge(nonrevoked_assertions=_last_stamp_assertions(
            reader, now)),
        key_usage_settings=SEAL_KEY_USAGE,
    ))
    timing = ValidationTimingInfo(validation_time=now, best_signature_time=now,
                                  point_in_time_validation=True)
    try:
        result = asyncio.run(ades_lta_validation(signature, spec, timing_info=timing))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        return LongTermReport(level, False, Words(N_("the seal cannot be checked (%(error)s)"),
                                                  error=Foreign(exc)), stamps, now)
    passed = result.ades_subindic.status == AdESStatus.PASSED
    problem: str | None = None
    if not passed:
        indication = str(getattr(result.ades_subindic, "name", result.ades_subindic))
        detail = " ".join((result.failure_msg or "").split())
        known = indication in _INDICATIONS
        why: str = (Words(_INDICATIONS[indication]) if known
                    else Foreign(indication.lower().replace("_", " ")))
        if detail:
            why = Words(N_("%(why)s (%(detail)s)"), why=why, detail=Foreign(detail))
        problem = Words(N_("long-term validation as of %(day)s failed: %(why)s"),
                        day=Moment(now, "%Y-%m-%d", "day"), why=why)
    return LongTermReport(level, passed, problem, stamps, now)


def _validate_b_lt(reader: PdfFileReader, signature: EmbeddedPdfSignature,
                   roots: list[Any], stamps: tuple[TimestampInfo, ...], now: datetime
                   ) -> LongTermReport:
    """B-LT: the seal as of its timestamp's time, with the chain and revocation data its
    DSS holds (fetched just after, hence taken as covering that moment). Its proof of
    time lasts as long as its timestamp authority's certificate: after that, only an
    archive timestamp added before (B-LTA) carries it further."""
    from docgen.seal.validation import SEAL_KEY_USAGE

    stamp = next((t for t in stamps if t.kind == "signature"), None)
    if stamp is None:
        return LongTermReport("B-LT", False, Words(N_("the seal has no timestamp")), stamps,
                              now)
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context({
        "trust_roots": roots, "allow_fetching": False, "moment": stamp.at,
        "revocation_mode": "hard-fail", "retroactive_revinfo": True})
    try:
        status = asyncio.run(async_validate_pdf_signature(
            signature, signer_validation_context=context, ts_validation_context=context,
            key_usage_settings=SEAL_KEY_USAGE))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        return LongTermReport("B-LT", False, Words(N_("the seal cannot be checked (%(error)s)"),
                                                   error=Foreign(exc)), stamps, now)
    problem: str | None = None
    if not (status.intact and status.valid):
        problem = Words(N_("the seal's signature does not match the document"))
    elif status.revoked:
        problem = Words(N_("the sealing certificate was revoked when the seal was made "
                           "(%(at)s)"), at=Moment(stamp.at, "%Y-%m-%d %H:%M UTC", "minutes"))
    elif not status.trusted:
        problem = Words(N_("the sealing certificate's chain does not validate from the data "
                           "the file holds"))
    elif status.timestamp_validity is None or not status.timestamp_validity.trusted:
        problem = Words(N_("the seal's timestamp does not validate from the data the file "
                           "holds"))
    elif stamp.expires < now:
        problem = Words(N_("its timestamp authority's certificate (%(authority)s) expired on "
                           "%(day)s, and no archive timestamp was added before: the time of "
                           "the seal is no longer proven"),
                        authority=stamp.authority, day=Moment(stamp.expires, "%Y-%m-%d", "day"))
    return LongTermReport("B-LT", problem is None, problem, stamps, now)


def _last_stamp_assertions(reader: PdfFileReader, now: datetime
                           ) -> list[NonRevokedStatusAssertion]:
    """The last document timestamp's authority counts as not revoked today.

    Every earlier timestamp's authority has its revocation data in the file, from before
    the next timestamp covered it. The last one's cannot be newer than the moment it
    stamped (the next refresh adds it): offline, today's status of that one authority
    is not knowable from the file, so it is taken as good, as Acrobat does. A refresh
    made before that authority's certificate expires keeps it that way; one revoked
    meanwhile shows when the next refresh fetches its status (which then fails).
    """
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return []
    certs = [c.chosen for c in stamps[-1].signed_data["certificates"]]
    return [NonRevokedStatusAssertion(cert_sha256=c.sha256, at=now)
            for c in certs if c.self_signed == "no"]


def refresh_reason(pdf: bytes, *, now: datetime, days_before: int,
                   retired_digests: Sequence[str] = ()) -> str | None:
    """Why the PDF needs a new archive timestamp now, or None if it does not.

    Only a PDF with a timestamp can be refreshed (a B-B seal has no proof of time to
    extend). It needs one when its last timestamp's certificate expires within
    ``days_before`` days of ``now``, or the last timestamp uses a digest in
    ``retired_digests``.
    """
    return reason_to_refresh(timestamps(pdf), now=now, days_before=days_before,
                             retired_digests=retired_digests)


def reason_to_refresh(stamps: Sequence[TimestampInfo], *, now: datetime, days_before: int,
                      retired_digests: Sequence[str] = ()) -> str | None:
    """:func:`refresh_reason` from the PDF's timestamps, already read."""
    if not stamps:
        return None
    last = stamps[-1]
    retired = {d.strip().lower().replace("-", "") for d in retired_digests if d.strip()}
    if last.digest.lower().replace("-", "") in retired:
        return f"its last timestamp uses {last.digest}, which is being retired"
    if last.expires - now <= timedelta(days=days_before):
        return (f"its last timestamp's certificate ({last.authority}) expires "
                f"{last.expires:%Y-%m-%d}")
    return None


def add_archive_timestamp(
    pdf: bytes,
    *,
    timestamp_url: str,
    trust_roots: Sequence[Any] = (),
    digest: str = DEFAULT_DIGEST,
    timeout: float = 10.0,
    now: datetime | None = None,
) -> bytes:
    """The PDF with the validation data of its last timestamp (or of its seal) added to
    its DSS and a new document timestamp from ``timestamp_url`` over it, in an
    incremental update: every byte before stays as it was.

    ``trust_roots`` anchor the chains whose revocation data is fetched (the TSA's root,
    the sealing CA's root); ``now`` is the moment they are validated at. A TSA, OCSP
    responder or CRL that cannot be reached is :class:`TimestampUnavailable`.
    """
    return extend_with_archive_timestamp(pdf, timestamp_url=timestamp_url,
                                         trust_roots=trust_roots, digest=digest,
                                         timeout=timeout, now=now).pdf


@dataclass(frozen=True)
class Extended:
    """A PDF with a new archive timestamp, and that timestamp (now its last), read from
    the authority's token rather than by reading the new PDF again."""

    pdf: bytes
    timestamp: TimestampInfo
    level: str = "B-LTA"  # a DSS and a document timestamp after the seal


def extend_with_archive_timestamp(
    pdf: bytes,
    *,
    timestamp_url: str,
    trust_roots: Sequence[Any] = (),
    digest: str = DEFAULT_DIGEST,
    timeout: float = 10.0,
    now: datetime | None = None,
) -> Extended:
    """:func:`add_archive_timestamp`, with the new timestamp's facts."""
    now = now or datetime.now(UTC)
    context = ValidationContext(
        trust_roots=[asn1_certificate(c) for c in trust_roots], allow_fetching=True,
        moment=now, revocation_mode="hard-fail",
        fetcher_backend=fetcher_backend(timeout),
    )
    try:
        return asyncio.run(_add_archive_timestamp(pdf, timestamp_url, timeout, context,
                                                  digest))
    except SealError:
        raise
    except (PathValidationError, PathBuildingError) as exc:
        if "revoked" in str(exc).lower():
            raise SealingFailed(
                f"cannot add an archive timestamp: a certificate it vouches for is revoked "
                f"({_one_line(exc)}); the record was left as it was") from None
        raise TimestampUnavailable(
            f"cannot add an archive timestamp: the last timestamp's chain does not "
            f"validate now ({_one_line(exc)}); the record was left as it was") from None
    except (SigningError, PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SealingFailed(f"cannot add an archive timestamp: {_one_line(exc)}") from None


class _TokenKept:
    """The process's timestamp client for one archive timestamp, keeping the token it
    got (the one the PDF now carries) so that its facts need no second reading."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.token: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> Any:
        self.token = await self.inner.async_timestamp(message_digest, md_algorithm)
        return self.token


async def _add_archive_timestamp(pdf: bytes, url: str, timeout: float,
                                 context: ValidationContext, digest: str) -> Extended:
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            raise SealingFailed("cannot add an archive timestamp: the PDF has no seal")
        # The last timestamp's chain and revocation data (or, for a B-T seal, the
        # seal's and its timestamp's) go into the DSS before the new timestamp covers it.
        paths = await collect_validation_info(signatures[-1], context)
        output = BytesIO(pdf)
        writer = IncrementalPdfFileWriter(output)
        DocumentSecurityStore.supply_dss_in_writer(writer, None, paths=paths,
                                                   validation_context=context)
        kept = _TokenKept(timestamper_for(url, timeout))
        stamper = PdfTimeStamper(kept, field_name=_free_name(reader))  # type: ignore[arg-type]
        await stamper.async_timestamp_pdf(writer, digest, context, in_place=True)
        if kept.token is None:
            raise SealingFailed("cannot add an archive timestamp: no token was received")
        return Extended(output.getvalue(), _info("document", kept.token["content"]))
    finally:
        await context.aclose()  # type: ignore[no-untyped-call]  # unannotated


def _free_name(reader: PdfFileReader) -> str:
    taken = {name for name, _, _ in enumerate_sig_fields(reader)}
    n = 1
    while f"{ARCHIVE_FIELD}{n}" in taken:
        n += 1
    return f"{ARCHIVE_FIELD}{n}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
