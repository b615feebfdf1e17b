"""What a Spanish reader receives, rendered: the confirmation email (text and HTML), the urgent page and the
error page a plain form post gets. No English sentence, the right ``lang``, and never a typed word."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from inquiries.ids import short_reference
from inquiries.intake.error_page import render_error_page
from inquiries.record import CRISIS_RESOURCES_ES, FieldError, Language, StoredInquiry
from inquiries.rendering import render_confirmation_email, render_urgent_thank_you_page
from inquiries.settings import MessageSettings

SETTINGS = MessageSettings(clinic_name="Daytryp Health")
# English words and phrases any of these texts held before they were translated.
ENGLISH = re.compile(r"\b(Hello|Thank|Please|your|inquiry|reference|call|text|care team|sessions|"
                     r"happens|With care|reach out|monitored|Back button|emergency)\b", re.IGNORECASE)


def _inquiry(**overrides: Any) -> StoredInquiry:
    values: dict[str, Any] = {
        "inquiry_id": "01JD3V6W7X8Y9Z0ABCDEFGHJKM", "created_at": datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        "status": "new", "name": "Lucía Ferrandiz", "email": "lucia@example.com", "preferred_contact": "phone",
        "topic": "depression", "message": "Escribí algo privado aquí", "consent_to_contact": True,
        "referral_source": "Una amiga", "ttl": 1, "language": "es",
    }
    values.update(overrides)
    return StoredInquiry.from_values(values)


def visible_text(page: str) -> str:
    """What a reader sees: no tags, no style blocks, no attribute values, entities decoded."""
    page = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def english_in(text: str) -> list[str]:
    # The crisis line's own name ("Crisis Text Line") is a proper noun its Spanish page keeps.
    return ENGLISH.findall(text.replace("Crisis Text Line", ""))


@pytest.mark.parametrize("urgent", [False, True])
def test_the_spanish_confirmation_email_has_not_one_english_sentence(urgent: bool) -> None:
    inquiry = _inquiry(urgent=urgent)
    email = render_confirmation_email(inquiry, SETTINGS)

    assert email.subject == "Recibimos su consulta"
    assert '<html lang="es"' in email.html
    for part in (email.text, visible_text(email.html)):
        assert english_in(part) == []
        assert "Hola:" in part
        assert "Gracias por comunicarse con Daytryp Health" in part
        assert "por teléfono" in part
        assert "de 3 a 6 sesiones de ketamina" in part
        assert "sesiones de integración" in part
        assert short_reference(inquiry.inquiry_id) in part
        assert "Lucía" not in part and "privado" not in part and "amiga" not in part, "no typed text"
    assert "en un plazo de un día hábil" in email.text if not urgent else "lo antes posible" in email.text


def test_the_urgent_spanish_email_leads_with_the_spanish_crisis_lines() -> None:
    email = render_confirmation_email(_inquiry(urgent=True), SETTINGS)

    for part in (email.text.lower(), visible_text(email.html).lower()):
        lead = part.index("gracias por comunicarse")
        assert -1 < part.index("su seguridad es lo primero") < lead
        assert -1 < part.index("oprima el 2") < lead
        assert -1 < part.index("ayuda por mensaje de texto al 741741") < lead
        assert -1 < part.index("sala de emergencias más cercana") < lead
    for link in ('href="tel:988"', 'href="sms:988?&amp;body=AYUDA"', 'href="sms:741741?&amp;body=AYUDA"',
                 'href="tel:911"'):
        assert link in email.html
    assert "llame al 988" in visible_text(email.html)


def test_an_english_inquiry_still_gets_the_english_email() -> None:
    email = render_confirmation_email(_inquiry(language="en"), SETTINGS)

    assert email.subject == "We received your inquiry"
    assert '<html lang="en"' in email.html and "Hello," in email.text


def test_the_urgent_page_in_spanish() -> None:
    page = render_urgent_thank_you_page("INQ-ABCDEFGH", "Gracias por comunicarse con nosotros.", SETTINGS,
                                        resources=CRISIS_RESOURCES_ES, language=Language.ES)

    assert '<html lang="es"' in page
    assert english_in(visible_text(page)) == []
    assert "Por favor, busque apoyo ahora mismo" in page and "INQ-ABCDEFGH" in page


def test_the_error_page_in_spanish_names_each_field_by_its_spanish_label() -> None:
    page = render_error_page(422, [FieldError(field="email", message="This field is required."),
                                   FieldError(field="consent_to_contact",
                                              message="Please agree to be contacted so our team can reply.")],
                             language=Language.ES)

    assert '<html lang="es"' in page
    assert "<title>Por favor, revise su consulta</title>" in page
    assert "Correo electrónico:</strong> Este campo es obligatorio." in page
    assert "Permiso para contactarle:</strong> Por favor, acepte que le contactemos" in page
    assert english_in(visible_text(page)) == []
