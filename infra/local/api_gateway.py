"""An API Gateway (REST, Lambda proxy) emulator on loopback, and the example website.

Each HTTP request for a route the template declares (``Events`` of type ``Api``) becomes a REST
proxy event for the real handler; its answer becomes the HTTP response. As in API Gateway,
``requestContext.identity.sourceIp`` is the TCP peer's address: a client-supplied
X-Forwarded-For is passed on as a header and never trusted. A route whose event names the Cognito
authorizer is invoked only with a valid ID token (``infra.local.cognito``), its claims in
``requestContext.authorizer.claims``; otherwise the answer is API Gateway's own 401. ``GET /`` and
other paths serve files from ``web/`` (the care console under ``/care/``, with its production
security headers); ``/_local/outbox`` shows what the pipeline sent; ``/care/config.json`` tells the
console where to sign in, and ``POST /_local/cognito`` forwards the console's own Cognito calls (and no
other action) to moto's Cognito so the browser needs no cross-origin request.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from inquiries.intake.language import preferred_language
from inquiries.record import Language

from infra.local.cognito import console_action, revoke_refresh_token
from infra.local.config import LOOPBACK
from infra.local.lambda_runtime import HandlerUnavailable, LocalFunction

log = logging.getLogger("infra.local")

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_TEXT_TYPES = ("application/json", "application/x-www-form-urlencoded", "application/xml",
               "application/javascript", "application/graphql")
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}


def is_text_content_type(content_type: str | None) -> bool:
    """True for bodies API Gateway passes as text; anything else is base64-encoded."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


@dataclass(frozen=True)
class ApiRoute:
    """One method on one resource path (``{name}`` marks a path parameter), served by one function."""

    resource: str
    method: str
    function: LocalFunction
    authorizer: str | None = None
    # The method's AuthorizationScopes: an access token bearing one of them, instead of an ID token.
    scopes: tuple[str, ...] = ()

    def path_parameters(self, path: str) -> dict[str, str] | None:
        """The path parameters when ``path`` is this resource (empty for a plain path), else None."""
        if "{" not in self.resource:
            return {} if path == self.resource else None
        pattern = "^" + re.sub(r"\\{([A-Za-z0-9_]+)\\}", r"(?P<\1>[^/]+)", re.escape(self.resource)) + "$"
        match = re.match(pattern, path)
        return dict(match.groupdict()) if match else None


class Authorizer(Protocol):
    """Checks the Authorization header of a request to a guarded route (``infra.local.cognito``)."""

    def claims(self, authorization: str | None, scopes: tuple[str, ...] = ()) -> dict[str, str] | None:
        """The verified claims (of an access token bearing one of ``scopes``, when there are any), or None
        (API Gateway answers 401)."""


# Production's headers for the console (template.yaml ConsoleResponseHeadersPolicy), the API and
# Cognito being same-origin locally.
CONSOLE_SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'; object-src 'none'"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
]


def build_proxy_event(
    *,
    method: str,
    raw_path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    stage: str,
    resource: str,
    request_id: str | None = None,
    now: datetime | None = None,
    path_parameters: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy integration event for one HTTP request."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path) or "/"
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    single_headers = {name: values[-1] for name, values in multi_headers.items()}
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    content_type = next((v for k, v in single_headers.items() if k.lower() == "content-type"), None)
    event_body: str | None = None
    is_base64 = False
    if body:
        if is_text_content_type(content_type):
            try:
                event_body = body.decode("utf-8")
            except UnicodeDecodeError:
                is_base64 = True
        else:
            is_base64 = True
        if is_base64:
            event_body = base64.b64encode(body).decode("ascii")
    when = now or datetime.now(UTC)
    user_agent = next((v for k, v in single_headers.items() if k.lower() == "user-agent"), None)
    host = next((v for k, v in single_headers.items() if k.lower() == "host"), LOOPBACK)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "body": event_body,
        "isBase64Encoded": is_base64,
        "requestContext": {
            **({"authorizer": {"claims": claims}} if claims is not None else {}),
            "accountId": "123456789012",
            "apiId": "local",
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "protocol": "HTTP/1.1",
            "domainName": host,
            "requestId": request_id or str(uuid.uuid4()),
            "extendedRequestId": request_id or str(uuid.uuid4()),
            "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(when.timestamp() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": user_agent},
        },
    }


