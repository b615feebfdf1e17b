"""Accepting a submitted inquiry, end to end: limit, store, dispatch. No API Gateway types here.

The DynamoDB write is the commit point. Once it succeeds the person gets 202, even if a queue
send fails: the record keeps its dispatch-pending marker and ``redispatch_pending`` re-sends it.

Duplicates are caught twice over:
- Powertools idempotency (IdempotencyTable) keyed on the ``Idempotency-Key`` header, else on a
  keyed hash of the client and the normalised body within a short window: concurrent duplicates
  get 409 while the first is in flight, later ones get the first answer back. Another client's
  identical body is a new inquiry: an answer never tells one client about another's submission.
- A guard item written in the same transaction as the inquiry: if a crash leaves the Powertools
  record unfinished, the retry finds the guard and answers with the inquiry already stored.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, Self

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.serialization.custom_dict import CustomDictSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries import peppers as keyed
from inquiries.data.errors import DuplicateSubmission
from inquiries.data.idempotency import idempotency_persistence
from inquiries.data.inquiries import InquiryRepository
from inquiries.data.items import InquiryItem, SubmissionGuardItem
from inquiries.data.rate_limits import RateLimitCounters
from inquiries.i18n import N_, translate
from inquiries.ids import new_inquiry_id, short_reference
from inquiries.intake.dispatch import Dispatcher, dispatch_and_clear
from inquiries.intake.rate_limit import RateLimited, RateLimiter
from inquiries.models_core import AcceptedInquiry, SubmittedInquiry, inquiry_json
from inquiries.observability import count, count_level_without_logging, logger
from inquiries.peppers import Peppers, peppers
from inquiries.record import Language, crisis_resources
from inquiries.settings import IntakeSettings
from inquiries.triage import Triage, assess

THANK_YOU_MESSAGE = N_(
    "Thank you for reaching out. Our care team will contact you soon to help you find the best "
    "treatment options for you. We have sent a confirmation to your email."
)


class InquiryStore(Protocol):
    """What intake needs from the inquiries table (``data.inquiries.InquiryRepository``, or a fake)."""

    def put_new(self, item: InquiryItem, guard: SubmissionGuardItem, *, now: int) -> None: ...

    def get_values(self, inquiry_id: str) -> dict[str, Any] | None: ...

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> bool: ...


class Sender(Protocol):
    """Sends one inquiry's claim-check messages (``intake.dispatch.Dispatcher``, or a fake)."""

    def send(self, inquiry_id: str) -> None: ...


# Holds the inquiry (PHI): no repr, no field-by-field equality (see ``data.items.InquiryItem``).
@dataclass(frozen=True, repr=False, eq=False)
class Submission:
    """A validated inquiry with what the edge knows about its request."""

    inquiry: SubmittedInquiry
    client_ip: str
    idempotency_key: str | None = None
    # What the request's Accept-Language prefers (``intake.language``), when it names en or es.
    accept_language: Language | None = None

    def language(self, message_language: str) -> Language:
        """The language the person reads: the page's choice, else Spanish when the message is written in it,
        else what the browser prefers, else English."""
        if self.inquiry.language is not None:
            return self.inquiry.language
        if message_language == Language.ES:
            return Language.ES
        return self.accept_language or Language.EN

    def payload_hash(self, peppers: Peppers) -> str:
        """Keyed hash of the normalised inquiry (canonical JSON): equal bodies, equal hashes."""
        return peppers.keyed_hash(keyed.SUBMISSION, self._canonical())

    def _canonical(self) -> str:
        return json.dumps(inquiry_json(self.inquiry), sort_keys=True, separators=(",", ":"))

    @property
    def keyed(self) -> bool:
        """True when the client named the submission with an Idempotency-Key."""
        return bool(self.idempotency_key)

    def submission_key(self, peppers: Peppers) -> str:
        """What makes two requests 'the same submission': one key, or one body from one client."""
        if self.keyed:
            return "key:" + str(self.idempotency_key)
        return "body:" + peppers.keyed_hash(keyed.SUBMISSION, f"{self.client_ip}\n{self._canonical()}")


def count_triage_without_logging(triage: Triage) -> None:
    """The level metrics for an accepted inquiry (``observability.count_level_without_logging``)."""
    count_level_without_logging(triage.level.value, triage.categories)


def accepted_answer(inquiry_id: str, urgent: bool, language: Language = Language.EN,
                    crisis_language: Language | None = None) -> AcceptedInquiry:
    """The 202 body for an inquiry (spam gets exactly the same shape): its message in ``language``, its crisis
    resources in ``crisis_language`` (by default the same)."""
    return AcceptedInquiry(
        inquiry_id=inquiry_id,
        reference=short_reference(inquiry_id),
        urgent=urgent,
        message=translate(THANK_YOU_MESSAGE, language),
        crisis_resources=list(crisis_resources(crisis_language or language)) if urgent else None,
    )


