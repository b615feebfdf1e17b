"""Issue 22 item 2: Standard Webhooks signatures, checked with the ``standardwebhooks`` package as a receiver would.

A tampered body, a wrong secret and an old timestamp are each refused; during a rotation either secret verifies.
"""

from __future__ import annotations

import time

import pytest
from inquiries.handoff import signing
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BODY = '{"data":{"inquiry_id":"01KBQ7ZP3M5R8T2V6X9Y4W1C0D"},"id":"evt_1","timestamp":"x","type":"inquiry.received"}'


def headers_now(secrets: list[str], at: int | None = None) -> dict[str, str]:
    return signing.headers(secrets, "evt_1", int(time.time()) if at is None else at, BODY)


def test_a_delivery_verifies_with_its_secret() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert Webhook(secret).verify(BODY, headers_now([secret]))["id"] == "evt_1"


def test_a_tampered_body_is_refused() -> None:
    secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("inquiry.received", "inquiry.erased"), headers_now([secret]))


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, headers_now([signing.new_secret()]))


def test_an_old_timestamp_is_refused() -> None:
    secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, headers_now([secret], at=int(time.time()) - 3600))


def test_the_timestamp_is_utc_epoch_seconds() -> None:
    header = headers_now([signing.new_secret()])["webhook-timestamp"]
    assert header.isdigit() and abs(int(header) - time.time()) < 5


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    headers = headers_now([new, old])
    assert headers["webhook-signature"].count("v1,") == 2
    assert Webhook(old).verify(BODY, headers)["id"] == "evt_1"
    assert Webhook(new).verify(BODY, headers)["id"] == "evt_1"


@pytest.mark.parametrize("bad", ["sk_abc", "whsec_not*base64", "whsec_c2hvcnQ="])
def test_a_malformed_secret_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(signing.InvalidSecret) as raised:
        signing.secret_key(bad)
    assert bad not in str(raised.value)
