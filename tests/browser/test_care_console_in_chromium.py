"""The care console in Debian's headless Chromium, against the local stack (real handlers, moto's Cognito).

The working day uses the care-team member and the admin that ``make run`` creates; the other tests
each sign in as someone added for them to the local pool, the way an administrator adds people.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from infra.local.child import LocalStackProcess
from tests.browser.care_support import (
    Person,
    add_person,
    assert_accessible,
    http,
    id_token,
    open_console,
    read_inquiry,
    refresh_token,
    renews,
    row_of,
    session_storage,
    sign_in,
    submit_inquiry,
    team_member,
    wait_for_notification,
)

pytestmark = pytest.mark.browser


# ---- the working day -----------------------------------------------------------------------------------

def test_a_care_team_member_finds_the_new_inquiry_opens_it_and_marks_it_contacted(
        page: Page, local_stack: LocalStackProcess, local_users: dict[str, Person],
        console_config: dict[str, str]) -> None:
    care_member, admin = local_users["care"], local_users["admin"]
    inquiry = submit_inquiry(local_stack)
    seen_urls: list[str] = []
    console_lines: list[str] = []
    page.on("request", lambda request: seen_urls.append(request.url))
    page.on("framenavigated", lambda frame: seen_urls.append(frame.url))
    page.on("console", lambda message: console_lines.append(message.text))
    titles: list[str] = []

    open_console(page, local_stack)
    assert_accessible(page, "1-sign-in")
    sign_in(page, care_member)

    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    row = row_of(page, inquiry)
    expect(row).to_contain_text(inquiry.name)
    titles.append(page.title())
    assert_accessible(page, "2-queue")
    page.get_by_role("link", name=re.compile(r"^New inquiries")).click()
    expect(page.get_by_role("columnheader", name="Reference")).to_have_attribute("scope", "col")
    row = row_of(page, inquiry)
    expect(row).to_contain_text(inquiry.name)
    titles.append(page.title())
    assert_accessible(page, "2-list")

    row.get_by_role("link", name=inquiry.reference).click()
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()
    expect(page.get_by_text(inquiry.email)).to_be_visible()
    expect(page.get_by_text(inquiry.message)).to_be_visible()
    assert page.url.endswith(f"/care/#/inquiries/{inquiry.inquiry_id}")
    titles.append(page.title())
    assert_accessible(page, "3-detail")

    page.get_by_label("Status").select_option("contacted")
    page.get_by_label("Add a note").fill("Called and left a voicemail.")
    with page.expect_request(lambda r: r.method == "PATCH") as patch:
        page.get_by_role("button", name="Save changes").click()
    assert re.fullmatch(r"\d+", patch.value.headers["if-match"])
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.locator(".status-line")).to_contain_text("Contacted")
    expect(page.get_by_text("Called and left a voicemail.")).to_be_visible()
    titles.append(page.title())
    assert_accessible(page, "4-updated")

    # The person's details were on screen, and nowhere else: not in a URL, a title or the console.
    for value in inquiry.phi:
        assert not any(value in url or value.replace(" ", "%20") in url for url in seen_urls), value
        assert not any(value in title for title in titles), value
        assert not any(value in line for line in console_lines), value
    stored = json.dumps(session_storage(page))
    assert not any(value in stored for value in inquiry.phi)
    assert page.evaluate("localStorage.length") == 0

    # An admin then sees both acts in the audit trail: the read and the update. Signing out revokes the
    # refresh token: it renews nothing afterwards.
    refresh = refresh_token(page)
    assert renews(local_stack, console_config["clientId"], refresh)
    with page.expect_response(lambda r: r.url.endswith("/_local/cognito")
                              and r.request.headers.get("x-amz-target", "").endswith(".RevokeToken")) as revoked:
        page.get_by_role("button", name="Sign out").click()
    assert revoked.value.status == 200
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text(inquiry.name)).to_have_count(0)
    assert session_storage(page) == {}
    assert not renews(local_stack, console_config["clientId"], refresh)
    sign_in(page, admin)
    page.get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    page.get_by_label("Inquiry id").fill(inquiry.inquiry_id)
    page.get_by_role("button", name="Show", exact=True).click()
    rows = page.get_by_role("row").filter(has_text=care_member.name)  # the pool's name, never a claim
    expect(rows.filter(has_text="Opened an inquiry")).to_have_count(1)
    expect(rows.filter(has_text="Updated an inquiry")).to_have_count(1)
    assert "#/audit?inquiry_id=" in page.url
    assert_accessible(page, "5-audit")


def test_only_admins_are_offered_the_audit_trail(page: Page, local_stack: LocalStackProcess,
                                                 care_member: Person) -> None:
    open_console(page, local_stack, "#/audit")
    sign_in(page, care_member)
    expect(page.get_by_role("link", name="Audit trail", exact=True)).to_be_hidden()
    expect(page.get_by_text("Only care-team administrators can see the audit trail.")).to_be_visible()
    # The API says the same to a token outside care-admin.
    status, _ = http(local_stack, "GET", "/care/audit", headers={"Authorization": f"Bearer {id_token(page)}"})
    assert status == 403


def test_urgent_and_overdue_inquiries_are_marked_in_words(page: Page, local_stack: LocalStackProcess,
                                                          care_member: Person) -> None:
    urgent = submit_inquiry(local_stack, message="Some days I want to end my life.")
    open_console(page, local_stack)
    sign_in(page, care_member)
    row = row_of(page, urgent)
    expect(row.locator(".tag--urgent")).to_have_text("Urgent")
    expect(row.locator(".tag--overdue")).to_have_count(0)

    # A minute past its response-time target, the same row says it is overdue.
    due_at = datetime.fromisoformat(read_inquiry(local_stack, page, urgent)["due_at"])
    page.clock.install(time=due_at + timedelta(minutes=1))
    page.reload()
    row = row_of(page, urgent)
    expect(row.locator(".tag--overdue")).to_have_text("Overdue")


def test_the_link_in_a_care_team_notification_opens_that_inquiry(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    notification = wait_for_notification(local_stack, inquiry)
    link = re.search(r"http://\S+", notification)
    assert link is not None, "the notification carries the inquiry's console link"
    page.goto(link.group(0))
    sign_in(page, care_member)
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()
    expect(page.get_by_text(inquiry.email)).to_be_visible()


def test_a_held_back_submission_is_reviewed_and_released(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    held = submit_inquiry(local_stack, website="http://offers.example")
    open_console(page, local_stack, "#/inquiries?status=spam")
    sign_in(page, care_member)
    expect(page.get_by_role("heading", name="Held-back submissions")).to_be_visible()
    row_of(page, held).get_by_role("link", name=held.reference).click()
    expect(page.get_by_text("Releasing a held-back submission sends the person's confirmation email")).to_be_visible()
    page.get_by_label("Status").select_option(label="Release: not spam, treat as a new inquiry")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.locator(".status-line")).to_contain_text("New")
    page.get_by_role("link", name="Back to the queue").click()
    expect(row_of(page, held)).to_be_visible()


def test_a_new_inquiry_is_marked_spam_from_the_console(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack)
    sign_in(page, care_member)
    row_of(page, inquiry).get_by_role("link", name=inquiry.reference).click()
    page.get_by_label("Status").select_option(label="Mark as spam: hold back, no reminders (it can be released)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.locator(".status-line")).to_contain_text("Held back")
    expect(page.get_by_label("Status").locator("option")).to_contain_text(
        ["Keep as “Held back”", "Release: not spam, treat as a new inquiry"])


def test_a_care_team_member_corrects_the_triage_level_with_a_reason(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, "#/inquiries?status=new")
    sign_in(page, care_member)
    expect(page.get_by_role("columnheader", name="Triage level")).to_be_visible()
    expect(row_of(page, inquiry).locator("td.level")).to_have_text("None")

    row_of(page, inquiry).get_by_role("link", name=inquiry.reference).click()
    details = page.locator(".summary-list__row")
    expect(details.filter(has_text="Triage level")).to_contain_text("None")
    expect(details.filter(has_text="Triage categories")).to_contain_text("Nothing flagged")
    expect(details.filter(has_text="Language")).to_contain_text("English")
    correction = page.locator("section").filter(has=page.get_by_role("heading", name="Correct the triage level"))
    assert_accessible(page, "13-level-form")

    # A level without a reason is refused on the page, and the summary leads to the reasons.
    page.get_by_label("New level").select_option(label="Urgent")
    correction.get_by_role("button", name="Correct the level").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_contain_text("Choose the reason: a missed danger or a false alarm.")
    expect(summary).to_be_focused()
    expect(page.locator("#level-reason")).to_have_attribute("aria-describedby", re.compile(r"level-reason-error"))
    assert_accessible(page, "14-level-error")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Missed danger")).to_be_focused()

    page.get_by_label("Missed danger").check()
    with page.expect_request(lambda r: r.method == "PATCH") as patch:
        correction.get_by_role("button", name="Correct the level").click()
    assert re.fullmatch(r"\d+", patch.value.headers["if-match"])
    assert patch.value.post_data_json == {"level": "urgent", "level_reason": "missed"}
    outcome = page.get_by_role("status")
    expect(outcome).to_contain_text("Triage level corrected: None → Urgent (missed danger).")
    expect(outcome).to_be_focused()
    expect(page.locator(".status-line .tag--urgent")).to_have_text("Urgent")
    expect(details.filter(has_text="Triage level")).to_contain_text("Urgent")
    expect(page.get_by_role("row").filter(has_text="Triage level: None → Urgent (missed danger)")).to_have_count(1)
    assert_accessible(page, "15-level-corrected")

    # The response target is now the urgent one: an hour after it arrived.
    stored = read_inquiry(local_stack, page, inquiry)
    assert (stored["level"], stored["urgent"]) == ("urgent", True)
    received = datetime.fromisoformat(stored["created_at"])
    assert datetime.fromisoformat(stored["due_at"]) == received + timedelta(minutes=60)
    expect(details.filter(has_text="Respond by").locator("time")).to_have_attribute(
        "datetime", (received + timedelta(minutes=60)).isoformat(timespec="milliseconds").replace("+00:00", "Z"))

    page.get_by_role("link", name="Back to the queue").click()
    expect(row_of(page, inquiry).locator(".card__attention .tag--urgent")).to_have_text("Urgent")


def tab_until(page: Page, wanted: str, presses: int = 60) -> list[str]:
    """Press Tab until the focused element's id (or else its text) is `wanted`; what was passed on the way."""
    passed: list[str] = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        passed.append(page.evaluate("(e => e ? e.id || e.innerText : '')(document.activeElement)"))
        if passed[-1] == wanted:
            return passed
    raise AssertionError(f"Tab never reached {wanted!r}; the last stops were {[p[:40] for p in passed[-12:]]}")


