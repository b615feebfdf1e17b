"""Erase one person's data: the one implementation behind ``python -m infra.erase`` and ``POST /care/erasures``.

What goes, found from the person's keyed hashes alone (``rights.person.Person``):

- every inquiry whose ``email_hash`` is one of the person's email hashes (InquiriesTable, EmailHashIndex), and
  every inquiry listed under one of the person's phone lookup keys (InquiryLookupTable);
- each such inquiry's lookup items (its reference, keyed phone, name-token and whole-name hashes): the keys the
  inquiry lists (``lookup_keys``) and those its name and phone give under either pepper, deleted before the
  inquiry, so an erasure cut short is finished by running it again;
- every idempotency record whose stored response names one of those inquiry ids, and every duplicate-
  submission guard (``submission#...``) that points at one (IdempotencyTable);
- the per-mailbox confirmation counters ``email#<mailbox hash>#<window>`` (RateLimitTable): the address's
  mailbox (``+tag`` and Gmail's dots dropped), and the address's own hash as counters written before mailboxes
  were keyed used it.

- the person's inquiry ids in the per-domain confirmation counters ``domain#<domain hash>#<window>``
  (RateLimitTable): these are shared by everyone at a domain, so only the erased ids are taken out of them (a
  conditional update of ``members``; other people's ids stay), and a counter left with no member is deleted.
  The domains are the given address's and those of every erased inquiry's stored address (read before the
  inquiry goes, so an erasure by phone finds them too). The mailbox counters of a stored address the request
  did not name (an erasure by phone) are treated the same way: the erased ids taken out, nothing else.

The audit trail is never touched: its entries hold no inquiry field, and the caller
records that an erasure happened. Nothing here logs: the report holds ids and counts only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from inquiries.data.items import DOMAIN_SCOPE, EMAIL_HASH_INDEX, EMAIL_SCOPE, counter_prefix
from inquiries.data.lookups import full_name, full_name_keys, name_token_keys, name_tokens, phone_keys, reference_key
from inquiries.delivery.address_cap import domain_hashes, mailbox_hashes
from inquiries.peppers import Peppers
from inquiries.rights.person import Person

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_dynamodb.client import DynamoDBClient

STACK_OUTPUTS = {
    "inquiries": "InquiriesTableName",
    "idempotency": "IdempotencyTableName",
    "rate_limit": "RateLimitTableName",
    "pepper_secret": "PepperSecretArn",
    "lookups": "InquiryLookupTableName",
}


def stack_outputs(session: boto3.Session, stack_name: str) -> dict[str, str]:
    """A deployed stack's Outputs, by key."""
    stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


@dataclass(frozen=True)
class Tables:
    """The physical names of the four tables that hold a person's data, and of the pepper secret."""

    inquiries: str = "InquiriesTable"
    idempotency: str = "IdempotencyTable"
    rate_limit: str = "RateLimitTable"
    pepper_secret: str = "PepperSecret"  # noqa: S105 - the secret's name, not its value
    lookups: str = "InquiryLookupTable"

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Tables:
        env = dict(os.environ) if environ is None else environ
        return cls(
            inquiries=env.get("INQUIRIES_TABLE", cls.inquiries),
            idempotency=env.get("IDEMPOTENCY_TABLE", cls.idempotency),
            rate_limit=env.get("RATE_LIMIT_TABLE", cls.rate_limit),
            pepper_secret=env.get("PEPPER_SECRET", cls.pepper_secret),
            lookups=env.get("INQUIRY_LOOKUP_TABLE", cls.lookups),
        )

    @classmethod
    def from_stack(cls, session: boto3.Session, stack_name: str) -> Tables:
        """Table names from a deployed stack's Outputs."""
        outputs = stack_outputs(session, stack_name)
        missing = [key for key in STACK_OUTPUTS.values() if key not in outputs]
        if missing:
            raise SystemExit(f"stack {stack_name} has no output(s) {', '.join(missing)}")
        return cls(**{name: outputs[key] for name, key in STACK_OUTPUTS.items()})


@dataclass
class ErasureReport:
    """What was (or, in a dry run, would be) removed. Holds no PHI: ids and counts only."""

    dry_run: bool
    inquiry_ids: list[str] = field(default_factory=list)
    inquiries: int = 0
    idempotency_records: int = 0
    rate_limit_counters: int = 0
    lookup_items: int = 0
    domain_counters: int = 0  # shared per-domain counters the erased ids were taken out of

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def counts(self) -> dict[str, int]:
        """What an audit entry of the erasure keeps: how many of each kind went (counts, never a value)."""
        return {"inquiries": self.inquiries, "lookup_items": self.lookup_items,
                "idempotency_records": self.idempotency_records, "rate_limit_counters": self.rate_limit_counters}


