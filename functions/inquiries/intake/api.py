"""The HTTP edge: Powertools resolver, request decoding, and the one place errors become statuses.

Error bodies are always ``{"errors": [{"field": ..., "message": ...}]}`` with fixed texts: no
submitted value is ever echoed, and no exception text (which could hold PHI) reaches a response
or a log line.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from pydantic_core import ValidationError

from inquiries.data.errors import DataUnavailable, Throttled
from inquiries.i18n import N_, translate
from inquiries.ids import new_inquiry_id
from inquiries.intake.language import preferred_language, request_language
from inquiries.intake.rate_limit import RateLimited
from inquiries.intake.service import IntakeService, Submission, accepted_answer
from inquiries.intake.strict_json import JsonRefused, parse_strict_json
from inquiries.models_core import (
    IDEMPOTENCY_KEY_PATTERN,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    AcceptedInquiry,
    ErrorBody,
    describe_validation_errors,
    validate_inquiry,
)
from inquiries.observability import count_by_reason, log_unhandled
from inquiries.record import MAX_BODY_BYTES, CrisisResource, FieldError, Language, error_body
from inquiries.settings import IntakeSettings, MessageSettings

if TYPE_CHECKING:
    from inquiries.intake.turnstile import TurnstileCheck

# The hidden field Cloudflare's Turnstile widget adds to the form: taken out of every submission, whether or not
# the check is on (``inquiries.intake.turnstile``, imported only when it is).
TOKEN_FIELD = "cf-turnstile-response"  # noqa: S105 - a field name, not a secret

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 40
# Browsers and API clients send well under 2 KiB of headers; API Gateway itself stops at 10 KiB.
MAX_HEADER_BYTES = 8 * 1024


class RequestRejected(Exception):
    """A request we refuse, with its status, a non-PHI reason code and the messages for the person."""

    def __init__(self, status: int, reason: str, errors: list[FieldError], headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.errors = errors
        self.headers = headers or {}


def _whole_request(message: str) -> list[FieldError]:
    """One error about the request as a whole. ``message`` is an English msgid (Babel extracts this function's
    argument, ``babel.cfg``); ``error_response`` says it in the person's language."""
    return [FieldError(field=None, message=message)]


