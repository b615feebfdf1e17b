"""docs/openapi.json is generated from the models and must match them."""

from __future__ import annotations

import json

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
