"""Tokens for the auth matrix: real sign-ins through the local console's Cognito endpoint, and forgeries.

A forged token is signed with moto's own pool key (so only the claim under test is wrong), with a key
the pool never published, or with no signature at all (``alg: none``).
"""

from __future__ import annotations

import base64
import gzip
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import moto.cognitoidp
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.child import LocalStackProcess


def sign_in(stack: LocalStackProcess, username: str, password: str, client_id: str | None = None) -> str:
    """The ID token of a USER_PASSWORD_AUTH sign-in, made as the console makes it (same origin)."""
    settings = stack.sign_in()
    body = json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id or settings["clientId"],
                       "AuthParameters": {"USERNAME": username, "PASSWORD": password}}).encode()
    request = urllib.request.Request(f"{stack.base_url}/_local/cognito", data=body, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
    with urllib.request.urlopen(request, timeout=10) as response:
        token: str = json.loads(response.read())["AuthenticationResult"]["IdToken"]
    return token


def claims_of(token: str) -> dict[str, Any]:
    """A token's payload, unverified (to copy it into a forgery)."""
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


def _moto_pool_key() -> Any:
    path = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"
    return jwt.PyJWK(json.loads(gzip.decompress(path.read_bytes()))).key


def signed_by_the_pool(claims: dict[str, Any]) -> str:
    """A token with these claims, correctly signed with the pool's key (as moto signs its tokens)."""
    return jwt.encode(claims, _moto_pool_key(), algorithm="RS256", headers={"kid": "dummy"})


def signed_by_a_stranger(claims: dict[str, Any]) -> str:
    """A token signed with a key the pool never published, under the pool key's id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unsigned(claims: dict[str, Any]) -> str:
    """``alg: none``: the claims and an empty signature."""
    header = {"alg": "none", "typ": "JWT", "kid": "dummy"}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def with_tampered_payload(token: str, **changes: Any) -> str:
    """The token's header and signature around a payload changed after signing."""
    header, _payload, signature = token.split(".")
    payload = {**claims_of(token), **changes}
    return f"{header}.{_b64(json.dumps(payload).encode())}.{signature}"


def expired(claims: dict[str, Any]) -> dict[str, Any]:
    """The same claims, expired an hour ago."""
    now = int(time.time())
    return {**claims, "iat": now - 7200, "auth_time": now - 7200, "exp": now - 3600}
