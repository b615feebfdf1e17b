"""The whole local pipeline over HTTP: ``python -m infra.local`` as a child, real handlers."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.phi import SubmittedValues
from tests.support.waiting import wait_for

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.e2e

QUEUES = ("ConfirmationQueue", "CareTeamQueue")
DLQS = ("ConfirmationDLQ", "CareTeamDLQ")
SUBMITTED = SubmittedValues()  # every value this module submitted (and its parts), to look for in the log


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    # Handlers log at INFO here, as deployed: their every line is searched for what was submitted.
    with LocalStackProcess(ARTIFACTS / "e2e-local-stack.log", extra_env={"LOCAL_HANDLER_LOG_LEVEL": "INFO"}) as stack:
        yield stack


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http(stack: LocalStackProcess, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(stack.base_url + path, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def remember_submitted(inquiry: dict[str, Any]) -> None:
    """Keep the free-text values and their identifying parts (not the fixed choices)."""
    SUBMITTED.register(inquiry)


def post_json(stack: LocalStackProcess, inquiry: dict[str, Any], key: str | None = None) -> tuple[int, dict[str, Any]]:
    remember_submitted(inquiry)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    status, _headers, body = http(stack, "POST", "/inquiries", json.dumps(inquiry).encode(), headers)
    return status, json.loads(body or b"{}")


def an_inquiry(tag: str) -> dict[str, Any]:
    return {"name": f"Rowan Testperson {tag}", "email": f"rowan.{tag}@example.com", "topic": "depression",
            "message": f"Looking for options, note {tag}", "consent_to_contact": True}


def outbox(stack: LocalStackProcess) -> dict[str, list[dict[str, Any]]]:
    status, _headers, body = http(stack, "GET", "/_local/outbox")
    assert status == 200
    parsed: dict[str, list[dict[str, Any]]] = json.loads(body)
    return parsed


def queue_depth(stack: LocalStackProcess, queue: str) -> int:
    sqs = boto3.client("sqs", region_name="us-east-1", endpoint_url=stack.aws_url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    attrs = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def delivered_and_settled(stack: LocalStackProcess, inquiry_id: str) -> bool:
    """Both sends recorded on the inquiry, its dispatch marker gone and every queue empty (nothing in flight):
    from here on no copy is left that could send anything again."""
    ddb = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=stack.aws_url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    item = ddb.get_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
                        ConsistentRead=True).get("Item", {})
    recorded = {"confirmation_sent_at", "care_team_notified_at"} <= set(item) and "dispatch_state" not in item
    return recorded and all(queue_depth(stack, q) == 0 for q in QUEUES + DLQS)


def emails_to(stack: LocalStackProcess, address: str) -> list[dict[str, Any]]:
    return [m for m in outbox(stack)["emails"] if address in m["to"]]


def notifications_for(stack: LocalStackProcess, inquiry_id: str) -> list[dict[str, Any]]:
    return [n for n in outbox(stack)["notifications"] if inquiry_id in json.dumps(n)]


def test_health_answers_200(local_stack: LocalStackProcess) -> None:
    status, headers, _body = http(local_stack, "GET", "/health")
    assert status == 200
    assert headers.get("Cache-Control") == "no-store"


def test_the_local_form_origin_is_allowed_by_cors(local_stack: LocalStackProcess) -> None:
    status, headers, _body = http(local_stack, "OPTIONS", "/inquiries", headers={
        "Origin": local_stack.base_url, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,idempotency-key"})
    assert status in (200, 204)
    assert headers.get("Access-Control-Allow-Origin") == local_stack.base_url


def test_an_inquiry_reaches_the_person_and_the_care_team_exactly_once(local_stack: LocalStackProcess) -> None:
    inquiry = an_inquiry(uuid.uuid4().hex[:8])
    status, body = post_json(local_stack, inquiry)
    assert status == 202, body
    inquiry_id = body["inquiry_id"]

    assert wait_for(lambda: len(emails_to(local_stack, inquiry["email"])) >= 1
                    and len(notifications_for(local_stack, inquiry_id)) >= 1, 10), outbox(local_stack)
    assert wait_for(lambda: delivered_and_settled(local_stack, inquiry_id), 10)
    emails = emails_to(local_stack, inquiry["email"])
    assert len(emails) == 1
    email = emails[0]
    assert {"to", "subject", "text", "html"} <= set(email)  # the DESIGN's outbox shape
    assert email["subject"]
    assert "988" in email["text"] and "988" in email["html"], "both parts, each with the crisis block"
    [notification] = notifications_for(local_stack, inquiry_id)
    assert {"topic", "subject", "message", "attributes"} <= set(notification)
    assert notification["topic"] == "CareTeamTopic"
    assert notification["attributes"]["priority"] == "normal"
    assert [queue_depth(local_stack, q) for q in QUEUES + DLQS] == [0, 0, 0, 0]


def test_one_idempotency_key_gives_one_inquiry_and_one_email(local_stack: LocalStackProcess) -> None:
    inquiry = an_inquiry(uuid.uuid4().hex[:8])
    key = str(uuid.uuid4())
    first = post_json(local_stack, inquiry, key)
    second = post_json(local_stack, inquiry, key)
    assert first[0] == second[0] == 202
    assert first[1]["inquiry_id"] == second[1]["inquiry_id"]
    assert wait_for(lambda: delivered_and_settled(local_stack, first[1]["inquiry_id"]), 10)
    assert len(emails_to(local_stack, inquiry["email"])) == 1


def test_a_plain_form_post_is_sent_on_to_the_local_thank_you_page(local_stack: LocalStackProcess) -> None:
    inquiry = an_inquiry(uuid.uuid4().hex[:8])
    remember_submitted(inquiry)
    form = urllib.parse.urlencode({**inquiry, "consent_to_contact": "true", "website": ""}).encode()
    status, headers, _body = http(local_stack, "POST", "/inquiries", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html,application/xhtml+xml"})
    assert status == 303
    assert headers["Location"] == f"{local_stack.base_url}/thank-you.html"
    assert http(local_stack, "GET", "/thank-you.html")[0] == 200
    assert wait_for(lambda: len(emails_to(local_stack, inquiry["email"])) == 1, 10)


def test_the_outbox_has_a_readable_page(local_stack: LocalStackProcess) -> None:
    status, headers, body = http(local_stack, "GET", "/_local/outbox.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Local outbox" in body and b"Care-team notifications" in body


def test_the_stack_logs_ids_for_each_inquiry_and_delivery_but_nothing_submitted(
        local_stack: LocalStackProcess) -> None:
    assert wait_for(lambda: all(queue_depth(local_stack, q) == 0 for q in QUEUES), 5)
    log = local_stack.log_text()
    assert "inquiry accepted (202): inquiry=" in log
    assert "handled by SendConfirmationFunction: inquiry=" in log
    assert "handled by NotifyCareTeamFunction: inquiry=" in log
    # The handlers' own JSON lines are in the log (INFO), or searching it would prove nothing.
    assert '"level":"INFO"' in log and '"message":"inquiry accepted"' in log
    assert '"message":"confirmation sent"' in log and '"message":"care team notified"' in log
    assert len(SUBMITTED) >= 10, "the tests above submitted nothing"
    assert SUBMITTED.leaks(log) == []


def test_ctrl_c_stops_the_stack_cleanly() -> None:
    stack = LocalStackProcess(ARTIFACTS / "e2e-local-stack-stop.log")
    stack.start()
    assert "Form:    http://127.0.0.1:" in stack.log_text()
    assert stack.stop(timeout=15) == 0
    assert "Stopped." in stack.log_text()
