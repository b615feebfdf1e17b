"""An integration's access token (OAuth 2.0 client credentials) on the care API: it reads one inquiry with
``inquiries/read``, changes one only with ``inquiries/write``, and gets 403 everywhere else; each read is
audited with the integration, by its configured name and client id, as the actor (issue 22 item 4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.care import ADMIN, CARE_MEMBER, audit_trail, care_request
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

# The integration's app client as the function knows it under the ``stack`` fixture (its logical ID).
CLIENT = "CareIntegrationClient"
NAME = "Clinic CRM (test)"


def _token(*scopes: str, client_id: str = CLIENT) -> dict[str, str]:
    """An access token's claims as API Gateway passes them (client credentials: the sub is the client)."""
    return {"sub": client_id, "client_id": client_id, "token_use": "access", "scope": " ".join(scopes),
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/pool", "version": "2"}


READER = _token("inquiries/read")
WRITER = _token("inquiries/read", "inquiries/write")


@pytest.fixture(autouse=True)
def _integration(stack: Stack) -> None:
    stack.configure(INTEGRATION_CLIENT_ID=CLIENT, INTEGRATION_NAME=NAME)


def _submit(stack: Stack) -> tuple[str, dict[str, Any]]:
    submitted = distinctive_inquiry()
    response = stack.intake(json_post(submitted))
    assert response["statusCode"] == 202
    return str(response_json(response)["inquiry_id"]), submitted


def test_the_integration_reads_an_inquiry_and_the_read_is_audited_as_the_integration(stack: Stack) -> None:
    inquiry_id, submitted = _submit(stack)

    response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=READER)

    assert response["statusCode"] == 200, response
    body = response_json(response)
    assert body["inquiry_id"] == inquiry_id and body["email"] == submitted["email"]
    reads = [e for e in audit_trail(stack, inquiry_id) if e["action"] == "read"]
    assert [(e["actor"], e["actor_id"]) for e in reads] == [(NAME, CLIENT)]


def test_the_integration_reads_by_reference_too(stack: Stack) -> None:
    inquiry_id, _ = _submit(stack)
    reference = response_json(care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER))[
        "reference"]

    response = care_request(stack, "GET", f"/care/inquiries/{reference}", claims=READER)

    assert response["statusCode"] == 200, response
    assert response_json(response)["inquiry_id"] == inquiry_id


@pytest.mark.parametrize(("method", "path", "query", "body", "headers"), [
    ("GET", "/care/inquiries", None, None, None),
    ("GET", "/care/queue", None, None, None),
    ("GET", "/care/search", {"q": "INQ-00000000"}, None, None),
    ("GET", "/care/team", None, None, None),
    ("GET", "/care/audit", None, None, None),
    ("PATCH", "/care/inquiries/{id}", None, {"status": "contacted"}, {"If-Match": "1"}),
    ("POST", "/care/inquiries/{id}/attempts", None, {"channel": "phone", "outcome": "reached"}, {"If-Match": "1"}),
    ("POST", "/care/bulk", None, {"items": [{"inquiry_id": "{id}", "version": 1}], "change": {"status": "closed"}},
     None),
])
def test_every_other_route_answers_the_reading_integration_403_and_reads_nothing(
        stack: Stack, method: str, path: str, query: dict[str, str] | None, body: Any,
        headers: dict[str, str] | None) -> None:
    inquiry_id, submitted = _submit(stack)
    before = len(stack.items("AuditTable"))
    if isinstance(body, dict) and "items" in body:
        body = {**body, "items": [{"inquiry_id": inquiry_id, "version": 1}]}

    response = care_request(stack, method, path.replace("{id}", inquiry_id), claims=READER, query=query,
                            body=body, headers=headers)

    assert response["statusCode"] == 403, response
    assert submitted["email"] not in response["body"] and inquiry_id not in response["body"]
    assert len(stack.items("AuditTable")) == before
    stored = next(item for item in stack.items() if item["inquiry_id"] == inquiry_id)
    assert stored["status"] == "new" and int(stored["version"]) == 1


def test_an_integration_token_without_the_read_scope_cannot_read(stack: Stack) -> None:
    inquiry_id, _ = _submit(stack)

    response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=_token("inquiries/write"))

    assert response["statusCode"] == 403, response
    assert not [e for e in stack.items("AuditTable") if e.get("inquiry_id") == inquiry_id]


def test_another_clients_access_token_is_not_the_integration(stack: Stack) -> None:
    inquiry_id, _ = _submit(stack)

    response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}",
                            claims=_token("inquiries/read", client_id="SomeOtherClient"))

    assert response["statusCode"] == 401, response


def test_with_the_write_scope_the_integration_changes_the_status_as_itself(stack: Stack) -> None:
    inquiry_id, _ = _submit(stack)

    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=WRITER,
                            body={"status": "contacted"}, headers={"If-Match": "1"})

    assert response["statusCode"] == 200, response
    body = response_json(response)
    assert body["status"] == "contacted"
    assert [(h["actor"], h["actor_id"]) for h in body["history"] if h["action"] == "status"] == [(NAME, CLIENT)]
    updates = [e for e in audit_trail(stack, inquiry_id) if e["action"] == "update"]
    assert [(e["actor"], e["actor_id"]) for e in updates] == [(NAME, CLIENT)]


def test_people_keep_their_routes(stack: Stack) -> None:
    inquiry_id, _ = _submit(stack)

    assert care_request(stack, "GET", "/care/queue", claims=CARE_MEMBER)["statusCode"] == 200
    assert care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=ADMIN)["statusCode"] == 200