def test_the_console_works_from_the_keyboard(page: Page, local_stack: LocalStackProcess,
                                             care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, "#/inquiries?status=new")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert tab_until(page, "Skip to main content") == ["Skip to main content"]
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    tab_until(page, "username")
    page.keyboard.type(care_member.email)
    page.keyboard.press("Tab")
    page.keyboard.type(care_member.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="New inquiries")).to_be_focused()

    tab_until(page, inquiry.reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_focused()
    tab_until(page, "status")
    page.keyboard.press("ArrowDown")  # the first move offered: Contacted
    expect(page.get_by_label("Status")).to_have_value("contacted")
    tab_until(page, "Save changes")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.get_by_role("status")).to_be_focused()


# ---- the awkward moments ------------------------------------------------------------------------------

def test_a_change_made_meanwhile_is_explained_and_the_inquiry_reloaded(
        page: Page, local_stack: LocalStackProcess, care_member: Person, local_users: dict[str, Person]) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()

    # A colleague assigns it to themselves while this page still shows the version it loaded.
    shown = read_inquiry(local_stack, page, inquiry)["version"]
    colleague = team_member(local_stack, page, local_users["admin"])
    status, _ = http(local_stack, "PATCH", f"/care/inquiries/{inquiry.inquiry_id}",
                     {"assignee": colleague["id"], "note": "I'll take this one."},
                     {"Authorization": f"Bearer {id_token(page)}", "If-Match": str(shown)})
    assert status == 200

    page.get_by_label("Status").select_option("contacted")
    page.get_by_label("Add a note").fill("Emailed them back.")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="Save changes").click()
    assert answer.value.status == 412
    warning = page.get_by_role("alert").filter(has_text="Someone else changed this inquiry")
    expect(warning).to_contain_text("we've reloaded it")
    expect(warning).to_be_focused()
    expect(page.get_by_text("I'll take this one.")).to_be_visible()
    expect(page.get_by_label("Assigned to")).to_have_value(colleague["id"])
    expect(page.get_by_label("Add a note")).to_have_value("Emailed them back.")
    expect(page.locator(".status-line")).to_contain_text("New")
    assert_accessible(page, "6-conflict")

    # Saving again, now on the current version, works.
    page.get_by_label("Status").select_option("contacted")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Inquiry updated.")
    expect(page.locator(".status-line")).to_contain_text("Contacted")


