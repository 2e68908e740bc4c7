"""The organisation's seal on a finished PDF (PAdES), and checking it.

Why this shape:

* A seal is a PAdES signature (subfilter ETSI.CAdES.detached) in an incremental update
  that covers the whole file: any later change, even one byte, shows, and any PAdES
  validator (Acrobat, poppler's pdfsig, pyHanko, the EU's DSS) can check it.
* With a timestamp authority (RFC 3161) the seal also carries a timestamp token (B-T),
  so when it was made does not rest on our clock. A TSA that fails is a transient
  :class:`TimestampUnavailable`, and nothing is sealed.
* With a CA-issued certificate, B-LT and B-LTA embed the chain's revocation data and a
  document timestamp, so the record validates from the file alone for as long as its
  archive timestamps are refreshed (:mod:`docgen.seal.ltv`).
* The key is the organisation's (PKCS#12, or PEM key and certificate). When none is
  configured, :func:`sealing_key_for` makes a self-signed one in the instance folder
  once and says so. Loaded keys are cached per process.
* Pure: functions over bytes and the paths given; no settings, database or web. pyHanko
  and cryptography errors become :class:`SealError` subclasses here.

Typical use::

    key, notice = sealing_key_for(settings, instance_folder=folder,
                                  organisation="Acme", now=now)
    sealed = seal(pdf, key, reason="Performance Improvement Plan, signed", now=now)
    report = validate(sealed, trusted=[key.certificate])
"""

import logging

from docgen.seal.errors import (
    SealCertificateExpired,
    SealCertificateMismatch,
    SealError,
    SealingFailed,
    SealKeyError,
    SealKeyUnreadable,
    SealPassphraseError,
    TimestampUnavailable,
)
from docgen.seal.keys import SealingKey, clear_cache, load_certificates, load_sealing_key
from docgen.seal.ltv import (
    Extended,
    LongTermReport,
    TimestampInfo,
    add_archive_timestamp,
    extend_with_archive_timestamp,
    reason_to_refresh,
    refresh_reason,
    seal_level,
    seal_summary,
    timestamps,
    validate_long_term,
)
from docgen.seal.sealing import LEVELS, resolve_level, seal
from docgen.seal.selfsigned import (
    configured_sealing_key,
    create_self_signed,
    sealing_key_for,
    self_signed_path,
)
from docgen.seal.validation import PADES_SUBFILTER, SealReport, validate

# pyHanko logs a traceback for every certificate it cannot trust, which for us is an
# expected answer (reported in SealReport.problems), not an error. A NullHandler keeps
# those records off stderr when the application has configured no logging; an
# application that configures logging still receives them.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

__all__ = [
    "LEVELS",
    "PADES_SUBFILTER",
    "Extended",
    "LongTermReport",
    "SealCertificateExpired",
    "SealCertificateMismatch",
    "SealError",
    "SealKeyError",
    "SealKeyUnreadable",
    "SealPassphraseError",
    "SealReport",
    "SealingFailed",
    "SealingKey",
    "TimestampInfo",
    "TimestampUnavailable",
    "add_archive_timestamp",
    "clear_cache",
    "configured_sealing_key",
    "create_self_signed",
    "extend_with_archive_timestamp",
    "load_certificates",
    "load_sealing_key",
    "reason_to_refresh",
    "refresh_reason",
    "resolve_level",
    "seal",
    "seal_level",
    "seal_summary",
    "sealing_key_for",
    "self_signed_path",
    "timestamps",
    "validate",
    "validate_long_term",
]
