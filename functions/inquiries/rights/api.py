"""RightsApiFunction's HTTP edge: ``GET /care/people`` (``&only=references``: which inquiries, never gated),
``GET /care/exports/{request_id}``,
``POST /care/erasures``, ``GET /care/erasures``, ``POST /care/erasures/{request_id}/approve`` and ``/reject``;
``care-admin`` only (401/403 before anything is
read). Answers are JSON and ``Cache-Control: no-store``; error bodies are fixed texts that echo nothing sent
(the address or number asked for is never in an answer, a log or a metric).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types

from inquiries.care.access import CARE_ADMIN, CareActor, NotAllowed, NotSignedIn, actor_from_event
from inquiries.data.errors import AuditUnavailable, DataUnavailable
from inquiries.observability import count_by_reason, log_unhandled, logger
from inquiries.record import MAX_BODY_BYTES, FieldError, error_body
from inquiries.rights.person import InvalidPhoneNumber, Person
from inquiries.rights.requests import NotRequester, RequestGone, SameAdmin, StaleRequest
from inquiries.rights.service import RightsService
from inquiries.rights.views import REASONS, ExportPending, RightsView, rights_json
from inquiries.settings import RightsApiSettings

_REQUEST_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_BODY_FIELDS = {"email", "phone", "reason"}
MAX_TERM_CHARS = 320
ONLY_REFERENCES = "references"  # GET /care/people?…&only=references: which inquiries, not their contents


class Refused(Exception):
    """A request refused with ``status`` and one fixed, PHI-free error."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(status)
        self.status = status
        self.errors = [FieldError(field=field, message=message)]


def _answer(body: str, status: int = 200) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body,
                    headers={"Cache-Control": "no-store"})


def _json(view: RightsView, status: int = 200) -> Response[str]:
    return _answer(rights_json(view), status)


def _cors(settings: RightsApiSettings) -> CORSConfig | None:
    if not settings.console_origin:
        return None
    return CORSConfig(allow_origin=settings.console_origin, allow_headers=["Authorization", "Content-Type"],
                      max_age=600, allow_credentials=False)


