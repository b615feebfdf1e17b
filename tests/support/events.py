"""API Gateway REST proxy events, built the way API Gateway builds them, and the samples in events/."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support import phi

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/ (a fresh copy every time)."""
    data: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def api_event(
    *,
    method: str = "POST",
    path: str = "/inquiries",
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
    source_ip: str = "203.0.113.10",
) -> dict[str, Any]:
    """A REST API proxy event for one request."""
    hdrs = dict(headers or {})
    raw = body.encode("utf-8") if isinstance(body, str) else body
    encoded: str | None
    if raw is None:
        encoded = None
    elif base64_body:
        encoded = base64.b64encode(raw).decode("ascii")
    else:
        encoded = raw.decode("utf-8")
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": encoded,
        "isBase64Encoded": base64_body,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/dev{path}",
            "stage": "dev",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": 1795770000000,
            "identity": {"sourceIp": source_ip, "userAgent": "pytest"},
        },
    }


def json_post(payload: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    """POST /inquiries with a JSON body (its values registered as submitted PHI)."""
    if isinstance(payload, dict):
        phi.register(payload)
    return api_event(
        body=json.dumps(payload), headers={"Content-Type": "application/json", **(headers or {})}, **kwargs
    )


def form_post(fields: dict[str, str], headers: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    """POST /inquiries as a plain HTML form would (its values registered as submitted PHI)."""
    phi.register(fields)
    return api_event(
        body=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        **kwargs,
    )


def response_headers(response: dict[str, Any]) -> dict[str, str]:
    """A handler response's headers, single- and multi-valued merged, keys lower-cased."""
    merged = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        merged[key.lower()] = ",".join(values)
    return merged


def response_json(response: dict[str, Any]) -> Any:
    """The decoded JSON body of a handler response."""
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8")
    return json.loads(body)
