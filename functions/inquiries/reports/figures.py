"""The report: each figure per week from the weekly counters, with its definition; and the same as CSV.

Percentiles of the time to first contact come from bucket counts (``contributions.BUCKET_EDGES_MINUTES``):
the bucket holding the wanted rank is found and the value interpolated linearly inside it
("bucket-interpolated"); in the open last bucket (over a week) the value given is that bucket's lower edge.
docs/reports.md explains every figure.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inquiries.data.stats import WeekCounters
from inquiries.reports.contributions import BUCKET_EDGES_MINUTES, BUCKETS, CORRECTIONS, TTFC, VOLUME
from inquiries.reports.vocabulary import CATEGORIES, DIRECTIONS, LANGUAGES, LEVELS, REFERRAL_KINDS, TOPICS

_RECEIVED = ("Counted in the ISO week (clinic time zone) the inquiry was received: submitted, or released when "
             "it had been held back as spam. Held-back submissions count only once released.")
_TTFC = ("Minutes from receipt to the first contact that reached the person (the response clock). Median and "
         "90th percentile are bucket-interpolated from counts in fixed buckets ({edges} minutes, then longer); "
         "share within target is the share first contacted by their due time. Only inquiries with a first "
         "contact count. " + _RECEIVED)
DEFINITIONS: dict[str, str] = {
    "time_to_first_contact": _TTFC.format(edges=", ".join(str(e) for e in BUCKET_EDGES_MINUTES)),
    "volume": "Inquiries received. " + _RECEIVED + " The referral source is the kind of the answer to \"How did "
              "you hear about us?\" (clinician, search, social, friend_or_family, media, other, none), never "
              "its words.",
    "reached_scheduled": "Inquiries that ever reached scheduled (as a status or as the reason they were "
                         "closed), and their share of the week's volume. " + _RECEIVED,
    "attempts_per_reached": "Contact attempts logged up to and including the first contact, per inquiry whose "
                            "person was reached. " + _RECEIVED,
    "triage_corrections": "Changes of triage's level by the care team (missed: raised; false_alarm: lowered), "
                          "by direction, by the inquiry's first triage category (none without one) and by "
                          "language. Counted in the ISO week the correction was made.",
}
TITLES: dict[str, str] = {
    "time_to_first_contact": "Time to first contact", "volume": "Inquiries received",
    "reached_scheduled": "Reached scheduled", "attempts_per_reached": "Attempts per reached person",
    "triage_corrections": "Triage corrections",
}
SOURCES: dict[str, str] = {
    "time_to_first_contact": "first_contact_at - (released_at or created_at); first_contact_on_time",
    "volume": "level, topic, language, referral_source (its kind) at receipt, as corrected since",
    "reached_scheduled": "status, close_reason and the status history",
    "attempts_per_reached": "attempts (their times) and first_contact_at",
    "triage_corrections": "history entries of action level (their reason and time), triage_categories",
}
_TTFC_DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("all", ("all",)), ("level", LEVELS), ("language", LANGUAGES), ("topic", TOPICS))
_VOLUME_DIMENSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("topic", "topic", TOPICS), ("referral_source", "referral", REFERRAL_KINDS), ("language", "language", LANGUAGES),
    ("level", "level", LEVELS))
_CORRECTION_DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("all", ("all",)), ("direction", DIRECTIONS), ("category", CATEGORIES), ("language", LANGUAGES))


def percentile(buckets: list[int], share: float) -> float | None:
    """The bucket-interpolated value (minutes) below which ``share`` of the counted times fall; None for none."""
    total = sum(buckets)
    if total <= 0:
        return None
    rank = share * total
    below = 0
    for index, count in enumerate(buckets):
        if count > 0 and below + count >= rank:
            lower = 0 if index == 0 else BUCKET_EDGES_MINUTES[index - 1]
            if index >= len(BUCKET_EDGES_MINUTES):
                return float(lower)  # the open bucket: its lower edge
            upper = BUCKET_EDGES_MINUTES[index]
            return round(lower + (upper - lower) * (rank - below) / count, 1)
        below += count
    return float(BUCKET_EDGES_MINUTES[-1])


@dataclass(frozen=True)
class Report:
    """The report over ``weeks``: a JSON document and its CSV form."""

    weeks: tuple[str, ...]
    time_zone: str
    figures: tuple[dict[str, Any], ...]
    raw: Mapping[str, WeekCounters]

    def as_json(self) -> str:
        """``{"from", "to", "weeks", "time_zone", "bucket_edges_minutes", "figures": [...]}``."""
        return json.dumps({"from": self.weeks[0], "to": self.weeks[-1], "weeks": list(self.weeks),
                           "time_zone": self.time_zone, "bucket_edges_minutes": list(BUCKET_EDGES_MINUTES),
                           "figures": list(self.figures)}, separators=(",", ":"))

    def as_csv(self) -> str:
        """One row per week, figure, dimension, key and measure: every figure's numbers, and the counts in
        each time-to-first-contact bucket."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["week", "figure", "by", "key", "measure", "value"])
        for figure in self.figures:
            for series in figure["series"]:
                for point in series["points"]:
                    for measure, value in point.items():
                        if measure != "week":
                            writer.writerow([point["week"], figure["id"], figure["by"], series["key"], measure,
                                             "" if value is None else value])
        for week in self.weeks:
            ttfc = self.raw.get(week, {}).get(TTFC, {})
            for by, keys in _TTFC_DIMENSIONS:
                for key in keys:
                    for index in range(BUCKETS):
                        label = (f"bucket_le_{BUCKET_EDGES_MINUTES[index]}" if index < len(BUCKET_EDGES_MINUTES)
                                 else f"bucket_gt_{BUCKET_EDGES_MINUTES[-1]}")
                        writer.writerow([week, "time_to_first_contact", by, key, label,
                                         ttfc.get(f"{by}#{key}#b{index}", 0)])
        return out.getvalue()


