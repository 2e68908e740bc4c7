"""The case's progress charts: each goal's series (:func:`.progress.series`) as a chart
model (:mod:`docgen.charts`), which the console draws as SVG and the case file as PDF
drawing. Pure.

A goal whose metric is a number, with a numeric target and at least one value
recorded, gets a line of its values against its baseline and target; any other goal
gets its status at each check-in, and the chart says why there is no line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from docgen.charts import Chart, metric_chart, status_chart
from docgen.charts import Point as ChartPoint
from docgen.charts.model import ENGLISH, ChartWords
from docgen.charts.model import N_ as N_
from docgen.model import Goal
from signing.domain.cases.model import Checkin, GoalStatus
from signing.domain.cases.progress import GoalSeries, series

STATUS_LABELS = {GoalStatus.ON_TRACK: N_("on track"), GoalStatus.AT_RISK: N_("at risk"),
                 GoalStatus.OFF_TRACK: N_("off track"), GoalStatus.MET: N_("met")}
# The unit written after a target's number: "85%", "4.5 hours", "1,200 tickets a month".
_UNIT_AFTER = re.compile(r"\d[\d.,]*\s*(%|[^\W\d_][\w/-]{0,15})?", re.UNICODE)
# Words that follow a number without being its unit ("23 of 58", "90% or more").
_NOT_UNITS = frozenset({"of", "or", "and", "in", "on", "at", "a", "an", "per", "by", "to",
                        "from", "for", "the", "out", "more", "less", "each", "every"})
_TITLE_CHARS = 90


def progress_charts(goals: Sequence[Goal], checkins: Sequence[Checkin], zone: dt.tzinfo,
                    span: tuple[dt.date, dt.date], words: ChartWords = ENGLISH
                    ) -> tuple[Chart, ...]:
    """One chart per goal of the plan, in the plan's order. ``span``: the plan's start
    and its end as extended, the charts' time axis. The guides are labelled in the
    plan's own words for the baseline and target ("82% first-contact resolution" is cut
    to "82%"). ``words``: the language of the charts' text (the plan's, for the
    employee)."""
    missed = tuple((c.meeting, c.scheduled_for.astimezone(zone).date())
                   for c in checkins if c.held_at is None)
    return tuple(
        chart_for(s, span, _number_words(goal.baseline), _number_words(goal.target), missed,
                  words)
        for s, goal in zip(series(goals, checkins, zone), goals, strict=True))


def chart_for(goal: GoalSeries, span: tuple[dt.date, dt.date], baseline_text: str = "",
              target_text: str = "", missed: Sequence[tuple[int, dt.date]] = (),
              words: ChartWords = ENGLISH) -> Chart:
    """One goal's chart; ``missed``: the meetings not held, with their days."""
    w = words
    points = [ChartPoint(p.meeting, p.day, p.value, str(p.status), w(STATUS_LABELS[p.status]))
              for p in goal.points]
    title = w(N_("Goal %(number)s: %(metric)s"), number=goal.goal,
              metric=_short(goal.metric or goal.statement))
    if goal.chartable:
        return metric_chart(title=title, points=points, span=span, baseline=goal.baseline,
                            target=goal.target, unit=unit_of(target_text or ""),
                            baseline_text=baseline_text, target_text=target_text,
                            missed=missed, words=w)
    if goal.target is None:
        why = w(N_("The goal's target holds no number to draw a line against, so the chart "
                   "shows its status at each check-in."))
    else:
        why = w(N_("No value was recorded for the goal's metric, so the chart shows its "
                   "status."))
    return status_chart(title=title, points=points, span=span, why=why, missed=missed,
                        words=w)


def chart_words(language: str) -> ChartWords:
    """The charts' words in ``language`` (the plan's): the signer's catalog, and the
    Babel locale of its numbers and dates."""
    from docgen.languages import format_locale
    from signing.domain.mail.compose import catalog

    words = catalog(language)
    return ChartWords(words.gettext, words.ngettext, format_locale(language))


def unit_of(text: str) -> str:
    """The unit written after the first number of ``text``: ``%``, ``hours``; or ""."""
    found = _UNIT_AFTER.search(text)
    unit = (found.group(1) or "") if found else ""
    return "" if unit.lower() in _NOT_UNITS else unit


def _number_words(text: str | None) -> str:
    """The number and its unit at the start of a baseline or target, as the plan wrote
    them: "82%" of "82% first-contact resolution"; "" when there is none."""
    found = _UNIT_AFTER.search(text or "")
    if found is None:
        return ""
    unit = found.group(1) or ""
    return (found.group(0) if unit.lower() not in _NOT_UNITS
            else found.group(0)[:found.start(1) - found.start()]).strip()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _TITLE_CHARS else text[:_TITLE_CHARS - 1].rstrip() + "…"
