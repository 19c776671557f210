"""The report's charts as inline SVG, drawn with pygal.

pygal is pure Python and writes SVG text directly, so the HTML report needs no browser-side
library, no network and no binary dependency (matplotlib would bring numpy and a font cache for
two line charts). Its only runtime script is the tooltip JavaScript it normally links from a CDN:
``js=[]`` turns that off. Chart ids are fixed and pygal's dated comments stripped, so the same
log always gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pygal
from pygal.style import CleanStyle

_COMMENT = re.compile(r"<!--.*?-->", re.S)
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


def _svg(chart: Any, chart_id: str) -> str:
    # pygal names each chart with a random uuid (and scopes its CSS by it); a fixed id keeps
    # reports reproducible. Ids must differ between the charts of one page.
    chart.uuid = chart_id
    text: str = chart.render()
    return _COMMENT.sub("", text)


def line_chart(chart_id: str, title: str, x_labels: Sequence[str],
               series: Mapping[str, Sequence[float | None]], *, y_title: str = "",
               y_range: tuple[float, float] | None = None) -> str:
    """A line chart as an ``<svg>`` element."""
    options = dict(_OPTIONS, title=title, x_labels=list(x_labels), y_title=y_title)
    if y_range is not None:
        options["range"] = y_range
    chart = pygal.Line(**options)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, chart_id)
