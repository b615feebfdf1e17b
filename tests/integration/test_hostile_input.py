"""Hostile requests to IntakeFunction on moto: each is a clean 4xx that echoes nothing and leaves nothing.

The list is what an attacker tried in issue 11 (findings 3, 5 and 6) and the limits that answer it:
cross-site posts, bodies without a content type, parser bombs, and addresses with hidden characters.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.support.events import api_event, form_post, json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

ALLOWED_ORIGIN = "https://www.example.org"  # template.yaml's AllowedOrigins default


@dataclass(frozen=True)
class Hostile:
    """One hostile request and the status it must get."""

    name: str
    event: dict[str, Any]
    status: int


def _raw_json(text: str, **headers: str) -> dict[str, Any]:
    return api_event(body=text, headers={"Content-Type": "application/json", **headers})


def _valid() -> dict[str, Any]:
    return distinctive_inquiry()


def _with(**fields: Any) -> str:
    return json.dumps({**_valid(), **fields})


def hostile_requests() -> list[Hostile]:
    """Every hostile request tried (built per test: the PHI register is per test)."""
    valid = json.dumps(_valid())
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    cases = [
        # finding 3: another website submitting for its visitors
        Hostile("foreign origin, JSON", json_post(_valid(), headers={"Origin": "https://evil.example"}), 403),
        Hostile("foreign origin, plain form", form_post({k: str(v) for k, v in _valid().items()},
                                                         headers={"Origin": "https://evil.example",
                                                                  "Accept": "text/html"}), 403),
        Hostile("null origin (sandboxed frame)", json_post(_valid(), headers={"Origin": "null"}), 403),
        Hostile("look-alike origin", json_post(_valid(), headers={"Origin": ALLOWED_ORIGIN + ".evil.example"}),
                403),
        Hostile("no content type", api_event(body=valid), 415),
        Hostile("text/plain (a simple cross-site request)", api_event(body=valid,
                                                                       headers={"Content-Type": "text/plain"}), 415),
        Hostile("multipart", api_event(body=valid, headers={"Content-Type": "multipart/form-data; boundary=x"}),
                415),
        # finding 5: parser bombs and what json.loads lets through
        Hostile("deeply nested JSON", _raw_json(deep[:16_000]), 400),
        Hostile("nesting just past the limit", _raw_json('{"name": [[[[[[[[["x"]]]]]]]]]}'), 400),
        Hostile("5000-digit number", _raw_json('{"name": ' + "9" * 5000 + "}"), 400),
        Hostile("huge exponent", _raw_json('{"name": 1e999999}'), 400),
        Hostile("NaN", _raw_json('{"name": NaN}'), 400),
        Hostile("Infinity", _raw_json('{"name": -Infinity}'), 400),
        Hostile("duplicate keys", _raw_json('{"email": "a@example.org", "email": "b@example.org"}'), 400),
        Hostile("lone surrogate in a value", _raw_json(_with(name="\\ud800").replace("\\\\ud800", "\\ud800")), 400),
        Hostile("lone surrogate in a key", _raw_json('{"\\udfff": 1}'), 400),
        Hostile("body over 16 KiB", _raw_json(_with(message="x" * 17_000)), 413),
        Hostile("base64 body over 16 KiB", api_event(body=_with(message="x" * 17_000).encode(), base64_body=True,
                                                    headers={"Content-Type": "application/json"}), 413),
        Hostile("invalid base64", {**_raw_json(valid), "isBase64Encoded": True, "body": "@@@not base64@@@"}, 400),
        Hostile("invalid UTF-8", api_event(body=b'{"name": "\xff\xfe"}', base64_body=True,
                                           headers={"Content-Type": "application/json"}), 400),
        Hostile("a JSON array", _raw_json("[1, 2, 3]"), 400),
        Hostile("a JSON string", _raw_json('"just a string"'), 400),
        Hostile("not JSON", _raw_json("{not json"), 400),
        Hostile("oversized headers", json_post(_valid(), headers={f"X-Junk-{i}": "j" * 200 for i in range(60)}),
                431),
        Hostile("Idempotency-Key with a newline", json_post(_valid(), headers={"Idempotency-Key": "a\r\nSet: b"}),
                422),
        Hostile("Idempotency-Key ending in a newline", json_post(_valid(), headers={"Idempotency-Key": "key-1\n"}),
                422),
        Hostile("Idempotency-Key with spaces and quotes", json_post(_valid(), headers={"Idempotency-Key": 'a "b"'}),
                422),
        Hostile("Idempotency-Key of 65 characters", json_post(_valid(), headers={"Idempotency-Key": "k" * 65}), 422),
        Hostile("form with thousands of fields", api_event(
            body=urlencode({f"f{i}": "x" for i in range(5000)})[:16_000],
            headers={"Content-Type": "application/x-www-form-urlencoded"}), 400),
        Hostile("form with a repeated field thousands of times", api_event(
            body="&".join(["website="] * 1500), headers={"Content-Type": "application/x-www-form-urlencoded"}), 400),
        # finding 6: addresses that would be silently rewritten into another
        Hostile("zero-width space in the email", json_post({**_valid(), "email": "ana\u200bperson@example.org"}),
                422),
        Hostile("soft hyphen in the email", json_post({**_valid(), "email": "ana\u00adperson@example.org"}), 422),
        Hostile("BEL in the email", json_post({**_valid(), "email": "ana\u0007person@example.org"}), 422),
        Hostile("right-to-left override in the email", json_post({**_valid(), "email": "\u202eana@example.org"}),
                422),
        Hostile("zero-width joiner in the phone", json_post({**_valid(), "phone": "+1 415\u200d555 0100"}), 422),
        Hostile("NUL in the phone", json_post({**_valid(), "phone": "+14155550100\u0000"}), 422),
        Hostile("line separator in the email", json_post({**_valid(), "email": "ana@example.org\u2028"}), 422),
        # other rules
        Hostile("unknown field", json_post({**_valid(), "is_admin": True}), 422),
        Hostile("object where a string goes", _raw_json(_with(name={"$ne": ""})), 422),
        Hostile("script as the topic", json_post({**_valid(), "topic": "<script>alert(1)</script>"}), 422),
    ]
    return cases




def _echoes(response: dict[str, Any], event: dict[str, Any]) -> list[str]:
    """Submitted strings (4+ characters) that the answer repeats."""
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw).decode("utf-8", "replace")
        except ValueError:
            raw = ""
    try:
        values = json.loads(raw)
    except (ValueError, RecursionError):  # the hostile bodies themselves: nothing to look for
        values = {}
    submitted = [v for v in values.values() if isinstance(v, str)] if isinstance(values, dict) else []
    body = response.get("body") or ""
    # Choices from the form's lists (topic, preferred contact) are also field names and words of messages.
    choices = {"addiction", "depression", "anxiety", "ptsd", "chronic_pain", "other", "email", "phone", "sms"}
    return [v for v in submitted if len(v) >= 4 and v not in choices and v in body]


def test_every_hostile_request_is_a_clean_4xx_that_stores_sends_and_echoes_nothing(stack: Stack) -> None:
    cases = hostile_requests()
    outcomes = {}
    for case in cases:
        response = stack.intake(case.event)
        outcomes[case.name] = response["statusCode"]
        assert response["statusCode"] == case.status, case.name
        if "json" in (response.get("headers") or {}).get("Content-Type", ""):
            body = response_json(response)
            assert set(body) == {"errors"} and body["errors"], case.name
        assert _echoes(response, case.event) == [], case.name
        assert stack.items("InquiriesTable") == [], case.name
        assert stack.items("RateLimitTable") == [], f"{case.name}: refused before anything is counted"
    assert stack.drain("ConfirmationQueue") == []
    assert stack.drain("CareTeamQueue") == []
    assert all(400 <= status < 500 for status in outcomes.values())
    assert len(outcomes) == len(cases), "every case has its own name"


def test_the_configured_origin_and_no_origin_are_both_accepted(stack: Stack) -> None:
    """Same-origin browsers and non-browser clients (no Origin header) are not another website."""
    assert stack.intake(json_post(_valid(), headers={"Origin": ALLOWED_ORIGIN}))["statusCode"] == 202
    assert stack.intake(json_post(_valid(), headers={"Origin": ALLOWED_ORIGIN + "/"}))["statusCode"] == 202
    assert stack.intake(json_post(_valid()))["statusCode"] == 202


def test_an_address_with_a_hidden_character_is_refused_not_rewritten(stack: Stack) -> None:
    response = stack.intake(json_post({**_valid(), "email": "robin\u200b@example.org"}))
    assert response["statusCode"] == 422
    assert [e["field"] for e in response_json(response)["errors"]] == ["email"]
    assert stack.items() == []


@pytest.mark.parametrize("key", ["0b6f7e5e-3c52-4a53-9d5b-6c1f0e9a7b21", "01JD3V6W7X8Y9Z0ABCDEFGHJKM", "a.b_c:d-e"])
def test_safe_idempotency_keys_are_accepted(stack: Stack, key: str) -> None:
    assert stack.intake(json_post(_valid(), headers={"Idempotency-Key": key}))["statusCode"] == 202
