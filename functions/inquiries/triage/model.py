"""Triage's statistical model, scored in pure Python: logistic regression weights exported as plain data.

``make train-triage`` (``python -m infra.triage_train``) fits the model offline with scikit-learn on the
training rounds of the corpus and writes ``model.json`` beside this module: per feature (see
``features.py``) its weight in each head. Heads:

- ``urgent``: danger now or soon, against everything else;
- ``risk``: urgent or priority (a risk told as history, a denial, bereavement), against none;
- one head per category: which kind of danger, read when no rule named one.

Each binary head carries the thresholds training chose for it, one per language. The file is read the first time a message
with words is scored, not at import: a cold start that answers a health check or a refused request
never pays for it. No ML library, no network, nothing downloaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

MODEL_FILE = "model.json"
MODEL_FORMAT = 1
BINARY_HEADS = ("urgent", "risk")


@dataclass(frozen=True)
class Scores:
    """One message's scores: the probability of each binary head, and the likeliest category."""

    urgent: float
    risk: float
    category: str | None


class LinearModel:
    """Weights per feature and head, a bias and a threshold per binary head, the category heads' names."""

    def __init__(self, data: dict[str, Any]) -> None:
        """Read the exported model (``MODEL_FORMAT``); raises ``ValueError`` for another format."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"{MODEL_FILE} is not format {MODEL_FORMAT}: retrain with `make train-triage`")
        self.heads: list[str] = list(data["heads"])
        self.bias: list[float] = list(data["bias"])
        self.thresholds: dict[str, float] = dict(data["thresholds"])
        self.weights: dict[str, list[float]] = data["weights"]
        self.version: str = str(data.get("version", ""))
        # Which kinds of feature it reads (``features.ALL_PARTS``), and whether a rule's danger match is urgent
        # whatever the model says.
        self.parts: tuple[str, ...] = tuple(data["parts"])
        self.rules_decide: bool = bool(data["rules_decide"])
        self._categories = [i for i, head in enumerate(self.heads) if head.startswith("category:")]

    def threshold(self, head: str, language: str) -> float:
        """The score at which ``head`` (``urgent`` or ``risk``) fires for a message in ``language``."""
        return self.thresholds[f"{head}:{language}"]

    def score(self, features: Iterable[str]) -> Scores:
        """The heads' scores for a message's features (features the model never saw weigh nothing)."""
        sums = list(self.bias)
        weights = self.weights
        for feature in features:
            row = weights.get(feature)
            if row is not None:
                for i, weight in enumerate(row):
                    sums[i] += weight
        urgent, risk = (_sigmoid(sums[self.heads.index(h)]) for h in BINARY_HEADS)
        category = None
        if self._categories:
            best = max(self._categories, key=lambda i: sums[i])
            category = self.heads[best].removeprefix("category:")
        return Scores(urgent=urgent, risk=risk, category=category)


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
