"""The certificate of completion: the evidence, for whoever has to check the record later.

It names the envelope and the plan, the original document's SHA-256 (taken before
anything was added, so the original can be matched to it), every signer with every
recorded event (what, when in UTC, from which IP address and browser), the consent
the signers gave to electronic records, and the hash at the head of the envelope's
audit chain, which ties this page to the complete, hash-chained history.
"""

from __future__ import annotations

from docgen.stamp.document import DECISION_COLORS, MUTED, SMALL, RecordPdf
from docgen.stamp.model import Completion, SignerOutcome
from docgen.stamp.wording import (
    DECISION_LABELS,
    ENVELOPE_LABEL,
    HEAD_LABEL,
    ORIGINAL_LABEL,
    OUTCOME_LABELS,
    exact_time,
    role_label,
    sentence,
)

_LABEL_WIDTH = 132.0
_EVENT_COLUMNS = (0.15, 0.2, 0.14, 0.51)  # event, time, IP address, browser


def draw_certificate(pdf: RecordPdf, completion: Completion) -> int:
    """Draw the certificate from a new page on; returns that page's number in ``pdf``."""
    c = completion
    pdf.new_section("Certificate of completion")
    first = pdf.page
    pdf.heading("Certificate of completion")
    _row(pdf, "Document", c.title)
    _row(pdf, "Company", c.company)
    _row(pdf, "Plan reference", c.plan_id)
    _row(pdf, ENVELOPE_LABEL, c.envelope_id, mono=True)
    _row(pdf, "Outcome", f"{OUTCOME_LABELS[c.outcome]}, {exact_time(c.completed_at)}")
    _row(pdf, ORIGINAL_LABEL, c.original_sha256, mono=True,
         note="of the PDF as it was sent, before this record's pages and stamps were added")
    _row(pdf, HEAD_LABEL, c.audit_head_hash, mono=True,
         note="the hash at the head of the envelope's hash-chained audit trail")
    pdf.subheading("Consent to electronic records")
    pdf.para("Each signer agreed to the following before acting:", size=SMALL, color=MUTED,
             space_after=3)
    pdf.quote(c.consent_text, size=8.5)
    pdf.subheading("Signers and events")
    for signer in c.signers:
        _signer(pdf, signer)
    pdf.ln(2)
    pdf.para("Times are Coordinated Universal Time (UTC). The audit trail, which this "
             "certificate summarizes, records every event with its time, IP address and "
             "browser, and each record holds the hash of the one before it.",
             size=SMALL, color=MUTED)
    return first


def _row(pdf: RecordPdf, label: str, value: str, *, mono: bool = False,
         note: str | None = None) -> None:
    """A label in the left column, its value (wrapped) in the right one."""
    pdf.keep(30)
    top = pdf.get_y()
    pdf.para(label, size=SMALL, color=MUTED, width=_LABEL_WIDTH - 8, leading=1.6,
             space_after=0)
    bottom = pdf.get_y()
    pdf.set_y(top)
    width = pdf.frame.text_width - _LABEL_WIDTH
    pdf.para(value, family="mono" if mono else "sans", size=8.5 if mono else 9.5,
             indent=_LABEL_WIDTH, width=width, leading=1.35, space_after=0)
    if note:
        pdf.para(note, size=7.0, color=MUTED, indent=_LABEL_WIDTH, width=width,
                 leading=1.3, space_after=0)
    pdf.set_y(max(bottom, pdf.get_y()) + 4)


def _signer(pdf: RecordPdf, signer: SignerOutcome) -> None:
    pdf.keep(90)
    pdf.ln(2)
    pdf.para(f"{signer.name} · {role_label(signer.role)}", size=9.5, style="B",
             space_after=0)
    pdf.para(signer.email, size=SMALL, color=MUTED, space_after=1)
    decided = f", {exact_time(signer.decided_at)}" if signer.decided_at else ""
    pdf.para(DECISION_LABELS[signer.decision] + decided, size=8.5, style="B",
             color=DECISION_COLORS[signer.decision], space_after=4)
    if not signer.events:
        pdf.para("No events were recorded.", size=SMALL, color=MUTED)
        return
    pdf.wrapped_table(_EVENT_COLUMNS, ("Event", "Time (UTC)", "IP address", "Browser (user agent)"),
              [(sentence(e.what), exact_time(e.at), e.ip or "—", e.user_agent or "—")
               for e in signer.events], size=7.0)
    pdf.ln(6)
