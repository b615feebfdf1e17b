"""Who is asking: the signed-in care-team member, from the claims API Gateway's Cognito authorizer passed on.

The authorizer has already checked the token's signature, issuer and expiry. A REST API's Cognito
authorizer does not check which app client the token is for, nor which kind of token it is, so this
module does: an ID token (``token_use`` id) of the console's app client (``aud``) whose email is
verified, else 401. Identity is the ``sub``: the ``email`` claim is the user's own to change and is never
used. API Gateway (REST) passes every claim as a string, a list such as ``cognito:groups`` as ``"a,b"``
or ``"[a b]"``.

An integration (a clinic's CRM or EHR) signs in with OAuth 2.0 client credentials and sends an access token
(``token_use`` access) of its own app client: ``integration_of`` makes it an actor named by configuration,
its ``sub`` the client id. It may read one inquiry with scope ``inquiries/read`` and change one with
``inquiries/write`` (``integration_may``); every other route answers it 403 (docs/integrations.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CARE_TEAM = "care-team"
CARE_ADMIN = "care-admin"
# Reports only (aggregates, no PHI): every other care route answers 403 to this group alone.
CLINIC_MANAGER = "clinic-manager"
READ_SCOPE = "inquiries/read"
WRITE_SCOPE = "inquiries/write"
_ONE_INQUIRY = re.compile(r"^/care/inquiries/[^/]+$")


class NotSignedIn(Exception):
    """No verified identity came with the request (401)."""


class NotAllowed(Exception):
    """The signed-in person is not in a group this route needs (403)."""


@dataclass(frozen=True)
class CareActor:
    """The person acting: their Cognito ``sub`` (who they are) and groups."""

    sub: str
    groups: frozenset[str]
    # An integration's configured name (shown in the audit trail and history); None for a person.
    name: str | None = None
    scopes: frozenset[str] = frozenset()

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


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def actor_from_event(event: Mapping[str, Any], audience: str) -> CareActor:
    """The actor of an API Gateway proxy event whose token was issued to the app client ``audience``.
    Raises ``NotSignedIn`` without an ID token's claims for that client with a verified email."""
    context = event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims") or {}
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or claims.get("token_use") != "id":
        raise NotSignedIn("no ID token")
    if not audience or claims.get("aud") != audience:
        raise NotSignedIn("another app client's token")
    if not _is_true(claims.get("email_verified")):
        raise NotSignedIn("email not verified")
    return CareActor(sub=sub, groups=parse_groups(claims.get("cognito:groups")))


def actor_of_care_team(event: Mapping[str, Any], audience: str) -> CareActor:
    """The actor (see ``actor_from_event``), who must be in ``care-team`` or ``care-admin``."""
    actor = actor_from_event(event, audience)
    if not actor.groups & {CARE_TEAM, CARE_ADMIN}:
        raise NotAllowed(CARE_TEAM)
    return actor


def actor_for_reports(event: Mapping[str, Any], audience: str) -> CareActor:
    """The actor (see ``actor_from_event``), who must be in ``care-admin`` or ``clinic-manager``: the reports
    route's groups. A care-team member who is neither gets 403."""
    actor = actor_from_event(event, audience)
    if not actor.groups & {CARE_ADMIN, CLINIC_MANAGER}:
        raise NotAllowed(CLINIC_MANAGER)
    return actor
def integration_of(event: Mapping[str, Any], client_id: str, name: str) -> CareActor | None:
    """The integration acting, when the request carries an access token of its app client ``client_id``;
    None for any other token (a person's ID token is checked by ``actor_from_event``)."""
    context = event.get("requestContext") or {}
    claims = (context.get("authorizer") or {}).get("claims") or {}
    if not client_id or claims.get("token_use") != "access" or claims.get("client_id") != client_id:
        return None
    scope = claims.get("scope")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    return CareActor(sub=client_id, groups=frozenset(), name=name or client_id, scopes=scopes)


def integration_may(actor: CareActor, method: str, path: str) -> bool:
    """Whether the integration ``actor`` may make this request: ``GET /care/inquiries/{id}`` with
    ``inquiries/read``, ``PATCH`` of it with ``inquiries/write``; nothing else."""
    if not _ONE_INQUIRY.match(path):
        return False
    needed = {"GET": READ_SCOPE, "PATCH": WRITE_SCOPE}.get(method.upper())
    return needed is not None and needed in actor.scopes
