"""The clinic's view in Debian's headless Chromium, against the local stack: the clinic manager's reports,
the compliance officer's audit search, and a person's rights (export, erasure) from the console.

Each test signs in as someone added for it to the local pool, the way an administrator adds people, and
submits its own inquiries through the public form's API, so what it asserts about PHI is asserted against
values it sent itself.
"""
# ruff: noqa: F811 (the shared fixtures are imported, then named as parameters)

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import Page, Response, expect

from infra.local.child import LocalStackProcess
from tests.browser.care_support import (  # noqa: F401 (fixtures are used by name)
    ARTIFACTS,
    DESKTOP,
    Inquiry,
    Person,
    add_person,
    admin,
    assert_accessible,
    care_member,
    cognito,
    console_config,
    context,
    http,
    local_stack,
    open_console,
    page,
    sign_in,
    submit_inquiry,
)
from tests.browser.rights_support import api, manager, person_inquiry, reach, token_of  # noqa: F401 (manager: a fixture)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.browser

# What the console's API answers carry; the console's own static files are served under /care/ too.
API_PATHS = re.compile(r"/care/(queue|inquiries|search|team|audit|reports|people|erasures)(?![\w.])")


# ---- the clinic manager: the reports, and nothing else ---------------------------------------------------

def test_a_clinic_manager_sees_the_reports_and_no_persons_details_anywhere(
        page: Page, local_stack: LocalStackProcess, manager: Person, admin: Person) -> None:
    people = [person_inquiry(local_stack) for _ in range(3)]
    admin_token = token_of(local_stack, admin.email, admin.password)
    reach(local_stack, admin_token, people[0][0], note=f"Spoke with {people[0][1]['name']} about dates.")
    phi = [value for _inquiry, sent in people for value in sent.values()]
    phi += [f"Spoke with {people[0][1]['name']}"]
    answers: list[Response] = []
    page.on("response", lambda response: answers.append(response)
            if API_PATHS.search(response.url) and response.request.resource_type in ("fetch", "xhr") else None)
    seen_pages: list[str] = []

    open_console(page, local_stack)
    sign_in(page, manager)
    # The manager lands on the reports: no queue, no search, no audit trail, no people are offered.
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert page.url.endswith("#/reports")
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Reports")).to_be_visible()
    for hidden in ("Queue", "Search", "Audit trail", "People"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_be_hidden()
    # Every figure: a chart with a text alternative, its numbers in a table, its definition.
    volume = page.locator("section.figure").filter(
        has=page.get_by_role("heading", name="Inquiries received", exact=True))
    expect(volume.get_by_role("img")).to_have_accessible_name(re.compile(r"^Inquiries received"))
    expect(volume.get_by_text("Definition:")).to_be_visible()
    expect(volume.get_by_role("table").get_by_role("columnheader", name="Inquiries")).to_be_visible()
    # This week's row counts at least the three inquiries this test sent (other tests send more).
    this_week = volume.get_by_role("row").last
    assert int(this_week.get_by_role("cell").last.inner_text().replace(",", "")) >= 3
    ttfc = page.get_by_role("heading", name="Time to first contact by triage level", exact=True)
    expect(ttfc).to_be_visible()
    expect(page.get_by_role("heading", name="Triage corrections", exact=True)).to_be_visible()
    seen_pages.append(page.content())
    assert_accessible(page, "reports-page")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reports-page.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: the charts and tables still fit and read
    assert_accessible(page, "reports-phone")
    page.set_viewport_size(DESKTOP)

    # The aggregates as CSV: a download, the same figures, no person in it.
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download as CSV").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["week", "figure"]
    assert {"time_to_first_contact", "volume"} <= {row[1] for row in rows[1:]}
    assert not [value for value in phi if value.casefold() in text.casefold()]

    # A range the API refuses is said beside the fields; the page stays.
    page.get_by_label("From the week of").fill("2026-W49")
    page.get_by_label("To the week of").fill("2025-W01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    expect(page.locator(".field--error")).to_have_count(1)
    seen_pages.append(page.content())
    assert_accessible(page, "reports-range-refused")

    # Whatever address the manager opens, the console shows the reports and reads no inquiry.
    inquiry = people[0][0]
    for route in ("#/queue", "#/search", f"#/inquiries/{inquiry.inquiry_id}", "#/inquiries?status=new",
                  f"#/audit?reference={inquiry.reference}", "#/people"):
        open_console(page, local_stack, route)
        expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="Inquiries received", exact=True)).to_be_visible()
        assert page.url.endswith("#/reports"), route
        seen_pages.append(page.content())

    # And the API itself answers the manager's token with 403 on every other route, with no inquiry data.
    token = token_of(local_stack, manager.email, manager.password)
    sent = people[1][1]
    refused = [("GET", "/care/queue"), ("GET", "/care/inquiries?status=new"),
               ("GET", f"/care/inquiries/{inquiry.inquiry_id}"), ("GET", f"/care/inquiries/{inquiry.reference}"),
               ("GET", f"/care/search?q={sent['email']}"), ("GET", "/care/team"), ("GET", "/care/audit"),
               ("GET", f"/care/people?email={sent['email']}"), ("GET", "/care/erasures")]
    for method, path in refused:
        status, body = api(local_stack, token, method, path)
        assert status == 403, (path, status)
        assert not [value for value in phi if value.casefold() in json.dumps(body).casefold()], path
    for method, path, body in [
            ("PATCH", f"/care/inquiries/{inquiry.inquiry_id}", {"note": "x"}),
            ("POST", f"/care/inquiries/{inquiry.inquiry_id}/attempts", {"channel": "phone", "outcome": "reached"}),
            ("POST", "/care/bulk", {"items": [], "change": {"status": "closed"}}),
            ("POST", "/care/erasures", {"email": sent["email"], "reason": "person_request"})]:
        status, answer = api(local_stack, token, method, path, body, {"If-Match": "1"})
        assert status == 403, (path, status)
        assert not [value for value in phi if value.casefold() in json.dumps(answer).casefold()], path
    status, report = api(local_stack, token, "GET", "/care/reports")
    assert status == 200

    # Nothing of any person was on any page the manager saw, nor in any answer the console received.
    assert answers, "the console asked the API for nothing"
    bodies = [response.text() for response in answers]
    assert all("/care/reports" in response.url for response in answers), [r.url for r in answers]
    everything = "\n".join([*seen_pages, *bodies, json.dumps(report)]).casefold()
    assert not [value for value in phi if value.casefold() in everything]
    # Nor the inquiry's id or reference (they lead to a person's record).
    assert inquiry.inquiry_id.casefold() not in everything
    assert inquiry.reference.casefold() not in "\n".join(bodies).casefold()