def _figure(figure_id: str, by: str, unit: str, series: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": figure_id, "by": by, "title": TITLES[figure_id], "unit": unit,
            "definition": DEFINITIONS[figure_id], "source": SOURCES[figure_id], "series": series}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


def build_report(weeks: tuple[str, ...], counters: Mapping[str, WeekCounters], time_zone: str) -> Report:
    """Every figure over ``weeks`` from each week's counters (``StatsRecords.week``)."""
    def of(week: str, figure: str) -> dict[str, int]:
        return counters.get(week, {}).get(figure, {})

    figures: list[dict[str, Any]] = []
    for by, keys in _TTFC_DIMENSIONS:
        series = []
        for key in keys:
            points = []
            for week in weeks:
                ttfc = of(week, TTFC)
                buckets = [ttfc.get(f"{by}#{key}#b{i}", 0) for i in range(BUCKETS)]
                total = sum(buckets)
                points.append({"week": week, "count": total, "median_minutes": percentile(buckets, 0.5),
                               "p90_minutes": percentile(buckets, 0.9),
                               "within_target_share": _share(ttfc.get(f"{by}#{key}#on_time", 0), total)})
            series.append({"key": key, "points": points})
        figures.append(_figure("time_to_first_contact", by, "minutes", series))
    figures.append(_figure("volume", "all", "inquiries", [{"key": "all", "points": [
        {"week": w, "value": of(w, VOLUME).get("all", 0)} for w in weeks]}]))
    for by, prefix, keys in _VOLUME_DIMENSIONS:
        figures.append(_figure("volume", by, "inquiries", [{"key": key, "points": [
            {"week": w, "value": of(w, VOLUME).get(f"{prefix}#{key}", 0)} for w in weeks]} for key in keys]))
    figures.append(_figure("reached_scheduled", "all", "inquiries", [{"key": "all", "points": [
        {"week": w, "value": of(w, VOLUME).get("scheduled", 0),
         "share": _share(of(w, VOLUME).get("scheduled", 0), of(w, VOLUME).get("all", 0))} for w in weeks]}]))
    attempts_points = []
    for week in weeks:
        reached, attempts = of(week, VOLUME).get("reached", 0), of(week, VOLUME).get("attempts_to_reach", 0)
        attempts_points.append({"week": week, "value": round(attempts / reached, 2) if reached else None,
                                "reached": reached, "attempts": attempts})
    figures.append(_figure("attempts_per_reached", "all", "attempts", [{"key": "all", "points": attempts_points}]))
    for by, keys in _CORRECTION_DIMENSIONS:
        prefix = "" if by == "all" else f"{by}#"
        figures.append(_figure("triage_corrections", by, "corrections", [{"key": key, "points": [
            {"week": w, "value": of(w, CORRECTIONS).get("all" if by == "all" else f"{prefix}{key}", 0)}
            for w in weeks]} for key in keys]))
    return Report(weeks=weeks, time_zone=time_zone, figures=tuple(figures), raw=counters)
