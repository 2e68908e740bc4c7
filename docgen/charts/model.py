"""A progress chart, laid out once: what to draw where, in chart units, and the same
facts as a table.

Chart units: :data:`WIDTH` by :data:`HEIGHT`, x to the right and y downwards from the
top-left corner (as SVG and fpdf2 both have it), so a renderer only scales. Time runs
along x by the day, not by the meeting, so a long gap between check-ins shows as one.
Markers differ by shape as well as colour (their ``status``), so a chart printed in
black and white, or seen by someone who does not tell red from green, still says which
check-in was off track.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 480.0
HEIGHT = 216.0
# The plot area inside the chart: room on the left for the y labels, below for two
# lines of x labels (the check-in and its date).
LEFT, RIGHT, TOP, BOTTOM = 64.0, 472.0, 12.0, 176.0

# The shape of a check-in's marker by the goal's status there.
SHAPES = {"on_track": "circle", "at_risk": "triangle", "off_track": "square",
          "met": "diamond"}


@dataclass(frozen=True)
class Tick:
    at: float  # x for the x axis, y for the y axis
    label: str
    sublabel: str = ""  # a second line under an x label (the date)


@dataclass(frozen=True)
class Guide:
    """A horizontal reference line across the plot: the baseline or the target."""

    kind: str  # "baseline" or "target"
    y: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    status: str  # a key of SHAPES; also the CSS class of its mark
    shape: str
    label: str  # what the point says, for a tooltip: "Check-in 3, 12 Jan: 81% (on track)"


@dataclass(frozen=True)
class Point:
    """One check-in as a chart takes it."""

    meeting: int
    day: dt.date
    value: float | None
    status: str  # on_track, at_risk, off_track, met
    status_label: str  # "on track"


@dataclass(frozen=True)
class Chart:
    """One goal's chart. ``kind`` is ``metric`` (a line of values against guides) or
    ``status`` (the status at each check-in, on four levels)."""

    kind: str
    title: str
    description: str  # one or two sentences: what the chart shows, for <desc> and alt text
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    guides: tuple[Guide, ...]
    line: tuple[tuple[float, float], ...]  # the values, joined in order
    markers: tuple[Marker, ...]
    table_caption: str
    table_header: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    note: str = ""  # what the chart lacks ("the target holds no number"), or ""
    missed: tuple[Tick, ...] = ()  # meetings that were not held: marked on the time axis
    width: float = WIDTH
    height: float = HEIGHT
    plot: tuple[float, float, float, float] = (LEFT, TOP, RIGHT, BOTTOM)


def format_value(value: float, unit: str = "") -> str:
    """``81%``, ``4.5 hours``, ``1,200 tickets``: a value as the plan writes its target."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def metric_chart(*, title: str, points: Sequence[Point], span: tuple[dt.date, dt.date],
                 baseline: float | None, target: float | None, unit: str = "",
                 baseline_text: str = "", target_text: str = "",
                 missed: Sequence[tuple[int, dt.date]] = ()) -> Chart:
    """The metric's value at each check-in against its baseline and target.

    ``span`` is the plan's start and (latest) end: the x axis. ``baseline_text`` and
    ``target_text`` are the plan's own words for them, for the guides' labels."""
    valued = [p for p in points if p.value is not None]
    numbers = [p.value for p in valued if p.value is not None]
    numbers += [v for v in (baseline, target) if v is not None]
    lo, hi = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    # A little room below and above, so a guide at the lowest value is not drawn on the
    # axis; never below zero for a metric that is not negative.
    pad = (hi - lo) * 0.06
    ticks = _nice_ticks(lo - pad if lo < 0 else max(lo - pad, 0.0), hi + pad)
    y_of = _scale(ticks[0], ticks[-1], BOTTOM, TOP)
    x_of = _day_scale(span, points, missed)
    guides = []
    if baseline is not None:
        guides.append(Guide("baseline", y_of(baseline),
                            f"Baseline {baseline_text or format_value(baseline, unit)}"))
    if target is not None:
        guides.append(Guide("target", y_of(target),
                            f"Target {target_text or format_value(target, unit)}"))
    markers = tuple(
        Marker(x_of(p.day), y_of(p.value), p.status, SHAPES.get(p.status, "circle"),
               f"Check-in {p.meeting}, {_day(p.day)}: {format_value(p.value, unit)} "
               f"({p.status_label})")
        for p in valued if p.value is not None)
    rows = _rows(points, missed, lambda p: (
        format_value(p.value, unit) if p.value is not None else "not recorded",
        p.status_label), ("—", "missed"))
    note = ""
    if target is None:
        note = "The plan's target holds no number, so the chart shows no target line."
    elif not valued:
        note = "No value was recorded at any check-in."
    return Chart(
        kind="metric", title=title,
        description=_metric_description(points, baseline, target, unit),
        y_ticks=tuple(Tick(y_of(t), format_value(t, unit)) for t in ticks),
        x_ticks=_x_ticks(points, x_of, missed), guides=tuple(guides),
        line=tuple((m.x, m.y) for m in markers), markers=markers,
        table_caption=_caption(baseline, target, unit, baseline_text, target_text),
        table_header=("Check-in", "Date", "Value", "Status"), table_rows=rows, note=note,
        missed=_missed_ticks(missed, x_of))


