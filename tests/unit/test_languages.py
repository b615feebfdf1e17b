"""Which language a request prefers (Accept-Language) and which one a message is written in."""

from __future__ import annotations

import pytest
from inquiries.intake.language import preferred_language
from inquiries.record import Language
from inquiries.triage.language import message_language
from inquiries.triage.text import fold


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", Language.ES),  # a regional tag is its language
        ("es-419", Language.ES),
        ("en-US,en;q=0.9,es;q=0.8", Language.EN),
        ("en;q=0.5, es;q=0.8", Language.ES),  # q-weights, not order, decide
        ("fr-FR, es;q=0.4, en;q=0.3", Language.ES),  # the first of ours that is accepted
        ("es;q=0, en", Language.EN),  # q=0 refuses
        ("es;q=0.7, en;q=0.7", Language.ES),  # a tie keeps the header's order
        ("de-DE, fr", None),
        ("*", None),
        ("", None),
        (None, None),
        ("es;q=abc", None),  # an unreadable weight refuses
        ("en;q=2", None),  # out of range
    ],
)
def test_accept_language_is_read_by_q_weight_and_regional_tag(header: str | None, expected: Language | None) -> None:
    assert preferred_language(header) == expected


def test_an_endless_header_is_read_only_so_far() -> None:
    assert preferred_language("xx, " * 10_000 + "es") is None
    assert preferred_language("es, " + "xx, " * 10_000) is Language.ES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quiero saber cuánto cuesta la consulta para mi hijo", "es"),
        ("me siento muy mal y ya no sé qué hacer", "es"),
        ("necesito una cita, el seguro no cubre", "es"),
        ("I'd like to know what the sessions cost for my son", "en"),
        ("hola", "en"),  # too short to tell: the default
        ("my abuela says I should ask about the ketamine sessions", "en"),
    ],
)
def test_a_message_is_spanish_when_its_function_words_are(text: str, expected: str) -> None:
    assert message_language(fold(text)) == expected
