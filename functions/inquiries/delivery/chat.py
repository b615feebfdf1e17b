"""The optional chat notification: a Slack-compatible incoming webhook.

Disabled unless ``CHAT_WEBHOOK_PARAMETER`` names an SSM parameter (SecureString) holding the
webhook URL. The URL is a secret: it is read once per cold start and never logged. Standard
library only (http.client, which follows no redirect and reads no proxy from the environment), so
the Lambda package gains no dependency.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
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
    expired = threading.Event()
    deadline = time.monotonic() + timeout
    watchdog: threading.Timer | None = None
    try:
        conn.connect()  # bounded by the socket timeout, which is the whole deadline
        # The socket itself: the connection lets go of it once the answer says it will close.
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _abort, args=(conn.sock, expired))
        watchdog.daemon = True
        watchdog.start()
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=json.dumps({"text": text}).encode("utf-8"),
                     headers={"Content-Type": "application/json; charset=utf-8"})
        answer = conn.getresponse()
        answer.read(_MAX_ANSWER_BYTES)
        status = answer.status
    except (OSError, http.client.HTTPException):
        raise ChatPostFailed("chat_deadline" if expired.is_set() else "chat_unreachable") from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()
    if expired.is_set():
        raise ChatPostFailed("chat_deadline")
    if 300 <= status < 400:
        raise ChatPostFailed(f"chat_redirect_{status}")
    if not 200 <= status < 300:
        raise ChatPostFailed(f"chat_http_{status}")


def _abort(sock: socket.socket | None, expired: threading.Event) -> None:
    """The deadline passed: unblock whatever the exchange is waiting on."""
    expired.set()
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
