"""Pending erasure requests (ErasureRequestTable), while a second admin's approval is awaited.

A request keeps only what carrying it out needs and what the approver is shown: the person's keyed hashes
(``rights.person.Person``: never the address or number in clear), the requester's ``sub`` and name, the reason
code, when, and the ids of the inquiries found when it was made. It expires (``ttl``, ``erasure_request_days``):
an expired request is neither listed nor approved, and DynamoDB's TTL removes it.

Item: key ``kind`` (always ``erasure``: one partition, read with a Query, never a Scan) + ``request_id`` (a
ULID, so the partition sorts by time). Taking a request to approve or reject it is a conditional delete: of two
admins acting at once, one gets it and the other finds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.data.errors import domain_errors
from inquiries.rights.person import Person

KIND = "erasure"


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

    def to_item(self) -> dict[str, Any]:
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
                   person=Person.from_dict(json.loads(item["person"]["S"])))


class RequestGone(Exception):
    """No pending request has this id (never made, expired, or already approved or rejected)."""


class SameAdmin(Exception):
    """The admin who made the request may not approve it."""


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

    def take(self, request_id: str, now: int, *, not_by: str | None = None) -> ErasureRequest:
        """Remove and return a pending request (``not_by``: unless that admin made it). Raises ``RequestGone``,
        ``SameAdmin``."""
        condition = "attribute_exists(request_id) AND #ttl > :now"
        values: dict[str, Any] = {":now": {"N": str(now)}}
        if not_by is not None:
            condition += " AND requester_id <> :me"
            values[":me"] = {"S": not_by}
        try:
            answer = aws.dynamodb().delete_item(
                TableName=self.table, Key=self._key(request_id), ConditionExpression=condition,
                ExpressionAttributeNames={"#ttl": "ttl"}, ExpressionAttributeValues=values, ReturnValues="ALL_OLD")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                with domain_errors():
                    raise
            if not_by is not None and (still := self._get(request_id)) is not None \
                    and still.requester_id == not_by and still.expires_at > now:
                raise SameAdmin(request_id) from None
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
