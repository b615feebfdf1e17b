"""Issue 19's "Done when": a care team works a day from the queue, in Chromium, against the local stack.

A burst of 60 inquiries (3 urgent) arrives while the queue is open; the urgent ones come to the top without a
reload and the reader keeps their place; one is found by its reference and three call attempts are logged on
it, the third reaching the person; others are assigned to me, marked spam and released; a second tab opens an
inquiry without signing in. axe-core runs on every new view at desktop and phone sizes. Also: the keys, the
language filter, the desktop alert (which names no one) and a note that outlives an idle sign-out.

The burst goes to 127.0.0.1 only, six posts at a time, from six loopback source addresses (ten each, under
RateLimitPerClientPerHour), so the whole module stays around a minute.
"""

from __future__ import annotations

import http.client
import json
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from infra.local.child import LocalStackProcess
from tests.browser.care_support import (
    ARTIFACTS,
    DESKTOP,
    Inquiry,
    Person,
    assert_accessible,
    open_console,
    row_of,
    session_storage,
    sign_in,
    submit_inquiry,
)

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
URGENT_WORDS = "I want to kill myself tonight."
POLL_WAIT_MS = 25_000  # the queue asks every 15 s while it is seen
# Headless Chromium has no phone app: a tel: link handed to the system swallows the next click. After the
# console's own handler has run (it opens the attempt form), the test keeps the link from leaving the page.
NO_DIALER = """document.addEventListener("click", (event) => {
    if (event.target.closest("a[href^='tel:'], a[href^='sms:'], a[href^='mailto:']")) event.preventDefault();
});"""


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "browser-care-queue-stack.log") as stack:
        yield stack


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def post_from(stack: LocalStackProcess, source: str, sent: dict[str, object]) -> dict[str, object]:
    """One website-form post to 127.0.0.1 from the loopback address ``source`` (the client the limit counts)."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.api_port, timeout=30, source_address=(source, 0))
    try:
        connection.request("POST", "/inquiries", body=json.dumps(sent),
                           headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        response = connection.getresponse()
        answer: dict[str, object] = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 202, answer
    return answer


def burst(stack: LocalStackProcess, total: int, urgent_at: set[int]) -> list[tuple[Inquiry, bool]]:
    """``total`` inquiries at once (``urgent_at`` say they want to die), six in flight at a time."""
    def one(n: int) -> tuple[Inquiry, bool]:
        tag = uuid.uuid4().hex[:8]
        sent = {"name": f"Burst Person {n} {tag}", "email": f"burst.{n}.{tag}@example.com", "topic": "depression",
                "message": URGENT_WORDS if n in urgent_at else f"Looking for help with low mood ({tag}).",
                "phone": f"+1415555{1000 + n:04d}", "consent_to_contact": True}
        answer = post_from(stack, f"127.0.0.{2 + n % 6}", sent)
        inquiry = Inquiry(str(answer["inquiry_id"]), str(answer["reference"]), str(sent["name"]),
                          str(sent["email"]), str(sent["message"]))
        return inquiry, bool(answer["urgent"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(one, range(total)))


def assert_accessible_at_both_sizes(page: Page, view: str) -> None:
    """axe-core finds no serious or critical violation at desktop size, nor on a phone."""
    assert_accessible(page, f"{view}-desktop")
    page.set_viewport_size(PHONE)
    try:
        assert_accessible(page, f"{view}-phone")
    finally:
        page.set_viewport_size(DESKTOP)


def cards(page: Page) -> list[str]:
    """The references on the queue's cards, top to bottom."""
    found: list[str] = page.locator("li.card .card__title a").all_inner_texts()
    return found


def tomorrow_at_ten_clinic_time() -> str:
    """A datetime-local value: 10:00 tomorrow in the clinic's zone."""
    day = datetime.now(ZoneInfo("America/Los_Angeles")) + timedelta(days=1)
    return f"{day:%Y-%m-%d}T10:00"


