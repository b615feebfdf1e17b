"""Erasure with a second admin's approval (the template's RequireSecondApproval), in Debian's headless Chromium
against a local stack started with LOCAL_REQUIRE_SECOND_APPROVAL=1: one admin asks, the page says it waits;
they cannot approve their own request; a different admin sees it pending (who, why, which references, never
the address) and approves it, or rejects another, which then erases nothing; the audit search by the erased
inquiry's reference then shows the erasure. Finding which inquiries are the person's needs no approval; the
export of their contents (the right of access) waits the same way, and once approved only the admin who asked
opens it."""
# ruff: noqa: F811 (the shared fixtures are imported, then named as parameters)

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.child import LocalStackProcess
from tests.browser.care_support import (  # noqa: F401 (fixtures are used by name)
    ARTIFACTS,
    DESKTOP,
    Person,
    admin,
    assert_accessible,
    cognito,
    console_config,
    context,
    open_console,
    page,
    sign_in,
)
from tests.browser.rights_support import api, person_inquiry, token_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "browser-care-approval-stack.log",
                           extra_env={"LOCAL_REQUIRE_SECOND_APPROVAL": "1"}) as stack:
        yield stack


@pytest.fixture
def second_admin(cognito: object, console_config: dict[str, str]) -> Person:
    from tests.browser.care_support import add_person

    return add_person(cognito, console_config["userPoolId"], "care-team", "care-admin")


@contextmanager
def signed_in_elsewhere(browser: Browser, local_stack: LocalStackProcess, who: Person) -> Iterator[Page]:
    """The People page in a second browser context, signed in as ``who`` (another admin's own session)."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        open_console(page, local_stack, "#/people")
        sign_in(page, who)
        yield page
    finally:
        context.close()


def ask_to_erase(page: Page, email: str, count: int) -> str:
    """On the People page: find the person by email and ask to erase them; the request's id."""
    page.get_by_label("Email address or phone number").fill(email)
    page.get_by_role("button", name="Find their inquiries").click()
    noun = "inquiry" if count == 1 else "inquiries"
    expect(page.get_by_role("heading", name=f"{count} {noun} found")).to_be_visible()
    erasure = page.locator("form.erasure")
    expect(erasure).to_contain_text("A second administrator must approve it")
    erasure.get_by_label("The person asked us to erase their data").check()
    erasure.get_by_label("I have checked that", exact=False).check()
    with page.expect_response(lambda r: r.url.endswith("/care/erasures") and r.request.method == "POST") as posted:
        erasure.get_by_role("button", name=f"Erase {count} {noun}").click()
    assert posted.value.status == 202, posted.value.text()
    request_id: str = posted.value.json()["request_id"]
    expect(page.get_by_role("alert").filter(has_text="Erasure requested")).to_be_visible()
    return request_id


def test_an_erasure_waits_for_a_different_admin_who_approves_or_rejects_it(
        browser: Browser, page: Page, local_stack: LocalStackProcess, admin: Person, second_admin: Person) -> None:
    person, sent = person_inquiry(local_stack)
    other, other_sent = person_inquiry(local_stack)
    admin_token = token_of(local_stack, admin.email, admin.password)

    open_console(page, local_stack, "#/people")
    sign_in(page, admin)
    expect(page.get_by_role("heading", name="People: access and erasure")).to_be_visible()
    request_id = ask_to_erase(page, sent["email"], 1)
    rejected_id = ask_to_erase(page, other_sent["email"], 1)

    # The requester sees both waiting, and is not offered to approve them; nothing is erased yet.
    pending = page.locator("section.pending")
    # Finding which inquiries are the person's needs no second admin: the searches asked for no export.
    expect(pending.get_by_role("row").filter(has_text="Export")).to_have_count(0)
    mine = pending.get_by_role("row").filter(has_text=person.reference).filter(has_text="Erasure")
    expect(mine).to_contain_text("You asked for this one.")
    expect(pending.get_by_role("button", name=f"Approve request {request_id}")).to_have_count(0)
    for value in (*sent.values(), *other_sent.values()):
        expect(pending).not_to_contain_text(value)
    assert_accessible(page, "erasure-pending")
    assert api(local_stack, admin_token, "GET", f"/care/inquiries/{person.inquiry_id}")[0] == 200
    # Nor may they approve it through the API.
    status, _ = api(local_stack, admin_token, "POST", f"/care/erasures/{request_id}/approve", {})
    assert status in (403, 409)

    # A different admin approves one and rejects the other.
    with signed_in_elsewhere(browser, local_stack, second_admin) as other_page:
        row = other_page.locator("section.pending").get_by_role("row").filter(
            has_text=person.reference).filter(has_text="Erasure")
        expect(row).to_contain_text(admin.name)
        expect(row).to_contain_text("The person asked us to erase their data")
        assert_accessible(other_page, "erasure-to-approve")
        row.get_by_role("button", name=f"Approve request {request_id}").click()
        expect(other_page.get_by_role("status").filter(has_text="Approved")).to_be_visible()
        other_page.locator("section.pending").get_by_role(
            "button", name=f"Reject request {rejected_id}").click()
        expect(other_page.get_by_role("status").filter(has_text="Rejected")).to_be_visible()
        expect(other_page.locator("section.pending").get_by_role("row").filter(has_text="Erasure")).to_have_count(0)

    # Approved: the person's inquiry is gone. Rejected: the other is kept.
    assert api(local_stack, admin_token, "GET", f"/care/inquiries/{person.inquiry_id}")[0] == 404
    status, found = api(local_stack, admin_token, "GET", f"/care/people?email={sent['email']}")
    assert status == 202 and found["count"] == 0  # an export waits for approval too; it would find nothing
    assert api(local_stack, admin_token, "GET", f"/care/inquiries/{other.inquiry_id}")[0] == 200
    # The trail: asked by one admin, erased by the other (the approver) under the same request; the rejection.
    status, trail = api(local_stack, admin_token, "GET", "/care/audit?action=erasure")
    assert status == 200
    erased = [e for e in trail["items"] if e.get("request_id") == request_id]
    assert [e["actor"] for e in erased] == [second_admin.name]
    assert erased[0]["reason"] == "person_request" and person.inquiry_id in erased[0]["inquiry_ids"]
    status, trail = api(local_stack, admin_token, "GET", "/care/audit?action=erasure_requested")
    assert [e["actor"] for e in trail["items"] if e.get("request_id") == request_id] == [admin.name]
    status, trail = api(local_stack, admin_token, "GET", "/care/audit?action=erasure_rejected")
    assert [e["actor"] for e in trail["items"] if e.get("request_id") == rejected_id] == [second_admin.name]
    # The console's audit search by the erased inquiry's reference shows that it was erased, by whom and why.
    page.evaluate(f"location.hash = '#/audit?reference={person.reference}'")
    erased_row = page.get_by_role("row").filter(has_text="Erased a person's data")
    expect(erased_row).to_have_count(1)
    expect(erased_row).to_contain_text(second_admin.name)
    expect(erased_row).to_contain_text(person.reference)
    for value in sent.values():
        expect(page.locator("main")).not_to_contain_text(value)
    assert_accessible(page, "audit-erased-inquiry")


