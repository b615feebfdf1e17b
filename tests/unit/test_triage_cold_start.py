"""Triage costs IntakeFunction's cold start almost nothing: what only a message needs is loaded by the first
message, not at import.

IntakeFunction's cold start must stay within 1.3x a bare Python Lambda's (issue 13, issue 17), and triage is
part of it. The rules' index (what every pattern becomes) and the model (a weight per feature) are read and
built the first time a message with words is assessed; a cold start that answers a health check, a refused
request or a duplicate never pays for them. The intake handler is imported in a fresh interpreter with its
function's template environment, as ``infra/bench/cold_start.py`` measures it, and the memory still held by
triage's import is read with tracemalloc (deterministic, unlike CPU time on a shared machine).
``python -m infra.triage_report --import-cost`` prints the same figures with the import's CPU time.
"""

from __future__ import annotations

from infra.triage_report import measure_import

# What importing triage may still hold once done: the verdict's class and a few functions, not the readers'
# code (~0.2 MiB), the rules' index (~0.9 MiB once built) nor the model (several MiB once read).
IMPORT_BUDGET_KIB = 100


def test_intake_cold_start_does_not_load_what_only_a_message_needs() -> None:
    found = measure_import(memory=True)

    assert found["import_kib"] <= IMPORT_BUDGET_KIB, (
        f"importing triage holds {found['import_kib']:.0f} KiB: the rules' index or the model was loaded at import")
    # The rules, the model and the code that reads them are imported by the first message.
    assert found["modules_at_import"] == ["inquiries.triage"]
    # The first message loads them, and is triaged as ever.
    assert found["first_message_kib"] > 4 * IMPORT_BUDGET_KIB
    assert found["level"] == "urgent"
