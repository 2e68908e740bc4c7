"""The pages the case file draws: the cover with its contents, each check-in record, each
extension, the progress charts and the certificate of the whole case.

Drawn with the record's own typography (:class:`docgen.stamp.document.RecordPdf`): people's
text as text, wrapped, each paragraph in its own direction (an Arabic comment is set
right to left and shaped), never read as markup.

The pages' own words are in the plan's language: the ``docgen`` gettext domain, through
the :class:`~docgen.stamp.wording.RecordWords` the pdf carries (``pdf.words``; mirrored
for Arabic as the stamp pages are), dates by locale. What the case file's data holds
(the hashed check-in records: a goal's status, "Goal N: ..." milestones) stays as it was
recorded, in English, so a record's SHA-256 does not depend on the language it is shown
in; it is translated where it is drawn.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from docgen.casefile.model import (
    OUTCOME_LABELS,
    CaseFile,
    CheckinPage,
    Entry,
    ExtensionPage,
    IncludedDocument,
)
from docgen.charts.pdf import draw_chart
from docgen.dates import date_words, held_together
from docgen.languages import list_text
from docgen.stamp.document import HEADING, MUTED, SMALL, RecordPdf
from docgen.stamp.wording import N_, RecordWords, exact_time

_LABEL_WIDTH = 132.0
_ANSWER_COLOURS = {"acknowledged": (30, 100, 55), "no_answer": (156, 42, 42),
                   "pending": (96, 96, 96)}


# A goal's status as the check-in record holds it (signing.domain.cases.charts'
# STATUS_LABELS, in English): marked again here, as docgen reads no signing module.
STATUS_WORDS = (N_("on track"), N_("at risk"), N_("off track"), N_("met"))
# "Goal 2: Close 40 tickets a week": a milestone as the case file task writes it.
_MILESTONE = re.compile(r"Goal (\d+): (.*)", re.DOTALL)


def local(moment: dt.datetime, zone: str, w: RecordWords) -> str:
    """``Tuesday 12 January 2027, 10:00 GMT`` (in ``w``'s language): a meeting's time on
    the plan's clock."""
    m = moment.astimezone(ZoneInfo(zone))
    if w.language == "en":
        return w._when(held_together(f"{m:%A} {m.day} {m:%B %Y}"), m)
    return w._when(date_words(m, "full", w.locale, held=True), m)


def characters(w: RecordWords) -> str:
    """The characters of the pages' own words in ``w``'s language, weekdays included: the
    document's fonts are cut down to its text, and these are part of it."""
    weekdays = (date_words(dt.date(2027, 1, 4 + n), "full", w.locale, held=True)
                for n in range(7))
    return "".join(sorted(w.characters)) + "".join(weekdays)


def day(value: dt.date, w: RecordWords) -> str:
    return w.long_date(dt.datetime(value.year, value.month, value.day))


def milestone(text: str, w: RecordWords) -> str:
    """A milestone due at a check-in, its "Goal N:" in ``w``'s language."""
    found = _MILESTONE.fullmatch(text)
    if found is None:
        return text
    return w._("Goal %(number)s: %(milestone)s", number=found[1], milestone=found[2])


# -- cover ---------------------------------------------------------------------------------


def draw_cover(pdf: RecordPdf, case: CaseFile, contents: Sequence[Entry]) -> None:
    w = pdf.words
    pdf.new_section(w._("Case file"))
    pdf.heading(w._("Case file: Performance Improvement Plan"))
    pdf.para(f"{case.employee}", size=13, style="B", space_after=1)
    who = ", ".join(x for x in (case.employee_id and w._("employee %(id)s",
                                                          id=case.employee_id),
                                case.department) if x)
    if who:
        pdf.para(who, size=SMALL, color=MUTED, space_after=6)
    pdf.para(w._("This file holds the whole record of the plan after it was sent: the plan and "
             "its acknowledgements, every check-in with the employee's acknowledgement and "
             "comments, any extension and amended plan, the outcome letter, each goal's "
             "progress, and a certificate listing every document's SHA-256 and every event "
             "of the case. It is sealed as a whole; the documents it includes keep their "
             "own seals and are also attached to it unchanged."), size=8.5, space_after=8)
    held = [c for c in case.checkins if c.held_at is not None]
    missed = [c for c in case.checkins if c.held_at is None]
    acknowledged = [c for c in case.checkins if c.answer.kind == "acknowledged"]
    commented = [c for c in case.checkins if c.answer.comments]
    scheduled = case.scheduled or len(case.checkins)
    with pdf.element("Table"):
        row(pdf, w._("Outcome"), w._(OUTCOME_LABELS[case.outcome]), bold=True)
        if case.outcome_reason:
            row(pdf, w._("Outcome, in HR's words"), case.outcome_reason)
        days = w.ngettext("%(num)d day", "%(num)d days", (case.end - case.start).days)
        if case.extensions:
            days = w._("%(days)s, %(extended)s", days=days, extended=w.ngettext(
                "extended once", "extended %(num)d times", len(case.extensions)))
        row(pdf, w._("Plan"), w._("%(plan)s · from %(start)s to %(end)s (%(days)s)",
                                  plan=case.plan_id, start=day(case.start, w),
                                  end=day(case.end, w), days=days))
        row(pdf, w._("Manager"), case.manager)
        row(pdf, w._("HR"), case.hr)
        row(pdf, w._("Check-ins"), w._(
            "%(held)d held and %(missed)d missed of %(scheduled)d scheduled; "
            "%(acknowledged)d acknowledged by the employee, %(commented)d with the "
            "employee's comments", held=len(held), missed=len(missed), scheduled=scheduled,
            acknowledged=len(acknowledged), commented=len(commented)))
        row(pdf, w._("Closed"), w.long_time(case.closed_at))
        row(pdf, w._("Envelope"), case.envelope_id, mono=True)
    pdf.subheading(w._("Contents"))
    with pdf.element("Table"):
        for entry in contents:
            pages = (w._("page %(number)d", number=entry.first) if entry.first == entry.last
                     else w._("pages %(first)d–%(last)d", first=entry.first, last=entry.last))
            row(pdf, pages, entry.title, label_width=90)


# -- check-ins and extensions -------------------------------------------------------------


def draw_checkin(pdf: RecordPdf, c: CheckinPage, *, of: int, zone: str) -> None:
    """One check-in record: in the case file (``of``: the meetings scheduled) and alone,
    as the employee's own record of it (:mod:`docgen.casefile.checkin_record`)."""
    w = pdf.words
    title = (w._("Check-in %(number)d of %(of)d", number=c.meeting, of=of) if of >= c.meeting
             else w._("Check-in %(number)d", number=c.meeting))
    pdf.new_section(title)
    pdf.heading(title if c.held_at is not None else w._("%(title)s: missed", title=title))
    with pdf.element("Table"):
        row(pdf, w._("Scheduled"), local(c.scheduled_for, zone, w))
        if c.held_at is not None:
            row(pdf, w._("Held"), local(c.held_at, zone, w))
        else:
            row(pdf, w._("Missed"), c.missed_reason or w._("(no reason given)"), bold=True)
        if c.attendees:
            # As the language lists names ("A, B et C", "A وB"), as the pages do.
            row(pdf, w._("Attended"), list_text(c.attendees, w.language, shown=str))
        row(pdf, w._("Recorded by"), f"{c.recorded_by}, {w.long_time(c.recorded_at)}")
    if c.milestones:
        pdf.subheading(w._("Milestones due for this meeting"))
        for due in c.milestones:
            pdf.para(f"•  {milestone(due, w)}", size=9, indent=6, space_after=1)
    if c.goals:
        pdf.subheading(w._("Goals"))
        pdf.wrapped_table((0.34, 0.14, 0.24, 0.28),
                          (w._("Goal"), w._("Status"), w._("Value (baseline → target)"),
                           w._("Note")),
                          [(f"{g.number}. {g.statement}", w._(g.status),
                            _value(g.value, g.baseline, g.target), g.note or "—")
                           for g in c.goals], size=7.5)
    for label, text in ((N_("Notes"), c.notes),
                        (N_("Support given since the last check-in"), c.support_given),
                        (N_("Agreed next steps"), c.next_steps)):
        if text.strip():
            pdf.subheading(w._(label))
            pdf.para(text, size=9)
    if c.employee_view.strip():
        pdf.subheading(w._("The employee's view, as recorded at the meeting"))
        pdf.quote(c.employee_view, size=9)
    _answer(pdf, c)


def _value(value: str, baseline: str, target: str) -> str:
    around = " → ".join(x for x in (baseline, target) if x)
    if not value:
        return f"— ({around})" if around else "—"
    return f"{value} ({around})" if around else value


def _answer(pdf: RecordPdf, c: CheckinPage) -> None:
    w = pdf.words
    pdf.subheading(w._("The employee's answer to this record"))
    answer = c.answer
    colour = _ANSWER_COLOURS[answer.kind]
    if answer.kind == "acknowledged":
        said = (w._("Acknowledged by %(name)s on %(when)s.", name=answer.by,
                    when=w.long_time(answer.at)) if answer.at
                else w._("Acknowledged by %(name)s.", name=answer.by))
        pdf.para(said, size=9, style="B", color=colour, space_after=1)
        pdf.para(w._("An acknowledgement confirms the record was received; it does not mean "
                     "agreement with it."), size=SMALL, color=MUTED, space_after=4)
    elif answer.kind == "no_answer":
        said = (w._("No answer within the days given to acknowledge or comment (recorded "
                    "%(when)s).", when=w.long_time(answer.at)) if answer.at
                else w._("No answer within the days given to acknowledge or comment."))
        pdf.para(said, size=9, style="B", color=colour)
    else:
        pdf.para(w._("No answer yet when the case closed."), size=9, style="B", color=colour)
    if answer.comments:
        pdf.label(w.ngettext("The employee's comment (%(num)d), exactly as written",
                             "The employee's comments (%(num)d), exactly as written",
                             len(answer.comments)))
        for comment in answer.comments:
            pdf.para(f"{comment.author}, {w.long_time(comment.at)}", size=SMALL, color=MUTED,
                     space_after=1)
            pdf.quote(comment.text, size=9)


def draw_extension(pdf: RecordPdf, e: ExtensionPage,
                   amendment: IncludedDocument | None) -> None:
    w = pdf.words
    title = w._("Extension %(number)d", number=e.number)
    pdf.new_section(title)
    pdf.heading(title)
    with pdf.element("Table"):
        row(pdf, w._("Extended by"), extended_by(e, w), bold=True)
        row(pdf, w._("Reason"), e.reason)
        row(pdf, w._("Goals"), w._("adjusted, as the amended plan states") if e.amended_goals
            else w._("unchanged; the amended plan states the new dates"))
        row(pdf, w._("Extended by (HR)"), f"{e.by}, {w.long_time(e.at)}")
    if amendment is not None:
        pdf.para(w._("%(title)s follows, as it was signed and sealed.",
                     title=amendment.title), size=SMALL, color=MUTED)


def extended_by(e: ExtensionPage, w: RecordWords) -> str:
    """``14 days, to 3 March 2027``."""
    return w.ngettext("%(num)d day, to %(end)s", "%(num)d days, to %(end)s", e.days,
                      end=day(e.new_end, w))


# -- charts and certificate ---------------------------------------------------------------


def draw_charts(pdf: RecordPdf, case: CaseFile) -> None:
    w = pdf.words
    pdf.new_section(w._("Progress"))
    pdf.heading(w._("Progress against each goal"))
    pdf.para(w._("Each goal's metric at every check-in that was held, against the plan's "
             "baseline (dotted) and target (dashed); a goal without a number to draw shows "
             "its status at each check-in. Marker shapes give the status: circle on track, "
             "triangle at risk, square off track, diamond met. The values follow each "
             "chart as a table."), size=8.5, space_after=6)
    for i, chart in enumerate(case.charts):
        if i:
            pdf.rule(gap=12)
        # The title with its chart, never alone at the foot of a page.
        pdf.keep(chart.height * pdf.frame.text_width / chart.width + 70)
        pdf.para(chart.title, size=10.5, style="B", color=HEADING, space_after=4, tag="H2")
        draw_chart(pdf, chart)


def draw_certificate(pdf: RecordPdf, case: CaseFile,
                     documents: Sequence[tuple[Entry, IncludedDocument]],
                     checkins: Sequence[tuple[Entry, CheckinPage]]) -> None:
    w = pdf.words
    pdf.new_section(w._("Certificate of the case"))
    pdf.heading(w._("Certificate of the case"))
    with pdf.element("Table"):
        row(pdf, w._("Employee"), case.employee)
        row(pdf, w._("Plan reference"), case.plan_id)
        row(pdf, w._("Envelope"), case.envelope_id, mono=True)
        row(pdf, w._("Outcome"), f"{w._(OUTCOME_LABELS[case.outcome])}, "
                                 f"{exact_time(case.closed_at)}")
        row(pdf, w._("Case file made"), exact_time(case.made_at))
    pdf.subheading(w._("Documents"))
    pdf.para(w._("Each document is included page by page and also attached to this file "
             "unchanged; its SHA-256 is of the attached file. A check-in record's SHA-256 "
             "is of its data as attached in case-file.json."), size=SMALL, color=MUTED,
             space_after=4)
    pdf.wrapped_table((0.30, 0.08, 0.62), (w._("Document"), w._("Pages"), "SHA-256"),
                      [(entry.title, _pages(entry), d.sha256) for entry, d in documents]
                      + [(entry.title, _pages(entry), c.sha256) for entry, c in checkins],
                      size=7.0)
    pdf.subheading(w._("Events"))
    if not case.events:
        pdf.para(w._("No events were recorded."), size=SMALL, color=MUTED)
    else:
        pdf.wrapped_table((0.22, 0.48, 0.30), (w._("Time (UTC)"), w._("Event"), w._("By")),
                          [(exact_time(e.at), e.what, e.actor) for e in
                           sorted(case.events, key=lambda e: e.at)], size=7.0)
    pdf.ln(4)
    pdf.para(w._("The case file is sealed with the organisation's electronic seal, which covers "
             "the whole file. To check it and every document's hash, run “plansign verify "
             "<file>” on the plansign server that holds the archive, or look at the "
             "signature panel of a PDF reader, or run “pdfsig <file>”."), size=SMALL,
             color=MUTED)


def _pages(entry: Entry) -> str:
    return str(entry.first) if entry.first == entry.last else f"{entry.first}–{entry.last}"


def row_height(pdf: RecordPdf, label: str, value: str, *, mono: bool = False,
               bold: bool = False, label_width: float = _LABEL_WIDTH) -> float:
    """The height :func:`row` draws ``label`` and ``value`` in, for keeping rows together."""
    pdf.set_font("sans", "", SMALL)
    label_lines = max(1, len(pdf.wrap(label, label_width - _LABEL_GAP)))
    family, style, size = _value_font(mono, bold)
    pdf.set_font(family, style, size)
    value_lines = max(1, len(pdf.wrap(value, pdf.frame.text_width - label_width)))
    return max(label_lines * SMALL * _LABEL_LEADING,
               value_lines * size * _VALUE_LEADING) + _ROW_GAP


def row(pdf: RecordPdf, label: str, value: str, *, mono: bool = False, bold: bool = False,
        label_width: float = _LABEL_WIDTH) -> None:
    """A label in the left column and its value, wrapped, in the right one."""
    pdf.keep(24)
    top = pdf.get_y()
    with pdf.element("TR"):
        with pdf.element("TH"):
            pdf.para(label, size=SMALL, color=MUTED, width=label_width - _LABEL_GAP,
                     leading=_LABEL_LEADING, space_after=0, tag=None)
        bottom = pdf.get_y()
        pdf.set_y(top)
        width = pdf.frame.text_width - label_width
        with pdf.element("TD"):
            family, style, size = _value_font(mono, bold)
            pdf.para(value, family=family, size=size, style=style, indent=label_width,
                     width=width, leading=_VALUE_LEADING, space_after=0, tag=None)
    pdf.set_y(max(bottom, pdf.get_y()) + _ROW_GAP)


# A row's measures, which row draws with and row_height measures by.
_LABEL_GAP = 8.0  # between the label's column and the value
_LABEL_LEADING = 1.6
_VALUE_LEADING = 1.35
_ROW_GAP = 3.0


def _value_font(mono: bool, bold: bool) -> tuple[str, str, float]:
    """A row's value's family, style and size."""
    return ("mono" if mono else "sans", "B" if bold else "", 8.5 if mono else 9.5)
