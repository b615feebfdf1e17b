"""Standard Webhooks signatures (https://www.standardwebhooks.com/), with the standard library only.

A destination's secret is ``whsec_`` and the base64 of 32 random bytes. A delivery carries
``webhook-id`` (the event id), ``webhook-timestamp`` (UTC epoch seconds, when it is sent) and
``webhook-signature``: ``v1,`` and the base64 of HMAC-SHA256, keyed with the secret's bytes, over
``<id>.<timestamp>.<body>``; during a rotation one such signature per valid secret, separated by spaces,
so a receiver holding either secret verifies it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

PREFIX = "whsec_"
SECRET_BYTES = 32


class InvalidSecret(ValueError):
    """A stored secret is not ``whsec_`` and base64 (the message never holds the value)."""


def new_secret() -> str:
    """A fresh destination secret."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key a ``whsec_`` secret stands for."""
    if not secret.startswith(PREFIX):
        raise InvalidSecret("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(PREFIX):], validate=True)
    except ValueError:
        raise InvalidSecret("a webhook secret is base64 after whsec_") from None
    if len(key) < 24:
        raise InvalidSecret("a webhook secret holds at least 24 bytes")
    return key


def signature(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    """One ``v1,`` signature of a delivery under one secret."""
    signed = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(secrets_in_use: Sequence[str], webhook_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` value: one signature per secret in use (the current one first)."""
    if not secrets_in_use:
        raise InvalidSecret("no secret to sign with")
    return " ".join(signature(s, webhook_id, timestamp, body) for s in secrets_in_use)


def headers(secrets_in_use: Sequence[str], webhook_id: str, timestamp: int, body: str) -> dict[str, str]:
    """Every header a delivery carries."""
    return {"content-type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(secrets_in_use, webhook_id, timestamp, body)}
