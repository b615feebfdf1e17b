"""Requests to the care API as API Gateway passes them after its Cognito authorizer, and who makes them."""

from __future__ import annotations

import json
from typing import Any

from tests.support.events import api_event, response_json
from tests.support.lambda_context import FakeLambdaContext
from tests.support.stack import Stack

# The console's app client as the functions know it under the ``stack`` fixture (no pool is created there,
# so CONSOLE_CLIENT_ID resolves to the client's logical ID).
CONSOLE_CLIENT = "CareConsoleClient"
_ID_TOKEN = {"token_use": "id", "aud": CONSOLE_CLIENT, "email_verified": "true"}
CARE_MEMBER = {"sub": "0b7e9c1e-0000-4000-8000-00000000c0de", "email": "care@clinic.local",
               "cognito:groups": "care-team", **_ID_TOKEN}
ADMIN = {"sub": "0b7e9c1e-0000-4000-8000-00000000ad31", "email": "admin@clinic.local",
         "cognito:groups": "care-team,care-admin", **_ID_TOKEN}
OUTSIDER = {"sub": "0b7e9c1e-0000-4000-8000-0000000000fe", "email": "someone@clinic.local", **_ID_TOKEN}


def care_request(stack: Stack, method: str, path: str, *, claims: dict[str, str] | None = None,
                 query: dict[str, str] | None = None, body: Any = None,
                 headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Invoke CareApiFunction with a REST proxy event carrying the authorizer's ``claims`` (None: none)."""
    hdrs = {"Content-Type": "application/json", **(headers or {})} if body is not None else dict(headers or {})
    event = api_event(method=method, path=path, headers=hdrs,
                      body=None if body is None else (body if isinstance(body, str) else json.dumps(body)))
    if query:
        event["queryStringParameters"] = dict(query)
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        event["path"] = path  # the query string is not part of the path
    if claims is not None:
        event["requestContext"]["authorizer"] = {"claims": dict(claims)}
    response: dict[str, Any] = stack.handler("care_api")(event, FakeLambdaContext("CareApiFunction"))
    return response


def listed(stack: Stack, claims: dict[str, str] = CARE_MEMBER, **query: str) -> dict[str, Any]:
    """``GET /care/inquiries`` as JSON (asserting 200)."""
    response = care_request(stack, "GET", "/care/inquiries", claims=claims, query=query or None)
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = response_json(response)
    return body


def audit_trail(stack: Stack, inquiry_id: str | None = None) -> list[dict[str, Any]]:
    """``GET /care/audit`` by an admin: the entries, newest first."""
    response = care_request(stack, "GET", "/care/audit", claims=ADMIN,
                            query={"inquiry_id": inquiry_id} if inquiry_id else None)
    assert response["statusCode"] == 200, response
    items: list[dict[str, Any]] = response_json(response)["items"]
    return items



class TeamPool:
    """The template's user pool in moto, with care-team members an admin added (``GET /care/team`` reads them)."""

    def __init__(self, stack: Stack) -> None:
        import boto3

        self.idp = boto3.client("cognito-idp", region_name=stack.region)
        stack.resources.create_user_pools(boto3.Session(region_name=stack.region))
        self.pool_id = stack.resources.names.refs["CareTeamUserPool"]
        # The pool's id only: tokens stay the ones CARE_MEMBER and ADMIN stand for (aud CareConsoleClient).
        stack.configure(USER_POOL_ID=self.pool_id)

    def add(self, email: str, name: str | None, *groups: str, enabled: bool = True) -> str:
        """Create a member (``name`` set by an admin) in ``groups``; their sub."""
        attributes: list[Any] = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        if name is not None:
            attributes.append({"Name": "name", "Value": name})
        created = self.idp.admin_create_user(UserPoolId=self.pool_id, Username=email, MessageAction="SUPPRESS",
                                             UserAttributes=attributes)
        for group in groups:
            self.idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email, GroupName=group)
        if not enabled:
            self.idp.admin_disable_user(UserPoolId=self.pool_id, Username=email)
        sub: str = {a["Name"]: a["Value"] for a in created["User"]["Attributes"]}["sub"]
        return sub
