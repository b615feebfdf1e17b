"""Triage's statistical model, scored in pure Python: logistic regression weights exported as plain data.

``make train-triage`` (``python -m infra.triage_train``) fits the model offline with scikit-learn on the
training rounds of the corpus and writes ``model.json`` beside this module: per feature (see
``features.py``) its weight in each head. Heads:

- ``urgent``: danger now or soon, against everything else;
- ``risk``: urgent or priority (a risk told as history, a denial, bereavement), against none;
- one head per category: which kind of danger, read when no rule named one.

Each binary head carries the thresholds training chose for it, one per language. The file also names
the rules that decide alone: those whose matches were urgent in at least 98% of the training phrasings
they matched (explicit, present danger); every other rule's findings are only the model's features. The file is read the
first time a message with words is scored, not at import: a cold start that answers a health check or
a refused request never pays for it. No ML library, no network, nothing downloaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from importlib import resources
from typing import Any

from tests.triage_reference.features import SCALED_PREFIXES

MODEL_FILE = "model.json"
MODEL_FORMAT = 3
BINARY_HEADS = ("urgent", "risk")


class LinearModel:
    """Per binary head a bias, a weight per feature and a threshold per language; the category heads' names,
    biases and weights."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Read the exported model (``MODEL_FORMAT``); raises ``ValueError`` for another format."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"{MODEL_FILE} is not format {MODEL_FORMAT}: retrain with `make train-triage`")
        self.version: str = str(data.get("version", ""))
        # Which kinds of feature it reads (``features.ALL_PARTS``), and the rules whose match is urgent alone.
        self.parts: tuple[str, ...] = tuple(data["parts"])
        self.deciding_rules: frozenset[str] = frozenset(data["deciding_rules"])
        # Whether a danger match is also weighed without the sentences that tell a history (``Reader``).
        self.history_apart: bool = bool(data.get("history_apart", False))
        self.bias: dict[str, float] = dict(data["bias"])
        self.thresholds: dict[str, float] = dict(data["thresholds"])
        self.weights: dict[str, dict[str, float]] = {head: data[head] for head in BINARY_HEADS}
        self.categories: list[str] = list(data["categories"])
        self.category_bias: list[float] = list(data["category_bias"])
        self.category_weights: dict[str, list[float]] = data["category_weights"]

    def threshold(self, head: str, language: str) -> float:
        """The score at which ``head`` (``urgent`` or ``risk``) fires for a message in ``language``."""
        return self.thresholds[f"{head}:{language}"]

    def probability(self, head: str, features: Collection[str], scale: float = 1.0,
                    scaled: Collection[str] | None = None) -> float:
        """The binary head's probability for a message's features (features it never saw weigh nothing); the
        word and pair features weigh ``scale`` (``features.word_scale``), the others 1. ``scaled``: those word
        and pair features, when the caller has them already (``features.scaled``)."""
        weights = self.weights[head]
        total = self.bias[head] + sum(filter(None, map(weights.get, features)))
        if scale != 1.0:
            if scaled is None:
                scaled = [feature for feature in features if feature.startswith(SCALED_PREFIXES)]
            total += (scale - 1.0) * sum(filter(None, map(weights.get, scaled)))
        return _sigmoid(total)

    def category(self, features: Collection[str], scale: float = 1.0) -> str | None:
        """The likeliest kind of danger for a message's features (None for a model without categories)."""
        if not self.categories:
            return None
        sums = list(self.category_bias)
        for feature in features:
            row = self.category_weights.get(feature)
            if row is not None:
                if scale != 1.0 and feature.startswith(SCALED_PREFIXES):
                    row = [weight * scale for weight in row]
                for i, weight in enumerate(row):
                    sums[i] += weight
        return self.categories[max(range(len(sums)), key=sums.__getitem__)]


def _sigmoid(x: float) -> float:
    if x < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


_SHIPPED: list[LinearModel] = []


def shipped_model() -> LinearModel:
    """The model shipped in the package, read on first use and kept for the life of the process."""
    if not _SHIPPED:
        text = resources.files("inquiries.triage").joinpath(MODEL_FILE).read_text("utf-8")
        _SHIPPED.append(LinearModel(json.loads(text)))
    return _SHIPPED[0]
