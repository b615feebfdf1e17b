"""Which care-team messages also go to the phone: SMS is for people, not volume.

The SMS subscription's filter policy selects the message attribute ``page=yes``, set here only. Within a
fixed window of ``urgent_sms_window_seconds``, at most ``urgent_sms_per_window`` urgent messages (first
notifications and escalations alike) are texted one by one; the first one past that cap carries, at the top
of its message, "N urgent inquiries waiting" and is texted as the window's single summary; the rest reach
the email subscribers only. Every message is still published: nothing is lost, only the texts are capped.

Exactly once: a place is taken by a member (the inquiry id; for a reminder, the id and its moment), so a
retry finds its own place again instead of taking another; a message that was not sent gives its place back.
The counters hold ids and counts only, never PHI; the summary says a count, never anything about a person.

If the counters cannot be read, the urgent message is texted anyway: an urgent inquiry must reach a person,
and a failing table is alarmed on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from inquiries.data.errors import DataUnavailable
from inquiries.data.rate_limits import fixed_window
from inquiries.data.urgent_texts import (
    CARE_TEAM_KEY,
    ESCALATION_SCOPE,
    SUMMARY_SCOPE,
    WINDOW_SCOPE,
    TextPlace,
    UrgentTextRecords,
)
from inquiries.observability import count, logger
from inquiries.settings import UrgentTextSettings

PAGE_ATTRIBUTE = "page"  # what the SMS subscription's filter policy selects (template.yaml)
PAGE_VALUE = "yes"
UNAVAILABLE_METRIC = "UrgentTextBudgetUnavailable"
# An inquiry's escalation count lives as long as it can be reminded: long enough, and refreshed by each one.
_ESCALATION_DAYS = 30


class Text(StrEnum):
    """What the phone gets for one urgent message."""

    INQUIRY = "inquiry"  # this message, texted
    SUMMARY = "summary"  # the window's single "N urgent inquiries waiting" text
    NONE = "none"  # email only


@dataclass(frozen=True)
class TextClaim:
    """A text decided for one member, and the places it holds (to give back if the message is not sent)."""

    text: Text
    member: str
    places: tuple[TextPlace, ...] = ()


def summary_line(waiting: int | None, settings: UrgentTextSettings) -> str:
    """The first line of the window's summary text (a count; nothing about a person)."""
    minutes = max(1, settings.urgent_sms_window_seconds // 60)
    counted = "Urgent inquiries" if waiting is None else f"{waiting} urgent inquir{'y' if waiting == 1 else 'ies'}"
    return (f"{counted} waiting. More than {settings.urgent_sms_per_window} arrived within "
            f"{minutes} minute{'' if minutes == 1 else 's'}: single texts resume in the next window; every "
            "inquiry is in the console and the email.")


@dataclass(frozen=True)
class UrgentTexts:
    """The window budget of texts, and each inquiry's escalations."""

    records: UrgentTextRecords
    settings: UrgentTextSettings

    @classmethod
    def for_settings(cls, settings: UrgentTextSettings, inquiries_table: str) -> UrgentTexts:
        return cls(UrgentTextRecords(settings.rate_limit_table, inquiries_table), settings)

    def _window(self, now: datetime) -> tuple[TextPlace, TextPlace]:
        start, end = fixed_window(now.timestamp(), self.settings.urgent_sms_window_seconds)
        return (TextPlace(WINDOW_SCOPE, CARE_TEAM_KEY, start, end + 60, self.settings.urgent_sms_per_window),
                TextPlace(SUMMARY_SCOPE, CARE_TEAM_KEY, start, end + 60, 1))

    def claim(self, member: str, now: datetime) -> TextClaim:
        """A text for one urgent message: its own, the window's summary, or none. Fails open (texted)."""
        single, summary = self._window(now)
        try:
            if self.records.take(single, member):
                return TextClaim(Text.INQUIRY, member, (single,))
            if self.records.take(summary, member):
                return TextClaim(Text.SUMMARY, member, (summary,))
        except DataUnavailable as exc:
            logger.warning("text budget unavailable; texted anyway", extra={"error_type": exc.cause})
            count(UNAVAILABLE_METRIC)
            return TextClaim(Text.INQUIRY, member)
        return TextClaim(Text.NONE, member)

    def claim_escalation(self, inquiry_id: str, member: str, now: datetime, per_inquiry: int) -> TextClaim:
        """A text for one escalation: within the inquiry's own cap first, then the window's budget."""
        start = int(now.timestamp())
        escalations = TextPlace(ESCALATION_SCOPE, inquiry_id, 0, start + _ESCALATION_DAYS * 86400, per_inquiry)
        try:
            if not self.records.take(escalations, member):
                return TextClaim(Text.NONE, member)
        except DataUnavailable as exc:
            logger.warning("text budget unavailable; texted anyway", extra={"error_type": exc.cause})
            count(UNAVAILABLE_METRIC)
            return TextClaim(Text.INQUIRY, member)
        claim = self.claim(member, now)
        if claim.text is Text.NONE:
            self.give_back(TextClaim(Text.INQUIRY, member, (escalations,)))
            return claim
        return TextClaim(claim.text, member, (escalations, *claim.places))

    def give_back(self, claim: TextClaim) -> None:
        """Free the places of a message that was not sent (best effort: a place kept only means fewer texts)."""
        for place in claim.places:
            try:
                self.records.give_back(place, claim.member)
            except DataUnavailable:
                logger.warning("text place not given back", extra={"scope": place.scope})

    def apply(self, claim: TextClaim, message: str, attributes: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The message and attributes to publish: ``page=yes`` when texted, the count leading a summary."""
        if claim.text is Text.NONE:
            return message, attributes
        paged = {**attributes, PAGE_ATTRIBUTE: PAGE_VALUE}
        if claim.text is Text.SUMMARY:
            return f"{summary_line(self.waiting(), self.settings)}\n\n{message}", paged
        return message, paged

    def waiting(self) -> int | None:
        """How many urgent inquiries wait (None when it cannot be counted)."""
        try:
            return self.records.urgent_waiting()
        except DataUnavailable:
            return None
