"""Properties of the inquiry model and the HTTP edge, over generated input (hypothesis).

- Every accepted input meets every rule of the contract after normalisation.
- Normalisation is idempotent: validating what was accepted gives it back unchanged.
- Every rejection is a 4xx whose texts echo nothing that was submitted.

Bounded (a few hundred examples each, no deadline per example) so the suite stays well under a minute.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inquiries.intake.api import IntakeApp
from inquiries.intake.rate_limit import RateLimiter
from inquiries.intake.service import IntakeService
from inquiries.models import InquiryIn
from inquiries.peppers import Peppers
from inquiries.record import PreferredContact, has_hidden_characters
from inquiries.settings import IntakeSettings
from pydantic import ValidationError

from tests.support.events import api_event, response_json
from tests.support.fakes import InMemoryCounters, InMemoryInquiries, InMemoryPersistence, RecordingDispatcher
from tests.support.lambda_context import FakeLambdaContext

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
CHOICES = {"addiction", "depression", "anxiety", "ptsd", "chronic_pain", "other", "email", "phone", "sms"}
BOUNDED = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that exercises normalisation: letters from many scripts, spaces of every kind, control and
# invisible characters, compatibility forms (full-width, ligatures) and the occasional surrogate-free emoji.
any_text = st.text(st.characters(codec="utf-8"), max_size=120)
tricky = st.sampled_from(["\u200b", "\u00ad", "\u0007", "\u202e", "\u2028", "\t", "\n", "\r\n", "\u00a0", "\ufb01",
                          "\uff21", "\u3000", " ", "\x00"])
tricky_text = st.lists(st.one_of(any_text, tricky), max_size=6).map("".join)
emailish = st.one_of(
    st.emails().map(str),
    st.builds(lambda a, b, c: f"{a}@{b}.{c}", tricky_text, tricky_text, st.sampled_from(["org", "com", "example"])),
    tricky_text,
)
phoneish = st.one_of(st.none(), st.just(""), st.from_regex(r"\+?1? ?\(?[2-9][0-9]{2}\)? ?[2-9][0-9]{2}-?[0-9]{4}",
                                                           fullmatch=True), tricky_text)
boolish = st.one_of(st.booleans(), st.sampled_from(["true", "false", "on", "", "1", "0", "yes"]), st.none())

# Mostly-valid inquiries (so the accepted side is well explored), with tricky characters in the free text.
name_text = st.lists(st.one_of(st.text(st.characters(categories=["L", "N", "Zs", "Pd", "Po"]), min_size=1,
                                       max_size=30), tricky), min_size=1, max_size=4).map("".join)
contact = st.sampled_from([
    {"preferred_contact": "email"},
    {"preferred_contact": "phone", "phone": "(415) 555-0100"},
    {"preferred_contact": "sms", "phone": "+44 20 7946 0958", "sms_consent": True},
    {"phone": "415.555.0199"},
    {},
])
plausible = st.builds(
    lambda name, email, message, extra: {"name": name, "email": email, "consent_to_contact": True,
                                         "message": message, **extra},
    name_text, st.emails().map(str), st.one_of(st.none(), tricky_text, st.text(max_size=2100)), contact,
)

generated = st.fixed_dictionaries(
    {"name": st.one_of(tricky_text, st.just("Robin Example")), "email": emailish,
     "consent_to_contact": boolish},
    optional={
        "phone": phoneish,
        "preferred_contact": st.sampled_from(["email", "phone", "sms", "", "fax"]),
        "topic": st.sampled_from(["addiction", "depression", "anxiety", "ptsd", "chronic_pain", "other", "", "x"]),
        "message": st.one_of(st.none(), tricky_text, st.text(max_size=2100)),
        "sms_consent": boolish,
        "referral_source": st.one_of(st.none(), tricky_text),
        "website": st.one_of(st.just(""), tricky_text),
    },
)
inquiries = st.one_of(plausible, generated)


def _no_stripped_characters(text: str, *, multiline: bool) -> bool:
    allowed = {"\n", "\t"} if multiline else set()
    return all(ch in allowed or unicodedata.category(ch) not in ("Cc", "Cf") for ch in text)


@BOUNDED
@given(inquiries)
def test_every_accepted_inquiry_meets_every_rule_after_normalisation(data: dict[str, Any]) -> None:
    try:
        inquiry = InquiryIn.model_validate(data)
    except ValidationError:
        return
    assert 1 <= len(inquiry.name) <= 100 and inquiry.name == inquiry.name.strip()
    assert _no_stripped_characters(inquiry.name, multiline=False) and "\n" not in inquiry.name
    assert len(inquiry.email) <= 254 and "@" in inquiry.email and not has_hidden_characters(inquiry.email)
    assert not has_hidden_characters(str(data["email"])), "an address with a hidden character is refused"
    assert inquiry.phone is None or E164.match(inquiry.phone)
    if isinstance(data.get("phone"), str):
        assert not has_hidden_characters(data["phone"]), "a number with a hidden character is refused"
    if inquiry.preferred_contact in (PreferredContact.PHONE, PreferredContact.SMS):
        assert inquiry.phone is not None
    if inquiry.preferred_contact is PreferredContact.SMS:
        assert inquiry.sms_consent is True
    assert inquiry.consent_to_contact is True
    assert inquiry.message is None or (0 < len(inquiry.message) <= 2000
                                       and _no_stripped_characters(inquiry.message, multiline=True))
    assert inquiry.referral_source is None or len(inquiry.referral_source) <= 100


@BOUNDED
@given(inquiries)
def test_normalisation_is_idempotent(data: dict[str, Any]) -> None:
    try:
        inquiry = InquiryIn.model_validate(data)
    except ValidationError:
        return
    again = InquiryIn.model_validate(inquiry.model_dump(mode="json"))
    assert again == inquiry


SETTINGS = IntakeSettings(inquiries_table="InquiriesTable", idempotency_table="IdempotencyTable",
                          rate_limit_table="RateLimitTable", confirmation_queue_url="c", care_team_queue_url="t",
                          pepper_secret="PepperSecret", allowed_origins=("https://www.example.org",),
                          rate_limit_per_client_per_hour=1_000_000, inquiry_lookup_table="InquiryLookupTable",
                          inquiry_stats_table="InquiryStatsTable")
PEPPERS = Peppers(current=b"property-test pepper of 32 bytes")


def _app() -> IntakeApp:
    """The real HTTP edge and intake decisions on in-memory tables and queues."""
    def service() -> IntakeService:
        return IntakeService(
            SETTINGS, inquiries=InMemoryInquiries(), dispatcher=RecordingDispatcher(),
            limiter=RateLimiter(InMemoryCounters(), per_client_per_hour=1_000_000, peppers=PEPPERS),
            persistence=InMemoryPersistence(), peppers=PEPPERS, count_triage=lambda triage: None)

    return IntakeApp(SETTINGS, service=service)


def _submitted_strings(data: dict[str, Any]) -> list[str]:
    return [v for v in data.values() if isinstance(v, str) and len(v.strip()) >= 4 and v.strip() not in CHOICES]


@BOUNDED
@given(inquiries, st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
def test_every_answer_is_202_or_a_4xx_that_echoes_nothing_submitted(data: dict[str, Any], kind: str) -> None:
    from urllib.parse import urlencode

    body = (json.dumps(data) if kind == "application/json"
            else urlencode({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                            for k, v in data.items()}))
    app = _app()
    response = app.resolve(api_event(body=body, headers={"Content-Type": kind}),
                           cast(LambdaContext, FakeLambdaContext("IntakeFunction")))

    status = response["statusCode"]
    assert status == 202 or 400 <= status < 500, status
    if status != 202:
        errors = response_json(response)["errors"]
        assert errors
        text = json.dumps(errors, ensure_ascii=False)
        for value in _submitted_strings(data):
            assert value not in text and json.dumps(value)[1:-1] not in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=25,
)


@BOUNDED
@given(json_values)
def test_strict_json_reads_what_json_reads_or_refuses_it_with_a_reason(value: Any) -> None:
    from inquiries.intake.strict_json import JsonRefused, parse_strict_json

    text = json.dumps(value)
    reasons: list[str] = []
    parsed: Any = None
    try:
        parsed = parse_strict_json(text)
    except JsonRefused as refused:
        reasons.append(refused.reason)
    if reasons:
        assert reasons[0] in {"too_deep", "number_too_long", "lone_surrogate"}
    else:
        assert parsed == json.loads(text)


@BOUNDED
@given(st.text(st.sampled_from('{}[]",:0123456789.eE-+ \\ntruefalsnNaIy\\ud800'), max_size=200))
def test_strict_json_never_fails_any_other_way_on_any_text(text: str) -> None:
    from inquiries.intake.strict_json import JsonRefused, parse_strict_json

    with contextlib.suppress(JsonRefused, json.JSONDecodeError):
        parse_strict_json(text)
