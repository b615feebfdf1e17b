"""The page a plain form post (no JavaScript) gets instead of a JSON error: fixed texts only, escaped."""

from __future__ import annotations

from inquiries.record import FieldError

# The same Jinja environment (package templates, HTML autoescaped, strict) as the emails.
from inquiries.rendering import _templates as templates

FIELD_LABELS: dict[str, str] = {
    "name": "Your name",
    "email": "Email address",
    "phone": "Phone number",
    "preferred_contact": "How you'd like us to reach you",
    "sms_consent": "Text message consent",
    "topic": "What you'd like help with",
    "message": "Your message",
    "consent_to_contact": "Consent to be contacted",
    "referral_source": "How you heard about us",
}
_PAGE_TITLES: dict[int, str] = {
    422: "Please check your inquiry",
    429: "Please try again later",
}


def render_error_page(status: int, errors: list[FieldError]) -> str:
    """The error page for ``status``: each error under its field's label (the field name if unlabelled)."""
    rows = [{"label": FIELD_LABELS.get(e.field, e.field) if e.field else None, "message": e.message}
            for e in errors]
    title = _PAGE_TITLES.get(status, "Your inquiry was not sent")
    return templates().get_template("error_page.html").render(title=title, errors=rows)
