"""The page a plain form post (no JavaScript) gets instead of a JSON error: fixed texts only, escaped."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from inquiries.models import FieldError

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


@lru_cache(maxsize=1)
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("inquiries", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_error_page(status: int, errors: list[FieldError]) -> str:
    """The error page for ``status``: each error under its field's label (the field name if unlabelled)."""
    rows = [{"label": FIELD_LABELS.get(e.field, e.field) if e.field else None, "message": e.message}
            for e in errors]
    title = _PAGE_TITLES.get(status, "Your inquiry was not sent")
    return _templates().get_template("error_page.html").render(title=title, errors=rows)
