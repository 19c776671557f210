"""The report's charts as inline SVG, drawn with pygal.

pygal is pure Python and writes SVG text directly, so the HTML report needs no browser-side
library, no network and no binary dependency (matplotlib would bring numpy and a font cache for
two line charts). Its tooltips need JavaScript it normally links from a CDN: ``js=[]`` turns that
off, and an XML filter removes the inline config script and pygal's dated comments that remain.
Chart ids are fixed, so the same log always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pygal
from pygal.style import CleanStyle

_OPTIONS: dict[str, Any] = {
    "js": [],  # no external script: the report works offline and from a file
    "disable_xml_declaration": True,  # inline in HTML
    "style": CleanStyle,
    "width": 800,
    "height": 360,
    "legend_at_bottom": True,
    "allow_interruptions": True,  # None is a gap (a round without a known move)
    "truncate_legend": 40,
}


def _offline(root: Any) -> Any:
    """Drop every script element and comment (stdlib and lxml trees alike)."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag
            # Comments and processing instructions have a factory function as their tag.
            if not isinstance(tag, str) or tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _svg(chart: Any, chart_id: str) -> str:
    # pygal names each chart with a random uuid (and scopes its CSS by it); a fixed id keeps
    # reports reproducible. Ids must differ between the charts of one page.
    chart.uuid = chart_id
    chart.add_xml_filter(_offline)
    text: str = chart.render()
    return text


def line_chart(
    chart_id: str,
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    y_title: str = "",
    y_range: tuple[float, float] | None = None,
) -> str:
    """A line chart as an ``<svg>`` element."""
    options = dict(_OPTIONS, title=title, x_labels=list(x_labels), y_title=y_title)
    if y_range is not None:
        options["range"] = y_range
    chart = pygal.Line(**options)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, chart_id)
