"""The pages the case file draws: the cover with its contents, each check-in record, each
extension, the progress charts and the certificate of the whole case.

Drawn with the record's own typography (:class:`docgen.stamp.document.RecordPdf`): people's
text as text, wrapped, each paragraph in its own direction (an Arabic comment is set
right to left and shaped), never read as markup.
"""

from __future__ import annotations

import datetime as dt
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
from docgen.stamp.document import HEADING, MUTED, SMALL, RecordPdf
from docgen.stamp.wording import exact_time, long_time

_LABEL_WIDTH = 132.0
_ANSWER_COLOURS = {"acknowledged": (30, 100, 55), "no_answer": (156, 42, 42),
                   "pending": (96, 96, 96)}


def local(moment: dt.datetime, zone: str) -> str:
    """``Tuesday 12 January 2027, 10:00 GMT``: a meeting's time on the plan's clock."""
    m = moment.astimezone(ZoneInfo(zone))
    return f"{m:%A} {m.day} {m:%B %Y}, {m:%H:%M} {m.tzname() or zone}"


def day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


# -- cover ---------------------------------------------------------------------------------


def draw_cover(pdf: RecordPdf, case: CaseFile, contents: Sequence[Entry]) -> None:
    pdf.new_section("Case file")
    pdf.heading("Case file: Performance Improvement Plan")
    pdf.para(f"{case.employee}", size=13, style="B", space_after=1)
    who = ", ".join(x for x in (case.employee_id and f"employee {case.employee_id}",
                                case.department) if x)
    if who:
        pdf.para(who, size=SMALL, color=MUTED, space_after=6)
    pdf.para("This file holds the whole record of the plan after it was sent: the plan and "
             "its acknowledgements, every check-in with the employee's acknowledgement and "
             "comments, any extension and amended plan, the outcome letter, each goal's "
             "progress, and a certificate listing every document's SHA-256 and every event "
             "of the case. It is sealed as a whole; the documents it includes keep their "
             "own seals and are also attached to it unchanged.", size=8.5, space_after=8)
    held = [c for c in case.checkins if c.held_at is not None]
    missed = [c for c in case.checkins if c.held_at is None]
    acknowledged = [c for c in case.checkins if c.answer.kind == "acknowledged"]
    commented = [c for c in case.checkins if c.answer.comments]
    scheduled = case.scheduled or len(case.checkins)
    with pdf.element("Table"):
        row(pdf, "Outcome", OUTCOME_LABELS[case.outcome], bold=True)
        if case.outcome_reason:
            row(pdf, "Outcome, in HR's words", case.outcome_reason)
        row(pdf, "Plan", f"{case.plan_id} · from {day(case.start)} to {day(case.end)}"
                         f" ({(case.end - case.start).days} days"
                         + (f", extended {len(case.extensions)} time"
                            f"{'s' if len(case.extensions) > 1 else ''}"
                            if case.extensions else "") + ")")
        row(pdf, "Manager", case.manager)
        row(pdf, "HR", case.hr)
        row(pdf, "Check-ins", f"{len(held)} held and {len(missed)} missed of {scheduled} "
                              f"scheduled; {len(acknowledged)} acknowledged by the employee, "
                              f"{len(commented)} with the employee's comments")
        row(pdf, "Closed", long_time(case.closed_at))
        row(pdf, "Envelope", case.envelope_id, mono=True)
    pdf.subheading("Contents")
    with pdf.element("Table"):
        for entry in contents:
            pages = (f"page {entry.first}" if entry.first == entry.last
                     else f"pages {entry.first}–{entry.last}")
            row(pdf, pages, entry.title, label_width=90)


# -- check-ins and extensions -------------------------------------------------------------


def draw_checkin(pdf: RecordPdf, c: CheckinPage, *, of: int, zone: str) -> None:
    """One check-in record: in the case file (``of``: the meetings scheduled) and alone,
    as the employee's own record of it (:mod:`docgen.casefile.checkin_record`)."""
    title = f"Check-in {c.meeting} of {of}" if of >= c.meeting else f"Check-in {c.meeting}"
    pdf.new_section(title)
    pdf.heading(title + ("" if c.held_at is not None else ": missed"))
    with pdf.element("Table"):
        row(pdf, "Scheduled", local(c.scheduled_for, zone))
        if c.held_at is not None:
            row(pdf, "Held", local(c.held_at, zone))
        else:
            row(pdf, "Missed", c.missed_reason or "(no reason given)", bold=True)
        if c.attendees:
            row(pdf, "Attended", ", ".join(c.attendees))
        row(pdf, "Recorded by", f"{c.recorded_by}, {long_time(c.recorded_at)}")
    if c.milestones:
        pdf.subheading("Milestones due for this meeting")
        for milestone in c.milestones:
            pdf.para(f"•  {milestone}", size=9, indent=6, space_after=1)
    if c.goals:
        pdf.subheading("Goals")
        pdf.wrapped_table((0.34, 0.14, 0.24, 0.28), ("Goal", "Status", "Value (baseline → target)",
                                                    "Note"),
                          [(f"{g.number}. {g.statement}", g.status,
                            _value(g.value, g.baseline, g.target), g.note or "—")
                           for g in c.goals], size=7.5)
    for label, text in (("Notes", c.notes), ("Support given since the last check-in",
                                             c.support_given),
                        ("Agreed next steps", c.next_steps)):
        if text.strip():
            pdf.subheading(label)
            pdf.para(text, size=9)
    if c.employee_view.strip():
        pdf.subheading("The employee's view, as recorded at the meeting")
        pdf.quote(c.employee_view, size=9)
    _answer(pdf, c)


