"""``make run``'s stack over HTTP: the reference the confirmation email gives finds the inquiry, by search and
by ``GET /care/inquiries/INQ-…``; the care team lists the pool's members. The lookup table is the template's."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.tokens import sign_in

pytestmark = pytest.mark.e2e
CARE = "care@clinic.local"
ADMIN = "admin@clinic.local"


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ROOT / "test-artifacts" / "e2e-care-search.log") as stack:
        yield stack


def http(stack: LocalStackProcess, method: str, path: str, token: str | None = None,
         body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(stack.base_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def test_the_emailed_reference_finds_the_inquiry_by_search_and_by_path(local_stack: LocalStackProcess) -> None:
    tag = uuid.uuid4().hex[:8]
    status, accepted = http(local_stack, "POST", "/inquiries", body={
        "name": f"Ines Lookup{tag}", "email": f"ines.{tag}@example.com", "consent_to_contact": True,
        "message": f"Asking about treatment {tag}"})
    assert status == 202, accepted
    reference, inquiry_id = accepted["reference"], accepted["inquiry_id"]
    care = sign_in(local_stack, CARE, local_stack.password_of(CARE))
    admin = sign_in(local_stack, ADMIN, local_stack.password_of(ADMIN))

    status, found = http(local_stack, "GET", "/care/search?" + urllib.parse.urlencode({"q": reference.lower()}), care)
    assert status == 200, found
    assert [item["inquiry_id"] for item in found["items"]] == [inquiry_id]

    status, inquiry = http(local_stack, "GET", f"/care/inquiries/{reference}", care)
    assert status == 200, inquiry
    assert inquiry["inquiry_id"] == inquiry_id and inquiry["related"] == []

    status, team = http(local_stack, "GET", "/care/team", care)
    assert status == 200, team
    assert {m["name"] for m in team["members"]} >= {"Casey Care (local)"}

    status, trail = http(local_stack, "GET", f"/care/audit?inquiry_id={inquiry_id}", admin)
    assert status == 200, trail
    assert [e["action"] for e in trail["items"]] == ["read"]
    status, everyone = http(local_stack, "GET", "/care/audit", admin)
    (search,) = [e for e in everyone["items"] if e["action"] == "search" and e["inquiry_ids"] == [inquiry_id]]
    assert search["filters"] == ["reference"]
    assert tag not in json.dumps(everyone) and reference.lower() not in json.dumps(everyone)
    assert tag not in local_stack.log_text(), "neither the term nor the inquiry reached a log line"
