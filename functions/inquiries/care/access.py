"""Who is asking: the signed-in care-team member, from the claims API Gateway's Cognito authorizer passed on.

The authorizer has already checked the token (signature, issuer, audience, expiry); this module reads
who it belongs to and which groups they are in. API Gateway (REST) passes every claim as a string, a
list such as ``cognito:groups`` as ``"a,b"`` or ``"[a b]"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CARE_TEAM = "care-team"
CARE_ADMIN = "care-admin"


class NotSignedIn(Exception):
    """No verified identity came with the request (401)."""


class NotAllowed(Exception):
    """The signed-in person is not in a group this route needs (403)."""


@dataclass(frozen=True)
class CareActor:
    """The person acting: their email (the ``email`` claim), Cognito ``sub`` and groups."""

    email: str
    sub: str
    groups: frozenset[str]

    def require(self, group: str) -> None:
        """Raise ``NotAllowed`` unless the person is in ``group``."""
        if group not in self.groups:
            raise NotAllowed(group)


def parse_groups(value: Any) -> frozenset[str]:
    """``cognito:groups`` as a set, whether it came as a list or as API Gateway's string forms."""
    if isinstance(value, list | tuple):
        return frozenset(str(v) for v in value if str(v))
    if isinstance(value, str):
        return frozenset(part for part in re.split(r"[,\s]+", value.strip().strip("[]")) if part)
    return frozenset()


def actor_from_event(event: Mapping[str, Any]) -> CareActor:
    """The actor of an API Gateway proxy event. Raises ``NotSignedIn`` without verified claims."""
    context = event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims") or {}
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or claims.get("token_use") not in (None, "id"):
        raise NotSignedIn("no verified identity")
    email = claims.get("email")
    return CareActor(email=email if isinstance(email, str) and email else sub, sub=sub,
                     groups=parse_groups(claims.get("cognito:groups")))


def actor_of_care_team(event: Mapping[str, Any]) -> CareActor:
    """The actor, who must be in ``care-team`` or ``care-admin``."""
    actor = actor_from_event(event)
    if not actor.groups & {CARE_TEAM, CARE_ADMIN}:
        raise NotAllowed(CARE_TEAM)
    return actor
