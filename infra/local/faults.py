"""Faults the local AWS emulator can be told to answer with (``make gameday``).

Each fault stands for a real failure ops must hear about: an SQS permissions mistake (every
SendMessage denied) and a broken SES account (every SendEmail rejected, as SES answers an
unverified sender or a sandboxed account). The wrapped moto app answers those calls with the
error AWS would give; every other call goes through untouched.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

WsgiEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[WsgiEnviron, StartResponse], Iterable[bytes]]

SQS_SEND_TARGETS = ("AmazonSQS.SendMessage", "AmazonSQS.SendMessageBatch")
SESV2_SEND_PATH = "/v2/email/outbound-emails"


class AwsFaults:
    """Which faults are switched on; safe to flip from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deny_sqs_sends = False
        self._break_ses = False

    def deny_sqs_sends(self, on: bool = True) -> None:
        """Answer every SQS SendMessage with AccessDenied (a role lost sqs:SendMessage)."""
        with self._lock:
            self._deny_sqs_sends = on

    def break_ses(self, on: bool = True) -> None:
        """Answer every SES v2 SendEmail with MessageRejected (unverified sender, sandboxed account)."""
        with self._lock:
            self._break_ses = on

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._deny_sqs_sends = self._break_ses = False

    def answer_for(self, environ: WsgiEnviron) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """The error answer for this request while a fault is on, else None."""
        with self._lock:
            deny_sqs, break_ses = self._deny_sqs_sends, self._break_ses
        if deny_sqs and environ.get("HTTP_X_AMZ_TARGET") in SQS_SEND_TARGETS:
            body = {"__type": "com.amazon.coral.service#AccessDeniedException",
                    "message": "User is not authorized to perform: sqs:sendmessage (game day)"}
            return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                       ("x-amzn-query-error", "AccessDenied;Sender")], json.dumps(body).encode()
        if break_ses and environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == SESV2_SEND_PATH:
            body = {"message": "Email address is not verified (game day)"}
            return "400 Bad Request", [("Content-Type", "application/json"),
                                       ("x-amzn-ErrorType", "MessageRejected")], json.dumps(body).encode()
        return None


def inject_faults(app: WsgiApp, faults: AwsFaults) -> WsgiApp:
    """Wrap moto's WSGI app so switched-on faults answer before moto sees the request."""

    def wrapped(environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        answer = faults.answer_for(environ)
        if answer is None:
            return app(environ, start_response)
        status, headers, body = answer
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return wrapped
