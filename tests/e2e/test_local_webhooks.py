"""The local stack delivers domain events, signed, to a receiver on this machine (issue 22, items 1-3).

`make run`'s stack in a child process; a receiver on 127.0.0.1 registered with ``python -m infra.webhooks add
--allow-loopback-http`` (the local-only path); an inquiry posted over HTTP; the receiver gets one
``inquiry.received`` whose signature the ``standardwebhooks`` package verifies, and nothing submitted in it.
"""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from standardwebhooks.webhooks import Webhook

from infra import webhooks
from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.loopback_server import WebhookReceiver, running
from tests.support.phi import distinctive_inquiry, submitted_by_this_test
from tests.support.waiting import wait_for

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    log = ARTIFACTS / "e2e-local-webhooks.log"
    with LocalStackProcess(log, extra_env={"LOCAL_HANDLER_LOG_LEVEL": "INFO"}) as stack:
        yield stack


def session(stack: LocalStackProcess) -> boto3.Session:
    return boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def register(stack: LocalStackProcess, destination: str, url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", stack.aws_url)
    out = io.StringIO()
    assert webhooks.main(["add", "--destination", destination, "--url", url, "--allow-loopback-http"], out,
                         session(stack)) == 0
    secret: str = json.loads(out.getvalue())["secret"]
    return secret


def post_inquiry(stack: LocalStackProcess, inquiry: dict[str, Any]) -> str:
    request = urllib.request.Request(stack.base_url + "/inquiries", data=json.dumps(inquiry).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
        inquiry_id: str = json.loads(response.read())["inquiry_id"]
    return inquiry_id


def test_a_local_inquiry_reaches_a_loopback_receiver_signed_and_without_phi(
        local_stack: LocalStackProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    with running(WebhookReceiver()) as receiver:
        secret = register(local_stack, "crm-local", receiver.url, monkeypatch)
        inquiry = distinctive_inquiry(topic="anxiety", message="I would like to talk about options")
        inquiry_id = post_inquiry(local_stack, inquiry)

        def arrived() -> bool:
            with receiver.lock:
                return any(inquiry_id.encode() in body for _p, _h, body in receiver.received)

        assert wait_for(arrived, 30), "no delivery reached the receiver"
        with receiver.lock:
            headers, body = next((h, b) for _p, h, b in receiver.received if inquiry_id.encode() in b)
        verified = Webhook(secret).verify(body, headers)
        assert verified["type"] == "inquiry.received"
        assert verified["data"]["inquiry_id"] == inquiry_id
        assert verified["data"]["reference"] == f"INQ-{inquiry_id[-8:]}"
        assert verified["data"]["topic"] == "anxiety"
        assert headers["webhook-id"] == verified["id"]
        assert submitted_by_this_test().leaks(body.decode()) == []
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "webhook-delivery.json").write_text(json.dumps(
            {"headers": {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature",
                                                 "content-type")},
             "body": json.loads(body)}, indent=2) + "\n")
