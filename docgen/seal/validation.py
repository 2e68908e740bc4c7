"""Checking a sealed PDF: is the seal there, intact, over the whole file, and trusted?

pyHanko does the checking; this module turns its status into a :class:`SealReport`
that says in words what is wrong. It never raises for a bad document: an unsealed,
damaged or tampered file is a report with problems, because records staff verifying an
archive need an answer for every file.

Validation is offline: only the certificates given as ``trusted`` are trust anchors
(never the operating system's list), and no revocation information is fetched. A seal
at B-LT or B-LTA is validated from what it embeds (:mod:`docgen.seal.ltv`): its chain,
revocation data and timestamps, as of ``now``; B-B and B-T seals, which embed no
revocation data, are checked against the trusted certificates as of when they were made.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from docgen.seal._pyhanko import asn1_certificate
from docgen.seal.errors import SealKeyUnreadable
from docgen.seal.ltv import (
    LongTermReport,
    TimestampInfo,
    timestamps,
    validate_long_term,
)
from docgen.seal.ltv import level_of as ltv_level
from docgen.words import N_, Foreign, Moment, Words

PADES_SUBFILTER = "/ETSI.CAdES.detached"
# A seal certificate may say either: organisations' e-seal certificates from CAs usually
# carry nonRepudiation (contentCommitment), some only digitalSignature.
SEAL_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)

Certificate = x509.Certificate | bytes | Any  # ours, PEM/DER bytes, or asn1crypto's


@dataclass(frozen=True)
class SealReport:
    """What validating a PDF's seal found. ``problems`` says in words what is wrong."""

    sealed: bool
    intact: bool = False
    covers_whole_file: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    timestamped: bool = False
    trusted: bool = False
    subfilter: str | None = None
    problems: tuple[str, ...] = ()
    level: str | None = None  # the PAdES baseline level: B-B, B-T, B-LT or B-LTA
    timestamps: tuple[TimestampInfo, ...] = ()

    @property
    def ok(self) -> bool:
        """Sealed, unchanged since, by a trusted certificate, with nothing else wrong."""
        return (self.sealed and self.intact and self.covers_whole_file and self.trusted
                and not self.problems)


def validate(
    pdf: bytes,
    *,
    trusted: Sequence[Certificate] | None = None,
    now: datetime | None = None,
) -> SealReport:
    """Validate the seal (the last signature) of ``pdf``.

    ``trusted`` are the certificates to trust: the organisation's CA, or for a
    self-signed seal the seal's own certificate. Without them the seal can still be
    intact, but not trusted. ``now`` is the moment to validate at (default: the
    current time).
    """
    try:
        roots = [asn1_certificate(c) for c in trusted or ()]
    except (ValueError, TypeError) as exc:
        raise SealKeyUnreadable(f"trusted: one of the certificates to trust is not a "
                                f"certificate ({exc})") from None
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        return SealReport(sealed=False, problems=(
            Words(N_("the file is not a readable PDF (%(error)s)"), error=Foreign(exc)),))
    if not signatures:
        return SealReport(sealed=False, problems=(
            Words(N_("the PDF has no seal: it holds no signature")),))
    signature = signatures[-1]
    subfilter = str(signature.sig_object.get("/SubFilter", "")) or None
    moment = now or datetime.now(UTC)
    try:
        level, stamps = ltv_level(reader, signature), timestamps(pdf)
    except (PdfError, ValueError, KeyError, IndexError, TypeError):
        level, stamps = None, ()
    long_term = (validate_long_term(pdf, trusted=roots, now=moment)
                 if level in ("B-LT", "B-LTA") else None)

    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    try:
        status = asyncio.run(async_validate_pdf_signature(
            signature, signer_validation_context=context, key_usage_settings=SEAL_KEY_USAGE))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        return SealReport(
            sealed=True, subfilter=subfilter,
            problems=(Words(N_("the seal cannot be checked: it is damaged (%(error)s)"),
                            error=Foreign(exc)),),
        )
    if long_term is not None and not _nothing_after_last_update(reader, pdf):
        status = dataclasses.replace(
            status, coverage=SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START)
    report = _report(status, subfilter, has_roots=bool(roots), long_term=long_term)
    return dataclasses.replace(report, level=level, timestamps=stamps)


