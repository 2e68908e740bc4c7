"""A chart drawn as vector graphics on a page of a record PDF (fpdf2), followed by its
table: the same picture as :mod:`docgen.charts.svg`, from the same model, scaled."""

from __future__ import annotations

from docgen.charts.model import Chart, Marker
from docgen.stamp.document import RecordPdf

Color = tuple[int, int, int]

MUTED: Color = (96, 96, 96)
GRID: Color = (213, 219, 229)
VALUE: Color = (31, 56, 100)
TARGET: Color = (30, 100, 55)
BASELINE: Color = (122, 122, 122)
MISSED: Color = (156, 42, 42)
WHITE: Color = (255, 255, 255)
STATUS_COLOURS: dict[str, Color] = {"on_track": (30, 100, 55), "at_risk": (154, 103, 0),
                                    "off_track": (156, 42, 42), "met": (31, 56, 100)}
_R = 4.2


def draw_chart(pdf: RecordPdf, chart: Chart, *, width: float | None = None) -> None:
    """Draw ``chart`` at the current position, ``width`` points wide (the text width by
    default), then its note and its table; turns the page first if it does not fit."""
    width = width or pdf.frame.text_width
    scale = width / chart.width
    height = chart.height * scale
    pdf.keep(height + 40)
    x0, y0 = pdf.frame.left, pdf.get_y()

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + x * scale, y0 + y * scale

    left, _top, right, bottom = chart.plot
    with pdf.element("Figure", title=chart.title), pdf.furniture():
        pdf.set_line_width(0.5)
        pdf.set_draw_color(*GRID)
        for tick in chart.y_ticks:
            pdf.line(*at(left, tick.at), *at(right, tick.at))
        pdf.set_draw_color(*MUTED)
        pdf.set_line_width(0.8)
        pdf.line(*at(left, bottom), *at(right, bottom))
        pdf.set_font("sans", "", 7.5)
        for tick in chart.y_ticks:
            pdf.put(at(left - 6, 0)[0], at(0, tick.at + 3)[1], tick.label, color=MUTED,
                    align="R")
        for tick in chart.x_ticks:
            x, y = at(tick.at, bottom + 13)
            pdf.put(x, y, tick.label, color=MUTED, align="C")
            if tick.sublabel:
                pdf.set_font("sans", "", 6.5)
                pdf.put(x, y + 9, tick.sublabel, color=MUTED, align="C")
                pdf.set_font("sans", "", 7.5)
        for tick in chart.missed:
            x, y = at(tick.at, bottom + 13)
            pdf.put(x, y, tick.label, color=MUTED, align="C")
            pdf.set_font("sans", "", 6.5)
            pdf.put(x, y + 9, tick.sublabel, color=MISSED, align="C")
            pdf.set_font("sans", "", 7.5)
        pdf.set_font("sans", "", 6.5)
        pdf.put(*at(left, chart.height - 1), "Check-in and date", color=MUTED)
        for guide in chart.guides:
            colour = TARGET if guide.kind == "target" else BASELINE
            pdf.set_draw_color(*colour)
            pdf.set_line_width(1.0)
            # Dashed target, dotted baseline: told apart without their colours.
            pdf.set_dash_pattern(dash=5 if guide.kind == "target" else 1.5, gap=2.5)
            pdf.line(*at(left, guide.y), *at(right, guide.y))
            pdf.set_dash_pattern()
            pdf.set_font("sans", "B", 7.5)
            pdf.put(*at(right - 2, guide.y - 4), guide.label, color=colour, align="R")
        if len(chart.line) > 1:
            pdf.set_draw_color(*VALUE)
            pdf.set_line_width(1.5)
            pdf.polyline([at(x, y) for x, y in chart.line])
        pdf.set_line_width(1.2)
        pdf.set_draw_color(*MISSED)
        pdf.set_fill_color(*WHITE)
        for tick in chart.missed:  # a hollow mark on the axis where a meeting was not held
            pdf.circle(*at(tick.at, bottom), 3.0, style="DF")
        pdf.set_line_width(0.6)
        pdf.set_draw_color(*WHITE)
        for marker in chart.markers:
            _marker(pdf, marker, at(marker.x, marker.y))
    pdf.set_y(y0 + height + 6)
    pdf.para(chart.description, size=8.5, space_after=2)
    if chart.note:
        pdf.para(chart.note, size=8.0, color=MUTED, space_after=2)
    pdf.para(chart.table_caption, size=8.0, style="B", color=MUTED, space_after=1)
    widths = (0.16, 0.28, 0.28, 0.28) if len(chart.table_header) == 4 else (0.2, 0.4, 0.4)
    pdf.wrapped_table(widths, chart.table_header, chart.table_rows, size=7.5)


def _marker(pdf: RecordPdf, marker: Marker, centre: tuple[float, float]) -> None:
    x, y = centre
    pdf.set_fill_color(*STATUS_COLOURS.get(marker.status, VALUE))
    r = _R * 0.85
    if marker.shape == "square":
        pdf.rect(x - r, y - r, 2 * r, 2 * r, style="DF")
    elif marker.shape == "triangle":
        pdf.polygon([(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)], style="DF")
    elif marker.shape == "diamond":
        d = r + 1.2
        pdf.polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], style="DF")
    else:
        pdf.circle(x, y, r, style="DF")
