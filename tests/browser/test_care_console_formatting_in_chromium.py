"""The console's formatting helpers (web/care/format.js) in Chromium's own Intl, without a stack.

The module is served from disk under a made-up origin (Playwright answers every request; nothing leaves the
machine), imported into an empty page and asked directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from infra.template import ROOT

pytestmark = pytest.mark.browser

WEB = ROOT / "web" / "care"
ORIGIN = "http://console.test"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Asia/Tokyo")  # neither UTC nor the clinic's zone

    def serve(route: Route) -> None:
        name = route.request.url.removeprefix(ORIGIN + "/")
        if name == "blank.html":
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>t</title>")
        else:
            route.fulfill(status=200, content_type="text/javascript", path=WEB / name)

    context.route(f"{ORIGIN}/**", serve)
    page = context.new_page()
    page.goto(f"{ORIGIN}/blank.html")
    yield page
    context.close()


def ask(page: Page, expression: str) -> Any:
    return page.evaluate(f"""async () => {{
        const f = await import("{ORIGIN}/format.js");
        f.setClinicTimeZone("America/Los_Angeles");
        return {expression};
    }}""")


def test_phone_numbers_are_grouped_to_be_read(page: Page) -> None:
    assert ask(page, '["+14155550134", "+442079460958", "+34912345678", "+79161234567", "not a number"]'
                     ".map(f.formatPhone)") == [
        "+1 (415) 555-0134", "+44 2079 4609 58", "+34 9123 4567 8", "+7 9161 2345 67", "not a number"]


def test_countdowns_say_how_long_is_left_or_how_late(page: Page) -> None:
    now = "Date.parse('2026-12-07T20:00:00Z')"
    cases = {"2026-12-07T20:52:00Z": "due in 52 min", "2026-12-07T18:00:00Z": "overdue 2 h",
             "2026-12-07T21:20:00Z": "due in 1 h 20 min", "2026-12-10T20:00:00Z": "due in 3 days",
             "2026-12-07T19:59:50Z": "overdue 1 min"}
    for due, said in cases.items():
        assert ask(page, f"f.countdown('{due}', {now})") == said, due


def test_instants_are_written_in_the_clinics_zone_with_its_name(page: Page) -> None:
    shown = ask(page, "f.formatInstant(new Date('2026-12-08T01:00:00Z'))").replace("\u202f", " ")
    assert shown == "Mon, Dec 7, 2026, 5:00 PM PST"  # not the browser's Tokyo time, not UTC
    summer = ask(page, "f.formatInstant(new Date('2026-07-01T16:30:00Z'))").replace("\u202f", " ")
    assert summer.endswith("9:30 AM PDT")


def test_a_wall_time_typed_in_clinic_time_is_the_right_instant_across_daylight_saving(page: Page) -> None:
    assert ask(page, "f.clinicWallTimeToIso('2026-12-08T10:00')") == "2026-12-08T18:00:00.000Z"
    assert ask(page, "f.clinicWallTimeToIso('2026-07-01T10:00')") == "2026-07-01T17:00:00.000Z"
    assert ask(page, "f.clinicWallTimeToIso('2026-11-01T12:00')") == "2026-11-01T20:00:00.000Z"  # the day PST begins
    assert ask(page, "f.isoToClinicWallTime('2026-12-08T18:00:00Z')") == "2026-12-08T10:00"
    assert ask(page, "f.clinicWallTimeToIso('tomorrow')") is None
