"""axe-core (the copy axe-playwright-python ships; nothing is downloaded) over what a page shows now."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def grave_violations(page: Page) -> list[tuple[str, str, list[Any]]]:
    """The serious and critical WCAG 2.1 A/AA violations on the page: (rule, impact, where)."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA},
                                       "resultTypes": ["violations"]})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
