"""Accepting a submitted inquiry, end to end: limit, store, dispatch. No API Gateway types here.

The DynamoDB write is the commit point. Once it succeeds the person gets 202, even if a queue
send fails: the record keeps its dispatch-pending marker and ``redispatch_pending`` re-sends it.

Duplicates are caught twice over:
- Powertools idempotency (IdempotencyTable) keyed on the ``Idempotency-Key`` header, else on a
  hash of the normalised body within a short window: concurrent duplicates get 409 while the
  first is in flight, later ones get the first answer back.
- A guard item written in the same transaction as the inquiry: if a crash leaves the Powertools
  record unfinished, the retry finds the guard and answers with the inquiry already stored.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.care.response_time import due_at
from inquiries.dispatch import Dispatcher, DispatchFailed
from inquiries.ids import new_inquiry_id, short_reference
from inquiries.models import CRISIS_RESOURCES, AcceptedInquiry, InquiryIn, InquiryStatus
from inquiries.observability import count, logger
from inquiries.rate_limit import RateLimited, RateLimiter
from inquiries.settings import Settings
from inquiries.store import DISPATCH_PENDING, DuplicateSubmission, InquiryStore, email_hash, iso
from inquiries.triage import signals_danger

THANK_YOU_MESSAGE = (
    "Thank you for reaching out. Our care team will contact you soon to help you find the best "
    "treatment options for you. We have sent a confirmation to your email."
)


@dataclass(frozen=True)
class Submission:
    """A validated inquiry with what the edge knows about its request."""

    inquiry: InquiryIn
    client_ip: str
    idempotency_key: str | None = None

    def payload_hash(self) -> str:
        """SHA-256 of the normalised inquiry (canonical JSON): equal bodies, equal hashes."""
        canonical = json.dumps(self.inquiry.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def keyed(self) -> bool:
        """True when the client named the submission with an Idempotency-Key."""
        return bool(self.idempotency_key)

    def submission_key(self) -> str:
        """What makes two requests 'the same submission'."""
        if self.keyed:
            return "key:" + str(self.idempotency_key)
        return "body:" + self.payload_hash()


def accepted_answer(inquiry_id: str, urgent: bool) -> AcceptedInquiry:
    """The 202 body for an inquiry (spam gets exactly the same shape)."""
    return AcceptedInquiry(
        inquiry_id=inquiry_id,
        reference=short_reference(inquiry_id),
        urgent=urgent,
        message=THANK_YOU_MESSAGE,
        crisis_resources=list(CRISIS_RESOURCES) if urgent else None,
    )


class IntakeService:
    """Accepts inquiries: rate limits, storage with the dispatch marker, claim-check dispatch."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: InquiryStore | None = None,
        dispatcher: Dispatcher | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store or InquiryStore(settings)
        self.dispatcher = dispatcher or Dispatcher(settings)
        self.limiter = limiter or RateLimiter(settings)
        self.clock = clock
        persistence = DynamoDBPersistenceLayer(
            table_name=settings.idempotency_table, boto3_client=aws.dynamodb()
        )
        common: dict[str, Any] = {
            "event_key_jmespath": "submission_key",
            "raise_on_no_idempotency_key": True,
            "hash_function": "sha256",
        }
        self._keyed_config = IdempotencyConfig(
            **common,
            payload_validation_jmespath="payload_hash",
            expires_after_seconds=settings.idempotency_key_ttl_seconds,
        )
        self._unkeyed_config = IdempotencyConfig(**common, expires_after_seconds=settings.duplicate_window_seconds)
        serializer = PydanticSerializer(model=AcceptedInquiry)
        self._accept_keyed = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence,
            config=self._keyed_config, output_serializer=serializer,
        )(self._accept_once)
        self._accept_unkeyed = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence,
            config=self._unkeyed_config, output_serializer=serializer,
        )(self._accept_once)

    def accept(self, submission: Submission, lambda_context: LambdaContext | None = None) -> AcceptedInquiry:
        """Accept one submission, or replay the answer given to an identical earlier one.

        Raises ``RateLimited``, and Powertools' ``IdempotencyAlreadyInProgressError`` (a duplicate in
        flight) or ``IdempotencyValidationError`` (a reused key with a different body).
        """
        config = self._keyed_config if submission.keyed else self._unkeyed_config
        if lambda_context is not None:
            config.register_lambda_context(lambda_context)
        request = {"submission_key": submission.submission_key(), "payload_hash": submission.payload_hash()}
        accept = self._accept_keyed if submission.keyed else self._accept_unkeyed
        result: AcceptedInquiry = accept(request=request, submission=submission)
        return result

    # ---- the work, done once per submission ---------------------------------------------------------
    def _accept_once(self, request: dict[str, str], submission: Submission) -> AcceptedInquiry:
        inquiry = submission.inquiry
        now = self.clock()
        spam = inquiry.is_honeypot_filled
        try:
            self.limiter.check_and_count(client_ip=submission.client_ip, email=inquiry.email, now=now)
        except RateLimited:
            if not spam:
                raise
            # A bot over its limit learns nothing and costs us no storage.
            count("SpamDiscarded")
            return accepted_answer(new_inquiry_id(int(now * 1000)), urgent=False)

        inquiry_id = new_inquiry_id(int(now * 1000))
        logger.set_correlation_id(inquiry_id)
        logger.append_keys(inquiry_id=inquiry_id)
        urgent = (not spam) and signals_danger(inquiry.message)
        record = self._record(inquiry, inquiry_id=inquiry_id, now=now, urgent=urgent, spam=spam)
        # The guard lives as long as Powertools' record for the same submission.
        guard_ttl = (self._keyed_config if submission.keyed else self._unkeyed_config).expires_after_seconds
        guard_id = hashlib.sha256(request["submission_key"].encode("utf-8")).hexdigest()
        try:
            self.store.put_new(record, guard_id=guard_id, guard_expires_at=int(now) + guard_ttl, now=int(now))
        except DuplicateSubmission as dup:
            logger.info("duplicate submission answered from the stored inquiry", extra={"inquiry_id": dup.inquiry_id})
            count("DuplicateReplayed")
            existing = self.store.get_raw(dup.inquiry_id) or {}
            return accepted_answer(dup.inquiry_id, urgent=bool(existing.get("urgent")))

        if spam:
            count("SpamFlagged")
            logger.info("inquiry flagged as spam; stored with short retention, not dispatched")
            return accepted_answer(inquiry_id, urgent=False)

        count("InquiryAccepted")
        if urgent:
            count("UrgentInquiry")
        self._dispatch(inquiry_id, pending_since=record["dispatch_pending_since"])
        # Urgency is derived from what the person wrote: it is counted (UrgentInquiry), never logged.
        logger.info("inquiry accepted")
        return accepted_answer(inquiry_id, urgent=urgent)

    def _record(self, inquiry: InquiryIn, *, inquiry_id: str, now: float, urgent: bool, spam: bool) -> dict[str, Any]:
        created = datetime.fromtimestamp(now, UTC)
        retention_days = self.settings.spam_retention_days if spam else self.settings.retention_days
        record: dict[str, Any] = {
            "inquiry_id": inquiry_id,
            "created_at": iso(created),
            "status": (InquiryStatus.SPAM if spam else InquiryStatus.NEW).value,
            "name": inquiry.name,
            "email": inquiry.email,
            "email_hash": email_hash(inquiry.email),
            "phone": inquiry.phone,
            "preferred_contact": inquiry.preferred_contact.value,
            "topic": inquiry.topic.value,
            "message": inquiry.message,
            "consent_to_contact": inquiry.consent_to_contact,
            "consent_recorded_at": iso(created),
            "sms_consent": inquiry.sms_consent,
            "referral_source": inquiry.referral_source,
            "urgent": urgent,
            "spam": spam,
            "ttl": int(now) + retention_days * 86400,
            "version": 1,  # the care console's optimistic concurrency (If-Match)
        }
        if not spam:
            # A held-back submission gets its response target when it is released.
            record["due_at"] = iso(due_at(created, urgent, self.settings))
            record["dispatch_state"] = DISPATCH_PENDING
            record["dispatch_pending_since"] = iso(created)
        return record

    def _dispatch(self, inquiry_id: str, *, pending_since: str) -> None:
        try:
            self.dispatcher.send(inquiry_id)
        except DispatchFailed as exc:
            count("DispatchDeferred")
            logger.warning("dispatch deferred; redispatch will retry", extra={"error_type": str(exc)})
            return
        try:
            self.store.clear_dispatch_pending(inquiry_id, pending_since)
        except (ClientError, BotoCoreError) as exc:
            # Both messages went out; a later redispatch re-sends and the consumers skip the repeat.
            logger.warning("could not clear the dispatch marker", extra={"error_type": type(exc).__name__})


