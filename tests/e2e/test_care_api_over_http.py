"""The care API on the local stack: Cognito sign-in, the authorizer's checks, and working an inquiry."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from infra.local.child import LocalStackProcess
from infra.template import ROOT
from tests.support.tokens import (
    claims_of,
    expired,
    sign_in,
    signed_by_a_stranger,
    signed_by_the_pool,
    unsigned,
    with_tampered_payload,
)
from tests.support.waiting import wait_for

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.e2e
CARE = "care@clinic.local"
ADMIN = "admin@clinic.local"
MANAGER = "manager@clinic.local"
CARE_NAME = "Casey Care (local)"
OUTSIDER = "visitor@clinic.local"
OUTSIDER_PASSWORD = "Visitor-Password-2026!"


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStackProcess]:
    with LocalStackProcess(ARTIFACTS / "e2e-care-api.log") as stack:
        yield stack


def cognito(stack: LocalStackProcess) -> Any:
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=stack.aws_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def tokens(local_stack: LocalStackProcess) -> dict[str, str]:
    """ID tokens: the care-team member, the admin, the clinic manager, a member of no group, and one for another
    app client."""
    pool = local_stack.sign_in()["userPoolId"]
    idp = cognito(local_stack)
    idp.admin_create_user(UserPoolId=pool, Username=OUTSIDER, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": OUTSIDER},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool, Username=OUTSIDER, Password=OUTSIDER_PASSWORD, Permanent=True)
    other_client = idp.create_user_pool_client(UserPoolId=pool, ClientName="another-app",
                                               ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])
    care_password = local_stack.password_of(CARE)
    return {
        "care": sign_in(local_stack, CARE, care_password),
        "admin": sign_in(local_stack, ADMIN, local_stack.password_of(ADMIN)),
        "manager": sign_in(local_stack, MANAGER, local_stack.password_of(MANAGER)),
        "outsider": sign_in(local_stack, OUTSIDER, OUTSIDER_PASSWORD),
        "other_audience": sign_in(local_stack, CARE, care_password,
                                  client_id=other_client["UserPoolClient"]["ClientId"]),
    }


def http(stack: LocalStackProcess, method: str, path: str, token: str | None = None, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    request = urllib.request.Request(stack.base_url + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw, status, answer_headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as err:
        raw, status, answer_headers = err.read(), err.code, dict(err.headers)
    return status, answer_headers, json.loads(raw) if raw else None


def submit(stack: LocalStackProcess, **extra: Any) -> str:
    tag = uuid.uuid4().hex[:8]
    inquiry = {"name": f"Ines Probe {tag}", "email": f"ines.{tag}@example.com", "consent_to_contact": True,
               "message": f"Asking for my brother {tag}", **extra}
    status, _headers, body = http(stack, "POST", "/inquiries", body=inquiry)
    assert status == 202, body
    inquiry_id: str = body["inquiry_id"]
    return inquiry_id


def audit_entries(stack: LocalStackProcess, tokens: dict[str, str], inquiry_id: str | None = None,
                  *, with_own_reads: bool = False) -> list[Any]:
    """The trail as the admin reads it; without the ``audit_read`` entries those reads themselves leave."""
    status, _headers, body = http(stack, "GET", "/care/audit" + (f"?inquiry_id={inquiry_id}" if inquiry_id else ""),
                                  f"Bearer {tokens['admin']}")
    assert status == 200, body
    items: list[Any] = body["items"]
    return items if with_own_reads else [e for e in items if e["action"] != "audit_read"]


def outbox(stack: LocalStackProcess) -> dict[str, list[dict[str, Any]]]:
    _status, _headers, body = http(stack, "GET", "/_local/outbox")
    parsed: dict[str, list[dict[str, Any]]] = body
    return parsed


def test_config_json_tells_the_console_where_to_sign_in_and_the_clinics_time_zone(
        local_stack: LocalStackProcess) -> None:
    status, headers, config = http(local_stack, "GET", "/care/config.json")

    assert status == 200 and headers["Cache-Control"] == "no-store"
    settings = local_stack.sign_in()
    assert config == {"region": "us-east-1", "userPoolId": settings["userPoolId"], "clientId": settings["clientId"],
                      "cognitoEndpoint": f"{local_stack.base_url}/_local/cognito", "apiBase": "",
                      "timeZone": "America/Los_Angeles"}


def test_make_run_prints_the_three_local_users_and_their_passwords(local_stack: LocalStackProcess) -> None:
    log = local_stack.log_text()
    for user in local_stack.sign_in()["users"]:
        assert f"sign in as {user['username']}" in log and user["password"] in log
    groups = {u["username"]: u["groups"] for u in local_stack.sign_in()["users"]}
    assert groups == {CARE: ["care-team"], ADMIN: ["care-team", "care-admin"], MANAGER: ["clinic-manager"]}


def test_the_pool_client_and_groups_are_the_templates(local_stack: LocalStackProcess) -> None:
    idp = cognito(local_stack)
    settings = local_stack.sign_in()
    pool = idp.describe_user_pool(UserPoolId=settings["userPoolId"])["UserPool"]
    client = idp.describe_user_pool_client(UserPoolId=settings["userPoolId"],
                                           ClientId=settings["clientId"])["UserPoolClient"]
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=settings["userPoolId"])["Groups"]}

    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "OPTIONAL", "dev: optional; production requires TOTP"
    assert "ClientSecret" not in client
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                                                "ALLOW_REFRESH_TOKEN_AUTH"}
    assert groups == {"care-team", "care-admin", "clinic-manager"}


# ---- the auth matrix: each refused case is answered before anything is read or audited ---------------------
def _forged(kind: str, tokens: dict[str, str]) -> str | None:
    care = tokens["care"]
    claims = claims_of(care)
    cases: dict[str, Callable[[], str | None]] = {
        "no token": lambda: None,
        "garbage": lambda: "Bearer not-a-jwt",
        "expired": lambda: signed_by_the_pool(expired(claims)),
        "tampered payload": lambda: with_tampered_payload(care, **{"cognito:groups": ["care-team", "care-admin"],
                                                                   "email": "someone-else@clinic.local"}),
        "alg none": lambda: unsigned(claims),
        "wrong audience": lambda: tokens["other_audience"],
        "wrongly signed": lambda: signed_by_a_stranger(claims),
        "wrong issuer": lambda: signed_by_the_pool({**claims, "iss": "https://cognito-idp.us-east-1.amazonaws.com/x"}),
        "access token": lambda: signed_by_the_pool({**claims, "token_use": "access"}),
        "outside the groups": lambda: tokens["outsider"],
    }
    return cases[kind]()


AUTH_MATRIX = [("no token", 401), ("garbage", 401), ("expired", 401), ("tampered payload", 401), ("alg none", 401),
               ("wrong audience", 401), ("wrongly signed", 401), ("wrong issuer", 401), ("access token", 401),
               ("outside the groups", 403)]


@pytest.mark.parametrize(("kind", "expected"), AUTH_MATRIX)
def test_auth_matrix(local_stack: LocalStackProcess, tokens: dict[str, str], kind: str, expected: int) -> None:
    inquiry_id = submit(local_stack)
    before = audit_entries(local_stack, tokens)
    token = _forged(kind, tokens)

    answers = [
        http(local_stack, "GET", "/care/inquiries?status=new", token),
        http(local_stack, "GET", f"/care/inquiries/{inquiry_id}", token),
        http(local_stack, "PATCH", f"/care/inquiries/{inquiry_id}", token, {"status": "contacted"}, {"If-Match": "1"}),
    ]

    assert [status for status, _h, _b in answers] == [expected] * 3
    for _status, headers, body in answers:
        assert headers["Cache-Control"] == "no-store"
        assert set(body) == {"errors"} and "Ines" not in json.dumps(body)
    assert audit_entries(local_stack, tokens) == before, "nothing listed, read or changed"
    _s, _h, stored = http(local_stack, "GET", f"/care/inquiries/{inquiry_id}", f"Bearer {tokens['admin']}")
    assert stored["status"] == "new" and stored["version"] == 1


def test_a_valid_token_is_accepted_raw_or_with_the_bearer_prefix(local_stack: LocalStackProcess,
                                                                 tokens: dict[str, str]) -> None:
    assert http(local_stack, "GET", "/care/inquiries", tokens["care"])[0] == 200
    assert http(local_stack, "GET", "/care/inquiries", f"Bearer {tokens['care']}")[0] == 200


def test_a_care_team_member_cannot_read_the_audit_trail(local_stack: LocalStackProcess,
                                                        tokens: dict[str, str]) -> None:
    assert http(local_stack, "GET", "/care/audit", f"Bearer {tokens['care']}")[0] == 403


# ---- working an inquiry end to end --------------------------------------------------------------------------
def test_the_care_team_finds_reads_and_contacts_a_new_inquiry(local_stack: LocalStackProcess,
                                                              tokens: dict[str, str]) -> None:
    inquiry_id = submit(local_stack)
    auth = f"Bearer {tokens['care']}"

    _s, _h, page = http(local_stack, "GET", "/care/inquiries?status=new&limit=100", auth)
    assert inquiry_id in [item["inquiry_id"] for item in page["items"]]
    status, headers, inquiry = http(local_stack, "GET", f"/care/inquiries/{inquiry_id}", auth)
    assert status == 200 and inquiry["message"].startswith("Asking for my brother")
    status, _h, changed = http(local_stack, "PATCH", f"/care/inquiries/{inquiry_id}", auth,
                               {"status": "contacted", "note": "Called back"}, {"If-Match": headers["ETag"]})
    assert status == 200 and changed["status"] == "contacted" and changed["version"] == 2
    stale, _h, _b = http(local_stack, "PATCH", f"/care/inquiries/{inquiry_id}", auth, {"status": "closed"},
                         {"If-Match": "1"})
    assert stale == 412

    trail = audit_entries(local_stack, tokens, inquiry_id)
    assert [(e["action"], e["actor"]) for e in trail] == [("update", CARE_NAME), ("read", CARE_NAME)]
    assert [n["actor"] for n in changed["notes"]] == [CARE_NAME]
    # The list that showed it names it, with its status and page; the admin's reads of the trail are audited.
    everyone = audit_entries(local_stack, tokens, with_own_reads=True)
    assert any(e["action"] == "list" and inquiry_id in e["inquiry_ids"] and (e["status"], e["page"]) == ("new", 1)
               for e in everyone)
    assert any(e["action"] == "audit_read" and e["filters"] == ["inquiry_id"] and e["inquiry_id"] == inquiry_id
               for e in everyone)


def test_the_queue_puts_the_urgent_first_answers_304_until_an_attempt_changes_it(local_stack: LocalStackProcess,
                                                                                   tokens: dict[str, str]) -> None:
    ordinary = submit(local_stack)
    urgent = submit(local_stack, message="I have the pills counted out and I want to die tonight")
    auth = f"Bearer {tokens['care']}"

    status, headers, queue = http(local_stack, "GET", "/care/queue", auth)
    assert status == 200, queue
    shown = [item["inquiry_id"] for item in queue["items"]]
    assert shown.index(urgent) < shown.index(ordinary)
    assert queue["items"][shown.index(urgent)]["level"] == "urgent"
    assert queue["counts"]["new"] >= 2 and "attempting" in queue["counts"]
    assert headers["Cache-Control"] == "no-store"
    unchanged, _h, nothing = http(local_stack, "GET", "/care/queue", auth, headers={"If-None-Match": headers["ETag"]})
    assert (unchanged, nothing) == (304, None)

    status, _h, tried = http(local_stack, "POST", f"/care/inquiries/{urgent}/attempts", auth,
                             {"channel": "phone", "outcome": "voicemail"}, {"If-Match": "1"})
    assert status == 201 and tried["status"] == "attempting" and tried["attempts"][0]["actor"] == CARE_NAME

    status, _h, again = http(local_stack, "GET", "/care/queue", auth, headers={"If-None-Match": headers["ETag"]})
    assert status == 200
    [row] = [item for item in again["items"] if item["inquiry_id"] == urgent]
    assert (row["status"], row["attempts"]) == ("attempting", 1)
    assert row["preview"].startswith("I have the pills")
    queue_lists = [e for e in audit_entries(local_stack, tokens, with_own_reads=True)
                   if e["action"] == "list" and e["status"] == "queue"]
    assert len(queue_lists) == 2 and all(urgent in e["inquiry_ids"] for e in queue_lists), \
        "each 200 audited with the ids shown; the 304 was not"


def test_the_local_stack_copies_every_audit_entry_to_the_object_locked_archive(local_stack: LocalStackProcess,
                                                                               tokens: dict[str, str]) -> None:
    inquiry_id = submit(local_stack)
    assert http(local_stack, "GET", f"/care/inquiries/{inquiry_id}", f"Bearer {tokens['care']}")[0] == 200
    [read] = [e for e in audit_entries(local_stack, tokens, inquiry_id) if e["action"] == "read"]
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=local_stack.aws_url,
                      aws_access_key_id="testing", aws_secret_access_key="testing")

    deadline = time.monotonic() + 15
    archived: list[dict[str, Any]] = []
    while not archived and time.monotonic() < deadline:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="auditarchivebucket",
                                                      Prefix=f"entries/{read['at'][:10]}/").get("Contents", [])]
        archived = [json.loads(s3.get_object(Bucket="auditarchivebucket", Key=k)["Body"].read()) for k in keys]
        archived = [e for e in archived if e.get("inquiry_id") == inquiry_id and e["action"] == "read"]
        time.sleep(0.3)
    assert [(e["at"], e["actor_id"]) for e in archived] == [(read["at"], read["actor_id"])]
    head = s3.head_object(Bucket="auditarchivebucket",
                          Key=f"entries/{read['at'][:10]}/{archived[0]['entry_id'].replace('#', '_')}.json")
    assert head["ObjectLockMode"] == "COMPLIANCE"


def test_the_notification_links_to_the_inquiry_in_the_local_console(local_stack: LocalStackProcess) -> None:
    inquiry_id = submit(local_stack)

    def linked() -> bool:
        return any(inquiry_id in n["message"] for n in outbox(local_stack)["notifications"])

    assert wait_for(linked, 15)
    message = next(n["message"] for n in outbox(local_stack)["notifications"] if inquiry_id in n["message"])
    assert f"{local_stack.base_url}/care/#/inquiries/{inquiry_id}" in message


def test_releasing_a_held_back_submission_sends_one_email_and_one_notification(
        local_stack: LocalStackProcess, tokens: dict[str, str]) -> None:
    tag = uuid.uuid4().hex[:8]
    inquiry_id = submit(local_stack, website="http://spam.example", email=f"held.{tag}@example.com")
    auth = f"Bearer {tokens['admin']}"
    _s, _h, spam = http(local_stack, "GET", "/care/inquiries?status=spam&limit=100", auth)
    assert inquiry_id in [item["inquiry_id"] for item in spam["items"]]

    status, _h, _b = http(local_stack, "PATCH", f"/care/inquiries/{inquiry_id}", auth, {"status": "new"},
                          {"If-Match": "1"})
    assert status == 200

    def delivered() -> bool:
        box = outbox(local_stack)
        return (any(f"held.{tag}@example.com" in m["to"] for m in box["emails"])
                and any(inquiry_id in n["message"] for n in box["notifications"]))

    assert wait_for(delivered, 15)
    time.sleep(1.0)  # a duplicate would have had time to arrive
    box = outbox(local_stack)
    assert len([m for m in box["emails"] if f"held.{tag}@example.com" in m["to"]]) == 1
    assert len([n for n in box["notifications"] if inquiry_id in n["message"]]) == 1


# ---- the local Cognito forwarder: only what the console calls ----------------------------------------------
def forward(stack: LocalStackProcess, action: str, body: dict[str, Any]) -> tuple[int, Any]:
    """One call through ``/_local/cognito``, as the console's page makes it."""
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}"}
    request = urllib.request.Request(f"{stack.base_url}/_local/cognito", data=json.dumps(body).encode(),
                                     method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@pytest.mark.parametrize("action", ["AdminAddUserToGroup", "AdminUpdateUserAttributes", "ListUsers"])
def test_the_local_forwarder_refuses_what_the_console_never_calls(local_stack: LocalStackProcess,
                                                                  action: str) -> None:
    settings = local_stack.sign_in()
    body = {"UserPoolId": settings["userPoolId"], "Username": CARE, "GroupName": "care-admin",
            "UserAttributes": [{"Name": "name", "Value": "Someone Else"}]}

    status, answer = forward(local_stack, action, body)

    assert status == 400 and "not a call the console makes" in answer["message"]
    users = {u["Username"]: u for u in cognito(local_stack).list_users(UserPoolId=settings["userPoolId"])["Users"]}
    care = next(u for u in users.values() if {"Name": "email", "Value": CARE} in u["Attributes"])
    groups = cognito(local_stack).admin_list_groups_for_user(UserPoolId=settings["userPoolId"],
                                                            Username=care["Username"])["Groups"]
    assert [g["GroupName"] for g in groups] == ["care-team"]
    assert {"Name": "name", "Value": "Someone Else"} not in care["Attributes"]


def test_a_revoked_refresh_token_renews_nothing(local_stack: LocalStackProcess) -> None:
    client_id = local_stack.sign_in()["clientId"]
    status, signed_in = forward(local_stack, "InitiateAuth", {
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
        "AuthParameters": {"USERNAME": CARE, "PASSWORD": local_stack.password_of(CARE)}})
    assert status == 200
    refresh = {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": client_id,
               "AuthParameters": {"REFRESH_TOKEN": signed_in["AuthenticationResult"]["RefreshToken"]}}
    assert forward(local_stack, "InitiateAuth", refresh)[0] == 200

    revoked = forward(local_stack, "RevokeToken", {"ClientId": client_id,
                                                   "Token": signed_in["AuthenticationResult"]["RefreshToken"]})

    assert revoked == (200, {})
    status, answer = forward(local_stack, "InitiateAuth", refresh)
    assert status == 400 and answer["__type"].endswith("NotAuthorizedException")


def test_local_users_have_an_admin_set_name(local_stack: LocalStackProcess) -> None:
    users = cognito(local_stack).list_users(UserPoolId=local_stack.sign_in()["userPoolId"])["Users"]
    names = {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "name"}
    assert {"Casey Care (local)", "Ada Admin (local)", "Morgan Manager (local)"} <= names


def test_the_clinic_manager_reads_the_reports_and_nothing_else(local_stack: LocalStackProcess,
                                                              tokens: dict[str, str]) -> None:
    """The local manager signs in, sees a new inquiry counted in the report (JSON and CSV), no PHI in either,
    and 403 from the queue, the list and the inquiry itself."""
    tag = uuid.uuid4().hex[:8]
    inquiry_id = submit(local_stack, topic="chronic_pain", referral_source=f"Quillfeather {tag}")
    status, headers, body = http(local_stack, "GET", "/care/reports", f"Bearer {tokens['manager']}")
    assert status == 200 and headers["Cache-Control"] == "no-store", body
    [topics] = [f for f in body["figures"] if f["id"] == "volume" and f["by"] == "topic"]
    assert next(s for s in topics["series"] if s["key"] == "chronic_pain")["points"][-1]["value"] >= 1
    request = urllib.request.Request(local_stack.base_url + "/care/reports?format=csv",
                                     headers={"Authorization": tokens["manager"]})
    with urllib.request.urlopen(request, timeout=10) as response:
        csv_text = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/csv")
        assert response.headers["Content-Disposition"].startswith("attachment;")
    for text in (json.dumps(body), csv_text):
        assert tag not in text and inquiry_id not in text and "Ines Probe" not in text
    for path in ("/care/queue", "/care/inquiries", f"/care/inquiries/{inquiry_id}", "/care/audit"):
        status, _headers, refused = http(local_stack, "GET", path, f"Bearer {tokens['manager']}")
        assert status == 403 and inquiry_id not in json.dumps(refused), path
    assert http(local_stack, "GET", "/care/reports", f"Bearer {tokens['care']}")[0] == 403