@dataclass(frozen=True)
class HttpAnswer:
    """What goes back over HTTP."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


def answer_from_proxy_result(result: Any) -> HttpAnswer | None:
    """Turn a proxy integration result into HTTP; None when it is malformed (API Gateway answers 502)."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return None
    headers: list[tuple[str, str]] = []
    multi = result.get("multiValueHeaders") or {}
    multi_names = {name.lower() for name in multi}
    for name, values in multi.items():
        headers.extend((name, str(v)) for v in values)
    for name, value in (result.get("headers") or {}).items():
        if name.lower() not in multi_names:
            headers.append((name, str(value)))
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode("utf-8")
    return HttpAnswer(int(result["statusCode"]), headers, body)


def gateway_error(status: int, message: str, responses: Mapping[str, Any]) -> HttpAnswer:
    """An error API Gateway itself would answer with, shaped by the template's GatewayResponses.

    The CORS origin header is left out: locally the form and the API share one origin.
    """
    specific = {401: "UNAUTHORIZED"}.get(status)
    spec = responses.get(specific or "") or responses.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX")
    if spec is None:
        return HttpAnswer(status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode())
    headers = [("Content-Type", "application/json")]
    for name, value in spec.get("ResponseParameters", {}).get("Headers", {}).items():
        if isinstance(value, str) and name.lower() != "access-control-allow-origin":
            headers.append((name, value.strip("'")))
    body = str(spec.get("ResponseTemplates", {}).get("application/json", "")).encode()
    return HttpAnswer(status, headers, body)


class Outbox(Protocol):
    """What ``/_local/outbox`` shows (see ``infra.local.outbox``)."""

    def as_json(self) -> dict[str, Any]:
        """The outbox as JSON."""

    def as_html(self) -> str:
        """The outbox as a readable page."""


