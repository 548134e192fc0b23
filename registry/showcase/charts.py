"""Bar charts drawn on the server as SVG geometry: the template writes the markup, no script needed."""
from __future__ import annotations

from dataclasses import dataclass

from registry.showcase.statistics import StatTable

# Dark enough on white for AA contrast of graphics (3:1) and text (4.5:1); white gaps separate segments.
PALETTE = ("#a3161b", "#0b5c8a", "#47630f", "#6b3fa0", "#8a4b08", "#1d6b52", "#4d5866")
WIDTH = 720
LABEL_WIDTH = 270
BAR_AREA = 380
MAX_LABEL_CHARS = 32
MAX_ROWS = 30


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    color: str
    value: int
    series: str


@dataclass
class ChartRow:
    label: str
    full_label: str
    text_y: float
    segments: list[Segment]
    value_text: str
    value_x: float


@dataclass
class LegendItem:
    label: str
    color: str
    y: float


@dataclass
class Chart:
    ident: str
    width: int
    height: int
    rows: list[ChartRow]
    legend: list[LegendItem]
    axis_x: int
    axis_top: float
    truncated: bool


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 1] + "…"


def bar_chart(table: StatTable, *, ident: str) -> Chart:
    """Horizontal bars per row: stacked when the columns add up to a whole, else side by side."""
    stacked = table.stacked > 1
    series = table.columns[:table.stacked] if table.stacked else table.columns
    legend = [LegendItem(label, PALETTE[i % len(PALETTE)], 14 + i * 20) for i, label in enumerate(series)]
    if len(series) == 1:
        legend = []
    top = (legend[-1].y + 16) if legend else 8
    rows_data = table.rows[:MAX_ROWS]
    if stacked:
        largest = max((sum(r.values[:len(series)]) for r in rows_data), default=0)
    else:
        largest = max((max(r.values[:len(series)], default=0) for r in rows_data), default=0)
    scale = BAR_AREA / largest if largest else 0
    bar_h = 18
    row_h = bar_h + 10 if stacked or len(series) == 1 else bar_h * len(series) + 12
    rows = []
    for i, row in enumerate(rows_data):
        y = top + i * row_h
        segments, x = [], float(LABEL_WIDTH)
        for j, label in enumerate(series):
            value = row.values[j]
            width = value * scale
            if stacked:
                segments.append(Segment(x, y, width, bar_h, PALETTE[j % len(PALETTE)], value, label))
                x += width
            else:
                segments.append(Segment(LABEL_WIDTH, y + j * bar_h, width, bar_h - 2, PALETTE[j % len(PALETTE)], value, label))
        values = row.values[:len(series)]
        if stacked:
            value_text, value_x = str(sum(values)), x + 6
        else:
            value_text = " / ".join(str(v) for v in values)
            value_x = LABEL_WIDTH + max((s.width for s in segments), default=0) + 6
        rows.append(ChartRow(_short(row.label), row.label, y + bar_h - 5, segments, value_text, value_x))
    height = int(top + len(rows) * row_h + 8)
    return Chart(ident, WIDTH, max(height, 40), rows, legend, LABEL_WIDTH, top - 4, len(table.rows) > MAX_ROWS)
