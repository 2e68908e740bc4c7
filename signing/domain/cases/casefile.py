"""Sealing and writing a case file: the I/O edge of :mod:`docgen.casefile`.

The case service gathers a :class:`docgen.casefile.CaseFile` when a case closes;
:func:`make_case_file` builds it and seals it with the organisation's seal at the
configured PAdES level (as the finalizer seals a plan's record), and
:func:`write_case_file` puts it on disk under a temporary name, flushed, then renamed.
``plansign verify`` checks a sealed case file (:mod:`signing.domain.case_verification`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from docgen.casefile import CaseFile, build_case_file
from docgen.files import write_atomic
from docgen.seal import SealingKey, resolve_level, seal

SEAL_REASON = "Sealed case file of a Performance Improvement Plan"


@dataclass(frozen=True)
class SealedCaseFile:
    pdf: bytes = field(repr=False)
    pages: int
    level: str  # the PAdES level it was sealed at
    # Seconds each step took: "pages" (the charts drawn with them), "merge" and "seal".
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def make_case_file(case: CaseFile, key: SealingKey, *, now: dt.datetime,
                   seal_level: str = "auto", timestamp_url: str | None = None,
                   location: str | None = None) -> SealedCaseFile:
    """The case file, built and sealed. ``seal_level`` is the setting (``auto`` or a
    PAdES level, see :func:`docgen.seal.resolve_level`)."""
    timings: dict[str, float] = {}
    built = build_case_file(case, timings)
    built_at = time.perf_counter()
    sealed = seal_case_file(built.pdf, key, now=now, seal_level=seal_level,
                            timestamp_url=timestamp_url, location=location or case.company)
    level = resolve_level(seal_level, timestamp_url, key)
    timings["seal"] = time.perf_counter() - built_at
    return SealedCaseFile(sealed, built.pages, level, timings)


def seal_case_file(pdf: bytes, key: SealingKey, *, now: dt.datetime, seal_level: str = "auto",
                   timestamp_url: str | None = None, location: str | None = None) -> bytes:
    """``pdf`` (a built case file) with the organisation's seal over the whole of it."""
    return seal(pdf, key, reason=SEAL_REASON, location=location or None,
                timestamp_url=timestamp_url, now=now,
                level=resolve_level(seal_level, timestamp_url, key))


def write_case_file(path: Path, pdf: bytes) -> None:
    """Write the case file to ``path``: a temporary name beside it, flushed to disk, then
    renamed, so a crash never leaves half a case file under its name."""
    write_atomic(path, pdf)
