"""Issue 21 over HTTP: `make run`'s stack builds RightsApiFunction from template.yaml and routes the person's
rights to it behind the pool's authorizer; an admin searches the trail, exports a person and erases them."""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Iterator

import pytest

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.e2e.test_care_api_over_http import ADMIN, CARE, http
from tests.support.tokens import sign_in

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "e2e-rights.log") as stack:
        yield stack


def test_an_admin_searches_the_trail_exports_a_person_and_erases_them_over_http(local_stack: LocalStackProcess) -> None:
    admin = f"Bearer {sign_in(local_stack, ADMIN, local_stack.password_of(ADMIN))}"
    care = f"Bearer {sign_in(local_stack, CARE, local_stack.password_of(CARE))}"
    email = f"rights.{uuid.uuid4().hex[:8]}@example.com"
    status, _h, body = http(local_stack, "POST", "/inquiries",
                            body={"name": "Rita Rights", "email": email, "consent_to_contact": True})
    assert status == 202, body
    inquiry_id = body["inquiry_id"]
    reference = f"INQ-{inquiry_id[-8:]}"
    assert http(local_stack, "GET", f"/care/inquiries/{inquiry_id}", care)[0] == 200

    status, _h, found = http(local_stack, "GET", f"/care/audit?reference={reference}&action=read", admin)
    assert status == 200 and [i["reference"] for i in found["items"]] == [reference]

    query = urllib.parse.urlencode({"email": email})
    assert http(local_stack, "GET", f"/care/people?{query}", care)[0] == 403
    status, _h, exported = http(local_stack, "GET", f"/care/people?{query}", admin)
    assert status == 200 and [i["inquiry_id"] for i in exported["inquiries"]] == [inquiry_id]

    status, _h, erased = http(local_stack, "POST", "/care/erasures", admin,
                              body={"email": email, "reason": "person_request"})
    assert status == 200 and erased["inquiry_ids"] == [inquiry_id]
    assert http(local_stack, "GET", f"/care/inquiries/{inquiry_id}", admin)[0] == 404

    status, _h, trail = http(local_stack, "GET", f"/care/audit?inquiry_id={inquiry_id}", admin)
    assert status == 200
    assert {"read", "person_export"} <= {i["action"] for i in trail["items"]}, "the trail outlives the erasure"
    status, _h, erasures = http(local_stack, "GET", "/care/audit?action=erasure", admin)
    assert [i["request_id"] for i in erasures["items"]] == [erased["request_id"]]
    assert email not in str(trail) + str(erasures)
    # What happened to this record: its reference (whose lookup item went with it) and its id find the erasure.
    for query in (f"reference={reference}", f"inquiry_id={inquiry_id}"):
        status, _h, record = http(local_stack, "GET", f"/care/audit?{query}", admin)
        assert status == 200, record
        [erasure] = [i for i in record["items"] if i["action"] == "erasure"]
        assert (erasure["reference"], erasure["reason"], erasure["request_id"]) == (
            reference, "person_request", erased["request_id"])
        assert email not in str(record)
