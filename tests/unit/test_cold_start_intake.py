"""IntakeFunction's cold start loads what every request needs and nothing that only some requests need.

Issue 17 (item 7) holds IntakeFunction's init to 1.3x a bare Python Lambda's. What only some requests use is
loaded by the request that uses it: the HTML pages (a plain form post's error page and urgent thank-you page:
Jinja and the templates), the Turnstile check (only when a secret is configured; then every submission needs
it, so it is loaded at init), the gettext machinery that reads a compiled catalog (English, the source language,
needs none) and the pydantic descriptions of the answers (the error body and the 202 body are
built by our code, never validated: pydantic describes them for ``make openapi`` only). What every submission
needs stays in init: the validator, the address check, the clinic's time zone. pydantic itself is never loaded:
submissions are validated by pydantic's core (``inquiries.models_core``), neither at init nor by the first
requests (a lazy import there would only move its ~45 ms into the person's first request).

Each check imports the handler in a fresh interpreter with the function's template environment, as
``infra/bench/cold_start.py`` measures it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from inquiries.data.items import InquiryItem
from inquiries.i18n import translations
from inquiries.intake.service import Submission, accepted_answer
from inquiries.models import AcceptedInquiry, InquiryIn
from inquiries.peppers import Peppers
from inquiries.record import Language
from inquiries.settings import ResponseTimeSettings
from inquiries.triage import NOT_URGENT
from pydantic import TypeAdapter

from infra.bench import cold_start
from infra.bench.cold_start import CLIENTS, REPO, function_environment
from infra.template import TemplateResources
from tests.support import phi
from tests.support.events import api_event

RESOURCES = TemplateResources()

# Imports the intake handler, then reports which of the watched modules are loaded.
_IMPORT_AND_REPORT = """
import importlib, json, sys
importlib.import_module("inquiries.handlers.intake")
print(json.dumps({"loaded": sorted(m for m in json.loads(sys.argv[1]) if m in sys.modules)}))
"""

# Imports the intake handler, answers the requests given as JSON events (its service on the in-memory fakes, as
# ``infra/bench/warm.py`` runs it), then reports the statuses and whether pydantic is loaded. The events are made by
# the test: ``tests.support.events`` loads pydantic itself (``tests.support.phi``).
_FIRST_REQUESTS = """
import json, sys
from inquiries.handlers import intake
from inquiries.intake.rate_limit import RateLimiter
from inquiries.intake.service import IntakeService
from inquiries.peppers import Peppers
from tests.support.fakes import InMemoryCounters, InMemoryInquiries, InMemoryPersistence, RecordingDispatcher
from tests.support.lambda_context import FakeLambdaContext

at_init = sorted(m for m in sys.modules if m.split(".")[0] == "pydantic")
peppers = Peppers(current=b"a test pepper, at least 16 bytes")
intake.app.__dict__["intake"] = IntakeService(
    intake.settings, inquiries=InMemoryInquiries(), dispatcher=RecordingDispatcher(),
    limiter=RateLimiter(InMemoryCounters(), per_client_per_hour=20, peppers=peppers),
    persistence=InMemoryPersistence(), peppers=peppers, count_triage=lambda _triage: None)
statuses = [intake.handler(event, FakeLambdaContext("IntakeFunction"))["statusCode"]
            for event in json.loads(sys.argv[1])]
print(json.dumps({"statuses": statuses, "at_init": at_init,
                  "after": sorted(m for m in sys.modules if m.split(".")[0] == "pydantic")}))