# ---- the compliance officer: every read of one inquiry, by its reference ----------------------------------

READS_BY_MEMBER = 56  # more than one page of the console's audit view (50 entries)


def test_an_admin_finds_every_read_of_one_inquiry_by_its_reference_across_pages(
        page: Page, local_stack: LocalStackProcess, care_member: Person, admin: Person) -> None:
    inquiry, _sent = person_inquiry(local_stack)
    other, _ = person_inquiry(local_stack)
    member_token = token_of(local_stack, care_member.email, care_member.password)
    for _ in range(READS_BY_MEMBER):
        assert api(local_stack, member_token, "GET", f"/care/inquiries/{inquiry.reference}")[0] == 200
    assert api(local_stack, member_token, "GET", f"/care/inquiries/{other.inquiry_id}")[0] == 200
    for _ in range(3):  # list views: folded into one row in the trail
        assert api(local_stack, member_token, "GET", "/care/inquiries?status=new")[0] == 200

    open_console(page, local_stack, f"#/inquiries/{inquiry.inquiry_id}")
    sign_in(page, admin)
    expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()  # the admin's own read
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    page.get_by_label("Inquiry id or reference").fill(inquiry.reference.lower())
    page.get_by_label("What they did").select_option("read")
    page.get_by_role("button", name="Show", exact=True).click()
    assert f"reference={inquiry.reference.lower()}" in page.url.lower() and "action=read" in page.url

    reads = page.locator("tbody tr").filter(has_text="Opened an inquiry")
    expect(reads.first).to_be_visible()
    more = page.get_by_role("button", name="Show more")
    pages = 1
    while more.count():
        more.click()
        pages += 1
        assert pages < 10
        page.wait_for_function("() => !document.querySelector('button[disabled]')")
    assert pages >= 2, "the reads fit on one page: the test proves nothing about paging"
    expect(reads).to_have_count(READS_BY_MEMBER + 1)
    expect(reads.filter(has_text=care_member.name)).to_have_count(READS_BY_MEMBER)
    expect(reads.filter(has_text=admin.name)).to_have_count(1)
    # Each shows the reference (a link to the inquiry), never only the internal id.
    expect(reads.get_by_role("link", name=inquiry.reference, exact=True)).to_have_count(READS_BY_MEMBER + 1)
    expect(page.get_by_text(other.reference)).to_have_count(0)
    assert_accessible(page, "audit-search")

    # The same query as CSV: every read, and the export is itself in the trail.
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download these results as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(downloading.value.path()).read_text(encoding="utf-8"))))
    exported_reads = [r for r in rows if r["action"] == "read" and r["reference"] == inquiry.reference]
    assert len(exported_reads) == READS_BY_MEMBER + 1

    # By person and date: everything the care member did today, their list views folded into one row.
    open_console(page, local_stack, "#/audit")
    expect(page.get_by_label("Who")).to_be_visible()
    page.get_by_label("Who").select_option(label=care_member.name)
    today = page.evaluate("new Date().toISOString().slice(0, 10)")
    page.get_by_label("From (date)").fill(today)
    page.get_by_label("To (date, included)").fill(today)
    page.get_by_role("button", name="Show", exact=True).click()
    group = page.locator("tr.audit__group").filter(has_text="Listed inquiries: 3 times")
    expect(group).to_have_count(1)
    expect(page.locator("tr.audit__grouped:visible")).to_have_count(0)
    group.get_by_role("button", name="Show all 3").click()
    expect(page.locator("tr.audit__grouped:visible")).to_have_count(3)
    expect(page.locator("tr.audit__record").filter(has_text="Opened an inquiry").first).to_be_visible()
    assert_accessible(page, "audit-by-person")

    page.get_by_label("Who").select_option(label=admin.name)
    page.get_by_label("What they did").select_option("audit_export")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("tbody tr").filter(has_text="Exported the audit trail")).to_have_count(1)


