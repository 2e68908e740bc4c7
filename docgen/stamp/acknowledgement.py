"""The acknowledgement page: how each signer responded, in words, with what they agreed to.

Wherever the plan had no signature line for a signer (or no room beside it), their
stamp is drawn here instead, in a slot reserved under their entry.
"""

from __future__ import annotations

from docgen.stamp import kinds
from docgen.stamp.document import DECISION_COLORS, INK, MUTED, SMALL, RecordPdf
from docgen.stamp.marks import SMALL_LEADING, SMALL_SIZE, Mark, Spot
from docgen.stamp.model import SIGNED, Completion, SignerOutcome
from docgen.stamp.wording import NAME_DIFFERS, RecordWords, words_for

SLOT_LINE = 220.0  # the length of the signature line drawn for a stamp placed here
_SLOT_HEIGHT = 44.0


def draw_acknowledgement(pdf: RecordPdf, completion: Completion,
                         stamped_here: dict[int, tuple[Mark, str]],
                         first_final_page: int) -> list[Spot]:
    """Draw the page(s); returns the slots of the stamps placed here.

    ``stamped_here`` maps a signer's index to their mark and a label saying why it is
    here;
    ``first_final_page`` is the 0-based page of the final document that the first page
    of ``pdf`` becomes.
    """
    w = words_for(completion)
    document = completion.document
    title = w._("Acknowledgement record")
    pdf.new_section(title)
    pdf.heading(title)
    pdf.para(completion.title, size=11, style="B", space_after=1)
    pdf.para(w.about(kinds.REFERENCE, document, plan_id=completion.plan_id), size=SMALL,
             color=MUTED, space_after=6)
    pdf.para(w.about(kinds.ACKNOWLEDGEMENT_MEANS, document), space_after=6)
    pdf.label(w._("Outcome"))
    pdf.para(w.outcome_text(completion, w.long_time(completion.completed_at)), style="B",
             space_after=4)
    spots = []
    for index, signer in enumerate(completion.signers):
        pdf.rule(gap=14)
        _signer(pdf, w, completion, signer)
        if index in stamped_here:
            mark, label = stamped_here[index]
            spots.append(_slot(pdf, mark, label, first_final_page))
    pdf.rule(gap=14)
    count = len(completion.comments)
    pdf.label(w._("Comments"))
    pdf.para(w.about(kinds.NO_COMMENTS, document) if not count else
             w.comments_attached(document, count))
    return spots


def _signer(pdf: RecordPdf, w: RecordWords, completion: Completion,
            signer: SignerOutcome) -> None:
    pdf.keep(110)
    pdf.label(w.role_label(signer.role))
    pdf.para(signer.name, size=11, style="B", space_after=0)
    pdf.para(signer.email, size=SMALL, color=MUTED, space_after=5)
    decision = w.decision_label(signer, completion)
    if signer.decided_at:
        decision = w._("%(decision)s on %(when)s", decision=decision,
                       when=w.signer_time(signer.decided_at, signer.timezone))
    pdf.para(decision, style="B", color=DECISION_COLORS[signer.decision], space_after=5)
    if signer.decision in SIGNED:
        if signer.typed_name:
            pdf.label(w._("Signed by typing the name"))
            pdf.para(signer.typed_name, space_after=2 if signer.name_differs else 5)
        if signer.name_differs:
            pdf.para(w._(NAME_DIFFERS), size=SMALL, color=MUTED, space_after=5)
        pdf.label(w._("Statement agreed to"))
        if signer.statement:
            pdf.quote(signer.statement)
        else:
            pdf.para(w._("The statement was not recorded."), color=MUTED)
    elif signer.decision == "refused":
        if signer.recorded_by:
            pdf.para(_recorded_refusal(w, signer), space_after=5)
        pdf.label(w.reason_label(signer))
        _reason(pdf, w, signer)
    elif signer.not_asked:
        pdf.para(w.about(kinds.NEVER_SENT, completion.document, name=signer.name),
                 space_after=4)
    elif signer.decision == "declined":
        pdf.para(w.about(kinds.DECLINED, completion.document, name=signer.name),
                 space_after=5)
        pdf.label(w.reason_label(signer))
        _reason(pdf, w, signer)
    else:
        pdf.para(w.about(kinds.UNANSWERED_WHEN[completion.outcome], completion.document,
                         name=signer.name, when=w.long_time(completion.completed_at)),
                 space_after=4)


def _recorded_refusal(w: RecordWords, signer: SignerOutcome) -> str:
    """Who recorded the employee's refusal, where and before whom, in one sentence."""
    held = w.meeting_detail(signer, short=False)
    names = {"manager": signer.recorded_by, "name": signer.name}
    if held and signer.witness:
        return w._("The refusal was recorded by %(manager)s (manager) in a meeting with "
                   "%(name)s, %(held)s, witnessed by %(witness)s; %(name)s did not refuse "
                   "on their own signing page.", held=held, witness=signer.witness, **names)
    if held:
        return w._("The refusal was recorded by %(manager)s (manager) in a meeting with "
                   "%(name)s, %(held)s; %(name)s did not refuse on their own signing "
                   "page.", held=held, **names)
    if signer.witness:
        return w._("The refusal was recorded by %(manager)s (manager) in a meeting with "
                   "%(name)s, witnessed by %(witness)s; %(name)s did not refuse on their "
                   "own signing page.", witness=signer.witness, **names)
    return w._("The refusal was recorded by %(manager)s (manager) in a meeting with "
               "%(name)s; %(name)s did not refuse on their own signing page.", **names)


def _reason(pdf: RecordPdf, w: RecordWords, signer: SignerOutcome) -> None:
    if signer.reason and signer.reason.strip():
        pdf.quote(signer.reason)
    else:
        pdf.para(w._("No reason was given."), color=MUTED)


def _slot(pdf: RecordPdf, mark: Mark, label: str, first_final_page: int) -> Spot:
    """Reserve room for a stamp, draw its line, and say where its words go (mirrored in
    a right-to-left record: the line at the right, the small print left of it)."""
    pdf.keep(_SLOT_HEIGHT + 30)
    pdf.label(label)
    top = pdf.get_y()
    line_y = top + 30
    left = (pdf.frame.width - pdf.frame.right - SLOT_LINE) if pdf.rtl else pdf.frame.left
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.6)
    pdf.line(left, line_y, left + SLOT_LINE, line_y)
    size = mark.headline_size
    while size > 10 and pdf.measure(mark.headline, mark.family, mark.style, size) > SLOT_LINE - 12:
        size -= 1
    width = pdf.measure(mark.headline, mark.family, mark.style, size)
    pdf.set_y(top + _SLOT_HEIGHT)
    small_height = (len(mark.small_lines(0)) - 1) * SMALL_LEADING
    return Spot(mark=mark, page=first_final_page + pdf.page - 1,
                headline_x=left + SLOT_LINE - 6 - width if pdf.rtl else left + 6,
                headline_baseline=line_y - 2.0, headline_size=size,
                small_x=left - 10 if pdf.rtl else left + SLOT_LINE + 10,
                small_baseline=line_y - small_height / 2 + 0.25 * SMALL_SIZE,
                small_align="R" if pdf.rtl else "L")
