"""POST /inquiries and GET /health through the real IntakeFunction handler, on moto built from template.yaml.

One test per row of the DESIGN status table, asserting the exact status and body shape, plus the
headers every answer carries and what is (and is not) left behind.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from inquiries import aws
from inquiries.ids import inquiry_id_time_ms

from tests.support.events import api_event, form_post, json_post, response_headers, response_json
from tests.support.phi import LogCapture, distinctive_inquiry
from tests.support.stack import Stack

ALLOWED_ORIGIN = "https://www.example.org"


def assert_error_body(response: dict[str, Any], status: int) -> list[dict[str, Any]]:
    assert response["statusCode"] == status
    body = response_json(response)
    assert set(body) == {"errors"}
    assert body["errors"], "an error answer names at least one problem"
    for err in body["errors"]:
        assert set(err) == {"field", "message"}
        assert isinstance(err["message"], str) and err["message"]
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def assert_nothing_left_behind(stack: Stack) -> None:
    assert stack.items("InquiriesTable") == []
    assert stack.drain("ConfirmationQueue") == []
    assert stack.drain("CareTeamQueue") == []


# ---- 202 ----------------------------------------------------------------------------------------------------
def test_valid_json_inquiry_is_accepted_stored_and_queued(stack: Stack) -> None:
    inquiry = distinctive_inquiry(phone="(415) 555-0100", preferred_contact="phone")
    response = stack.intake(json_post(inquiry))

    assert response["statusCode"] == 202
    body = response_json(response)
    assert set(body) == {"inquiry_id", "reference", "urgent", "message"}
    assert body["urgent"] is False
    assert len(body["inquiry_id"]) == 26
    assert body["reference"] == "INQ-" + body["inquiry_id"][-8:]

    [item] = stack.items()
    assert item["inquiry_id"] == body["inquiry_id"]
    assert item["status"] == "new"
    assert item["phone"] == "+14155550100"
    assert item["email"] == inquiry["email"]
    assert item["urgent"] is False and item["spam"] is False
    assert "dispatch_state" not in item, "the pending marker is cleared once both messages are sent"
    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": body["inquiry_id"]}]
    assert stack.drain("CareTeamQueue") == [{"inquiry_id": body["inquiry_id"]}]


def test_crisis_wording_answers_urgent_with_crisis_resources(stack: Stack) -> None:
    inquiry = distinctive_inquiry(message="Lately I think everyone would be better off dead without me")
    response = stack.intake(json_post(inquiry))

    assert response["statusCode"] == 202
    body = response_json(response)
    assert body["urgent"] is True
    assert "category" not in json.dumps(body) and "ideation" not in json.dumps(body)
    assert [(r["contact"], r.get("call"), r.get("text"), r.get("text_word")) for r in body["crisis_resources"]] == [
        ("988", "988", "988", None), ("911", "911", None, None), ("741741", None, "741741", "HOME"),
    ]
    assert "press 1" in body["crisis_resources"][0]["how"]
    assert "emergency room" in body["crisis_resources"][1]["how"]
    assert all({"name", "contact", "how"} <= set(r) for r in body["crisis_resources"])
    [item] = stack.items()
    assert item["urgent"] is True
    assert item["triage_categories"] == ["ideation"]
    assert item["triage_rules"] == ["ideation.wish_dead"]


@pytest.mark.parametrize(
    ("message", "headers", "language"),
    [
        ("Lately I think everyone would be better off dead without me", {"Accept-Language": "es-MX,es;q=0.9"}, "es"),
        ("ya no quiero vivir, esta noche me voy a tomar todas las pastillas", {}, "es"),
    ],
    ids=["browser-prefers-spanish", "written-in-spanish"],
)
def test_a_person_who_reads_or_writes_spanish_gets_the_spanish_crisis_lines(
        stack: Stack, message: str, headers: dict[str, str], language: str) -> None:
    response = stack.intake(json_post(distinctive_inquiry(message=message), headers=headers))

    body = response_json(response)
    assert body["urgent"] is True
    lines = body["crisis_resources"]
    assert [(r["contact"], r.get("text_word")) for r in lines] == [("988", "AYUDA"), ("911", None), ("741741", "AYUDA")]
    assert "oprima el 2" in lines[0]["how"] and "AYUDA" in lines[2]["how"]
    [item] = stack.items()
    assert item["language"] == language and item["level"] == "urgent"


def test_a_risk_told_as_history_is_stored_as_priority_and_answered_without_a_takeover(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(
        message="I attempted suicide in 2016 and have been stable since. Is ketamine right for me?")))

    body = response_json(response)
    assert body["urgent"] is False and "crisis_resources" not in {k for k, v in body.items() if v is not None}
    [item] = stack.items()
    assert item["level"] == "priority" and item["urgent"] is False
    assert item["triage_categories"], "the care team sees why"


def test_an_ordinary_inquiry_stores_no_triage_codes(stack: Stack) -> None:
    stack.intake(json_post(distinctive_inquiry(message="I'm dying to know if you have evening hours")))

    [item] = stack.items()
    assert item["urgent"] is False and item["level"] == "none"
    assert "triage_categories" not in item and "triage_rules" not in item


def test_urgent_inquiries_are_counted_per_category_and_never_logged(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    message = "my son overdosed last night and i found him unconscious"
    with LogCapture() as logs:
        response = stack.intake(json_post(distinctive_inquiry(message=message)))

    assert response_json(response)["urgent"] is True
    # Counted in CloudWatch directly: an EMF line in the invocation's logs would tell which inquiry was urgent.
    assert "UrgentInquiry" not in capsys.readouterr().out
    metrics = aws.cloudwatch().list_metrics(Namespace="InquiryIntake", MetricName="UrgentInquiry")["Metrics"]
    per_category = sorted(d["Value"] for m in metrics for d in m["Dimensions"] if d["Name"] == "category")
    assert per_category == ["overdose"]
    [item] = stack.items()
    assert item["triage_categories"] == ["overdose"]
    assert "overdose" not in logs.text and "urgent" not in logs.text.lower()
    assert item["inquiry_id"] in logs.text  # the logs were captured


def test_plain_form_post_from_a_browser_redirects_to_the_thank_you_page(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    fields = {k: str(v) for k, v in inquiry.items() if k != "consent_to_contact"}
    fields.update(consent_to_contact="on", website="", sms_consent="")
    response = stack.intake(form_post(fields, headers={"Accept": "text/html,application/xhtml+xml"}))

    assert response["statusCode"] == 303
    assert response_headers(response)["location"] == "https://www.example.org/thank-you"
    [item] = stack.items()
    assert item["consent_to_contact"] is True
    assert item["topic"] == "addiction"


def test_urgent_plain_form_post_gets_a_page_that_leads_with_crisis_resources(stack: Stack) -> None:
    inquiry = distinctive_inquiry(message="honestly i dont want to wake up tomorrow")
    fields = {k: str(v) for k, v in inquiry.items() if k != "consent_to_contact"}
    fields.update(consent_to_contact="on", website="", sms_consent="")
    response = stack.intake(form_post(fields, headers={"Accept": "text/html,application/xhtml+xml"}))

    assert response["statusCode"] == 200
    headers = response_headers(response)
    assert headers["content-type"].startswith("text/html")
    assert "location" not in headers, "no redirect, so nothing about the inquiry can travel in a URL"
    assert headers["cache-control"] == "no-store"
    page = response["body"]
    thanks = page.index("received your inquiry")
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"', 'href="sms:741741?&amp;body=HOME"'):
        assert -1 < page.index(link) < thanks, link
    assert page.index("<h1") < thanks
    assert "press 1" in page and "emergency room" in page
    [item] = stack.items()
    assert item["urgent"] is True
    assert "INQ-" + item["inquiry_id"][-8:] in page
    assert inquiry["message"] not in page and inquiry["name"] not in page
    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": item["inquiry_id"]}]


def test_form_post_asking_for_json_gets_the_json_answer(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    fields = {"name": inquiry["name"], "email": inquiry["email"], "consent_to_contact": "on", "topic": ""}
    response = stack.intake(form_post(fields, headers={"Accept": "application/json"}))

    assert response["statusCode"] == 202
    assert response_json(response)["urgent"] is False
    [item] = stack.items()
    assert item["topic"] == "other", "an untouched <select> takes the default"


def test_base64_encoded_body_is_decoded(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    event = api_event(body=json.dumps(inquiry), headers={"Content-Type": "application/json"}, base64_body=True)
    response = stack.intake(event)

    assert response["statusCode"] == 202
    [item] = stack.items()
    assert item["name"] == inquiry["name"]


def test_filled_honeypot_answers_like_success_but_is_stored_as_spam_and_never_dispatched(stack: Stack) -> None:
    inquiry = distinctive_inquiry(website="https://cheap-pills.example")
    response = stack.intake(json_post(inquiry))

    assert response["statusCode"] == 202
    body = response_json(response)
    assert set(body) == {"inquiry_id", "reference", "urgent", "message"}
    [item] = stack.items()
    assert item["spam"] is True and item["status"] == "spam"
    assert "dispatch_state" not in item
    created_s = inquiry_id_time_ms(item["inquiry_id"]) // 1000
    assert int(item["ttl"]) - created_s in range(7 * 86400 - 1, 7 * 86400 + 2), "spam keeps a short retention"
    assert stack.drain("ConfirmationQueue") == []
    assert stack.drain("CareTeamQueue") == []


def test_retention_sets_ttl_from_the_setting(stack: Stack) -> None:
    stack.configure(RETENTION_DAYS="30")
    response = stack.intake(json_post(distinctive_inquiry()))
    assert response["statusCode"] == 202

    [item] = stack.items()
    created_s = inquiry_id_time_ms(item["inquiry_id"]) // 1000
    assert int(item["ttl"]) - created_s in range(30 * 86400 - 1, 30 * 86400 + 2)


# ---- 400 / 413 / 415 / 422 -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    ['{"name": "unterminated', "[1, 2, 3]", '"just a string"', "null", ""],
    ids=["malformed", "array", "string", "null", "empty"],
)
def test_body_that_is_not_a_json_object_is_400(stack: Stack, body: str) -> None:
    response = stack.intake(api_event(body=body, headers={"Content-Type": "application/json"}))
    errors = assert_error_body(response, 400)
    assert errors[0]["field"] is None
    assert_nothing_left_behind(stack)


def test_base64_body_that_is_not_utf8_is_400(stack: Stack) -> None:
    response = stack.intake(api_event(body=b"\xff\xfe\x00", headers={"Content-Type": "application/json"},
                                      base64_body=True))
    assert_error_body(response, 400)
    assert_nothing_left_behind(stack)


def test_body_over_16_kib_is_413(stack: Stack) -> None:
    inquiry = distinctive_inquiry(message="a" * 1900, referral_source="b" * 90)
    padded = json.dumps(inquiry) + " " * (16 * 1024)
    response = stack.intake(api_event(body=padded, headers={"Content-Type": "application/json"}))
    assert_error_body(response, 413)
    assert_nothing_left_behind(stack)


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", "application/xml"])
def test_other_content_types_are_415(stack: Stack, content_type: str) -> None:
    response = stack.intake(api_event(body="name=x", headers={"Content-Type": content_type}))
    assert_error_body(response, 415)
    assert_nothing_left_behind(stack)


def test_consent_false_is_422_naming_only_consent_as_the_schema_says(stack: Stack) -> None:
    """docs/openapi.json says ``consent_to_contact`` is ``const: true``; the API refuses false the same way."""
    response = stack.intake(json_post(distinctive_inquiry(consent_to_contact=False)))
    errors = assert_error_body(response, 422)
    assert [e["field"] for e in errors] == ["consent_to_contact"]
    assert_nothing_left_behind(stack)


def test_field_errors_are_422_naming_every_bad_field_and_echoing_nothing(stack: Stack) -> None:
    submitted = {
        "name": "",
        "email": "wobbly-address-9471",
        "phone": "12-not-a-phone-9471",
        "preferred_contact": "carrier-pigeon-9471",
        "topic": "astrology-9471",
        "message": "m9471" * 500,
        "consent_to_contact": False,
        "referral_source": "r9471" * 30,
        "favourite_colour": "teal-9471",
    }
    response = stack.intake(json_post(submitted))

    errors = assert_error_body(response, 422)
    assert {e["field"] for e in errors} == {
        "name", "email", "phone", "preferred_contact", "topic", "message", "consent_to_contact",
        "referral_source", "favourite_colour",
    }
    assert "9471" not in response["body"]
    assert "wobbly" not in response["body"] and "teal" not in response["body"]
    assert_nothing_left_behind(stack)


def test_plain_form_post_with_a_bad_field_gets_a_readable_page_not_json(stack: Stack) -> None:
    inquiry = distinctive_inquiry(phone="555-not-a-number-6612")
    fields = {k: str(v) for k, v in inquiry.items() if k != "consent_to_contact"}
    fields["consent_to_contact"] = "on"
    response = stack.intake(form_post(fields, headers={"Accept": "text/html", "Origin": ALLOWED_ORIGIN}))

    assert response["statusCode"] == 422
    headers = response_headers(response)
    assert headers["content-type"].startswith("text/html")
    assert headers["cache-control"] == "no-store"
    page = response["body"]
    assert "Phone number:" in page and "Enter a valid phone number" in page
    assert "not monitored 24/7" in page
    assert "6612" not in page and inquiry["name"] not in page
    assert_nothing_left_behind(stack)


def test_long_honeypot_value_is_answered_like_success(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(website="x" * 3000)))
    assert response["statusCode"] == 202
    [item] = stack.items()
    assert item["spam"] is True


def test_filled_honeypot_with_bad_fields_gets_202_and_stores_nothing(stack: Stack) -> None:
    response = stack.intake(json_post({"name": "", "email": "nope", "website": "http://spam.example"}))
    assert response["statusCode"] == 202
    assert set(response_json(response)) == {"inquiry_id", "reference", "urgent", "message"}
    assert_nothing_left_behind(stack)


def test_missing_required_fields_are_named(stack: Stack) -> None:
    response = stack.intake(json_post({}))
    errors = assert_error_body(response, 422)
    assert {e["field"] for e in errors} == {"name", "email", "consent_to_contact"}


def test_sms_needs_a_phone_and_sms_consent(stack: Stack) -> None:
    inquiry = distinctive_inquiry(preferred_contact="sms")
    inquiry.pop("phone")
    response = stack.intake(json_post(inquiry))
    errors = assert_error_body(response, 422)
    assert {e["field"] for e in errors} == {"phone", "sms_consent"}
    assert_nothing_left_behind(stack)


def test_idempotency_key_longer_than_64_characters_is_422(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(), headers={"Idempotency-Key": "k" * 65}))
    errors = assert_error_body(response, 422)
    assert [e["field"] for e in errors] == ["Idempotency-Key"]
    assert_nothing_left_behind(stack)


# ---- 429 ----------------------------------------------------------------------------------------------------
def test_honeypot_posts_naming_an_address_never_stop_that_person_reaching_the_care_team(stack: Stack) -> None:
    """Issue 11, finding 1: seven bot posts (honeypot filled) naming a person's address from one client,
    then the real person, from another network, writes in crisis: heard, stored, the care team told."""
    victim = distinctive_inquiry()
    for n in range(7):
        bot = stack.intake(json_post({**victim, "website": "https://spam.example", "message": f"buy {n}"},
                                     source_ip="192.0.2.66"))
        assert bot["statusCode"] == 202

    response = stack.intake(json_post({**victim, "message": "I want to die"}, source_ip="198.51.100.20"))

    assert response["statusCode"] == 202
    body = response_json(response)
    assert body["urgent"] is True and body["crisis_resources"]
    stored = next(i for i in stack.items() if i["inquiry_id"] == body["inquiry_id"])
    assert (stored["status"], stored["urgent"]) == ("new", True)
    assert [m["inquiry_id"] for m in stack.drain("CareTeamQueue")] == [body["inquiry_id"]]
    assert [m["inquiry_id"] for m in stack.drain("ConfirmationQueue")] == [body["inquiry_id"]]


def test_more_honeypot_posts_than_the_per_client_limit_naming_a_person_never_silence_their_crisis_post(
    stack: Stack,
) -> None:
    """Issue 18, item 12: 25 bot posts (honeypot filled), each from its own client, all naming one person's
    address, then that person writes in crisis from a fresh client: heard, stored, the care team told.

    More posts than the per-client limit allows one client, so a counter of the named address that shared
    that limit (or any block on an address seen in spam) would refuse or discard the real post."""
    per_client = int(stack.resources.function_environment("IntakeFunction")["RATE_LIMIT_PER_CLIENT_PER_HOUR"])
    bots = max(25, per_client + 5)
    victim = distinctive_inquiry()
    for n in range(bots):
        bot = stack.intake(json_post({**victim, "website": "https://spam.example", "message": f"buy {n}"},
                                     source_ip=f"203.0.113.{n + 1}"))
        assert bot["statusCode"] == 202
    assert len(stack.items()) == bots and all(i["spam"] is True for i in stack.items()), \
        "each bot post is its own client's first: stored as spam, none discarded"

    response = stack.intake(json_post({**victim, "message": "I want to die"}, source_ip="198.51.100.21"))

    assert response["statusCode"] == 202
    body = response_json(response)
    assert body["urgent"] is True and body["crisis_resources"]
    stored = next(i for i in stack.items() if i["inquiry_id"] == body["inquiry_id"])
    assert (stored["status"], stored["urgent"], stored["spam"]) == ("new", True, False)
    assert stored["email"] == victim["email"]
    assert [m["inquiry_id"] for m in stack.drain("CareTeamQueue")] == [body["inquiry_id"]]
    assert [m["inquiry_id"] for m in stack.drain("ConfirmationQueue")] == [body["inquiry_id"]]


def test_many_inquiries_for_one_address_are_all_accepted_and_stored(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    for n in range(8):
        response = stack.intake(json_post({**inquiry, "message": f"attempt {n}"}, source_ip=f"198.51.100.{n}"))
        assert response["statusCode"] == 202
    assert len(stack.items()) == 8


def test_too_many_inquiries_from_one_client_is_429(stack: Stack) -> None:
    stack.configure(RATE_LIMIT_PER_CLIENT_PER_HOUR="3")
    for _ in range(3):
        assert stack.intake(json_post(distinctive_inquiry(), source_ip="198.51.100.7"))["statusCode"] == 202
    response = stack.intake(json_post(distinctive_inquiry(), source_ip="198.51.100.7"))
    assert_error_body(response, 429)
    assert 0 < int(response_headers(response)["retry-after"]) <= 3600
    other_client = stack.intake(json_post(distinctive_inquiry(), source_ip="198.51.100.8"))
    assert other_client["statusCode"] == 202


# ---- headers, CORS, health, unknown routes ---------------------------------------------------------------
@pytest.mark.parametrize(
    "event",
    [
        json_post({"name": "x"}, headers={"Origin": ALLOWED_ORIGIN}),
        api_event(body="x", headers={"Content-Type": "text/plain", "Origin": ALLOWED_ORIGIN}),
        api_event(method="GET", path="/health", headers={"Origin": ALLOWED_ORIGIN}),
        api_event(method="GET", path="/nowhere", headers={"Origin": ALLOWED_ORIGIN}),
        api_event(method="OPTIONS", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"}),
    ],
    ids=["422", "415", "health", "404", "preflight"],
)
def test_every_answer_is_no_store_with_cors_for_the_configured_origin(stack: Stack, event: dict[str, Any]) -> None:
    headers = response_headers(stack.intake(event))
    assert headers["cache-control"] == "no-store"
    assert headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_accepted_answer_is_no_store(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(), headers={"Origin": ALLOWED_ORIGIN}))
    headers = response_headers(response)
    assert response["statusCode"] == 202
    assert headers["cache-control"] == "no-store"
    assert headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_other_origins_get_no_cors_grant(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(), headers={"Origin": "https://evil.example"}))
    headers = response_headers(response)
    assert "access-control-allow-origin" not in headers
    preflight_headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    preflight = stack.intake(api_event(method="OPTIONS", headers=preflight_headers))
    assert "access-control-allow-origin" not in response_headers(preflight)


def test_health_answers_200_without_touching_data(stack: Stack) -> None:
    calls: list[str] = []
    for client in (aws.dynamodb(), aws.sqs(), aws.sns(), aws.sesv2(), aws.ssm(), aws.secretsmanager(),
                   aws.cloudwatch()):
        client.meta.events.register("before-call", lambda model, **_: calls.append(model.name))

    response = stack.intake(api_event(method="GET", path="/health"))

    assert calls == [], "liveness must not read, write or send anything"
    assert response["statusCode"] == 200
    assert response_json(response) == {"status": "ok"}
    # The same hooks do see a submission's calls: an empty list above means no call, not a deaf hook.
    assert stack.intake(json_post(distinctive_inquiry()))["statusCode"] == 202
    assert {"PutItem", "TransactWriteItems", "SendMessage"} & set(calls)


def test_an_unexpected_failure_is_a_500_that_logs_where_and_what_type_never_the_message(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    inquiry = distinctive_inquiry(message="I keep thinking about my relapse")

    def broken(text: str | None) -> None:
        raise ValueError(f"could not read {text!r}")  # a message that quotes what was submitted

    monkeypatch.setattr("inquiries.intake.service.assess", broken)
    with LogCapture() as logs:
        response = stack.intake(json_post(inquiry))

    assert response["statusCode"] == 500
    assert response_headers(response)["cache-control"] == "no-store"
    (error,) = response_json(response)["errors"]
    assert error["message"].startswith("Something went wrong on our side and your inquiry was not sent.")
    (line,) = [json.loads(text) for text in logs.text.splitlines() if '"unhandled error"' in text]
    assert line["error_type"] == "ValueError"
    assert any(frame.startswith("service.py:") for frame in line["frames"]), "where it happened"
    assert "relapse" not in logs.text and "relapse" not in response["body"]
    assert stack.items() == [], "nothing stored"


def test_unknown_route_is_404_in_the_error_shape(stack: Stack) -> None:
    assert_error_body(stack.intake(api_event(method="GET", path="/inquiries/123")), 404)


# ---- what long-lived logs can tell (issue 11, finding 10) -------------------------------------------------
def test_urgency_is_counted_in_cloudwatch_but_never_written_to_the_logs(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = stack.intake(json_post(distinctive_inquiry(message="I want to die")))
    assert response_json(response)["urgent"] is True

    logged = capsys.readouterr().out
    assert "InquiryAccepted" in logged, "the invocation's other metrics are still written (EMF)"
    assert "UrgentInquiry" not in logged
    cloudwatch = aws.cloudwatch()
    metrics = cloudwatch.list_metrics(Namespace="InquiryIntake", MetricName="UrgentInquiry")["Metrics"]
    assert metrics and {d["Name"] for d in metrics[0]["Dimensions"]} == {"service", "stage"}


# ---- duplicates are per client (issue 11, finding 4) ----------------------------------------------------
def test_an_identical_body_from_another_client_is_a_new_inquiry_not_the_first_ones_id(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    first = response_json(stack.intake(json_post(inquiry, source_ip="198.51.100.1")))
    again = response_json(stack.intake(json_post(inquiry, source_ip="198.51.100.1")))
    other = response_json(stack.intake(json_post(inquiry, source_ip="203.0.113.50")))

    assert again["inquiry_id"] == first["inquiry_id"], "the same client's repeat is one submission"
    assert other["inquiry_id"] != first["inquiry_id"], "another client learns nothing of the first"
    assert len(stack.items()) == 2


def test_no_hash_in_any_table_is_an_unkeyed_sha256_of_what_was_submitted(stack: Stack) -> None:
    """Issue 11, finding 7: plain SHA-256 of an address or an IP can be reversed by trying candidates."""
    import hashlib

    inquiry = distinctive_inquiry()
    stack.intake(json_post(inquiry, source_ip="198.51.100.77"))
    stored = json.dumps([stack.items(t) for t in ("InquiriesTable", "IdempotencyTable", "RateLimitTable",
                                                  "InquiryLookupTable")], default=str)
    email = str(inquiry["email"]).strip().lower()
    phone = str(stack.items()[0]["phone"])
    words = str(inquiry["name"]).casefold().split()
    for candidate in (email, "198.51.100.77", "client:198.51.100.77", phone, *words, " ".join(words)):
        assert hashlib.sha256(candidate.encode()).hexdigest() not in stored
