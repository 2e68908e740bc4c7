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

from babel.numbers import format_decimal

from docgen.dates import date_skeleton
from docgen.doclang import percent_text

WIDTH = 480.0
HEIGHT = 216.0
# The plot area inside the chart: room on the left for the y labels, below for two
# lines of x labels (the check-in and its date).
LEFT, RIGHT, TOP, BOTTOM = 64.0, 472.0, 12.0, 176.0



def N_(text: str) -> str:
    """Marks ``text`` for the translators' extraction (the ``signer`` catalog, see
    babel-signer.cfg): a chart is in its plan's language, through :class:`ChartWords`."""
    return text


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True)
class ChartWords:
    """The language a chart is written in: its catalog's ``gettext`` and ``ngettext``
    (the caller's, in the plan's language) and the Babel locale its numbers and dates
    are written by. English, the source, by default, written as plansign always has."""

    gettext: Callable[[str], str] = str
    ngettext: Callable[[str, str, int], str] = _english_plural
    locale: str = "en"

    def __call__(self, text: str, **values: object) -> str:
        return self.gettext(text) % values if values else self.gettext(text)

    @property
    def english(self) -> bool:
        return self.locale.split("_")[0] == "en"


ENGLISH = ChartWords()


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
    axis_label: str = "Check-in and date"  # under the time axis
    width: float = WIDTH
    height: float = HEIGHT
    plot: tuple[float, float, float, float] = (LEFT, TOP, RIGHT, BOTTOM)


def format_value(value: float, unit: str = "", locale: str = "en") -> str:
    """``81%``, ``4.5 hours``, ``1,200 tickets``: a value as the plan writes its target
    (its digits and separators by ``locale``: ``1.200,5`` in German)."""
    if locale.split("_")[0] == "en":
        text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    else:
        text = format_decimal(value, format="#,##0.##", locale=locale)
    if not unit:
        return text
    if unit == "%":
        # French, Spanish and German put a no-break space before the sign ("81 %"), as
        # the documents do (docgen.doclang.percent_text).
        return percent_text(text, locale.split("_")[0])
    return f"{text} {unit}"


def metric_chart(*, title: str, points: Sequence[Point], span: tuple[dt.date, dt.date],
                 baseline: float | None, target: float | None, unit: str = "",
                 baseline_text: str = "", target_text: str = "",
                 missed: Sequence[tuple[int, dt.date]] = (),
                 words: ChartWords = ENGLISH) -> Chart:
    """The metric's value at each check-in against its baseline and target.

    ``span`` is the plan's start and (latest) end: the x axis. ``baseline_text`` and
    ``target_text`` are the plan's own words for them, for the guides' labels.
    ``words``: the language of the chart's text (the plan's)."""
    w = words

    def value(v: float) -> str:
        return format_value(v, unit, w.locale)

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
        guides.append(Guide("baseline", y_of(baseline), w(
            N_("Baseline %(value)s"), value=baseline_text or value(baseline))))
    if target is not None:
        guides.append(Guide("target", y_of(target), w(
            N_("Target %(value)s"), value=target_text or value(target))))
    markers = tuple(
        Marker(x_of(p.day), y_of(p.value), p.status, SHAPES.get(p.status, "circle"),
               w(N_("Check-in %(number)s, %(date)s: %(value)s (%(status)s)"),
                 number=p.meeting, date=_day(p.day, w), value=value(p.value),
                 status=p.status_label))
        for p in valued if p.value is not None)
    rows = _rows(points, missed, lambda p: (
        value(p.value) if p.value is not None else w(N_("not recorded")),
        p.status_label), ("—", w(N_("missed"))), w)
    note = ""
    if target is None:
        note = w(N_("The plan's target holds no number, so the chart shows no target line."))
    elif not valued:
        note = w(N_("No value was recorded at any check-in."))
    return Chart(
        kind="metric", title=title,
        description=_metric_description(points, baseline, target, value, w),
        y_ticks=tuple(Tick(y_of(t), value(t)) for t in ticks),
        x_ticks=_x_ticks(points, x_of, missed, w), guides=tuple(guides),
        line=tuple((m.x, m.y) for m in markers), markers=markers,
        table_caption=_caption(baseline, target, value, baseline_text, target_text, w),
        table_header=(w(N_("Check-in")), w(N_("Date")), w(N_("Value")), w(N_("Status"))),
        table_rows=rows, note=note, missed=_missed_ticks(missed, x_of, w),
        axis_label=w(N_("Check-in and date")))


