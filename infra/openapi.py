"""Export the API's OpenAPI document (generated from the models), or check it is current.

pydantic describes intake's models and, through ``TypeAdapter``, the care API's plain dataclasses:
it runs here, at build time, and never in CareApiFunction.

    python -m infra.openapi > docs/openapi.json
    python -m infra.openapi --check docs/openapi.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inquiries.care.api import MAX_PAGE_SIZE
from inquiries.care.search import MAX_TERM_LENGTH
from inquiries.care.views import (
    AuditTrail,
    BulkResults,
    CareAttempt,
    CareBulk,
    CareChange,
    CareInquiry,
    CarePage,
    CareQueue,
    CareTeam,
    SearchResults,
)
from inquiries.intake.api import IntakeApp, openapi_document
from inquiries.intake.service import IntakeService
from inquiries.record import InquiryStatus
from inquiries.rights.views import (
    REASONS,
    ErasureDone,
    ErasurePending,
    ErasureRejected,
    ExportApproved,
    ExportPending,
    PendingRequests,
    PersonExport,
    PersonMatches,
)
from inquiries.settings import IntakeSettings
from pydantic import TypeAdapter

from infra.template import TemplateResources

# Only what shapes the document matters here; the service is never built.
_DOCUMENTED = IntakeSettings(inquiries_table="-", idempotency_table="-", rate_limit_table="-",
                             pepper_secret="-", confirmation_queue_url="-", care_team_queue_url="-",  # noqa: S106
                             inquiry_lookup_table="-", inquiry_stats_table="-")


def _no_service() -> IntakeService:
    raise RuntimeError("the OpenAPI document is built without a service")


def _schema(model: type[Any], components: dict[str, Any]) -> dict[str, str]:
    """A $ref to ``model`` (a dataclass) in the document's components (the types it holds added beside it)."""
    schema = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}", mode="serialization",
                                            by_alias=True)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _answers(ok: dict[str, Any], statuses: dict[int, str], error: dict[str, str]) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": ok}}}}
    for status, text in statuses.items():
        answers[str(status)] = {"description": text, "content": {"application/json": {"schema": error}}}
    return answers