def test_an_export_waits_for_a_different_admin_then_the_admin_who_asked_opens_it(
        browser: Browser, page: Page, local_stack: LocalStackProcess, admin: Person, second_admin: Person) -> None:
    person, sent = person_inquiry(local_stack)
    admin_token = token_of(local_stack, admin.email, admin.password)

    open_console(page, local_stack, "#/people")
    sign_in(page, admin)
    page.get_by_label("Email address or phone number").fill(sent["email"])
    # The search shows which inquiries (no second admin needed, no request made); the export is asked apart.
    with page.expect_response(lambda r: "/care/people" in r.url and r.request.method == "GET") as found:
        page.get_by_role("button", name="Find their inquiries").click()
    assert found.value.status == 200 and found.value.json()["references"] == [person.reference], found.value.text()
    expect(page.get_by_role("heading", name="1 inquiry found")).to_be_visible()
    expect(page.locator("section.pending").get_by_role("row").filter(has_text=person.reference)).to_have_count(0)
    with page.expect_response(lambda r: "/care/people" in r.url and r.request.method == "GET") as asked:
        page.get_by_role("button", name="Ask for the export").click()
    assert asked.value.status == 202, asked.value.text()
    request_id: str = asked.value.json()["request_id"]
    expect(page.get_by_role("alert").filter(has_text="Export requested")).to_be_visible()
    expect(page.locator(".person")).to_contain_text(person.reference)
    expect(page.get_by_text(sent["message"])).to_have_count(0)
    row = page.locator("section.pending").get_by_role("row").filter(has_text=person.reference)
    expect(row).to_contain_text("Export")
    expect(row).to_contain_text("You asked for this one.")
    expect(page.get_by_role("button", name=f"Approve request {request_id}")).to_have_count(0)
    assert_accessible(page, "export-pending")
    status, _ = api(local_stack, admin_token, "POST", f"/care/erasures/{request_id}/approve", {})
    assert status == 403

    with signed_in_elsewhere(browser, local_stack, second_admin) as other_page:
        other_row = other_page.locator("section.pending").get_by_role("row").filter(has_text=person.reference)
        expect(other_row).to_contain_text("Export")
        expect(other_row).to_contain_text(admin.name)
        for value in sent.values():
            expect(other_page.locator("section.pending")).not_to_contain_text(value)
        other_row.get_by_role("button", name=f"Approve request {request_id}").click()
        expect(other_page.get_by_role("status").filter(has_text="Approved")).to_be_visible()
        # The approver may not open it.
        expect(other_page.get_by_role("button", name=f"Open the export of request {request_id}")).to_have_count(0)

    # The admin who asked opens it (once): the person's data, as after a search without approval.
    page.reload()
    open_button = page.get_by_role("button", name=f"Open the export of request {request_id}")
    open_button.click()
    expect(page.get_by_role("heading", name="1 inquiry found")).to_be_visible()
    expect(page.get_by_text(sent["message"])).to_be_visible()
    expect(page.get_by_role("button", name="Download as JSON")).to_be_visible()
    assert_accessible(page, "export-opened")
    status, trail = api(local_stack, admin_token, "GET", "/care/audit?action=person_export")
    assert status == 200
    assert [e["actor"] for e in trail["items"] if e.get("inquiry_id") == person.inquiry_id] == [admin.name]
    assert api(local_stack, admin_token, "GET", f"/care/exports/{request_id}")[0] == 404
