"""A chart as an HTML fragment for a web page: an inline SVG and its table.

For the console's case page, whose Content-Security-Policy allows no inline styles: the
look is in presentation attributes (``stroke``, ``fill``, ``font-size``) and in classes
the page's stylesheet may refine (``progress-chart``, ``chart-target``, ``status-met``),
never in ``style`` attributes or a ``<style>`` element. Accessible: the SVG is an image
(``role="img"``) named by its ``<title>`` and described by its ``<desc>``; the table
after it holds every value, for screen readers and for anyone who would rather read.
Every piece of text is escaped; nothing in a goal's words is ever markup.
"""

from __future__ import annotations

from html import escape

from docgen.charts.model import Chart, Marker

# Colours, the same as the PDF's (docgen.charts.pdf): the plan's navy for values, a
# muted grey for the baseline, green for the target; markers by status.
INK = "#262626"
MUTED = "#606060"
GRID = "#d5dbe5"
VALUE = "#1f3864"
TARGET = "#1e6437"
BASELINE = "#7a7a7a"
MISSED = "#9c2a2a"
STATUS_COLOURS = {"on_track": "#1e6437", "at_risk": "#9a6700", "off_track": "#9c2a2a",
                  "met": "#1f3864"}
_R = 4.2  # marker size


def chart_svg(chart: Chart, *, id_prefix: str) -> str:
    """The chart as a ``<figure>``: the SVG, its note, and its table. ``id_prefix``
    makes the ids unique on the page (several charts on one case page)."""
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    left, _top, right, bottom = chart.plot
    parts = [
        f'<figure class="progress-chart progress-chart-{chart.kind}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(chart.width)} '
        f'{_n(chart.height)}" width="{_n(chart.width)}" height="{_n(chart.height)}" '
        f'role="img" aria-labelledby="{_a(title_id)} {_a(desc_id)}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif">',
        f'<title id="{_a(title_id)}">{_t(chart.title)}</title>',
        f'<desc id="{_a(desc_id)}">{_t(chart.description)}</desc>',
        f'<g class="chart-grid" stroke="{GRID}" stroke-width="0.75" aria-hidden="true">',
    ]
    for tick in chart.y_ticks:
        parts.append(f'<line x1="{_n(left)}" y1="{_n(tick.at)}" x2="{_n(right)}" '
                     f'y2="{_n(tick.at)}"/>')
    parts.append("</g>")
    parts.append(f'<g class="chart-axis" fill="{MUTED}" font-size="10" aria-hidden="true">')
    for tick in chart.y_ticks:
        parts.append(f'<text x="{_n(left - 6)}" y="{_n(tick.at + 3.5)}" '
                     f'text-anchor="end">{_t(tick.label)}</text>')
    for tick in chart.x_ticks:
        parts.append(f'<text x="{_n(tick.at)}" y="{_n(bottom + 14)}" text-anchor="middle">'
                     f'{_t(tick.label)}</text>')
        if tick.sublabel:
            parts.append(f'<text x="{_n(tick.at)}" y="{_n(bottom + 26)}" '
                         f'text-anchor="middle" font-size="8.5">{_t(tick.sublabel)}</text>')
    for tick in chart.missed:
        parts.append(f'<text class="chart-missed" x="{_n(tick.at)}" y="{_n(bottom + 14)}" '
                     f'text-anchor="middle">{_t(tick.label)}</text>'
                     f'<text class="chart-missed" x="{_n(tick.at)}" y="{_n(bottom + 26)}" '
                     f'text-anchor="middle" font-size="8.5" fill="{MISSED}">'
                     f'{_t(tick.sublabel)}</text>')
    parts.append(f'<text x="{_n(left)}" y="{_n(chart.height - 2)}" font-size="8.5">'
                 f"{_t(chart.axis_label)}</text>")
    parts.append("</g>")
    parts.append(f'<line class="chart-frame" x1="{_n(left)}" y1="{_n(bottom)}" '
                 f'x2="{_n(right)}" y2="{_n(bottom)}" stroke="{MUTED}" stroke-width="1" '
                 f'aria-hidden="true"/>')
    for guide in chart.guides:
        colour = TARGET if guide.kind == "target" else BASELINE
        dash = "6 3" if guide.kind == "target" else "2 3"
        parts.append(
            f'<g class="chart-{_a(guide.kind)}" aria-hidden="true">'
            f'<line x1="{_n(left)}" y1="{_n(guide.y)}" x2="{_n(right)}" y2="{_n(guide.y)}" '
            f'stroke="{colour}" stroke-width="1.4" stroke-dasharray="{dash}"/>'
            f'<text x="{_n(right - 2)}" y="{_n(guide.y - 4)}" text-anchor="end" '
            f'font-size="9.5" fill="{colour}">{_t(guide.label)}</text></g>')
    if len(chart.line) > 1:
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in chart.line)
        parts.append(f'<polyline class="chart-line" points="{points}" fill="none" '
                     f'stroke="{VALUE}" stroke-width="2" stroke-linejoin="round" '
                     f'aria-hidden="true"/>')
    for tick in chart.missed:  # a hollow mark on the axis where a meeting was not held
        parts.append(f'<circle class="chart-missed" cx="{_n(tick.at)}" cy="{_n(bottom)}" '
                     f'r="3.5" fill="#ffffff" stroke="{MISSED}" stroke-width="1.5" '
                     f'aria-hidden="true"/>')
    parts.append('<g class="chart-markers" aria-hidden="true">')
    parts.extend(_marker(m) for m in chart.markers)
    parts.append("</g></svg>")
    if chart.note:
        parts.append(f'<p class="chart-note">{_t(chart.note)}</p>')
    parts.append(_table(chart))
    parts.append("</figure>")
    return "".join(parts)


def _marker(m: Marker) -> str:
    colour = STATUS_COLOURS.get(m.status, VALUE)
    common = (f'class="status-{_a(m.status)}" fill="{colour}" stroke="#ffffff" '
              f'stroke-width="1"')
    tip = f"<title>{_t(m.label)}</title>"
    if m.shape == "square":
        return (f'<rect x="{_n(m.x - _R)}" y="{_n(m.y - _R)}" width="{_n(2 * _R)}" '
                f'height="{_n(2 * _R)}" {common}>{tip}</rect>')
    if m.shape == "triangle":
        pts = f"{_n(m.x)},{_n(m.y - _R - 1)} {_n(m.x + _R + 1)},{_n(m.y + _R)} " \
              f"{_n(m.x - _R - 1)},{_n(m.y + _R)}"
        return f'<polygon points="{pts}" {common}>{tip}</polygon>'
    if m.shape == "diamond":
        r = _R + 1.2
        pts = f"{_n(m.x)},{_n(m.y - r)} {_n(m.x + r)},{_n(m.y)} {_n(m.x)},{_n(m.y + r)} " \
              f"{_n(m.x - r)},{_n(m.y)}"
        return f'<polygon points="{pts}" {common}>{tip}</polygon>'
    return f'<circle cx="{_n(m.x)}" cy="{_n(m.y)}" r="{_n(_R)}" {common}>{tip}</circle>'


def _table(chart: Chart) -> str:
    head = "".join(f'<th scope="col">{_t(h)}</th>' for h in chart.table_header)
    rows = "".join(
        "<tr>" + f'<th scope="row">{_t(row[0])}</th>'
        + "".join(f"<td>{_t(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in chart.table_rows)
    return (f'<table class="chart-table"><caption>{_t(chart.table_caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def _t(text: str) -> str:
    return escape(text, quote=False)


def _a(text: str) -> str:
    return escape(text, quote=True)


def _n(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
