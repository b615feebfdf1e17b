"""The optional chat notification: a Slack-compatible incoming webhook.

Disabled unless ``CHAT_WEBHOOK_PARAMETER`` names an SSM parameter (SecureString) holding the
webhook URL. The URL is a secret: it is read once per cold start and never logged. Standard
library only (urllib), so the Lambda package gains no dependency.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.error
import urllib.request
from functools import lru_cache
from urllib.parse import urlsplit

from inquiries import aws


class ChatPostFailed(Exception):
    """The webhook did not take the message. ``reason`` is a fixed code (no URL, no payload)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=4)
def webhook_url(parameter_name: str) -> str:
    """The webhook URL stored in SSM (decrypted), fetched once per process."""
    resp = aws.ssm().get_parameter(Name=parameter_name, WithDecryption=True)
    return resp["Parameter"].get("Value", "")


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post_to_chat(url: str, text: str, timeout: float) -> None:
    """POST ``{"text": text}`` to the webhook. Raises ``ChatPostFailed`` unless it answers 2xx.

    Only https URLs are used, and plain http to a loopback address (the local stack and tests).
    """
    parts = urlsplit(url)
    if not (parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))):
        raise ChatPostFailed("chat_url_not_allowed")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps({"text": text}).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
            resp.read()
    except urllib.error.HTTPError as exc:
        raise ChatPostFailed(f"chat_http_{exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise ChatPostFailed("chat_unreachable") from None
