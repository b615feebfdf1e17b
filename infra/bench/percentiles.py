"""Medians and percentiles of timing samples (nearest rank: a reported p99 is a time that was measured)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def median(samples: Sequence[float]) -> float:
    """The median; 0.0 for no samples."""
    return statistics.median(samples) if samples else 0.0


def percentile(samples: Sequence[float], pct: float) -> float:
    """The nearest-rank ``pct`` percentile (0 < pct <= 100); 0.0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ratio(value: float, baseline: float) -> float:
    """``value / baseline``, rounded to two places (0.0 when there is no baseline)."""
    return round(value / baseline, 2) if baseline else 0.0
