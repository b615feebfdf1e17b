"""Issue 22's end-to-end test on ``make run``'s stack with ``LOCAL_WEBHOOK=1``: an inquiry is submitted; the
example CRM receiver (started and registered by the stack) gets a validly signed ``inquiry.received`` with
nothing submitted in it, fetches the inquiry with its client credentials, makes valid FHIR R4 of it (validated
with ``fhir.resources``), and the admin's audit view shows the integration's read. The delivery, its headers
and the FHIR are kept in test-artifacts/ for the closing note."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from standardwebhooks.webhooks import Webhook

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.phi import distinctive_inquiry, submitted_by_this_test
from tests.support.tokens import sign_in
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e
ARTIFACTS = ROOT / "test-artifacts"
ADMIN = "admin@clinic.local"


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "e2e-crm-handoff.log", extra_env={"LOCAL_WEBHOOK": "1"}) as stack:
        yield stack


def post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def get_json(url: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def test_a_submitted_inquiry_reaches_the_crm_signed_is_fetched_as_the_integration_and_becomes_fhir(
        local_stack: LocalStackProcess) -> None:
    access = local_stack.integration()
    assert access["receiver_url"].startswith("http://127.0.0.1:") and access["webhook_secret"].startswith("whsec_")
    inquiry = distinctive_inquiry(topic="depression", preferred_contact="email")
    inquiry_id = post_json(local_stack.base_url + "/inquiries", inquiry)["inquiry_id"]

    def delivered() -> list[dict[str, Any]]:
        return [r["delivery"] for r in local_stack.receiver_record()
                if "delivery" in r and inquiry_id in r["delivery"]["body"]]

    def made_fhir() -> list[dict[str, Any]]:
        return [r["fhir"] for r in local_stack.receiver_record() if "fhir" in r and inquiry_id in json.dumps(r)]

    assert wait_for(lambda: bool(made_fhir()), 40), f"no FHIR made: {local_stack.receiver_record()}"
    record, bundle = delivered()[0], made_fhir()[0]

    # The receiver took a delivery the standardwebhooks package verifies, and the event names no one.
    assert record["status"] == 204
    event = Webhook(access["webhook_secret"]).verify(record["body"].encode(), record["headers"])
    assert (event["type"], event["data"]["inquiry_id"]) == ("inquiry.received", inquiry_id)
    assert record["headers"]["webhook-id"] == event["id"]
    assert submitted_by_this_test().leaks(record["body"]) == []

    # The FHIR it made from the fetched inquiry is valid R4 (R4B models) and carries what was submitted.
    Bundle.model_validate(bundle)
    patient = Patient.model_validate(bundle["entry"][0]["resource"]).model_dump(mode="json", exclude_none=True)
    request = ServiceRequest.model_validate(bundle["entry"][1]["resource"]).model_dump(mode="json",
                                                                                       exclude_none=True)
    assert patient["name"] == [{"text": inquiry["name"]}]
    assert {"system": "email", "value": inquiry["email"], "use": "home", "rank": 1} in patient["telecom"]
    assert request["identifier"][0]["value"] == inquiry_id
    assert request["subject"]["reference"] == f"Patient/{patient['id']}"

    # The admin's audit view shows the integration's read, under its name and client id.
    admin = sign_in(local_stack, ADMIN, local_stack.password_of(ADMIN))
    trail = get_json(f"{local_stack.base_url}/care/audit?inquiry_id={inquiry_id}", admin)["items"]
    assert [(e["actor"], e["actor_id"]) for e in trail if e["action"] == "read"] == [
        ("Clinic CRM", access["client_id"])]

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "crm-handoff.json").write_text(json.dumps(
        {"delivered": {"headers": record["headers"], "body": json.loads(record["body"])},
         "receiver_answer": record["status"], "fhir": bundle}, indent=2) + "\n", encoding="utf-8")
