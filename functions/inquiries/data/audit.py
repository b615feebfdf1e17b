"""The audit trail (AuditTable): who listed, read or changed which inquiry, and when.

An entry holds the actor's Cognito ``sub`` (``actor_id``, who acted) and their name in the pool then
(``actor``), the action, the inquiry id and, for a change, the names of the fields changed; for a list,
the status listed, the page number and the ids of the inquiries it showed; for a read of the trail itself
(``audit_read``), the kinds of filter given. Never an inquiry field's value. Each entry is written once
(``attribute_not_exists``: nobody, the API role included, can overwrite one), copied by the table's
stream to object-locked S3 (``inquiries.archive``) and kept in the table ``audit_retention_days`` (six
years by default: 45 CFR 164.316(b)(2)), beyond the inquiries themselves.

Item: key ``day`` (YYYY-MM-DD, UTC) + ``entry_id`` (``<at>#<random>``, sorts by time); ``InquiryIndex``
(``inquiry_id`` + ``entry_id``) finds one inquiry's entries without a Scan.

An erasure writes, beside its summary entry (under its day), one entry per erased inquiry under the partition
``erased#<reference>`` instead of a day: the inquiry's reference item goes with the inquiry, and this partition
is what still turns the reference into the id afterwards (``erased_inquiry_ids``). Like every entry it carries
``inquiry_id`` (so ``InquiryIndex`` finds it), ``actor_id`` (``ActorIndex``), the reason code and the request id;
a walk of the days does not see it, so an action or date search shows each erasure once (its summary).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.errors import AuditUnavailable, domain_errors
from inquiries.data.items import iso, serialize
from inquiries.ids import short_reference

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

INQUIRY_INDEX = "InquiryIndex"
# Nothing written can replace an entry: the key is new or the write is refused.
WRITE_ONCE = "attribute_not_exists(entry_id)"

# Actions (what an entry's ``action`` says).
LIST = "list"
AUDIT_READ = "audit_read"
# The partition of an erased inquiry's own erasure entry: ``erased#INQ-XXXXXXXX``.
ERASED_PARTITION = "erased#"
_REFERENCE = re.compile(r"^INQ-[0-9A-HJKMNP-TV-Z]{8}$")


@dataclass(frozen=True)
class AuditEntry:
    """One audited act. ``fields`` names what a change touched (names only, never values)."""

    at: datetime
    actor: str
    actor_id: str
    action: str
    inquiry_id: str | None = None
    fields: tuple[str, ...] = field(default=())
    # A list: the status listed, the page (1 without a cursor) and the ids it showed (ids only).
    status: str | None = None
    page: int | None = None
    inquiry_ids: tuple[str, ...] | None = None
    # A read of the trail: the kinds of filter given (``inquiry_id``; the id itself is the entry's inquiry_id).
    filters: tuple[str, ...] = field(default=())
    # An erasure (rights): what was removed as counts, the reason code and the request it carried out.
    counts: dict[str, int] | None = None
    reason: str | None = None
    request_id: str | None = None
    # An erased inquiry's own entry: stored under ``erased#<reference>`` rather than its day (see above).
    by_reference: bool = False


@dataclass(frozen=True)
class AuditRecords:
    """Writes and reads of the audit trail. Raises ``DataUnavailable`` (``AuditUnavailable`` for a write)."""

    audit_table: str
    # How long an entry stays searchable in the table (its ``ttl``); the S3 archive keeps its copy as long.
    retention_days: int
    # The client to write and read with; the functions' shared one (``inquiries.aws``) when not given. A command
    # run by ops (``infra.erase``) passes its own session's, so ``--region`` and its profile apply.
    client: DynamoDBClient | None = field(default=None, compare=False, repr=False)

    @property
    def _ddb(self) -> DynamoDBClient:
        return self.client or aws.dynamodb()

    @property
    def _table(self) -> str:
        return self.audit_table

    def _item(self, entry: AuditEntry) -> dict[str, AttributeValueTypeDef]:
        at = iso(entry.at)
        if entry.by_reference and not entry.inquiry_id:
            raise ValueError("an entry kept by reference names its inquiry")
        values: dict[str, Any] = {
            "day": ERASED_PARTITION + short_reference(entry.inquiry_id) if entry.by_reference and entry.inquiry_id
            else at[:10],
            "entry_id": f"{at}#{secrets.token_hex(6)}",
            "at": at,
            "actor": entry.actor,
            "actor_id": entry.actor_id,
            "action": entry.action,
            "ttl": int(entry.at.timestamp()) + self.retention_days * 86400,
        }
        if entry.inquiry_id:
            values["inquiry_id"] = entry.inquiry_id
            values["reference"] = short_reference(entry.inquiry_id)  # shown by audit search (not PHI)
        if entry.fields:
            values["fields"] = list(entry.fields)
        if entry.status is not None:
            values["status"] = entry.status
        if entry.page is not None:
            values["page"] = entry.page
        if entry.inquiry_ids is not None:
            values["inquiry_ids"] = list(entry.inquiry_ids)
        if entry.filters:
            values["filters"] = list(entry.filters)
        if entry.counts is not None:
            values["counts"] = dict(entry.counts)
        if entry.reason is not None:
            values["reason"] = entry.reason
        if entry.request_id is not None:
            values["request_id"] = entry.request_id
        return serialize(values)

    def record(self, entry: AuditEntry) -> None:
        """Store one entry. Raises ``AuditUnavailable``: the caller must then not show or change anything."""
        try:
            self._ddb.put_item(TableName=self._table, Item=self._item(entry), ConditionExpression=WRITE_ONCE)
        except ClientError as exc:
            raise AuditUnavailable(exc.response.get("Error", {}).get("Code", "") or "ClientError") from None
        except BotoCoreError as exc:
            raise AuditUnavailable(type(exc).__name__) from None

    def write_with(self, entry: AuditEntry) -> TransactWriteItemTypeDef:
        """The entry as one write of a transaction (a change and its audit entry commit together)."""
        return {"Put": {"TableName": self._table, "Item": self._item(entry), "ConditionExpression": WRITE_ONCE}}

    def erased_inquiry_ids(self, reference: str) -> list[str]:
        """The ids of the erased inquiries with this reference (``INQ-XXXXXXXX``, any case), newest erasure first:
        what the reference meant once its lookup item went with the inquiry. Raises ``DataUnavailable``."""
        wanted = reference.strip().upper()
        if not _REFERENCE.match(wanted):
            return []
        found: list[str] = []
        for item in self._pages({"KeyConditionExpression": "#day = :key", "ExpressionAttributeNames": {"#day": "day"},
                                 "ExpressionAttributeValues": {":key": {"S": ERASED_PARTITION + wanted}}}):
            if item["inquiry_id"] and item["inquiry_id"] not in found:
                found.append(item["inquiry_id"])
        return found

    def entries(self, *, inquiry_id: str | None, now: datetime, limit: int, days: int = 31) -> list[dict[str, Any]]:
        """The newest ``limit`` entries: one inquiry's, or everyone's over the last ``days`` days."""
        found: list[dict[str, Any]] = []
        for item in self._query(inquiry_id, now, days):
            found.append(item)
            if len(found) >= limit:
                break
        return found

    def _query(self, inquiry_id: str | None, now: datetime, days: int) -> Iterator[dict[str, Any]]:
        if inquiry_id:
            yield from self._pages({"IndexName": INQUIRY_INDEX, "KeyConditionExpression": "inquiry_id = :key",
                                    "ExpressionAttributeValues": {":key": {"S": inquiry_id}}})
            return
        for back in range(days):
            day = (now - timedelta(days=back)).strftime("%Y-%m-%d")
            yield from self._pages({"KeyConditionExpression": "#day = :key",
                                    "ExpressionAttributeNames": {"#day": "day"},
                                    "ExpressionAttributeValues": {":key": {"S": day}}})

    def _pages(self, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {"TableName": self._table, "ScanIndexForward": False, **query}
        while True:
            with domain_errors():
                page = self._ddb.query(**kwargs)
            for item in page.get("Items", []):
                yield {
                    "at": item["at"]["S"],
                    "actor": item["actor"]["S"],
                    "actor_id": item["actor_id"]["S"],
                    "action": item["action"]["S"],
                    "inquiry_id": item["inquiry_id"]["S"] if "inquiry_id" in item else None,
                    "fields": [f["S"] for f in item.get("fields", {}).get("L", [])],
                    "status": item["status"]["S"] if "status" in item else None,
                    "page": int(item["page"]["N"]) if "page" in item else None,
                    "inquiry_ids": ([i["S"] for i in item["inquiry_ids"]["L"]] if "inquiry_ids" in item
                                    else None),
                    "filters": [f["S"] for f in item.get("filters", {}).get("L", [])],
                }
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
