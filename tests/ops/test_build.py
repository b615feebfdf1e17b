"""The artifacts `sam build` makes (``make sam-build``, part of ``make validate``) import and are whole.

Each function's handler, as named in template.yaml, is imported from its built artifact in a clean
interpreter (``-I -S``: no site-packages, no PYTHON* variables) whose path holds only what Lambda's
python3.12 runtime would: the artifact (/var/task), the template's layer (/opt/python) and boto3
(/var/runtime). The arm64 layer cannot be loaded by an x86_64 or CPython 3.11 host, so the import
uses the same layer built for the host from the same requirements (``make host-layer``), and a
separate test checks that the arm64 layer holds the same distributions, compiled for aarch64 cp312.
"""

from __future__ import annotations

import _imp
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra.template import ROOT, TemplateResources

BUILD = ROOT / ".aws-sam" / "build"
HOST_LAYER = ROOT / "build" / "host-layer" / "python"
OPS_MK = ROOT / "mk" / "ops.mk"
ELF_MACHINE_AARCH64 = 183

RESOURCES = TemplateResources()
FUNCTIONS = RESOURCES.logical_ids("AWS::Serverless::Function")
LAYERS = RESOURCES.logical_ids("AWS::Serverless::LayerVersion")


def lambda_runtime_dir() -> Path:
    """Where mk/ops.mk installs the boto3 the Lambda runtime provides."""
    version = re.search(r"^LAMBDA_BOTO3_VERSION := (\S+)$", OPS_MK.read_text(), re.MULTILINE)
    assert version, "mk/ops.mk pins LAMBDA_BOTO3_VERSION"
    return ROOT / ".tools" / f"lambda-runtime-boto3-{version.group(1)}"


def require(path: Path) -> None:
    """Missing build output fails in CI (make test builds it first) and skips elsewhere."""
    if path.exists():
        return
    message = f"{path.relative_to(ROOT)} is missing: run `make sam-build host-layer` (or `make validate`)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def distributions(site: Path) -> set[str]:
    return {p.name.lower().replace("_", "-") for p in site.glob("*.dist-info")}


def function_layers(logical_id: str) -> list[str]:
    layers = RESOURCES.function_property(logical_id, "Layers") or []
    return [layer["Ref"] for layer in layers]


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_function_artifact_is_the_current_package_and_pure_python(logical_id: str) -> None:
    artifact = BUILD / logical_id
    require(artifact)
    assert tree_digest(artifact / "inquiries") == tree_digest(ROOT / "functions" / "inquiries"), (
        "the built artifact differs from functions/inquiries: rebuild with `make sam-build`"
    )
    assert not list(artifact.rglob("*.so")), "compiled code belongs in the layer, built for arm64"


@pytest.mark.parametrize("logical_id", LAYERS)
def test_layer_is_built_for_arm64_python312_and_matches_the_host_copy(logical_id: str) -> None:
    site = BUILD / logical_id / "python"
    require(site)
    require(HOST_LAYER)
    assert RESOURCES.properties(logical_id)["CompatibleArchitectures"] == ["arm64"]
    extensions = list(site.rglob("*.so"))
    assert any(p.name.startswith("_pydantic_core.") for p in extensions)
    for ext in extensions:
        assert "cpython-312-aarch64-linux-gnu" in ext.name or ".abi3." in ext.name, ext.name
        header = ext.read_bytes()[:20]
        assert header[:4] == b"\x7fELF"
        assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64, ext.name
    assert distributions(site) == distributions(HOST_LAYER)
    assert distributions(site), "the layer holds the requirements"