# Bottom to top: the status levels of a status chart.
STATUS_LEVELS = (("off_track", "off track"), ("at_risk", "at risk"),
                 ("on_track", "on track"), ("met", "met"))


def status_chart(*, title: str, points: Sequence[Point], span: tuple[dt.date, dt.date],
                 why: str = "", missed: Sequence[tuple[int, dt.date]] = ()) -> Chart:
    """The goal's status at each check-in, for a goal with no number to draw; ``why``
    says so in the chart's note."""
    step = (BOTTOM - TOP) / len(STATUS_LEVELS)
    level_y = {key: BOTTOM - step * (i + 0.5) for i, (key, _) in enumerate(STATUS_LEVELS)}
    x_of = _day_scale(span, points, missed)
    markers = tuple(
        Marker(x_of(p.day), level_y.get(p.status, level_y["at_risk"]), p.status,
               SHAPES.get(p.status, "circle"),
               f"Check-in {p.meeting}, {_day(p.day)}: {p.status_label}")
        for p in points)
    if points:
        first, last = points[0].status_label, points[-1].status_label
        changes = sum(1 for a, b in itertools.pairwise(points)
                      if a.status != b.status)
        description = (f"The goal's status at {_count(len(points), 'check-in')}: "
                       f"{first} at check-in {points[0].meeting}"
                       + (f", {last} at check-in {points[-1].meeting}" if len(points) > 1
                          else "")
                       + f"; it changed {_count(changes, 'time')}.")
    else:
        description = "No check-in recorded a status for this goal."
    return Chart(
        kind="status", title=title, description=description,
        y_ticks=tuple(Tick(level_y[key], label) for key, label in STATUS_LEVELS),
        x_ticks=_x_ticks(points, x_of, missed), guides=(),
        line=tuple((m.x, m.y) for m in markers), markers=markers,
        table_caption="Status at each check-in",
        table_header=("Check-in", "Date", "Status"),
        table_rows=_rows(points, missed, lambda p: (p.status_label,), ("missed",)),
        note=why, missed=_missed_ticks(missed, x_of))


# -- layout --------------------------------------------------------------------------------


