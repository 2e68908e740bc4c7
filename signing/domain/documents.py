"""What an envelope's document is called, per its kind: the one place that decides it.

An envelope holds a plan, or a document of a plan's case (``envelopes.document_kind``):
its outcome letter, or an amendment (``amendment_number``). The signer's pages, the
emails and the statements signed name the document by :class:`DocumentName`, so an
outcome letter is never called "the plan". The words are marked for the ``signer``
catalog (``N_``) and translated by the caller's ``gettext``, in the plan's language.
Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from signing.domain.mail.message import attachment_name
from signing.domain.wording import N_

PLAN = "plan"
OUTCOME_LETTER = "outcome_letter"
AMENDMENT = "amendment"
DOCUMENT_KINDS = (PLAN, OUTCOME_LETTER, AMENDMENT)

Gettext = Callable[[str], str]


def _english(text: str) -> str:
    return text


def case_file_name(gettext: Gettext = _english) -> str:
    """The case file's PDF name, in ``gettext``'s language."""
    return attachment_name(gettext(CASE_FILE_NAME), "pdf", fallback=CASE_FILE_NAME)


def checkin_record_name(meeting: int, gettext: Gettext = _english) -> str:
    """The PDF name of the record of check-in ``meeting``, in ``gettext``'s language."""
    english = CHECKIN_RECORD_NAME % {"number": meeting}
    return attachment_name(gettext(CHECKIN_RECORD_NAME) % {"number": meeting}, "pdf",
                           fallback=english)

# Each kind's name, as the employee reads it ("your ...") and as the manager and HR
# read it (naming the employee); its title, for headings and the page's title; and what
# the document is for, in a word ("the letter", "the amendment"), for short sentences.
_NAMES = {
    PLAN: (N_("your performance improvement plan"),
           N_("the performance improvement plan for %(employee)s"),
           N_("Performance Improvement Plan")),
    OUTCOME_LETTER: (N_("the outcome letter of your performance improvement plan"),
                     N_("the outcome letter of the performance improvement plan for "
                        "%(employee)s"),
                     N_("Outcome letter")),
    AMENDMENT: (N_("amendment %(number)d to your performance improvement plan"),
                N_("amendment %(number)d to the performance improvement plan for "
                   "%(employee)s"),
                N_("Amendment %(number)d to the performance improvement plan")),
}

# The file name a signer's copy is saved under (without its extension), unsigned and
# signed, in the plan's language (a name no system refuses: signing.domain.mail.message.
# attachment_name). Translators: words joined by hyphens, no spaces.
_FILE_NAMES = {
    PLAN: (N_("performance-plan"), N_("performance-plan-signed")),
    OUTCOME_LETTER: (N_("performance-plan-outcome-letter"),
                     N_("performance-plan-outcome-letter-signed")),
    AMENDMENT: (N_("performance-plan-amendment-%(number)d"),
                N_("performance-plan-amendment-%(number)d-signed")),
}
# Translators: a file name, words joined by hyphens, without an extension.
CASE_FILE_NAME = N_("performance-plan-case-file")
# Translators: a file name, words joined by hyphens, without an extension: the record of
# one check-in meeting (its number), which the employee downloads from the records page.
CHECKIN_RECORD_NAME = N_("check-in-%(number)d-record")


@dataclass(frozen=True, slots=True)
class DocumentName:
    """An envelope's document, as the words about it name it."""

    kind: str = PLAN
    number: int | None = None  # an amendment's

    def __post_init__(self) -> None:
        if self.kind not in DOCUMENT_KINDS:
            raise ValueError(f"document_kind: {self.kind!r} is not one of "
                             f"{', '.join(DOCUMENT_KINDS)}")
        if self.kind == AMENDMENT and (self.number is None or self.number < 1):
            raise ValueError("amendment_number: an amendment has a number from 1")

    @property
    def is_plan(self) -> bool:
        return self.kind == PLAN

    def yours(self, gettext: Gettext) -> str:
        """As the employee reads it: "the outcome letter of your performance
        improvement plan", "amendment 1 to your performance improvement plan"."""
        return self._fill(gettext(_NAMES[self.kind][0]))

    def of(self, employee: str, gettext: Gettext) -> str:
        """As the manager and HR read it, naming the employee."""
        return self._fill(gettext(_NAMES[self.kind][1]), employee=employee)

    def for_role(self, role: str, employee: str, gettext: Gettext) -> str:
        return self.yours(gettext) if role == "employee" else self.of(employee, gettext)

    def title(self, gettext: Gettext) -> str:
        """For a heading: "Outcome letter", "Amendment 1 to the performance improvement
        plan"."""
        return self._fill(gettext(_NAMES[self.kind][2]))

    def file_name(self, signed: bool = False, gettext: Gettext = _english, *,
                  reference: str | None = None) -> str:
        """The PDF's file name, in ``gettext``'s language (English by default); with
        ``reference`` (the envelope's id, for HR's copies) after the words."""
        stem = _FILE_NAMES[self.kind][1 if signed else 0]
        after = f"-{reference}" if reference else ""
        return attachment_name(self._fill(gettext(stem)) + after, "pdf",
                               fallback=self._fill(stem) + after)

    def _fill(self, text: str, **more: str) -> str:
        return text % {"number": self.number or 0, **more}


def document_name(kind: str | None, number: int | None = None) -> DocumentName:
    """The name of an envelope's document from its row's ``document_kind`` and
    ``amendment_number`` (an envelope made before kinds existed is a plan)."""
    return DocumentName(kind or PLAN, number if kind == AMENDMENT else None)


# The document of every envelope made before kinds existed, and of most since.
THE_PLAN = DocumentName()
