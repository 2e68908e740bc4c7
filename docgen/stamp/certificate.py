"""The certificate of completion: the evidence, for whoever has to check the record later.

It names the envelope and the plan, the original document's SHA-256 (taken before
anything was added, so the original can be matched to it), every signer with every
recorded event (what, when in UTC, who caused it, and, for a signer's own acts, from
which IP address and browser), the consent the signers gave to electronic records, the
hash at the head of the envelope's audit chain, which ties this page to the complete,
hash-chained history, and the seal over the file with how to check it.
"""

from __future__ import annotations

from docgen.languages import list_text
from docgen.stamp import kinds
from docgen.stamp.document import DECISION_COLORS, MUTED, SMALL, RecordPdf
from docgen.stamp.model import SIGNED, Completion, SealFacts, SignerOutcome
from docgen.stamp.wording import (
    ENVELOPE_LABEL,
    HEAD_LABEL,
    NAME_DIFFERS,
    ORIGINAL_LABEL,
    RecordWords,
    exact_time,
    local_exact,
    sentence,
    words_for,
)

_LABEL_WIDTH = 132.0
# event, time, who caused it, IP address, browser
_EVENT_COLUMNS = (0.14, 0.19, 0.19, 0.12, 0.36)
_UTC_ZONES = ("UTC", "Etc/UTC")


def draw_certificate(pdf: RecordPdf, completion: Completion) -> int:
    """Draw the certificate from a new page on; returns that page's number in ``pdf``."""
    c = completion
    w = words_for(c)
    title = w._("Certificate of completion")
    pdf.new_section(title)
    first = pdf.page
    pdf.heading(title)
    with pdf.element("Table"):
        _row(pdf, w._("Document"), c.title)
        if c.company:  # never a blank row, nor a name the plan did not give
            _row(pdf, w._("Company"), c.company)
        _row(pdf, w._("Plan reference"), c.plan_id)
        _row(pdf, w._(ENVELOPE_LABEL), c.envelope_id, mono=True)
        _row(pdf, w._("Outcome"), w.outcome_text(c, exact_time(c.completed_at), exact=True))
        _row(pdf, w._(ORIGINAL_LABEL), c.original_sha256, mono=True,
             note=w._("of the PDF as it was sent, before this record's pages and stamps "
                      "were added"))
        _row(pdf, w._(HEAD_LABEL), c.audit_head_hash, mono=True,
             note=w._("the hash at the head of the envelope's hash-chained audit trail"))
    _consents(pdf, w, c)
    pdf.subheading(w._("Signers and events"))
    for signer in c.signers:
        _signer(pdf, w, c, signer)
    pdf.ln(2)
    pdf.para(w._("Event times are Coordinated Universal Time (UTC); a signer's local time "
                 "is given under their decision where their time zone is known. The IP "
                 "address and browser are shown for a signer's own acts; an event that "
                 "plansign or HR caused names who caused it instead. The audit trail, "
                 "which this certificate summarizes, records every event with its time, "
                 "actor, IP address and browser, and each record holds the hash of the one "
                 "before it."), size=SMALL, color=MUTED)
    if c.seal is not None:
        _seal(pdf, w, c.seal)
    return first


def consents(completion: Completion) -> list[tuple[str, list[SignerOutcome]]]:
    """Each consent agreed to, with who agreed to it, in the order they come: only those
    who signed agreed to anything (a refusal, a refusal recorded by the manager and no
    response are made without it)."""
    agreed: dict[str, list[SignerOutcome]] = {}
    for signer in completion.signers:
        if signer.decision in SIGNED:
            agreed.setdefault(signer.consent or completion.consent_text, []).append(signer)
    return list(agreed.items())


def _consents(pdf: RecordPdf, w: RecordWords, completion: Completion) -> None:
    pdf.subheading(w._("Consent to electronic records"))
    given = consents(completion)
    if not given:
        pdf.para(w.about(kinds.NOBODY_SIGNED, completion.document), size=SMALL,
                 space_after=4)
    for text, signers in given:
        names = _and(w, [w._("%(name)s (%(role)s)", name=s.name, role=w.role_label(s.role))
                         for s in signers])
        pdf.para(w.ngettext("%(names)s agreed to the following before signing:",
                            "%(names)s agreed to the following before signing:",
                            len(signers), names=names), size=SMALL, space_after=3)
        pdf.quote(text, size=8.5)
    others = [s for s in completion.signers if s.decision not in SIGNED]
    if given and others:
        pdf.para(w.ngettext("%(names)s did not sign, and agreed to none of it.",
                            "%(names)s did not sign, and agreed to none of it.",
                            len(others), names=_and(w, [s.name for s in others])),
                 size=SMALL, color=MUTED, space_after=4)


def _and(w: RecordWords, items: list[str]) -> str:
    """Names listed as the record's language writes a list (:func:`list_text`: "A, B et
    C", "Ana e Isabel"); the page isolates nothing, its lines are shaped whole."""
    return list_text(items, w.language, shown=str)


