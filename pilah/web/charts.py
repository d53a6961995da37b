"""Horizontal bar charts as data for the SVG partial: server-rendered, no JavaScript, readable printed."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 22
LABEL_WIDTH = 210
CHART_WIDTH = 520
#: Characters of a label that fit in LABEL_WIDTH at 12px; a longer one is cut with an ellipsis.
LABEL_CHARS = 27


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float
    y: int
    second: int | None = None
    second_width: float = 0.0


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH
    legend: tuple[str, ...] = ()


def bar_chart(title: str, items: list[tuple[str, int]] | list[tuple[str, int, int]],
              legend: tuple[str, ...] = ()) -> BarChart:
    """Bars scaled to the largest value; a third item per row draws a second (inner) bar, e.g. done."""
    largest = max((item[1] for item in items), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 50
    bars = [Bar(label=_fitted(item[0]), value=item[1], width=room * item[1] / largest, y=index * (BAR_HEIGHT + 6),
                second=item[2] if len(item) > 2 else None,
                second_width=room * item[2] / largest if len(item) > 2 else 0.0)
            for index, item in enumerate(items)]
    return BarChart(title=title, bars=bars, height=max(len(bars), 1) * (BAR_HEIGHT + 6) + 4, legend=legend)


def _fitted(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
