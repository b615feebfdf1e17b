"""What intake decides about a submission, with in-memory stand-ins for the tables and queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext
from inquiries.intake.rate_limit import RateLimited, RateLimiter
from inquiries.intake.redispatch import redispatch_pending
from inquiries.intake.service import IntakeService, Submission
from inquiries.models import InquiryIn
from inquiries.peppers import Peppers
from inquiries.record import CRISIS_RESOURCES, CRISIS_RESOURCES_ES, Language
from inquiries.settings import IntakeSettings
from inquiries.triage import Triage

from tests.support.fakes import InMemoryCounters, InMemoryInquiries, InMemoryPersistence, RecordingDispatcher
from tests.support.lambda_context import FakeLambdaContext
from tests.support.phi import distinctive_inquiry

SETTINGS = IntakeSettings(inquiries_table="InquiriesTable", idempotency_table="IdempotencyTable",
                          rate_limit_table="RateLimitTable", confirmation_queue_url="confirmations",
                          care_team_queue_url="care-team", rate_limit_per_client_per_hour=20,
                          pepper_secret="PepperSecret", spam_retention_days=7, retention_days=365,
                          inquiry_lookup_table="InquiryLookupTable", inquiry_stats_table="InquiryStatsTable")
PEPPERS = Peppers(current=b"unit-test pepper, 32 bytes long!")
NOON = 1_767_268_800.0  # 2026-01-01T12:00:00Z


@dataclass
class Intake:
    """An intake service on fakes, with a clock the test moves."""

    inquiries: InMemoryInquiries = field(default_factory=InMemoryInquiries)
    dispatcher: RecordingDispatcher = field(default_factory=RecordingDispatcher)
    counters: InMemoryCounters = field(default_factory=InMemoryCounters)
    persistence: InMemoryPersistence = field(default_factory=InMemoryPersistence)
    urgent_counted: list[tuple[str, ...]] = field(default_factory=list)
    levels_counted: list[str] = field(default_factory=list)
    now: float = NOON

    def service(self) -> IntakeService:
        limiter = RateLimiter(self.counters, per_client_per_hour=SETTINGS.rate_limit_per_client_per_hour,
                              peppers=PEPPERS)
        return IntakeService(SETTINGS, inquiries=self.inquiries, dispatcher=self.dispatcher, limiter=limiter,
                             persistence=self.persistence, peppers=PEPPERS, clock=lambda: self.now,
                             count_triage=self.count)

    def count(self, triage: Triage) -> None:
        self.urgent_counted.append(triage.categories if triage.urgent else ())
        self.levels_counted.append(triage.level.value)

    def submit(self, inquiry: dict[str, Any], *, ip: str = "198.51.100.7", key: str | None = None,
               accept_language: Language | None = None) -> Any:
        submission = Submission(inquiry=InquiryIn.model_validate(inquiry), client_ip=ip, idempotency_key=key,
                                accept_language=accept_language)
        context = cast(LambdaContext, FakeLambdaContext("IntakeFunction"))
        return self.service().accept(submission, lambda_context=context)


@pytest.fixture
def intake() -> Intake:
    return Intake()


def test_an_inquiry_is_stored_dispatched_and_its_marker_cleared(intake: Intake) -> None:
    answer = intake.submit(distinctive_inquiry())

    [item] = intake.inquiries.items.values()
    assert answer.inquiry_id == item.inquiry_id
    assert (item.status, item.spam, item.urgent) == ("new", False, False)
    assert item.ttl == int(NOON) + 365 * 86400
    assert intake.dispatcher.sent == [item.inquiry_id]
    assert intake.inquiries.pending() == []
    assert answer.crisis_resources is None
    assert intake.urgent_counted == [()], "counted (as not urgent) like every inquiry, so a count marks no one"


def test_wording_that_signals_danger_answers_urgent_with_crisis_resources(intake: Intake) -> None:
    answer = intake.submit(distinctive_inquiry(message="Lately I want to die and I need help"))

    [item] = intake.inquiries.items.values()
    assert answer.urgent is True and item.urgent is True
    assert answer.crisis_resources
    assert intake.dispatcher.sent == [item.inquiry_id]
    assert len(intake.urgent_counted) == 1 and intake.urgent_counted[0], "counted outside the logs, by category"


def test_a_filled_honeypot_is_stored_as_spam_and_never_dispatched(intake: Intake) -> None:
    answer = intake.submit(distinctive_inquiry(website="https://spam.example", message="I want to die"))

    [item] = intake.inquiries.items.values()
    assert (item.status, item.spam) == ("spam", True)
    assert item.ttl == int(NOON) + 7 * 86400
    assert item.dispatch_state is None
    assert intake.dispatcher.sent == []
    assert intake.urgent_counted == [], "held back: not counted until released"
    # Triaged like any inquiry, so a release behaves as a new one would, and the person (a human whose browser
    # filled the hidden field) gets the crisis answer: the same answer as without the honeypot.
    assert (item.level, item.urgent, item.triage_categories) == ("urgent", True, ["ideation"])
    assert answer.urgent is True and answer.crisis_resources


def test_a_risk_told_as_history_is_priority_without_a_crisis_answer(intake: Intake) -> None:
    answer = intake.submit(distinctive_inquiry(
        message="I attempted suicide in 2016 and have been stable since. Is ketamine an option for me?"))

    [item] = intake.inquiries.items.values()
    assert (item.level, item.urgent) == ("priority", False)
    assert item.triage_categories
    assert answer.urgent is False and answer.crisis_resources is None
    assert intake.levels_counted == ["priority"]
    # Received at noon UTC, 4 AM in the clinic's Pacific time: four opening hours from 9 AM is 1 PM Pacific.
    assert datetime.fromisoformat(str(item.due_at)) == datetime(2026, 1, 1, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "accept_language", "stored", "resources"),
    [
        ({"message": "quiero quitarme la vida esta noche"}, None, "es", "es"),  # written in Spanish
        ({"message": "I want to die", "language": "es"}, None, "es", "es"),  # the page is Spanish
        ({"message": "I want to die"}, Language.ES, "es", "es"),  # the browser prefers Spanish
        ({"message": "I want to die", "language": "en"}, Language.ES, "en", "en"),  # the page's choice wins
        ({"message": "quiero quitarme la vida", "language": "en"}, None, "en", "es"),  # Spanish words: Spanish lines
    ],
)
def test_crisis_resources_come_in_spanish_when_the_person_reads_or_writes_it(
        intake: Intake, fields: dict[str, str], accept_language: Language | None, stored: str, resources: str) -> None:
    answer = intake.submit(distinctive_inquiry(**fields), accept_language=accept_language)

    [item] = intake.inquiries.items.values()
    assert item.language == stored
    assert answer.urgent is True
    expected = CRISIS_RESOURCES_ES if resources == "es" else CRISIS_RESOURCES
    assert [r.how for r in answer.crisis_resources] == [r.how for r in expected]


def test_many_inquiries_for_one_address_are_all_accepted_and_stored(intake: Intake) -> None:
    """Only confirmation emails to an address are capped (by the consumer), never what intake accepts."""
    inquiry = distinctive_inquiry()
    answers = [intake.submit({**inquiry, "message": f"follow-up {n}"}, ip=f"198.51.100.{n}") for n in range(12)]

    assert len({a.inquiry_id for a in answers}) == 12
    assert len(intake.inquiries.items) == 12
    assert sorted(intake.dispatcher.sent) == sorted(a.inquiry_id for a in answers)


def test_honeypot_catches_naming_an_address_never_lock_out_the_person_it_names(intake: Intake) -> None:
    """The attack in issue 11: bots fill the honeypot with someone's address; that person then writes in crisis."""
    victim = distinctive_inquiry()
    for n in range(7):
        intake.submit({**victim, "website": "https://spam.example", "message": f"bot {n}"}, ip="192.0.2.66")

    answer = intake.submit({**victim, "message": "I want to die"}, ip="198.51.100.20")

    assert answer.urgent is True and answer.crisis_resources
    stored = intake.inquiries.items[answer.inquiry_id]
    assert (stored.status, stored.urgent) == ("new", True)
    assert intake.dispatcher.sent == [answer.inquiry_id], "the care team hears of it"


