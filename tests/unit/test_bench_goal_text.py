"""The benchmark report states each goal from the constant the goal is evaluated with."""

from __future__ import annotations

import json
from typing import Any

from infra.bench import end_to_end
from infra.bench.end_to_end import THROUGHPUT_GOAL
from infra.bench.report import markdown
from infra.template import ROOT


def _committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "docs" / "benchmarks.json").read_text(encoding="utf-8"))
    return data


def test_the_end_to_end_text_states_the_goal_it_is_judged_by() -> None:
    text = markdown(_committed())
    section = text.split("## End to end on the local stack", 1)[1].split("\n## ", 1)[0]
    assert f"at least {THROUGHPUT_GOAL}x the floor" in section
    assert "0.7x" not in section


def test_the_throughput_ratio_documents_the_same_goal() -> None:
    doc = end_to_end.EndToEnd.throughput_ratio.__doc__ or ""
    assert f"at least {THROUGHPUT_GOAL}" in doc
