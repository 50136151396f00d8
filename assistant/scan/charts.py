"""Radar charts: one profile (:func:`radar_png`), before and after a re-scan, or a whole region.

matplotlib is imported inside the functions that draw (Agg canvas, no pyplot, no global state).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from assistant.scan.config import ScanConfig
from assistant.scan.network import ScanResult
from assistant.scan.profile import Profile

PALETTE = ("#1f6f9f", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#7f8c8d", "#b8860b", "#16a085")


@dataclass(frozen=True)
class Series:
    """One line of a radar chart: a score per dimension, in the dimension order of the scan."""

    label: str
    scores: tuple[float, ...]
    color: str
    width: float = 2.0
    fill: bool = False
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded range per dimension (the lowest to the highest municipality)."""

    label: str
    low: tuple[float, ...]
    high: tuple[float, ...]
    color: str = "#1f6f9f"


def profile_series(profile: Profile, label: str, color: str, **style) -> Series:
    """A profile's dimension scores as a series."""
    return Series(label, tuple(d.score for d in profile.dimensions), color, **style)


def comparison_radar(config: ScanConfig, before: Profile, after: Profile, labels: tuple[str, str], title: str) -> bytes:
    """Both profiles of a re-scan in one radar: the earlier one dashed, the new one filled."""
    series = [
        profile_series(before, labels[0], "#7f8c8d", dashed=True, width=1.6),
        profile_series(after, labels[1], PALETTE[0], fill=True),
    ]
    return radar_chart(config, series, title)


def radar_chart(config: ScanConfig, series: list[Series], title: str, band: Band | None = None) -> bytes:
    """A PNG radar of several series (and an optional band) on the 1-4 scale with stage rings."""
    from matplotlib.figure import Figure

    dims = config.dimensions
    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    closed = angles + angles[:1]
    fig = Figure(figsize=(7.2, 6.6), dpi=150)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    if band is not None:
        ax.fill_between(closed, [*band.low, band.low[0]], [*band.high, band.high[0]],
                        color=band.color, alpha=0.13, label=band.label, linewidth=0)
    for s in series:
        values = [*s.scores, s.scores[0]]
        ax.plot(closed, values, color=s.color, linewidth=s.width, linestyle="--" if s.dashed else "-", label=s.label)
        if s.fill:
            ax.fill(closed, values, color=s.color, alpha=0.22)
    ax.set_xticks(angles, [d.short for d in dims], fontsize=10)
    ax.set_ylim(0, 4)
    ax.set_yticks([s.threshold for s in config.stages[1:]] + [4],
                  [s.name for s in config.stages[1:]] + [""], fontsize=7, color="#666666")
    ax.set_title(title, fontsize=12, pad=18)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.05), fontsize=8, frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def radar_png(result: ScanResult) -> bytes:
    """A radar chart (PNG) of the dimension scores, with the stage thresholds as rings."""
    from matplotlib.figure import (
        Figure,  # Agg canvas, no pyplot and no global backend switch
    )

    dims = result.profile.dimensions
    angles = [2 * math.pi * i / len(dims) for i in range(len(dims))]
    scores = [d.score for d in dims]
    fig = Figure(figsize=(6.4, 6.4), dpi=150)
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.plot(angles + angles[:1], scores + scores[:1], color="#1f6f9f", linewidth=2)
    ax.fill(angles + angles[:1], scores + scores[:1], color="#1f6f9f", alpha=0.25)
    ax.set_xticks(angles, [d.short for d in dims], fontsize=10)
    ax.set_ylim(0, 4)
    ax.set_yticks([s.threshold for s in result.config.stages[1:]] + [4],
                  [s.name for s in result.config.stages[1:]] + [""], fontsize=7, color="#666666")
    ax.set_title(f"Netwerkscan – {result.municipality}", fontsize=12, pad=18)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()