def test_honeypot_catches_count_against_their_own_client(intake: Intake) -> None:
    for n in range(20):
        intake.submit(distinctive_inquiry(website="bot.example", message=f"bot {n}"), ip="192.0.2.66")
    with pytest.raises(RateLimited) as refused:
        intake.submit(distinctive_inquiry(), ip="192.0.2.66")
    assert refused.value.scope == "client"
    intake.submit(distinctive_inquiry(), ip="198.51.100.20")  # another client is untouched


def test_the_twenty_first_inquiry_from_one_client_in_an_hour_is_refused(intake: Intake) -> None:
    for _ in range(20):
        intake.submit(distinctive_inquiry())
    with pytest.raises(RateLimited) as refused:
        intake.submit(distinctive_inquiry())
    assert refused.value.scope == "client"
    assert len(intake.inquiries.items) == 20


def test_spam_over_its_limit_is_answered_like_anything_else_and_not_stored(intake: Intake) -> None:
    for _ in range(20):
        intake.submit(distinctive_inquiry(website="bot.example"))
    answer = intake.submit(distinctive_inquiry(website="bot.example"))
    assert answer.inquiry_id not in intake.inquiries.items
    assert len(intake.inquiries.items) == 20


def test_the_same_body_from_another_client_is_a_new_inquiry_and_learns_nothing_of_the_first(intake: Intake) -> None:
    inquiry = distinctive_inquiry()
    first = intake.submit(inquiry, ip="198.51.100.1")
    second = intake.submit(inquiry, ip="203.0.113.99")
    assert second.inquiry_id != first.inquiry_id
    assert len(intake.inquiries.items) == 2


