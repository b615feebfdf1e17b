"""Time-sortable identifiers for inquiries (ULID: 48-bit millisecond time + 80 random bits)."""

from __future__ import annotations

import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_inquiry_id(now_ms: int | None = None) -> str:
    """A 26-character ULID. Lexical order equals creation order (to the millisecond)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    if not 0 <= ms < 2**48:
        raise ValueError("timestamp out of range for a ULID")
    value = (ms << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def inquiry_id_time_ms(inquiry_id: str) -> int:
    """The creation time, in epoch milliseconds, encoded in an inquiry id."""
    value = 0
    for ch in inquiry_id[:10]:
        value = value * 32 + _CROCKFORD.index(ch)
    return value


def short_reference(inquiry_id: str) -> str:
    """A short, human-friendly reference for people and the care team (not secret, not PHI)."""
    return f"INQ-{inquiry_id[-8:]}"
