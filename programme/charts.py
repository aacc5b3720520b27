"""Server-rendered SVG charts (pygal): static, script-free, fine in print and in e-mail."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pygal
from django.core.cache import cache
from pygal.style import Style

CHART_CACHE_SECONDS = 24 * 3600
CHART_VERSION = 3  # bump when any chart's options change: cached SVGs are keyed by it
PALETTE = ("#0b4f8a", "#f0a202", "#2a9d8f", "#b02a37", "#6c757d", "#6ea8fe")


def chart_options(
    colors: tuple[str, ...] = PALETTE, *, font_scale: float = 1.0, **options: object
) -> dict:
    """pygal options shared by every Snowball chart; override any of them per chart.
    `font_scale` enlarges the text of a chart drawn in a narrow viewBox for a phone, where the
    SVG is scaled down to the screen and 13 units of text would come out at 7-8 pixels."""
    return {
        "style": Style(
            colors=colors,
            background="white",
            plot_background="white",
            font_family="system-ui, sans-serif",
            title_font_size=round(16 * font_scale),
            label_font_size=round(13 * font_scale),
            major_label_font_size=round(13 * font_scale),
            legend_font_size=round(14 * font_scale),
        ),
        "js": [],  # no script from anywhere: the SVG is static and works on a closed network
        "height": 360,
        "width": 640,
        "legend_at_bottom": True,
        "x_label_rotation": 45,
        "show_minor_x_labels": False,
        "x_labels_major_every": 4,
        "truncate_legend": -1,
        "show_y_guides": True,
        "print_values": False,
        **options,
    }


def render_svg(chart: pygal.graph.graph.Graph) -> str:
    svg = chart.render(disable_xml_declaration=True)
    # pygal still writes an inline config script for its tooltips (and credit comments):
    # the chart needs neither, and a page with inline SVG should run no script from it.
    svg = re.sub(r"<script\b[^>]*>.*?</script>", "", svg, flags=re.DOTALL)
    return re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)


def cached_svg(name: str, data: object, build: Callable[[], str]) -> str:
    """A chart is a pure function of its data: keyed by a digest of that data, a rendered SVG
    is reused until the numbers change (no invalidation needed)."""
    digest = hashlib.sha256(repr((CHART_VERSION, name, data)).encode()).hexdigest()
    key = f"chart:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = build()
        cache.set(key, svg, timeout=CHART_CACHE_SECONDS)
    return svg
