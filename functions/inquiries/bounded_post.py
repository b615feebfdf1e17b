"""One POST whose whole exchange is bounded in time and in what it reads, written once for the webhook sender
(``handoff.sender``) and the chat notification (``delivery.chat``).

The connection's socket timeout bounds each socket operation; a watchdog bounds the exchange as a whole: when
the deadline passes it shuts the socket, so a server trickling its answer a byte at a time cannot hold the
caller beyond it. At most ``max_answer_bytes`` of the answer are read. The caller picks the connection (its
address checks, TLS) and says what a status means; a failure is ``ExchangeFailed``, which tells only whether
the deadline passed (no URL, no body: the callers turn it into their own fixed reason codes).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Mapping


class ExchangeFailed(Exception):
    """The exchange did not complete: ``expired`` when the deadline passed, else the peer was unreachable."""

    def __init__(self, expired: bool) -> None:
        super().__init__("deadline" if expired else "unreachable")
        self.expired = expired


def post_within(conn: http.client.HTTPConnection, path: str, body: bytes, headers: Mapping[str, str], *,
                deadline: float, max_answer_bytes: int) -> int:
    """POST ``body`` on ``conn`` (not yet connected; always closed after) within ``deadline`` seconds from
    now, and return the answer's status. Raises ``ExchangeFailed``."""
    expired = threading.Event()
    ends = time.monotonic() + deadline
    watchdog: threading.Timer | None = None
    try:
        conn.connect()  # bounded by the socket timeout, which is the whole deadline
        # The socket itself: the connection lets go of it once the answer says it will close.
        watchdog = threading.Timer(max(0.0, ends - time.monotonic()), _abort, args=(conn.sock, expired))
        watchdog.daemon = True
        watchdog.start()
        conn.request("POST", path, body=body, headers=dict(headers))
        answer = conn.getresponse()
        answer.read(max_answer_bytes)
        status = answer.status
    except (OSError, http.client.HTTPException):
        raise ExchangeFailed(expired.is_set()) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()
    if expired.is_set():
        raise ExchangeFailed(True)
    return status


def _abort(sock: socket.socket | None, expired: threading.Event) -> None:
    """The deadline passed: unblock whatever the exchange is waiting on."""
    expired.set()
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
