"""The care team to assign inquiries to: the enabled members of the pool's ``care-team`` and ``care-admin``
groups, read server-side (ListUsersInGroup, every page) and kept for a few minutes per Lambda container, as
``care.members.MemberNames`` keeps names. An assignee is a member's ``sub``; anything else is refused.

A member's ``name`` is the pool's ``name`` attribute, which only an administrator sets (the console's app client
cannot write it), else their sign-in email: staff contact details, not an inquiry's. A pool that cannot be
asked raises ``DataUnavailable`` (the route answers 503): an assignment is never checked against nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.care.access import CARE_ADMIN, CARE_TEAM
from inquiries.care.members import NAME_ATTRIBUTE
from inquiries.care.views import CareTeam, TeamMember
from inquiries.data.errors import as_domain_error

TEAM_GROUPS = (CARE_TEAM, CARE_ADMIN)
NOT_A_MEMBER = "Choose the assignee from the care team."


@dataclass
class TeamDirectory:
    """The care team of ``user_pool_id``, read at most once per ``ttl_seconds`` (0: every time)."""

    user_pool_id: str
    ttl_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _kept: tuple[float, CareTeam] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def team(self) -> CareTeam:
        """The enabled members of the care groups, sorted by name. Raises ``DataUnavailable``."""
        now = self.clock()
        with self._lock:
            kept = self._kept
        if kept is not None and kept[0] > now:
            return kept[1]
        team = self._read()
        with self._lock:
            self._kept = (now + self.ttl_seconds, team)
        return team

    def is_member(self, sub: str) -> bool:
        """Whether ``sub`` is an enabled member now. A sub not among the kept members is asked about afresh
        (someone added a minute ago can be assigned at once); a removed member stays assignable until the kept
        copy expires (``ttl_seconds``)."""
        if any(member.id == sub for member in self.team().members):
            return True
        with self._lock:
            self._kept = None
        return any(member.id == sub for member in self.team().members)

    def _read(self) -> CareTeam:
        found: dict[str, tuple[str, set[str]]] = {}
        paginator = aws.cognito_idp().get_paginator("list_users_in_group")
        try:
            for group in TEAM_GROUPS:
                for page in paginator.paginate(UserPoolId=self.user_pool_id, GroupName=group):
                    for user in page.get("Users", []):
                        if not user.get("Enabled", True):
                            continue
                        attributes = {a["Name"]: a.get("Value", "") for a in user.get("Attributes", [])}
                        sub = attributes.get("sub")
                        if not sub:
                            continue
                        name = (attributes.get(NAME_ATTRIBUTE, "").strip() or attributes.get("email", "").strip()
                                or sub)
                        found.setdefault(sub, (name, set()))[1].add(group)
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc) from None
        members = (TeamMember(id=sub, name=name, groups=tuple(sorted(groups)))
                   for sub, (name, groups) in found.items())
        return CareTeam(members=tuple(sorted(members, key=lambda m: (m.name.casefold(), m.id))))
