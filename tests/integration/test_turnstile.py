"""Optional Cloudflare Turnstile, against a stand-in siteverify on 127.0.0.1: off by default, fails closed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from inquiries import aws

from tests.support.events import json_post, response_json
from tests.support.loopback_server import running
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

SECRET_KEY = "0x4AAAAAAA-test-secret-key"
GOOD_TOKEN = "token-cloudflare-confirms"


class FakeSiteverify:
    """Cloudflare's siteverify: confirms GOOD_TOKEN for SECRET_KEY; ``broken`` makes it answer 500, and
    ``garbled`` (bytes) is sent instead of the JSON answer, with a 200."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        self.broken = False
        self.garbled: bytes | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                fake.requests.append(form)
                ok = form.get("secret") == [SECRET_KEY] and form.get("response") == [GOOD_TOKEN]
                body = json.dumps({"success": ok, "error-codes": [] if ok else ["invalid-input-response"]}).encode()
                if fake.garbled is not None:
                    body = fake.garbled
                self.send_response(500 if fake.broken else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/turnstile/v0/siteverify"


@pytest.fixture
def siteverify() -> Iterator[FakeSiteverify]:
    fake = FakeSiteverify()
    with running(fake.server):
        yield fake


@pytest.fixture
def turnstile_on(stack: Stack, siteverify: FakeSiteverify) -> FakeSiteverify:
    arn = aws.secretsmanager().create_secret(Name="turnstile-secret-key", SecretString=SECRET_KEY)["ARN"]
    stack.configure(TURNSTILE_SECRET=arn, TURNSTILE_VERIFY_URL=siteverify.url)
    return siteverify


def with_token(token: str | None) -> dict[str, Any]:
    inquiry = distinctive_inquiry()
    if token is not None:
        inquiry["cf-turnstile-response"] = token
    return inquiry


def test_off_by_default_and_a_stray_token_field_is_ignored(stack: Stack) -> None:
    assert stack.resources.function_environment("IntakeFunction")["TURNSTILE_SECRET"] == ""
    assert stack.intake(json_post(with_token(None)))["statusCode"] == 202
    assert stack.intake(json_post(with_token("anything")))["statusCode"] == 202


def test_a_token_cloudflare_confirms_is_accepted(stack: Stack, turnstile_on: FakeSiteverify) -> None:
    response = stack.intake(json_post(with_token(GOOD_TOKEN), source_ip="198.51.100.44"))
    assert response["statusCode"] == 202
    [checked] = turnstile_on.requests
    assert checked["secret"] == [SECRET_KEY]
    assert "remoteip" not in checked, "the person's IP address is not sent to Cloudflare (no BAA)"
    assert len(stack.items()) == 1


@pytest.mark.parametrize(("token", "status"), [(None, 403), ("", 403), ("a-forged-token", 403)])
def test_no_token_or_a_refused_one_is_403_and_stores_nothing(stack: Stack, turnstile_on: FakeSiteverify,
                                                            token: str | None, status: int) -> None:
    response = stack.intake(json_post(with_token(token)))
    assert response["statusCode"] == status
    assert response_json(response)["errors"]
    assert stack.items() == []


def test_it_fails_closed_when_the_check_cannot_run(stack: Stack, turnstile_on: FakeSiteverify) -> None:
    turnstile_on.broken = True
    response = stack.intake(json_post(with_token(GOOD_TOKEN)))
    assert response["statusCode"] == 503
    assert stack.items() == []


@pytest.mark.parametrize("garbled", [b"<html>502 Bad Gateway</html>", b"", b'{"success": tru', b"\xff\xfe"])
def test_a_200_whose_body_is_not_json_is_503_and_stores_nothing(stack: Stack, turnstile_on: FakeSiteverify,
                                                               garbled: bytes) -> None:
    """A proxy's error page or a cut-off answer under a 200 means the check could not run: refused as
    unavailable (503, the form may retry), neither let through nor blamed on the person (403)."""
    turnstile_on.garbled = garbled
    response = stack.intake(json_post(with_token(GOOD_TOKEN)))
    assert response["statusCode"] == 503
    assert response_json(response)["errors"]
    assert len(turnstile_on.requests) == 1, "the verifier was asked"
    assert stack.items() == []
    assert stack.items("IdempotencyTable") == []
    assert stack.drain("ConfirmationQueue") == [] and stack.drain("CareTeamQueue") == []


def test_it_fails_closed_when_nobody_answers(stack: Stack, turnstile_on: FakeSiteverify) -> None:
    turnstile_on.server.shutdown()
    turnstile_on.server.server_close()
    response = stack.intake(json_post(with_token(GOOD_TOKEN)))
    assert response["statusCode"] == 503
    assert stack.items() == []
