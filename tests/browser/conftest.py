"""What every browser test shares: Debian's headless Chromium (Playwright's own browser download is never used),
and the care console's fixtures (``tests.browser.care_support``: the local stack of a test module, its users,
pool and console configuration, a browser context and page, a care-team member, an admin). A module that
defines a fixture of the same name (the form tests' own ``local_stack`` and ``page``) uses its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.care_support import (  # noqa: F401 (fixtures: pytest finds them here by name)
    admin,
    care_member,
    cognito,
    console_config,
    context,
    local_stack,
    local_users,
    page,
)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole run; each test opens its own context."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