"""

# Loaded only by the requests that use them.
ONLY_SOME_REQUESTS = ("inquiries.rendering", "inquiries.intake.error_page", "inquiries.intake.turnstile", "jinja2",
                      "gettext")
# No request needs these: submissions are validated by pydantic's core alone (``inquiries.models_core``).
NO_REQUEST = ("pydantic", "inquiries.models")
# Every submission needs these: they must stay in init (moving them into the first request would only hide them).
EVERY_SUBMISSION = ("email_validator", "zoneinfo", "pydantic_core", "inquiries.models_core", "inquiries.intake.service",
                    "aws_lambda_powertools.utilities.idempotency")


def _cold_import(env_overrides: dict[str, str] | None = None) -> dict[str, list[str]]:
    env = function_environment(RESOURCES, "IntakeFunction") | (env_overrides or {})
    watched = json.dumps(ONLY_SOME_REQUESTS + EVERY_SUBMISSION + NO_REQUEST)
    result = subprocess.run([sys.executable, "-c", _IMPORT_AND_REPORT, watched], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    found: dict[str, list[str]] = json.loads(result.stdout.splitlines()[-1])
    return found


def test_intake_init_loads_what_every_submission_needs_and_not_what_only_some_requests_need() -> None:
    found = _cold_import()

    assert [m for m in found["loaded"] if m in ONLY_SOME_REQUESTS] == []
    assert [m for m in found["loaded"] if m in EVERY_SUBMISSION] == sorted(EVERY_SUBMISSION)


def test_intake_init_does_not_load_pydantic() -> None:
    found = _cold_import()

    assert [m for m in found["loaded"] if m in NO_REQUEST] == []


def test_intake_answers_its_first_requests_without_loading_pydantic() -> None:
    env = function_environment(RESOURCES, "IntakeFunction") | {"PYTHONPATH": f"{REPO / 'functions'}:{REPO}"}
    json_headers = {"content-type": "application/json", "origin": "https://www.example.org"}
    form_headers = {"content-type": "application/x-www-form-urlencoded", "origin": "https://www.example.org",
                    "accept": "text/html"}
    events = [api_event(body=json.dumps({"name": "Robin", "email": "robin@example.com", "consent_to_contact": True}),
                        headers=json_headers),
              api_event(body=json.dumps({"name": "", "email": "not an address"}), headers=json_headers),
              api_event(body="name=Sam&email=sam%40example.com&consent_to_contact=on", headers=form_headers)]
    result = subprocess.run([sys.executable, "-c", _FIRST_REQUESTS, json.dumps(events)], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.splitlines()[-1])

    assert found["statuses"] == [202, 422, 303]
    assert found["at_init"] == [] and found["after"] == []


def test_with_turnstile_on_every_submission_is_checked_so_the_check_loads_at_init() -> None:
    # Only the check's module is imported: the secret is read on first use (no AWS call at init).
    found = _cold_import({"TURNSTILE_SECRET": "TurnstileSecret"})

    assert "inquiries.intake.turnstile" in found["loaded"]


def test_the_bench_measures_every_function_in_the_template() -> None:
    assert set(CLIENTS) == set(RESOURCES.logical_ids("AWS::Serverless::Function"))


def test_one_function_is_measured_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cold_start.main(["--function", "RedispatchFunction", "--runs", "1", "--breakdown"]) == 0

    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| RedispatchFunction |")]
    assert len(rows) == 1 and rows[0].endswith("| 1 |")
    assert "load average before" in out
    assert "RedispatchFunction's import beyond IntakeFunction's libraries" in out and "dataclasses" in out


# ---- the 202 answer, a plain dataclass now: the same body and the same replay as the pydantic model gave -------
@pytest.mark.parametrize(("urgent", "language"), [(False, "en"), (True, "en"), (True, "es")])
def test_the_202_body_is_what_pydantic_wrote_for_it(urgent: bool, language: str) -> None:
    accepted = accepted_answer("01JABCDEFGHJKMNPQRSTVWXYZ0", urgent=urgent, language=Language(language))
    # What ``BaseModel.model_dump_json(exclude_none=True)`` wrote for the same fields.
    expected = TypeAdapter(type(accepted)).dump_json(accepted, exclude_none=True).decode()

    assert accepted.to_json() == expected
    assert ("crisis_resources" in json.loads(accepted.to_json())) is urgent


def test_a_replayed_answer_is_the_answer_that_was_kept() -> None:
    accepted = accepted_answer("01JABCDEFGHJKMNPQRSTVWXYZ0", urgent=True)
    # Kept in the idempotency table as JSON, read back on a replay.
    kept = json.loads(json.dumps(accepted.to_dict()))

    assert AcceptedInquiry.from_dict(kept) == accepted


# ---- English, read without gettext: the same answers gettext's NullTranslations gives ----------------------------
@pytest.mark.parametrize("n", [0, 1, 2])
def test_english_reads_its_messages_as_gettext_would_without_a_catalog(n: int) -> None:
    import gettext

    english, null = translations(Language.EN), gettext.NullTranslations()

    assert english.gettext("Your name") == null.gettext("Your name")
    assert english.ngettext("one inquiry", "%(n)s inquiries", n) == null.ngettext("one inquiry", "%(n)s inquiries", n)
    assert english.pgettext("form", "Name") == null.pgettext("form", "Name")
    assert english.npgettext("form", "a", "b", n) == null.npgettext("form", "a", "b", n)


# ---- what intake builds for every submission holds PHI: it is never printed, and no method is made to print it ----
def test_intake_item_and_submission_never_show_a_submitted_value_when_printed() -> None:
    phi.start_test()
    inquiry = InquiryIn.model_validate(phi.distinctive_inquiry())
    item = InquiryItem.for_submission(inquiry, inquiry_id="01JABCDEFGHJKMNPQRSTVWXYZ0", now=1_700_000_000.0,
                                      triage=NOT_URGENT, spam=False, retention_days=365,
                                      targets=ResponseTimeSettings(), peppers=Peppers(current=b"p" * 32))
    submission = Submission(inquiry=inquiry, client_ip="192.0.2.7")

    for shown in (repr(item), str(item), repr(submission), str(submission)):
        assert phi.submitted_by_this_test().leaks(shown) == []
