"""Issue 11, finding 11: no web page can read the local emulators' data, directly or by DNS rebinding.

A page the developer happens to visit can make their browser send requests to 127.0.0.1. moto's
permissive CORS would let it read the answers; a rebound name (evil.example resolving to 127.0.0.1)
would be same-origin for the page and send its own name as Host.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.api_gateway import ApiGatewayEmulator
from infra.local.aws_emulator import MotoServer, aws_session
from infra.local.child import free_port
from infra.template import ROOT
from tests.support.loopback_server import running

pytestmark = pytest.mark.e2e


class StubOutbox:
    """An outbox with one email in it."""

    def as_json(self) -> dict[str, Any]:
        return {"emails": [{"to": ["someone@example.org"]}], "notifications": []}

    def as_html(self) -> str:
        return "<p>someone@example.org</p>"


@pytest.fixture
def api() -> Iterator[ApiGatewayEmulator]:
    with running(ApiGatewayEmulator(0, [], "dev", ROOT / "web", outbox=StubOutbox())) as server:
        yield server


@pytest.fixture
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer(free_port())
    server.start()
    yield server
    server.stop()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/_local/outbox", "/_local/outbox.html"])
def test_the_outbox_refuses_a_rebound_host(api: ApiGatewayEmulator, path: str) -> None:
    status, _headers, body = get(api.port, path, {"Host": f"evil.example:{api.port}"})
    assert status == 403
    assert b"someone@example.org" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}"])
def test_the_outbox_answers_its_own_host(api: ApiGatewayEmulator, host: str) -> None:
    status, _headers, body = get(api.port, "/_local/outbox", {"Host": host.format(port=api.port)})
    assert status == 200
    assert b"someone@example.org" in body


def test_the_local_sign_in_refuses_a_rebound_host(api: ApiGatewayEmulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        conn.putrequest("POST", "/_local/cognito", skip_host=True)
        for name, value in {"Host": f"evil.example:{api.port}", "Content-Length": "2",
                            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}.items():
            conn.putheader(name, value)
        conn.endheaders(b"{}")
        assert conn.getresponse().status == 403
    finally:
        conn.close()


def test_the_outbox_refuses_its_own_name_on_another_port(api: ApiGatewayEmulator) -> None:
    status, _headers, _body = get(api.port, "/_local/outbox", {"Host": "127.0.0.1:1"})
    assert status == 403


def test_the_aws_emulator_sends_no_cors_headers_to_another_origin(moto_server: MotoServer) -> None:
    port = moto_server._port
    status, headers, _body = get(port, "/", {"Host": f"127.0.0.1:{port}", "Origin": "https://evil.example"})
    assert status < 500
    assert headers.get("Access-Control-Allow-Origin") is None


def test_the_aws_emulator_refuses_a_rebound_host_and_serves_its_own(moto_server: MotoServer) -> None:
    port = moto_server._port
    status, _headers, _body = get(port, "/", {"Host": f"evil.example:{port}"})
    assert status == 403
    sqs = aws_session("us-east-1").client("sqs", endpoint_url=f"http://127.0.0.1:{port}")
    assert sqs.list_queues().get("QueueUrls", []) == []