# Bottom to top: the status levels of a status chart.
STATUS_LEVELS = (("off_track", N_("off track")), ("at_risk", N_("at risk")),
                 ("on_track", N_("on track")), ("met", N_("met")))


def status_chart(*, title: str, points: Sequence[Point], span: tuple[dt.date, dt.date],
                 why: str = "", missed: Sequence[tuple[int, dt.date]] = (),
                 words: ChartWords = ENGLISH) -> Chart:
    """The goal's status at each check-in, for a goal with no number to draw; ``why``
    says so in the chart's note (``words``: the chart's language; ``why`` comes
    translated)."""
    w = words
    step = (BOTTOM - TOP) / len(STATUS_LEVELS)
    level_y = {key: BOTTOM - step * (i + 0.5) for i, (key, _) in enumerate(STATUS_LEVELS)}
    x_of = _day_scale(span, points, missed)
    markers = tuple(
        Marker(x_of(p.day), level_y.get(p.status, level_y["at_risk"]), p.status,
               SHAPES.get(p.status, "circle"),
               w(N_("Check-in %(number)s, %(date)s: %(status)s"), number=p.meeting,
                 date=_day(p.day, w), status=p.status_label))
        for p in points)
    if len(points) == 1:
        description = w(N_("The goal's status was %(status)s at check-in %(number)s, the "
                           "only one that recorded it."), status=points[0].status_label,
                        number=points[0].meeting)
    elif points:
        changes = sum(1 for a, b in itertools.pairwise(points)
                      if a.status != b.status)
        description = w(N_("The goal's status was %(first)s at check-in %(first_number)s "
                           "and %(last)s at check-in %(last_number)s."),
                        first=points[0].status_label, first_number=points[0].meeting,
                        last=points[-1].status_label, last_number=points[-1].meeting)
        description += " " + w.ngettext(
            "It changed %(num)d time over %(count)d check-ins.",
            "It changed %(num)d times over %(count)d check-ins.", changes,
        ) % {"num": changes, "count": len(points)}
    else:
        description = w(N_("No check-in recorded a status for this goal."))
    return Chart(
        kind="status", title=title, description=description,
        y_ticks=tuple(Tick(level_y[key], w(label)) for key, label in STATUS_LEVELS),
        x_ticks=_x_ticks(points, x_of, missed, w), guides=(),
        line=tuple((m.x, m.y) for m in markers), markers=markers,
        table_caption=w(N_("Status at each check-in")),
        table_header=(w(N_("Check-in")), w(N_("Date")), w(N_("Status"))),
        table_rows=_rows(points, missed, lambda p: (p.status_label,), (w(N_("missed")),), w),
        note=why, missed=_missed_ticks(missed, x_of, w),
        axis_label=w(N_("Check-in and date")))


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
             missed: Sequence[tuple[int, dt.date]] = (), words: ChartWords = ENGLISH
             ) -> tuple[Tick, ...]:
    """A label per held check-in, as many as fit: those that would touch a label already
    placed are left out (the table has every one). The missed meetings' labels are
    placed first (see :func:`_missed_ticks`), then the first and last check-ins', then
    the others in order."""
    taken = [x_of(day) for _, day in missed]
    ticks = [Tick(x_of(p.day), str(p.meeting), _short_day(p.day, words)) for p in points]
    order = [*ticks[:1], *ticks[-1:], *ticks[1:-1]] if len(ticks) > 1 else ticks
    kept = []
    for tick in order:
        if all(abs(tick.at - x) >= MIN_LABEL_GAP for x in taken):
            kept.append(tick)
            taken.append(tick.at)
    return tuple(sorted(kept, key=lambda t: t.at))


