"""Requests to RightsApiFunction as API Gateway passes them after its Cognito authorizer."""

from __future__ import annotations

import json
from typing import Any

from tests.support.events import api_event
from tests.support.lambda_context import FakeLambdaContext
from tests.support.stack import Stack


def rights_request(stack: Stack, method: str, path: str, *, claims: dict[str, str] | None = None,
                   query: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    """Invoke RightsApiFunction with a REST proxy event carrying the authorizer's ``claims`` (None: none)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    event = api_event(method=method, path=path, headers=headers,
                      body=None if body is None else (body if isinstance(body, str) else json.dumps(body)))
    if query:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        event["path"] = path
    if claims is not None:
        event["requestContext"]["authorizer"] = {"claims": dict(claims)}
    response: dict[str, Any] = stack.handler("rights_api")(event, FakeLambdaContext("RightsApiFunction"))
    return response
