"""The moderator dashboard as an SVG image: simple bar charts drawn by our own code.

Only numbers, dates and the fixed action names go into it (no member's text), and every piece
of text is escaped all the same. Colours keep at least 4.5:1 contrast on white.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

WIDTH = 760
BAR = "#1f5f8b"
MUTED = "#4d4d4d"
GRID = "#d0d0d0"
FONT = "font-family='system-ui, sans-serif'"


def _text(x: float, y: float, value: str, *, size: int = 12, anchor: str = "start") -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' fill='{MUTED}' "
        f"text-anchor={quoteattr(anchor)} {FONT}>{escape(value)}</text>"
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _columns(title: str, bars: list[tuple[str, int]], top: float) -> tuple[str, float]:
    """Vertical bars, one per day, labelled every fifth day; returns the markup and its height."""
    height, left, bottom_pad = 180.0, 40.0, 30.0
    plot_w = WIDTH - left - 20
    peak = max((v for _l, v in bars), default=0) or 1
    step = plot_w / max(len(bars), 1)
    parts = [_text(left, top + 16, title, size=14)]
    base = top + 28 + height
    parts.append(
        f"<line x1='{left}' y1='{base:.1f}' x2='{WIDTH - 20}' y2='{base:.1f}' stroke='{GRID}'/>"
    )
    parts.append(_text(left - 6, top + 36, str(peak), anchor="end"))
    parts.append(_text(left - 6, base, "0", anchor="end"))
    for i, (label, value) in enumerate(bars):
        h = height * value / peak
        x = left + i * step + step * 0.15
        parts.append(
            f"<rect x='{x:.1f}' y='{base - h:.1f}' width='{step * 0.7:.1f}' height='{h:.1f}' "
            f"fill='{BAR}'><title>{escape(f'{label}: {value}')}</title></rect>"
        )
        if i % 5 == 0 or i == len(bars) - 1:
            parts.append(_text(x + step * 0.35, base + 16, label, size=11, anchor="middle"))
    return "".join(parts), 28 + height + bottom_pad


def _rows(title: str, bars: list[tuple[str, int]], top: float) -> tuple[str, float]:
    """Horizontal bars, one per action type; returns the markup and its height."""
    left, row_h = 170.0, 22.0
    plot_w = WIDTH - left - 70
    peak = max((v for _l, v in bars), default=0) or 1
    parts = [_text(20, top + 16, title, size=14)]
    for i, (label, value) in enumerate(bars):
        y = top + 28 + i * row_h
        w = plot_w * value / peak
        parts.append(_text(left - 8, y + 14, label, anchor="end"))
        parts.append(
            f"<rect x='{left}' y='{y + 3:.1f}' width='{w:.1f}' height='{row_h - 6:.1f}' "
            f"fill='{BAR}'/>"
        )
        parts.append(_text(left + w + 6, y + 14, str(value)))
    return "".join(parts), 28 + len(bars) * row_h + 20


def dashboard_svg(data: dict[str, Any]) -> str:
    """The dashboard JSON (see service.dashboard) drawn as one SVG document."""
    days = data["actions_by_day"]
    per_day = [(str(d["date"])[5:], sum(d["actions"].values())) for d in days]
    totals: dict[str, int] = {}
    for d in days:
        for action, n in d["actions"].items():
            totals[action] = totals.get(action, 0) + n
    summary = (
        f"Open reports: {int(data['open_reports'])}   "
        f"crisis: {int(data['open_crisis_reports'])}   "
        f"open appeals: {int(data['open_appeals'])}   "
        f"median time to first action: {_duration(data['median_seconds_to_first_action'])}"
    )
    top = 20.0
    parts = [_text(20, top + 14, summary, size=14)]
    top += 34
    columns, h = _columns("Actions per day, last 30 days", per_day, top)
    parts.append(columns)
    top += h
    rows, h = _rows("Actions by type, last 30 days", sorted(totals.items()), top)
    parts.append(rows)
    top += h
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{top:.0f}' "
        f"viewBox='0 0 {WIDTH} {top:.0f}' role='img' aria-labelledby='t'>"
        f"<title id='t'>{escape('Moderation dashboard')}</title>"
        f"<rect width='100%' height='100%' fill='#ffffff'/>{''.join(parts)}</svg>"
    )
