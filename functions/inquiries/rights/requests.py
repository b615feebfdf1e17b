"""Pending rights requests (ErasureRequestTable), while a second admin's approval is awaited: erasures and, the
same way, exports (``action``: ``erasure`` or ``export``).

A request keeps only what carrying it out needs and what the approver is shown: the person's keyed hashes
(``rights.person.Person``: never the address or number in clear), the requester's ``sub`` and name, the reason
code, when, the ids of the inquiries found when it was made, and which pepper keyed the hashes (``keys_id``: a
request made before a rotation is refused, ``StaleRequest``, and must be asked again). It expires (``ttl``,
``erasure_request_days``): an expired request is neither listed nor approved, and DynamoDB's TTL removes it.

Item: key ``kind`` (always ``erasure``: one partition, read with a Query, never a Scan) + ``request_id`` (a
ULID, so the partition sorts by time). Taking a request to approve or reject it is a conditional delete: of two
admins acting at once, one gets it and the other finds nothing. An export is not taken when approved: it is
marked (``approved_by``) and its ``ttl`` cut to a short window, and the admin who asked takes it (a conditional
delete: once) to see the export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.data.errors import domain_errors
from inquiries.rights.person import Person

KIND = "erasure"
ERASURE = "erasure"
EXPORT = "export"


@dataclass(frozen=True)
class ErasureRequest:
    """One pending request."""

    request_id: str
    requester_id: str
    requester: str
    reason: str
    requested_at: str
    expires_at: int  # epoch seconds (its ttl)
    inquiry_ids: tuple[str, ...]
    person: Person
    action: str = ERASURE  # or EXPORT
    term: str = ""  # an export: the kind of term it was asked by (email/phone), for its audit entries
    approved_by: str | None = None  # an export approved by a different admin, waiting for its requester
    # Which pepper keyed ``person`` (a keyed hash of a fixed text under the pepper current then: it names the
    # pepper without revealing it). '' for a request stored before it was kept: taken as current.
    keys_id: str = ""

    def to_item(self) -> dict[str, Any]:
        item = self._item()
        item["action"] = {"S": self.action}
        if self.keys_id:
            item["keys_id"] = {"S": self.keys_id}
        if self.term:
            item["term"] = {"S": self.term}
        if self.approved_by:
            item["approved_by"] = {"S": self.approved_by}
        return item

    def _item(self) -> dict[str, Any]:
        return {"kind": {"S": KIND}, "request_id": {"S": self.request_id}, "requester_id": {"S": self.requester_id},
                "requester": {"S": self.requester}, "reason": {"S": self.reason},
                "requested_at": {"S": self.requested_at}, "ttl": {"N": str(self.expires_at)},
                "inquiry_ids": {"L": [{"S": i} for i in self.inquiry_ids]},
                "person": {"S": json.dumps(self.person.as_dict(), separators=(",", ":"))}}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ErasureRequest:
        return cls(request_id=item["request_id"]["S"], requester_id=item["requester_id"]["S"],
                   requester=item["requester"]["S"], reason=item["reason"]["S"],
                   requested_at=item["requested_at"]["S"], expires_at=int(item["ttl"]["N"]),
                   inquiry_ids=tuple(i["S"] for i in item["inquiry_ids"]["L"]),
                   person=Person.from_dict(json.loads(item["person"]["S"])),
                   action=item.get("action", {}).get("S", ERASURE), term=item.get("term", {}).get("S", ""),
                   approved_by=item.get("approved_by", {}).get("S"), keys_id=item.get("keys_id", {}).get("S", ""))


class RequestGone(Exception):
    """No pending request has this id (never made, expired, or already approved or rejected)."""


class StaleRequest(Exception):
    """The pepper was rotated after the request was made: its keyed hashes could miss what the person sent
    since (keyed under the new pepper), so it is not carried out. Reject it and ask again."""


class SameAdmin(Exception):
    """The admin who made the request may not approve it."""


class NotRequester(Exception):
    """Only the admin who asked for an export may open it."""


@dataclass(frozen=True)
class ErasureRequests:
    """Stores, lists and takes pending requests. Raises ``DataUnavailable``."""

    table: str

    def put(self, request: ErasureRequest) -> None:
        with domain_errors():
            aws.dynamodb().put_item(TableName=self.table, Item=request.to_item(),
                                    ConditionExpression="attribute_not_exists(request_id)")

    def pending(self, now: int, limit: int = 100) -> list[ErasureRequest]:
        """Requests not yet expired, newest first."""
        found: list[ErasureRequest] = []
        kwargs: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": "kind = :k",
                                  "FilterExpression": "#ttl > :now", "ExpressionAttributeNames": {"#ttl": "ttl"},
                                  "ExpressionAttributeValues": {":k": {"S": KIND}, ":now": {"N": str(now)}},
                                  "ScanIndexForward": False}
        while len(found) < limit:
            with domain_errors():
                page = aws.dynamodb().query(**kwargs)
            found += [ErasureRequest.from_item(item) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found[:limit]

    def take(self, request_id: str, now: int, *, not_by: str | None = None,
             action: str | None = None) -> ErasureRequest:
        """Remove and return a pending request (``not_by``: unless that admin made it; ``action``: only one of
        that kind). Raises ``RequestGone``, ``SameAdmin``."""
        condition = "attribute_exists(request_id) AND #ttl > :now"
        values: dict[str, Any] = {":now": {"N": str(now)}}
        names = {"#ttl": "ttl"}
        if not_by is not None:
            condition += " AND requester_id <> :me"
            values[":me"] = {"S": not_by}
        if action == ERASURE:  # requests stored before exports were gated carry no action
            condition += " AND (attribute_not_exists(#a) OR #a = :action)"
        elif action is not None:
            condition += " AND #a = :action"
        if action is not None:
            names["#a"] = "action"
            values[":action"] = {"S": action}
        try:
            answer = aws.dynamodb().delete_item(
                TableName=self.table, Key=self._key(request_id), ConditionExpression=condition,
                ExpressionAttributeNames=names, ExpressionAttributeValues=values, ReturnValues="ALL_OLD")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                with domain_errors():
                    raise
            if not_by is not None and (still := self._get(request_id)) is not None \
                    and still.requester_id == not_by and still.expires_at > now:
                raise SameAdmin(request_id) from None
            raise RequestGone(request_id) from None
        return ErasureRequest.from_item(dict(answer["Attributes"]))

    def current(self, request_id: str, now: int) -> ErasureRequest:
        """The pending request, not expired. Raises ``RequestGone``."""
        found = self._get(request_id)
        if found is None or found.expires_at <= now:
            raise RequestGone(request_id)
        return found

    def approve_export(self, request: ErasureRequest, now: int, by: str, until: int) -> ErasureRequest:
        """Mark an export approved by ``by`` (not its requester), open to its requester until ``until``. Raises
        ``RequestGone``, ``SameAdmin``."""
        if request.requester_id == by:
            raise SameAdmin(request.request_id)
        try:
            aws.dynamodb().update_item(
                TableName=self.table, Key=self._key(request.request_id),
                UpdateExpression="SET approved_by = :me, #ttl = :until",
                ConditionExpression="#ttl > :now AND #a = :export AND requester_id <> :me "
                                    "AND attribute_not_exists(approved_by)",
                ExpressionAttributeNames={"#ttl": "ttl", "#a": "action"},
                ExpressionAttributeValues={":me": {"S": by}, ":until": {"N": str(until)},
                                           ":now": {"N": str(now)}, ":export": {"S": EXPORT}})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                with domain_errors():
                    raise
            raise RequestGone(request.request_id) from None
        return replace(request, approved_by=by, expires_at=until)

    def take_export(self, request_id: str, now: int, requester: str) -> ErasureRequest:
        """Remove and return an approved export for the admin who asked for it (once). Raises ``RequestGone``,
        ``NotRequester``."""
        try:
            answer = aws.dynamodb().delete_item(
                TableName=self.table, Key=self._key(request_id),
                ConditionExpression="#ttl > :now AND #a = :export AND attribute_exists(approved_by) "
                                    "AND requester_id = :me",
                ExpressionAttributeNames={"#ttl": "ttl", "#a": "action"},
                ExpressionAttributeValues={":me": {"S": requester}, ":now": {"N": str(now)},
                                           ":export": {"S": EXPORT}}, ReturnValues="ALL_OLD")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                with domain_errors():
                    raise
            still = self._get(request_id)
            if still is not None and still.action == EXPORT and still.approved_by and still.expires_at > now \
                    and still.requester_id != requester:
                raise NotRequester(request_id) from None
            raise RequestGone(request_id) from None
        return ErasureRequest.from_item(dict(answer["Attributes"]))

    def _get(self, request_id: str) -> ErasureRequest | None:
        with domain_errors():
            item = aws.dynamodb().get_item(TableName=self.table, Key=self._key(request_id), ConsistentRead=True)
        return ErasureRequest.from_item(dict(item["Item"])) if "Item" in item else None

    def restore(self, request: ErasureRequest) -> None:
        """Put back a request taken for an erasure that then failed (so it can be approved again)."""
        with domain_errors():
            aws.dynamodb().put_item(TableName=self.table, Item=request.to_item())

    @staticmethod
    def _key(request_id: str) -> dict[str, Any]:
        return {"kind": {"S": KIND}, "request_id": {"S": request_id}}
