"""Care-team members' names, looked up in the user pool by ``sub``: what the console shows for who acted.

Identity is the token's ``sub``; a name is only shown. It is the pool's ``name`` attribute, which an
administrator sets and the console's app client cannot write (template.yaml ``WriteAttributes``), so no
member can make their entries read as someone else's. Names are kept in memory for a few minutes per
Lambda container (ListUsers has a low request quota); a pool that cannot be asked, or a member no longer in
it, gives no name and the caller shows what was recorded, or the ``sub`` itself.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.errors import as_domain_error
from inquiries.observability import logger

NAME_ATTRIBUTE = "name"
# A Cognito sub is a UUID; anything else is never put into a ListUsers filter (it is quoted text there).
_SUB = re.compile(r"^[0-9a-fA-F-]{1,64}$")
_MAX_KEPT = 500
_RETRY_FAILED_AFTER_SECONDS = 10.0


@dataclass
class MemberNames:
    """The pool's name for a ``sub``, cached for ``ttl_seconds`` (``user_pool_id`` empty: no lookups)."""

    user_pool_id: str
    ttl_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _kept: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def name_of(self, sub: str) -> str | None:
        """The member's name, or None (not a member, no name set, or the pool could not be asked)."""
        if not self.user_pool_id or not _SUB.match(sub):
            return None
        now = self.clock()
        with self._lock:
            kept = self._kept.get(sub)
        if kept is not None and kept[1] > now:
            return kept[0]
        name, keep_for = self._ask(sub)
        with self._lock:
            if len(self._kept) >= _MAX_KEPT:
                self._kept.clear()
            self._kept[sub] = (name, now + keep_for)
        return name

    def shown(self, sub: str) -> str:
        """What to show for a member acting now: their name, else their ``sub``."""
        return self.name_of(sub) or sub

    def _ask(self, sub: str) -> tuple[str | None, float]:
        try:
            found = aws.cognito_idp().list_users(UserPoolId=self.user_pool_id, Filter=f'sub = "{sub}"', Limit=1)
        except (ClientError, BotoCoreError) as exc:
            # The error's code or type name only (never its message), as every data-layer failure is told.
            logger.warning("member name lookup failed", extra={"error_type": as_domain_error(exc).cause})
            return None, _RETRY_FAILED_AFTER_SECONDS
        for user in found.get("Users", []):
            for attribute in user.get("Attributes", []):
                if attribute.get("Name") == NAME_ATTRIBUTE and attribute.get("Value", "").strip():
                    return attribute["Value"].strip(), self.ttl_seconds
        return None, self.ttl_seconds
