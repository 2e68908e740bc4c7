"""Small progress charts: one model, drawn as SVG for a web page and as vector drawing
in a PDF.

:mod:`.model` lays a chart out once, in abstract chart units (a fixed width and height,
y growing downwards), from plain values: a metric over time against its baseline and
target (:func:`metric_chart`), or a status over time (:func:`status_chart`) for a goal
with no number to draw. Every chart carries the same facts as a table, the text
alternative for people who do not see it. :mod:`.svg` and :mod:`.pdf` only draw what the
model says, so the console's picture and the case file's are the same picture. Pure:
data in, data (or markup, or drawing on a given document) out.
"""

from docgen.charts.model import (
    HEIGHT,
    WIDTH,
    Chart,
    Guide,
    Marker,
    Point,
    Tick,
    metric_chart,
    status_chart,
)

__all__ = ["HEIGHT", "WIDTH", "Chart", "Guide", "Marker", "Point", "Tick", "metric_chart",
           "status_chart"]
