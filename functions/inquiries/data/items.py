"""Every item shape the functions write, defined once, and the names the tools and tests share.

InquiriesTable (key ``inquiry_id``, a ULID): one ``InquiryItem`` (with its InquiryLookupTable items,
``data.lookups``), later annotated by the consumers
with the attributes of each ``DeliveryStep`` (sent marker, lease, permanent failure) and delivery
notes (message ids). The sparse pair ``dispatch_state`` + ``dispatch_pending_since`` marks an
inquiry whose queue messages are not known to be sent (DispatchPendingIndex).

IdempotencyTable: Powertools' own records, and one ``SubmissionGuardItem`` per submission
(id ``submission#<hex>``) written in the same transaction as the inquiry.

RateLimitTable: one counter per scope, keyed hash and window (``client#<hex>#<start>``,
``email#<mailbox hash>#<start>``, ``domain#<hex>#<start>``): never an address, a domain or an IP in clear.
Every hash of a personal value is keyed with the secret pepper (``inquiries.peppers``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from inquiries import peppers as keyed
from inquiries.care.response_time import due_at
from inquiries.peppers import Peppers
from inquiries.record import InquiryStatus

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    from inquiries.models_core import SubmittedInquiry
    from inquiries.settings import ResponseTimeSettings
    from inquiries.triage import Triage

STATUS_INDEX = "StatusIndex"
DISPATCH_PENDING_INDEX = "DispatchPendingIndex"
EMAIL_HASH_INDEX = "EmailHashIndex"
DISPATCH_PENDING = "pending"
GUARD_PREFIX = "submission#"
CLIENT_SCOPE = "client"
EMAIL_SCOPE = "email"
DOMAIN_SCOPE = "domain"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def serialize(values: Mapping[str, Any]) -> dict[str, AttributeValueTypeDef]:
    """Plain values to a DynamoDB item (None values are left out)."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def attribute_value(value: Any) -> AttributeValueTypeDef:
    """One plain value as a DynamoDB attribute value (for update expressions)."""
    return _serializer.serialize(value)


