"""Reminding the care team of inquiries still awaiting a first contact (``new`` or ``attempting``: tried, not
yet reached) past their due time, with no PHI. Reached (``contacted`` onwards), held-back and closed ones
are never reminded.

Each overdue inquiry is re-notified at most once per ``reminder_interval_minutes``: a conditional
update of ``last_reminded_at`` claims the reminder before it is published (two runs never both send
it) and is undone when the publish fails (the next run tries again). Urgent ones are escalations:
``priority=urgent`` and ``escalation=true`` message attributes. Only urgent ones are texted (``page=yes``,
the SMS subscription's filter), at most ``sms_escalations_per_inquiry`` times each and within the care
team's window budget of texts (``delivery.urgent_texts``); every reminder still reaches the email.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.care.response_time import shortest_target
from inquiries.data.care import CareRecords
from inquiries.data.items import iso
from inquiries.delivery.urgent_texts import Text, TextClaim, UrgentTexts
from inquiries.ids import short_reference
from inquiries.observability import count, count_without_logging, logger
from inquiries.settings import RemindCareTeamSettings


@dataclass(frozen=True)
class Reminder:
    """One PHI-free reminder: reference, priority, topic category, how overdue, a console link."""

    subject: str
    message: str
    attributes: dict[str, str]


def _overdue_by(due: datetime, now: datetime) -> str:
    minutes = max(0, int((now - due).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = minutes // 60
    return f"{hours} hour{'' if hours == 1 else 's'}"


def render_reminder(values: dict[str, Any], settings: RemindCareTeamSettings, now: datetime) -> Reminder:
    """The reminder for one overdue inquiry (list attributes only: nothing the person typed)."""
    inquiry_id = str(values["inquiry_id"])
    reference = short_reference(inquiry_id)
    urgent = bool(values.get("urgent"))
    topic = str(values.get("topic") or "other")
    due = datetime.fromisoformat(str(values["due_at"]).replace("Z", "+00:00"))
    subject = (f"[URGENT - ESCALATED] Inquiry {reference} still waiting" if urgent
               else f"Reminder: inquiry {reference} still waiting")
    lines = [
        f"Inquiry {reference} is still waiting for a first contact ({values.get('status') or 'new'}), "
        f"{_overdue_by(due, now)} past its response target.",
        "Priority: URGENT - escalated, please reach out now" if urgent else "Priority: normal",
        f"Topic: {topic}",
        f"Preferred contact: {values.get('preferred_contact') or 'email'}",
    ]
    if settings.console_base_url:
        lines.append(f"Open in the console: {settings.console_base_url.rstrip('/')}/{inquiry_id}")
    lines += ["", "Details are in the console only; this reminder carries no personal information."]
    attributes = {"priority": "urgent" if urgent else "normal", "topic": topic, "kind": "reminder"}
    if urgent:
        attributes["escalation"] = "true"
    return Reminder(subject=subject, message="\n".join(lines), attributes=attributes)


@dataclass(frozen=True)
class ReminderSummary:
    """What one run did (counts only)."""

    overdue: int = 0
    reminded: int = 0
    escalated: int = 0
    failed: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


def remind_care_team(settings: RemindCareTeamSettings, *, records: CareRecords | None = None,
                     clock: Callable[[], datetime] = _utcnow) -> ReminderSummary:
    """Re-notify the care team about every inquiry still awaiting a first contact past due, once per interval."""
    records = records or CareRecords(settings.inquiries_table)
    now = clock()
    now_iso = iso(now)
    not_since = iso(now - timedelta(minutes=settings.reminder_interval_minutes))
    overdue = reminded = escalated = failed = 0
    texts = UrgentTexts.for_settings(settings, settings.inquiries_table)
    for values in list(records.new_past_due(now_iso, iso(now - shortest_target(settings)))):
        overdue += 1
        inquiry_id = str(values["inquiry_id"])
        previous = records.claim_reminder(inquiry_id, now_iso, not_since)
        if previous is None:
            continue  # reminded within the interval, or no longer new
        reminder = render_reminder(values, settings, now)
        member = f"{inquiry_id}@{now_iso}"  # this reminder: a retry in a later run is another one
        text = (texts.claim_escalation(inquiry_id, member, now, settings.sms_escalations_per_inquiry)
                if "escalation" in reminder.attributes else TextClaim(Text.NONE, member))
        message, attributes = texts.apply(text, reminder.message, reminder.attributes)
        try:
            aws.sns().publish(
                TopicArn=settings.care_team_topic_arn, Subject=reminder.subject, Message=message,
                MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
            )
        except (ClientError, BotoCoreError) as exc:
            failed += 1
            texts.give_back(text)
            records.unclaim_reminder(inquiry_id, now_iso, previous)
            logger.warning("reminder not sent; the next run retries", extra={"inquiry_id": inquiry_id,
                                                                             "error_type": type(exc).__name__})
            continue
        reminded += 1
        escalation = "escalation" in reminder.attributes
        escalated += escalation
        # Counted outside the logs, for every reminder alike (0 or 1): beside the line naming this inquiry,
        # an escalation count would say it was urgent.
        count_without_logging("CareTeamEscalated", int(escalation))
        logger.info("care team reminded", extra={"inquiry_id": inquiry_id})
    if reminded:
        count("CareTeamReminded", reminded)
    if failed:
        count("CareTeamReminderFailed", failed)
    return ReminderSummary(overdue=overdue, reminded=reminded, escalated=escalated, failed=failed)