def _nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round values from at or below ``lo`` to at or above ``hi``, about ``count`` steps
    apart, each step 1, 2, 2.5 or 5 times a power of ten."""
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks = [start]
    while ticks[-1] < hi - 1e-9:
        ticks.append(round(start + step * len(ticks), 10))
    return ticks


def _scale(lo: float, hi: float, out_lo: float, out_hi: float) -> Callable[[float], float]:
    def scale(value: float) -> float:
        return round(out_lo + (value - lo) / (hi - lo) * (out_hi - out_lo), 2)
    return scale


def _day_scale(span: tuple[dt.date, dt.date], points: Sequence[Point],
               missed: Sequence[tuple[int, dt.date]] = ()) -> Callable[[dt.date], float]:
    days = [p.day for p in points] + [day for _, day in missed]
    start = min([span[0], *days])
    end = max([span[1], *days])
    width = max((end - start).days, 1)
    inset = 10.0  # a marker on the first or last day is not cut by the plot's edge

    def x_of(day: dt.date) -> float:
        return round(LEFT + inset + (day - start).days / width * (RIGHT - LEFT - 2 * inset), 2)
    return x_of


# The least room between two x labels, in chart units: a date label ("26 Mar") is about
# 30 wide at the size the renderers draw it.
MIN_LABEL_GAP = 36.0


def _x_ticks(points: Sequence[Point], x_of: Callable[[dt.date], float],
             missed: Sequence[tuple[int, dt.date]] = ()) -> tuple[Tick, ...]:
    """A label per held check-in, as many as fit: those that would touch a label already
    placed are left out (the table has every one). The missed meetings' labels are
    placed first (see :func:`_missed_ticks`), then the first and last check-ins', then
    the others in order."""
    taken = [x_of(day) for _, day in missed]
    ticks = [Tick(x_of(p.day), str(p.meeting), f"{p.day.day} {p.day:%b}") for p in points]
    order = [*ticks[:1], *ticks[-1:], *ticks[1:-1]] if len(ticks) > 1 else ticks
    kept = []
    for tick in order:
        if all(abs(tick.at - x) >= MIN_LABEL_GAP for x in taken):
            kept.append(tick)
            taken.append(tick.at)
    return tuple(sorted(kept, key=lambda t: t.at))


def _missed_ticks(missed: Sequence[tuple[int, dt.date]],
                  x_of: Callable[[dt.date], float]) -> tuple[Tick, ...]:
    """Every missed meeting is labelled: a gap in the record is what a reader looks for."""
    return tuple(Tick(x_of(day), str(meeting), "missed") for meeting, day in missed)


def _rows(points: Sequence[Point], missed: Sequence[tuple[int, dt.date]],
          cells: Callable[[Point], tuple[str, ...]], missed_cells: tuple[str, ...]
          ) -> tuple[tuple[str, ...], ...]:
    """The table: a row per check-in, held or missed, in meeting order."""
    rows = [(p.meeting, (str(p.meeting), _day(p.day), *cells(p))) for p in points]
    rows += [(meeting, (str(meeting), _day(day), *missed_cells)) for meeting, day in missed]
    return tuple(row for _, row in sorted(rows, key=lambda r: r[0]))


# -- words ---------------------------------------------------------------------------------


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _caption(baseline: float | None, target: float | None, unit: str, baseline_text: str,
             target_text: str) -> str:
    parts = []
    if baseline is not None or baseline_text:
        parts.append(f"baseline {baseline_text or format_value(baseline or 0, unit)}")
    if target is not None or target_text:
        parts.append(f"target {target_text or format_value(target or 0, unit)}")
    return ("Value at each check-in" + (f" ({'; '.join(parts)})" if parts else ""))


def _metric_description(points: Sequence[Point], baseline: float | None,
                        target: float | None, unit: str) -> str:
    valued = [p for p in points if p.value is not None]
    against = [f"a baseline of {format_value(baseline, unit)}" if baseline is not None else "",
               f"a target of {format_value(target, unit)}" if target is not None else ""]
    against_text = " and ".join(a for a in against if a)
    if not valued:
        return ("No value was recorded at any check-in"
                + (f"; the plan sets {against_text}." if against_text else "."))
    first, last = valued[0], valued[-1]
    assert first.value is not None and last.value is not None
    moved = (f"{format_value(first.value, unit)} at check-in {first.meeting}"
             if len(valued) == 1 else
             f"from {format_value(first.value, unit)} at check-in {first.meeting} to "
             f"{format_value(last.value, unit)} at check-in {last.meeting}")
    text = f"The value went {moved}" if len(valued) > 1 else f"The value was {moved}"
    if against_text:
        text += f", against {against_text}"
    text += f". Latest status: {points[-1].status_label}."
    return text
