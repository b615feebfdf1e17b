"""A person who reads Spanish, in Debian's headless Chromium on a phone-sized screen, against the local stack:
the switch, the Spanish form with and without JavaScript, the Spanish thank-you and crisis answers, the
Spanish email in the local outbox, and axe-core over every Spanish page."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from infra.local.child import LocalStackProcess
from tests.browser.test_inquiry_form_in_chromium import ARTIFACTS, PHONE, assert_accessible, shot
from tests.support.waiting import wait_for

pytestmark = pytest.mark.browser

AVISO = re.compile(r"^Este formulario no se revisa las 24 horas\. ¿Está en crisis\? Llame al 988 y oprima el 2")
URGENTE = "Ya no quiero seguir viviendo, creo que todos estarían mejor sin mí"


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "browser-spanish-local-stack.log") as stack:
        yield stack


@pytest.fixture
def pagina(browser: Browser, local_stack: LocalStackProcess) -> Iterator[Page]:
    """The website, opened in a Spanish-speaking phone's browser (es-MX): it answers with the Spanish form."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="es-MX")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(local_stack.base_url + "/")
    tab.wait_for_url(re.compile(r"/es/$"))
    yield tab
    context.close()


@pytest.fixture
def pagina_sin_javascript(browser: Browser, local_stack: LocalStackProcess) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="es-MX")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(local_stack.base_url + "/es/")
    yield tab
    context.close()


