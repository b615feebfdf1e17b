"""Reading the report: the weekly counters of a bounded range of weeks (one Query per week, never a Scan of
inquiries), every figure with its definition; each read audited (``report_read``, or ``report_export`` for
the CSV) with the kinds of filter given, before anything is shown. No inquiry is read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from inquiries.care.access import CareActor
from inquiries.care.members import MemberNames
from inquiries.data.audit import AuditEntry, AuditRecords
from inquiries.data.stats import StatsRecords
from inquiries.reports.figures import Report, build_report
from inquiries.reports.weeks import weeks_between
from inquiries.settings import CareApiSettings

REPORT_READ = "report_read"
REPORT_EXPORT = "report_export"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ReportService:
    """The report for a signed-in care admin or clinic manager."""

    def __init__(self, settings: CareApiSettings, *, stats: StatsRecords | None = None,
                 audit: AuditRecords | None = None, names: MemberNames | None = None,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.settings = settings
        self.stats = stats or StatsRecords(settings.inquiry_stats_table)
        self.audit = audit or AuditRecords(settings.audit_table, settings.audit_retention_days)
        self.names = names or MemberNames(settings.user_pool_id, settings.member_name_cache_seconds)
        self.clock = clock

    def report(self, actor: CareActor, start: str | None, end: str | None, *, export: bool) -> Report:
        """The figures over the weeks ``start`` to ``end`` (``reports.weeks``). Raises ``InvalidRange``."""
        now = self.clock()
        weeks = weeks_between(start, end, now, self.settings.clinic_time_zone)
        counters = {week: self.stats.week(week) for week in weeks}
        report = build_report(weeks, counters, self.settings.clinic_time_zone)
        filters = tuple(name for name, given in (("from", start), ("to", end)) if given)
        self.audit.record(AuditEntry(at=now, actor=self.names.shown(actor.sub), actor_id=actor.sub,
                                     action=REPORT_EXPORT if export else REPORT_READ, filters=filters))
        return report
