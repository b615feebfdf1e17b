"""The care API's HTTP edge: routes, request reading, and the one place errors become statuses.

Every route first establishes who is asking (401 without verified claims, 403 outside the groups the
route needs), before anything is read. Answers are JSON and ``Cache-Control: no-store``; error bodies
are ``{"errors": [{"field", "message"}]}`` with fixed texts that echo nothing submitted.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from inquiries.care.access import (
    CARE_ADMIN,
    CareActor,
    NotAllowed,
    NotSignedIn,
    actor_of_care_team,
    integration_may,
    integration_of,
)
from inquiries.care.audit_search import AuditTrailSearch, audit_request
from inquiries.care.search import InvalidSearch
from inquiries.care.service import CareService, InvalidChange
from inquiries.care.views import (
    CHANGE_FIELD_MESSAGES,
    AuditTrail,
    BulkResults,
    CareInquiry,
    CarePage,
    CareQueue,
    InvalidFields,
    RequestedChange,
    as_json,
    requested_attempt,
    requested_bulk,
    requested_change,
)
from inquiries.data.care import UNASSIGNED
from inquiries.data.errors import AuditUnavailable, DataUnavailable, InquiryNotFound, InvalidCursor, VersionConflict
from inquiries.observability import count_by_reason, log_unhandled, logger
from inquiries.record import MAX_BODY_BYTES, FieldError, InquiryStatus, error_body
from inquiries.reports.api import add_report_routes
from inquiries.settings import CareApiSettings

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_INQUIRY_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_VERSION = re.compile(r'^(?:W/)?"?([1-9][0-9]{0,9})"?$')


class Refused(Exception):
    """A request refused with ``status`` and fixed, PHI-free ``errors``."""

    def __init__(self, status: int, errors: list[FieldError]) -> None:
        super().__init__(status)
        self.status = status
        self.errors = errors


def _one(field: str | None, message: str) -> list[FieldError]:
    return [FieldError(field=field, message=message)]


def _cors(settings: CareApiSettings) -> CORSConfig | None:
    if not settings.console_origin:
        return None  # locally the console and the API share one origin
    return CORSConfig(allow_origin=settings.console_origin, allow_headers=["Authorization", "Content-Type", "If-Match",
                                                                              "If-None-Match"],
                      expose_headers=["ETag", "Content-Disposition", "X-Next-Cursor"], max_age=600,
                      allow_credentials=False)


def _answer(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    # Every answer, error answers included, is about a person's inquiry: never cached.
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=body, headers={"Cache-Control": "no-store", **(headers or {})})


def _json(view: CarePage | CareInquiry | AuditTrail | CareQueue | BulkResults,
          headers: dict[str, str] | None = None, status: int = 200) -> Response[str]:
    return _answer(as_json(view), status, headers=headers)


def _error(status: int, errors: list[FieldError]) -> Response[str]:
    return _answer(error_body(errors), status)


def inquiry_id_of(raw: str) -> str:
    """The path's inquiry id; anything that cannot be one is simply not found."""
    if not _INQUIRY_ID.match(raw):
        raise InquiryNotFound("-")
    return raw


def expected_version(event: APIGatewayProxyEvent) -> int:
    """The version named by ``If-Match`` (428 without one; 412 for one no version can match)."""
    value = event.headers.get("if-match")
    if value is None or not value.strip():
        raise Refused(428, _one("If-Match", "Send If-Match with the version you last read."))
    match = _VERSION.match(value.strip())
    if match is None:
        raise VersionConflict("-")
    return int(match.group(1))