def test_saving_nothing_is_an_error_summary_that_links_to_the_field(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    inquiry = submit_inquiry(local_stack)
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    page.get_by_role("button", name="Save changes").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    expect(page.get_by_label("Status")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Status")).to_be_focused()
    assert page.url.endswith(f"#/inquiries/{inquiry.inquiry_id}"), "the link moves focus, not the route"
    assert_accessible(page, "7-error-summary")


def test_a_token_the_api_refuses_asks_the_person_to_sign_in_again(
        page: Page, local_stack: LocalStackProcess, care_member: Person, console_config: dict[str, str]) -> None:
    open_console(page, local_stack)
    sign_in(page, care_member)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    refresh = refresh_token(page)
    # The token is revoked or tampered with behind the page's back.
    page.evaluate("""() => {
        const session = JSON.parse(sessionStorage.getItem("care-console.session"));
        const [head, body] = session.idToken.split(".");
        session.idToken = [head, body, "bm90LWEtc2lnbmF0dXJl"].join(".");
        sessionStorage.setItem("care-console.session", JSON.stringify(session));
    }""")
    with page.expect_response(lambda r: "/care/inquiries?status=contacted" in r.url) as answer:
        page.get_by_role("link", name=re.compile(r"^Contacted")).click()
    assert answer.value.status == 401
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Your session has ended. Sign in again to carry on.")).to_be_visible()
    assert session_storage(page) == {}
    assert not renews(local_stack, console_config["clientId"], refresh), "a 401 ends the session at Cognito too"

    sign_in(page, care_member)
    expect(page.get_by_role("heading", name="Contacted")).to_be_visible()  # back where they were


def test_fifteen_idle_minutes_sign_out_and_clear_the_page(
        page: Page, local_stack: LocalStackProcess, care_member: Person, console_config: dict[str, str]) -> None:
    inquiry = submit_inquiry(local_stack)
    page.clock.install()
    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, care_member)
    expect(page.get_by_text(inquiry.email)).to_be_visible()

    # Activity keeps the session: ten minutes, a key press, ten more minutes.
    page.clock.run_for("10:00")
    page.get_by_label("Add a note").press("a")
    page.clock.run_for("10:00")
    expect(page.get_by_text(inquiry.email)).to_be_visible()

    # Two minutes before the end a warning says so; staying signed in is one button away.
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    expect(warning).to_have_count(0)
    page.clock.run_for("03:30")
    expect(warning).to_be_visible()
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_have_count(0)
    page.clock.run_for("13:30")
    expect(page.get_by_text(inquiry.email)).to_be_visible()

    # Fifteen minutes without activity sign out, and the person's details leave the screen.
    refresh = refresh_token(page)
    page.clock.run_for("02:00")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("not used for 15 minutes")).to_be_visible()
    expect(page.get_by_text(inquiry.email)).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    assert session_storage(page) == {}
    assert not renews(local_stack, console_config["clientId"], refresh), "idle sign-out revokes the session"
    assert_accessible(page, "8-signed-out")


