"""The care console's resources in template.yaml: sign-in, authorizer, least privilege, audit, hosting."""

from __future__ import annotations

from typing import Any

from infra.template import TemplateResources

RESOURCES = TemplateResources()
CARE_ROUTES = {("/care/inquiries", "GET"), ("/care/inquiries/{inquiry_id}", "GET"),
               ("/care/inquiries/{inquiry_id}", "PATCH"), ("/care/audit", "GET"),
               ("/care/inquiries/{inquiry_id}/attempts", "POST"), ("/care/bulk", "POST"), ("/care/queue", "GET"),
               ("/care/search", "GET"), ("/care/team", "GET")}
CARE_ROUTES |= {("/care/reports", "GET")}  # reports: care-admin and clinic-manager (issue 21)
# The person's rights: their own function and role (RightsApiFunction), behind the same authorizer.
RIGHTS_ROUTES = {("/care/people", "GET"), ("/care/erasures", "POST"), ("/care/erasures", "GET"),
                 ("/care/erasures/{request_id}/approve", "POST"), ("/care/erasures/{request_id}/reject", "POST"),
                 ("/care/exports/{request_id}", "GET")}


def statements(function: str) -> list[dict[str, Any]]:
    found = []
    for policy in RESOURCES.properties(function)["Policies"]:
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def actions(function: str) -> set[str]:
    out: set[str] = set()
    for statement in statements(function):
        acts = statement["Action"]
        out |= set(acts if isinstance(acts, list) else [acts])
    return out


def test_the_status_index_projects_the_list_row_and_never_message_email_or_phone() -> None:
    (index,) = [i for i in RESOURCES.properties("InquiriesTable")["GlobalSecondaryIndexes"]
                if i["IndexName"] == "StatusIndex"]
    projected = set(index["Projection"]["NonKeyAttributes"])
    assert index["Projection"]["ProjectionType"] == "INCLUDE"
    assert projected == {"name", "assignee", "due_at", "version", "topic", "urgent", "level", "language",
                         "preferred_contact"}
    assert not projected & {"message", "email", "phone", "notes", "triage_categories"}


def test_the_audit_trail_is_encrypted_recoverable_and_kept_as_long_as_the_inquiries() -> None:
    res = RESOURCES.resources["AuditTable"]
    props = res["Properties"]
    assert res["DeletionPolicy"] == "Retain" and props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    care_env = RESOURCES.properties("CareApiFunction")["Environment"]["Variables"]
    intake_env = RESOURCES.properties("IntakeFunction")["Environment"]["Variables"]
    assert care_env["RETENTION_DAYS"] == intake_env["RETENTION_DAYS"] == {"Ref": "RetentionDays"}


def test_every_care_route_is_behind_the_cognito_authorizer_of_the_care_team_pool() -> None:
    guarded = RESOURCES.api_authorizers("InquiryApi")
    assert set(guarded) == CARE_ROUTES | RIGHTS_ROUTES and set(guarded.values()) == {"CareTeamAuthorizer"}
    api = RESOURCES.properties("InquiryApi")["Auth"]
    authorizer = api["Authorizers"]["CareTeamAuthorizer"]
    assert authorizer["UserPoolArn"] == {"Fn::GetAtt": ["CareTeamUserPool", "Arn"]}
    assert authorizer["Identity"]["Header"] == "Authorization"
    care_events = [(path, method) for lid, path, method in RESOURCES.api_routes("InquiryApi")
                   if lid == "CareApiFunction"]
    assert {r for r in care_events if r[1] != "OPTIONS"} == CARE_ROUTES
    rights_events = [(path, method) for lid, path, method in RESOURCES.api_routes() if lid == "RightsApiFunction"]
    assert {r for r in rights_events if r[1] != "OPTIONS"} == RIGHTS_ROUTES
    assert "DefaultAuthorizer" not in api, "POST /inquiries and /health stay public"
    assert not RESOURCES.api_scopes("InquiryApi"), "the console's routes take its ID token (no scopes)"


