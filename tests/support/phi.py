"""Distinctive inquiry values, and the log text of the whole integration suite, to prove no PHI leaks.

Every integration test that submits an inquiry builds it with ``distinctive_inquiry`` so its values
are registered; conftest collects every captured log line; the last test searches them all.
"""

from __future__ import annotations

import itertools
from typing import Any

SUBMITTED_VALUES: set[str] = set()
CAPTURED_LOG_TEXT: list[str] = []
_serial = itertools.count(1)


def distinctive_inquiry(**overrides: Any) -> dict[str, Any]:
    """A valid inquiry whose every free-text value is unique and registered as PHI to look for."""
    n = next(_serial)
    tag = f"{n:04d}"
    inquiry: dict[str, Any] = {
        "name": f"Marisol Quenby{tag}",
        "email": f"marisol.quenby{tag}@example.com",
        "phone": f"+1415555{2600 + n % 400:04d}",
        "preferred_contact": "email",
        "topic": "addiction",
        "message": f"I have been struggling with cravings, my secret note {tag}xq",
        "consent_to_contact": True,
        "referral_source": f"Podcast Zeta{tag}",
    }
    inquiry.update(overrides)
    for key in ("name", "email", "phone", "message", "referral_source"):
        value = inquiry.get(key)
        if isinstance(value, str) and value:
            SUBMITTED_VALUES.add(value)
    return inquiry