class ApiGatewayEmulator(ThreadingHTTPServer):
    """HTTP on loopback: API routes to handlers, the website, and the local outbox."""

    daemon_threads = True

    def __init__(
        self,
        port: int,
        routes: list[ApiRoute],
        stage: str,
        web_root: Path,
        outbox: Outbox | None = None,
        on_answer: Callable[[ApiRoute, dict[str, Any], HttpAnswer], None] | None = None,
        gateway_responses: Mapping[str, Any] | None = None,
        authorizer: Authorizer | None = None,
        console_config: Mapping[str, str] | None = None,
        cognito_url: str | None = None,
        token_endpoint: Callable[[dict[str, str], bytes], HttpAnswer] | None = None,
    ) -> None:
        self.token_endpoint = token_endpoint
        self.gateway_responses = dict(gateway_responses or {})
        self.authorizer = authorizer
        self.console_config = dict(console_config) if console_config is not None else None
        self.cognito_url = cognito_url
        self.routes = {(r.resource, r.method): r for r in routes}
        self.stage = stage
        self.web_root = web_root.resolve()
        self.outbox = outbox
        self.on_answer = on_answer
        super().__init__((LOOPBACK, port), _RequestHandler)

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self.server_address[1])

    def route(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | bool | None:
        """The route for this request and its path parameters; False when the path is an API resource
        without this method; None when it is no API resource."""
        found = self.routes.get((path, method))
        if found:
            return found, {}
        resource_matched = False
        for candidate in self.routes.values():
            params = candidate.path_parameters(path)
            if params is None:
                continue
            if candidate.method == method:
                return candidate, params
            resource_matched = True
        return False if resource_matched else None

    def claims_for(self, route: ApiRoute, authorization: str | None) -> dict[str, str] | None:
        """The verified claims for a guarded route; None means API Gateway's 401."""
        if self.authorizer is None:
            return None
        return self.authorizer.claims(authorization, route.scopes)

    def sign_in_call(self, target: str, body: bytes) -> HttpAnswer:
        """Forward one Cognito API call the console makes (``cognito.CONSOLE_ACTIONS``) to moto, keeping its
        target and body; any other action is refused (400)."""
        if self.cognito_url is None:
            return HttpAnswer(HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain; charset=utf-8")], b"Not found\n")
        action = console_action(target)
        if action is None:
            return HttpAnswer(HTTPStatus.BAD_REQUEST, [("Content-Type", "application/json")],
                              b'{"__type":"InvalidParameterException",'
                              b'"message":"This is not a call the console makes."}')
        if action == "RevokeToken":  # moto has none: done on its pool here
            code, answer = revoke_refresh_token(body)
            return HttpAnswer(code, [("Content-Type", "application/x-amz-json-1.1"), ("Cache-Control", "no-store")],
                              json.dumps(answer).encode())
        request = urllib.request.Request(  # noqa: S310 - the loopback AWS emulator only
            self.cognito_url, data=body, method="POST",
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        return HttpAnswer(status, [("Content-Type", "application/x-amz-json-1.1"), ("Cache-Control", "no-store")],
                          payload)

    def gateway_error(self, status: int, message: str) -> HttpAnswer:
        """An error answered by API Gateway itself, shaped like the deployed API's."""
        return gateway_error(status, message, self.gateway_responses)

    def call_api(self, route: ApiRoute, event: dict[str, Any]) -> HttpAnswer:
        """Invoke the route's function; handler errors become API Gateway's 502."""
        request_id = event["requestContext"]["requestId"]
        try:
            result = route.function.invoke(event)
        except HandlerUnavailable:
            answer = None
        except Exception as exc:  # a handler failure: log its type only (its text could hold PHI)
            log.error("%s raised %s (request %s)", route.function.logical_id, type(exc).__name__, request_id)
            answer = None
        else:
            answer = answer_from_proxy_result(result)
        if answer is None:
            answer = self.gateway_error(HTTPStatus.BAD_GATEWAY, "Internal server error")
        if self.on_answer is not None:
            self.on_answer(route, event, answer)
        return answer

    def static_file(self, path: str) -> HttpAnswer | None:
        """A file from web/ (``/`` is index.html), or None when there is no such file."""
        relative = "index.html" if path in ("", "/") else path.lstrip("/")
        candidate = (self.web_root / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(self.web_root) or not candidate.is_file():
            return None
        content_type = _STATIC_TYPES.get(candidate.suffix) or mimetypes.guess_type(candidate.name)[0]
        headers = [("Content-Type", content_type or "application/octet-stream"),
                   ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
        if path == "/care" or path.startswith("/care/"):
            headers += CONSOLE_SECURITY_HEADERS
        return HttpAnswer(HTTPStatus.OK, headers, candidate.read_bytes())

    def website_root(self, path: str, accept_language: str | None) -> HttpAnswer | None:
        """``/`` in the browser's language (``Accept-Language``, as intake reads it): the Spanish form at ``/es/``
        when Spanish is preferred, else the English one. ``/index.html`` and ``/es/`` are the person's own
        choice (the pages' switch links to them) and are served as asked. None for any other path."""
        if path not in ("", "/"):
            return None
        vary = [("Vary", "Accept-Language")]
        if preferred_language(accept_language) is Language.ES and (self.web_root / "es" / "index.html").is_file():
            return HttpAnswer(HTTPStatus.FOUND, [("Location", "/es/"), ("Cache-Control", "no-store"), *vary], b"")
        answer = self.static_file(path)
        return None if answer is None else HttpAnswer(answer.status, answer.headers + vary, answer.body)

    def is_own_host(self, host: str | None) -> bool:
        """True when ``Host`` names this server on loopback (``127.0.0.1:<port>`` or ``localhost:<port>``).

        A page on another site that rebinds its own name to 127.0.0.1 sends its own name as Host: the
        outbox (every email and notification the pipeline sent) must not answer it.
        """
        return (host or "").strip().lower() in {f"{LOOPBACK}:{self.port}", f"localhost:{self.port}"}

    def local_page(self, path: str) -> HttpAnswer | None:
        """The ``/_local/`` pages and the console's ``/care/config.json``."""
        if path == "/care/config.json" and self.console_config is not None:
            return HttpAnswer(HTTPStatus.OK, [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                              json.dumps(self.console_config).encode())
        if self.outbox is None:
            return None
        if path == "/_local/outbox":
            body = json.dumps(self.outbox.as_json(), indent=2).encode()
            return HttpAnswer(HTTPStatus.OK, [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                              body)
        if path == "/_local/outbox.html":
            return HttpAnswer(HTTPStatus.OK, [("Content-Type", "text/html; charset=utf-8"),
                                              ("Cache-Control", "no-store")], self.outbox.as_html().encode())
        return None


class _RequestHandler(BaseHTTPRequestHandler):
    server: ApiGatewayEmulator
    protocol_version = "HTTP/1.1"
    server_version = "LocalApiGateway"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: paths and query strings can hold PHI; the stack logs ids instead."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, QUERY, ...): no route declares it, so API Gateway answers it itself
        # (403), where http.server would answer 501.
        if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
            return lambda: self._handle(name[3:])
        raise AttributeError(name)

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                total += size
                if total > MAX_REQUEST_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self, method: str) -> None:
        body = self._read_body()
        if body is None:
            self.close_connection = True
            too_large = self.server.gateway_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large")
            self._send(method, too_large)
            return
        path = unquote(urlsplit(self.path).path) or "/"
        if path.startswith("/_local") and not self.server.is_own_host(self.headers.get("Host")):
            # A page that rebinds its own name to 127.0.0.1 sends that name: no outbox, no sign-in for it.
            self._send(method, HttpAnswer(HTTPStatus.FORBIDDEN, [("Content-Type", "text/plain; charset=utf-8")],
                                          b"The local pages answer only to 127.0.0.1 and localhost on this port.\n"))
            return
        if method == "POST" and path == "/oauth2/token" and self.server.token_endpoint is not None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._send(method, self.server.token_endpoint(headers, body))
            return
        if method == "POST" and path == "/_local/cognito":
            self._send(method, self.server.sign_in_call(self.headers.get("X-Amz-Target") or "", body))
            return
        found = self.server.route(method, path)
        if isinstance(found, tuple):
            route, params = found
            claims = None
            if route.authorizer is not None:
                claims = self.server.claims_for(route, self.headers.get("Authorization"))
                if claims is None:  # API Gateway refuses before the function runs: nothing is read
                    self._send(method, self.server.gateway_error(HTTPStatus.UNAUTHORIZED, "Unauthorized"))
                    return
            event = build_proxy_event(
                method=method, raw_path=self.path, headers=list(self.headers.items()), body=body,
                source_ip=self.client_address[0], stage=self.server.stage, resource=route.resource,
                path_parameters=params, claims=claims,
            )
            self._send(method, self.server.call_api(route, event))
            return
        if found is False:
            self._send(method, self.server.gateway_error(HTTPStatus.FORBIDDEN, "Missing Authentication Token"))
            return
        answer = None
        if method in ("GET", "HEAD"):
            language = self.headers.get("Accept-Language")
            answer = (self.server.local_page(path) or self.server.website_root(path, language)
                      or self.server.static_file(path))
        if answer is None:
            answer = HttpAnswer(HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain; charset=utf-8")], b"Not found\n")
        self._send(method, answer)

    def _send(self, method: str, answer: HttpAnswer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(answer.body)


def routes_from_template(functions: Mapping[str, LocalFunction], api_routes: list[tuple[str, str, str]],
                         authorizers: Mapping[tuple[str, str], str] | None = None,
                         scopes: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> list[ApiRoute]:
    """ApiRoutes for the template's Api events, served by the given local functions; ``authorizers`` names
    the authorizer of each guarded (path, method), ``scopes`` the OAuth scopes it asks of an access token."""
    return [ApiRoute(path, method, functions[lid], (authorizers or {}).get((path, method)),
                     (scopes or {}).get((path, method), ()))
            for lid, path, method in api_routes if lid in functions]