def test_the_same_body_twice_is_one_inquiry_with_one_answer(intake: Intake) -> None:
    inquiry = distinctive_inquiry()
    first = intake.submit(inquiry)
    second = intake.submit(inquiry)
    assert second == first
    assert len(intake.inquiries.items) == 1
    assert intake.dispatcher.sent == [first.inquiry_id]


def test_a_key_reused_for_a_different_body_is_refused(intake: Intake) -> None:
    intake.submit(distinctive_inquiry(), key="k-1")
    with pytest.raises(IdempotencyValidationError):
        intake.submit(distinctive_inquiry(), key="k-1")
    assert len(intake.inquiries.items) == 1


def test_a_lost_idempotency_record_is_caught_by_the_guard_and_answered_from_the_stored_inquiry(
    intake: Intake,
) -> None:
    inquiry = distinctive_inquiry(message="I want to die")
    first = intake.submit(inquiry, key="k-2")
    intake.persistence.records.clear()  # the crash case: Powertools' record never completed

    again = intake.submit(inquiry, key="k-2")

    assert again.inquiry_id == first.inquiry_id
    assert again.urgent is True, "the urgency of the stored inquiry, not a fresh guess"
    assert len(intake.inquiries.items) == 1
    assert intake.dispatcher.sent == [first.inquiry_id], "nothing is dispatched twice"


def test_a_failed_dispatch_still_accepts_and_keeps_the_marker_for_redispatch(intake: Intake) -> None:
    intake.dispatcher.failures = 1
    answer = intake.submit(distinctive_inquiry())
    assert intake.inquiries.pending() == [answer.inquiry_id]
    assert intake.dispatcher.sent == []


def test_a_marker_that_cannot_be_cleared_still_accepts(intake: Intake) -> None:
    intake.inquiries.fail_clearing = True
    answer = intake.submit(distinctive_inquiry())
    assert intake.dispatcher.sent == [answer.inquiry_id]
    assert intake.inquiries.pending() == [answer.inquiry_id], "redispatch re-sends; consumers skip the repeat"


def test_redispatch_sends_what_is_past_the_grace_period_once_and_keeps_what_fails(intake: Intake) -> None:
    intake.dispatcher.failures = 2
    stuck = [intake.submit(distinctive_inquiry()).inquiry_id for _ in range(2)]
    intake.now += 600
    fresh = intake.submit(distinctive_inquiry()).inquiry_id
    intake.dispatcher.sent.clear()
    cutoff = datetime.fromtimestamp(intake.now, UTC) - timedelta(seconds=120)

    intake.dispatcher.failures = 1
    first = redispatch_pending(intake.inquiries, intake.dispatcher, older_than=cutoff,
                               run_at=datetime.fromtimestamp(intake.now, UTC))
    second = redispatch_pending(intake.inquiries, intake.dispatcher, older_than=cutoff,
                               run_at=datetime.fromtimestamp(intake.now, UTC))

    assert (first.found, first.redispatched, first.failed) == (2, 1, 1)
    assert (second.found, second.redispatched, second.failed) == (1, 1, 0)
    assert sorted(intake.dispatcher.sent) == sorted(stuck)
    assert fresh not in intake.dispatcher.sent and intake.inquiries.pending() == []


def test_a_redispatch_run_that_cannot_clear_a_marker_still_sends_the_rest(intake: Intake) -> None:
    intake.dispatcher.failures = 2
    stuck = [intake.submit(distinctive_inquiry()).inquiry_id for _ in range(2)]
    intake.dispatcher.sent.clear()
    intake.now += 600
    intake.inquiries.fail_clearing = True

    summary = redispatch_pending(intake.inquiries, intake.dispatcher,
                                 older_than=datetime.fromtimestamp(intake.now, UTC) - timedelta(seconds=120),
                                 run_at=datetime.fromtimestamp(intake.now, UTC))

    assert (summary.found, summary.redispatched, summary.failed) == (2, 2, 0)
    assert sorted(intake.dispatcher.sent) == sorted(stuck), "one marker's failure does not stop the run"
    assert sorted(intake.inquiries.pending()) == sorted(stuck), "the markers stay; the next run re-sends"