def _query(ddb: DynamoDBClient, **kwargs: Any) -> Iterator[dict[str, Any]]:
    while True:
        page = ddb.query(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def inquiry_ids_of(person: Person, ddb: DynamoDBClient, tables: Tables) -> list[str]:
    """Every stored inquiry id of the person (by email hash and by phone lookup key), oldest first."""
    found: set[str] = set()
    for hashed in person.email_hashes:
        found |= {item["inquiry_id"]["S"] for item in _query(
            ddb, TableName=tables.inquiries, IndexName=EMAIL_HASH_INDEX, KeyConditionExpression="email_hash = :h",
            ExpressionAttributeValues={":h": {"S": hashed}}, ProjectionExpression="inquiry_id")}
    for key in person.phone_keys:
        found |= {item["inquiry_id"]["S"] for item in _query(
            ddb, TableName=tables.lookups, KeyConditionExpression="lookup_key = :k",
            ExpressionAttributeValues={":k": {"S": key}}, ProjectionExpression="inquiry_id")}
    return sorted(found)


def _scan(ddb: DynamoDBClient, table: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    args: dict[str, Any] = {"TableName": table, **kwargs}
    while True:
        page = ddb.scan(**args)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _references(item: dict[str, Any], inquiry_ids: set[str]) -> bool:
    """Whether an idempotency-table item belongs to one of the inquiries: a guard's ``inquiry_id``, or
    a Powertools record whose stored response (``data``, JSON) names it."""
    own = item.get("inquiry_id", {}).get("S")
    if own in inquiry_ids:
        return True
    data = item.get("data", {}).get("S")
    if not data:
        return False
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("inquiry_id") in inquiry_ids:
        return True
    # Any other shape of stored response: a ULID is 26 characters, so a substring match is exact enough.
    return any(inquiry_id in data for inquiry_id in inquiry_ids)


def _lookup_keys(ddb: DynamoDBClient, table: str, inquiry_id: str, peppers: Peppers) -> list[str]:
    """The lookup keys an inquiry may have items under: those it lists, and those its name and phone give."""
    item = ddb.get_item(TableName=table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True,
                        ProjectionExpression="lookup_keys, #n, phone", ExpressionAttributeNames={"#n": "name"})
    stored = item.get("Item", {})
    keys = [key["S"] for key in stored.get("lookup_keys", {}).get("L", [])]
    keys.append(reference_key(inquiry_id))
    phone = stored.get("phone", {}).get("S")
    if phone:
        keys += phone_keys(phone, peppers)
    name = stored.get("name", {}).get("S", "")
    for token in name_tokens(name):
        keys += name_token_keys(token, peppers)
    if full_name(name):
        keys += full_name_keys(full_name(name), peppers)
    return list(dict.fromkeys(keys))


def _erase_lookups(ddb: DynamoDBClient, tables: Tables, inquiry_id: str, peppers: Peppers, dry_run: bool) -> int:
    erased = 0
    for key in _lookup_keys(ddb, tables.inquiries, inquiry_id, peppers):
        item_key = {"lookup_key": {"S": key}, "inquiry_id": {"S": inquiry_id}}
        if dry_run and "Item" not in ddb.get_item(TableName=tables.lookups, Key=item_key):
            continue
        if _delete(ddb, tables.lookups, item_key, dry_run):
            erased += 1
    return erased


def _delete(ddb: DynamoDBClient, table: str, key: dict[str, Any], dry_run: bool) -> bool:
    if dry_run:
        return True
    try:
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="attribute_exists(#k)",
                        ExpressionAttributeNames={"#k": next(iter(key))})
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False  # already gone (TTL or a concurrent erasure)
        raise
    return True


def _stored_counter_keys(ddb: DynamoDBClient, table: str, inquiry_id: str, peppers: Peppers) -> tuple[list[str],
                                                                                                       list[str]]:
    """The keyed hashes of an inquiry's stored address's mailbox and of its mail domain (its counters' keys)."""
    item = ddb.get_item(TableName=table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True,
                        ProjectionExpression="email")
    email = item.get("Item", {}).get("email", {}).get("S")
    return (mailbox_hashes(email, peppers), domain_hashes(email, peppers)) if email else ([], [])


def _take_out_of_counters(ddb: DynamoDBClient, table: str, scope: str, hashes: list[str], inquiry_ids: set[str],
                          dry_run: bool) -> int:
    """Remove ``inquiry_ids`` from every counter of ``scope`` and ``hashes`` (other members stay); delete a counter
    left empty. Returns how many counters held one of them."""
    changed = 0
    for hashed in hashes:
        prefix = counter_prefix(scope, hashed)
        for item in _scan(ddb, table, ProjectionExpression="#id, members", ExpressionAttributeNames={"#id": "id"},
                          FilterExpression="begins_with(#id, :p)", ExpressionAttributeValues={":p": {"S": prefix}}):
            held = sorted(inquiry_ids & set(item.get("members", {}).get("SS", [])))
            if not held:
                continue
            changed += 1
            if dry_run:
                continue
            try:
                ddb.update_item(TableName=table, Key={"id": item["id"]}, UpdateExpression="DELETE members :ids",
                                ConditionExpression="attribute_exists(members)",
                                ExpressionAttributeValues={":ids": {"SS": held}})
                # DynamoDB removes a set left empty: the counter would hold nothing but its expiry.
                ddb.delete_item(TableName=table, Key={"id": item["id"]},
                                ConditionExpression="attribute_not_exists(members)")
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise  # else: expired, or another inquiry counted meanwhile (it stays)
    return changed


def erase_person(person: Person, ddb: DynamoDBClient, tables: Tables, peppers: Peppers, *,
                 dry_run: bool = False) -> ErasureReport:
    """Remove (or with ``dry_run`` only count) everything stored about one person. Idempotent: a second run
    finds nothing; a run cut short is finished by the next."""
    report = ErasureReport(dry_run=dry_run)
    inquiry_ids = inquiry_ids_of(person, ddb, tables)
    # The shared domain counters (and the mailbox counters of stored addresses the request did not name) first,
    # while each inquiry still holds its address: a run cut short after this is finished by the next.
    domains, mailboxes = list(person.domain_hashes), []
    for inquiry_id in inquiry_ids:
        boxes, stored_domains = _stored_counter_keys(ddb, tables.inquiries, inquiry_id, peppers)
        mailboxes += [box for box in boxes if box not in person.mailbox_hashes]
        domains += stored_domains
    if inquiry_ids:
        report.domain_counters = _take_out_of_counters(ddb, tables.rate_limit, DOMAIN_SCOPE,
                                                       list(dict.fromkeys(domains)), set(inquiry_ids), dry_run)
        report.rate_limit_counters += _take_out_of_counters(ddb, tables.rate_limit, EMAIL_SCOPE,
                                                            list(dict.fromkeys(mailboxes)), set(inquiry_ids), dry_run)
    for inquiry_id in inquiry_ids:
        report.lookup_items += _erase_lookups(ddb, tables, inquiry_id, peppers, dry_run)
        if _delete(ddb, tables.inquiries, {"inquiry_id": {"S": inquiry_id}}, dry_run):
            report.inquiry_ids.append(inquiry_id)
            report.inquiries += 1

    wanted = set(inquiry_ids)
    if wanted:
        for item in _scan(ddb, tables.idempotency, ProjectionExpression="#id, inquiry_id, #d",
                          ExpressionAttributeNames={"#id": "id", "#d": "data"}):
            if _references(item, wanted) and _delete(ddb, tables.idempotency, {"id": item["id"]}, dry_run):
                report.idempotency_records += 1

    for hashed in dict.fromkeys([*person.mailbox_hashes, *person.email_hashes]):
        prefix = counter_prefix(EMAIL_SCOPE, hashed)
        for item in _scan(ddb, tables.rate_limit, ProjectionExpression="#id", ExpressionAttributeNames={"#id": "id"},
                          FilterExpression="begins_with(#id, :p)", ExpressionAttributeValues={":p": {"S": prefix}}):
            if _delete(ddb, tables.rate_limit, {"id": item["id"]}, dry_run):
                report.rate_limit_counters += 1
    return report


def erase(email: str | None, ddb: DynamoDBClient, tables: Tables, peppers: Peppers, *, phone: str | None = None,
          dry_run: bool = False) -> ErasureReport:
    """Remove (or with ``dry_run`` only count) everything stored about one email address and/or phone number.

    Each is normalised exactly as intake normalises it before hashing, so ``Anna@Bücher.example`` finds what
    intake stored as ``Anna@xn--bcher-kva.example``. Raises ``InvalidEmailAddress`` / ``InvalidPhoneNumber``
    for one intake would have refused (nothing can be stored under it). Every valid pepper is tried.
    """
    return erase_person(Person.of(peppers, email=email, phone=phone), ddb, tables, peppers, dry_run=dry_run)
