"""The progress charts: one model from each goal's series, drawn as SVG for the console
(accessible, escaped, no inline styles for the CSP) and as drawing in the case file."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from docgen.charts import metric_chart
from docgen.charts.model import BOTTOM, LEFT, RIGHT, TOP, Point, _nice_ticks, format_value
from docgen.charts.svg import chart_svg
from docgen.model import Goal
from signing.domain.cases import Checkin, GoalProgress, GoalStatus
from signing.domain.cases.charts import progress_charts, unit_of

SVG = "{http://www.w3.org/2000/svg}"
START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 31)


def checkin(meeting: int, day: int, *progress: GoalProgress, held: bool = True) -> Checkin:
    at = dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC)
    return Checkin(meeting, at, at if held else None, None if held else "manager ill", (),
                   progress if held else (), "", "", "", "", "person:dana", at)


GOALS = [Goal(statement="Resolve more tickets first time", metric="first-contact resolution",
              baseline="72% in November", target="85% or more"),
         Goal(statement="Document every <script>alert(1)</script> release & hand-over",
              metric=None, baseline=None, target="every release documented")]
CHECKINS = [
    checkin(1, 7, GoalProgress(1, GoalStatus.OFF_TRACK, 74.0),
            GoalProgress(2, GoalStatus.AT_RISK)),
    checkin(2, 14, held=False),
    checkin(3, 21, GoalProgress(1, GoalStatus.ON_TRACK, 81.5),
            GoalProgress(2, GoalStatus.ON_TRACK)),
    checkin(4, 28, GoalProgress(1, GoalStatus.MET, 86.0), GoalProgress(2, GoalStatus.MET)),
]


def charts():
    return progress_charts(GOALS, CHECKINS, dt.UTC, (START, END))


def test_a_numeric_goal_is_a_line_against_its_baseline_and_target():
    metric, _ = charts()
    assert metric.kind == "metric"
    ticks = [t.at for t in metric.y_ticks]
    # Every value, the baseline and the target are inside the plot, higher values higher.
    for y in [*(m.y for m in metric.markers), *(g.y for g in metric.guides)]:
        assert TOP <= y <= BOTTOM and min(ticks) <= y <= max(ticks)
    ys = [m.y for m in metric.markers]
    assert ys == sorted(ys, reverse=True)
    assert [(g.kind, g.label) for g in metric.guides] == [("baseline", "Baseline 72%"),
                                                           ("target", "Target 85%")]
    # A shape per status, so the chart reads without its colours.
    assert [m.shape for m in metric.markers] == ["square", "circle", "diamond"]
    # Time runs by the day: the missed meeting leaves its gap, and is marked on the axis.
    xs = [m.x for m in metric.markers]
    assert xs[1] - xs[0] > 1.9 * (xs[2] - xs[1]) > 0
    assert [(t.label, t.sublabel) for t in metric.missed] == [("2", "missed")]
    assert LEFT < xs[0] < xs[-1] < RIGHT
    assert metric.table_rows == (("1", "7 Dec 2026", "74%", "off track"),
                                 ("2", "14 Dec 2026", "—", "missed"),
                                 ("3", "21 Dec 2026", "81.5%", "on track"),
                                 ("4", "28 Dec 2026", "86%", "met"))
    assert metric.description == ("The value went from 74% at check-in 1 to 86% at check-in "
                                   "4. The plan sets a baseline of 72% and a target of 85%. Latest "
                                   "status: met.")


def test_a_goal_without_a_number_shows_its_status_over_time_and_says_why():
    _, status = charts()
    assert status.kind == "status" and not status.guides
    assert [t.label for t in status.y_ticks] == ["off track", "at risk", "on track", "met"]
    levels = {t.label: t.at for t in status.y_ticks}
    assert [m.y for m in status.markers] == [levels["at risk"], levels["on track"],
                                             levels["met"]]
    assert "holds no number" in status.note
    assert status.table_rows[1] == ("2", "14 Dec 2026", "missed")


def test_the_svg_is_an_accessible_image_with_its_table_and_no_inline_style():
    for i, chart in enumerate(charts()):
        html = chart_svg(chart, id_prefix=f"goal-{i}")
        figure = ET.fromstring(html)  # well-formed: people's text cannot break out
        svg = figure.find(f"{SVG}svg")
        assert svg is not None and svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == chart.title and desc.text == chart.description
        # The CSP allows no inline styles: presentation attributes and classes only.
        assert "style" not in html.replace("<style", "")
        assert not any(el.get("style") for el in figure.iter())
        rows = figure.findall("./table/tbody/tr")
        assert len(rows) == len(chart.table_rows)
    html = chart_svg(charts()[1], id_prefix="g2")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_ticks_are_round_numbers_around_the_values():
    assert _nice_ticks(72, 86) == [70, 75, 80, 85, 90]
    assert _nice_ticks(0.2, 0.9) == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert _nice_ticks(5, 5)[0] < 5 < _nice_ticks(5, 5)[-1]


def test_units_come_from_the_targets_words():
    assert [unit_of(t) for t in ("85% or more", "2 h 00 min", "1,200 tickets a month",
                                 "23 of 58", "every release")] == ["%", "h", "tickets", "",
                                                                   ""]


def test_a_chart_with_no_values_says_so():
    chart = metric_chart(title="Goal 1", points=[Point(1, START, None, "at_risk", "at risk")],
                         span=(START, END), baseline=1.0, target=2.0)
    assert chart.note == "No value was recorded at any check-in."
    assert re.match("No value was recorded", chart.description)


def test_x_labels_that_would_touch_are_left_out_but_never_a_missed_meeting():
    start = dt.date(2027, 1, 1)
    points = [Point(n, start + dt.timedelta(days=7 * n), 1.0 + n, "on_track", "on track")
              for n in range(1, 14) if n != 3]
    chart = metric_chart(title="Goal 1", points=points, span=(start, start +
                         dt.timedelta(days=104)), baseline=1.0, target=20.0,
                         missed=[(3, start + dt.timedelta(days=21))])
    labels = sorted([*chart.x_ticks, *chart.missed], key=lambda t: t.at)
    assert all(b.at - a.at >= 36 for a, b in itertools.pairwise(labels))
    assert [t.label for t in chart.missed] == ["3"]
    assert {"1", "13"} <= {t.label for t in chart.x_ticks}
    assert len(chart.table_rows) == 13  # the table has every check-in


@pytest.mark.parametrize("locale,written", [("en", "81.5%"), ("fr_FR", "81,5\u00a0%"),
                                            ("de_DE", "81,5\u00a0%"), ("ar", "81.5%")])
def test_a_percentage_is_written_as_its_language_writes_it(locale, written):
    """French, Spanish and German put a no-break space before "%", as the documents do."""
    assert format_value(81.5, "%", locale) == written