def _body(raw: str | None, is_base64: bool, content_type: str | None) -> dict[str, Any]:
    media = (content_type or "application/json").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Refused(415, None, "Send the request as application/json.")
    try:
        data = base64.b64decode(raw or "", validate=True) if is_base64 else (raw or "").encode("utf-8")
        if len(data) > MAX_BODY_BYTES:
            raise Refused(413, None, "The request is too large.")
        parsed = json.loads(data.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
        raise Refused(400, None, "The request body is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise Refused(400, None, "Send the request as a JSON object.")
    return parsed


def _term(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_TERM_CHARS:
        raise Refused(422, field, f"Give {field} as text.")
    return value


def person_of(service: RightsService, email: str | None, phone: str | None, *,
              both: bool = False) -> tuple[Person, str]:
    """The person and the kind of term (``email`` or ``phone``; ``both`` allows the two together). Raises
    ``Refused`` (422), never echoing what was sent."""
    if email is None and phone is None:
        raise Refused(422, None, "Give an email address or a phone number.")
    if email is not None and phone is not None and not both:
        raise Refused(422, None, "Give either an email address or a phone number, not both.")
    try:
        return service.person(email=email, phone=phone), "email" if email else "phone"
    except InvalidPhoneNumber:
        raise Refused(422, "phone", "This is not a phone number the inquiry form would accept.") from None
    except ValueError:  # inquiries.models.InvalidEmailAddress (not imported here: it loads pydantic)
        raise Refused(422, "email", "This is not an email address the inquiry form would accept.") from None


def create_rights_app(settings: RightsApiSettings, service: RightsService | None = None) -> APIGatewayRestResolver:
    """The resolver of the rights routes."""
    app = APIGatewayRestResolver(cors=_cors(settings))

    @lru_cache(maxsize=1)
    def rights() -> RightsService:
        return service or RightsService(settings)

    def admin() -> CareActor:
        actor = actor_from_event(app.current_event.raw_event, settings.console_client_id)
        actor.require(CARE_ADMIN)
        return actor

    def request_id_of(raw: str) -> str:
        if not _REQUEST_ID.match(raw):
            raise RequestGone("-")
        return raw

    @app.get("/care/people")
    def export_person() -> Response[str]:
        actor = admin()
        query = app.current_event.query_string_parameters or {}
        only = query.get("only") or None
        if only not in (None, ONLY_REFERENCES):
            raise Refused(422, "only", "Give only as references (which inquiries), or leave it out (the export).")
        person, kind = person_of(rights(), _term(query.get("email"), "email"), _term(query.get("phone"), "phone"))
        if only == ONLY_REFERENCES:
            return _json(rights().matches(actor, person, kind))
        answer = rights().export_or_request(actor, person, kind)
        return _json(answer, 202 if isinstance(answer, ExportPending) else 200)

    @app.get("/care/exports/<request_id>")
    def open_export(request_id: str) -> Response[str]:
        actor = admin()
        return _json(rights().open_export(actor, request_id_of(request_id)))

    @app.post("/care/erasures")
    def request_erasure() -> Response[str]:
        actor = admin()
        event = app.current_event
        body = _body(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"))
        if set(body) - _BODY_FIELDS:
            raise Refused(422, None, "Send only email, phone and reason.")
        reason = body.get("reason")
        if reason not in REASONS:
            raise Refused(422, "reason", "Give reason as one of: " + ", ".join(REASONS) + ".")
        person, _kind = person_of(rights(), _term(body.get("email"), "email"), _term(body.get("phone"), "phone"),
                                  both=True)
        answer = rights().request_erasure(actor, person, str(reason))
        return _json(answer, 202 if answer.status == "pending" else 200)

    @app.get("/care/erasures")
    def pending_erasures() -> Response[str]:
        return _json(rights().pending(admin()))

    @app.post("/care/erasures/<request_id>/approve")
    def approve_erasure(request_id: str) -> Response[str]:
        actor = admin()
        return _json(rights().approve(actor, request_id_of(request_id)))

    @app.post("/care/erasures/<request_id>/reject")
    def reject_erasure(request_id: str) -> Response[str]:
        actor = admin()
        return _json(rights().reject(actor, request_id_of(request_id)))

    @app.not_found
    def not_found(_exc: Exception) -> Response[str]:
        return _answer(error_body([FieldError(field=None, message="Not found.")]), 404)

    def fail(status: int, message: str, field: str | None = None) -> Response[str]:
        count_by_reason("RightsRequestRefused" if status < 500 else "RightsRequestFailed", str(status))
        return _answer(error_body([FieldError(field=field, message=message)]), status)

    def refused(exc: Refused) -> Response[str]:
        count_by_reason("RightsRequestRefused", str(exc.status))
        return _answer(error_body(exc.errors), exc.status)

    def audit_failed(exc: AuditUnavailable) -> Response[str]:
        logger.error("audit entry not stored; nothing shown or erased", extra={"error_type": exc.cause})
        return fail(503, "The audit trail is unavailable, so nothing was done. Try again.")

    def data_unavailable(exc: DataUnavailable) -> Response[str]:
        logger.error("inquiries unavailable", extra={"error_type": exc.cause})
        return fail(503, "Inquiries are unavailable right now. Try again in a moment.")

    def unexpected(exc: Exception) -> Response[str]:
        log_unhandled(exc)
        return fail(500, "Something went wrong on our side. Try again.")

    handlers: list[tuple[type[Exception], Any]] = [
        (Refused, refused),
        (NotSignedIn, lambda _e: fail(401, "Sign in again.")),
        (NotAllowed, lambda _e: fail(403, "Your account is not allowed to do this.")),
        (RequestGone, lambda _e: fail(404, "There is no such pending request (it may have expired or been "
                                           "decided).")),
        (SameAdmin, lambda _e: fail(403, "A different admin must approve this request.")),
        (StaleRequest, lambda _e: fail(409, "The keys that find a person's data were rotated after this request "
                                            "was made, so it could miss some of it. Reject it and ask again.")),
        (NotRequester, lambda _e: fail(403, "Only the admin who asked for this export may open it.")),
        (AuditUnavailable, audit_failed), (DataUnavailable, data_unavailable), (Exception, unexpected),
    ]
    for exc_type, handle in handlers:
        app.exception_handler(exc_type)(handle)
    return app
