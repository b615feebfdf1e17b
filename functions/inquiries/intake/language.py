"""Which language a request's answers are in: the page's choice (its ``language`` field), then the
``Accept-Language`` header (RFC 9110, section 12.5.4), then English.

Only English and Spanish are served: the first of the two, by q-weight (ties keep the header's order),
that the header accepts. Regional tags count for their language (``es-MX``, ``es-419`` and ``en-GB``);
``q=0`` refuses a language; ``*`` and anything else is ignored. A missing or unreadable header, or one
that names neither, answers None (the caller falls back to English).
"""

from __future__ import annotations

from inquiries.record import Language

_MAX_HEADER = 512  # a longer header is read up to here: no request makes us parse an unbounded value


def preferred_language(header: str | None) -> Language | None:
    """English or Spanish, whichever the header prefers; None when it names neither."""
    if not header:
        return None
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate(header[:_MAX_HEADER].split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-", 1)[0]
        if primary not in ("en", "es"):
            continue
        weight = _weight(params)
        if weight <= 0:
            continue
        candidate = (-weight, position, Language(primary))
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def _weight(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0


def request_language(chosen: object, accept_language: str | None) -> Language:
    """The language the person reads: the page's ``language`` field when it names one of ours, else the
    header's preference, else English. The field is read before validation (an error page needs it too),
    so anything else in it counts as no choice."""
    if isinstance(chosen, str) and chosen.strip().lower() in ("en", "es"):
        return Language(chosen.strip().lower())
    return preferred_language(accept_language) or Language.EN