def test_the_integration_api_has_one_inquirys_read_and_change_each_asking_its_scope() -> None:
    """The integration's access token works only where an access token with the method's scope is asked for:
    the integration API's GET and PATCH /care/inquiries/{inquiry_id} (docs/integrations.md)."""
    one = "/care/inquiries/{inquiry_id}"
    assert RESOURCES.api_routes("IntegrationApi") == [("CareApiFunction", one, "GET"),
                                                      ("CareApiFunction", one, "PATCH")]
    assert RESOURCES.api_scopes("IntegrationApi") == {(one, "GET"): ("inquiries/read",),
                                                      (one, "PATCH"): ("inquiries/write",)}
    assert set(RESOURCES.api_authorizers("IntegrationApi").values()) == {"IntegrationAuthorizer"}
    authorizer = RESOURCES.properties("IntegrationApi")["Auth"]["Authorizers"]["IntegrationAuthorizer"]
    assert authorizer["UserPoolArn"] == {"Fn::GetAtt": ["CareTeamUserPool", "Arn"]}
    assert "DefaultAuthorizer" not in RESOURCES.properties("IntegrationApi")["Auth"]
    server = RESOURCES.properties("CareApiResourceServer")
    assert server["Identifier"] == "inquiries"
    assert {s["ScopeName"] for s in server["Scopes"]} == {"read", "write"}
    client = RESOURCES.properties("CareIntegrationClient")
    assert client["GenerateSecret"] is True and client["AllowedOAuthFlows"] == ["client_credentials"]
    assert client["AllowedOAuthScopes"] == {"Fn::If": ["IntegrationMayWrite", ["inquiries/read", "inquiries/write"],
                                                       ["inquiries/read"]]}
    assert RESOURCES.properties("CareTeamUserPoolDomain")["UserPoolId"] == {"Ref": "CareTeamUserPool"}
    env = RESOURCES.properties("CareApiFunction")["Environment"]["Variables"]
    assert env["INTEGRATION_CLIENT_ID"] == {"Ref": "CareIntegrationClient"}
    assert env["INTEGRATION_NAME"] == {"Ref": "IntegrationName"}


def test_the_care_api_role_reads_by_key_and_index_only_and_never_scans_or_deletes() -> None:
    granted = actions("CareApiFunction")
    assert {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:PutItem"} <= granted
    assert not {"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:*"} & granted
    # The queue's one batch read: a projection of its few attributes, never whole items (message, email, phone).
    [batch] = [s for s in statements("CareApiFunction") if "dynamodb:BatchGetItem" in s["Action"]]
    assert batch["Action"] == "dynamodb:BatchGetItem"
    assert set(batch["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]) == {
        "inquiry_id", "message", "attempt_count", "next_attempt_at", "email_hash", "phone_hash", "triage_categories"}
    assert batch["Condition"]["StringEqualsIfExists"] == {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}
    managed = [next(iter(p)) for p in RESOURCES.properties("CareApiFunction")["Policies"] if "Statement" not in p]
    assert set(managed) == {"SQSSendMessagePolicy"}


def test_the_care_api_counts_triage_corrections_only_in_the_services_namespace() -> None:
    [count] = [s for s in statements("CareApiFunction") if s["Action"] == "cloudwatch:PutMetricData"]
    assert count["Resource"] == "*", "PutMetricData has no resource ARN"
    assert count["Condition"] == {"StringEquals": {"cloudwatch:namespace": "InquiryIntake"}}


def test_the_public_intake_function_cannot_list_or_scan_inquiries() -> None:
    managed = {next(iter(p)) for p in RESOURCES.properties("IntakeFunction")["Policies"]
               if "Statement" not in p and "Fn::If" not in p}
    assert not {m for m in managed if m.startswith("DynamoDB")}, "explicit actions only (issue 11)"
    [store] = [s for s in statements("IntakeFunction") if s["Sid"] == "StoreInquiries"]
    assert store["Action"] == ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]
    assert store["Resource"] == {"Fn::GetAtt": ["InquiriesTable", "Arn"]}
    assert not {"dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"} & actions("IntakeFunction")


def test_the_pool_requires_totp_in_production_and_strong_passwords_everywhere() -> None:
    pool = RESOURCES.properties("CareTeamUserPool")
    assert pool["MfaConfiguration"] == {"Fn::If": ["IsDev", "OPTIONAL", "ON"]}
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert pool["DeletionProtection"] == {"Fn::If": ["IsProd", "ACTIVE", "INACTIVE"]}
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] is True for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert RESOURCES.template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_the_console_client_has_no_secret_and_short_lived_tokens() -> None:
    client = RESOURCES.properties("CareConsoleClient")
    assert client["GenerateSecret"] is False
    units = client["TokenValidityUnits"]
    assert units == {"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "hours"}
    assert 5 <= client["IdTokenValidity"] <= 15 and 5 <= client["AccessTokenValidity"] <= 15
    assert client["RefreshTokenValidity"] <= 24
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                                                "ALLOW_REFRESH_TOKEN_AUTH"}
    groups = {RESOURCES.properties(g)["GroupName"] for g in RESOURCES.logical_ids("AWS::Cognito::UserPoolGroup")}
    assert groups == {"care-team", "care-admin", "clinic-manager"}


def test_the_console_bucket_is_private_and_read_only_through_cloudfront() -> None:
    bucket = RESOURCES.properties("ConsoleBucket")
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (allow, deny) = RESOURCES.properties("ConsoleBucketPolicy")["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "ConsoleDistribution" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    config = RESOURCES.properties("ConsoleDistribution")["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "ConsoleResponseHeadersPolicy"}