# The module's stack starts inside this test's time, then a burst of 60 and a poll or two: about 45 s on a
# quiet machine, so the limit leaves room for a busy one.
@pytest.mark.timeout(300)
def test_a_care_team_works_a_day_from_the_queue(
        context: BrowserContext, local_stack: LocalStackProcess, local_users: dict[str, Person]) -> None:
    me = local_users["care"]
    page = context.new_page()
    page.add_init_script(NO_DIALER)
    first = submit_inquiry(local_stack, message="I'd like to know about ketamine-assisted therapy.")
    open_console(page, local_stack)
    sign_in(page, me)
    expect(page.get_by_role("heading", name="Queue", exact=True)).to_be_visible()
    expect(row_of(page, first)).to_be_visible()
    assert_accessible_at_both_sizes(page, "queue-1")

    # The reader is on the first card when the burst comes in.
    page.keyboard.press("j")
    reading = page.get_by_role("link", name=first.reference, exact=True)
    expect(reading).to_be_focused()

    arrived = burst(local_stack, 60, urgent_at={7, 29, 51})
    urgent = [inquiry for inquiry, is_urgent in arrived if is_urgent]
    ordinary = [inquiry for inquiry, is_urgent in arrived if not is_urgent]
    assert len(urgent) == 3

    # Without a reload: the urgent ones come to the top, the arrival is said, the title counts it.
    expect(page.locator("li.card")).to_have_count(61, timeout=POLL_WAIT_MS)
    assert set(cards(page)[:3]) == {u.reference for u in urgent}
    expect(page.locator("#queue-news")).to_contain_text("new urgent inquir")
    expect(page).to_have_title(re.compile(r"^\(3 urgent\) Queue"))
    expect(reading).to_be_focused()  # the reader's place is kept
    expect(page.get_by_role("link", name=re.compile(r"^New inquiries"))).to_contain_text("61")
    top = page.locator("li.card").first
    expect(top.locator(".tag--urgent")).to_have_text("Urgent")
    expect(top.locator(".countdown")).to_have_text(re.compile(r"^due in (\d+ min|1 h)$"))
    assert_accessible(page, "queue-2-burst")
    page.set_viewport_size(PHONE)
    attention = top.locator(".card__attention").bounding_box()
    title = top.locator(".card__title").bounding_box()
    assert attention and title and attention["y"] < title["y"], "on a phone the attention comes first"
    assert_accessible(page, "queue-3-phone")
    page.set_viewport_size(DESKTOP)

    # One is found by the reference the person quotes.
    found = urgent[1]
    page.get_by_role("link", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Find an inquiry")).to_be_visible()
    assert_accessible_at_both_sizes(page, "search")
    page.get_by_label("Reference, email address, phone number or name").fill(found.reference.lower())
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name=f"Inquiry {found.reference}")).to_be_visible()
    assert page.url.endswith(f"#/inquiries/{found.inquiry_id}")

    # Three call attempts, each opened from the number; the third reaches them.
    for outcome, next_attempt in (("No answer", tomorrow_at_ten_clinic_time()), ("Left a voicemail", ""),
                                  ("Reached them", "")):
        call = page.get_by_role("link", name=re.compile(r"^Call \+1 \(415\) 555-"))
        expect(call).to_have_attribute("href", re.compile(r"^tel:\+1415555\d{4}$"))
        call.click()
        form = page.locator("#attempt-form")
        expect(form).to_be_visible()
        expect(form.get_by_label("Phone call")).to_be_checked()
        form.get_by_label(outcome).check()
        if next_attempt:
            form.get_by_label("Next attempt (optional)").fill(next_attempt)
        with page.expect_response(lambda r: r.url.endswith("/attempts")) as answer:
            form.get_by_role("button", name="Log the attempt").click()
        assert answer.value.status == 201
        assert answer.value.request.headers["if-match"]
        expect(page.get_by_role("status")).to_contain_text(f"Attempt logged: phone call, {outcome.lower()}.")
        if outcome == "No answer":
            expect(page.locator(".status-line")).to_contain_text("Attempting contact")
            expect(page.locator(".summary-list__row").filter(has_text="Next attempt")).to_contain_text("10:00 AM")
            assert_accessible_at_both_sizes(page, "attempt-1")
    expect(page.locator(".status-line")).to_contain_text("Contacted")
    attempts = page.locator("section").filter(has=page.get_by_role("heading", name="Contact attempts"))
    expect(attempts.locator("tbody tr")).to_have_count(3)
    page.set_viewport_size(PHONE)
    assert_accessible(page, "attempt-2-phone")
    page.set_viewport_size(DESKTOP)

    # Others are assigned to me together, then one is marked spam and released.
    page.get_by_role("link", name="Back to the queue").click()
    chosen = ordinary[:2]
    for inquiry in chosen:
        row_of(page, inquiry).get_by_label(f"Select {inquiry.reference}").check()
    bulk = page.get_by_role("region", name="Change the selected inquiries")
    expect(bulk).to_contain_text("2 selected")
    assert_accessible_at_both_sizes(page, "bulk")
    with page.expect_response(lambda r: r.url.endswith("/care/bulk")) as answer:
        bulk.get_by_role("button", name="Assign to me").click()
    assert [r["status"] for r in answer.value.json()["results"]] == [200, 200]
    expect(bulk).to_contain_text("Assign to me: 2 of 2 changed.")

    page.get_by_role("link", name="Mine", exact=True).click()
    expect(page.locator("li.card")).to_have_count(2)
    for inquiry in chosen:
        expect(row_of(page, inquiry)).to_contain_text(f"{me.name} (you)")
    assert_accessible_at_both_sizes(page, "queue-mine")
    spam = chosen[0]
    row_of(page, spam).get_by_label(f"Select {spam.reference}").check()
    page.get_by_role("region", name="Change the selected inquiries").get_by_role("button", name="Mark as spam").click()
    expect(row_of(page, spam)).to_have_count(0)
    page.get_by_role("link", name=re.compile(r"^Held-back submissions")).click()
    row_of(page, spam).get_by_role("link", name=spam.reference).click()
    page.get_by_label("Status").select_option(label="Release: not spam, treat as a new inquiry")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.locator(".status-line")).to_contain_text("New")
    expect(page.locator(".status-line")).to_contain_text(f"{me.name} (you)")

    # A second tab of the same browser opens an inquiry without signing in again.
    other = context.new_page()
    other.goto(f"{local_stack.base_url}/care/#/inquiries/{urgent[0].inquiry_id}")
    expect(other.get_by_role("heading", name=f"Inquiry {urgent[0].reference}")).to_be_visible()
    expect(other.get_by_role("heading", name="Sign in")).to_have_count(0)
    assert other.evaluate("localStorage.length") == 0
    assert "care-console.session" in session_storage(other)
    other.set_viewport_size(PHONE)
    assert_accessible(other, "detail-second-tab-phone")

    # Signing out in one tab signs out the other (the refresh token they share is revoked).
    other.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You signed out in another tab of the console.")).to_be_visible()
    assert session_storage(page) == {}


