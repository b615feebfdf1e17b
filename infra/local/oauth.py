"""The user pool's OAuth 2.0 token endpoint on one machine: the client credentials grant.

moto (5.2) serves the pool's JWKS but no ``/oauth2/token``, so this module does what Cognito's does for
``grant_type=client_credentials`` (docs/integrations.md): the app client authenticates with its id and
secret (HTTP Basic, or ``client_id``/``client_secret`` in the form), must allow the ``client_credentials``
flow, and gets an access token for the scopes it asked for (all its allowed scopes when it asks for none;
an unknown one is ``invalid_scope``). The token is signed with the pool's own key, the one moto signs every
token with and publishes in the JWKS, so the local API gateway checks it exactly as it checks a console
token. Answers and errors follow RFC 6749 section 5; every answer is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import time
import uuid
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote

from joserfc import jwt
from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient, cognitoidp_backends

from infra.local.api_gateway import HttpAnswer

CLIENT_CREDENTIALS = "client_credentials"
_FORM = "application/x-www-form-urlencoded"


def _answer(status: int, body: dict[str, Any], headers: list[tuple[str, str]] | None = None) -> HttpAnswer:
    return HttpAnswer(status, [("Content-Type", "application/json;charset=UTF-8"), ("Cache-Control", "no-store"),
                               ("Pragma", "no-cache"), *(headers or [])], json.dumps(body).encode())


def _error(status: int, error: str) -> HttpAnswer:
    extra = [("WWW-Authenticate", 'Basic realm="oauth2"')] if status == HTTPStatus.UNAUTHORIZED else []
    return _answer(status, {"error": error}, extra)


def _client_credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str] | None:
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (unquote(client_id), unquote(secret)) if sep else None
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    return None


class ClientCredentialsEndpoint:
    """``POST /oauth2/token`` for the app clients of the pool ``user_pool_id`` in this process's moto."""

    def __init__(self, region: str, user_pool_id: str, account_id: str = "123456789012") -> None:
        self.region = region
        self.user_pool_id = user_pool_id
        self.account_id = account_id

    def _pool(self) -> CognitoIdpUserPool:
        pool: CognitoIdpUserPool = cognitoidp_backends[self.account_id][self.region].user_pools[self.user_pool_id]
        return pool

    def answer(self, headers: dict[str, str], body: bytes) -> HttpAnswer:
        """The token endpoint's answer to one request (``headers`` by lower-case name)."""
        if (headers.get("content-type") or "").split(";", 1)[0].strip().lower() != _FORM:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_request")
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_request")
        if any(len(values) > 1 for values in parsed.values()):
            return _error(HTTPStatus.BAD_REQUEST, "invalid_request")
        form = {name: values[0] for name, values in parsed.items()}
        credentials = _client_credentials(headers.get("authorization"), form)
        if credentials is None:
            return _error(HTTPStatus.UNAUTHORIZED, "invalid_client")
        pool = self._pool()
        client: CognitoIdpUserPoolClient | None = pool.clients.get(credentials[0])
        if client is None or not client.generate_secret or not hmac.compare_digest(
                client.secret.encode(), credentials[1].encode()):
            return _error(HTTPStatus.UNAUTHORIZED, "invalid_client")
        if form.get("grant_type") != CLIENT_CREDENTIALS:
            return _error(HTTPStatus.BAD_REQUEST, "unsupported_grant_type")
        config = client.extended_config
        if CLIENT_CREDENTIALS not in (config.get("AllowedOAuthFlows") or []) or not config.get(
                "AllowedOAuthFlowsUserPoolClient"):
            return _error(HTTPStatus.BAD_REQUEST, "unauthorized_client")
        allowed = [str(scope) for scope in config.get("AllowedOAuthScopes") or []]
        asked = form.get("scope", "").split()
        if any(scope not in allowed for scope in asked):
            return _error(HTTPStatus.BAD_REQUEST, "invalid_scope")
        scopes = asked or allowed
        if not scopes:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_scope")
        return _answer(HTTPStatus.OK, self.token(pool, client.id, scopes, _validity_seconds(config)))

    def token(self, pool: CognitoIdpUserPool, client_id: str, scopes: list[str], expires_in: int) -> dict[str, Any]:
        """A signed access token as Cognito issues one for client credentials (the client is the subject)."""
        now = int(time.time())
        claims = {"sub": client_id, "token_use": "access", "scope": " ".join(scopes), "auth_time": now,
                  "iss": f"https://cognito-idp.{self.region}.amazonaws.com/{pool.id}", "exp": now + expires_in,
                  "iat": now, "version": 2, "jti": str(uuid.uuid4()), "client_id": client_id}
        signed = jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, pool.json_web_key)  # moto's kid and key
        return {"access_token": signed, "expires_in": expires_in, "token_type": "Bearer"}


def _validity_seconds(config: dict[str, Any]) -> int:
    value = int(config.get("AccessTokenValidity") or 60)
    unit = str((config.get("TokenValidityUnits") or {}).get("AccessToken") or "hours")
    return value * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}.get(unit, 3600)