def _value(value: str, baseline: str, target: str) -> str:
    around = " → ".join(x for x in (baseline, target) if x)
    if not value:
        return f"— ({around})" if around else "—"
    return f"{value} ({around})" if around else value


def _answer(pdf: RecordPdf, c: CheckinPage) -> None:
    pdf.subheading("The employee's answer to this record")
    answer = c.answer
    colour = _ANSWER_COLOURS[answer.kind]
    if answer.kind == "acknowledged":
        when = f" on {long_time(answer.at)}" if answer.at else ""
        pdf.para(f"Acknowledged by {answer.by}{when}.", size=9, style="B", color=colour,
                 space_after=1)
        pdf.para("An acknowledgement confirms the record was received; it does not mean "
                 "agreement with it.", size=SMALL, color=MUTED, space_after=4)
    elif answer.kind == "no_answer":
        when = f" (recorded {long_time(answer.at)})" if answer.at else ""
        pdf.para(f"No answer within the days given to acknowledge or comment{when}.",
                 size=9, style="B", color=colour)
    else:
        pdf.para("No answer yet when the case closed.", size=9, style="B", color=colour)
    if answer.comments:
        pdf.label(f"The employee's comments ({len(answer.comments)}), exactly as written")
        for comment in answer.comments:
            pdf.para(f"{comment.author}, {long_time(comment.at)}", size=SMALL, color=MUTED,
                     space_after=1)
            pdf.quote(comment.text, size=9)


def draw_extension(pdf: RecordPdf, e: ExtensionPage,
                   amendment: IncludedDocument | None) -> None:
    title = f"Extension {e.number}"
    pdf.new_section(title)
    pdf.heading(title)
    with pdf.element("Table"):
        row(pdf, "Extended by", f"{e.days} days, to {day(e.new_end)}", bold=True)
        row(pdf, "Reason", e.reason)
        row(pdf, "Goals", "adjusted, as the amended plan states" if e.amended_goals
            else "unchanged; the amended plan states the new dates")
        row(pdf, "Extended by (HR)", f"{e.by}, {long_time(e.at)}")
    if amendment is not None:
        pdf.para(f"{amendment.title} follows, as it was signed and sealed.", size=SMALL,
                 color=MUTED)


# -- charts and certificate ---------------------------------------------------------------


def draw_charts(pdf: RecordPdf, case: CaseFile) -> None:
    pdf.new_section("Progress")
    pdf.heading("Progress against each goal")
    pdf.para("Each goal's metric at every check-in that was held, against the plan's "
             "baseline (dotted) and target (dashed); a goal without a number to draw shows "
             "its status at each check-in. Marker shapes give the status: circle on track, "
             "triangle at risk, square off track, diamond met. The values follow each "
             "chart as a table.", size=8.5, space_after=6)
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
    pdf.new_section("Certificate of the case")
    pdf.heading("Certificate of the case")
    with pdf.element("Table"):
        row(pdf, "Employee", case.employee)
        row(pdf, "Plan reference", case.plan_id)
        row(pdf, "Envelope", case.envelope_id, mono=True)
        row(pdf, "Outcome", f"{OUTCOME_LABELS[case.outcome]}, {exact_time(case.closed_at)}")
        row(pdf, "Case file made", exact_time(case.made_at))
    pdf.subheading("Documents")
    pdf.para("Each document is included page by page and also attached to this file "
             "unchanged; its SHA-256 is of the attached file. A check-in record's SHA-256 "
             "is of its data as attached in case-file.json.", size=SMALL, color=MUTED,
             space_after=4)
    pdf.wrapped_table((0.30, 0.08, 0.62), ("Document", "Pages", "SHA-256"),
                      [(entry.title, _pages(entry), d.sha256) for entry, d in documents]
                      + [(entry.title, _pages(entry), c.sha256) for entry, c in checkins],
                      size=7.0)
    pdf.subheading("Events")
    if not case.events:
        pdf.para("No events were recorded.", size=SMALL, color=MUTED)
    else:
        pdf.wrapped_table((0.22, 0.48, 0.30), ("Time (UTC)", "Event", "By"),
                          [(exact_time(e.at), e.what, e.actor) for e in
                           sorted(case.events, key=lambda e: e.at)], size=7.0)
    pdf.ln(4)
    pdf.para("The case file is sealed with the organisation's electronic seal, which covers "
             "the whole file. To check it and every document's hash, run “plansign verify "
             "<file>” on the plansign server that holds the archive, or look at the "
             "signature panel of a PDF reader, or run “pdfsig <file>”.", size=SMALL,
             color=MUTED)


def _pages(entry: Entry) -> str:
    return str(entry.first) if entry.first == entry.last else f"{entry.first}–{entry.last}"


def row(pdf: RecordPdf, label: str, value: str, *, mono: bool = False, bold: bool = False,
        label_width: float = _LABEL_WIDTH) -> None:
    """A label in the left column and its value, wrapped, in the right one."""
    pdf.keep(24)
    top = pdf.get_y()
    with pdf.element("TR"):
        with pdf.element("TH"):
            pdf.para(label, size=SMALL, color=MUTED, width=label_width - 8, leading=1.6,
                     space_after=0, tag=None)
        bottom = pdf.get_y()
        pdf.set_y(top)
        width = pdf.frame.text_width - label_width
        with pdf.element("TD"):
            pdf.para(value, family="mono" if mono else "sans", size=8.5 if mono else 9.5,
                     style="B" if bold else "", indent=label_width, width=width,
                     leading=1.35, space_after=0, tag=None)
    pdf.set_y(max(bottom, pdf.get_y()) + 3)