def llenar(page: Page, **values: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    consulta = {"name": f"Lucía Navegador {tag}", "email": f"lucia.{tag}@example.com",
                "message": "Quisiera saber más sobre la terapia asistida con ketamina para mi depresión.", **values}
    page.get_by_label("Su nombre").fill(consulta["name"])
    page.get_by_label("Correo electrónico").fill(consulta["email"])
    page.get_by_label("¿Cómo prefiere que nos comuniquemos con usted?").select_option("email")
    page.get_by_label("¿En qué le gustaría recibir ayuda?").select_option("depression")
    page.get_by_label("¿Hay algo que quiera contarnos?").fill(consulta["message"])
    page.get_by_label("¿Cómo supo de nosotros?").fill("Una amiga")
    page.get_by_label("Acepto que el equipo de atención de Daytryp Health se comunique conmigo").check()
    return consulta


def enviar(page: Page) -> int:
    with page.expect_response(lambda r: r.url.endswith("/inquiries")) as answer:
        page.get_by_role("button", name="Enviar consulta").click()
    status: int = answer.value.status
    return status


def outbox(stack: LocalStackProcess) -> dict[str, Any]:
    with urllib.request.urlopen(stack.base_url + "/_local/outbox", timeout=5) as response:
        found: dict[str, Any] = json.loads(response.read())
        return found


def email_to(stack: LocalStackProcess, address: str) -> dict[str, Any]:
    def sent() -> bool:
        return any(address in e["to"] for e in outbox(stack)["emails"])
    assert wait_for(sent, 20), "the confirmation email reached the local outbox"
    [email] = [e for e in outbox(stack)["emails"] if address in e["to"]]
    found: dict[str, Any] = email
    return found


def expect_the_spanish_crisis_lines(where: Locator) -> None:
    links = {"Llame al 988": "tel:988", "Envíe AYUDA al 988": "sms:988?&body=AYUDA", "Llame al 911": "tel:911",
             "Envíe AYUDA al 741741": "sms:741741?&body=AYUDA"}
    for name, href in links.items():
        expect(where.get_by_role("link", name=re.compile(f"^{name}$", re.IGNORECASE)).first).to_have_attribute(
            "href", href)
    expect(where).to_contain_text("oprima el 2")
    expect(where).to_contain_text("sala de emergencias más cercana")


def axe_over_the_html(browser: Browser, page: Page, view: str) -> None:
    """axe is a script, which a no-JavaScript context refuses to run: check the same page in one that allows it."""
    checker = browser.new_context(viewport=PHONE)
    try:
        same_page = checker.new_page()
        same_page.set_content(page.content())
        assert_accessible(same_page, view)
    finally:
        checker.close()


def test_the_spanish_form_the_thank_you_and_the_spanish_email(pagina: Page, local_stack: LocalStackProcess) -> None:
    expect(pagina.locator("html")).to_have_attribute("lang", "es")
    expect(pagina.get_by_role("note").first).to_have_text(AVISO)
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Emprenda un camino de sanación")
    assert_accessible(pagina, "es-1-form")
    consulta = llenar(pagina)
    assert enviar(pagina) == 202

    expect(pagina.get_by_role("heading", name="Gracias, hemos recibido su consulta")).to_be_visible()
    expect(pagina.locator("#thanks-message")).to_have_text(re.compile(r"^Gracias por comunicarse con nosotros\."))
    expect(pagina.locator("#thanks-reference")).to_contain_text("Su número de referencia: INQ-")
    expect(pagina.locator("#crisis")).to_be_hidden()
    assert_accessible(pagina, "es-2-thank-you")

    email = email_to(local_stack, consulta["email"])
    assert email["subject"] == "Recibimos su consulta"
    assert '<html lang="es"' in email["html"]
    assert email["text"].startswith("Hola:") and "equipo de atención" in email["text"]
    for part in (email["text"], email["html"]):
        assert consulta["name"] not in part and consulta["message"] not in part, "no typed text in the email"
    # The notification has a worker of its own (like the confirmation's): it may land after the email.
    def notified_in_spanish() -> bool:
        return any("Language: es" in json.dumps(n) for n in outbox(local_stack)["notifications"])
    assert wait_for(notified_in_spanish, 20), "the care team's notification names the language"


def test_an_urgent_spanish_message_gets_the_spanish_crisis_lines_and_email(
        pagina: Page, local_stack: LocalStackProcess) -> None:
    consulta = llenar(pagina, message=URGENTE)
    assert enviar(pagina) == 202

    crisis = pagina.locator("#crisis")
    expect(crisis).to_be_visible()
    expect(crisis).to_be_focused()
    expect(crisis.get_by_role("heading")).to_have_text("Por favor, busque apoyo ahora mismo")
    expect_the_spanish_crisis_lines(crisis)
    assert_accessible(pagina, "es-3-crisis")

    email = email_to(local_stack, consulta["email"])
    lead = email["text"].index("Hola:")
    assert -1 < email["text"].index("SU SEGURIDAD ES LO PRIMERO") < lead
    assert -1 < email["text"].index("oprima el 2") < lead
    assert URGENTE not in email["text"] and URGENTE not in email["html"]


def test_a_bad_email_is_told_in_spanish_beside_its_field(pagina: Page) -> None:
    llenar(pagina, email="no-es-un-correo")
    assert enviar(pagina) == 422

    error = pagina.locator("#email-error")
    expect(error).to_have_text("Escriba un correo electrónico válido, como nombre@ejemplo.com.")
    expect(pagina.get_by_role("alert")).to_contain_text("Por favor, revise una cosa antes de enviar:")
    expect(pagina.get_by_role("alert")).to_contain_text("Correo electrónico: Escriba un correo electrónico válido")
    expect(pagina.get_by_label("Correo electrónico")).to_be_focused()
    assert_accessible(pagina, "es-4-bad-email")


def test_without_javascript_the_spanish_form_lands_on_the_spanish_thank_you_page(
        pagina_sin_javascript: Page, browser: Browser) -> None:
    page = pagina_sin_javascript
    llenar(page)
    assert enviar(page) == 303
    page.wait_for_url(re.compile(r"/es/thank-you\.html$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Gracias, hemos recibido su consulta")).to_be_visible()
    axe_over_the_html(browser, page, "es-5-no-javascript-thank-you")


def test_without_javascript_an_urgent_spanish_message_gets_the_spanish_crisis_page(
        pagina_sin_javascript: Page, browser: Browser, local_stack: LocalStackProcess) -> None:
    page = pagina_sin_javascript
    llenar(page, message=URGENTE)
    assert enviar(page) == 200
    assert page.url == local_stack.base_url + "/inquiries", "nothing about the inquiry in the URL"
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading").first).to_have_text("Por favor, busque apoyo ahora mismo")
    expect(page.get_by_role("heading", name="Gracias, hemos recibido su consulta")).to_be_visible()
    expect_the_spanish_crisis_lines(page.locator("main"))
    axe_over_the_html(browser, page, "es-6-no-javascript-urgent")


def test_without_javascript_a_bad_field_gets_the_spanish_error_page(
        pagina_sin_javascript: Page, browser: Browser) -> None:
    page = pagina_sin_javascript
    llenar(page)
    page.get_by_label("Número de teléfono").fill("12")  # the browser lets it through; the API refuses it
    assert enviar(page) == 422
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Por favor, revise su consulta")
    expect(page.get_by_role("alert")).to_contain_text(
        "Número de teléfono: Escriba un número de teléfono válido, con el código de área.")
    axe_over_the_html(browser, page, "es-7-no-javascript-error")


def test_the_switch_is_the_persons_choice_whatever_the_browser_says(pagina: Page) -> None:
    pagina.get_by_role("link", name="English").click()
    expect(pagina.locator("html")).to_have_attribute("lang", "en")
    expect(pagina.get_by_role("button", name="Submit inquiry")).to_be_visible()
    expect(pagina.locator('input[name="language"]')).to_have_value("en")
    shot(pagina, "es-8-english-by-choice")
    pagina.get_by_role("link", name="Español").click()
    expect(pagina.locator("html")).to_have_attribute("lang", "es")
    expect(pagina.locator('input[name="language"]')).to_have_value("es")
