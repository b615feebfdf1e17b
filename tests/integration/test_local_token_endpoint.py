"""The local stack's client-credentials token endpoint (``infra.local.oauth``), on moto's pool built from the
template: it issues an access token as Cognito does for the integration's app client, and refuses what Cognito
refuses, with RFC 6749's errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import jwt
import pytest

from infra.local.oauth import ClientCredentialsEndpoint
from tests.support.stack import Stack

FORM = {"content-type": "application/x-www-form-urlencoded"}


class Pool:
    def __init__(self, stack: Stack) -> None:
        stack.resources.create_user_pools(boto3.Session(region_name=stack.region))
        self.pool_id = stack.resources.names.refs["CareTeamUserPool"]
        self.client_id = stack.resources.names.refs["CareIntegrationClient"]
        self.console_id = stack.resources.names.refs["CareConsoleClient"]
        idp = boto3.client("cognito-idp", region_name=stack.region)
        self.secret = idp.describe_user_pool_client(UserPoolId=self.pool_id,
                                                    ClientId=self.client_id)["UserPoolClient"]["ClientSecret"]
        self.endpoint = ClientCredentialsEndpoint(stack.region, self.pool_id)

    def basic(self, client_id: str | None = None, secret: str | None = None) -> dict[str, str]:
        pair = f"{client_id or self.client_id}:{secret or self.secret}".encode()
        return {**FORM, "authorization": "Basic " + base64.b64encode(pair).decode()}


@pytest.fixture
def pool(stack: Stack) -> Pool:
    return Pool(stack)


def answer(pool: Pool, headers: dict[str, str], body: str) -> tuple[int, dict[str, Any]]:
    got = pool.endpoint.answer(headers, body.encode())
    assert ("Cache-Control", "no-store") in got.headers
    return got.status, json.loads(got.body)


def test_client_credentials_get_an_access_token_of_the_clients_scopes(pool: Pool, stack: Stack) -> None:
    status, body = answer(pool, pool.basic(), "grant_type=client_credentials")

    assert status == 200, body
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["token_use"] == "access" and claims["scope"] == "inquiries/read"
    assert claims["client_id"] == claims["sub"] == pool.client_id
    assert claims["iss"] == f"https://cognito-idp.{stack.region}.amazonaws.com/{pool.pool_id}"
    assert jwt.get_unverified_header(body["access_token"])["kid"] == "dummy"  # moto's pool key, in its JWKS


def test_the_credentials_may_come_in_the_form(pool: Pool) -> None:
    status, _ = answer(pool, FORM, f"grant_type=client_credentials&client_id={pool.client_id}"
                                   f"&client_secret={pool.secret}&scope=inquiries%2Fread")
    assert status == 200


@pytest.mark.parametrize(("case", "expected"), [
    ("wrong secret", (401, "invalid_client")), ("no credentials", (401, "invalid_client")),
    ("the console's client (no secret)", (401, "invalid_client")), ("another grant", (400, "unsupported_grant_type")),
    ("a scope not granted", (400, "invalid_scope")), ("not a form", (400, "invalid_request")),
])
def test_what_cognito_refuses_is_refused(pool: Pool, case: str, expected: tuple[int, str]) -> None:
    headers, body = pool.basic(), "grant_type=client_credentials"
    if case == "wrong secret":
        headers = pool.basic(secret="not-the-secret")
    elif case == "no credentials":
        headers = FORM
    elif case == "the console's client (no secret)":
        headers = pool.basic(client_id=pool.console_id, secret="anything")
    elif case == "another grant":
        body = "grant_type=password&username=a&password=b"
    elif case == "a scope not granted":
        body = "grant_type=client_credentials&scope=inquiries/write"
    else:
        headers = {**headers, "content-type": "application/json"}

    status, answered = answer(pool, headers, body)

    assert (status, answered) == (expected[0], {"error": expected[1]})