_PROBE = """
import importlib, json, sys
artifact, layer, runtime, module_name, attr = sys.argv[1:6]
sys.path[:0] = [artifact, layer, runtime]
module = importlib.import_module(module_name)
handler = getattr(module, attr)
origins = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())})
print(json.dumps({"callable": callable(handler), "module_file": module.__file__, "files": origins}))
"""


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_handler_imports_from_its_artifact_in_a_clean_interpreter(logical_id: str) -> None:
    artifact = BUILD / logical_id
    runtime = lambda_runtime_dir()
    for path in (artifact, HOST_LAYER, runtime):
        require(path)
    assert function_layers(logical_id) == LAYERS, "every function uses the dependency layer"
    module_name, attr = str(RESOURCES.function_property(logical_id, "Handler")).rsplit(".", 1)
    env = {
        **RESOURCES.function_environment(logical_id),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # Nothing listens here: an import that calls AWS fails instead of reaching a real account.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _PROBE, str(artifact), str(HOST_LAYER), str(runtime), module_name, attr],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["callable"]
    assert Path(probe["module_file"]).is_relative_to(artifact)
    stdlib = Path(sys.base_prefix)
    allowed = (artifact, HOST_LAYER, runtime, stdlib)
    strays = [f for f in probe["files"] if f and not any(Path(f).is_relative_to(a) for a in allowed)]
    assert strays == [], "modules loaded from outside the artifact, layer and runtime"


# importlib.util.MAGIC_NUMBER of each runtime's CPython: bytecode is specific to a minor version.
RUNTIME_MAGIC = {"python3.12": (3531).to_bytes(2, "little") + b"\r\n"}
UNCHECKED_HASH_FLAGS = 0b01  # PEP 552: hash-based, the source not checked at import


def stale_or_missing_bytecode(root: Path, runtime: str) -> list[str]:
    """The modules under ``root`` without bytecode of the current source for ``runtime``.

    Lambda cannot write ``__pycache__`` in /var/task or /opt: a module without its bytecode is compiled
    from source at every cold start.
    """
    magic = RUNTIME_MAGIC[runtime]
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    key = int.from_bytes(magic, "little")
    bad = []
    for source in sorted(root.rglob("*.py")):
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        header = compiled.read_bytes()[:16] if compiled.exists() else b""
        if (header[:4] != magic or int.from_bytes(header[4:8], "little") != UNCHECKED_HASH_FLAGS
                or header[8:16] != _imp.source_hash(key, source.read_bytes())):
            bad.append(str(source.relative_to(root)))
    return bad


@pytest.mark.parametrize("logical_id", FUNCTIONS + LAYERS)
def test_every_module_in_every_artifact_ships_bytecode_of_its_source_for_the_runtime(logical_id: str) -> None:
    artifact = BUILD / logical_id
    require(artifact)
    runtime = str(RESOURCES.function_property(FUNCTIONS[0], "Runtime"))
    assert stale_or_missing_bytecode(artifact, runtime) == []


def test_the_bytecode_check_finds_a_module_compiled_for_another_source(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text("ANSWER = 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    header = RUNTIME_MAGIC["python3.12"] + UNCHECKED_HASH_FLAGS.to_bytes(4, "little")
    key = int.from_bytes(RUNTIME_MAGIC["python3.12"], "little")
    (cache / "module.cpython-312.pyc").write_bytes(header + _imp.source_hash(key, b"ANSWER = 1\n"))
    assert stale_or_missing_bytecode(tmp_path, "python3.12") == []
    module.write_text("ANSWER = 2\n")
    assert stale_or_missing_bytecode(tmp_path, "python3.12") == ["module.py"]
    (cache / "module.cpython-312.pyc").unlink()
    assert stale_or_missing_bytecode(tmp_path, "python3.12") == ["module.py"]


_TRIAGE_PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2], sys.argv[3]]
from inquiries.triage import assess
from inquiries.triage.model import shipped_model
verdicts = {text: assess(text).level.value for text in sys.argv[4:]}
source = sys.modules["inquiries.triage"].__file__
print(json.dumps({"verdicts": verdicts, "model": shipped_model().version, "file": source}))
"""


def test_the_intake_artifact_triages_with_the_rules_and_model_it_ships() -> None:
    artifact = BUILD / "IntakeFunction"
    runtime = lambda_runtime_dir()
    for path in (artifact, HOST_LAYER, runtime):
        require(path)
    messages = {"I took the whole bottle of my xanax and I can't stay awake": "urgent",
                "quiero quitarme la vida esta noche": "urgent",
                "I attempted suicide in 2016 and have been stable since": "priority",
                "Do you take Aetna for the depression program?": "none"}
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _TRIAGE_PROBE, str(artifact), str(HOST_LAYER), str(runtime), *messages],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "RuntimeWarning" not in result.stderr, "the shipped rule index must be current"
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["verdicts"] == messages
    assert Path(probe["file"]).is_relative_to(artifact)
    shipped = Path(__file__).resolve().parents[2] / "functions" / "inquiries" / "triage" / "model.json"
    assert probe["model"] == json.loads(shipped.read_text("utf-8"))["version"]


_SPANISH_PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2], sys.argv[3]]
from datetime import UTC, datetime
from inquiries import i18n
from inquiries.record import StoredInquiry
from inquiries.rendering import render_confirmation_email
from inquiries.settings import MessageSettings
inquiry = StoredInquiry.from_values({"inquiry_id": "01JD3V6W7X8Y9Z0ABCDEFGHJKM", "created_at": datetime.now(UTC),
    "status": "new", "name": "n", "email": "e@example.com", "preferred_contact": "email", "topic": "other",
    "consent_to_contact": True, "ttl": 1, "urgent": True, "language": "es"})
email = render_confirmation_email(inquiry, MessageSettings())
print(json.dumps({"subject": email.subject, "text": email.text, "catalog": str(i18n.LOCALE_DIR),
                  "babel": "babel" in sys.modules}))
"""


@pytest.mark.parametrize("logical_id", ["SendConfirmationFunction", "IntakeFunction"])
def test_the_artifact_ships_the_compiled_spanish_catalog_and_renders_from_it_without_babel(logical_id: str) -> None:
    artifact = BUILD / logical_id
    runtime = lambda_runtime_dir()
    for path in (artifact, HOST_LAYER, runtime):
        require(path)
    shipped = artifact / "inquiries" / "i18n" / "locale" / "es" / "LC_MESSAGES" / "messages.mo"
    assert shipped.is_file(), "the compiled catalog is in the artifact"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _SPANISH_PROBE, str(artifact), str(HOST_LAYER), str(runtime)],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["subject"] == "Recibimos su consulta"
    assert "oprima el 2" in probe["text"] and "Hola:" in probe["text"]
    assert Path(probe["catalog"]).is_relative_to(artifact)
    assert probe["babel"] is False, "Babel is a build tool; the runtime reads the catalog with gettext"
