"""RemindCareTeamFunction with a controllable clock: overdue new inquiries, once per interval, no PHI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from inquiries import aws
from inquiries.care.reminders import remind_care_team
from inquiries.data.items import iso
from inquiries.settings import RemindCareTeamSettings

from tests.support.care import CARE_MEMBER, care_request
from tests.support.consumers import notifications, put_inquiry, record_of
from tests.support.lambda_context import FakeLambdaContext
from tests.support.phi import LogCapture, submitted_by_this_test
from tests.support.stack import Stack

DUE = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def overdue_inquiry(**overrides: object) -> str:
    return put_inquiry(created_at=iso(DUE - timedelta(days=1)), due_at=iso(DUE), version=1, **overrides)


def run_at(when: datetime) -> dict[str, int]:
    summary = remind_care_team(RemindCareTeamSettings.from_environ(), clock=lambda: when)
    return {"overdue": summary.overdue, "reminded": summary.reminded, "escalated": summary.escalated,
            "failed": summary.failed}


def test_nothing_is_sent_before_the_due_time(stack: Stack) -> None:
    overdue_inquiry()

    assert run_at(DUE - timedelta(minutes=1))["reminded"] == 0
    assert notifications(stack.url("CareTeamTopic")) == []


def test_an_overdue_inquiry_is_reminded_once_per_interval(stack: Stack) -> None:
    inquiry_id = overdue_inquiry()
    interval = RemindCareTeamSettings.from_environ().reminder_interval_minutes

    first = run_at(DUE + timedelta(minutes=1))
    again_soon = run_at(DUE + timedelta(minutes=1 + interval - 1))
    next_interval = run_at(DUE + timedelta(minutes=1 + interval))

    assert (first["reminded"], again_soon["reminded"], next_interval["reminded"]) == (1, 0, 1)
    sent = notifications(stack.url("CareTeamTopic"))
    assert len(sent) == 2
    assert sent[0]["subject"] == f"Reminder: inquiry INQ-{inquiry_id[-8:]} still waiting"
    assert f"Open in the console: https://ConsoleDistribution/care/#/inquiries/{inquiry_id}" in sent[0]["message"]
    assert sent[0]["attributes"]["priority"]["Value"] == "normal"
    assert "escalation" not in sent[0]["attributes"]


def test_an_urgent_overdue_inquiry_is_escalated(stack: Stack) -> None:
    overdue_inquiry(urgent=True)

    summary = run_at(DUE + timedelta(minutes=5))

    assert summary["escalated"] == 1
    (sent,) = notifications(stack.url("CareTeamTopic"))
    assert sent["subject"].startswith("[URGENT - ESCALATED]")
    # priority=urgent is what the urgent SMS subscription's filter policy selects.
    assert sent["attributes"]["priority"]["Value"] == "urgent"
    assert sent["attributes"]["escalation"]["Value"] == "true"


def test_a_level_the_care_team_corrected_is_what_decides_an_escalation(stack: Stack) -> None:
    raised = overdue_inquiry()
    lowered = overdue_inquiry(level="urgent", urgent=True)
    for inquiry_id, change in ((raised, {"level": "urgent", "level_reason": "missed"}),
                               (lowered, {"level": "none", "level_reason": "false_alarm"})):
        response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER, body=change,
                                headers={"If-Match": "1"})
        assert response["statusCode"] == 200

    summary = run_at(DUE + timedelta(minutes=1))

    assert (summary["reminded"], summary["escalated"]) == (2, 1)
    subjects = {n["subject"] for n in notifications(stack.url("CareTeamTopic"))}
    assert subjects == {f"[URGENT - ESCALATED] Inquiry INQ-{raised[-8:]} still waiting",
                        f"Reminder: inquiry INQ-{lowered[-8:]} still waiting"}


def test_an_escalation_is_counted_in_cloudwatch_but_never_written_to_the_logs(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = overdue_inquiry(urgent=True)
    capsys.readouterr()
    with LogCapture() as logs:
        stack.handler("remind_care_team")({"source": "aws.events"}, FakeLambdaContext("RemindCareTeamFunction"))

    written = logs.text + capsys.readouterr().out
    assert inquiry_id in written, "the run logged its per-inquiry line"
    assert "CareTeamReminded" in written, "the run's other metrics are still written (EMF)"
    assert "escalat" not in written.lower() and "urgent" not in written.lower()
    escalations = aws.cloudwatch().list_metrics(Namespace="InquiryIntake", MetricName="CareTeamEscalated")["Metrics"]
    assert escalations, "the escalation is counted in CloudWatch"


def test_a_reminder_carries_no_inquiry_field(stack: Stack) -> None:
    overdue_inquiry(urgent=True)
    overdue_inquiry()

    run_at(DUE + timedelta(hours=3))

    sent = notifications(stack.url("CareTeamTopic"))
    text = "\n".join(f"{n['subject']}\n{n['message']}\n{n['attributes']}" for n in sent)
    assert len(sent) == 2
    assert submitted_by_this_test().leaks(text) == []
    assert "3 hours past its response target" in text


def test_once_contacted_no_more_reminders(stack: Stack) -> None:
    inquiry_id = overdue_inquiry()
    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                            body={"status": "contacted"}, headers={"If-Match": "1"})
    assert response["statusCode"] == 200

    assert run_at(DUE + timedelta(hours=1))["overdue"] == 0
    assert notifications(stack.url("CareTeamTopic")) == []


def test_a_reminder_that_cannot_be_published_is_tried_again_next_run(stack: Stack) -> None:
    inquiry_id = overdue_inquiry()
    real_topic = stack.url("CareTeamTopic")
    stack.configure(CARE_TEAM_TOPIC_ARN=real_topic + "-gone")

    failed = run_at(DUE + timedelta(minutes=1))
    assert failed["failed"] == 1 and "last_reminded_at" not in record_of(inquiry_id)

    stack.configure(CARE_TEAM_TOPIC_ARN=real_topic)
    assert run_at(DUE + timedelta(minutes=2))["reminded"] == 1
    assert len(notifications(real_topic)) == 1


def test_the_scheduled_handler_reminds_with_the_real_clock(stack: Stack) -> None:
    overdue_inquiry()

    result = stack.handler("remind_care_team")({"source": "aws.events", "detail-type": "Scheduled Event"},
                                               FakeLambdaContext("RemindCareTeamFunction", timeout_seconds=60))

    assert result == {"overdue": 1, "reminded": 1, "escalated": 0, "failed": 0}


def test_an_attempting_inquiry_past_due_is_still_reminded_and_says_so(stack: Stack) -> None:
    inquiry_id = overdue_inquiry(status="attempting")

    summary = run_at(DUE + timedelta(minutes=1))

    assert (summary["overdue"], summary["reminded"]) == (1, 1)
    [sent] = notifications(stack.url("CareTeamTopic"))
    assert f"INQ-{inquiry_id[-8:]}" in sent["subject"]
    assert "still waiting for a first contact (attempting)" in sent["message"]
    assert record_of(inquiry_id)["last_reminded_at"]


@pytest.mark.parametrize("status", ["contacted", "scheduled", "spam", "closed", "not_a_fit"])
def test_no_reminder_once_reached_held_back_or_closed(stack: Stack, status: str) -> None:
    overdue_inquiry(status=status)

    assert run_at(DUE + timedelta(minutes=1))["reminded"] == 0
    assert notifications(stack.url("CareTeamTopic")) == []


def test_a_no_answer_attempt_keeps_the_reminders_coming_and_reaching_stops_them(stack: Stack) -> None:
    inquiry_id = overdue_inquiry()
    interval = RemindCareTeamSettings.from_environ().reminder_interval_minutes
    tried = care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=CARE_MEMBER,
                         body={"channel": "phone", "outcome": "voicemail"}, headers={"If-Match": "1"})
    assert tried["statusCode"] == 201

    after_trying = run_at(DUE + timedelta(minutes=1))["reminded"]
    reached = care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=CARE_MEMBER,
                           body={"channel": "phone", "outcome": "reached"}, headers={"If-Match": "2"})
    after_reaching = run_at(DUE + timedelta(minutes=2 + interval))["reminded"]

    assert reached["statusCode"] == 201
    assert (after_trying, after_reaching) == (1, 0)
