"""Charts for the organizer console, drawn server-side by pygal and shown as images.

pygal's SVG carries a <script>, a <style> block and style= attributes, which the site's CSP
(`script-src 'self'; style-src 'self'`) forbids inline: a chart is therefore an <img> whose
source is a data: URI, in which no script runs and no page style applies. Every chart has
its numbers in a table beside it; the picture is for the eye only.

Both themes: the background is transparent, the series colours keep their contrast on the
light and the dark page, and the chart's own style sheet turns its text light when the
reader's system is dark (an SVG image follows `prefers-color-scheme` itself).
"""

from __future__ import annotations

import sys
from typing import Any, TypeVar

from pygal.graph.graph import Graph
from pygal.style import Style

from portal import i18n

# pygal's import appends a finder for its map plugins to sys.meta_path that has only the
# legacy find_module: every import that no other finder answers (an optional dependency
# tried and missing) then raises an ImportWarning, an error under the tests' filters. The
# portal draws no maps: take the finder out again.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

# The site's brand and accent colours, then two more that read on either background.
COLOURS = ("#0d7c75", "#d4761c", "#6e56cf", "#c03a5b", "#2f7fd1")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#3b4448",
    foreground_strong="#1b1f23",
    foreground_subtle="#8a969c",
    opacity=".9",
    opacity_hover="1",
    colors=COLOURS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    legend_font_size=13,
    title_font_size=16,
)
# In a dark system theme: the text and the guides light (the page behind is dark). An SVG
# image is a document of its own, so these plain selectors reach only this chart; they need
# !important against pygal's rules, which name the chart's id.
DARK = (
    "inline:@media (prefers-color-scheme: dark) {"
    " text { fill: #e8ecee !important; }"
    " .axis .line { stroke: #a9b4ba !important; }"
    " .guides .line { stroke: #3a474c !important; }"
    "}"
)

ChartT = TypeVar("ChartT", bound=Graph)


def number(value: float | None) -> str:
    """A chart's number as the reader writes it ("1.5"; "1,5" in Spanish), for its axis."""
    # pygal writes "1.5" whatever the language; the chart is drawn in the reader's request.
    return "" if value is None else i18n.format_number(value)


def new_chart(kind: type[ChartT], **config: Any) -> ChartT:
    """A pygal chart of `kind` (pygal.Bar, pygal.Line, ...) in the console's shared style."""
    settings: dict[str, Any] = {
        "style": STYLE,
        "width": 720,
        "height": 340,
        "show_legend": False,
        "print_values": False,
        "js": [],  # no script to fetch: an <img> runs none anyway
        "margin": 16,
        "truncate_label": -1,
        "value_formatter": number,
    }
    settings.update(config)
    chart: ChartT = kind(**settings)
    chart.config.css = [*chart.config.css, DARK]
    return chart


def data_uri(chart: Graph) -> str:
    """The chart as an image source (`<img src=...>`): a data: URI of its SVG."""
    return str(chart.render_data_uri())
