"""Optional Cloudflare Turnstile: a person check on the form, verified server-side, failing closed.

Off unless ``TURNSTILE_SECRET`` names a Secrets Manager secret holding the Turnstile secret key (read
once per cold start). When on, a submission without a token, with a token Cloudflare does not confirm,
or one that cannot be checked at all (Cloudflare unreachable, a malformed answer) is refused: the
check never lets a submission through because it could not run. Standard library only.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import ssl
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from inquiries import aws

DEFAULT_VERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify"
MAX_TOKEN_LENGTH = 2048  # Cloudflare's documented maximum


class Verdict(StrEnum):
    """What the check found."""

    PASSED = "passed"
    MISSING = "turnstile_missing"  # no token sent
    REFUSED = "turnstile_refused"  # Cloudflare did not confirm the token
    UNAVAILABLE = "turnstile_unavailable"  # the check could not run: refused all the same


@lru_cache(maxsize=2)
def secret_key(secret_id: str) -> str:
    """The Turnstile secret key, read once per process."""
    return aws.secretsmanager().get_secret_value(SecretId=secret_id)["SecretString"]


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    try:
        return parts.scheme == "http" and ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class TurnstileCheck:
    """Verifies tokens with Cloudflare's siteverify endpoint (or a stand-in on loopback, in tests)."""

    secret: str
    verify_url: str = DEFAULT_VERIFY_URL
    timeout: float = 3.0

    def verify(self, token: object) -> Verdict:
        """PASSED only when siteverify answers ``success: true`` for ``token``.

        Only the secret and the token are sent: not the person's IP address, which is an identifier,
        and Cloudflare is not a business associate under the clinic's AWS BAA.
        """
        if not isinstance(token, str) or not token.strip():
            return Verdict.MISSING
        if len(token) > MAX_TOKEN_LENGTH or not _allowed(self.verify_url):
            return Verdict.REFUSED if len(token) > MAX_TOKEN_LENGTH else Verdict.UNAVAILABLE
        parts = urlsplit(self.verify_url)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=self.timeout,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
        body = urlencode({"secret": self.secret, "response": token})
        try:
            conn.request("POST", parts.path or "/", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            answer = conn.getresponse()
            status, raw = answer.status, answer.read(64 * 1024)
        except (OSError, http.client.HTTPException):
            return Verdict.UNAVAILABLE
        finally:
            conn.close()
        if status != 200:
            return Verdict.UNAVAILABLE
        try:
            result = json.loads(raw)
        except ValueError:
            return Verdict.UNAVAILABLE
        return Verdict.PASSED if isinstance(result, dict) and result.get("success") is True else Verdict.REFUSED
