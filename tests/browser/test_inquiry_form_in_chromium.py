"""The website form in Debian's headless Chromium, on a phone-sized screen, against the local stack."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, ViewportSize, expect

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.accessibility import grave_violations

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
PHONE: ViewportSize = {"width": 390, "height": 844}
NOTICE = "This form is not monitored 24/7. If you are in crisis, call or text 988 or call 911."
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "browser-local-stack.log") as stack:
        yield stack


@pytest.fixture
def page(browser: Browser, local_stack: LocalStackProcess) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(local_stack.base_url + "/")
    yield tab
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def assert_accessible(page: Page, view: str) -> None:
    """axe-core finds no serious or critical WCAG 2.1 AA violation on what the page shows now."""
    grave = grave_violations(page)
    assert grave == [], f"{view}: {grave}"
    shot(page, view)


def expect_the_three_crisis_resources(where: Locator) -> None:
    """988 to call or text (Veterans press 1), 911 or the ER, and the Crisis Text Line, each a link."""
    links = {
        "call 988": "tel:988", "text 988": "sms:988", "call 911": "tel:911",
        "text HOME to 741741": "sms:741741?&body=HOME",
    }
    for name, href in links.items():
        expect(where.get_by_role("link", name=re.compile(f"^{name}$", re.IGNORECASE))).to_have_attribute("href", href)
    expect(where).to_contain_text("press 1")
    expect(where).to_contain_text("nearest emergency room")
    expect(where).to_contain_text("Crisis Text Line")


def fill_inquiry(page: Page, **values: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    inquiry = {"name": f"Avery Browser {tag}", "email": f"avery.{tag}@example.com",
               "message": "I'd like to learn about ketamine-assisted therapy for my depression.", **values}
    page.get_by_label("Your name").fill(inquiry["name"])
    page.get_by_label("Email address").fill(inquiry["email"])
    page.get_by_label("How would you like us to reach you?").select_option("email")
    page.get_by_label("What would you like help with?").select_option("depression")
    page.get_by_label("Anything you'd like us to know?").fill(inquiry["message"])
    page.get_by_label("How did you hear about us?").fill("A friend")
    page.get_by_label("I agree that the Daytryp Health care team may contact me").check()
    return inquiry


def test_a_person_fills_the_form_by_its_labels_and_sees_the_thank_you(page: Page,
                                                                       local_stack: LocalStackProcess) -> None:
    expect(page.get_by_role("note").first).to_have_text(NOTICE)
    assert grave_violations(page) == []
    inquiry = fill_inquiry(page)
    shot(page, "1-filled")
    with page.expect_request(lambda r: r.url.endswith("/inquiries") and r.method == "POST") as sent:
        page.get_by_role("button", name="Submit inquiry").click()
    headers: dict[str, Any] = sent.value.headers
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"
    assert UUID.match(headers["idempotency-key"])

    thanks = page.get_by_role("heading", name="Thank you, we've received your inquiry")
    expect(thanks).to_be_visible()
    expect(page.locator("#thanks")).to_be_focused()
    expect(page.locator("#inquiry-form")).to_be_hidden()
    expect(page.locator("#crisis")).to_be_hidden()
    expect(page.locator("#thanks-reference")).to_contain_text("INQ-")
    expect(page.get_by_role("note").first).to_have_text(NOTICE)
    assert grave_violations(page) == []
    shot(page, "2-thank-you")
    assert inquiry["email"] not in page.url and inquiry["name"] not in page.url


def test_a_bad_email_is_shown_beside_its_field_and_announced(page: Page) -> None:
    fill_inquiry(page, email="not-an-email")
    page.get_by_role("button", name="Submit inquiry").click()

    email = page.get_by_label("Email address")
    error = page.locator("#email-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("valid email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"\bemail-error\b"))
    expect(page.get_by_role("alert")).to_contain_text("valid email address")
    expect(email).to_be_focused()
    assert grave_violations(page) == []
    expect(page.get_by_role("button", name="Submit inquiry")).to_be_enabled()
    expect(page.locator("#thanks")).to_be_hidden()
    shot(page, "3-bad-email")

    # Fixing it and sending again works, and the error goes away.
    email.fill(f"fixed.{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_role("button", name="Submit inquiry").click()
    expect(page.locator("#thanks")).to_be_visible()


def test_a_crisis_message_shows_crisis_resources_at_once(page: Page) -> None:
    fill_inquiry(page, message="I want to end my life")
    page.get_by_role("button", name="Submit inquiry").click()

    crisis = page.locator("#crisis")
    expect(crisis).to_be_visible()
    expect(crisis).to_be_focused()
    expect_the_three_crisis_resources(crisis)
    expect(page.locator("#thanks")).to_be_visible()
    assert_accessible(page, "4-crisis")


def test_every_kind_of_danger_shows_the_resources_before_the_thank_you(page: Page) -> None:
    fill_inquiry(page, message="my son told me he took a whole bottle of his pills")
    page.get_by_role("button", name="Submit inquiry").click()

    crisis = page.locator("#crisis")
    expect(crisis).to_be_focused()
    expect_the_three_crisis_resources(crisis)
    crisis_top = crisis.bounding_box()
    thanks_top = page.locator("#thanks").bounding_box()
    assert crisis_top is not None and thanks_top is not None
    assert crisis_top["y"] < thanks_top["y"]


def test_the_honeypot_is_hidden_from_people_and_the_keyboard(page: Page) -> None:
    trap = page.locator("input[name=website]")
    assert trap.get_attribute("tabindex") == "-1" and trap.get_attribute("autocomplete") == "off"
    # Assistive technology does not see it: no textbox of that name in the accessibility tree.
    expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Leave this field empty", include_hidden=True)).to_have_count(1)
    assert page.locator(".hp").get_attribute("aria-hidden") == "true"
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0  # off-screen

    # Tab from the top of the page reaches the submit button without ever landing on the honeypot.
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement && (document.activeElement.id || '')"))
        if reached[-1] == "submit":
            break
    assert "submit" in reached and "hp-field" not in reached
    assert {"name", "email", "consent_to_contact"} <= set(reached)


def test_the_submit_button_is_disabled_while_sending(page: Page) -> None:
    fill_inquiry(page)

    def slow_network(route: Route) -> None:
        page.wait_for_timeout(500)
        route.continue_()

    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.route("**/inquiries", slow_network)
    page.get_by_role("button", name="Submit inquiry").click()
    expect(page.locator("#submit")).to_be_disabled()
    page.locator("#submit").click(force=True)  # a second, impatient tap
    page.keyboard.press("Enter")
    expect(page.locator("#thanks")).to_be_visible()
    assert len(posts) == 1, "one inquiry, one request"


def test_a_network_failure_is_explained_kindly_and_keeps_what_was_written(page: Page) -> None:
    inquiry = fill_inquiry(page)
    page.route("**/inquiries", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Submit inquiry").click()
    expect(page.get_by_role("alert")).to_contain_text("couldn't reach our team")
    expect(page.get_by_label("Your name")).to_have_value(inquiry["name"])
    expect(page.get_by_role("button", name="Submit inquiry")).to_be_enabled()
    shot(page, "5-network-error")


@pytest.fixture
def page_without_javascript(browser: Browser, local_stack: LocalStackProcess) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(local_stack.base_url + "/")
    yield tab
    context.close()


def post_the_form(page: Page, **values: str) -> int:
    """Fill the form, send it, and return the status of the answer to POST /inquiries."""
    fill_inquiry(page, **values)
    with page.expect_response(lambda r: r.url.endswith("/inquiries")) as answer:
        page.get_by_role("button", name="Submit inquiry").click()
    status: int = answer.value.status
    return status


def test_without_javascript_the_form_posts_and_lands_on_the_thank_you_page(page_without_javascript: Page) -> None:
    page = page_without_javascript
    assert post_the_form(page) == 303
    page.wait_for_url(re.compile(r"/thank-you\.html$"))
    expect(page.get_by_role("heading", name="Thank you, we've received your inquiry")).to_be_visible()
    expect(page.get_by_role("note").first).to_have_text(NOTICE)
    shot(page, "6-no-javascript-thank-you")


def test_without_javascript_an_urgent_message_gets_a_page_that_leads_with_crisis_resources(
        page_without_javascript: Page, browser: Browser, local_stack: LocalStackProcess) -> None:
    page = page_without_javascript
    assert post_the_form(page, message="i keep saving up my pills and ive made up my mind") == 200
    assert page.url == local_stack.base_url + "/inquiries", "nothing about the inquiry in the URL"
    expect(page.get_by_role("heading").first).to_have_text("Please reach out for support right now")
    expect(page.get_by_role("heading", name="Thank you, we've received your inquiry")).to_be_visible()
    expect_the_three_crisis_resources(page.locator("main"))
    shot(page, "7-no-javascript-urgent")
    # axe is a script, which this page's context refuses to run: check the same page in one that allows it.
    checker = browser.new_context(viewport=PHONE)
    try:
        same_page = checker.new_page()
        same_page.set_content(page.content())
        assert_accessible(same_page, "7-no-javascript-urgent-axe")
    finally:
        checker.close()


def test_an_inquiry_still_being_saved_is_asked_for_again_not_reported_as_failed(page: Page) -> None:
    fill_inquiry(page)
    answers: list[int] = []

    def first_in_flight(route: Route) -> None:
        if not answers:  # the first try meets a duplicate still in flight (409), as API Gateway retries can
            answers.append(409)
            route.fulfill(status=409, headers={"Content-Type": "application/json", "Retry-After": "1"},
                          body='{"errors":[{"field":null,"message":"This inquiry is already being submitted."}]}')
        else:
            answers.append(0)
            route.continue_()

    page.route("**/inquiries", first_in_flight)
    page.get_by_role("button", name="Submit inquiry").click()
    expect(page.locator("#thanks")).to_be_visible(timeout=5000)
    assert answers == [409, 0]
