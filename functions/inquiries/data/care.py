"""The care team's data access to InquiriesTable: the list by status, one inquiry, versioned changes.

Item attributes this module adds to an inquiry (``InquiryItem`` holds ``version`` and ``due_at`` from
intake): ``assignee``, ``notes`` (list of {at, actor_id, actor, text}), ``history`` (list of {at,
actor_id, actor, action, from?, to?, reason?}; ``actor_id`` is the member's Cognito sub, ``actor`` their
name in the pool then; ``reason`` is a level correction's ``missed`` or ``false_alarm``), ``updated_at``,
``first_contact_at``, ``released_at``, ``reopened_at``, ``last_reminded_at``, ``close_reason``,
``attempts`` (list of {at, actor_id, actor, channel, outcome, next_attempt_at?}), ``attempt_count`` and
``next_attempt_at`` (the queue reads those two beside the index, which does not project them).
Raises ``DataUnavailable`` (or ``Throttled``) and the domain errors of ``data.errors``, never botocore's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.conditional import update_if, updated_attributes_if
from inquiries.data.errors import (
    DataUnavailable,
    InquiryNotFound,
    VersionConflict,
    as_domain_error,
    domain_errors,
)
from inquiries.data.items import STATUS_INDEX, attribute_value, plain_values
from inquiries.data.pages import query_count, query_pages
from inquiries.data.transactions import transact_write
from inquiries.record import InquiryStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

# What the StatusIndex projects besides its keys (template.yaml): never message, email or phone.
LIST_ATTRIBUTES = ("inquiry_id", "status", "created_at", "name", "assignee", "due_at", "version", "topic",
                   "urgent", "level", "language", "preferred_contact")
_NEW = InquiryStatus.NEW.value
_ATTEMPTING = InquiryStatus.ATTEMPTING.value
# What the queue reads of each shown inquiry beside the index (BatchGetItem with this projection, and no
# other attribute: CareApiFunction's policy allows BatchGetItem for these alone, ``dynamodb:Attributes``).
QUEUE_DETAILS = ("inquiry_id", "message", "attempt_count", "next_attempt_at", "email_hash", "phone_hash",
                 "triage_categories")
# BatchGetItem takes at most 100 keys a request; unprocessed ones are asked again a bounded number of times.
_BATCH_KEYS = 100
_BATCH_ROUNDS = 5
# Who an index read is for: everyone (None), nobody assigned (UNASSIGNED) or one member's sub.
UNASSIGNED = ""


@dataclass(frozen=True)
class CarePage:
    """One page of a status list: list attributes only, newest first; the key the next page starts after
    (None on the last page), which ``data.cursor.ListCursors`` seals into the cursor the API hands out."""

    items: list[dict[str, Any]]
    last_key: dict[str, Any] | None


# What a reminder reads of an overdue inquiry (care.reminders), the index's keys included: never the name.
REMINDER_FIELDS = ("inquiry_id", "status", "created_at", "due_at", "urgent", "topic", "preferred_contact")


@dataclass(frozen=True)
class CareRecords:
    """Reads and versioned writes of inquiries for the care team."""

    inquiries_table: str

    def list_by_status(self, status: str, limit: int,
                       start_key: dict[str, AttributeValueTypeDef] | None = None) -> CarePage:
        """Inquiries in ``status``, newest first, from StatusIndex (never a Scan), after ``start_key`` (an
        opened cursor's key)."""
        kwargs: dict[str, Any] = {
            "TableName": self.inquiries_table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#s = :status",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":status": {"S": status}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        with domain_errors():
            page = aws.dynamodb().query(**kwargs)
        last = page.get("LastEvaluatedKey")
        items = [{k: v for k, v in plain_values(item).items() if k in LIST_ATTRIBUTES}
                 for item in page.get("Items", [])]
        return CarePage(items=items, last_key=dict(last) if last else None)

    def open_rows(self, statuses: tuple[str, ...], bound: int) -> tuple[list[dict[str, Any]], bool]:
        """Every inquiry in ``statuses`` as the index holds it (list attributes only, newest first per status),
        at most ``bound`` in all; and whether all were read."""
        rows: list[dict[str, Any]] = []
        for status in statuses:
            kwargs: dict[str, Any] = {
                "TableName": self.inquiries_table, "IndexName": STATUS_INDEX,
                "KeyConditionExpression": "#s = :status", "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":status": {"S": status}}, "ScanIndexForward": False,
            }
            while True:
                kwargs["Limit"] = bound - len(rows) + 1  # one more than room: says whether there were more
                with domain_errors():
                    page = aws.dynamodb().query(**kwargs)
                rows.extend({k: v for k, v in plain_values(item).items() if k in LIST_ATTRIBUTES}
                            for item in page.get("Items", []))
                if len(rows) > bound:
                    return rows[:bound], False
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return rows, True

    def count(self, status: str, assignee: str | None = None) -> int:
        """How many inquiries are in ``status`` (of ``assignee``: a sub, ``UNASSIGNED``, or None for all):
        StatusIndex with ``Select=COUNT``, no item returned."""
        kwargs: dict[str, Any] = {
            "TableName": self.inquiries_table, "IndexName": STATUS_INDEX, "Select": "COUNT",
            "KeyConditionExpression": "#s = :status", "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":status": {"S": status}},
        }
        if assignee == UNASSIGNED:
            kwargs["FilterExpression"] = "attribute_not_exists(assignee)"
        elif assignee is not None:
            kwargs["FilterExpression"] = "assignee = :assignee"
            kwargs["ExpressionAttributeValues"][":assignee"] = {"S": assignee}
        return query_count(aws.dynamodb(), kwargs, domain=True)

    def details(self, inquiry_ids: list[str], attributes: tuple[str, ...] = QUEUE_DETAILS) -> dict[str, dict[str, Any]]:
        """``attributes`` (some of ``QUEUE_DETAILS``, ``inquiry_id`` always) of each inquiry, by id
        (BatchGetItem, eventually consistent; an inquiry erased meanwhile is simply absent). Raises
        ``DataUnavailable`` when some stay unprocessed."""
        found: dict[str, dict[str, Any]] = {}
        wanted = ("inquiry_id", *(a for a in attributes if a in QUEUE_DETAILS and a != "inquiry_id"))
        names = {f"#d{i}": name for i, name in enumerate(wanted)}
        for start in range(0, len(inquiry_ids), _BATCH_KEYS):
            keys: list[dict[str, Any]] = [{"inquiry_id": {"S": i}} for i in inquiry_ids[start:start + _BATCH_KEYS]]
            for _round in range(_BATCH_ROUNDS):
                with domain_errors():
                    answer = aws.dynamodb().batch_get_item(RequestItems={self.inquiries_table: {
                        "Keys": keys, "ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}})
                for item in answer.get("Responses", {}).get(self.inquiries_table, []):
                    values = plain_values(item)
                    found[str(values["inquiry_id"])] = values
                unprocessed = answer.get("UnprocessedKeys") or {}
                keys = list(unprocessed[self.inquiries_table]["Keys"]) if self.inquiries_table in unprocessed else []
                if not keys:
                    break
            if keys:
                raise DataUnavailable("UnprocessedKeys")
        return found

    def new_past_due(self, now_iso: str, created_by_iso: str) -> Iterator[dict[str, Any]]:
        """Inquiries still awaiting their first contact (``new`` or ``attempting``) whose ``due_at`` has passed
        (StatusIndex, oldest first per status): only what a reminder
        shows (``REMINDER_FIELDS``), never the name the index also holds. RemindCareTeamFunction's policy
        allows no other attribute (``dynamodb:Attributes``).

        Only those created by ``created_by_iso`` are read (the key condition): a newer one cannot be overdue
        yet, so a backlog of fresh inquiries costs nothing (each run used to read every ``new`` one).
        """
        for status in (_NEW, _ATTEMPTING):
            yield from self._past_due(status, now_iso, created_by_iso)

    def _past_due(self, status: str, now_iso: str, created_by_iso: str) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.inquiries_table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#s = :new AND created_at <= :created",
            "FilterExpression": "due_at < :now",
            "Select": "SPECIFIC_ATTRIBUTES",
            # Every name a placeholder: status (and who knows which next field) is a reserved word.
            "ProjectionExpression": ", ".join(f"#p{i}" for i in range(len(REMINDER_FIELDS))),
            "ExpressionAttributeNames": {"#s": "status", **{f"#p{i}": f for i, f in enumerate(REMINDER_FIELDS)}},
            "ExpressionAttributeValues": {":new": {"S": status}, ":now": {"S": now_iso},
                                          ":created": {"S": created_by_iso}},
        }
        for page in query_pages(aws.dynamodb(), kwargs, domain=True):
            for item in page.get("Items", []):
                yield plain_values(item)

    def get(self, inquiry_id: str) -> dict[str, Any] | None:
        """The whole inquiry as plain values (consistent read), or None."""
        with domain_errors():
            resp = aws.dynamodb().get_item(TableName=self.inquiries_table, Key={"inquiry_id": {"S": inquiry_id}},
                                           ConsistentRead=True)
        item = resp.get("Item")
        return plain_values(item) if item else None

    def apply_change(
        self,
        inquiry_id: str,
        expected_version: int,
        *,
        sets: Mapping[str, Any],
        removes: tuple[str, ...] = (),
        append: Mapping[str, list[dict[str, Any]]] | None = None,
        also: list[TransactWriteItemTypeDef] | None = None,
        counted: bool = False,
    ) -> None:
        """Write one change if the inquiry is still at ``expected_version``; bump the version.

        ``sets`` are attributes to set, ``removes`` to remove, ``append`` lists to extend (notes,
        history). ``also`` are writes that must happen together with it (the audit entry), in one
        transaction. Raises ``VersionConflict`` when the inquiry moved on, ``InquiryNotFound`` when it
        is gone. ``counted`` says whether the inquiry was read with ``stats_counted`` (its change then adds to
        the weekly counters in ``also``): the write holds only while that is still so, or a rebuild that
        counted it meanwhile would miss this change (then it is a ``VersionConflict``: read it again).
        """
        names: dict[str, str] = {"#version": "version"}
        values: dict[str, AttributeValueTypeDef] = {":expected": {"N": str(expected_version)},
                                                   ":next": {"N": str(expected_version + 1)}}
        clauses = ["#version = :next"]
        for i, (name, value) in enumerate(sorted(sets.items())):
            names[f"#s{i}"] = name
            values[f":s{i}"] = attribute_value(value)
            clauses.append(f"#s{i} = :s{i}")
        for i, (name, entries) in enumerate(sorted((append or {}).items())):
            if not entries:
                continue
            names[f"#a{i}"] = name
            values[f":a{i}"] = attribute_value(entries)
            values[":empty"] = {"L": []}
            clauses.append(f"#a{i} = list_append(if_not_exists(#a{i}, :empty), :a{i})")
        expression = "SET " + ", ".join(clauses)
        if removes:
            for i, name in enumerate(removes):
                names[f"#r{i}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
        # Records stored before versions existed count as version 1.
        names["#counted"] = "stats_counted"
        condition = "attribute_exists(inquiry_id) AND "
        condition += "attribute_exists(#counted) AND " if counted else "attribute_not_exists(#counted) AND "
        condition += ("(attribute_not_exists(#version) OR #version = :expected)" if expected_version == 1
                      else "#version = :expected")
        update: TransactWriteItemTypeDef = {"Update": {
            "TableName": self.inquiries_table,
            "Key": {"inquiry_id": {"S": inquiry_id}},
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }}
        try:
            transact_write([update, *(also or [])])  # again when only a counter was busy
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            refused = (exc.response.get("Error", {}).get("Code") == "TransactionCanceledException"
                       and bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed")
            if not refused:
                raise as_domain_error(exc) from None
        except BotoCoreError as exc:
            raise as_domain_error(exc) from None
        else:
            return
        if self.get(inquiry_id) is None:
            raise InquiryNotFound(inquiry_id)
        raise VersionConflict(inquiry_id)

    def claim_reminder(self, inquiry_id: str, now_iso: str, not_since_iso: str) -> str | None:
        """Record a reminder at ``now_iso`` unless one was sent after ``not_since_iso`` or the inquiry no longer
        awaits its first contact (neither ``new`` nor ``attempting``). Returns the previous
        ``last_reminded_at`` ("" for none), or None when not claimed."""
        previous = updated_attributes_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression="SET last_reminded_at = :now",
            ConditionExpression=("#s IN (:new, :attempting) AND (attribute_not_exists(last_reminded_at)"
                                 " OR last_reminded_at <= :since)"),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":now": {"S": now_iso}, ":new": {"S": _NEW},
                                       ":attempting": {"S": _ATTEMPTING}, ":since": {"S": not_since_iso}},
            ReturnValues="UPDATED_OLD",
        )
        if previous is None:
            return None
        old = previous.get("last_reminded_at")
        return old["S"] if old and "S" in old else ""

    def unclaim_reminder(self, inquiry_id: str, claimed_iso: str, previous_iso: str) -> None:
        """Undo ``claim_reminder`` (the reminder could not be sent), so the next run tries again."""
        expression = "SET last_reminded_at = :prev" if previous_iso else "REMOVE last_reminded_at"
        values: dict[str, AttributeValueTypeDef] = {":mine": {"S": claimed_iso}}
        if previous_iso:
            values[":prev"] = {"S": previous_iso}
        update_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression=expression,
            ConditionExpression="last_reminded_at = :mine",
            ExpressionAttributeValues=values,
        )
