"""Copy each audit entry from AuditTable's stream to the object-locked archive bucket.

One object per stream record, at a key fixed by the record, so a retried batch writes the same keys:

- ``entries/<day>/<entry_id>.json`` for an INSERT: the entry as written (plain JSON, no ``ttl``);
- ``changes/<day>/<entry_id>/<sequence number>.json`` for a MODIFY or a REMOVE: nothing the API does
  changes or deletes an entry (each is written once), so one of these is an operator's act or, after
  ``AuditRetentionDays``, TTL's expiry; either way the archive shows it, beside the original.

Each object is written with ``If-None-Match: *``: the bucket's Object Lock (COMPLIANCE mode, the
default retention) would keep an overwrite as a new version of the same key, so a retried batch would
leave duplicates; the condition makes S3 refuse the second write (412), which here means "already
archived" - the same record, since the key is fixed by it. Nothing in an object is PHI (an entry holds
ids, actions and field names only); the bucket encrypts with DataKey.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.data.items import plain_values

INSERT = "INSERT"
_SAFE = str.maketrans({"#": "_", "/": "_"})


class NotAnAuditRecord(ValueError):
    """A stream record without the keys of an audit entry (its batch item fails, and is retried)."""


@dataclass(frozen=True)
class ArchivedObject:
    """Where one stream record is kept, and what is kept."""

    key: str
    body: bytes


def archived_object(record: Mapping[str, Any]) -> ArchivedObject:
    """The object one DynamoDB stream record of AuditTable becomes. Raises ``NotAnAuditRecord``."""
    stream = record.get("dynamodb") or {}
    keys = plain_values(stream.get("Keys") or {})
    day, entry_id = keys.get("day"), keys.get("entry_id")
    if not isinstance(day, str) or not isinstance(entry_id, str) or not day or not entry_id:
        raise NotAnAuditRecord("no day/entry_id keys")
    name = entry_id.translate(_SAFE)
    event = str(record.get("eventName") or "")
    if event == INSERT:
        entry = plain_values(stream.get("NewImage") or {})
        entry.pop("ttl", None)
        if not entry:
            raise NotAnAuditRecord("an INSERT without its new image")
        return ArchivedObject(key=f"entries/{day.translate(_SAFE)}/{name}.json", body=_json(entry))
    sequence = str(stream.get("SequenceNumber") or "")
    if not sequence.isdigit():
        raise NotAnAuditRecord("no sequence number")
    change = {"event": event, "day": day, "entry_id": entry_id,
              "approximate_at": stream.get("ApproximateCreationDateTime"),
              "by": (record.get("userIdentity") or {}).get("principalId"),
              "new_image": plain_values(stream["NewImage"]) if stream.get("NewImage") else None}
    return ArchivedObject(key=f"changes/{day.translate(_SAFE)}/{name}/{sequence}.json", body=_json(change))


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")


def archive(bucket: str, record: Mapping[str, Any]) -> bool:
    """Write one stream record's object unless it is there; True when written, False when it already was.
    Raises ``NotAnAuditRecord``, or botocore's error for anything else (the batch item is retried)."""
    target = archived_object(record)
    try:
        aws.s3().put_object(Bucket=bucket, Key=target.key, Body=target.body, ContentType="application/json",
                            IfNoneMatch="*", ChecksumAlgorithm="SHA256")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "PreconditionFailed":
            return False
        raise
    return True