def care_paths(components: dict[str, Any]) -> dict[str, Any]:
    """The care console's routes (CareApiFunction, behind API Gateway's Cognito authorizer).

    Written here from the same dataclasses the care API answers with: its resolver reads its
    parameters by hand, so Powertools cannot describe them.
    """
    error = {"$ref": "#/components/schemas/ErrorBody"}
    refused = {401: "No, or an invalid, expired or wrongly addressed ID token (API Gateway answers).",
               403: "A valid token outside the groups this route needs.",
               422: "A parameter breaks a rule; no submitted value is echoed.",
               503: "The inquiries or the audit trail are unavailable: nothing was shown or changed."}
    inquiry_id = {"name": "inquiry_id", "in": "path", "required": True,
                  "schema": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}}
    # GET also takes the reference the person was emailed, in any case.
    id_or_reference = {**inquiry_id, "schema": {"type": "string",
                                                "pattern": "^([0-9A-HJKMNP-TV-Z]{26}|[Ii][Nn][Qq]-[0-9A-Za-z]{8})$"}}
    security: list[dict[str, list[str]]] = [{"CognitoIdToken": []}]
    change = _schema(CareChange, components)
    one = _schema(CareInquiry, components)
    return {
        "/care/inquiries": {"get": {
            "summary": "The care team's list of inquiries in one status, newest first", "tags": ["care"],
            "operationId": "care_list_inquiries", "security": security,
            "parameters": [
                # Empty means the default, as a form left blank sends it.
                {"name": "status", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["", *(s.value for s in InquiryStatus)]}},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": f"^(0*([1-9]|[1-9][0-9]|{MAX_PAGE_SIZE}))?$"}},
                {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "responses": _answers(_schema(CarePage, components), refused, error),
        }},
        "/care/inquiries/{inquiry_id}": {
            "get": {"summary": "One inquiry in full, by id or by reference (INQ-XXXXXXXX)", "tags": ["care"],
                    "operationId": "care_read_inquiry", "security": security, "parameters": [id_or_reference],
                    "responses": _answers(one, {**refused, 404: "No such inquiry."}, error)},
            "patch": {
                "summary": "Change an inquiry's status or assignee, correct its triage level, or add a note",
                "tags": ["care"],
                "operationId": "care_change_inquiry", "security": security,
                "parameters": [inquiry_id, {"name": "If-Match", "in": "header", "required": False,
                                            "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": change}}},
                "responses": _answers(one, {**refused, 400: "The body is not a JSON object.",
                                            404: "No such inquiry.",
                                            412: "Someone else changed it since that version was read.",
                                            413: "The body is over 16 KiB.",
                                            415: "The body is not application/json.",
                                            428: "If-Match is missing."}, error),
            },
        },
        "/care/inquiries/{inquiry_id}/attempts": {"post": {
            "summary": "Log an attempt to reach the person (reached moves it to contacted, any other outcome "
                       "moves new to attempting)", "tags": ["care"], "operationId": "care_log_attempt",
            "security": security,
            "parameters": [inquiry_id, {"name": "If-Match", "in": "header", "required": False,
                                        "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _schema(CareAttempt, components)}}},
            "responses": {**{k: v for k, v in _answers(one, {
                **refused, 400: "The body is not a JSON object.", 404: "No such inquiry.",
                412: "Someone else changed it since that version was read.", 413: "The body is over 16 KiB.",
                415: "The body is not application/json.", 428: "If-Match is missing."}, error).items() if k != "200"},
                "201": {"description": "Logged: the updated inquiry",
                        "content": {"application/json": {"schema": one}}}},
        }},
        "/care/bulk": {"post": {
            "summary": "The same status or assignee change to several inquiries, each checked, audited and "
                       "versioned alone", "tags": ["care"], "operationId": "care_bulk_change", "security": security,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _schema(CareBulk, components)}}},
            "responses": _answers(_schema(BulkResults, components), {
                **refused, 400: "The body is not a JSON object.", 413: "The body is over 16 KiB.",
                415: "The body is not application/json."}, error),
        }},
        "/care/queue": {"get": {
            "summary": "The open inquiries (new, attempting, contacted) by attention, and each status's count",
            "tags": ["care"], "operationId": "care_queue", "security": security,
            "parameters": [
                {"name": "assignee", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^(me|none|[0-9A-Za-z-]{1,64})?$"}},
                {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {**_answers(_schema(CareQueue, components), refused, error),
                          "304": {"description": "Unchanged since that ETag: no body, nothing read or audited."}},
        }},
        "/care/search": {"get": {
            "summary": "Find inquiries by reference, exact email, exact phone or name (audited without the term)",
            "tags": ["care"], "operationId": "care_search", "security": security,
            "parameters": [{"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_TERM_LENGTH}}],
            "responses": _answers(_schema(SearchResults, components), refused, error),
        }},
        "/care/team": {"get": {
            "summary": "The care team to assign to: enabled members of care-team and care-admin", "tags": ["care"],
            "operationId": "care_team", "security": security,
            "responses": _answers(_schema(CareTeam, components), {k: v for k, v in refused.items() if k != 422},
                                  error),
        }},
        "/care/audit": {"get": {
            "summary": "Search the audit trail over its whole retention, newest first, paged by cursor, as JSON or "
                       "a CSV download (care-admin only; audited as audit_read or audit_export)",
            "tags": ["care"], "operationId": "care_audit_trail", "security": security,
            "parameters": [
                {"name": "inquiry_id", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^([0-9A-HJKMNP-TV-Z]{26})?$"}},
                {"name": "reference", "in": "query", "required": False,
                 "description": "INQ-XXXXXXXX of an inquiry still kept (422 otherwise); inquiry_id wins",
                 "schema": {"type": "string", "maxLength": 40}},
                {"name": "actor", "in": "query", "required": False, "description": "A member's sub",
                 "schema": {"type": "string", "pattern": "^([0-9A-Za-z-]{1,64})?$"}},
                {"name": "action", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^([a-z_]{1,40})?$"}},
                {"name": "from", "in": "query", "required": False, "description": "First UTC day, YYYY-MM-DD",
                 "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "required": False, "description": "Last UTC day, YYYY-MM-DD",
                 "schema": {"type": "string", "format": "date"}},
                {"name": "cursor", "in": "query", "required": False,
                 "description": "next_cursor of the same query (any other is 422)", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^(0*([1-9]|[1-9][0-9]|[1-4][0-9][0-9]|500))?$"}},
                {"name": "format", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": ["", "json", "csv"]}},
            ],
            "responses": {**_answers(_schema(AuditTrail, components), refused, error),
                          "200": {"description": "OK (text/csv with format=csv: a download, X-Next-Cursor when "
                                                 "more than 5,000 rows follow)",
                                  "content": {"application/json": {"schema": {"$ref":
                                                                              "#/components/schemas/AuditTrail"}},
                                              "text/csv": {"schema": {"type": "string"}}}}},
        }},
    }


def rights_paths(components: dict[str, Any]) -> dict[str, Any]:
    """The person's rights (RightsApiFunction, care-admin only, behind the same authorizer)."""
    error = {"$ref": "#/components/schemas/ErrorBody"}
    refused = {401: "No, or an invalid, expired or wrongly addressed ID token (API Gateway answers).",
               403: "Not a care-admin (or, approving, the admin who made the request).",
               503: "The inquiries or the audit trail are unavailable: nothing was shown or erased."}
    security: list[dict[str, list[str]]] = [{"CognitoIdToken": []}]
    request_id = {"name": "request_id", "in": "path", "required": True,
                  "schema": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"}}
    done = _schema(ErasureDone, components)
    gone = {404: "No such pending request (expired, decided or never made)."}
    return {
        "/care/people": {"get": {
            "summary": "Every inquiry of one person, by keyed email or phone hash, with notes and history (the "
                       "right of access; audited as person_export without the term)",
            "tags": ["rights"], "operationId": "rights_export_person", "security": security,
            "parameters": [{"name": "email", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "phone", "in": "query", "required": False, "schema": {"type": "string"}},
                           {"name": "only", "in": "query", "required": False,
                            "description": "references: which inquiries (PersonMatches: count and references, no "
                                           "field), never gated by RequireSecondApproval; audited as person_search",
                            "schema": {"type": "string", "enum": ["references"]}}],
            "responses": {**_answers({"oneOf": [_schema(PersonExport, components),
                                                _schema(PersonMatches, components)]},
                                     {**refused, 422: "Neither or both given, one the form would refuse, or another "
                                                      "only."}, error),
                          "202": {"description": "RequireSecondApproval: a pending export request (kind export), "
                                                 "listed at GET /care/erasures until a different admin approves it",
                                  "content": {"application/json": {
                                      "schema": _schema(ExportPending, components)}}}},
        }},
        "/care/exports/{request_id}": {"get": {
            "summary": "An export approved by a different admin, for the admin who asked, once (audited as "
                       "person_export)", "tags": ["rights"], "operationId": "rights_open_export",
            "security": security, "parameters": [request_id],
            "responses": _answers(_schema(PersonExport, components),
                                  {**refused, 403: "Not a care-admin, or not the admin who asked for it.",
                                   404: "No such approved export (not yet approved, opened already, rejected or "
                                        "expired).",
                                   409: "Made before a pepper rotation: reject it and ask again."}, error),
        }},
        "/care/erasures": {
            "post": {
                "summary": "Erase one person's data (the same code as infra.erase), or with RequireSecondApproval "
                           "store a pending request (202)",
                "tags": ["rights"], "operationId": "rights_request_erasure", "security": security,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False, "required": ["reason"],
                    "properties": {"email": {"type": "string"}, "phone": {"type": "string"},
                                   "reason": {"type": "string", "enum": list(REASONS)}}}}}},
                "responses": {**_answers(done, {**refused, 400: "The body is not a JSON object.",
                                                413: "The body is over 16 KiB.",
                                                415: "The body is not application/json.",
                                                422: "No email or phone, one the form would refuse, or a reason "
                                                     "outside the codes."}, error),
                              "202": {"description": "Pending a different admin's approval",
                                      "content": {"application/json": {
                                          "schema": _schema(ErasurePending, components)}}}},
            },
            "get": {
                "summary": "The pending erasure requests (no email or phone)", "tags": ["rights"],
                "operationId": "rights_pending_erasures", "security": security,
                "responses": _answers(_schema(PendingRequests, components), refused, error),
            },
        },
        "/care/erasures/{request_id}/approve": {"post": {
            "summary": "Approve a pending request made by another admin: an erasure is carried out; an export "
                       "(ExportApproved) opens to its requester for 15 minutes", "tags": ["rights"],
            "operationId": "rights_approve_erasure", "security": security, "parameters": [request_id],
            "responses": _answers({"oneOf": [done, _schema(ExportApproved, components)]},
                                  {**refused, **gone, 409: "Made before a pepper rotation: reject it and ask again."},
                                  error),
        }},
        "/care/erasures/{request_id}/reject": {"post": {
            "summary": "Reject (or, by its requester, withdraw) a pending erasure", "tags": ["rights"],
            "operationId": "rights_reject_erasure", "security": security, "parameters": [request_id],
            "responses": _answers(_schema(ErasureRejected, components), {**refused, **gone}, error),
        }},
    }


def report_paths() -> dict[str, Any]:
    """``GET /care/reports`` (functions/inquiries/reports/api.py): care-admin and clinic-manager; docs/reports.md
    defines every figure."""
    error = {"$ref": "#/components/schemas/ErrorBody"}
    week_or_date = {"type": "string", "pattern": "^([0-9]{4}-W[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2})?$"}
    point = {"type": "object", "required": ["week"], "properties": {
        "week": {"type": "string"}, "value": {"type": ["number", "null"]}, "share": {"type": ["number", "null"]},
        "count": {"type": "integer"}, "median_minutes": {"type": ["number", "null"]},
        "p90_minutes": {"type": ["number", "null"]}, "within_target_share": {"type": ["number", "null"]},
        "reached": {"type": "integer"}, "attempts": {"type": "integer"}}}
    figure = {"type": "object", "required": ["id", "by", "title", "unit", "definition", "source", "series"],
              "properties": {"id": {"type": "string", "enum": ["time_to_first_contact", "volume", "reached_scheduled",
                                                                "attempts_per_reached", "triage_corrections"]},
                             "by": {"type": "string"}, "title": {"type": "string"}, "unit": {"type": "string"},
                             "definition": {"type": "string"}, "source": {"type": "string"},
                             "series": {"type": "array", "items": {"type": "object", "properties": {
                                 "key": {"type": "string"}, "points": {"type": "array", "items": point}}}}}}
    report = {"type": "object", "required": ["from", "to", "weeks", "time_zone", "bucket_edges_minutes", "figures"],
              "properties": {"from": {"type": "string"}, "to": {"type": "string"},
                             "weeks": {"type": "array", "items": {"type": "string"}},
                             "time_zone": {"type": "string"},
                             "bucket_edges_minutes": {"type": "array", "items": {"type": "integer"}},
                             "figures": {"type": "array", "items": figure}}}
    answers = _answers({"type": "object"}, {
        401: "No, or an invalid, expired or wrongly addressed ID token (API Gateway answers).",
        403: "A valid token outside care-admin and clinic-manager.",
        422: "from/to name no ISO week or date, from is after to, more than 53 weeks, or format is not json/csv.",
        503: "The audit trail is unavailable: nothing was shown."}, error)
    answers["200"] = {"description": "The report (JSON), or its aggregates as a CSV download",
                      "content": {"application/json": {"schema": report}, "text/csv": {"schema": {"type": "string"}}}}
    return {"/care/reports": {"get": {
        "summary": "Response-time and intake reports: weekly aggregates only, no inquiry data "
                   "(care-admin, clinic-manager)", "tags": ["care"], "operationId": "care_reports",
        "security": [{"CognitoIdToken": []}],
        "parameters": [
            {"name": "from", "in": "query", "required": False, "schema": week_or_date,
             "description": "First ISO week (2026-W49) or a date in it; default 11 weeks before to"},
            {"name": "to", "in": "query", "required": False, "schema": week_or_date,
             "description": "Last ISO week or a date in it; default this week (the clinic's time zone)"},
            {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "csv"]},
             "description": "csv (or Accept: text/csv): the aggregates as a download"},
        ],
        "responses": answers,
    }}}


INTEGRATION_SCHEME = "IntegrationClientCredentials"


def integration_security(doc: dict[str, Any], resources: TemplateResources) -> None:
    """The integration API's way in (IntegrationApi: the same function and paths, its own base URL): OAuth 2.0
    client credentials with the template's resource-server scopes, added beside the ID token on exactly the
    methods it serves, each with the scope its authorizer asks (``Auth.AuthorizationScopes``)."""
    server = resources.properties("CareApiResourceServer")
    scopes = {f"{server['Identifier']}/{scope['ScopeName']}": str(scope["ScopeDescription"])
              for scope in server["Scopes"]}
    doc["components"]["securitySchemes"][INTEGRATION_SCHEME] = {
        "type": "oauth2",
        "description": "The clinic system's app client (CareIntegrationClient) on the integration API only: its "
                       "base URL is the stack output IntegrationApiUrl, and the token endpoint is the stack "
                       "output IntegrationTokenUrl (the user pool's domain; the tokenUrl below shows its form). "
                       "An access token of the method's scope; the console's API takes no access token here, "
                       "nor the integration API an ID token (docs/integrations.md).",
        "flows": {"clientCredentials": {
            "tokenUrl": "https://inquiries-stack.auth.us-east-1.amazoncognito.com/oauth2/token",
            "scopes": scopes}},
    }
    for (path, method), asked in resources.api_scopes("IntegrationApi").items():
        operation = doc["paths"][path][method.lower()]
        operation["security"] = [*operation.get("security", []), {INTEGRATION_SCHEME: list(asked)}]


def render() -> str:
    """The OpenAPI document as stable, pretty JSON (what docs/openapi.json must hold)."""
    doc: dict[str, Any] = openapi_document(IntakeApp(_DOCUMENTED, service=_no_service))
    components = doc.setdefault("components", {})
    doc["paths"].update(care_paths(components.setdefault("schemas", {})))
    doc["paths"].update(report_paths())
    doc["paths"].update(rights_paths(components["schemas"]))
    components.setdefault("securitySchemes", {})["CognitoIdToken"] = {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "The Cognito ID token of a care-team member (a 'Bearer ' prefix is accepted)."}
    integration_security(doc, TemplateResources())
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the document, or with --check compare it to a file and fail when it differs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", type=Path, help="fail (exit 1) when this file differs from the generated one")
    args = parser.parse_args(argv)
    text = render()
    if args.check is None:
        sys.stdout.write(text)
        return 0
    current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
    if current != text:
        sys.stderr.write(f"{args.check} is stale: run `make openapi` and commit the result.\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