def _missed_ticks(missed: Sequence[tuple[int, dt.date]],
                  x_of: Callable[[dt.date], float], words: ChartWords = ENGLISH
                  ) -> tuple[Tick, ...]:
    """Every missed meeting is labelled: a gap in the record is what a reader looks for."""
    return tuple(Tick(x_of(day), str(meeting), words(N_("missed")))
                 for meeting, day in missed)


def _rows(points: Sequence[Point], missed: Sequence[tuple[int, dt.date]],
          cells: Callable[[Point], tuple[str, ...]], missed_cells: tuple[str, ...],
          words: ChartWords = ENGLISH) -> tuple[tuple[str, ...], ...]:
    """The table: a row per check-in, held or missed, in meeting order."""
    rows = [(p.meeting, (str(p.meeting), _day(p.day, words), *cells(p))) for p in points]
    rows += [(meeting, (str(meeting), _day(day, words), *missed_cells))
             for meeting, day in missed]
    return tuple(row for _, row in sorted(rows, key=lambda r: r[0]))


# -- words ---------------------------------------------------------------------------------


def _day(day: dt.date, words: ChartWords = ENGLISH) -> str:
    """"12 Jan 2027", by the chart's locale ("12 ene 2027", "12. Jan. 2027")."""
    if words.english:
        return f"{day.day} {day:%b %Y}"
    return date_skeleton(day, "yMMMd", words.locale)


def _short_day(day: dt.date, words: ChartWords = ENGLISH) -> str:
    """"12 Jan", under a check-in's number on the time axis."""
    if words.english:
        return f"{day.day} {day:%b}"
    return date_skeleton(day, "MMMd", words.locale)


def _caption(baseline: float | None, target: float | None, value: Callable[[float], str],
             baseline_text: str, target_text: str, w: ChartWords) -> str:
    has_baseline = baseline is not None or bool(baseline_text)
    has_target = target is not None or bool(target_text)
    base = baseline_text or value(baseline or 0)
    goal = target_text or value(target or 0)
    if has_baseline and has_target:
        return w(N_("Value at each check-in (baseline %(baseline)s; target %(target)s)"),
                 baseline=base, target=goal)
    if has_baseline:
        return w(N_("Value at each check-in (baseline %(baseline)s)"), baseline=base)
    if has_target:
        return w(N_("Value at each check-in (target %(target)s)"), target=goal)
    return w(N_("Value at each check-in"))


def _metric_description(points: Sequence[Point], baseline: float | None,
                        target: float | None, value: Callable[[float], str],
                        w: ChartWords) -> str:
    valued = [p for p in points if p.value is not None]
    if baseline is not None and target is not None:
        against = w(N_("The plan sets a baseline of %(baseline)s and a target of "
                       "%(target)s."), baseline=value(baseline), target=value(target))
    elif baseline is not None:
        against = w(N_("The plan sets a baseline of %(baseline)s."), baseline=value(baseline))
    elif target is not None:
        against = w(N_("The plan sets a target of %(target)s."), target=value(target))
    else:
        against = ""
    if not valued:
        text = w(N_("No value was recorded at any check-in."))
        return f"{text} {against}".strip()
    first, last = valued[0], valued[-1]
    assert first.value is not None and last.value is not None
    if len(valued) == 1:
        text = w(N_("The value was %(value)s at check-in %(number)s."),
                 value=value(first.value), number=first.meeting)
    else:
        text = w(N_("The value went from %(first)s at check-in %(first_number)s to "
                    "%(last)s at check-in %(last_number)s."),
                 first=value(first.value), first_number=first.meeting,
                 last=value(last.value), last_number=last.meeting)
    latest = w(N_("Latest status: %(status)s."), status=points[-1].status_label)
    return " ".join(part for part in (text, against, latest) if part)