def _nothing_after_last_update(reader: PdfFileReader, pdf: bytes) -> bool:
    """Whether nothing but validation data follows the last timestamp (B-LTA; pyHanko
    adds the timestamp authority's own after it), or the DSS update (B-LT), and no stray
    bytes follow the file's last update."""
    if not pdf.rstrip(b"\r\n\t \x00").endswith(b"%%EOF"):
        return False
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return True
    last = stamps[-1]
    last.compute_integrity_info(DEFAULT_DIFF_POLICY)
    found = last.diff_result
    return (isinstance(found, DiffResult)
            and found.modification_level <= ModificationLevel.LTA_UPDATES)


def _report(status: PdfSignatureStatus, subfilter: str | None, *, has_roots: bool,
            long_term: LongTermReport | None = None) -> SealReport:
    problems: list[str] = []
    intact = status.intact and status.valid
    if not status.intact:
        problems.append(Words(N_("the document was changed after it was sealed: its hash no "
                                 "longer matches the seal")))
    elif not status.valid:
        problems.append(Words(N_("the seal's signature does not verify with its certificate")))
    # A B-LT or B-LTA seal is followed by its validation data and document timestamps,
    # in updates that may add only those (pyHanko's difference analysis says so).
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        long_term is not None and status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES)
    if not covers:
        problems.append(Words(N_("the seal does not cover the whole file: something was added "
                                 "to it after it was sealed")))
    signer = _subject(status.signing_cert)
    if long_term is not None:
        # The chain, its revocation data and the timestamps, as the file holds them.
        if long_term.problem and intact:
            problems.append(long_term.problem)
        if subfilter != PADES_SUBFILTER:
            problems.append(Words(N_("the seal is not a PAdES signature (its subfilter is "
                                 "%(subfilter)s)"), subfilter=str(subfilter)))
        stamp = status.timestamp_validity
        return SealReport(
            sealed=True, intact=intact, covers_whole_file=covers, signer=signer,
            signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
            timestamped=stamp is not None, trusted=long_term.valid, subfilter=subfilter,
            problems=tuple(problems))
    if not status.trusted:
        if not has_roots:
            problems.append(Words(N_("the sealing certificate (%(signer)s) is not trusted: no "
                                     "trusted certificates were given"), signer=signer))
        elif status.revoked:
            problems.append(Words(N_("the sealing certificate (%(signer)s) is revoked"),
                                  signer=signer))
        else:
            why = status.trust_problem_indic
            untrusted = Words(N_("the sealing certificate (%(signer)s) is not trusted"),
                              signer=signer)
            problems.append(Words(N_("%(why)s (%(detail)s)"), why=untrusted,
                                  detail=Foreign(why.name.lower().replace("_", " ")))
                            if isinstance(why, enum.Enum) else untrusted)
    if subfilter != PADES_SUBFILTER:
        problems.append(Words(N_("the seal is not a PAdES signature (its subfilter is "
                                 "%(subfilter)s)"), subfilter=str(subfilter)))

    stamp = status.timestamp_validity
    if stamp is not None:
        if not (stamp.intact and stamp.valid):
            problems.append(Words(N_("the seal's timestamp is not valid")))
        elif not stamp.trusted:
            problems.append(Words(N_("the timestamp authority's certificate (%(authority)s) "
                                     "is not trusted"),
                                  authority=_subject(stamp.signing_cert)))
    signed_at = stamp.timestamp if stamp is not None else status.signer_reported_dt
    problems.extend(_dates_problem(status.signing_cert, signed_at))
    return SealReport(
        sealed=True,
        intact=intact,
        covers_whole_file=covers,
        signer=signer,
        signed_at=signed_at,
        timestamped=stamp is not None,
        trusted=status.trusted,
        subfilter=subfilter,
        problems=tuple(problems),
    )


def _dates_problem(cert: Any, signed_at: datetime | None) -> list[str]:
    """A seal counts as of the time it was made (its timestamp's, else the time it
    states): the certificate must have been valid then, whether or not it still is. A
    certificate trusted directly (a self-signed seal) is an anchor, whose dates the
    path validation does not look at, so they are checked here."""
    if signed_at is None:
        return []
    validity = x509.load_der_x509_certificate(cert.dump())
    start, end = validity.not_valid_before_utc, validity.not_valid_after_utc
    if start <= signed_at <= end:
        return []
    return [Words(N_("the sealing certificate was not valid when the seal was made: valid "
                     "from %(start)s to %(end)s, sealed %(at)s"),
                  start=Moment(start, "%Y-%m-%d %H:%M", "minutes"),
                  end=Moment(end, "%Y-%m-%d %H:%M UTC", "minutes"),
                  at=Moment(signed_at, "%Y-%m-%d %H:%M UTC", "minutes"))]


def _subject(cert: Any) -> str:
    """RFC 4514 text, the same form as :attr:`SealingKey.subject`."""
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()
