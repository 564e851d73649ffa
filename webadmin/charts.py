"""Line charts computed on the server and drawn as inline SVG polylines (no JavaScript, no CDN).

This module only does the geometry -- scales, "nice" tick values, polyline coordinates, legend
entries -- into a :class:`ChartView`; the ``_chart.html`` macro turns it into SVG. Keeping the
arithmetic in Python makes it testable and keeps templates simple.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: Okabe-Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")

#: Dash pattern per split, so train and validation curves of one metric share a colour.
SPLIT_DASHES = {"train": "", "val": "6 4", "validation": "6 4", "test": "2 3"}

#: Metrics that describe the optimiser, not the model's answers; charted separately.
TRAINING_DIAGNOSTICS = ("learning_rate", "lr", "grad_norm", "epoch")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[float, float]]
    color: str = PALETTE[0]
    dash: str = ""


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class DrawnSeries:
    label: str
    color: str
    dash: str
    points: str  # "x1,y1 x2,y2 ..." for <polyline points=...>
    markers: tuple[tuple[float, float], ...]  # drawn as dots (lone points would be invisible lines)
    last_value: str


@dataclass
class ChartView:
    """Everything the SVG template needs, in pixel coordinates of a ``width`` x ``height`` box."""

    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_label: str
    y_label: str
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    series: list[DrawnSeries] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.series

    @property
    def description(self) -> str:
        names = ", ".join(s.label for s in self.series) or "no data"
        return f"{self.title}: {self.y_label or 'value'} by {self.x_label} for {names}"


def format_number(value: float) -> str:
    """Compact label: 4 significant digits, scientific for very small or large magnitudes."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-3 or magnitude >= 1e6:
        return f"{value:.2e}"
    return f"{value:.4g}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def line_chart(
    title: str,
    series: Iterable[Series],
    *,
    x_label: str = "step",
    y_label: str = "",
    width: int = 560,
    height: int = 300,
) -> ChartView:
    """Lay out ``series`` on shared axes with round tick values; empty series are skipped."""
    kept = [s for s in series if s.points]
    chart = ChartView(title, width, height, left=48, right=16, top=16, bottom=44, x_label=x_label, y_label=y_label)
    if not kept:
        return chart
    xs = [float(x) for s in kept for x, _ in s.points]
    ys = [float(y) for s in kept for _, y in s.points]
    x_ticks, y_ticks = nice_ticks(min(xs), max(xs), 6), nice_ticks(min(ys), max(ys), 5)
    if min(xs) >= 0:
        x_ticks = [t for t in x_ticks if t >= 0] or [0.0]
    x_lo, x_hi = min(x_ticks[0], min(xs)), max(x_ticks[-1], max(xs))
    y_lo, y_hi = min(y_ticks[0], min(ys)), max(y_ticks[-1], max(ys))
    x_hi = x_hi if x_hi > x_lo else x_lo + 1
    y_hi = y_hi if y_hi > y_lo else y_lo + 1
    # Room for the widest y tick label (about 6.5 px per character at 11 px) and the axis title.
    chart.left = max(48, 26 + math.ceil(6.5 * max(len(format_number(t)) for t in y_ticks)))
    plot_w = width - chart.left - chart.right
    plot_h = height - chart.top - chart.bottom

    def sx(x: float) -> float:
        return round(chart.left + (x - x_lo) / (x_hi - x_lo) * plot_w, 1)

    def sy(y: float) -> float:
        return round(chart.top + (1 - (y - y_lo) / (y_hi - y_lo)) * plot_h, 1)

    chart.x_ticks = [Tick(sx(t), format_number(t)) for t in x_ticks]
    chart.y_ticks = [Tick(sy(t), format_number(t)) for t in y_ticks]
    for s in kept:
        coords = [(sx(float(x)), sy(float(y))) for x, y in sorted(s.points)]
        chart.series.append(
            DrawnSeries(
                label=s.label,
                color=s.color,
                dash=s.dash,
                points=" ".join(f"{x},{y}" for x, y in coords),
                markers=tuple(coords) if len(coords) <= 30 else (coords[-1],),
                last_value=format_number(float(sorted(s.points)[-1][1])),
            )
        )
    return chart


def is_loss(name: str) -> bool:
    return "loss" in name.lower()


def split_dash(split: str) -> str:
    return SPLIT_DASHES.get(split, "2 3")


Curves = dict[tuple[str, str], list[tuple[int, float]]]


def trial_charts(curves: Curves) -> list[ChartView]:
    """Charts for one trial's detail page: losses together, answer quality together, the
    optimiser diagnostics one per metric (their scales differ by orders of magnitude)."""
    names = sorted({name for _, name in curves})
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}

    def group(title: str, wanted: list[str], y_label: str) -> ChartView:
        series = [
            Series(f"{name} ({split})", points, colors[name], split_dash(split))
            for (split, name), points in sorted(curves.items())
            if name in wanted
        ]
        return line_chart(title, series, y_label=y_label)

    losses = [n for n in names if is_loss(n)]
    diagnostics = [n for n in names if n in TRAINING_DIAGNOSTICS]
    quality = [n for n in names if n not in losses and n not in diagnostics]
    charts = []
    if losses:
        charts.append(group("Loss (train and validation)", losses, "loss"))
    if quality:
        charts.append(group("Answer quality per evaluation", quality, "score"))
    charts.extend(group(name.replace("_", " ").capitalize(), [name], name) for name in diagnostics)
    return charts


#: The trial page's per-evaluation table: what every training evaluation measures on ``val``.
EVALUATION_COLUMNS = ("eval_loss", "key_fact_accuracy", "retrieval_recall", "token_f1")


def evaluation_table(
    curves: Curves, split: str = "val", names: Sequence[str] = EVALUATION_COLUMNS
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """One row per evaluation step (a step where any of ``names`` was recorded on ``split``):
    column headers and formatted values, an em dash where a metric is missing at that step
    (a trial trained before a metric existed, or an evaluation that skipped it)."""
    by_step: dict[int, dict[str, float]] = {}
    for name in names:
        for step, value in curves.get((split, name), []):
            by_step.setdefault(step, {})[name] = value
    rows = [
        (step, [format_number(values[name]) if name in values else "\u2014" for name in names])
        for step, values in sorted(by_step.items())
    ]
    return list(names), rows


def comparison_charts(per_trial: dict[int, tuple[str, Curves]], metrics: Sequence[str]) -> list[ChartView]:
    """One chart per metric with every selected trial overlaid (colour = trial, dash = split)."""
    colors = {trial_id: PALETTE[i % len(PALETTE)] for i, trial_id in enumerate(per_trial)}
    charts = []
    for metric in metrics:
        series = [
            Series(f"#{trial_id} {name} ({split})", points, colors[trial_id], split_dash(split))
            for trial_id, (name, curves) in per_trial.items()
            for (split, metric_name), points in sorted(curves.items())
            if metric_name == metric
        ]
        charts.append(line_chart(metric, series, y_label=metric))
    return charts
