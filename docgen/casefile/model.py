"""What the case file builder is given: the closed case as plain frozen data.

The case service gathers it (the plan's sealed record, the check-ins with the
employee's answers, the extensions and amendments, the outcome letter, the charts, the
case's events); the builder draws and merges it and adds nothing of its own. Times are
aware datetimes; people's text is kept verbatim and only ever drawn as text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from docgen.charts import Chart
from docgen.errors import DocgenError
from docgen.stamp.wording import N_


class CaseFileInvalid(DocgenError):
    """Case data that cannot go into a case file; names the field (``checkins[2].meeting``)."""


@dataclass(frozen=True)
class IncludedDocument:
    """A PDF the case file holds whole: the plan's sealed record, an amendment's, the
    outcome letter's. ``at``: when it was made (sealed), its place among the check-ins."""

    kind: str  # "plan", "amendment", "outcome letter"
    title: str  # "Amendment 1 of the plan of 5 January 2027"
    pdf: bytes = field(repr=False)
    at: dt.datetime
    name: str  # the attached file's name: "plan.pdf", "amendment-1.pdf"

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class GoalEntry:
    """Where one goal stood at a check-in, as the record shows it."""

    number: int
    statement: str
    status: str  # "on track", "at risk", "off track", "met"
    value: str = ""  # the metric's value as recorded ("81%"), or ""
    baseline: str = ""
    target: str = ""
    note: str = ""


@dataclass(frozen=True)
class Comment:
    author: str
    at: dt.datetime
    text: str


@dataclass(frozen=True)
class Answer:
    """The employee's answer to a check-in record: ``acknowledged`` (receipt, not
    agreement) with any comments, ``no_answer`` within the configured days, or
    ``pending`` (the case closed before the days ran out)."""

    kind: str  # "acknowledged" | "no_answer" | "pending"
    by: str = ""
    at: dt.datetime | None = None  # when acknowledged, or when no answer was recorded
    comments: tuple[Comment, ...] = ()


ANSWER_KINDS = ("acknowledged", "no_answer", "pending")


@dataclass(frozen=True)
class CheckinPage:
    """One scheduled meeting's record: held or missed, and the employee's answer."""

    meeting: int
    scheduled_for: dt.datetime
    held_at: dt.datetime | None
    missed_reason: str | None
    attendees: tuple[str, ...]
    goals: tuple[GoalEntry, ...]
    notes: str
    support_given: str
    next_steps: str
    employee_view: str
    recorded_by: str
    recorded_at: dt.datetime
    answer: Answer
    milestones: tuple[str, ...] = ()  # the milestones due for this meeting

    def record(self) -> dict[str, Any]:
        """The record as data: what the case file's manifest holds and hashes."""
        record: dict[str, Any] = _jsonable(self)
        return record

    @property
    def sha256(self) -> str:
        return hashlib.sha256(canonical(self.record())).hexdigest()


@dataclass(frozen=True)
class ExtensionPage:
    number: int
    days: int
    reason: str
    new_end: dt.date
    amended_goals: bool
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class CaseEvent:
    at: dt.datetime
    what: str  # "check-in 3 recorded", "case extended by 14 days", ...
    actor: str  # "Priya Raman (manager)", "plansign (system)"


@dataclass(frozen=True)
class CaseFile:
    """Everything the case file shows, in the order the builder needs it."""

    envelope_id: str
    plan_id: str
    company: str
    employee: str
    employee_id: str
    department: str
    manager: str
    hr: str
    zone: str  # IANA zone the plan's meetings are in: times are shown in it and in UTC
    start: dt.date
    end: dt.date  # as extended
    outcome: str  # "met", "not_met", "resigned", "withdrawn"
    outcome_reason: str  # HR's words on the outcome (evidence summary or early close reason)
    closed_at: dt.datetime
    made_at: dt.datetime
    plan: IncludedDocument
    checkins: tuple[CheckinPage, ...] = ()
    extensions: tuple[ExtensionPage, ...] = ()
    amendments: tuple[IncludedDocument, ...] = ()
    outcome_letter: IncludedDocument | None = None
    charts: tuple[Chart, ...] = ()
    events: tuple[CaseEvent, ...] = ()
    scheduled: int = 0  # meetings the plan (as extended) scheduled; 0: as many as recorded
    language: str = "en"  # the plan's: the case file's own pages are written in it

    @property
    def documents(self) -> tuple[IncludedDocument, ...]:
        letter = (self.outcome_letter,) if self.outcome_letter is not None else ()
        return (self.plan, *self.amendments, *letter)


@dataclass(frozen=True)
class Entry:
    """One line of the contents: a part of the case file and its first and last page."""

    title: str
    first: int
    last: int
    kind: str  # "document", "check-in", "extension", "charts", "certificate"


@dataclass(frozen=True)
class BuiltCaseFile:
    pdf: bytes = field(repr=False)
    pages: int
    contents: tuple[Entry, ...]


# Translated where they are drawn (docgen.casefile.pages), in the plan's language.
OUTCOME_LABELS = {"met": N_("Goals met: the plan closed successfully"),
                  "not_met": N_("Goals not met"),
                  "resigned": N_("Closed early: the employee resigned"),
                  "withdrawn": N_("Closed early: the plan was withdrawn")}


def check_case_file(case: CaseFile) -> None:
    """Raise :class:`CaseFileInvalid` naming the first field the case file cannot show."""
    if case.outcome not in OUTCOME_LABELS:
        raise CaseFileInvalid(f"outcome: {case.outcome!r} is not one of "
                              f"{', '.join(OUTCOME_LABELS)}")
    for name, moment in (("closed_at", case.closed_at), ("made_at", case.made_at)):
        if moment.tzinfo is None:
            raise CaseFileInvalid(f"{name}: the time has no time zone")
    names: set[str] = set()
    for i, doc in enumerate(case.documents):
        if not doc.pdf.startswith(b"%PDF-"):
            raise CaseFileInvalid(f"documents[{i}].pdf: {doc.name} is not a PDF")
        if doc.name in names or not doc.name.endswith(".pdf") or "/" in doc.name:
            raise CaseFileInvalid(f"documents[{i}].name: {doc.name!r} is not a file name "
                                  "of its own ending in .pdf")
        names.add(doc.name)
    seen: set[int] = set()
    for i, c in enumerate(case.checkins):
        if c.meeting in seen:
            raise CaseFileInvalid(f"checkins[{i}].meeting: meeting {c.meeting} is there twice")
        seen.add(c.meeting)
        if (c.held_at is None) == (c.missed_reason is None):
            raise CaseFileInvalid(f"checkins[{i}]: a check-in is either held (held_at) or "
                                  "missed (missed_reason)")
        if c.answer.kind not in ANSWER_KINDS:
            raise CaseFileInvalid(f"checkins[{i}].answer.kind: {c.answer.kind!r} is not "
                                  f"one of {', '.join(ANSWER_KINDS)}")


def canonical(data: Any) -> bytes:
    """One byte sequence per value: keys sorted, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: _jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
