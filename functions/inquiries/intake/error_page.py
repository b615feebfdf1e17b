"""The page a plain form post (no JavaScript) gets instead of a JSON error: fixed texts only, escaped, in the
person's language."""

from __future__ import annotations

from inquiries.i18n import N_, translations
from inquiries.record import FieldError, Language

# The same Jinja environment (package templates, HTML autoescaped, strict, translated) as the emails.
from inquiries.rendering import templates

FIELD_LABELS: dict[str, str] = {
    "name": N_("Your name"),
    "email": N_("Email address"),
    "phone": N_("Phone number"),
    "preferred_contact": N_("How you'd like us to reach you"),
    "sms_consent": N_("Text message consent"),
    "topic": N_("What you'd like help with"),
    "message": N_("Your message"),
    "consent_to_contact": N_("Consent to be contacted"),
    "referral_source": N_("How you heard about us"),
    "language": N_("Language"),
}
_PAGE_TITLES: dict[int, str] = {
    422: N_("Please check your inquiry"),
    429: N_("Please try again later"),
}
_NOT_SENT = N_("Your inquiry was not sent")


def render_error_page(status: int, errors: list[FieldError], language: Language = Language.EN) -> str:
    """The error page for ``status`` in ``language``: each error under its field's label (the field name if
    unlabelled). Each message is a fixed English msgid, or already in ``language`` (then it reads unchanged)."""
    gettext = translations(language).gettext
    rows = [{"label": gettext(FIELD_LABELS[e.field]) if e.field in FIELD_LABELS else e.field,
             "message": gettext(e.message)} for e in errors]
    title = gettext(_PAGE_TITLES.get(status, _NOT_SENT))
    return templates(language).get_template("error_page.html").render(title=title, errors=rows)
