"""Who acted is the token's ``sub``, shown by the name the pool keeps for it: never a claim the user can edit.

The reproduction of issue 18's finding 2 runs against moto's Cognito: a care-team member changes their own
email to the admin's (UpdateUserAttributes with their access token), gets new tokens, adds a note and
changes a status. The note, the history and the audit entry must still name them.
"""

from __future__ import annotations

from typing import Any

import boto3
import jwt
import pytest

from tests.support.care import CARE_MEMBER, care_request
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

ADMIN_EMAIL = "admin@clinic.local"
MEMBER_EMAIL = "care@clinic.local"
PASSWORD = "Care-Identity-Test-a7!Q"


def _as_api_gateway_passes(token: str) -> dict[str, str]:
    """A token's claims as API Gateway (REST) hands them to the function: every value a string."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    out = {}
    for name, value in claims.items():
        if isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out


class Pool:
    """The template's pool and console client in moto, with the care team's users."""

    def __init__(self, stack: Stack) -> None:
        self.idp = boto3.client("cognito-idp", region_name=stack.region)
        stack.resources.create_user_pools(boto3.Session(region_name=stack.region))
        self.pool_id = stack.resources.names.refs["CareTeamUserPool"]
        self.client_id = stack.resources.names.refs["CareConsoleClient"]
        env = stack.resources.function_environment("CareApiFunction")
        stack.configure(**{k: v for k, v in env.items() if k in ("USER_POOL_ID", "CONSOLE_CLIENT_ID")})

    def add(self, email: str, name: str, *groups: str) -> str:
        """Create a member (an admin sets ``name``); their sub."""
        created = self.idp.admin_create_user(
            UserPoolId=self.pool_id, Username=email, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                            {"Name": "name", "Value": name}])
        self.idp.admin_set_user_password(UserPoolId=self.pool_id, Username=email, Password=PASSWORD, Permanent=True)
        for group in groups:
            self.idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email, GroupName=group)
        attributes = {a["Name"]: a["Value"] for a in created["User"]["Attributes"]}
        return attributes["sub"]

    def sign_in(self, email: str) -> dict[str, Any]:
        result = self.idp.initiate_auth(ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})
        return dict(result["AuthenticationResult"])


@pytest.fixture
def pool(stack: Stack) -> Pool:
    return Pool(stack)


def _submit(stack: Stack) -> str:
    response = stack.intake(json_post(distinctive_inquiry()))
    assert response["statusCode"] == 202
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def test_a_member_who_takes_the_admins_email_is_still_recorded_and_shown_as_themselves(
        stack: Stack, pool: Pool) -> None:
    admin_sub = pool.add(ADMIN_EMAIL, "Ada Admin", "care-team", "care-admin")
    member_sub = pool.add(MEMBER_EMAIL, "Casey Care", "care-team")
    inquiry_id = _submit(stack)
    signed_in = pool.sign_in(MEMBER_EMAIL)
    # Finding 2: the member makes their own email the admin's, differing only in case.
    pool.idp.update_user_attributes(AccessToken=signed_in["AccessToken"],
                                    UserAttributes=[{"Name": "email", "Value": "Admin@clinic.local"}])
    renewed = pool.sign_in("Admin@clinic.local")  # new tokens (moto's refresh loses a user whose email changed)
    claims = _as_api_gateway_passes(renewed["IdToken"])
    assert claims["email"] == "Admin@clinic.local"  # the forged claim really reaches the function

    changed = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=claims,
                           body={"status": "contacted", "note": "Left a voicemail."}, headers={"If-Match": "1"})
    assert changed["statusCode"] == 200, changed

    stored = next(item for item in stack.items() if item["inquiry_id"] == inquiry_id)
    assert [note["actor_id"] for note in stored["notes"]] == [member_sub]
    assert {entry["actor_id"] for entry in stored["history"]} == {member_sub}
    assert "Admin@clinic.local" not in str(stored["notes"]) + str(stored["history"])
    entries = [e for e in stack.items("AuditTable") if e.get("inquiry_id") == inquiry_id]
    assert entries and {e["actor_id"] for e in entries} == {member_sub}
    assert "Admin@clinic.local" not in str(entries)

    shown = response_json(changed)
    assert [(n["actor"], n["actor_id"]) for n in shown["notes"]] == [("Casey Care", member_sub)]
    assert {(h["actor"], h["actor_id"]) for h in shown["history"]} == {("Casey Care", member_sub)}
    admin_claims = _as_api_gateway_passes(pool.sign_in(ADMIN_EMAIL)["IdToken"])
    response = care_request(stack, "GET", "/care/audit", claims=admin_claims, query={"inquiry_id": inquiry_id})
    assert response["statusCode"] == 200, response
    update = next(item for item in response_json(response)["items"] if item["action"] == "update")
    assert (update["actor"], update["actor_id"]) == ("Casey Care", member_sub)
    assert admin_sub != member_sub


def test_entries_stored_before_the_change_still_show_their_recorded_actor(stack: Stack) -> None:
    inquiry_id = _submit(stack)
    table = boto3.resource("dynamodb", region_name=stack.region).Table("InquiriesTable")
    legacy = {"at": "2026-01-02T03:04:05Z", "actor": "care@clinic.local"}
    table.update_item(Key={"inquiry_id": inquiry_id}, UpdateExpression="SET notes = :n, history = :h",
                      ExpressionAttributeValues={":n": [{**legacy, "text": "Old note."}],
                                                 ":h": [{**legacy, "action": "note"}]})

    response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)

    assert response["statusCode"] == 200, response
    shown = response_json(response)
    assert [(n["actor"], n["actor_id"]) for n in shown["notes"]] == [("care@clinic.local", None)]
    assert [(h["actor"], h["actor_id"]) for h in shown["history"]] == [("care@clinic.local", None)]


def test_a_member_not_in_the_pool_is_shown_by_their_sub(stack: Stack) -> None:
    inquiry_id = _submit(stack)

    changed = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                           body={"note": "Called."}, headers={"If-Match": "1"})

    assert changed["statusCode"] == 200, changed
    note = response_json(changed)["notes"][0]
    assert note["actor"] == note["actor_id"] == CARE_MEMBER["sub"]
    assert CARE_MEMBER["email"] not in str(response_json(changed))


# ---- tokens the function itself refuses (API Gateway's REST authorizer does not check these) -------------
def _refused_without_a_trace(stack: Stack, claims: dict[str, str]) -> None:
    inquiry_id = _submit(stack)
    before = len(stack.items("AuditTable"))
    for method, path in (("GET", "/care/inquiries"), ("GET", f"/care/inquiries/{inquiry_id}")):
        response = care_request(stack, method, path, claims=claims)
        assert response["statusCode"] == 401, response
        assert inquiry_id not in response["body"]
    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=claims,
                            body={"note": "Should not be stored."}, headers={"If-Match": "1"})
    assert response["statusCode"] == 401, response
    assert len(stack.items("AuditTable")) == before, "a refused token left an audit entry"
    stored = next(item for item in stack.items() if item["inquiry_id"] == inquiry_id)
    assert "notes" not in stored and stored["version"] == 1


@pytest.mark.parametrize("token_use", ["access", None])
def test_claims_of_anything_but_an_id_token_are_refused_with_no_audit_entry(stack: Stack,
                                                                              token_use: str | None) -> None:
    claims = {k: v for k, v in CARE_MEMBER.items() if k != "token_use"}
    if token_use is not None:
        claims["token_use"] = token_use
    _refused_without_a_trace(stack, claims)


@pytest.mark.parametrize("verified", ["false", None])
def test_a_token_whose_email_is_not_verified_is_refused(stack: Stack, verified: str | None) -> None:
    claims = {k: v for k, v in CARE_MEMBER.items() if k != "email_verified"}
    if verified is not None:
        claims["email_verified"] = verified
    _refused_without_a_trace(stack, claims)


@pytest.mark.parametrize("audience", ["another-app-client", None])
def test_a_token_for_another_app_client_is_refused(stack: Stack, audience: str | None) -> None:
    claims = {k: v for k, v in CARE_MEMBER.items() if k != "aud"}
    if audience is not None:
        claims["aud"] = audience
    _refused_without_a_trace(stack, claims)