class IntakeService:
    """Accepts inquiries: rate limits, storage with the dispatch marker, claim-check dispatch."""

    def __init__(
        self,
        settings: IntakeSettings,
        *,
        inquiries: InquiryStore,
        dispatcher: Sender,
        limiter: RateLimiter,
        persistence: BasePersistenceLayer,
        peppers: Peppers,
        clock: Callable[[], float] = time.time,
        count_triage: Callable[[Triage], None] | None = None,
    ) -> None:
        self.settings = settings
        self.peppers = peppers
        self.count_triage = count_triage or count_triage_without_logging
        self.inquiries = inquiries
        self.dispatcher = dispatcher
        self.limiter = limiter
        self.clock = clock
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
        serializer = CustomDictSerializer(to_dict=AcceptedInquiry.to_dict, from_dict=AcceptedInquiry.from_dict)
        self._accept_keyed = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence,
            config=self._keyed_config, output_serializer=serializer,
        )(self._accept_once)
        self._accept_unkeyed = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence,
            config=self._unkeyed_config, output_serializer=serializer,
        )(self._accept_once)

    @classmethod
    def on_aws(cls, settings: IntakeSettings) -> Self:
        """The service on the tables, queues and pepper ``settings`` name."""
        read = peppers(settings.pepper_secret)
        return cls(
            settings,
            inquiries=InquiryRepository(settings.inquiries_table, settings.idempotency_table,
                                        settings.inquiry_lookup_table, settings.inquiry_stats_table,
                                        settings.clinic_time_zone),
            dispatcher=Dispatcher(settings),
            limiter=RateLimiter(RateLimitCounters(settings.rate_limit_table),
                                per_client_per_hour=settings.rate_limit_per_client_per_hour, peppers=read),
            persistence=idempotency_persistence(settings.idempotency_table),
            peppers=read,
        )

    def accept(self, submission: Submission, lambda_context: LambdaContext | None = None) -> AcceptedInquiry:
        """Accept one submission, or replay the answer given to an identical earlier one.

        Raises ``RateLimited``, and Powertools' ``IdempotencyAlreadyInProgressError`` (a duplicate in
        flight) or ``IdempotencyValidationError`` (a reused key with a different body).
        """
        config = self._keyed_config if submission.keyed else self._unkeyed_config
        if lambda_context is not None:
            config.register_lambda_context(lambda_context)
        request = {"submission_key": submission.submission_key(self.peppers),
                   "payload_hash": submission.payload_hash(self.peppers)}
        accept = self._accept_keyed if submission.keyed else self._accept_unkeyed
        result: AcceptedInquiry = accept(request=request, submission=submission)
        return result

    # ---- the work, done once per submission ---------------------------------------------------------
    def _accept_once(self, request: dict[str, str], submission: Submission) -> AcceptedInquiry:
        inquiry = submission.inquiry
        now = self.clock()
        spam = inquiry.is_honeypot_filled
        try:
            self.limiter.check_and_count(client_ip=submission.client_ip, now=now)
        except RateLimited:
            if not spam:
                raise
            # A bot over its limit learns nothing and costs us no storage.
            count("SpamDiscarded")
            return accepted_answer(new_inquiry_id(int(now * 1000)), urgent=False,
                                   language=inquiry.language or submission.accept_language or Language.EN)

        inquiry_id = new_inquiry_id(int(now * 1000))
        logger.set_correlation_id(inquiry_id)
        logger.append_keys(inquiry_id=inquiry_id)
        # Held-back submissions are triaged too: a release must behave as a new inquiry would, and a person
        # whose browser filled the hidden field gets the crisis answer like anyone (the answer is the same as
        # for a submission that is not held back, so a bot learns nothing from it).
        triage = assess(inquiry.message)
        urgent = triage.urgent
        language = submission.language(triage.language)
        # Crisis resources in Spanish when the person reads Spanish or wrote in it.
        answer_language = Language.ES if Language.ES in (language, triage.language) else Language.EN
        retention_days = self.settings.spam_retention_days if spam else self.settings.retention_days
        item = InquiryItem.for_submission(inquiry, inquiry_id=inquiry_id, now=now, triage=triage, spam=spam,
                                          retention_days=retention_days, targets=self.settings, peppers=self.peppers,
                                          language=language.value)
        # The guard lives as long as Powertools' record for the same submission.
        guard_ttl = (self._keyed_config if submission.keyed else self._unkeyed_config).expires_after_seconds
        guard = SubmissionGuardItem(
            guard_id=hashlib.sha256(request["submission_key"].encode("utf-8")).hexdigest(),
            inquiry_id=inquiry_id,
            expiration=int(now) + guard_ttl,
        )
        try:
            self.inquiries.put_new(item, guard, now=int(now))
        except DuplicateSubmission as dup:
            logger.info("duplicate submission answered from the stored inquiry", extra={"inquiry_id": dup.inquiry_id})
            count("DuplicateReplayed")
            existing = self.inquiries.get_values(dup.inquiry_id) or {}
            return accepted_answer(dup.inquiry_id, urgent=bool(existing.get("urgent")), language=language,
                                   crisis_language=answer_language)

        if spam:
            count("SpamFlagged")
            logger.info("inquiry flagged as spam; stored with short retention, not dispatched")
            return accepted_answer(inquiry_id, urgent=urgent, language=language, crisis_language=answer_language)

        count("InquiryAccepted")
        # Sent straight to CloudWatch, not as EMF lines beside "inquiry accepted": the logs are kept longer
        # than the record, and that pair would tell a log reader which inquiry was urgent (and why). Sent for
        # every inquiry (0 when ordinary), so neither the call's time nor a failure of it marks the urgent ones.
        self.count_triage(triage)
        self._dispatch(inquiry_id, pending_since=item.created_at)
        logger.info("inquiry accepted")
        return accepted_answer(inquiry_id, urgent=urgent, language=language, crisis_language=answer_language)

    def _dispatch(self, inquiry_id: str, *, pending_since: str) -> None:
        if not dispatch_and_clear(self.dispatcher, self.inquiries, inquiry_id, pending_since):
            count("DispatchDeferred")
