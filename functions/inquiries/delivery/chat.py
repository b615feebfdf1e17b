"""The optional chat notification: a Slack-compatible incoming webhook.

Disabled unless ``CHAT_WEBHOOK_PARAMETER`` names an SSM parameter (SecureString) holding the
webhook URL. The URL is a secret: it is read once per cold start and never logged. Standard
library only (http.client, which follows no redirect and reads no proxy from the environment), so
the Lambda package gains no dependency.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import ssl
from functools import lru_cache
from urllib.parse import urlsplit

from inquiries import aws
from inquiries.bounded_post import ExchangeFailed, post_within


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


_MAX_ANSWER_BYTES = 64 * 1024


def post_to_chat(url: str, text: str, timeout: float) -> None:
    """POST ``{"text": text}`` to the webhook. Raises ``ChatPostFailed`` unless it answers 2xx in time.

    Only https URLs are used, and plain http to a loopback address (the local stack and tests). A 3xx
    answer is refused, never followed: a redirect could lead anywhere, over plain http. ``timeout`` is a
    deadline for the whole exchange, not per socket operation: when it passes, a watchdog shuts the
    connection, so a server trickling its answer a byte at a time cannot hold the consumer beyond it.
    """
    parts = urlsplit(url)
    if not (parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname))):
        raise ChatPostFailed("chat_url_not_allowed")
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        status = post_within(conn, path, json.dumps({"text": text}).encode("utf-8"),
                             {"Content-Type": "application/json; charset=utf-8"},
                             deadline=timeout, max_answer_bytes=_MAX_ANSWER_BYTES)
    except ExchangeFailed as failed:
        raise ChatPostFailed("chat_deadline" if failed.expired else "chat_unreachable") from None
    if 300 <= status < 400:
        raise ChatPostFailed(f"chat_redirect_{status}")
    if not 200 <= status < 300:
        raise ChatPostFailed(f"chat_http_{status}")

