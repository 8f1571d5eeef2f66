"""Inline SVG charts for the console: drawn on the server, no script, no external asset."""

from __future__ import annotations

import html
from collections.abc import Sequence

e = html.escape
INK, ACCENT, SOFT, WARN = "#1b1b1b", "#1d70b8", "#b1d3f0", "#d4351c"


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[int], part: Sequence[int] | None = None,
    part_label: str = "", width: int = 560, height: int = 200,
) -> str:
    """Vertical bars (optionally with a darker part of each bar, e.g. answered of asked)."""
    n = max(len(values), 1)
    top = max([*values, 1])
    pad, base = 28, height - 34
    slot = (width - pad - 8) / n
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        x = pad + i * slot + slot * 0.15
        w = slot * 0.7
        h = (base - 16) * value / top
        bars.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
                    f'fill="{SOFT}"><title>{e(label)}: {value}</title></rect>')
        if part is not None:
            ph = (base - 16) * part[i] / top
            bars.append(f'<rect x="{x:.1f}" y="{base - ph:.1f}" width="{w:.1f}" '
                        f'height="{ph:.1f}" fill="{ACCENT}"><title>{e(label)}: {part[i]} '
                        f"{e(part_label)}</title></rect>")
        if value:
            bars.append(f'<text x="{x + w / 2:.1f}" y="{base - h - 3:.1f}" font-size="11" '
                        f'text-anchor="middle" fill="{INK}">{value}</text>')
        if n <= 14 or i % 2 == 0:
            bars.append(f'<text x="{x + w / 2:.1f}" y="{base + 14}" font-size="10" '
                        f'text-anchor="middle" fill="{INK}">{e(label)}</text>')
    axis = f'<line x1="{pad}" y1="{base}" x2="{width - 8}" y2="{base}" stroke="{INK}"/>'
    return _figure(title, width, height, axis + "".join(bars))


def hbar_chart(title: str, labels: Sequence[str], values: Sequence[int], width: int = 560) -> str:
    """Horizontal bars with their labels (top topics, feedback kinds, usage)."""
    row = 24
    height = max(len(values), 1) * row + 12
    top = max([*values, 1])
    left, right = 170, 40
    parts = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = 6 + i * row
        w = (width - left - right) * value / top
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end" '
            f'fill="{INK}">{e(label[:28])}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{ACCENT}">'
            f"<title>{e(label)}: {value}</title></rect>"
            f'<text x="{left + w + 5:.1f}" y="{y + 15}" font-size="12" fill="{INK}">{value}</text>'
        )
    if not values:
        parts.append(f'<text x="8" y="20" font-size="12" fill="{INK}">Nothing yet.</text>')
    return _figure(title, width, height, "".join(parts))


def share_meter(title: str, share: float | None, width: int = 560) -> str:
    """One share (0..1) as a filled bar with its percentage."""
    height = 44
    inner = width - 80
    value = 0.0 if share is None else max(0.0, min(1.0, share))
    text = "no questions yet" if share is None else f"{value:.0%}"
    body = (f'<rect x="0" y="8" width="{inner}" height="22" fill="{SOFT}"/>'
            f'<rect x="0" y="8" width="{inner * value:.1f}" height="22" fill="{ACCENT}"/>'
            f'<text x="{inner + 8}" y="24" font-size="14" fill="{INK}">{e(text)}</text>')
    return _figure(title, width, height, body)


def _figure(title: str, width: int, height: int, body: str) -> str:
    return (f'<figure class="chart"><figcaption>{e(title)}</figcaption>'
            f'<svg role="img" aria-label="{e(title)}" viewBox="0 0 {width} {height}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg">{body}</svg></figure>')
