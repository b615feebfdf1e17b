"""What people receive: the confirmation email and the care team's notification, rendered.

The person's email carries no text the submitter typed, not even the name: the address is unverified,
so anything typed into the form could otherwise reach a stranger in a clinic-branded email. The care
team's notification carries only the short reference, topic category, urgency (when urgent, with the
triage category codes), preferred contact method, age and a console link: the details stay behind the
console's login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from inquiries.i18n import N_, translations
from inquiries.ids import short_reference
from inquiries.observability import logger
from inquiries.record import (
    CRISIS_RESOURCES,
    CrisisResource,
    Language,
    Level,
    PreferredContact,
    StoredInquiry,
    crisis_resources,
)
from inquiries.settings import MessageSettings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from jinja2 import Environment

# English source texts (the msgids); each reader gets them in the inquiry's language (``inquiries.i18n``).
CONFIRMATION_SUBJECT = N_("We received your inquiry")
CRISIS_NOTICE = N_("This inbox is not monitored 24/7. If you are in crisis, call or text 988, or call 911.")
# Said instead of a configured response time that the catalog has no translation for.
RESPONSE_TIME_UNTRANSLATED = N_("soon")

_CONTACT_PHRASES: dict[PreferredContact, str] = {
    PreferredContact.EMAIL: N_("by email"),
    PreferredContact.PHONE: N_("by phone"),
    PreferredContact.SMS: N_("by text message"),
}


@dataclass(frozen=True)
class ConfirmationEmail:
    """The email the person receives: a subject without PHI, a plain-text and an HTML part."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class CareTeamNotification:
    """What the care team receives (SNS and chat). Holds no PHI by construction."""

    subject: str
    message: str
    attributes: dict[str, str]

    @property
    def chat_text(self) -> str:
        """The same content as one chat message."""
        return f"{self.subject}\n{self.message}"


@lru_cache(maxsize=len(Language))
def templates(language: Language = Language.EN) -> Environment:
    """The package's templates in ``language``: Jinja2's i18n extension over that language's gettext catalog
    (``{% trans %}`` blocks, whitespace trimmed as extraction trims it); ``lang`` is the page's language code."""
    # Imported on first use: the care team's notification and intake's JSON answers need no Jinja.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("inquiries", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = language.value
    return env


def confirmation_subject(language: Language) -> str:
    """The confirmation email's subject (no PHI) in ``language``."""
    return translations(language).gettext(CONFIRMATION_SUBJECT)


def _response_time(text: str, language: Language) -> str:
    """The configured response time (English, a template parameter) in ``language``.

    The defaults are in the catalog; a text an operator wrote is not, and then the reader gets "soon" in their
    language rather than an English phrase, with a warning that names the setting (never a person's value).
    """
    if language is Language.EN:
        return text
    catalog = translations(language)
    translated = catalog.gettext(text)
    if translated == text:
        logger.warning("response time text has no translation; saying 'soon'", extra={"language": language.value})
        return catalog.gettext(RESPONSE_TIME_UNTRANSLATED)
    return translated


def render_confirmation_email(inquiry: StoredInquiry, settings: MessageSettings) -> ConfirmationEmail:
    """The confirmation email for one inquiry; urgent inquiries lead with the crisis resources."""
    language = inquiry.language
    catalog = translations(language)
    subject = confirmation_subject(language)
    context = {
        "clinic_name": settings.clinic_name,
        "response_time": _response_time(
            settings.urgent_response_time_text if inquiry.urgent else settings.response_time_text, language),
        "contact_phrase": catalog.gettext(_CONTACT_PHRASES[inquiry.preferred_contact]),
        "reference": short_reference(inquiry.inquiry_id),
        "urgent": inquiry.urgent,
        "crisis_resources": crisis_resources(language),
        "crisis_notice": catalog.gettext(CRISIS_NOTICE),
        "subject": subject,
    }
    env = templates(language)
    return ConfirmationEmail(
        subject=subject,
        text=env.get_template("confirmation.txt").render(context),
        html=env.get_template("confirmation.html").render(context),
    )


def render_urgent_thank_you_page(reference: str, message: str, settings: MessageSettings,
                                 resources: Sequence[CrisisResource] = CRISIS_RESOURCES,
                                 language: Language = Language.EN) -> str:
    """The page a plain form post (no JavaScript) gets when its words are urgent: crisis resources first
    (``resources``: those of the answer), in ``language``."""
    return templates(language).get_template("urgent_thanks.html").render({
        "clinic_name": settings.clinic_name,
        "crisis_resources": resources,
        "message": message,
        "reference": reference,
    })


def describe_age(created_at: datetime, now: datetime) -> str:
    """How long ago something arrived, in words a busy person reads at a glance."""
    seconds = max(0, int((now - created_at.astimezone(UTC)).total_seconds()))
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"  # pragma: no cover - the loop always returns for seconds >= 60


# Per level: the ``priority`` message attribute (the SMS subscription's filter takes ``urgent`` only), the
# subject's prefix and the notification's priority line.
_LEVEL_WORDS: dict[Level, tuple[str, str, str]] = {
    Level.URGENT: ("urgent", "[URGENT] ", "Priority: URGENT - please reach out first"),
    Level.PRIORITY: ("priority", "[PRIORITY] ", "Priority: priority - a risk in their history; reach out soon"),
    Level.NONE: ("normal", "", "Priority: normal"),
}


def render_care_team_notification(inquiry: StoredInquiry, settings: MessageSettings,
                                  now: datetime) -> CareTeamNotification:
    """The care team's notification: identifiers and categories only, never a field the person typed."""
    reference = short_reference(inquiry.inquiry_id)
    # ``urgent`` is kept beside ``level`` (reminders, the SMS filter and older items read it): it wins.
    level = Level.URGENT if inquiry.urgent else inquiry.level
    priority, prefix, line = _LEVEL_WORDS[level]
    subject = f"{prefix}New inquiry {reference} ({inquiry.topic.value})"
    lines = [f"New inquiry {reference}", line]
    # The triage category codes say why it is urgent or priority (e.g. overdose) without the person's words.
    categories = ", ".join(inquiry.triage_categories) if level is not Level.NONE else ""
    if categories:
        lines.append(f"Category: {categories}")
    lines += [
        f"Topic: {inquiry.topic.value}",
        f"Language: {inquiry.language.value}",
        f"Preferred contact: {inquiry.preferred_contact.value}",
        f"Arrived: {describe_age(inquiry.created_at, now)}",
    ]
    if settings.console_base_url:
        lines.append(f"Open in the console: {settings.console_base_url.rstrip('/')}/{inquiry.inquiry_id}")
    lines += ["", "Details are in the console only; this notification carries no personal information."]
    attributes = {"priority": priority, "topic": inquiry.topic.value, "language": inquiry.language.value}
    if categories:
        attributes["category"] = categories
    return CareTeamNotification(subject=subject, message="\n".join(lines), attributes=attributes)
