"""The care team's sign-in on one machine: users in moto's Cognito pool, and tokens checked as API Gateway does.

``make run`` creates the pool, client and groups from template.yaml (``TemplateResources``), then a ready
care-team member, an admin and a clinic manager (reports only) with random passwords it prints. Requests to an
API route that names the Cognito authorizer are let through only with a valid ID token of that pool: an RS256
signature by a key of the pool's own JWKS, its issuer, the app client as audience, ``token_use`` id, not
expired. The claims then reach the handler under ``requestContext.authorizer.claims``, every value a string,
as API Gateway (REST) passes them. PyJWT does the checking; nothing here is cryptography.

The console's page calls Cognito through ``POST /_local/cognito`` (same origin). That forwarder takes
only the calls the console makes (``CONSOLE_ACTIONS``: web/care/cognito.js) and refuses every other
action with a 400, as an administrator's call such as AdminAddUserToGroup must never reach the pool from
a browser. moto has no RevokeToken: ``revoke_refresh_token`` does what Cognito does with it, on moto's
pool in this process (the refresh token renews nothing afterwards).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import jwt
from moto.cognitoidp.models import cognitoidp_backends

CARE_TEAM = "care-team"
CARE_ADMIN = "care-admin"
CLINIC_MANAGER = "clinic-manager"
# (sign-in email, the name an administrator sets, groups)
LOCAL_USERS = (("care@clinic.local", "Casey Care (local)", (CARE_TEAM,)),
               ("admin@clinic.local", "Ada Admin (local)", (CARE_TEAM, CARE_ADMIN)),
               ("manager@clinic.local", "Morgan Manager (local)", (CLINIC_MANAGER,)))
# Every Cognito action web/care/cognito.js calls; nothing else is forwarded.
CONSOLE_ACTIONS = frozenset({"InitiateAuth", "RespondToAuthChallenge", "AssociateSoftwareToken",
                             "VerifySoftwareToken", "RevokeToken"})
TARGET_PREFIX = "AWSCognitoIdentityProviderService."


@dataclass(frozen=True)
class LocalCareUser:
    """A care-team member created for local use, with the password to sign in."""

    username: str
    password: str
    groups: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class LocalSignIn:
    """What the local console and tests need to sign in (the console's config.json, plus the users)."""

    region: str
    user_pool_id: str
    client_id: str
    users: tuple[LocalCareUser, ...]

    @property
    def issuer(self) -> str:
        """The ``iss`` of the pool's tokens (moto issues them as Cognito does)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    def write(self, path: Path) -> None:
        """Save as JSON (tests read it: ``LocalStackProcess.sign_in``)."""
        data = {"region": self.region, "userPoolId": self.user_pool_id, "clientId": self.client_id,
                "users": [asdict(u) for u in self.users]}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def new_password() -> str:
    """A random password meeting the template's policy (length, upper, lower, digit, symbol)."""
    alphabet = string.ascii_letters + string.digits
    return "Care-" + "".join(secrets.choice(alphabet) for _ in range(16)) + "a7!Q"


def create_local_users(session: boto3.Session, endpoint_url: str, region: str, pool_id: str,
                       client_id: str) -> LocalSignIn:
    """Create the local care-team member, admin and clinic manager (permanent passwords: no new-password step)."""
    idp = session.client("cognito-idp", endpoint_url=endpoint_url)
    users = []
    for username, name, groups in LOCAL_USERS:
        password = new_password()
        idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": username},
                                              {"Name": "email_verified", "Value": "true"},
                                              {"Name": "name", "Value": name}])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        for group in groups:
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        users.append(LocalCareUser(username, password, groups, name))
    return LocalSignIn(region, pool_id, client_id, tuple(users))


def console_action(target: str) -> str | None:
    """The Cognito action an ``X-Amz-Target`` names, when it is one the console makes; else None."""
    if not target.startswith(TARGET_PREFIX):
        return None
    action = target.removeprefix(TARGET_PREFIX)
    return action if action in CONSOLE_ACTIONS else None


def revoke_refresh_token(body: bytes, account_id: str = "123456789012") -> tuple[int, dict[str, str]]:
    """RevokeToken on moto's pools in this process: (HTTP status, JSON answer) as Cognito gives them.

    The refresh token of ``ClientId`` is forgotten, so it renews nothing; an unknown token is already
    unusable (200, as Cognito answers); a token of another client is refused.
    """
    try:
        request = json.loads(body or b"{}")
        token, client_id = str(request["Token"]), str(request["ClientId"])
    except (ValueError, KeyError, TypeError):
        return 400, {"__type": "InvalidParameterException", "message": "Give Token and ClientId."}
    for backend in cognitoidp_backends[account_id].values():
        for pool in backend.user_pools.values():
            found = pool.refresh_tokens.get(token)
            if found is None:
                continue
            if found[0] != client_id:
                return 400, {"__type": "UnauthorizedException", "message": "Token is not for this client."}
            del pool.refresh_tokens[token]
    return 200, {}


def _claim_text(name: str, value: Any) -> str:
    if name in ("exp", "iat", "auth_time") and isinstance(value, int | float):
        # API Gateway (REST) passes time claims in this form.
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TokenVerifier:
    """Checks a Cognito ID token (or, on a method with scopes, an access token) the way API Gateway's
    COGNITO_USER_POOLS authorizer does."""

    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True)

    def claims(self, authorization: str | None, scopes: tuple[str, ...] = ()) -> dict[str, str] | None:
        """The token's claims as API Gateway passes them, or None when it must be refused (401).

        A ``Bearer `` prefix is accepted, as the design says. A method without ``scopes`` takes an ID token of
        the console's client; a method with them (``AuthorizationScopes``) takes an access token of any client
        of the pool that bears one of them, and no ID token: what API Gateway's Cognito authorizer does.
        """
        if not authorization:
            return None
        token = authorization.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            if scopes:
                decoded: Mapping[str, Any] = jwt.decode(
                    token, key.key, algorithms=["RS256"], issuer=self.issuer,
                    options={"require": ["exp", "iss", "sub", "token_use", "scope", "client_id"],
                             "verify_aud": False})
            else:
                decoded = jwt.decode(
                    token, key.key, algorithms=["RS256"], audience=self.audience, issuer=self.issuer,
                    options={"require": ["exp", "iss", "aud", "sub", "token_use"]},
                )
        except jwt.PyJWTError:
            return None
        if decoded.get("token_use") != ("access" if scopes else "id"):
            return None
        if scopes and not set(str(decoded.get("scope", "")).split()) & set(scopes):
            return None
        return {name: _claim_text(name, value) for name, value in decoded.items()}
