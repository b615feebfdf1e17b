"""docs/openapi.json is generated from the models and must match them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from infra.openapi import render
from infra.template import ROOT


def test_committed_openapi_document_is_current() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == render(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_openapi_describes_the_inquiry_body_and_every_status() -> None:
    doc = json.loads(render())
    post = doc["paths"]["/inquiries"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded"}
    inquiry = doc["components"]["schemas"]["Inquiry"]
    assert set(inquiry["required"]) == {"name", "email", "consent_to_contact"}
    assert inquiry["additionalProperties"] is False
    assert {"202", "303", "400", "409", "413", "415", "422", "429"} <= set(post["responses"])


def _inquiry_validator() -> Draft202012Validator:
    """Validates a body against the document's Inquiry schema, as a client generated from it would."""
    doc = json.loads(render())
    return Draft202012Validator({"$ref": "#/components/schemas/Inquiry", "components": doc["components"]})


def test_the_schema_says_consent_to_contact_must_be_true() -> None:
    """Issue 18, item 11: a schema-valid body (consent false) was answered 422; the schema now refuses it."""
    doc = json.loads(render())
    consent = doc["components"]["schemas"]["Inquiry"]["properties"]["consent_to_contact"]
    assert consent["type"] == "boolean" and consent["const"] is True


@pytest.mark.parametrize(("consent", "valid"), [(True, True), (False, False), (None, False)])
def test_a_body_without_consent_is_invalid_against_the_published_schema(consent: bool | None, valid: bool) -> None:
    body: dict[str, Any] = {"name": "Robin", "email": "robin@example.com"}
    if consent is not None:
        body["consent_to_contact"] = consent
    assert _inquiry_validator().is_valid(body) is valid
