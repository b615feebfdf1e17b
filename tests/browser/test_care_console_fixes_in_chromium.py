"""The console's bugs from issue 19's walkthrough, each pinned in Chromium against the local stack.

Each test failed on the console as it was before the fix (see docs/care-console.md, "Tests").
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from infra.local.child import LocalStackProcess
from tests.browser.care_support import (
    DESKTOP,
    Person,
    assert_accessible,
    open_console,
    read_inquiry,
    sign_in,
    submit_inquiry,
)

pytestmark = pytest.mark.browser

# Holds the console's PATCH answers back until the test lets them through (a save that takes a while).
GATE_PATCHES = """() => {
    const send = window.fetch;
    window.__opened = new Promise((open) => { window.__open = open; });
    window.fetch = async (url, init = {}) => {
        const answer = await send(url, init);
        if ((init.method || "GET") === "PATCH") await window.__opened;
        return answer;
    };
}"""


def test_a_second_save_does_not_leave_the_first_saves_success_above_the_error(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    page.get_by_label("Add a note").fill("Emailed them a first reply.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Inquiry updated.")).to_be_visible()

    page.get_by_role("button", name="Save changes").click()  # nothing changed this time
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Inquiry updated.")).to_have_count(0)


def test_a_status_chosen_while_a_save_is_running_is_kept(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()
    page.evaluate(GATE_PATCHES)
    page.get_by_label("Add a note").fill("Left a message with reception.")
    with page.expect_response(lambda r: r.request.method == "PATCH"):
        page.get_by_role("button", name="Save changes").click()
    page.get_by_label("Status").select_option("contacted")  # while the save is still running
    page.evaluate("window.__open()")

    expect(page.get_by_role("status").filter(has_text="Inquiry updated.")).to_be_visible()
    expect(page.get_by_text("Left a message with reception.")).to_be_visible()
    expect(page.get_by_label("Status")).to_have_value("contacted")


def test_the_note_box_counts_the_characters_left(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    note = page.get_by_label("Add a note")
    count = page.locator("#note-count")
    expect(count).to_have_text("You have 2,000 characters remaining")
    note.fill("Hello")
    expect(count).to_have_text("You have 1,995 characters remaining")
    note.fill("x" * 2003)
    expect(count).to_have_text("You have 3 characters too many")


def clinic_time(instant: datetime, zone: str) -> str:
    """How Intl (en-US) writes an instant in the clinic's zone: 'Mon, Dec 7, 2026, 5:00 PM PST'."""
    local = instant.astimezone(ZoneInfo(zone))
    hour = local.hour % 12 or 12
    return (f"{local.strftime('%a, %b')} {local.day}, {local.year}, {hour}:{local.minute:02d} "
            f"{'AM' if local.hour < 12 else 'PM'} {local.tzname()}")


def test_times_are_shown_in_the_clinics_time_zone_with_the_zone_named_whatever_the_browsers_zone(
        browser: Browser, local_stack: LocalStackProcess, care_member: Person,
        console_config: dict[str, str]) -> None:
    assert console_config["timeZone"] == "America/Los_Angeles"
    context = browser.new_context(viewport=DESKTOP, timezone_id="UTC")
    try:
        page = context.new_page()
        inquiry = submit_inquiry(local_stack)
        open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
        sign_in(page, care_member)
        due = datetime.fromisoformat(read_inquiry(local_stack, page, inquiry)["due_at"])
        respond_by = page.locator(".summary-list__row").filter(has_text="Respond by").locator("time")
        expect(respond_by).to_have_attribute("datetime", re.compile(r"Z$"))
        shown = (respond_by.text_content() or "").replace("\u202f", " ")
        assert shown == clinic_time(due, "America/Los_Angeles")
        assert re.search(r" P[SD]T$", shown)
    finally:
        context.close()


def test_a_failure_on_our_side_can_be_tried_again_in_place(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    failures = [1]

    def fail_once(route: Route) -> None:
        if failures:
            failures.pop()
            route.fulfill(status=500, content_type="application/json", body='{"errors": []}')
        else:
            route.continue_()

    page.route(f"**/care/inquiries/{inquiry.inquiry_id}", fail_once)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()


def test_phone_numbers_are_written_to_be_read_and_each_is_a_link(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack, phone="+14155550134", preferred_contact="sms", sms_consent=True)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    call = page.get_by_role("link", name="Call +1 (415) 555-0134")
    expect(call).to_have_attribute("href", "tel:+14155550134")
    expect(page.get_by_role("link", name="Text +1 (415) 555-0134")).to_have_attribute("href", "sms:+14155550134")
    expect(page.get_by_role("link", name=f"Email {inquiry.email}")).to_have_attribute("href", f"mailto:{inquiry.email}")
    expect(page.get_by_text("+14155550134", exact=True)).to_have_count(0)


def test_the_audit_filter_takes_the_reference_people_quote(
        page: Page, local_stack: LocalStackProcess, admin: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, admin)
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()
    page.get_by_role("link", name="Audit trail", exact=True).click()
    page.get_by_label("Inquiry id").fill(inquiry.reference)
    page.get_by_role("button", name="Show", exact=True).click()

    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.get_by_role("heading", name="Something went wrong")).to_have_count(0)
    expect(page.get_by_label("Inquiry id")).to_have_value(inquiry.reference)
    expect(page.get_by_role("row").filter(has_text="Opened an inquiry")).to_have_count(1)
    assert_accessible(page, "fix-audit-by-reference")
