"""The dashboard's charts as inline SVG: drawn here, placed by the template, readable without JavaScript.

Every chart is a 400-unit-wide viewBox that the page scales to its column (at most 560 px), so text stays
legible on a 360 px phone and on A4. Each bar and dot carries `data-key` and `data-value` (the figure it
draws, unrounded), so a test can hold the chart to the table. Labels are escaped; long region names are
shortened on the chart and given whole in a <title>.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 400
LABEL = 150  # room for the labels on the left
BAR = 165  # the longest bar; what is left on the right holds the value
ROW = 20
COLOURS = {"bar": "#2b6cb0", "pre": "#dd6b20", "post": "#2f855a", "ref": "#c53030", "mine": "#4a5568",
           "enrolled": "#2b6cb0", "started": "#dd6b20", "passed": "#2f855a", "grid": "#cbd5e0"}


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: float  # what the bar stands for: a count or a fraction
    text: str  # the value as printed beside the bar
    fraction: float  # the bar's length, 0..1 of the longest


def _short(text: str, limit: int = 23) -> str:
    """A label that fits the left column: "Kabupaten" abbreviated as on signboards, then cut."""
    if text.startswith("Kabupaten "):
        text = "Kab. " + text[len("Kabupaten "):]
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _svg(height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit" font-size="11">'
        f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def bars(items: Sequence[Bar], title: str, *, chart: str, references: Sequence[tuple[str, float]] = (),
         scale_max: float = 1.0) -> Markup:
    """Horizontal bars, one per item, in the order given; reference lines at fractions of scale_max."""
    top = 6
    height = top + ROW * len(items) + (16 if references else 6)
    body = [f'<line x1="{LABEL}" y1="{top - 2}" x2="{LABEL}" y2="{top + ROW * len(items)}" '
            f'stroke="{COLOURS["grid"]}"/>']
    for index, item in enumerate(items):
        y = top + index * ROW
        length = max(0.0, min(1.0, item.fraction)) * BAR
        body.append(
            f'<g class="bar" data-chart="{chart}" data-key="{escape(item.key)}" data-value="{item.value!r}">'
            f'<title>{escape(item.label)}: {escape(item.text)}</title>'
            f'<text x="{LABEL - 4}" y="{y + 13}" text-anchor="end">{escape(_short(item.label))}</text>'
            f'<rect x="{LABEL}" y="{y + 3}" width="{length:.1f}" height="{ROW - 6}" fill="{COLOURS["bar"]}"/>'
            f'<text x="{LABEL + length + 4:.1f}" y="{y + 13}" font-size="10">{escape(item.text)}</text></g>')
    bottom = top + ROW * len(items)
    for index, (label, value) in enumerate(references):
        x = LABEL + max(0.0, min(1.0, value / scale_max if scale_max else 0)) * BAR
        colour = COLOURS["ref"] if index == 0 else COLOURS["mine"]
        body.append(
            f'<g class="reference" data-chart="{chart}" data-value="{value!r}">'
            f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{bottom + 12 + 0 * index}" text-anchor="middle" '
            f'fill="{colour}" font-size="10">{escape(label)}</text></g>')
    return _svg(height, body, title)


def dumbbells(items: Sequence[tuple[str, str, float | None, float | None]], title: str, *,
              labels: tuple[str, str], fmt: Callable[[float], str]) -> Markup:
    """Pretest and posttest per item: two dots on a 0..100 scale joined by a line."""
    top = 22
    height = top + ROW * len(items) + 14
    span = BAR + 40
    body = [f'<circle cx="{LABEL}" cy="8" r="4" fill="{COLOURS["pre"]}"/>'
            f'<text x="{LABEL + 8}" y="12">{escape(labels[0])}</text>'
            f'<circle cx="{LABEL + 110}" cy="8" r="4" fill="{COLOURS["post"]}"/>'
            f'<text x="{LABEL + 118}" y="12">{escape(labels[1])}</text>']
    for tick in (0, 0.5, 1):
        x = LABEL + tick * span
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + ROW * len(items)}" '
                    f'stroke="{COLOURS["grid"]}"/><text x="{x:.1f}" y="{height - 1}" text-anchor="middle" '
                    f'font-size="9">{escape(fmt(tick))}</text>')
    for index, (key, label, pre, post) in enumerate(items):
        y = top + index * ROW + 10
        parts = [f'<g class="pair" data-key="{escape(key)}">'
                 f'<title>{escape(label)}: {escape(fmt(pre) if pre is not None else "–")} → '
                 f'{escape(fmt(post) if post is not None else "–")}</title>'
                 f'<text x="{LABEL - 4}" y="{y + 4}" text-anchor="end">{escape(_short(label))}</text>']
        if pre is not None and post is not None:
            parts.append(f'<line x1="{LABEL + pre * span:.1f}" y1="{y}" x2="{LABEL + post * span:.1f}" y2="{y}" '
                         f'stroke="{COLOURS["grid"]}" stroke-width="3"/>')
        for kind, value in (("pre", pre), ("post", post)):
            if value is not None:
                parts.append(f'<circle class="dot" data-kind="{kind}" data-value="{value!r}" '
                             f'cx="{LABEL + value * span:.1f}" cy="{y}" r="4.5" fill="{COLOURS[kind]}"/>')
        parts.append("</g>")
        body.append("".join(parts))
    return _svg(height, body, title)


def lines(points: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]], title: str,
          fmt: Callable[[float], str]) -> Markup:
    """A line per series over the snapshots (x), counts on y from 0."""
    left, top, plot_w, plot_h = 44, 26, WIDTH - 60, 120
    height = top + plot_h + 30
    peak = max([1, *[v for _, _, values in series for v in values]])
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / peak

    body = []
    for fraction in (0, 0.5, 1):
        value = peak * fraction
        body.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" y2="{y(value):.1f}" '
                    f'stroke="{COLOURS["grid"]}"/><text x="{left - 4}" y="{y(value) + 4:.1f}" '
                    f'text-anchor="end" font-size="10">{escape(fmt(value))}</text>')
    legend_x = left
    for key, label, values in series:
        colour = COLOURS.get(key, COLOURS["bar"])
        body.append(f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{legend_x + 14}" y="15">{escape(label)}</text>')
        legend_x += 14 + 7 * len(label) + 16
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        body.append(f'<g class="series" data-key="{key}">'
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
                    + "".join(f'<circle class="point" data-value="{v}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" '
                              f'fill="{colour}"><title>{escape(points[i])}: {escape(fmt(v))}</title></circle>'
                              for i, v in enumerate(values)) + "</g>")
    for i in sorted({0, n - 1}):
        anchor = "start" if i == 0 and n > 1 else "end" if n > 1 else "middle"
        body.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="{anchor}" font-size="10">'
                    f'{escape(points[i])}</text>')
    return _svg(height, body, title)