# ---- decoding ------------------------------------------------------------------------------------------
def media_type(event: APIGatewayProxyEvent) -> str:
    """The request's media type, lower-cased, without parameters."""
    return (event.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def read_submission(event: APIGatewayProxyEvent) -> dict[str, Any]:
    """The submitted fields as a dict, from JSON or form data (base64 bodies decoded).

    Raises ``RequestRejected`` with 415, 413 or 400. The size is checked before anything is parsed.
    """
    # No Content-Type at all is refused too: a body without one is what a cross-site page can send
    # with no CORS preflight, so reading it as JSON would let any website submit for its visitors.
    kind = media_type(event)
    if kind not in (JSON, FORM):
        raise RequestRejected(415, "unsupported_media_type", _whole_request(
            "Send the inquiry as application/json or application/x-www-form-urlencoded."))
    raw = event.body or ""
    # A base64 body decodes to 3/4 of its length: anything longer than this cannot fit the limit.
    if len(raw) > MAX_BODY_BYTES * (4 if event.is_base64_encoded else 1):
        raise _too_large()
    try:
        data = _b64(raw) if event.is_base64_encoded else raw.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise RequestRejected(400, "invalid_body", _whole_request("The request body could not be read.")) from None
    if len(data) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRejected(400, "invalid_body", _whole_request("The request body must be UTF-8 text.")) from None
    return _parse_json(text) if kind == JSON else _parse_form(text)


_TOO_LARGE = N_("The inquiry is too large. Keep it under %(kib)s KiB.")


def _too_large() -> RequestRejected:
    return RequestRejected(413, "too_large", _whole_request(_TOO_LARGE))


def check_headers(event: APIGatewayProxyEvent, allowed_origins: tuple[str, ...]) -> None:
    """Refuse oversized headers (431) and a browser posting from another website (403).

    An ``Origin`` header is sent by browsers with every cross-site POST (and same-origin ones), and a
    page cannot forge it: one that is not a configured origin means another website is submitting
    for its visitor. Clients that send no Origin (curl, API clients) are not browsers acting for
    someone else.
    """
    headers = event.headers
    size = sum(len(name) + len(value or "") for name, value in headers.items())
    if size > MAX_HEADER_BYTES:
        raise RequestRejected(431, "headers_too_large", _whole_request("The request headers are too large."))
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/") not in allowed_origins:
        raise RequestRejected(403, "foreign_origin", _whole_request(
            "Inquiries can only be sent from our own website's form."))


# fullmatch: with match, the pattern's "$" would also accept a key ending in a newline.
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
IDEMPOTENCY_KEY_DESCRIPTION = ("Optional. Repeated submissions with one key give one inquiry and one email. "
                               "Letters, digits, '-', '_', '.' and ':' only.")


def idempotency_key_of(event: APIGatewayProxyEvent) -> str | None:
    """The ``Idempotency-Key`` header, or None when absent or empty; 422 when it breaks its rule.

    Read by hand rather than by Powertools' request validation, which parsed and validated every request
    (the body included, as JSON) for this one optional header: intake's warm p50 in ``infra.bench.warm``
    went from 0.60 to 0.53 ms when it was dropped.
    """
    key = event.headers.get("idempotency-key")
    if key is not None and (len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not _IDEMPOTENCY_KEY.fullmatch(key)):
        raise RequestRejected(422, "invalid_request", [FieldError(field="Idempotency-Key", message=N_(
            "Use at most %(count)s letters, digits, '-', '_', '.' or ':'."))])
    return key or None


def _b64(raw: str) -> bytes:
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc


def _parse_json(text: str) -> dict[str, Any]:
    try:
        data = parse_strict_json(text)
    except JsonRefused as refused:
        raise RequestRejected(400, f"json_{refused.reason}", _whole_request(
            "The request body is JSON this form does not send (too deeply nested, a repeated field, "
            "an out-of-range number or an invalid character).")) from None
    except (json.JSONDecodeError, RecursionError):
        raise RequestRejected(400, "invalid_json", _whole_request("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise RequestRejected(400, "not_an_object", _whole_request("Send the inquiry as a JSON object."))
    return data


def _parse_form(text: str) -> dict[str, Any]:
    try:
        pairs = parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise RequestRejected(400, "invalid_form", _whole_request("The form data could not be read.")) from None
    # A repeated name (e.g. a hidden "false" before a checkbox) takes its last value, as browsers order them.
    return {name: values[-1] for name, values in pairs.items()}


def _honeypot_filled(data: dict[str, Any]) -> bool:
    value = data.get("website")
    return isinstance(value, str) and bool(value.strip())


def wants_html(event: APIGatewayProxyEvent) -> bool:
    """True for a plain browser form post (no JavaScript), which expects a page, not JSON."""
    accept = (event.headers.get("accept") or "").lower()
    return "text/html" in accept


# ---- the application -------------------------------------------------------------------------------------
def _cors(settings: IntakeSettings) -> CORSConfig | None:
    if not settings.allowed_origins:
        return None
    first, *others = settings.allowed_origins
    return CORSConfig(
        allow_origin=first,
        extra_origins=others,
        allow_headers=["Content-Type", "Idempotency-Key"],
        expose_headers=["Retry-After"],
        max_age=600,
        allow_credentials=False,
    )


def no_store(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Middleware: no answer of this API may be cached (it is about a person's inquiry)."""
    response = next_middleware(app)
    response.headers["Cache-Control"] = "no-store"
    return response


router = Router()  # type: ignore[no-untyped-call]  # Powertools leaves Router.__init__ unannotated
_Handler = TypeVar("_Handler", bound=Callable[..., Response[str]])


def exception_handler(exc_class: type[Exception]) -> Callable[[_Handler], _Handler]:
    """``router.exception_handler``, typed: Powertools leaves the Router's decorator unannotated."""
    register: Callable[[_Handler], _Handler] = router.exception_handler(exc_class)
    return register


class IntakeApp(APIGatewayRestResolver):
    """The resolver for POST /inquiries and GET /health, with the intake service submissions go to."""

    def __init__(self, settings: IntakeSettings, service: Callable[[], IntakeService]) -> None:
        super().__init__(cors=_cors(settings))
        self.thank_you_url = settings.thank_you_url
        self.allowed_origins = settings.allowed_origins
        self.settings = settings
        self.messages: MessageSettings = settings
        self._service = service
        self.use([no_store])
        self.include_router(router)

    @cached_property
    def turnstile(self) -> TurnstileCheck | None:
        """The person check, when a Turnstile secret is configured (read on first use)."""
        if not self.settings.turnstile_secret:
            return None
        from inquiries.intake.turnstile import TurnstileCheck, secret_key

        return TurnstileCheck(secret_key(self.settings.turnstile_secret), self.settings.turnstile_verify_url)

    @cached_property
    def intake(self) -> IntakeService:
        """The intake service, built on first use (documentation builds never need it)."""
        return self._service()


def _app() -> IntakeApp:
    return cast(IntakeApp, router.api_resolver)


@router.get("/health", summary="Liveness check", tags=["health"])
def health() -> dict[str, str]:
    """Alive: touches no table, no queue, no data."""
    return {"status": "ok"}


_ERROR_RESPONSES: dict[int, Any] = {
    status: {"description": text, "content": {JSON: {"model": ErrorBody}}}
    for status, text in {
        400: "The body is not valid JSON or form data, or not an object.",
        403: "The Origin header names another website: only the clinic's own form may post.",
        409: "The same submission is being processed right now; retry in a moment.",
        413: "The body is larger than 16 KiB.",
        415: "The content type is not JSON or form data, or there is none.",
        422: "A field breaks a rule; every bad field is named, no submitted value is echoed.",
        429: "Too many inquiries from this client; see Retry-After.",
        431: "The request headers are larger than 8 KiB.",
        503: "Storage is busy or unreachable: nothing was stored; retry after Retry-After seconds.",
    }.items()
}


@router.post(
    "/inquiries",
    summary="Submit an inquiry",
    description=(
        "Accepts an inquiry as JSON or as a plain HTML form post. Every field is protected health "
        "information. A browser form post with `Accept: text/html` answers 303 to the thank-you page, "
        "or, when the message is urgent, 200 with a page that leads with the crisis resources."
    ),
    tags=["inquiries"],
    responses={
        202: {"description": "Accepted.", "content": {JSON: {"model": AcceptedInquiry}}},
        200: {"description": "Accepted and urgent (plain form post): a page that leads with the crisis "
              "resources, then the thank-you. Nothing about the inquiry goes in a URL.",
              "content": {content_types.TEXT_HTML: {"schema": {"type": "string"}}}},
        303: {"description": "Accepted (plain form post): redirect to the thank-you page."},
        **_ERROR_RESPONSES,
    },
)
def submit_inquiry() -> Response[str]:
    """Validate the submission and hand it to intake; a bot that filled the hidden field learns nothing."""
    event = _app().current_event
    check_headers(event, _app().allowed_origins)
    idempotency_key = idempotency_key_of(event)
    data = read_submission(event)
    # From here on, every answer speaks the language the page chose (else the browser's, else English).
    _app().append_context(  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated
        language=request_language(data.get("language"), event.headers.get("accept-language")))
    # The widget's token is not a field of the inquiry: taken out whether or not the check is on.
    token = data.pop(TOKEN_FIELD, None)
    check_person(token)
    try:
        inquiry = validate_inquiry(data)
    except ValidationError:
        if not _honeypot_filled(data):
            raise
        # A bot that filled the hidden field learns nothing, not even which of its fields were bad.
        count_by_reason("SpamDiscarded", "invalid_and_honeypot")
        return answer(event, accepted_answer(new_inquiry_id(), urgent=False, language=_page_language()))
    submission = Submission(
        inquiry=inquiry,
        client_ip=event.request_context.identity.source_ip or "unknown",
        idempotency_key=idempotency_key,
        accept_language=preferred_language(event.headers.get("accept-language")),
    )
    return answer(event, _app().intake.accept(submission, lambda_context=_app().lambda_context))


def check_person(token: object) -> None:
    """When Turnstile is on, refuse (403, or 503 when the check cannot run) unless Cloudflare confirms the token.

    It fails closed: a check that could not run refuses, and stores nothing.
    """
    turnstile = _app().turnstile
    if turnstile is None:
        return
    from inquiries.intake.turnstile import Verdict

    verdict = turnstile.verify(token)
    if verdict is Verdict.PASSED:
        return
    if verdict is Verdict.UNAVAILABLE:
        raise RequestRejected(503, verdict.value, _whole_request(
            "We could not check this form just now. Please try again in a moment, or call us. "
            "If you are in crisis, call or text 988."), {"Retry-After": "5"})
    raise RequestRejected(403, verdict.value, _whole_request(
        "Please complete the check that you are a person, then send the form again."))


def answer(event: APIGatewayProxyEvent, accepted: AcceptedInquiry) -> Response[str]:
    """202 with the accepted inquiry; for a plain form post 303 to the thank-you page, or when urgent 200
    with a page that leads with the crisis resources (no inquiry state goes in a URL)."""
    language = _page_language()
    if wants_html(event) and accepted.urgent:
        # Only a plain form post gets a page: the templates (Jinja) are loaded by the first one.
        from inquiries.rendering import render_urgent_thank_you_page

        page = render_urgent_thank_you_page(accepted.reference, accepted.message, _app().messages,
                                            resources=tuple(accepted.crisis_resources or ()), language=language)
        return Response(status_code=200, content_type=content_types.TEXT_HTML, body=page)
    if wants_html(event):
        location = _app().settings.thank_you_url_es if language is Language.ES else _app().thank_you_url
        return Response(status_code=303, headers={"Location": location}, body="")
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=accepted.to_json(),
    )


# ---- errors: every refusal becomes a status here, with fixed texts --------------------------------------
def _page_language() -> Language:
    """The language of this request's answers: the page's choice once the body is read, else the browser's."""
    chosen = _app().context.get("language")
    if isinstance(chosen, Language):
        return chosen
    return request_language(None, _app().current_event.headers.get("accept-language"))


# The values the fixed messages name (``%(name)s``), the same in every language.
_MESSAGE_VALUES = {"kib": str(MAX_BODY_BYTES // 1024), "count": str(MAX_IDEMPOTENCY_KEY_LENGTH)}


def _say(message: str, language: Language) -> str:
    text = translate(message, language)
    return text % _MESSAGE_VALUES if "%(" in text else text


def error_response(status: int, errors: list[FieldError], headers: dict[str, str] | None = None) -> Response[str]:
    """A plain form post (no JavaScript) gets a readable page; scripts and API clients get JSON. Either way
    in the person's language: every message is a fixed English msgid, said here in that language."""
    # Exception handlers answer outside the middleware chain, so errors carry no-store themselves.
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    language = _page_language()
    errors = [FieldError(field=e.field, message=_say(e.message, language)) for e in errors]
    if wants_html(_app().current_event):
        from inquiries.intake.error_page import render_error_page  # a plain form post only: see ``answer``

        page = render_error_page(status, errors, language)
        return Response(status_code=status, content_type=content_types.TEXT_HTML, body=page, headers=all_headers)
    body = error_body(errors)
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body,
                    headers=all_headers)


@exception_handler(RequestRejected)
def rejected(exc: RequestRejected) -> Response[str]:
    """403, 415, 413, 431 or 400: the request could not be read as an inquiry from our form."""
    count_by_reason("InquiryRejected", exc.reason)
    return error_response(exc.status, exc.errors, exc.headers)


@exception_handler(ValidationError)
def invalid_fields(exc: ValidationError) -> Response[str]:
    """422 naming every bad field, echoing no value."""
    count_by_reason("InquiryRejected", "invalid_fields")
    return error_response(422, describe_validation_errors(exc))


@exception_handler(RateLimited)
def rate_limited(exc: RateLimited) -> Response[str]:
    """429 with Retry-After."""
    count_by_reason("InquiryRejected", f"rate_limited_{exc.scope}")
    return error_response(
        429,
        _whole_request("We have received several inquiries from you recently. Please try again later, "
                       "or call us. If you are in crisis, call or text 988."),
        {"Retry-After": str(exc.retry_after)},
    )


@exception_handler(IdempotencyAlreadyInProgressError)
def in_flight(_exc: IdempotencyAlreadyInProgressError) -> Response[str]:
    """409: the same submission is being processed right now."""
    count_by_reason("InquiryRejected", "duplicate_in_flight")
    return error_response(
        409, _whole_request("This inquiry is already being submitted. Please wait a moment."),
        {"Retry-After": "1"},
    )


@exception_handler(IdempotencyValidationError)
def key_reused(_exc: IdempotencyValidationError) -> Response[str]:
    """422: an Idempotency-Key reused for a different inquiry."""
    count_by_reason("InquiryRejected", "idempotency_key_reused")
    return error_response(422, [FieldError(
        field="Idempotency-Key", message="This key was already used for a different inquiry.")])


@exception_handler(DataUnavailable)
def storage_unavailable(exc: DataUnavailable) -> Response[str]:
    """503 with Retry-After: DynamoDB throttled or failed the write, so nothing was stored.

    Powertools removes its in-progress record when the work raises, so the retry is not held back.
    """
    count_by_reason("InquiryFailed", "storage_throttled" if isinstance(exc, Throttled) else "storage_unavailable")
    return _try_again_soon()


@exception_handler(IdempotencyPersistenceLayerError)
def idempotency_unavailable(_exc: IdempotencyPersistenceLayerError) -> Response[str]:
    """503 with Retry-After: the duplicate check itself could not be read or written."""
    count_by_reason("InquiryFailed", "idempotency_unavailable")
    return _try_again_soon()


def _try_again_soon() -> Response[str]:
    return error_response(503, _whole_request(
        "We could not save your inquiry just now. Please try again in a moment, or call us. "
        "If you are in crisis, call or text 988."), {"Retry-After": "2"})


@exception_handler(NotFoundError)
def not_found(_exc: NotFoundError) -> Response[str]:
    """404 for any other path or method."""
    return error_response(404, _whole_request("Not found."))


@exception_handler(Exception)
def unexpected(exc: Exception) -> Response[str]:
    """500, logging the type and where it happened, never the message: messages can carry submitted values."""
    log_unhandled(exc)
    count_by_reason("InquiryFailed", "unhandled")
    return error_response(500, _whole_request(
        "Something went wrong on our side and your inquiry was not sent. Please try again, or call us. "
        "If you are in crisis, call or text 988."))


def openapi_document(app: IntakeApp) -> dict[str, Any]:
    """The OpenAPI document, with the request body of POST /inquiries described by ``InquiryIn``.

    The body is read by ``read_submission`` (JSON or form data) and the Idempotency-Key header by
    ``idempotency_key_of``, not by Powertools parameters, so both are described here, from the same
    model and rules that check them.
    """
    # CrisisResource's and AcceptedInquiry's fields are described by their attribute docstrings. Reading those
    # means parsing their modules' source, which costs a cold start ~8 ms, so it is switched on here, for the
    # document only.
    for described in (CrisisResource, AcceptedInquiry):
        setattr(described, "__pydantic_config__", {"use_attribute_docstrings": True})  # noqa: B010
    # The pydantic description of the request body, which the submissions' validator mirrors (``models_core``).
    from inquiries.models import InquiryIn

    doc: dict[str, Any] = json.loads(app.get_openapi_json_schema(title="Inquiry intake API", version="1.0.0"))
    schema = InquiryIn.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Inquiry"] = schema
    ref = {"schema": {"$ref": "#/components/schemas/Inquiry"}}
    post = doc["paths"]["/inquiries"]["post"]
    post["requestBody"] = {"required": True, "content": {JSON: ref, FORM: ref}}
    # The header is read by ``idempotency_key_of``, not by a Powertools ``Header`` parameter.
    key_schema = {"anyOf": [{"maxLength": MAX_IDEMPOTENCY_KEY_LENGTH, "pattern": IDEMPOTENCY_KEY_PATTERN,
                             "type": "string"}, {"type": "null"}],
                  "description": IDEMPOTENCY_KEY_DESCRIPTION, "title": "Idempotency-Key"}
    post["parameters"] = [{"description": IDEMPOTENCY_KEY_DESCRIPTION, "in": "header", "name": "idempotency-key",
                           "required": False, "schema": key_schema}]
    return doc
