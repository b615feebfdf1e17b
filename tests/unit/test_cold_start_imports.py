"""Only intake loads pydantic's core at cold start, and no handler loads pydantic itself.

Importing pydantic and one model costs a cold start about 60 ms of CPU, a quarter of a bare Python
Lambda's init (issue 13). Each handler is imported in a fresh interpreter with its function's template
environment, as ``infra/bench/cold_start.py`` measures it; when pydantic is imported anyway, the
failure names the project modules that were importing it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from infra.bench.cold_start import REPO, function_environment
from infra.template import TemplateResources

RESOURCES = TemplateResources()

# Records, in the fresh interpreter, which project modules were being imported when pydantic was first asked
# for, then imports the handler and prints what it found.
_WATCH_AND_IMPORT = """
import importlib, json, sys, traceback

class Watch:
    importers = None
    def find_spec(self, name, path=None, target=None):
        if Watch.importers is None and name.split(".")[0] in ("pydantic", "pydantic_core"):
            Watch.importers = [f"{f.filename.split('/functions/')[-1]}:{f.lineno}"
                               for f in traceback.extract_stack() if "/functions/inquiries/" in f.filename]
        return None

sys.meta_path.insert(0, Watch())
importlib.import_module(sys.argv[1])
print(json.dumps({"loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core")),
                  "importers": Watch.importers}))
"""


def _handler_module(logical_id: str) -> str:
    return str(RESOURCES.function_property(logical_id, "Handler")).rsplit(".", 1)[0]


def _cold_import(logical_id: str) -> dict[str, list[str]]:
    result = subprocess.run([sys.executable, "-c", _WATCH_AND_IMPORT, _handler_module(logical_id)],
                            env=function_environment(RESOURCES, logical_id), cwd=REPO, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    found: dict[str, list[str]] = json.loads(result.stdout.splitlines()[-1])
    return found


WITHOUT_PYDANTIC = [logical_id for logical_id in RESOURCES.logical_ids("AWS::Serverless::Function")
                    if logical_id != "IntakeFunction"]


def test_every_function_but_intake_is_checked() -> None:
    assert {"CareApiFunction", "RedispatchFunction", "SendConfirmationFunction", "NotifyCareTeamFunction",
            "RemindCareTeamFunction"} <= set(WITHOUT_PYDANTIC)


@pytest.mark.parametrize("logical_id", WITHOUT_PYDANTIC)
def test_the_handler_starts_without_pydantic(logical_id: str) -> None:
    found = _cold_import(logical_id)

    assert found["loaded"] == [], f"{_handler_module(logical_id)} loads pydantic through {found['importers']}"


def test_intake_validates_with_pydantic_core_alone_and_the_check_sees_it() -> None:
    found = _cold_import("IntakeFunction")

    assert "pydantic_core" in found["loaded"]
    assert [m for m in found["loaded"] if m.split(".")[0] == "pydantic"] == []
    assert any(place.startswith("inquiries/") for place in found["importers"])


# Whether the collector ran during the handler's import, and its state once the import is over.
_COLLECTIONS_DURING_IMPORT = """
import gc, importlib, json, sys
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else None)
importlib.import_module(sys.argv[1])
print(json.dumps({"collections": len(runs), "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize("logical_id", sorted(RESOURCES.logical_ids("AWS::Serverless::Function")))
def test_the_cold_start_runs_without_collections_and_leaves_collection_on_for_the_requests(logical_id: str) -> None:
    result = subprocess.run([sys.executable, "-c", _COLLECTIONS_DURING_IMPORT, _handler_module(logical_id)],
                            env=function_environment(RESOURCES, logical_id), cwd=REPO, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    state = json.loads(result.stdout.splitlines()[-1])

    assert state["collections"] == 0, "the collector walked the import's objects"
    assert state["enabled"], "collection must be back on before the first request (init_done() last)"
    assert state["frozen"] > 10_000, "what the cold start created is kept out of later collections"
