"""Small SVG charts for the PDF reports and the pages: real vector text, no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997"]


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _named(title: str) -> str:
    """The chart's text alternative: its accessible name (``aria-label``) and ``<title>``."""
    return f' aria-label="{escape(title, {chr(34): "&quot;"})}"' if title else ""


def _title(title: str) -> str:
    return f"<title>{escape(title)}</title>" if title else ""


def horizontal_bars(
    items: list[tuple[str, float | None]], *, maximum: float, width: int = 520, title: str = ""
) -> str:
    """One bar per (label, value); a missing value is drawn as an empty row marked "–".
    ``title`` names the chart for screen readers (role="img")."""
    label_w, row_h, pad = 190, 24, 6
    bar_w = width - label_w - 40
    height = row_h * len(items) + pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"{_named(title)} font-family="DejaVu Sans" '
        f'font-size="11">{_title(title)}'
    ]
    for i, (label, value) in enumerate(items):
        y = i * row_h + pad
        parts.append(f'<text x="0" y="{y + 14}">{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{row_h - 8}" fill="#e9ecef"/>'
        )
        if value is not None and maximum:
            w = round(bar_w * max(0.0, min(value, maximum)) / maximum, 1)
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w}" height="{row_h - 8}" '
                f'fill="{PALETTE[0]}"/>'
            )
        text = _fmt(value) if value is not None else "–"
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    categories: list[str], series: list[Series], *, width: int = 560, title: str = ""
) -> str:
    """Vertical bars: one group per category, one bar per series, with a legend. ``title``
    names the chart for screen readers (role="img"); pages show its data as a table too."""
    height, top, bottom, left = 220, 24, 40, 30
    plot_h = height - top - bottom
    peak = max([v for s in series for v in s.values] + [1])
    group_w = (width - left) / max(len(categories), 1)
    bar_w = max(4.0, (group_w - 12) / max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"{_named(title)} font-family="DejaVu Sans" '
        f'font-size="10">{_title(title)}',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" '
        'stroke="#adb5bd"/>',
    ]
    for si, s in enumerate(series):
        color = PALETTE[si % len(PALETTE)]
        parts.append(f'<rect x="{left + si * 110}" y="4" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{left + si * 110 + 14}" y="13">{escape(s.label)}</text>')
        for ci, value in enumerate(s.values):
            h = round(plot_h * value / peak, 1)
            x = round(left + ci * group_w + 6 + si * bar_w, 1)
            y = round(top + plot_h - h, 1)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{round(bar_w - 2, 1)}" height="{h}" fill="{color}">'
                f"<title>{escape(s.label)}: {_fmt(value)}</title></rect>"
            )
            if value:
                parts.append(f'<text x="{x}" y="{y - 2}">{_fmt(value)}</text>')
    for ci, category in enumerate(categories):
        x = round(left + ci * group_w + 6, 1)
        parts.append(f'<text x="{x}" y="{top + plot_h + 14}">{escape(category)}</text>')
    parts.append("</svg>")
    return "".join(parts)
