"""``GET /care/reports?from=&to=[&format=csv]``: the report as JSON, or its aggregates as a CSV download
(``format=csv`` or ``Accept: text/csv``). Allowed to ``care-admin`` and ``clinic-manager``
(``care.access.actor_for_reports``); every answer ``Cache-Control: no-store``. A bad range is a 422 with a
fixed text."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from inquiries.care.access import actor_for_reports
from inquiries.observability import count_by_reason
from inquiries.record import FieldError, error_body
from inquiries.reports.service import ReportService
from inquiries.reports.weeks import InvalidRange
from inquiries.settings import CareApiSettings

CSV = "text/csv"


def _wants_csv(format_given: str | None, accept: str | None) -> bool:
    if format_given is not None:
        return format_given.strip().lower() == "csv"
    media = [part.split(";", 1)[0].strip().lower() for part in (accept or "").split(",")]
    return CSV in media and "application/json" not in media


def add_report_routes(app: APIGatewayRestResolver, settings: CareApiSettings,
                      service: ReportService | None = None) -> None:
    """Add ``GET /care/reports`` (and its 422 for a bad range) to the care API's resolver."""

    @lru_cache(maxsize=1)
    def reports() -> ReportService:
        return service or ReportService(settings)

    @app.get("/care/reports")
    def read_reports() -> Response[str]:
        actor = actor_for_reports(app.current_event.raw_event, settings.console_client_id)
        query = app.current_event.query_string_parameters or {}
        fmt = query.get("format")
        if fmt is not None and fmt.strip().lower() not in ("csv", "json"):
            raise InvalidRange("format", "Give format as json or csv.")
        export = _wants_csv(fmt, app.current_event.headers.get("accept"))
        report = reports().report(actor, query.get("from") or None, query.get("to") or None, export=export)
        if not export:
            return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=report.as_json(),
                            headers={"Cache-Control": "no-store"})
        name = f"inquiry-reports-{report.weeks[0]}-to-{report.weeks[-1]}.csv"
        return Response(status_code=200, content_type=f"{CSV}; charset=utf-8", body=report.as_csv(),
                        headers={"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'})

    def invalid_range(exc: InvalidRange) -> Response[str]:
        count_by_reason("CareRequestRefused", "422")
        return Response(status_code=422, content_type=content_types.APPLICATION_JSON,
                        body=error_body([FieldError(field=exc.field, message=exc.message)]),
                        headers={"Cache-Control": "no-store"})

    app.exception_handler(InvalidRange)(invalid_range)
