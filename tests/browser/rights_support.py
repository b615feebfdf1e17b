"""What the browser tests of issue 21 (reports, audit search, a person's rights) share: a clinic manager, API
calls with a real token, and inquiries whose every value is distinctive, so PHI can be looked for."""
# ruff: noqa: F811 (the shared fixtures are imported, then named as parameters)

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

import pytest

from infra.local.child import LocalStackProcess
from tests.browser.care_support import Inquiry, Person, add_person, cognito, console_config, http, submit_inquiry  # noqa: F401
from tests.support.tokens import sign_in as token_of

__all__ = ["api", "manager", "person_inquiry", "reach", "token_of"]


@pytest.fixture
def manager(cognito: Any, console_config: dict[str, str]) -> Person:
    return add_person(cognito, console_config["userPoolId"], "clinic-manager")


def api(stack: LocalStackProcess, token: str, method: str, path: str, body: Any = None,
        headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, raw = http(stack, method, path, body, {"Authorization": f"Bearer {token}", **(headers or {})})
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode()


def person_inquiry(stack: LocalStackProcess, **values: Any) -> tuple[Inquiry, dict[str, str]]:
    """An inquiry with a phone number and a referral in the person's own words: every value is distinctive."""
    tag = uuid.uuid4().hex[:8]
    phone = f"+1415555{secrets.randbelow(10_000):04d}"
    sent = {"name": f"Quillon Rights {tag}", "email": f"quillon.{tag}@example.com", "phone": phone,
            "preferred_contact": "phone", "referral_source": f"my neighbour Zebedee {tag}",
            "message": f"Private words about my treatment {tag}.", **values}
    inquiry = submit_inquiry(stack, **sent)
    return inquiry, {name: str(sent[name]) for name in ("name", "email", "phone", "referral_source", "message")}


def reach(stack: LocalStackProcess, token: str, inquiry: Inquiry, note: str | None = None) -> None:
    """A care-team member logs a phone call that reached the person (their first contact)."""
    status, found = api(stack, token, "GET", f"/care/inquiries/{inquiry.inquiry_id}")
    assert status == 200, found
    attempt: dict[str, Any] = {"channel": "phone", "outcome": "reached", **({"note": note} if note else {})}
    status, answer = api(stack, token, "POST", f"/care/inquiries/{inquiry.inquiry_id}/attempts", attempt,
                         {"If-Match": str(found["version"])})
    assert status == 201, answer
