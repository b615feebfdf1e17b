"""The example CRM receiver (examples/crm_receiver) against deliveries this test signs with the
``standardwebhooks`` package: it takes a valid one once, refuses a tampered body, a wrong secret and a replay
outside the tolerance, and what it prints is valid FHIR (validated with ``fhir.resources``)."""

from __future__ import annotations

import http.client
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from standardwebhooks.webhooks import Webhook

from examples.crm_receiver.fhir import to_fhir
from examples.crm_receiver.receiver import CrmClient, CrmReceiver
from tests.support.loopback_server import running

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
INQUIRY_ID = "01KBVZ3X6Q0000000000000001"
INQUIRY: dict[str, Any] = {
    "inquiry_id": INQUIRY_ID, "reference": "INQ-00000001", "created_at": "2026-12-05T22:00:00Z",
    "status": "new", "level": "urgent", "urgent": True, "topic": "depression", "language": "es",
    "preferred_contact": "phone", "name": "Rosa Receiver", "email": "rosa.receiver@example.com",
    "phone": "+15555550123", "message": "Quisiera saber más.", "consent_to_contact": True, "version": 1,
}


class StandInClient(CrmClient):
    """The integration's fetch, answered here: the inquiry above, counting each fetch."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9/oauth2/token", "http://127.0.0.1:9", "client", "secret")
        self.fetched: list[str] = []

    def inquiry(self, inquiry_id: str) -> dict[str, Any]:
        self.fetched.append(inquiry_id)
        return {**INQUIRY, "inquiry_id": inquiry_id}


def delivery(secret: str = SECRET, at: datetime | None = None, msg_id: str = "evt_1",
             event_type: str = "inquiry.received") -> tuple[dict[str, str], bytes]:
    body = json.dumps({"id": msg_id, "type": event_type, "timestamp": "2026-12-05T22:00:00Z",
                       "data": {"inquiry_id": INQUIRY_ID, "reference": "INQ-00000001", "status": "new"}})
    when = at or datetime.now(UTC)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(when.timestamp())),
               "webhook-signature": Webhook(secret).sign(msg_id, when, body), "content-type": "application/json"}
    return headers, body.encode()


@pytest.fixture
def receiver() -> Iterator[CrmReceiver]:
    server = CrmReceiver("127.0.0.1", 0, SECRET, StandInClient(), out=io.StringIO())
    yield server
    server.server_close()


def client_of(receiver: CrmReceiver) -> StandInClient:
    assert isinstance(receiver.client, StandInClient)
    return receiver.client


def test_a_signed_delivery_over_http_is_fetched_and_printed_as_valid_fhir(receiver: CrmReceiver) -> None:
    headers, body = delivery()
    with running(receiver):
        conn = http.client.HTTPConnection("127.0.0.1", receiver.server_address[1], timeout=5)
        conn.request("POST", "/hooks", body=body, headers=headers)
        assert conn.getresponse().status == 204
        receiver.pending.join()  # fetched and mapped after the answer
    assert client_of(receiver).fetched == [INQUIRY_ID]
    [bundle] = receiver.produced
    assert json.loads(receiver.out.getvalue()) == bundle  # type: ignore[attr-defined]
    Bundle.model_validate(bundle)
    # As the FHIR library reads them back (validated R4B models): what a FHIR server would store.
    patient = Patient.model_validate(bundle["entry"][0]["resource"]).model_dump(mode="json", exclude_none=True)
    request = ServiceRequest.model_validate(bundle["entry"][1]["resource"]).model_dump(mode="json",
                                                                                       exclude_none=True)
    assert patient["name"] == [{"text": "Rosa Receiver"}]
    assert {(t["system"], t["value"], t["rank"]) for t in patient["telecom"]} == {
        ("email", "rosa.receiver@example.com", 2), ("phone", "+15555550123", 1)}
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert (request["status"], request["intent"], request["priority"]) == ("active", "proposal", "urgent")
    assert request["subject"]["reference"] == f"Patient/{patient['id']}"
    assert request["identifier"][0]["value"] == INQUIRY_ID
    assert request["note"] == [{"text": "Quisiera saber más."}]


@pytest.mark.parametrize("spoiled", ["tampered body", "wrong secret", "old timestamp", "future timestamp",
                                     "no signature", "not utf-8"])
def test_a_delivery_that_does_not_verify_is_refused_and_fetches_nothing(receiver: CrmReceiver,
                                                                        spoiled: str) -> None:
    headers, body = delivery(
        secret="whsec_" + "c2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ==" if spoiled == "wrong secret" else SECRET,
        at={"old timestamp": datetime.now(UTC) - timedelta(minutes=10),
            "future timestamp": datetime.now(UTC) + timedelta(minutes=10)}.get(spoiled))
    if spoiled == "tampered body":
        body = body.replace(INQUIRY_ID.encode(), b"01KBVZ3X6Q0000000000000002")
    if spoiled == "no signature":
        del headers["webhook-signature"]
    if spoiled == "not utf-8":
        body = b"\xff" + body

    assert receiver.handle_event(headers, body) == 401
    receiver.pending.join()
    assert client_of(receiver).fetched == [] and receiver.produced == []


def test_a_retried_delivery_is_taken_once(receiver: CrmReceiver) -> None:
    headers, body = delivery()

    assert receiver.handle_event(headers, body) == 204
    receiver.pending.join()
    assert receiver.handle_event(headers, body) == 200
    receiver.pending.join()
    assert client_of(receiver).fetched == [INQUIRY_ID]


def test_a_failed_fetch_leaves_the_event_to_be_taken_again(receiver: CrmReceiver) -> None:
    headers, body = delivery()

    def unreachable(inquiry_id: str) -> dict[str, Any]:
        raise OSError("the API did not answer")

    client_of(receiver).inquiry = unreachable  # type: ignore[method-assign]
    assert receiver.handle_event(headers, body) == 204
    receiver.pending.join()
    assert receiver.produced == [] and "evt_1" not in receiver.seen


def test_an_erasure_is_acknowledged_without_a_fetch(receiver: CrmReceiver) -> None:
    headers, body = delivery(event_type="inquiry.erased")

    assert receiver.handle_event(headers, body) == 204
    receiver.pending.join()
    assert client_of(receiver).fetched == []


@pytest.mark.parametrize(("status", "level", "expected"), [
    ("closed", "none", ("completed", "routine")), ("not_a_fit", "priority", ("revoked", "asap")),
    ("attempting", "urgent", ("active", "urgent")),
])
def test_status_and_level_map_to_the_service_requests(status: str, level: str, expected: tuple[str, str]) -> None:
    bundle = to_fhir({**INQUIRY, "status": status, "level": level, "phone": None, "message": None})

    Bundle.model_validate(bundle)
    request = ServiceRequest.model_validate(bundle["entry"][1]["resource"]).model_dump(mode="json")
    assert (request["status"], request["priority"]) == expected
    assert [t["system"] for t in bundle["entry"][0]["resource"]["telecom"]] == ["email"]
    assert "note" not in bundle["entry"][1]["resource"]