def plain_values(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB item to plain values (numbers, nested ones too, become int where whole)."""
    return {key: _without_decimals(_deserializer.deserialize(value)) for key, value in item.items()}


def _without_decimals(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_without_decimals(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_decimals(v) for k, v in value.items()}
    return value


def iso(ts: datetime) -> str:
    """UTC ISO-8601 with milliseconds and a Z (sorts lexically in time order)."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def email_hash(email: str, peppers: Peppers) -> str:
    """The keyed hash of one person's address under the current pepper (stored, so erasure finds it)."""
    return peppers.keyed_hash(keyed.EMAIL, email.strip().lower())


def email_hashes(email: str, peppers: Peppers) -> list[str]:
    """The address's keyed hash under every valid pepper: what a lookup by address must try."""
    return peppers.all_keyed_hashes(keyed.EMAIL, email.strip().lower())


# Every field but the keys is PHI: no repr (a traceback or a log line must not print it) and no field-by-field
# equality, as ``record.StoredInquiry``; a dataclass compiles each method it makes, at every cold start.
@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class InquiryItem:
    """An inquiry as intake writes it to InquiriesTable. Enum fields hold their stored string values."""

    inquiry_id: str
    created_at: str
    status: str
    name: str
    email: str
    email_hash: str
    phone: str | None = None
    preferred_contact: str
    topic: str
    message: str | None = None
    consent_to_contact: bool
    consent_recorded_at: str
    sms_consent: bool = False
    referral_source: str | None = None
    urgent: bool = False
    # Triage's level (urgent, priority, none) and the language the person reads (en, es).
    level: str = "none"
    language: str = "en"
    # Urgent or priority only: triage category codes and rule ids, never the words that matched.
    triage_categories: list[str] | None = None
    triage_rules: list[str] | None = None
    spam: bool = False
    ttl: int
    dispatch_state: str | None = None
    dispatch_pending_since: str | None = None
    # When the care team should have made first contact; a held-back submission gets it on release.
    due_at: str | None = None
    # The care console's optimistic concurrency (If-Match): 1 at intake, +1 per change.
    version: int = 1
    # The phone's keyed hash (the same person's other inquiries), and the keys of this inquiry's
    # InquiryLookupTable items (``data.lookups``), written with it in one transaction.
    phone_hash: str | None = None
    lookup_keys: list[str] | None = None

    @classmethod
    def for_submission(cls, inquiry: SubmittedInquiry, *, inquiry_id: str, now: float, triage: Triage, spam: bool,
                       retention_days: int, targets: ResponseTimeSettings, peppers: Peppers,
                       language: str = "en") -> Self:
        """The item for a new submission: spam is kept without a dispatch marker or response target,
        anything else with both (``targets`` say when it is due). Spam is triaged too: a release must
        behave as a new inquiry would."""
        from inquiries.data.lookups import lookup_keys, phone_hash  # it reads this module's names

        received = datetime.fromtimestamp(now, UTC)
        created = iso(received)
        return cls(
            inquiry_id=inquiry_id,
            created_at=created,
            status=(InquiryStatus.SPAM if spam else InquiryStatus.NEW).value,
            name=inquiry.name,
            email=inquiry.email,
            email_hash=email_hash(inquiry.email, peppers),
            phone=inquiry.phone,
            preferred_contact=inquiry.preferred_contact.value,
            topic=inquiry.topic.value,
            message=inquiry.message,
            consent_to_contact=inquiry.consent_to_contact,
            consent_recorded_at=created,
            sms_consent=inquiry.sms_consent,
            referral_source=inquiry.referral_source,
            urgent=triage.urgent,
            level=triage.level.value,
            language=language,
            triage_categories=list(triage.categories) or None,
            triage_rules=list(triage.rule_ids) or None,
            spam=spam,
            ttl=int(now) + retention_days * 86400,
            dispatch_state=None if spam else DISPATCH_PENDING,
            dispatch_pending_since=None if spam else created,
            due_at=None if spam else iso(due_at(received, triage.level.value, targets)),
            version=1,
            phone_hash=phone_hash(inquiry.phone, peppers) if inquiry.phone else None,
            lookup_keys=lookup_keys(inquiry_id, inquiry.name, inquiry.phone, peppers),
        )

    def to_item(self) -> dict[str, AttributeValueTypeDef]:
        """The DynamoDB item (absent optional values are left out)."""
        return serialize(asdict(self))

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Self:
        """The write model of a stored item; the consumers' delivery attributes are left aside."""
        values = plain_values(item)
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


@dataclass(frozen=True, kw_only=True)
class SubmissionGuardItem:
    """IdempotencyTable: which inquiry a submission stored, until ``expiration`` (epoch seconds)."""

    guard_id: str
    inquiry_id: str
    expiration: int

    def to_item(self) -> dict[str, AttributeValueTypeDef]:
        """The DynamoDB item; its key is ``submission#<guard_id>``."""
        return serialize({"id": GUARD_PREFIX + self.guard_id, "inquiry_id": self.inquiry_id,
                          "expiration": self.expiration})

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Self:
        """The guard of a stored item."""
        values = plain_values(item)
        return cls(guard_id=str(values["id"]).removeprefix(GUARD_PREFIX), inquiry_id=values["inquiry_id"],
                   expiration=int(values["expiration"]))


def guard_key(guard_id: str) -> dict[str, AttributeValueTypeDef]:
    """The IdempotencyTable key of a submission guard."""
    return {"id": {"S": GUARD_PREFIX + guard_id}}


def counter_prefix(scope: str, hashed_key: str) -> str:
    """What every RateLimitTable counter of one scope and key starts with (erasure finds them by it)."""
    return f"{scope}#{hashed_key}#"


def counter_id(scope: str, hashed_key: str, window_start: int) -> str:
    """The RateLimitTable id of one counter: scope, hashed key, window start (epoch seconds)."""
    return f"{counter_prefix(scope, hashed_key)}{window_start}"


class DeliveryStep(StrEnum):
    """One thing sent once per inquiry. Its value prefixes the attributes that track it on the inquiry."""

    CONFIRMATION = "confirmation"
    CARE_TEAM = "care_team"
    CARE_TEAM_CHAT = "care_team_chat"

    @property
    def sent_attribute(self) -> str:
        """The attribute that says the step is done (the first two are fields of StoredInquiry)."""
        return _SENT_ATTRIBUTE[self]

    @property
    def token_attribute(self) -> str:
        """The attribute naming the consumer that holds the lease."""
        return f"{self.value}_claim_token"

    @property
    def expires_attribute(self) -> str:
        """When the lease runs out (epoch milliseconds)."""
        return f"{self.value}_claim_expires_ms"

    @property
    def failed_attribute(self) -> str:
        """When the step failed permanently."""
        return f"{self.value}_failed_at"

    @property
    def failed_reason_attribute(self) -> str:
        """The fixed, PHI-free code of a permanent failure."""
        return f"{self.value}_failed_reason"


_SENT_ATTRIBUTE: dict[DeliveryStep, str] = {
    DeliveryStep.CONFIRMATION: "confirmation_sent_at",
    DeliveryStep.CARE_TEAM: "care_team_notified_at",
    DeliveryStep.CARE_TEAM_CHAT: "care_team_chat_sent_at",
}
