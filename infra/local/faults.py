"""Faults the local AWS emulator can be told to answer with (``make gameday``, ``make faults``).

Each fault stands for a real failure: an SQS permissions mistake (every SendMessage denied), a
broken SES account (every SendEmail rejected, as SES answers an unverified sender or a sandboxed
account), and counted ones: the next N calls of one kind throttled (DynamoDB, SES, SNS), or carried
out with their answer lost on the way back (a crash or a network cut between the write and the
reply). The wrapped moto app answers those calls with the error AWS would give; every other call
goes through untouched.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

WsgiEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[WsgiEnviron, StartResponse], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]

SQS_SEND_TARGETS = ("AmazonSQS.SendMessage", "AmazonSQS.SendMessageBatch")
SESV2_SEND_PATH = "/v2/email/outbound-emails"


class AwsCall(StrEnum):
    """The calls a counted fault can hit."""

    DYNAMODB_TRANSACT_WRITE = "DynamoDB TransactWriteItems"
    SES_SEND = "SES v2 SendEmail"
    SNS_PUBLISH = "SNS Publish"
    SQS_SEND = "SQS SendMessage"

    def matches(self, environ: WsgiEnviron, body: bytes) -> bool:
        """True when this request is this call."""
        target = environ.get("HTTP_X_AMZ_TARGET")
        if self is AwsCall.DYNAMODB_TRANSACT_WRITE:
            return target == "DynamoDB_20120810.TransactWriteItems"
        if self is AwsCall.SQS_SEND:
            return target in SQS_SEND_TARGETS
        if self is AwsCall.SES_SEND:
            return environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == SESV2_SEND_PATH
        return b"Action=Publish" in body and environ.get("REQUEST_METHOD") == "POST"

    def throttled(self) -> Answer:
        """The answer AWS gives this call when it throttles."""
        if self is AwsCall.DYNAMODB_TRANSACT_WRITE:
            body = {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "message": "Rate of requests exceeds the allowed throughput (injected)"}
            return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0")], json.dumps(body).encode()
        if self is AwsCall.SES_SEND:
            return "429 Too Many Requests", [("Content-Type", "application/json"),
                                             ("x-amzn-ErrorType", "TooManyRequestsException")], \
                json.dumps({"message": "Maximum sending rate exceeded (injected)"}).encode()
        if self is AwsCall.SQS_SEND:
            body = {"__type": "com.amazonaws.sqs#RequestThrottled", "message": "Throttled (injected)"}
            return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                       ("x-amzn-query-error", "RequestThrottled;Sender")], json.dumps(body).encode()
        xml = ("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
               "<Message>Rate exceeded (injected)</Message></Error><RequestId>fault</RequestId></ErrorResponse>")
        return "400 Bad Request", [("Content-Type", "text/xml")], xml.encode()


@dataclass
class CountedFault:
    """The next ``remaining`` calls of one kind are throttled, or done with their answer lost."""

    call: AwsCall
    remaining: int
    lose_answer: bool = False


_LOST_ANSWER: Answer = ("500 Internal Server Error", [("Content-Type", "application/x-amz-json-1.0")],
                        json.dumps({"__type": "com.amazon.coral.service#InternalFailure",
                                    "message": "The answer was lost on the way back (injected)"}).encode())


class AwsFaults:
    """Which faults are switched on; safe to flip from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deny_sqs_sends = False
        self._break_ses = False
        self._counted: list[CountedFault] = []
        self.hits: dict[AwsCall, int] = {}

    def deny_sqs_sends(self, on: bool = True) -> None:
        """Answer every SQS SendMessage with AccessDenied (a role lost sqs:SendMessage)."""
        with self._lock:
            self._deny_sqs_sends = on

    def break_ses(self, on: bool = True) -> None:
        """Answer every SES v2 SendEmail with MessageRejected (unverified sender, sandboxed account)."""
        with self._lock:
            self._break_ses = on

    def throttle_next(self, call: AwsCall, times: int) -> None:
        """Throttle the next ``times`` calls of ``call`` (botocore's own retries count as calls)."""
        with self._lock:
            self._counted.append(CountedFault(call, times))

    def lose_answers_of_next(self, call: AwsCall, times: int) -> None:
        """Carry out the next ``times`` calls of ``call`` but answer 500, as if the reply never arrived."""
        with self._lock:
            self._counted.append(CountedFault(call, times, lose_answer=True))

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._deny_sqs_sends = self._break_ses = False
            self._counted.clear()

    def answer_for(self, environ: WsgiEnviron, body: bytes = b"") -> tuple[Answer | None, bool]:
        """(the error answer for this request while a fault is on, or None; whether to lose moto's answer)."""
        with self._lock:
            deny_sqs, break_ses = self._deny_sqs_sends, self._break_ses
            for fault in self._counted:
                if fault.remaining > 0 and fault.call.matches(environ, body):
                    fault.remaining -= 1
                    self.hits[fault.call] = self.hits.get(fault.call, 0) + 1
                    return (_LOST_ANSWER, True) if fault.lose_answer else (fault.call.throttled(), False)
        if deny_sqs and environ.get("HTTP_X_AMZ_TARGET") in SQS_SEND_TARGETS:
            body_json = {"__type": "com.amazon.coral.service#AccessDeniedException",
                         "message": "User is not authorized to perform: sqs:sendmessage (game day)"}
            return ("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                        ("x-amzn-query-error", "AccessDenied;Sender")],
                    json.dumps(body_json).encode()), False
        if break_ses and environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == SESV2_SEND_PATH:
            body_json = {"message": "Email address is not verified (game day)"}
            return ("400 Bad Request", [("Content-Type", "application/json"),
                                        ("x-amzn-ErrorType", "MessageRejected")], json.dumps(body_json).encode()), False
        return None, False


def inject_faults(app: WsgiApp, faults: AwsFaults) -> WsgiApp:
    """Wrap moto's WSGI app so switched-on faults answer before (or instead of) moto's own answer."""

    def wrapped(environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        answer, lose_answer = faults.answer_for(environ, body)
        if answer is None:
            return app(environ, start_response)
        if lose_answer:  # the call is carried out; only its answer is replaced
            b"".join(app(environ, lambda *_args, **_kwargs: None))
        status, headers, error_body = answer
        start_response(status, [*headers, ("Content-Length", str(len(error_body)))])
        return [error_body]

    return wrapped