def test_a_wrong_password_is_explained_without_saying_which_part_was_wrong(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    open_console(page, local_stack)
    page.get_by_label("Email address").fill(care_member.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_contain_text("The email address or password is not right.")
    expect(summary).to_be_focused()
    assert session_storage(page) == {}
    assert_accessible(page, "9-sign-in-error")


def test_first_sign_in_sets_a_password_then_an_authenticator_code_is_asked_for(
        page: Page, local_stack: LocalStackProcess, cognito: Any, console_config: dict[str, str]) -> None:
    pool_id = console_config["userPoolId"]
    newcomer = add_person(cognito, pool_id, "care-team", temporary=True)
    open_console(page, local_stack)
    page.get_by_label("Email address").fill(newcomer.email)
    page.get_by_label("Password", exact=True).fill(newcomer.password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert_accessible(page, "10-new-password")
    page.get_by_label("New password", exact=True).fill("Calm-Waters-2026!")
    page.get_by_label("Type the new password again").fill("Calm-Waters-2027!")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.locator("#confirm-password-error")).to_contain_text("not the same")
    page.get_by_label("Type the new password again").fill("Calm-Waters-2026!")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()

    # The newcomer registers an authenticator app; from now on sign-in asks for its code.
    access_token = json.loads(session_storage(page)["care-console.session"])["accessToken"]
    cognito.associate_software_token(AccessToken=access_token)
    cognito.verify_software_token(AccessToken=access_token, UserCode="123456")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=newcomer.email,
                                          SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email address").fill(newcomer.email)
    page.get_by_label("Password", exact=True).fill("Calm-Waters-2026!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    assert_accessible(page, "11-authenticator-code")
    page.get_by_label("Code").fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#code-error")).to_contain_text("6-digit code")
    page.get_by_label("Code").fill("654321")
    with page.expect_request(lambda r: "RespondToAuthChallenge" in (r.headers.get("x-amz-target") or "")) as sent:
        page.get_by_role("button", name="Continue").click()
    assert json.loads(sent.value.post_data or "{}")["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"] == "654321"
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    assert re.fullmatch(r"[^.]+\.[^.]+\.[^.]+", id_token(page))


def test_where_mfa_is_required_the_first_sign_in_sets_up_an_authenticator_app(
        page: Page, local_stack: LocalStackProcess, cognito: Any, console_config: dict[str, str]) -> None:
    pool_id = console_config["userPoolId"]
    before = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})  # as in prod
    try:
        newcomer = add_person(cognito, pool_id, "care-team", temporary=True)
        open_console(page, local_stack)
        page.get_by_label("Email address").fill(newcomer.email)
        page.get_by_label("Password", exact=True).fill(newcomer.password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("New password", exact=True).fill("Quiet-Harbour-2026!")
        page.get_by_label("Type the new password again").fill("Quiet-Harbour-2026!")
        page.get_by_role("button", name="Save password and sign in").click()

        expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
        expect(page.locator("#authenticator-key")).not_to_be_empty()
        assert_accessible(page, "12-authenticator-setup")
        page.get_by_label("Code").fill("246810")
        with page.expect_request(lambda r: "VerifySoftwareToken" in (r.headers.get("x-amz-target") or "")) as sent:
            page.get_by_role("button", name="Verify and sign in").click()
        assert json.loads(sent.value.post_data or "{}")["UserCode"] == "246810"
        expect(page.get_by_role("heading", name="Queue")).to_be_visible()
        expect(page.get_by_text(f"Signed in as {newcomer.email}")).to_be_visible()
    finally:
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id, MfaConfiguration=before["MfaConfiguration"],
            SoftwareTokenMfaConfiguration=before.get("SoftwareTokenMfaConfiguration", {"Enabled": True}))


@pytest.mark.parametrize("changed", [{"apiBase": "https://attacker.execute-api.us-east-1.amazonaws.com/prod"},
                                     {"cognitoEndpoint": "https://sign-in.example.net/"}])
def test_a_config_naming_a_host_the_pages_policy_does_not_is_refused(
        page: Page, local_stack: LocalStackProcess, console_config: dict[str, str], changed: dict[str, str]) -> None:
    served = json.dumps({**console_config, **changed})
    page.route("**/care/config.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=served, headers={"Cache-Control": "no-store"}))

    open_console(page, local_stack)

    expect(page.get_by_role("heading", name="The console is unavailable")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