def _seal(pdf: RecordPdf, w: RecordWords, seal: SealFacts) -> None:
    """Who sealed the file, when, with which certificate, and how anyone can check it."""
    pdf.subheading(w._("Electronic seal"))
    with pdf.element("Table"):
        _row(pdf, w._("Sealed by"), seal.subject,
             note=w._("the subject of the sealing certificate"))
        _row(pdf, w._("Sealed at"), exact_time(seal.sealed_at),
             note=w._("when plansign sealed this record; the seal's own signing time is "
                      "inside its signature"))
        _row(pdf, w._("Seal certificate SHA-256"), seal.fingerprint_sha256, mono=True,
             note=w._("the fingerprint of the sealing certificate, to compare with the one "
                      "a checker shows"))
    pdf.para(w._("The seal covers the whole file: any change made after sealing, even to "
                 "one character, shows as a broken seal. To check it:"), size=SMALL,
             space_after=2)
    for way in (w._("run “plansign verify <file>” on the plansign server that holds the "
                    "archive; it checks the seal, the audit trail and the documents' hashes;"),
                w._("or open the file in a PDF reader and look at its signature panel (in "
                    "Adobe Acrobat Reader, “Signature Panel”): it names the certificate and "
                    "says whether the document was changed after it was signed;"),
                w._("or run “pdfsig <file>” (poppler-utils), which prints the signer, the "
                    "signing time and whether the signature is valid.")):
        pdf.para(f"•  {way}", size=SMALL, indent=8, space_after=1)


def _row(pdf: RecordPdf, label: str, value: str, *, mono: bool = False,
         note: str | None = None) -> None:
    """A label in the left column, its value (wrapped) in the right one: a row of a
    table with the label as its header cell, for screen readers."""
    pdf.keep(30)
    top = pdf.get_y()
    with pdf.element("TR"):
        with pdf.element("TH"):
            pdf.para(label, size=SMALL, color=MUTED, width=_LABEL_WIDTH - 8, leading=1.6,
                     space_after=0, tag=None)
        bottom = pdf.get_y()
        pdf.set_y(top)
        width = pdf.frame.text_width - _LABEL_WIDTH
        with pdf.element("TD"):
            pdf.para(value, family="mono" if mono else "sans", size=8.5 if mono else 9.5,
                     indent=_LABEL_WIDTH, width=width, leading=1.35, space_after=0,
                     tag=None)
            if note:
                pdf.para(note, size=7.0, color=MUTED, indent=_LABEL_WIDTH, width=width,
                         leading=1.3, space_after=0, tag=None)
    pdf.set_y(max(bottom, pdf.get_y()) + 4)


def _signer(pdf: RecordPdf, w: RecordWords, completion: Completion,
            signer: SignerOutcome) -> None:
    pdf.keep(90)
    pdf.ln(2)
    pdf.para(f"{signer.name} · {w.role_label(signer.role)}", size=9.5, style="B",
             space_after=0)
    pdf.para(signer.email, size=SMALL, color=MUTED, space_after=1)
    decision = w.decision_label(signer, completion)
    if signer.decided_at:
        decision = w._(", ").join((decision, exact_time(signer.decided_at)))  # "،" in Arabic
    zone = signer.timezone
    local = signer.decided_at is not None and zone is not None and zone not in _UTC_ZONES
    pdf.para(decision, size=8.5, style="B", color=DECISION_COLORS[signer.decision],
             space_after=1 if local else 4)
    if local:
        assert signer.decided_at is not None and zone is not None
        pdf.para(w._("Local time: %(time)s", time=local_exact(signer.decided_at, zone,
                                                                 w.language)),
                 size=SMALL, space_after=4)
    if signer.refusal_recorded:
        held = w.meeting(signer, short=False)
        pdf.para(sentence(w._(", ").join((*w.recorded_by(signer), *([held] if held else []))))
                 + ".", size=SMALL, space_after=4)
    if signer.decision in ("refused", "declined"):
        said = (signer.reason or "").strip()
        pdf.para(w._("%(label)s: %(reason)s", label=w.reason_label(signer),
                     reason=said or w._("(none given)")), size=SMALL, space_after=4)
    if signer.name_differs:
        pdf.para(w._(NAME_DIFFERS), size=SMALL, space_after=4)
    if not signer.events:
        pdf.para(w._("No events were recorded."), size=SMALL, color=MUTED)
        return
    pdf.wrapped_table(_EVENT_COLUMNS,
                      (w._("Event"), w._("Time (UTC)"), w._("By"), w._("IP address"),
                       w._("Browser (user agent)")),
                      [(sentence(e.what), exact_time(e.at), e.actor or "—", e.ip or "—",
                        e.user_agent or "—") for e in signer.events], size=7.0)
    pdf.ln(6)