@dataclass(frozen=True)
class RedispatchSummary:
    """What one redispatch run did (counts only)."""

    found: int = 0
    redispatched: int = 0
    failed: int = 0


def redispatch_pending(
    settings: Settings,
    *,
    store: InquiryStore | None = None,
    dispatcher: Dispatcher | None = None,
    now: datetime | None = None,
) -> RedispatchSummary:
    """Re-send every inquiry still marked dispatch-pending after the grace period, then clear its marker."""
    store = store or InquiryStore(settings)
    dispatcher = dispatcher or Dispatcher(settings)
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=settings.redispatch_grace_seconds)
    found = redispatched = failed = 0
    for inquiry_id, pending_since in list(store.dispatch_pending(older_than=cutoff)):
        found += 1
        try:
            dispatcher.send(inquiry_id)
        except DispatchFailed as exc:
            failed += 1
            logger.warning("redispatch failed; will retry on the next run",
                           extra={"inquiry_id": inquiry_id, "error_type": str(exc)})
            continue
        store.clear_dispatch_pending(inquiry_id, pending_since)
        redispatched += 1
        logger.info("inquiry redispatched", extra={"inquiry_id": inquiry_id})
    if redispatched:
        count("InquiryRedispatched", redispatched)
    if failed:
        count("RedispatchFailed", failed)
    return RedispatchSummary(found=found, redispatched=redispatched, failed=failed)
