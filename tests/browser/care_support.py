"""What the care console's browser tests share: the local stack, its people, submitting inquiries, signing
in, axe-core and the helpers that read what the page stores. Test modules import the fixtures they use."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.accessibility import grave_violations

ARTIFACTS = ROOT / "test-artifacts"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Person:
    """A care-team account in the local pool."""

    email: str
    password: str
    name: str = ""


@dataclass(frozen=True)
class Inquiry:
    """What a member of the public submitted, and what intake answered."""

    inquiry_id: str
    reference: str
    name: str
    email: str
    message: str

    @property
    def phi(self) -> tuple[str, ...]:
        return self.name, self.email, self.message


@pytest.fixture(scope="module")
def local_stack(request: pytest.FixtureRequest) -> Iterator[LocalStackProcess]:
    """One stack per test module, its log (and sign-in file) named after the module: modules that run at once
    (``pytest -n``) never share a file."""
    module = request.module.__name__.rpartition(".")[2]
    with LocalStackProcess(ARTIFACTS / f"browser-care-console-stack-{module}.log") as stack:
        yield stack


@pytest.fixture(scope="module")
def local_users(local_stack: LocalStackProcess) -> dict[str, Person]:
    """``make run``'s care-team member and admin, by role."""
    users = {u["username"]: Person(u["username"], u["password"], u["name"]) for u in local_stack.sign_in()["users"]}
    return {"care": users["care@clinic.local"], "admin": users["admin@clinic.local"]}


@pytest.fixture(scope="module")
def console_config(local_stack: LocalStackProcess) -> dict[str, str]:
    config: dict[str, str] = json.loads(http(local_stack, "GET", "/care/config.json")[1])
    return config


@pytest.fixture(scope="module")
def cognito(local_stack: LocalStackProcess, console_config: dict[str, str]) -> Any:
    return boto3.client("cognito-idp", endpoint_url=local_stack.aws_url, region_name=console_config["region"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def add_person(cognito: Any, pool_id: str, *groups: str, temporary: bool = False) -> Person:
    """A new account, as an administrator adds one (temporary=True: the first sign-in sets a password)."""
    tag = uuid.uuid4().hex[:8]
    person = Person(f"staff.{tag}@clinic.local", f"Aa1!{secrets.token_urlsafe(12)}", f"Staff Member {tag}")
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=person.email, TemporaryPassword=person.password, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": person.email}, {"Name": "email_verified", "Value": "true"},
                        {"Name": "name", "Value": person.name}])
    if not temporary:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=person.email, Password=person.password,
                                        Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=person.email, GroupName=group)
    return person


@pytest.fixture
def care_member(cognito: Any, console_config: dict[str, str]) -> Person:
    return add_person(cognito, console_config["userPoolId"], "care-team")


@pytest.fixture
def admin(cognito: Any, console_config: dict[str, str]) -> Person:
    return add_person(cognito, console_config["userPoolId"], "care-team", "care-admin")


def http(stack: LocalStackProcess, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(stack.base_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def submit_inquiry(stack: LocalStackProcess, **values: Any) -> Inquiry:
    """A member of the public sends the website form (as JSON, as its script does)."""
    tag = uuid.uuid4().hex[:8]
    sent = {"name": f"Morgan Console {tag}", "email": f"morgan.{tag}@example.com", "topic": "anxiety",
            "message": f"I would like to talk about treatment options ({tag}).", "consent_to_contact": True,
            **values}
    status, body = http(stack, "POST", "/inquiries", sent, {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 202, body
    answer = json.loads(body)
    return Inquiry(answer["inquiry_id"], answer["reference"], sent["name"], sent["email"], sent["message"])


def wait_for_notification(stack: LocalStackProcess, inquiry: Inquiry, seconds: float = 15.0) -> str:
    """The care-team notification about `inquiry`, once the local pipeline has sent it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body = http(stack, "GET", "/_local/outbox")
        assert status == 200
        for notification in json.loads(body)["notifications"]:
            if inquiry.inquiry_id in notification["message"]:
                return str(notification["message"])
        time.sleep(0.2)
    raise AssertionError(f"no notification about {inquiry.inquiry_id} within {seconds} s")


def open_console(page: Page, stack: LocalStackProcess, route: str = "") -> None:
    page.goto(f"{stack.base_url}/care/{route}")


def sign_in(page: Page, person: Person) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def row_of(page: Page, inquiry: Inquiry) -> Any:
    """The inquiry's row in a status list, or its card in the queue."""
    return page.locator("tr, li.card").filter(has=page.get_by_role("link", name=inquiry.reference, exact=True))


def assert_accessible(page: Page, view: str) -> None:
    """axe-core finds no serious or critical WCAG 2.1 AA violation on what the page shows now."""
    assert grave_violations(page) == [], view
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-care-{view}.png"), full_page=True)


def session_storage(page: Page) -> dict[str, str]:
    stored: dict[str, str] = page.evaluate("({...sessionStorage})")
    return stored


def id_token(page: Page) -> str:
    token: str = json.loads(session_storage(page)["care-console.session"])["idToken"]
    return token


def refresh_token(page: Page) -> str:
    token: str = json.loads(session_storage(page)["care-console.session"])["refreshToken"]
    assert token
    return token


def renews(stack: LocalStackProcess, client_id: str, token: str) -> bool:
    """Whether Cognito still gives new tokens for this refresh token (asked as the console asks)."""
    body = {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id, "AuthParameters": {"REFRESH_TOKEN": token}}
    status, _answer = http(stack, "POST", "/_local/cognito", body, {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
    assert status in (200, 400), status
    return status == 200


def read_inquiry(stack: LocalStackProcess, page: Page, inquiry: Inquiry) -> dict[str, Any]:
    """The inquiry as the API gives it to the person signed in on `page`."""
    status, body = http(stack, "GET", f"/care/inquiries/{inquiry.inquiry_id}",
                        headers={"Authorization": f"Bearer {id_token(page)}"})
    assert status == 200, body
    found: dict[str, Any] = json.loads(body)
    return found




def team_member(stack: LocalStackProcess, page: Page, person: Person) -> dict[str, Any]:
    """``person``'s entry in GET /care/team ({id, name, groups}), asked as the one signed in on ``page``."""
    status, body = http(stack, "GET", "/care/team", headers={"Authorization": f"Bearer {id_token(page)}"})
    assert status == 200, body
    members: list[dict[str, Any]] = json.loads(body)["members"]
    found = [m for m in members if m["name"] == person.name]
    assert len(found) == 1, (person.name, [m["name"] for m in members])
    return found[0]
