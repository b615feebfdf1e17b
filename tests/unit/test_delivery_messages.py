"""Reading claim-check messages and sorting failures, without any AWS."""

from __future__ import annotations

import json

import pytest
from inquiries.delivery.chat import ChatPostFailed, post_to_chat
from inquiries.delivery.common import InquiryMessage, MalformedMessage, reason_code
from inquiries.settings import CareTeamSettings, ConfirmationSettings, DeliverySettings

from infra.template import TemplateResources

ULID = "01JD3V6W7X8Y9Z0ABCDEFGHJKM"


def test_claim_check_message_names_the_inquiry() -> None:
    assert InquiryMessage.parse(json.dumps({"inquiry_id": ULID})).inquiry_id == ULID


def test_extra_keys_from_a_newer_producer_are_ignored() -> None:
    assert InquiryMessage.parse(json.dumps({"inquiry_id": ULID, "kind": "redispatch"})).inquiry_id == ULID


@pytest.mark.parametrize("body", [
    None, "", "not json", "[]", "null", json.dumps({}), json.dumps({"inquiry_id": 5}),
    json.dumps({"inquiry_id": ULID.lower()}), json.dumps({"inquiry_id": "../../" + ULID[6:]}),
    json.dumps({"inquiry_id": ULID + "0"}), json.dumps({"id": ULID}),
])
def test_malformed_messages_are_refused_without_quoting_them(body: str | None) -> None:
    with pytest.raises(MalformedMessage) as caught:
        InquiryMessage.parse(body)
    assert str(caught.value) == "malformed_message"


def test_reason_codes_are_safe_for_metrics_and_logs() -> None:
    assert reason_code("TooManyRequestsException") == "toomanyrequestsexception"
    assert reason_code("Weird Code/With:Stuff") == "weird_code_with_stuff"
    assert reason_code("") == "unknown"


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "ftp://127.0.0.1/x", "file:///etc/passwd"])
def test_chat_refuses_anything_but_https_or_local_http(url: str) -> None:
    with pytest.raises(ChatPostFailed) as caught:
        post_to_chat(url, "text", timeout=1)
    assert caught.value.reason == "chat_url_not_allowed"


def test_delivery_lease_outlasts_the_function_and_ends_before_the_message_returns() -> None:
    """A lease shorter than the function could still be running would let a second consumer send;
    one longer than the visibility timeout would make every retry find it still held."""
    template = TemplateResources()
    consumers: list[tuple[str, str, type[DeliverySettings]]] = [
        ("SendConfirmationFunction", "ConfirmationQueue", ConfirmationSettings),
        ("NotifyCareTeamFunction", "CareTeamQueue", CareTeamSettings),
    ]
    for function, queue, settings in consumers:
        lease = settings.from_environ(template.function_environment(function)).delivery_lease_seconds
        timeout = int(template.function_property(function, "Timeout"))
        visibility = int(template.properties(queue)["VisibilityTimeout"])
        assert timeout < lease < visibility
        assert visibility >= 6 * timeout