# ---- a person's rights: export, then erasure ------------------------------------------------------------

def everything_in_the_stack(stack: LocalStackProcess, region: str) -> dict[str, str]:
    """Every item of every table, and every object of every bucket, as text, by where it is kept."""
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    ddb = session.client("dynamodb", endpoint_url=stack.aws_url)
    s3 = session.client("s3", endpoint_url=stack.aws_url)
    kept: dict[str, str] = {}
    for table in ddb.list_tables()["TableNames"]:
        items: list[Any] = []
        for scanned in ddb.get_paginator("scan").paginate(TableName=table):
            items += scanned["Items"]
        kept[f"table {table}"] = json.dumps(items)
    for bucket in s3.list_buckets()["Buckets"]:
        for listed in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in listed.get("Contents", []):
                body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
                kept[f"object {bucket['Name']}/{obj['Key']}"] = body.decode("utf-8", "replace")
    return kept


def items_naming(stack: LocalStackProcess, region: str, table_name: str, ids: list[str]) -> list[dict[str, Any]]:
    """The items of the table whose name holds ``table_name`` (e.g. InquiryEventLogTable) that hold any of ``ids``."""
    ddb = boto3.client("dynamodb", endpoint_url=stack.aws_url, region_name=region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    table = next(t for t in ddb.list_tables()["TableNames"] if table_name in t)
    items = [item for scanned in ddb.get_paginator("scan").paginate(TableName=table) for item in scanned["Items"]]
    return [item for item in items if any(i in json.dumps(item) for i in ids)]


def event_log_items_naming(stack: LocalStackProcess, region: str, ids: list[str]) -> list[dict[str, Any]]:
    """The InquiryEventLogTable items that hold any of ``ids``."""
    return items_naming(stack, region, "InquiryEventLogTable", ids)


def rate_limit_items_naming(stack: LocalStackProcess, region: str, ids: list[str]) -> list[dict[str, Any]]:
    """The RateLimitTable items that hold any of ``ids``."""
    return items_naming(stack, region, "RateLimitTable", ids)


def test_an_admin_exports_a_persons_data_then_erases_it_and_only_audit_entries_remain(
        page: Page, local_stack: LocalStackProcess, care_member: Person, admin: Person,
        console_config: dict[str, str]) -> None:
    first, sent = person_inquiry(local_stack)
    second, _ = person_inquiry(local_stack, email=sent["email"].upper(), phone=sent["phone"],
                               message=f"A second message {uuid.uuid4().hex[:8]}.")
    bystander, bystander_sent = person_inquiry(local_stack)
    member_token = token_of(local_stack, care_member.email, care_member.password)
    note = f"Prefers mornings {uuid.uuid4().hex[:8]}"
    reach(local_stack, member_token, first, note=note)
    phi = [*sent.values(), second.message, second.name, note]

    open_console(page, local_stack, "#/people")
    sign_in(page, admin)
    expect(page.get_by_role("heading", name="People: access and erasure")).to_be_visible()
    assert_accessible(page, "people")
    page.get_by_label("Email address or phone number").fill(sent["email"])
    page.get_by_role("button", name="Find their inquiries").click()
    expect(page.get_by_role("heading", name="2 inquiries found")).to_be_visible()
    for inquiry in (first, second):
        expect(page.get_by_role("heading", name=f"Inquiry {inquiry.reference}")).to_be_visible()
        expect(page.get_by_text(inquiry.message)).to_be_visible()
    expect(page.get_by_text(note)).to_be_visible()
    expect(page.get_by_text(bystander.reference)).to_have_count(0)
    # The term searched is kept nowhere: not in the address, the title or the tab's storage.
    assert sent["email"] not in page.url and sent["email"] not in page.title()
    assert sent["email"] not in json.dumps(page.evaluate("({...sessionStorage})"))
    assert_accessible(page, "people-found")

    # The right of access: the data as JSON, and a readable page that prints without the console around it.
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download as JSON").click()
    exported = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    exported_text = json.dumps(exported)
    assert {first.inquiry_id, second.inquiry_id} <= set(re.findall(r"[0-9A-Z]{26}", exported_text))
    assert first.message in exported_text and second.message in exported_text and note in exported_text
    assert bystander.inquiry_id not in exported_text
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
    expect(page.get_by_role("button", name="Find their inquiries")).to_be_hidden()
    expect(page.get_by_text(first.message)).to_be_visible()
    page.emulate_media(media="screen")

    # The same search then erasure: the confirmation names what goes; a reason and a check are required.
    erasure = page.locator("form.erasure")
    expect(erasure).to_contain_text(f"2 inquiries: {first.reference}, {second.reference}")
    erasure.get_by_role("button", name="Erase 2 inquiries").click()
    expect(page.get_by_role("alert").filter(has_text="Choose why you are erasing it.")).to_be_visible()
    assert_accessible(page, "erasure-problem")
    erasure.get_by_label("The person asked us to erase their data").check()
    erasure.get_by_label(re.compile("I have checked that these inquiries are this person's")).check()
    with page.expect_response(lambda r: r.url.endswith("/care/erasures") and r.request.method == "POST") as posted:
        erasure.get_by_role("button", name="Erase 2 inquiries").click()
    assert posted.value.status == 200, posted.value.text()
    expect(page.get_by_role("status").filter(has_text="Erased")).to_be_visible()
    expect(page.get_by_text(first.message)).to_have_count(0)
    assert_accessible(page, "erased")

    # The console finds nothing now, by email or by phone.
    page.get_by_label("Email address or phone number").fill(sent["phone"])
    page.get_by_role("button", name="Find their inquiries").click()
    expect(page.get_by_role("heading", name="0 inquiries found")).to_be_visible()

    # The local stack holds nothing of them but the audit entries (tables and buckets alike), and, in the
    # event log (issue 22: the bodies replays send to the clinic's systems), the one event per inquiry that
    # says it was erased: its earlier events leave the log once the erasure is published (the stream).
    erased_ids = [first.inquiry_id, second.inquiry_id]
    assert wait_for(lambda: sorted(i["inquiry_id"]["S"] for i in event_log_items_naming(
        local_stack, console_config["region"], erased_ids) if i["type"]["S"] == "inquiry.erased") == sorted(erased_ids),
        30)
    assert wait_for(lambda: {i["type"]["S"] for i in event_log_items_naming(
        local_stack, console_config["region"], erased_ids)} == {"inquiry.erased"}, 30)
    kept = everything_in_the_stack(local_stack, console_config["region"])
    ids = [first.inquiry_id, second.inquiry_id, first.reference, second.reference]
    phi_left = {place: [v for v in phi if v.casefold() in text.casefold()] for place, text in kept.items()}
    ids_left = {place: [i for i in ids if i.casefold() in text.casefold()] for place, text in kept.items()
                if "audit" not in place.casefold() and "InquiryEventLogTable" not in place}
    assert {place: found for place, found in phi_left.items() if found} == {}
    # No exception: the erased ids are gone from the rate-limit counters too, the shared per-domain ones
    # included (inquiries.rights.erasure), while the bystander's id stays counted at their domain.
    assert {place: found for place, found in ids_left.items() if found} == {}
    assert rate_limit_items_naming(local_stack, console_config["region"], ids) == []
    assert any(item["id"]["S"].startswith("domain#") for item in
               rate_limit_items_naming(local_stack, console_config["region"], [bystander.inquiry_id]))
    assert any(first.inquiry_id in text for place, text in kept.items() if "audit" in place.casefold())
    # The bystander is untouched.
    admin_token = token_of(local_stack, admin.email, admin.password)
    assert api(local_stack, admin_token, "GET", f"/care/inquiries/{bystander.inquiry_id}")[0] == 200
    assert any(bystander_sent["message"] in text for text in kept.values())
    # And the trail says an erasure happened (who, why, how much), not what was erased.
    status, trail = api(local_stack, admin_token, "GET", "/care/audit?action=erasure")
    assert status == 200
    entry = next(e for e in trail["items"] if first.inquiry_id in (e.get("inquiry_ids") or []))
    assert entry["actor"] == admin.name and entry["reason"] == "person_request"
    assert not [value for value in phi if value.casefold() in json.dumps(entry).casefold()]


def test_a_care_team_member_is_offered_neither_the_reports_nor_a_persons_rights(
        page: Page, local_stack: LocalStackProcess, care_member: Person) -> None:
    open_console(page, local_stack, "#/reports")
    sign_in(page, care_member)
    expect(page.get_by_text("Only care-team administrators and the clinic's managers can see")).to_be_visible()
    nav = page.get_by_role("navigation", name="Console")
    expect(nav.get_by_role("link", name="Queue")).to_be_visible()
    for hidden in ("Reports", "Audit trail", "People"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_be_hidden()
    open_console(page, local_stack, "#/people")
    expect(page.get_by_text("Only care-team administrators can export or erase a person's data.")).to_be_visible()
    token = token_of(local_stack, care_member.email, care_member.password)
    for path in ("/care/reports", "/care/people?email=someone@example.com", "/care/erasures"):
        assert api(local_stack, token, "GET", path)[0] == 403, path
