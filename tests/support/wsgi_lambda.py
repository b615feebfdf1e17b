"""A WSGI face for a Lambda proxy handler, so HTTP test tools can drive the real handler in-process.

Each request becomes the REST proxy event API Gateway would build (the local emulator's own
``build_proxy_event``), and the handler's proxy result becomes the WSGI response. No socket is opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from infra.local.api_gateway import HttpAnswer, answer_from_proxy_result, build_proxy_event, gateway_error
from infra.template import TemplateResources

Handler = Callable[[dict[str, Any]], dict[str, Any]]
StartResponse = Callable[..., Any]


class LambdaAsWsgi:
    """WSGI app calling ``handler`` (set per test) for the routes it serves."""

    def __init__(self, routes: set[tuple[str, str]], stage: str = "dev") -> None:
        self.routes = routes
        self.stage = stage
        self.gateway_responses = TemplateResources().gateway_responses()
        self.handler: Handler | None = None
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ["REQUEST_METHOD"])
        path = str(environ.get("PATH_INFO") or "/")
        query = str(environ.get("QUERY_STRING") or "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = [(key[5:].replace("_", "-").title(), str(value)) for key, value in environ.items()
                   if key.startswith("HTTP_")]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", str(environ["CONTENT_TYPE"])))
        if (path, method) not in self.routes:
            # API Gateway answers a method or path the API does not declare itself; the function never sees it.
            return self._send(gateway_error(HTTPStatus.FORBIDDEN, "Missing Authentication Token",
                                            self.gateway_responses), start_response)
        if self.handler is None:
            raise RuntimeError("no handler set")
        event = build_proxy_event(method=method, raw_path=path + (f"?{query}" if query else ""), headers=headers,
                                  body=body, source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
                                  stage=self.stage, resource=path)
        self.calls += 1
        answer = answer_from_proxy_result(self.handler(event))
        if answer is None:  # what API Gateway answers for a malformed integration result
            answer = gateway_error(HTTPStatus.BAD_GATEWAY, "Internal server error", self.gateway_responses)
        return self._send(answer, start_response)

    @staticmethod
    def _send(answer: HttpAnswer, start_response: StartResponse) -> Iterable[bytes]:
        reason = HTTPStatus(answer.status).phrase
        start_response(f"{answer.status} {reason}", [*answer.headers, ("Content-Length", str(len(answer.body)))])
        return [answer.body]
