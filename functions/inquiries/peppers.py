"""Keyed hashes of personal values: HMAC-SHA256 under a secret pepper kept in Secrets Manager.

A plain SHA-256 of an address or an IPv4 address can be reversed by hashing every candidate (there
are only 2^32 IPv4 addresses). Keyed with a secret that only the functions and ops can read, the
same hashes identify nothing to someone holding a table export, a backup or a log.

Rotation (docs/operations.md): Secrets Manager keeps the new value as ``AWSCURRENT`` and the one it
replaced as ``AWSPREVIOUS``. Writes key with the current pepper; erasure's lookups (an inquiry by its
address hash, the rate-limit counters by their key) try both, so nothing written before a rotation is
lost to a search after it. The limits themselves count under the current pepper only: a rotation
starts each client's and each address's counter afresh, once.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from inquiries import aws

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

CURRENT_STAGE = "AWSCURRENT"
PREVIOUS_STAGE = "AWSPREVIOUS"

# What a keyed hash is of: the same value hashed for two purposes gives two unrelated keys.
EMAIL = "email"
DOMAIN = "domain"
CLIENT = "client"
SUBMISSION = "submission"
# The care team's lookups (``data.lookups``): a phone in E.164, one normalised name token, a whole name.
PHONE = "phone"
NAME = "name"
FULLNAME = "fullname"


@dataclass(frozen=True)
class Peppers:
    """The current pepper, and while a rotation settles, the previous one."""

    current: bytes
    previous: bytes | None = None

    def __post_init__(self) -> None:
        if len(self.current) < 16:
            raise ValueError("a pepper must be at least 16 bytes")

    def keyed_hash(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of ``value`` for ``purpose`` under the current pepper (hex): what writes use."""
        return _hmac(self.current, purpose, value)

    def all_keyed_hashes(self, purpose: str, value: str) -> list[str]:
        """The keyed hash under every pepper still valid, current first: what lookups try."""
        hashes = [self.keyed_hash(purpose, value)]
        if self.previous and self.previous != self.current:
            hashes.append(_hmac(self.previous, purpose, value))
        return hashes


def _hmac(pepper: bytes, purpose: str, value: str) -> str:
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def read_peppers(client: SecretsManagerClient, secret_id: str) -> Peppers:
    """The current and (when there is one) previous pepper of the secret ``secret_id``."""
    current = client.get_secret_value(SecretId=secret_id, VersionStage=CURRENT_STAGE)["SecretString"]
    try:
        previous: str | None = client.get_secret_value(SecretId=secret_id,
                                                        VersionStage=PREVIOUS_STAGE)["SecretString"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        previous = None  # never rotated
    return Peppers(current=current.encode(), previous=previous.encode() if previous else None)


@lru_cache(maxsize=4)
def peppers(secret_id: str) -> Peppers:
    """The peppers of ``secret_id``, read once per process (a Lambda cold start) and kept.

    A function keeps its peppers until it is recycled; during a rotation both stay valid, so a warm
    function still on the old current pepper writes hashes the new ``AWSPREVIOUS`` still finds.
    """
    return read_peppers(aws.secretsmanager(), secret_id)
