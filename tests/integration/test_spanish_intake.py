"""A person who reads Spanish, through the real IntakeFunction handler on moto: every answer's human text,
the pages a plain form post gets (no JavaScript) and the language kept on the inquiry.

The language is the page's choice (its ``language`` field), then ``Accept-Language`` (q-weights, regional
tags), then English.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.events import api_event, form_post, json_post, response_headers, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

HTML = {"Accept": "text/html,application/xhtml+xml"}
# English sentences any of these answers could carry; none may reach a Spanish reader.
ENGLISH = ("Thank you", "Please", "Your inquiry", "Enter a valid", "received", "This form is not monitored",
           "call or text", "emergency room", "Back button")


def spanish_form(**overrides: Any) -> dict[str, str]:
    inquiry = distinctive_inquiry(**overrides)
    fields = {k: str(v) for k, v in inquiry.items() if k != "consent_to_contact"}
    fields.update(consent_to_contact="on", website="", sms_consent="", language="es")
    return fields


def assert_no_english(text: str) -> None:
    found = [phrase for phrase in ENGLISH if phrase.lower() in text.lower()]
    assert found == [], found


def html_lang(page: str) -> str:
    match = re.search(r"<html[^>]*\blang=\"([a-z-]+)\"", page)
    assert match, "the page names its language"
    return match.group(1)


def test_the_spanish_form_post_lands_on_the_spanish_thank_you_page(stack: Stack) -> None:
    response = stack.intake(form_post(spanish_form(), headers=HTML))

    assert response["statusCode"] == 303
    assert response_headers(response)["location"] == "https://www.example.org/es/thank-you"
    [item] = stack.items()
    assert item["language"] == "es"


def test_an_urgent_spanish_form_post_gets_the_spanish_crisis_page(stack: Stack) -> None:
    fields = spanish_form(message="Ya no quiero seguir viviendo, creo que todos estarían mejor sin mí")
    response = stack.intake(form_post(fields, headers=HTML))

    assert response["statusCode"] == 200
    page = response["body"]
    assert html_lang(page) == "es"
    assert "Por favor, busque apoyo ahora mismo" in page
    thanks = page.index("Gracias, hemos recibido su consulta")
    for link in ('href="tel:988"', 'href="sms:988?&amp;body=AYUDA"', 'href="tel:911"',
                 'href="sms:741741?&amp;body=AYUDA"'):
        assert -1 < page.index(link) < thanks, link
    assert "oprima el 2" in page and "sala de emergencias más cercana" in page
    assert_no_english(page)
    assert fields["message"] not in page and fields["name"] not in page
    [item] = stack.items()
    assert (item["language"], item["urgent"]) == ("es", True)


def test_the_json_answer_speaks_the_pages_language(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(language="es")))

    assert response["statusCode"] == 202
    body = response_json(response)
    assert set(body) == {"inquiry_id", "reference", "urgent", "message"}, "the contract is unchanged"
    assert body["message"].startswith("Gracias por comunicarse con nosotros.")
    assert_no_english(body["message"])


def test_field_errors_are_in_spanish_for_the_spanish_page(stack: Stack) -> None:
    response = stack.intake(json_post(distinctive_inquiry(language="es", email="no-es-un-correo", phone="12")))

    assert response["statusCode"] == 422
    errors = {e["field"]: e["message"] for e in response_json(response)["errors"]}
    assert errors == {"email": "Escriba un correo electrónico válido, como nombre@ejemplo.com.",
                      "phone": "Escriba un número de teléfono válido, con el código de área."}
    assert stack.items() == []


def test_the_no_javascript_error_page_is_in_spanish(stack: Stack) -> None:
    fields = spanish_form()
    del fields["email"]
    response = stack.intake(form_post(fields, headers=HTML))

    assert response["statusCode"] == 422
    page = response["body"]
    assert html_lang(page) == "es"
    assert "Por favor, revise su consulta" in page
    assert "Correo electrónico:</strong> Este campo es obligatorio." in page
    assert "Llame al 988 y oprima el 2" in page
    assert_no_english(page)
    assert stack.items() == []


@pytest.mark.parametrize(("header", "lang"), [("es-MX,es;q=0.9,en;q=0.8", "es"), ("en;q=0.4, es-419;q=0.6", "es"),
                                              ("es;q=0, en", "en"), ("fr-FR", "en")])
def test_without_the_pages_choice_accept_language_decides_then_english(stack: Stack, header: str, lang: str) -> None:
    # A body that cannot be read has no language field: the browser's preference is all there is.
    event = api_event(body="%%%", headers={"Content-Type": "application/x-www-form-urlencoded",
                                           "Accept-Language": header, **HTML})
    event["body"] = "not base64!"
    event["isBase64Encoded"] = True
    response = stack.intake(event)

    assert response["statusCode"] == 400
    assert html_lang(response["body"]) == lang


def test_the_pages_choice_wins_over_accept_language(stack: Stack) -> None:
    fields = spanish_form(language="en")
    del fields["email"]
    fields["language"] = "en"
    response = stack.intake(form_post(fields, headers={**HTML, "Accept-Language": "es-MX"}))

    assert response["statusCode"] == 422
    assert html_lang(response["body"]) == "en"
    assert "Please check your inquiry" in response["body"]


def test_a_rate_limited_spanish_person_is_told_in_spanish(stack: Stack) -> None:
    stack.configure(RATE_LIMIT_PER_CLIENT_PER_HOUR="1")
    assert stack.intake(json_post(distinctive_inquiry(language="es")))["statusCode"] == 202
    response = stack.intake(json_post(distinctive_inquiry(language="es")))

    assert response["statusCode"] == 429
    [error] = response_json(response)["errors"]
    assert "988" in error["message"] and "oprima el 2" in error["message"]
    assert_no_english(error["message"])
