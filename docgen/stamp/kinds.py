"""How the record's pages name its document, per kind: the plan, its outcome letter, or
an amendment (:class:`docgen.stamp.model.DocumentKind`).

docgen imports nothing of signing, whose :mod:`signing.domain.documents` names each kind
for the signer; this is the record's own small vocabulary of them. Every sentence that
names the document is written whole for each kind (:class:`Said`), never put together
from pieces, so each language writes each one as it reads best. An amendment's
sentences may say ``%(number)d`` and ``%(date)s`` (the plan's date, in the record's
language): :meth:`docgen.stamp.wording.RecordWords.about` fills them in.

The plan's sentences are the messages the record always had, so a plan's record (and
one made before kinds were told) reads as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from docgen.stamp.model import AMENDMENT, OUTCOME_LETTER, PLAN


def N_(text: str) -> str:
    """Marks a message of the ``docgen`` domain for extraction where it is kept in a
    constant; translated where it is shown (``RecordWords._``). Defined here, under the
    sentences that use it, and exported by :mod:`docgen.stamp.wording` too."""
    return text


@dataclass(frozen=True)
class Said:
    """One sentence of the record that names its document, whole, for each kind."""

    plan: str
    letter: str
    amendment: str

    def of(self, kind: str) -> str:
        return {PLAN: self.plan, OUTCOME_LETTER: self.letter, AMENDMENT: self.amendment}[kind]


# The document's title: the certificate's "Document" row, the acknowledgement page's
# heading and the running footer of the added pages.
TITLE = Said(
    N_("Performance Improvement Plan for %(name)s"),
    N_("Outcome letter of the Performance Improvement Plan for %(name)s"),
    N_("Amendment %(number)d to the Performance Improvement Plan of %(date)s for %(name)s"))
REFERENCE = Said(N_("Reference %(plan_id)s"), N_("Plan reference %(plan_id)s"),
                 N_("Plan reference %(plan_id)s"))
# What the acknowledgement page records, and what the employee's signature means:
# receipt and understanding, never agreement. The outcome letter is the employee's alone
# to sign; the case closes with its outcome whatever they answer. An amendment's
# extension holds from when HR made it, signed or not.
ACKNOWLEDGEMENT_MEANS = Said(
    N_("This page records how each person asked to sign the plan responded. The "
       "employee's signature confirms that the plan was received and understood; it does "
       "not mean agreement with it, and refusing to sign does not stop the plan. A manager "
       "or HR representative signs to confirm the statement quoted under their name."),
    N_("This page records how the employee responded to the outcome letter. The "
       "employee's signature confirms that the letter was received and understood; it "
       "does not mean agreement with it, and refusing to sign does not change the outcome "
       "the letter states."),
    N_("This page records how each person asked to sign amendment %(number)d to the plan "
       "responded. The employee's signature confirms that the amendment was received and "
       "understood; it does not mean agreement with it, and refusing to sign does not stop "
       "the amendment from taking effect. A manager or HR representative signs to confirm "
       "the statement quoted under their name."))
# The outcome, when the document was withdrawn (voided). Only the plan is said not to
# take effect: what withdrawing a letter or an amendment changes on the case is not the
# record's to say.
WITHDRAWN_BECAUSE = Said(
    N_("%(outcome)s. The plan was withdrawn and does not take effect. Reason: %(reason)s"),
    N_("%(outcome)s. The outcome letter was withdrawn. Reason: %(reason)s"),
    N_("%(outcome)s. The amendment was withdrawn. Reason: %(reason)s"))
WITHDRAWN = Said(
    N_("%(outcome)s. The plan was withdrawn and does not take effect"),
    N_("%(outcome)s. The outcome letter was withdrawn"),
    N_("%(outcome)s. The amendment was withdrawn"))
# The refusal first: it is what a reader of the record must not miss.
REFUSED = Said(
    N_("Refused to sign by the employee; the plan takes effect. %(outcome)s"),
    N_("Refused to sign by the employee; the outcome the letter states stands. %(outcome)s"),
    N_("Refused to sign by the employee; the amendment takes effect. %(outcome)s"))
# Why a signer was never asked: the document ended before their turn.
ENDED_BEFORE_TURN = {
    "completed": Said(N_("the plan was completed before their turn"),
                      N_("the outcome letter was completed before their turn"),
                      N_("the amendment was completed before their turn")),
    "expired": Said(N_("the plan expired before their turn"),
                    N_("the outcome letter expired before their turn"),
                    N_("the amendment expired before their turn")),
    "voided": Said(N_("the plan was withdrawn before their turn"),
                   N_("the outcome letter was withdrawn before their turn"),
                   N_("the amendment was withdrawn before their turn")),
}
NEVER_SENT = Said(
    N_("%(name)s was never sent the plan, so was not asked to sign it."),
    N_("%(name)s was never sent the outcome letter, so was not asked to sign it."),
    N_("%(name)s was never sent the amendment, so was not asked to sign it."))
DECLINED = Said(
    N_("%(name)s declined to sign, and the plan was withdrawn."),
    N_("%(name)s declined to sign, and the outcome letter was withdrawn."),
    N_("%(name)s declined to sign, and the amendment was withdrawn."))
# A signer who had not answered when the document ended (an expiry is the envelope's).
UNANSWERED_WHEN = {
    "completed": Said(
        N_("%(name)s had not responded when the plan was completed on %(when)s."),
        N_("%(name)s had not responded when the outcome letter was completed on %(when)s."),
        N_("%(name)s had not responded when the amendment was completed on %(when)s.")),
    "expired": Said(
        N_("%(name)s had not responded when the envelope expired on %(when)s."),
        N_("%(name)s had not responded when the envelope expired on %(when)s."),
        N_("%(name)s had not responded when the envelope expired on %(when)s.")),
    "voided": Said(
        N_("%(name)s had not responded when the plan was withdrawn on %(when)s."),
        N_("%(name)s had not responded when the outcome letter was withdrawn on %(when)s."),
        N_("%(name)s had not responded when the amendment was withdrawn on %(when)s.")),
}
NO_COMMENTS = Said(N_("No comments were attached to the plan."),
                   N_("No comments were attached to the outcome letter."),
                   N_("No comments were attached to the amendment."))
COMMENTS_INTRO = Said(
    N_("Attached to the plan by the people asked to sign it, in the order they were made, "
       "reproduced exactly as written. Times are UTC."),
    N_("Attached to the outcome letter by the employee, in the order they were made, "
       "reproduced exactly as written. Times are UTC."),
    N_("Attached to the amendment by the people asked to sign it, in the order they were "
       "made, reproduced exactly as written. Times are UTC."))
NOBODY_SIGNED = Said(
    N_("Nobody signed the plan, so nobody agreed to sign it electronically."),
    N_("Nobody signed the outcome letter, so nobody agreed to sign it electronically."),
    N_("Nobody signed the amendment, so nobody agreed to sign it electronically."))
# The footer of the document's own pages when they print their own page numbers.
FOOTER_AS_SENT = Said(
    N_("Final record of envelope %(envelope)s · the plan as sent is on %(plan)s; the "
       "record follows on %(rest)s"),
    N_("Final record of envelope %(envelope)s · the outcome letter as sent is on "
       "%(pages)s; the record follows on %(rest)s"),
    N_("Final record of envelope %(envelope)s · the amendment as sent is on %(pages)s; "
       "the record follows on %(rest)s"))
# Why a stamp is on the acknowledgement page rather than beside its signature line.
LINE_TAKEN = Said(
    N_("Signature stamp: the plan’s “%(line)s” line holds another signer's stamp."),
    N_("Signature stamp: the outcome letter’s “%(line)s” line holds another signer's "
       "stamp."),
    N_("Signature stamp: the amendment’s “%(line)s” line holds another signer's stamp."))
NO_LINE = Said(
    N_("Signature stamp: the plan has no “%(line)s” line."),
    N_("Signature stamp: the outcome letter has no “%(line)s” line."),
    N_("Signature stamp: the amendment has no “%(line)s” line."))
NO_ROOM = Said(
    N_("Signature stamp: there is no free room beside the plan’s “%(line)s” line."),
    N_("Signature stamp: there is no free room beside the outcome letter’s “%(line)s” "
       "line."),
    N_("Signature stamp: there is no free room beside the amendment’s “%(line)s” line."))