def test_the_console_gets_strict_security_headers() -> None:
    headers = RESOURCES.properties("ConsoleResponseHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert headers["FrameOptions"]["FrameOption"] == "DENY"


def test_notifications_and_reminders_link_to_the_deployed_console() -> None:
    """The distribution's own name unless ConsoleDomainName is set (test_template.py covers that case)."""
    for function in ("NotifyCareTeamFunction", "RemindCareTeamFunction"):
        url = RESOURCES.properties(function)["Environment"]["Variables"]["CONSOLE_BASE_URL"]
        assert url == {"Fn::If": ["ConsoleDomainSet", {"Fn::Sub": "https://${ConsoleDomainName}/care/#/inquiries"},
                                  {"Fn::Sub": "https://${ConsoleDistribution.DomainName}/care/#/inquiries"}]}, function
    outputs = RESOURCES.template["Outputs"]
    assert outputs["ConsoleUrl"]["Value"] == {"Fn::If": ["ConsoleDomainSet", {"Fn::Sub": "https://${ConsoleDomainName}/care"},
                                                         {"Fn::Sub": "https://${ConsoleDistribution.DomainName}/care"}]}


def test_reminders_run_on_a_schedule_and_only_query_the_status_index() -> None:
    (event,) = RESOURCES.properties("RemindCareTeamFunction")["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"] == "rate(15 minutes)"
    granted = actions("RemindCareTeamFunction")
    assert granted == {"dynamodb:Query", "dynamodb:UpdateItem", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
                       "kms:DescribeKey", "cloudwatch:PutMetricData"}
    # CareTeamEscalated is counted straight to CloudWatch (reminders.py): without this grant AWS refused it.
    [count] = [s for s in statements("RemindCareTeamFunction") if s["Action"] == "cloudwatch:PutMetricData"]
    assert count["Resource"] == "*"
    assert count["Condition"] == {"StringEquals": {"cloudwatch:namespace": "InquiryIntake"}}


# ---- issue 18: identity, sign-out, CSP, Cognito ---------------------------------------------------------------
def test_members_cannot_edit_the_attributes_identity_or_names_come_from() -> None:
    client = RESOURCES.properties("CareConsoleClient")
    assert "WriteAttributes" in client
    assert not {"email", "name", "email_verified"} & set(client["WriteAttributes"])
    pool = RESOURCES.properties("CareTeamUserPool")
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}


def test_the_care_api_checks_the_audience_and_reads_names_from_the_pool_only() -> None:
    env = RESOURCES.properties("CareApiFunction")["Environment"]["Variables"]
    assert env["CONSOLE_CLIENT_ID"] == {"Ref": "CareConsoleClient"}
    assert env["USER_POOL_ID"] == {"Ref": "CareTeamUserPool"}
    pool_reads = [s for s in statements("CareApiFunction") if any(
        a.startswith("cognito-idp:") for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))]
    # Names by sub, and the care team to assign from (GET /care/team): read only, this pool only.
    assert sorted(s["Action"] for s in pool_reads) == ["cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup"]
    assert all(s["Resource"] == {"Fn::GetAtt": ["CareTeamUserPool", "Arn"]} for s in pool_reads)


def test_tokens_last_fifteen_minutes_and_can_be_revoked() -> None:
    client = RESOURCES.properties("CareConsoleClient")
    assert client["IdTokenValidity"] == 15 and client["AccessTokenValidity"] == 15
    assert client["EnableTokenRevocation"] is True


def test_cognito_is_hardened_threat_protection_in_prod_admin_recovery_ses_and_mfa_beyond_dev() -> None:
    pool = RESOURCES.properties("CareTeamUserPool")
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": {"Fn::If": ["IsProd", "ENFORCED", "OFF"]}}
    assert pool["UserPoolTier"] == {"Fn::If": ["IsProd", "PLUS", "ESSENTIALS"]}
    assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]}
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 1
    email = pool["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderEmail}"}
    assert pool["MfaConfiguration"] == {"Fn::If": ["IsDev", "OPTIONAL", "ON"]}
    assert RESOURCES.template["Conditions"]["IsDev"] == {"Fn::Equals": [{"Ref": "Stage"}, "dev"]}


def test_the_console_header_allows_this_regions_cognito_and_api_gateway_only() -> None:
    # The header cannot name the API's id (ConsoleResponseHeadersPolicy -> InquiryApi -> CareApiFunction ->
    # ConsoleDistribution is a cycle); the published index.html's own policy names it (infra/publish_console.py).
    headers = RESOURCES.properties("ConsoleResponseHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src")).split()[1:]
    assert connect == ["'self'", "https://cognito-idp.${AWS::Region}.amazonaws.com",
                       "https://*.execute-api.${AWS::Region}.amazonaws.com"]
