"""Each destination's ``whsec_`` secret, read from Secrets Manager and kept a few minutes per process."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from inquiries.data.webhooks import Destination

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"


class SecretReader:
    """Current and (during a rotation) previous secret of each destination, kept ``max_age`` seconds. The
    destination's rotation mark is part of what is kept by, so a rotation (which sets a new mark on the
    destination, read at every attempt) is signed with the new secret from the next attempt on."""

    def __init__(self, client: SecretsManagerClient, max_age: float = 300.0) -> None:
        self.client = client
        self.max_age = max_age
        self._cache: dict[tuple[str, str, int | None], tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def _read(self, arn: str, stage: str, mark: int | None) -> str | None:
        key = (arn, stage, mark)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.max_age:
            return cached[1]
        try:
            value: str | None = self.client.get_secret_value(SecretId=arn, VersionStage=stage).get("SecretString")
        except self.client.exceptions.ResourceNotFoundException:
            if stage == CURRENT:
                raise
            value = None  # no previous version: nothing rotated yet
        with self._lock:
            self._cache[key] = (now, value)
        return value

    def secrets_for(self, destination: Destination, now: float) -> list[str]:
        """The current secret, and the previous one while the destination's rotation lasts."""
        mark = destination.previous_valid_until
        current = self._read(destination.secret_arn, CURRENT, mark)
        if not current:
            raise LookupError("destination secret has no value")
        found = [current]
        if destination.signs_with_previous(now):
            previous = self._read(destination.secret_arn, PREVIOUS, mark)
            if previous and previous != current:
                found.append(previous)
        return found