def json_object_of(event: APIGatewayProxyEvent, what: str = "change") -> dict[str, Any]:
    """A request's JSON object body (at most ``MAX_BODY_BYTES``). Raises ``Refused`` (415, 413, 400)."""
    media = (event.headers.get("content-type") or "application/json").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Refused(415, _one(None, f"Send the {what} as application/json."))
    raw = event.body or ""
    try:
        data = base64.b64decode(raw, validate=True) if event.is_base64_encoded else raw.encode("utf-8")
        if len(data) > MAX_BODY_BYTES:
            raise Refused(413, _one(None, f"The {what} is too large."))
        parsed = json.loads(data.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise Refused(400, _one(None, "The request body is not valid JSON.")) from None
    if not isinstance(parsed, dict):
        raise Refused(400, _one(None, f"Send the {what} as a JSON object."))
    return parsed


def change_of(event: APIGatewayProxyEvent) -> RequestedChange:
    """The requested change, from a JSON object body. Raises ``Refused`` or ``InvalidFields``."""
    parsed = json_object_of(event)
    if not set(CHANGE_FIELD_MESSAGES) & set(parsed):
        raise Refused(422, _one(None, "Send a status, an assignee, a level (with level_reason) or a note."))
    return requested_change(parsed)


_SUB = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def assignee_filter(event: APIGatewayProxyEvent, own_sub: str) -> str | None:
    """The queue's ``assignee``: ``me`` (the caller's sub), ``none`` (unassigned), a member's sub, or absent
    (everyone's). Raises ``Refused`` (422) for anything else."""
    value = (event.query_string_parameters or {}).get("assignee") or None
    if value is None:
        return None
    if value == "me":
        return own_sub
    if value == "none":
        return UNASSIGNED
    if not _SUB.match(value):
        raise Refused(422, _one("assignee", "Give assignee as me, none, or a care-team member's id."))
    return value


def _page_query(event: APIGatewayProxyEvent) -> tuple[InquiryStatus, int, str | None]:
    query = event.query_string_parameters or {}
    try:
        status = InquiryStatus(query.get("status") or InquiryStatus.NEW.value)
    except ValueError:
        raise Refused(422, _one("status", CHANGE_FIELD_MESSAGES["status"])) from None
    limit_text = query.get("limit") or str(DEFAULT_PAGE_SIZE)
    if not (limit_text.isascii() and limit_text.isdigit()) or not 1 <= int(limit_text) <= MAX_PAGE_SIZE:
        raise Refused(422, _one("limit", f"Give limit as a whole number from 1 to {MAX_PAGE_SIZE}."))
    return status, int(limit_text), query.get("cursor") or None


def create_care_app(settings: CareApiSettings, service: CareService | None = None) -> APIGatewayRestResolver:
    """The resolver for GET /care/inquiries, GET and PATCH /care/inquiries/{inquiry_id or reference}, POST
    /care/inquiries/{inquiry_id}/attempts, POST /care/bulk, GET /care/queue, GET /care/search, GET /care/team,
    GET /care/audit, GET /care/reports."""
    app = APIGatewayRestResolver(cors=_cors(settings))

    @lru_cache(maxsize=1)
    def care() -> CareService:
        return service or CareService(settings)

    def integration() -> CareActor | None:
        return integration_of(app.current_event.raw_event, settings.integration_client_id, settings.integration_name)

    def integration_guard(resolver: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[str]:
        # An integration's token reaches one inquiry's GET (and PATCH with the write scope), nothing else:
        # refused before any route reads anything, whichever route it is.
        acting = integration()
        if acting is not None and not integration_may(acting, resolver.current_event.http_method,
                                                      resolver.current_event.path):
            count_by_reason("CareRequestRefused", "403")
            return _error(403, _one(None, "This integration is not allowed to do this."))
        answer: Response[str] = next_middleware(resolver)
        return answer

    app.use([integration_guard])

    def one_inquiry_actor() -> CareActor:
        """Who reads or changes one inquiry: an integration (its scope checked by the guard) or a person."""
        return integration() or actor_of_care_team(app.current_event.raw_event, settings.console_client_id)

    @app.get("/care/inquiries")
    def list_inquiries() -> Response[str]:
        actor = actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        status, limit, cursor = _page_query(app.current_event)
        return _json(care().list_inquiries(actor, status, limit, cursor))

    @app.get("/care/inquiries/<inquiry_id>")
    def read_inquiry(inquiry_id: str) -> Response[str]:
        actor = one_inquiry_actor()
        inquiry = care().read(actor, care().inquiry_id_for(inquiry_id))  # an id, or a reference INQ-XXXXXXXX
        return _json(inquiry, headers={"ETag": f'"{inquiry.version}"'})

    # ---- finding people and records (care/search.py, care/team.py) --------------------------------------------
    @app.get("/care/search")
    def search_inquiries() -> Response[str]:
        actor = actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        term = (app.current_event.query_string_parameters or {}).get("q") or ""
        try:
            return _answer(as_json(care().search(actor, term)))
        except InvalidSearch as exc:
            raise Refused(422, _one("q", exc.message)) from None

    @app.get("/care/team")
    def care_team() -> Response[str]:
        actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        return _answer(as_json(care().team()))

    @app.patch("/care/inquiries/<inquiry_id>")
    def change_inquiry(inquiry_id: str) -> Response[str]:
        actor = one_inquiry_actor()
        target = inquiry_id_of(inquiry_id)
        version = expected_version(app.current_event)
        inquiry = care().change(actor, target, version, change_of(app.current_event))
        return _json(inquiry, headers={"ETag": f'"{inquiry.version}"'})

    # The workflow and the queue (contact attempts, bulk changes, the attention-ordered queue).
    @app.post("/care/inquiries/<inquiry_id>/attempts")
    def log_attempt(inquiry_id: str) -> Response[str]:
        actor = actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        target = inquiry_id_of(inquiry_id)
        version = expected_version(app.current_event)
        attempt = requested_attempt(json_object_of(app.current_event, "attempt"))
        inquiry = care().log_attempt(actor, target, version, attempt)
        return _json(inquiry, headers={"ETag": f'"{inquiry.version}"'}, status=201)

    @app.post("/care/bulk")
    def bulk_change() -> Response[str]:
        actor = actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        items, requested = requested_bulk(json_object_of(app.current_event, "bulk change"))
        return _json(care().bulk(actor, items, requested))

    @app.get("/care/queue")
    def queue() -> Response[str]:
        actor = actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        assignee = assignee_filter(app.current_event, actor.sub)
        answer = care().queue(actor, assignee, app.current_event.headers.get("if-none-match"))
        if answer.view is None:  # the caller's copy is current: nothing read, shown or audited
            return Response(status_code=304, body="", headers={"Cache-Control": "no-store", "ETag": answer.etag})
        return _json(answer.view, headers={"ETag": answer.etag})

    # ---- the audit trail, searchable (care/audit_search.py) ----------------------------------------------------
    @app.get("/care/audit")
    def audit_trail() -> Response[str]:
        actor = actor_of_care_team(app.current_event.raw_event, settings.console_client_id)
        actor.require(CARE_ADMIN)
        request = audit_request(app.current_event.query_string_parameters or {},
                                app.current_event.headers.get("accept"), care())
        if not request.csv:
            return _json(audit_search().page(actor, request))
        body, rest = audit_search().export(actor, request)
        headers = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="audit-trail.csv"'}
        if rest:
            headers["X-Next-Cursor"] = rest
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=body, headers=headers)

    @lru_cache(maxsize=1)
    def audit_search() -> AuditTrailSearch:
        return AuditTrailSearch(care())

    # ---- reports (reports/api.py): aggregates only, for care-admin and clinic-manager -------------------------
    add_report_routes(app, settings)

    @app.not_found
    def not_found(_exc: Exception) -> Response[str]:
        return _error(404, _one(None, "Not found."))

    def refused(exc: Refused) -> Response[str]:
        count_by_reason("CareRequestRefused", str(exc.status))
        return _error(exc.status, exc.errors)

    def not_signed_in(_exc: NotSignedIn) -> Response[str]:
        count_by_reason("CareRequestRefused", "401")
        return _error(401, _one(None, "Sign in again."))

    def not_allowed(_exc: NotAllowed) -> Response[str]:
        count_by_reason("CareRequestRefused", "403")
        return _error(403, _one(None, "Your account is not allowed to do this."))

    def unknown(_exc: InquiryNotFound) -> Response[str]:
        return _error(404, _one(None, "There is no such inquiry."))

    def stale(_exc: VersionConflict) -> Response[str]:
        count_by_reason("CareRequestRefused", "412")
        return _error(412, _one("If-Match", "Someone else changed this inquiry since you opened it. "
                                            "Reload it and try again."))

    def invalid_change(exc: InvalidChange) -> Response[str]:
        return _error(422, _one(exc.field, exc.message))

    def invalid_fields(exc: InvalidFields) -> Response[str]:
        return _error(422, exc.errors)

    def invalid_cursor(_exc: InvalidCursor) -> Response[str]:
        return _error(422, _one("cursor", "This cursor does not belong to this list; start from the first page."))

    def audit_failed(exc: AuditUnavailable) -> Response[str]:
        logger.error("audit entry not stored; nothing shown", extra={"error_type": exc.cause})
        count_by_reason("CareRequestFailed", "audit_unavailable")
        return _error(503, _one(None, "The audit trail is unavailable, so nothing can be shown. Try again."))

    def data_unavailable(exc: DataUnavailable) -> Response[str]:
        logger.error("inquiries unavailable", extra={"error_type": exc.cause})
        count_by_reason("CareRequestFailed", "data_unavailable")
        return _error(503, _one(None, "Inquiries are unavailable right now. Try again in a moment."))

    def unexpected(exc: Exception) -> Response[str]:
        log_unhandled(exc)
        count_by_reason("CareRequestFailed", "unhandled")
        return _error(500, _one(None, "Something went wrong on our side. Try again."))

    handlers: list[tuple[type[Exception], Any]] = [
        (Refused, refused), (NotSignedIn, not_signed_in), (NotAllowed, not_allowed), (InquiryNotFound, unknown),
        (VersionConflict, stale), (InvalidChange, invalid_change), (InvalidFields, invalid_fields),
        (InvalidCursor, invalid_cursor), (AuditUnavailable, audit_failed), (DataUnavailable, data_unavailable),
        (Exception, unexpected),
    ]
    for exc_type, handle in handlers:
        app.exception_handler(exc_type)(handle)
    return app
