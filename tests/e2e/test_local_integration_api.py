"""``make run``'s integration API over HTTP: the pool's token endpoint gives the integration's app client an
access token for client credentials; with it the integration reads one inquiry through the integration API
(the same function and path as the console's), the read is in the admin's audit view under the integration's
name, and each token works only where API Gateway's authorizer would let it (issue 22 items 4 and 6)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.tokens import sign_in

pytestmark = pytest.mark.e2e
ADMIN = "admin@clinic.local"


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ROOT / "test-artifacts" / "e2e-integration-api.log") as stack:
        yield stack


def call(url: str, method: str = "GET", token: str | None = None, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    request = urllib.request.Request(url, data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw.startswith((b"{", b"[")) else raw.decode()


def token_request(stack: LocalStackProcess, client_id: str, secret: str, scope: str | None = None) -> tuple[int, Any]:
    access = stack.integration()
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope is not None else {})}
    return call(access["token_url"], "POST", body=urllib.parse.urlencode(form).encode(),
                headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})


def test_the_token_endpoint_gives_client_credentials_a_token_of_the_allowed_scopes(
        local_stack: LocalStackProcess) -> None:
    access = local_stack.integration()
    assert access["scopes"] == ["inquiries/read"]  # the template's default: no write scope

    status, answer = token_request(local_stack, access["client_id"], access["client_secret"])
    assert status == 200, answer
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 15 * 60
    assert token_request(local_stack, access["client_id"], "not-the-secret")[0] == 401
    assert token_request(local_stack, access["client_id"], access["client_secret"], "inquiries/write") == (
        400, {"error": "invalid_scope"})


def test_the_integration_reads_one_inquiry_and_the_admin_sees_that_read(local_stack: LocalStackProcess) -> None:
    access = local_stack.integration()
    status, accepted = call(local_stack.base_url + "/inquiries", "POST", body=json.dumps({
        "name": "Ida Integration", "email": "ida.integration@example.com", "consent_to_contact": True,
        "message": "Asking about ketamine-assisted therapy."}).encode(), headers={"Content-Type": "application/json"})
    assert status == 202, accepted
    inquiry_id = accepted["inquiry_id"]
    token = token_request(local_stack, access["client_id"], access["client_secret"])[1]["access_token"]
    admin = sign_in(local_stack, ADMIN, local_stack.password_of(ADMIN))

    status, inquiry = call(f"{access['api_url']}/care/inquiries/{inquiry_id}", token=token)
    assert status == 200, inquiry
    assert inquiry["email"] == "ida.integration@example.com"

    # Each token only where its authorizer takes it: the console's ID token is no access token, and the
    # integration's access token is no ID token; the integration API has no other route.
    assert call(f"{access['api_url']}/care/inquiries/{inquiry_id}", token=admin)[0] == 401
    assert call(f"{local_stack.base_url}/care/inquiries/{inquiry_id}", token=token)[0] == 401
    assert call(f"{access['api_url']}/care/queue", token=token)[0] == 403  # no such route there
    assert call(f"{access['api_url']}/")[0] == 403 and call(f"{access['api_url']}/care/")[0] == 403  # no website
    status, refused = call(f"{access['api_url']}/care/inquiries/{inquiry_id}", "PATCH", token=token,
                           body=b'{"status": "contacted"}',
                           headers={"Content-Type": "application/json", "If-Match": "1"})
    assert status == 401, refused  # no inquiries/write scope: the authorizer refuses

    status, trail = call(f"{local_stack.base_url}/care/audit?inquiry_id={inquiry_id}", token=admin)
    assert status == 200, trail
    reads = [(e["actor"], e["actor_id"]) for e in trail["items"] if e["action"] == "read"]
    assert reads == [("Clinic CRM", access["client_id"])]


def test_an_unknown_path_is_refused_as_api_gateway_refuses_it(local_stack: LocalStackProcess) -> None:
    """A REST API answers a path it has no resource for with 403 ``MISSING_AUTHENTICATION_TOKEN``, shaped by the
    template's DEFAULT_4XX (IntegrationApi's GatewayResponses); the local integration API answers the same, and
    serves no website, console, outbox or sign-in on its port."""
    api_url = local_stack.integration()["api_url"]
    refused = {"errors": [{"field": None, "message": "The request was refused."}]}
    for method, path in [("GET", "/"), ("GET", "/care/"), ("GET", "/care/queue"), ("GET", "/index.html"),
                         ("GET", "/care/inquiries"), ("GET", "/_local/outbox"), ("POST", "/inquiries"),
                         ("POST", "/_local/cognito"), ("DELETE", "/nothing/here")]:
        request = urllib.request.Request(f"{api_url}{path}", method=method, data=b"{}" if method == "POST" else None)
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 403, (method, path)
        assert answer.value.headers["Cache-Control"] == "no-store", (method, path)
        assert json.loads(answer.value.read()) == refused, (method, path)
