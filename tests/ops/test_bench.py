"""`make bench` keeps working: the quick run writes both reports with every section well formed.

Only the shape is checked, never a time or a ratio (no timed assertions): the figures belong to the
machine that ran them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.bench.cold_start import LIBRARY_FLOORS
from infra.bench.report import SECTIONS
from infra.template import ROOT, TemplateResources

# The quick run measures every function's cold start and starts the local stack (and its handler workers)
# several times: two to three minutes on the shared two-core machine, past the suite's default timeout. Its
# own limit (the subprocess's 540 s) is the one that matters; this one only has to be longer.
pytestmark = pytest.mark.timeout(600)

# The inquiry's path: cold start, memory and cost per inquiry.
FUNCTIONS = {"IntakeFunction", "RedispatchFunction", "SendConfirmationFunction", "NotifyCareTeamFunction"}
# The care team's console and reminders: cold start only.
CARE_FUNCTIONS = {"CareApiFunction", "RemindCareTeamFunction"}
# Cold start: every function in template.yaml (issue 17 asks each to be measured against the goal).
EVERY_FUNCTION = set(TemplateResources().logical_ids("AWS::Serverless::Function"))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    subprocess.run([sys.executable, "-m", "infra.bench", "--quick", "--output-dir", str(out)], cwd=ROOT,
                   check=True, timeout=540, capture_output=True)
    data: dict[str, Any] = json.loads((out / "benchmarks.json").read_text())
    return data, (out / "benchmarks.md").read_text()


def test_the_json_has_every_section(quick_run: tuple[dict[str, Any], str]) -> None:
    data, _ = quick_run
    assert data["mode"] == "quick"
    assert set(SECTIONS) <= set(data)


def test_every_function_has_a_cold_start_beside_its_baseline(quick_run: tuple[dict[str, Any], str]) -> None:
    data, _ = quick_run
    rows = {row["function"]: row for row in data["cold_start"]}
    assert set(rows) == EVERY_FUNCTION
    assert FUNCTIONS | CARE_FUNCTIONS <= EVERY_FUNCTION
    for row in rows.values():
        assert row["cpu_s"] > 0 and row["baseline_cpu_s"] > 0
        assert row["rss_mib"] > 0 and row["baseline_rss_mib"] > 0
        assert row["cpu_ratio"] == round(row["cpu_s"] / row["baseline_cpu_s"], 2)


def test_each_library_floor_is_measured_beside_its_baseline(quick_run: tuple[dict[str, Any], str]) -> None:
    data, markdown = quick_run
    rows = {row["function"]: row for row in data["library_floors"]}
    assert set(rows) == set(LIBRARY_FLOORS)
    for name, row in rows.items():
        assert row["cpu_s"] > 0 and row["baseline_cpu_s"] > 0
        assert f"| {name} | {row['cpu_s']:.3f} |" in markdown


def test_intake_init_is_measured_from_source_and_with_bytecode(quick_run: tuple[dict[str, Any], str]) -> None:
    data, markdown = quick_run
    compiled = data["bytecode"]
    if compiled is None:  # only where the host layer was never built; `make test` always builds it
        assert not os.environ.get("CI"), "make test builds the host layer before the tests"
        assert "`build/host-layer` is missing" in markdown
        return
    assert compiled["source_cpu_s"] > 0 and compiled["bytecode_cpu_s"] > 0 and compiled["baseline_cpu_s"] > 0
    assert f"| {compiled['source_cpu_s']:.3f} |" in markdown


def test_warm_and_end_to_end_figures_have_their_baselines(quick_run: tuple[dict[str, Any], str]) -> None:
    data, _ = quick_run
    warm, e2e = data["warm_intake"], data["end_to_end"]
    assert warm["intake_p50_ms"] > 0 and warm["hello_p50_ms"] > 0 and warm["log_bytes_per_request"] > 0
    assert warm["blocks"] == len(warm["block_p99_ratios"]) >= 2
    assert e2e["pipeline"]["inquiries"] == e2e["floor"]["inquiries"] > 0
    assert e2e["pipeline"]["per_second"] > 0 and e2e["floor"]["per_second"] > 0
    assert set(e2e["floor_step_ms"]) == {"IntakeFunction", "SendConfirmationFunction", "NotifyCareTeamFunction"}


def test_the_soak_reports_every_block_and_counts_every_send(quick_run: tuple[dict[str, Any], str]) -> None:
    data, markdown = quick_run
    soak = data["soak"]
    stored = [step["stored"] for step in soak["steps"]]
    assert stored == list(range(soak["block"], soak["inquiries"] + 1, soak["block"]))
    assert all(step["rss_mib"] > 0 and step["api_p95_ms"] >= step["api_p50_ms"] > 0 for step in soak["steps"])
    assert soak["lost"] == soak["duplicated"] == 0
    assert f"| {soak['steps'][-1]['stored']:,} |" in markdown


def test_the_profile_compares_moto_as_it_is_with_the_shims(quick_run: tuple[dict[str, Any], str]) -> None:
    data, markdown = quick_run
    assert set(data["profile"]) == {"as it is", "with the shims"}
    for variant in data["profile"].values():
        assert variant["blocks"] and all(row["rss_mib"] > 0 and row["grew"] for row in variant["blocks"])
        assert variant["profile"] is not None and variant["profile"]["own"]  # py-spy is a dev dependency
    assert "#### For moto's issue tracker" in markdown


def test_every_goal_is_evaluated(quick_run: tuple[dict[str, Any], str]) -> None:
    data, _ = quick_run
    goals = data["goals"]
    assert len(goals) == 2 * len(EVERY_FUNCTION) + 2 + 3  # + the soak's three
    assert all(isinstance(goal["met"], bool) for goal in goals)


def test_cost_lines_add_up_to_the_total_and_every_price_has_a_source(quick_run: tuple[dict[str, Any], str]) -> None:
    data, _ = quick_run
    cost = data["cost"]
    assert cost["total_usd"] == pytest.approx(sum(line["usd"] for line in cost["lines"]), abs=1e-3)
    assert cost["total_usd"] > 0
    assert all(p["source"].startswith("https://aws.amazon.com/") for p in cost["prices"])
    assert {row["function"] for row in data["memory"]} == FUNCTIONS


def test_the_tracer_evidence_was_captured(quick_run: tuple[dict[str, Any], str]) -> None:
    data, _ = quick_run
    assert data["tracer"]["error"] is None
    assert [doc["annotations"]["ColdStart"] for doc in data["tracer"]["subsegments"]] == [True, False]


def test_the_markdown_has_a_heading_per_section(quick_run: tuple[dict[str, Any], str]) -> None:
    _, text = quick_run
    for heading in ("## Goals", "## Cold start and peak RSS", "## Warm intake, in-process", "## End to end",
                    "## A busy day on the local stack", "### What made the local stack slow down",
                    "## Triage", "## Artifact size", "## Tracer", "## Memory settings", "## Cost per 10,000",
                    "## SnapStart"):
        assert heading in text


def test_the_committed_reports_are_a_full_run() -> None:
    data = json.loads((ROOT / "docs" / "benchmarks.json").read_text())
    assert data["mode"] == "full"
    assert all(row["runs"] >= 10 for row in data["cold_start"])
    assert (ROOT / "docs" / "benchmarks.md").read_text().startswith("# Benchmarks")


def test_the_template_deploys_the_memory_the_rule_picked() -> None:
    data = json.loads((ROOT / "docs" / "benchmarks.json").read_text())
    resources = TemplateResources()
    deployed = {row["function"]: resources.properties(row["function"]).get("MemorySize") for row in data["memory"]}
    assert deployed == {row["function"]: row["recommended_mb"] for row in data["memory"]}


@pytest.mark.parametrize("path", [Path("docs/benchmarks.md"), Path("docs/benchmarks.json")])
def test_the_reports_exist(path: Path) -> None:
    assert (ROOT / path).is_file()