def test_the_queue_answers_the_keys_and_lists_them(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    # Its own two inquiries: the keys move between cards, so the queue must hold at least two whatever ran
    # before (alone, the module's stack starts empty).
    mine = [submit_inquiry(local_stack), submit_inquiry(local_stack)]
    page = context.new_page()
    open_console(page, local_stack)
    sign_in(page, care_member)
    for inquiry in mine:
        expect(row_of(page, inquiry)).to_be_visible()
    links = page.locator("li.card .card__title a")
    page.keyboard.press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("?")
    keys = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(keys).to_be_visible()
    expect(keys).to_contain_text("Assign the inquiry you are on")
    assert_accessible_at_both_sizes(page, "keys")
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()

    reference = links.nth(0).inner_text()
    page.keyboard.press("a")
    expect(page.locator("#queue-news")).to_contain_text(f"{reference} is assigned to you.")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name=f"Inquiry {reference}")).to_be_visible()
    expect(page.locator(".status-line")).to_contain_text("(you)")
    page.keyboard.press("n")
    expect(page.get_by_label("Add a note")).to_be_focused()
    page.keyboard.type("nj")  # typed into the note: no key moves anything
    expect(page.get_by_label("Add a note")).to_have_value("nj")


def test_the_queue_shows_each_persons_language_and_filters_by_it(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    spanish = submit_inquiry(local_stack, language="es", message="Quisiera información sobre el tratamiento.")
    english = submit_inquiry(local_stack, language="en")
    page = context.new_page()
    open_console(page, local_stack)
    sign_in(page, care_member)
    expect(row_of(page, spanish)).to_contain_text("Spanish (español)")
    expect(row_of(page, english)).to_contain_text("English")
    page.get_by_label("Language the person reads").select_option(label="Spanish (español)")
    expect(row_of(page, english)).to_have_count(0)
    expect(row_of(page, spanish)).to_be_visible()
    assert "language=es" in page.url
    for language in page.locator("li.card .card__fact").filter(has_text="Language").all_inner_texts():
        assert "Spanish" in language
    assert_accessible_at_both_sizes(page, "queue-spanish")


def test_a_desktop_alert_says_how_many_urgent_inquiries_arrived_and_names_no_one(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    context.grant_permissions(["notifications"], origin=local_stack.base_url)
    page = context.new_page()
    # Record alerts instead of showing them, and let the test say when the tab is out of sight.
    page.add_init_script("""
        window.__alerts = [];
        window.Notification = class { constructor(title, options) { window.__alerts.push({ title, ...options }); }
                                      addEventListener() {} close() {}
                                      static get permission() { return "granted"; }
                                      static requestPermission() { return Promise.resolve("granted"); } };
        Object.defineProperty(document, "visibilityState", { get: () => window.__hidden ? "hidden" : "visible" });
    """)
    page.clock.install()
    open_console(page, local_stack)
    sign_in(page, care_member)
    page.get_by_role("button", name="Alert me on this computer when an urgent inquiry arrives").click()
    expect(page.get_by_text("Desktop alerts for urgent inquiries are on")).to_be_visible()
    assert_accessible_at_both_sizes(page, "queue-alerts-on")
    page.evaluate("window.__hidden = true")
    urgent = submit_inquiry(local_stack, message=URGENT_WORDS)
    page.clock.run_for("01:05")
    alerts: list[dict[str, str]] = []
    for _ in range(100):  # the page's policy forbids wait_for_function's eval; ask every 100 ms instead
        alerts = page.evaluate("window.__alerts")
        if alerts:
            break
        page.wait_for_timeout(100)
    assert alerts == [{"title": "Care console", "body": "1 new urgent inquiry in the queue",
                       "tag": "care-queue-urgent"}]
    assert not any(value in json.dumps(alerts) for value in (*urgent.phi, urgent.reference, urgent.inquiry_id))
    expect(page).to_have_title(re.compile(r"^\(1 urgent\) Queue"))


def test_a_note_being_written_survives_an_idle_sign_out_in_this_tabs_memory_only(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    page = context.new_page()
    page.clock.install()
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    note = "Spoke to their sister; call back after 6 pm."
    page.get_by_label("Add a note").fill(note)
    page.clock.run_for("16:00")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("The note you had not saved is kept in this tab")).to_be_visible()
    stored = json.dumps(session_storage(page)) + json.dumps(page.evaluate("({...localStorage})"))
    assert note not in stored and session_storage(page) == {}
    sign_in(page, care_member)
    expect(page.get_by_label("Add a note")).to_have_value(note)


def test_closing_asks_why_reopening_brings_it_back_and_the_same_persons_inquiries_are_linked(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    email = f"same.person.{uuid.uuid4().hex[:8]}@example.com"
    older = submit_inquiry(local_stack, email=email)
    newer = submit_inquiry(local_stack, email=email)
    page = context.new_page()
    open_console(page, local_stack, f"#/inquiries/{newer.inquiry_id}")
    sign_in(page, care_member)
    related = page.locator("section").filter(has=page.get_by_role("heading", name="Other inquiries from this person"))
    expect(related.get_by_role("link", name=older.reference)).to_be_visible()
    expect(related.locator(".related__item")).to_contain_text("New")
    assert_accessible_at_both_sizes(page, "detail-related")

    page.get_by_label("Status").select_option("closed")
    page.get_by_role("button", name="Save changes").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_contain_text("Choose why it is closed.")
    expect(page.get_by_label("Why is it closed?")).to_have_attribute("aria-invalid", "true")
    assert_accessible_at_both_sizes(page, "detail-close-reason-error")
    page.get_by_label("Why is it closed?").select_option(label="Duplicate of another inquiry")
    with page.expect_request(lambda r: r.method == "PATCH") as patch:
        page.get_by_role("button", name="Save changes").click()
    assert patch.value.post_data_json == {"status": "closed", "close_reason": "duplicate"}
    expect(page.locator(".status-line")).to_contain_text("Closed")
    expect(page.locator(".summary-list__row").filter(has_text="Closed because")).to_contain_text("Duplicate")

    page.get_by_label("Status").select_option(label="Reopen: try to reach them again")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.locator(".status-line")).to_contain_text("Attempting contact")
    page.set_viewport_size(PHONE)
    assert_accessible(page, "detail-reopened-phone")


def test_search_finds_by_email_phone_and_name_and_keeps_the_term_out_of_the_address(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    tag = uuid.uuid4().hex[:6]
    inquiry = submit_inquiry(local_stack, name=f"Zoë Quintanilla-{tag}", phone="(415) 555-0199",
                             preferred_contact="phone")
    page = context.new_page()
    seen: list[str] = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    open_console(page, local_stack, "#/search")
    sign_in(page, care_member)
    box = page.get_by_label("Reference, email address, phone number or name")

    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")
    assert_accessible_at_both_sizes(page, "search-blank")

    for term in (inquiry.email.upper(), "+1 415 555 0199", f"zoe QUINTANILLA-{tag}"):
        box.fill(term)
        with page.expect_response(lambda r: "/care/search?" in r.url) as answer:
            page.get_by_role("button", name="Search", exact=True).click()
        assert answer.value.status == 200, term
        results = page.locator(".results")
        expect(results.get_by_role("heading", name=re.compile(r"^1 inquiry found$"))).to_be_visible()
        expect(results.get_by_role("link", name=inquiry.reference)).to_be_visible()
    assert_accessible_at_both_sizes(page, "search-results")
    for url in seen:
        assert "search" not in url or url.endswith("#/search"), url
        assert inquiry.email not in url and "0199" not in url and tag not in url, url
    assert inquiry.email not in page.title()


def test_several_are_closed_at_once_with_a_reason(
        context: BrowserContext, local_stack: LocalStackProcess, care_member: Person) -> None:
    chosen = [submit_inquiry(local_stack), submit_inquiry(local_stack)]
    page = context.new_page()
    open_console(page, local_stack, "#/queue?view=all")
    sign_in(page, care_member)
    for inquiry in chosen:
        row_of(page, inquiry).get_by_label(f"Select {inquiry.reference}").check()
    bulk = page.get_by_role("region", name="Change the selected inquiries")
    bulk.get_by_role("button", name="Close them").click()
    expect(bulk.get_by_role("alert")).to_have_text("Choose why they are closed, then close them.")
    expect(bulk.get_by_label("Close reason")).to_be_focused()
    bulk.get_by_label("Close reason").select_option(label="Duplicate of another inquiry")
    with page.expect_request(lambda r: r.url.endswith("/care/bulk")) as sent:
        bulk.get_by_role("button", name="Close them").click()
    change = sent.value.post_data_json
    assert isinstance(change, dict)
    assert change["change"] == {"status": "closed", "close_reason": "duplicate"}
    assert sorted(i["inquiry_id"] for i in change["items"]) == sorted(i.inquiry_id for i in chosen)
    expect(bulk).to_contain_text("Close them: 2 of 2 changed.")
    for inquiry in chosen:
        expect(row_of(page, inquiry)).to_have_count(0)
