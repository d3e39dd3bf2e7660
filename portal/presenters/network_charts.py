"""The network view's pictures, drawn with pygal as data: URIs for an <img>.

pygal's SVG carries a <script>, a <style> block and style= attributes, which the site's CSP
refuses inline: as an image (`render_data_uri`) none of it touches the page. An image cannot
follow the page's colours, so each chart is drawn twice, in the site's light and dark palettes
(portal/static/portal.css), for a <picture> to choose from by `prefers-color-scheme`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygal
from pygal.graph.graph import Graph
from pygal.style import Style

from portal.domain.network import Dimension, Group
from portal.i18n import gettext

# Its import also takes pygal's legacy import finder out of sys.meta_path.
from portal.presenters.charts import number

MAX_GROUPS = 12  # more rows and columns than this make a matrix no one can read on a phone
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass(frozen=True)
class Palette:
    text: str
    lines: str
    colours: tuple[str, ...]
    on_colour: str  # the numbers printed on a dot of the first colour


LIGHT = Palette(
    text="#1b1f23", lines="#c9d1d5", colours=("#0b6b66", "#a34a00"), on_colour="#ffffff"
)
DARK = Palette(text="#e8ecee", lines="#3a474c", colours=("#6fd3c9", "#f0a35e"), on_colour="#121a1c")


@dataclass(frozen=True)
class Picture:
    """One chart as two images, for light and dark pages, and what it shows in words."""

    light: str  # data: URI
    dark: str
    alt: str


def _style(palette: Palette, colours: tuple[str, ...]) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground=palette.text,
        foreground_strong=palette.text,
        foreground_subtle=palette.lines,
        colors=colours,
        value_colors=(palette.on_colour,),
        opacity="1",
        opacity_hover="1",
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=13,
        legend_font_size=14,
        no_data_font_size=20,
    )


def _config(palette: Palette, colours: tuple[str, ...]) -> dict[str, object]:
    return {
        "style": _style(palette, colours),
        "js": [],  # no script from anywhere: an image runs none anyway
        "no_data_text": gettext("No pairs yet"),
        "value_formatter": number,  # the numbers on the dots and the axis, as the reader writes
    }


def shown_groups(dimension: Dimension) -> tuple[Group, ...]:
    """The groups a matrix draws: the MAX_GROUPS with the most matched people, in order."""
    if len(dimension.groups) <= MAX_GROUPS:
        return dimension.groups
    largest = sorted(dimension.groups, key=lambda group: -group.people)[:MAX_GROUPS]
    kept = {group.name for group in largest}
    return tuple(group for group in dimension.groups if group.name in kept)


def _matrix(dimension: Dimension, palette: Palette) -> Graph:
    groups = [group.name for group in shown_groups(dimension)]
    height = 140 + 42 * len(groups)
    chart = pygal.Dot(
        width=760,
        height=max(height, 260),
        show_legend=False,
        x_label_rotation=30,
        print_values=True,
        **_config(palette, (palette.colours[0],) * max(len(groups), 1)),
    )
    chart.x_labels = groups
    for row in groups:
        chart.add(row, [dimension.links.get((row, column)) for column in groups])
    return chart


def matrix(dimension: Dimension, what: str) -> Picture:
    """Pairs between each two groups, as dots in a grid (rows and columns are the groups; a
    dot's size is how many pairs link them; the diagonal is the pairs within a group)."""
    return Picture(
        _matrix(dimension, LIGHT).render_data_uri(),
        _matrix(dimension, DARK).render_data_uri(),
        _matrix_alt(dimension, what),
    )


def _matrix_alt(dimension: Dimension, what: str) -> str:
    """The grid in words, for its <img alt>: `what` is "department" or "time zone"."""
    shown = len(shown_groups(dimension))
    every = shown == len(dimension.groups)
    if what == "department" and every:
        return gettext(
            "A grid of departments: each dot is the number of pairs linking the department of "
            "its row to the department of its column. The same numbers are in the table below."
        )
    if what == "department":
        return gettext(
            "A grid of departments, the %(shown)s largest: each dot is the number of pairs "
            "linking the department of its row to the department of its column. The same "
            "numbers are in the table below.",
            shown=shown,
        )
    if what == "time zone" and every:
        return gettext(
            "A grid of time zones: each dot is the number of pairs linking the time zone of its "
            "row to the time zone of its column. The same numbers are in the table below."
        )
    if what == "time zone":
        return gettext(
            "A grid of time zones, the %(shown)s largest: each dot is the number of pairs "
            "linking the time zone of its row to the time zone of its column. The same numbers "
            "are in the table below.",
            shown=shown,
        )
    raise ValueError(f"no words for a grid of {what!r}: 'department' or 'time zone'")


def _shared(dimension: Dimension, palette: Palette) -> Graph:
    groups = dimension.groups[::-1]  # pygal draws the first bar at the bottom
    chart = pygal.HorizontalStackedBar(
        width=760,
        height=max(140 + 36 * len(groups), 260),
        legend_at_bottom=True,
        print_values=False,
        **_config(palette, palette.colours),
    )
    chart.x_labels = [group.name for group in groups]
    chart.add(gettext("Pairs who share it"), [group.within for group in groups])
    chart.add(gettext("Pairs where only one speaks it"), [group.outside for group in groups])
    return chart


def shared(dimension: Dimension) -> Picture:
    """Pairs per language: those who share it, and those where only one of the two speaks it."""
    alt = gettext(
        "A bar for each language: how many pairs share it, and how many pairs have only one "
        "person who speaks it. The same numbers are in the table below."
    )
    return Picture(
        _shared(dimension, LIGHT).render_data_uri(),
        _shared(dimension, DARK).render_data_uri(),
        alt,
    )
