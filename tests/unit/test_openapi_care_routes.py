"""docs/openapi.json tells the truth about the care routes' answers (issue 18, item 12)."""

from __future__ import annotations

import json

from infra.openapi import render
from infra.template import ROOT


def test_the_care_patch_lists_the_body_refusals_it_answers() -> None:
    patch = json.loads(render())["paths"]["/care/inquiries/{inquiry_id}"]["patch"]

    # 400 not JSON, 413 over 16 KiB, 415 not application/json: care/api.py change_of answers each.
    assert {"200", "400", "401", "403", "404", "412", "413", "415", "422", "428", "503"} <= set(patch["responses"])


def test_every_care_route_lists_the_503_of_an_unavailable_table_or_audit_trail() -> None:
    paths = json.loads(render())["paths"]

    for path, methods in paths.items():
        if path.startswith("/care/"):
            for method, operation in methods.items():
                assert "503" in operation["responses"], (path, method)


def test_the_committed_document_lists_them_too() -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))

    assert {"400", "413", "415"} <= set(committed["paths"]["/care/inquiries/{inquiry_id}"]["patch"]["responses"])


def test_an_audit_item_documents_a_lists_status_page_and_ids() -> None:
    item = json.loads(render())["components"]["schemas"]["AuditItem"]["properties"]

    assert {"status", "page", "inquiry_ids", "filters"} <= set(item)
