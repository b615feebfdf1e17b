"""The pieces of reports: weeks, buckets and bucket-interpolated percentiles, closed vocabularies, and each
inquiry's contributions (the one function intake, the care API and the rebuild share)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from inquiries.reports.contributions import (
    BUCKET_EDGES_MINUTES,
    changed_values,
    contributions,
    difference,
    week_of,
)
from inquiries.reports.figures import build_report, percentile
from inquiries.reports.vocabulary import CATEGORIES, NONE, referral_kind
from inquiries.reports.weeks import InvalidRange, weeks_between

from infra.template import ROOT

ZONE = "America/Los_Angeles"


def inquiry(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"inquiry_id": "01J", "status": "new", "created_at": "2026-12-01T17:00:00.000Z",
                              "level": "none", "language": "en", "topic": "anxiety", "referral_source": None,
                              "due_at": "2026-12-02T17:00:00.000Z", "name": "Quenby", "message": "secret words"}
    values.update(overrides)
    return values


def test_weeks_are_iso_weeks_in_the_clinics_time_zone() -> None:
    # Monday 07:00 UTC is still Sunday night in Los Angeles: the week before.
    assert week_of("2026-11-30T07:00:00.000Z", ZONE) == "2026-W48"
    assert week_of("2026-11-30T09:00:00.000Z", ZONE) == "2026-W49"
    assert week_of("2027-01-01T20:00:00.000Z", ZONE) == "2026-W53"


def test_the_default_range_is_the_last_twelve_weeks_and_a_range_is_bounded() -> None:
    now = datetime(2026, 12, 6, 0, 30, tzinfo=UTC)  # Saturday afternoon in Los Angeles
    weeks = weeks_between(None, None, now, ZONE)
    assert len(weeks) == 12 and weeks[-1] == "2026-W49" and weeks[0] == "2026-W38"
    assert weeks_between("2026-W49", None, now, ZONE) == ("2026-W49",)
    assert len(weeks_between("2025-W50", "2026-W50", now, ZONE)) == 53
    with pytest.raises(InvalidRange):
        weeks_between("2025-W49", "2026-W50", now, ZONE)
    with pytest.raises(InvalidRange):
        weeks_between("2025-W53", None, now, ZONE)  # 2025 has 52 ISO weeks


def test_percentiles_are_interpolated_inside_their_bucket() -> None:
    buckets = [0] * (len(BUCKET_EDGES_MINUTES) + 1)
    assert percentile(buckets, 0.5) is None
    buckets[2] = 4  # four times between 30 and 60 minutes
    assert percentile(buckets, 0.5) == 45.0 and percentile(buckets, 0.9) == 57.0
    buckets[0] = 4  # and four of at most 15 minutes
    assert percentile(buckets, 0.5) == 15.0
    open_ended = [0] * len(buckets)
    open_ended[-1] = 1
    assert percentile(open_ended, 0.9) == float(BUCKET_EDGES_MINUTES[-1]), "the open bucket: its lower edge"


@pytest.mark.parametrize(("answer", "kind"), [
    (None, NONE), ("  ", NONE), ("My therapist, Dr. Quenby", "clinician"), ("googled it", "search"),
    ("Google", "search"), ("instagram post", "social"), ("a friend of mine", "friend_or_family"),
    ("Podcast Zeta0001", "media"), ("Quillfeather", "other")])
def test_the_referral_source_is_reduced_to_a_kind(answer: str | None, kind: str) -> None:
    assert referral_kind(answer) == kind


def test_the_categories_counted_are_the_triage_rules_categories() -> None:
    rules = json.loads((ROOT / "functions/inquiries/triage/rules.json").read_text(encoding="utf-8"))
    assert set(CATEGORIES) == {*rules["categories"], NONE}


def test_contributions_hold_closed_vocabularies_and_numbers_only() -> None:
    values = inquiry(topic="<script>", language="fr", level="extreme", referral_source="Quenby's blog",
                     first_contact_at="2026-12-01T17:40:00.000Z", triage_categories=["made_up"],
                     history=[{"at": "2026-12-01T17:10:00.000Z", "action": "level", "reason": "missed"}])
    counted = contributions(values, ZONE)
    text = json.dumps({f"{k[0]}|{k[1]}": v for k, v in counted.items()})
    assert "Quenby" not in text and "secret" not in text and "<script>" not in text and "fr" not in text.split('"')
    volume = counted[("2026-W49", "volume")]
    assert volume["topic#other"] == volume["language#other"] == volume["level#other"] == 1
    assert counted[("2026-W49", "ttfc")]["all#all#b2"] == 1, "40 minutes: the 30-60 bucket"
    assert counted[("2026-W49", "corrections")]["category#other"] == 1


def test_a_held_back_submission_contributes_nothing_and_its_release_counts_in_the_release_week() -> None:
    held = inquiry(status="spam", spam=True)
    assert contributions(held, ZONE) == {}
    released = changed_values(held, {"status": "new", "spam": False, "released_at": "2026-12-08T18:00:00.000Z"},
                              (), {})
    assert difference(contributions(released, ZONE), contributions(held, ZONE)) == {
        ("2026-W50", "volume"): {"all": 1, "level#none": 1, "topic#anxiety": 1, "language#en": 1,
                                 "referral#none": 1}}


def test_a_change_adds_only_what_it_changes() -> None:
    before = inquiry()
    after = changed_values(before, {"status": "scheduled"}, (), {"history": [
        {"at": "2026-12-01T18:00:00.000Z", "action": "status", "from": "contacted", "to": "scheduled"}]})
    assert difference(contributions(after, ZONE), contributions(before, ZONE)) == {
        ("2026-W49", "volume"): {"scheduled": 1}}
    assert difference(contributions(before, ZONE), contributions(before, ZONE)) == {}


def test_a_report_of_no_counters_has_every_figure_with_its_definition_and_no_numbers() -> None:
    report = build_report(("2026-W48", "2026-W49"), {}, ZONE)
    ids = {(f["id"], f["by"]) for f in report.figures}
    assert {("time_to_first_contact", "level"), ("time_to_first_contact", "language"),
            ("time_to_first_contact", "topic"), ("volume", "topic"), ("volume", "referral_source"),
            ("volume", "language"), ("reached_scheduled", "all"), ("attempts_per_reached", "all"),
            ("triage_corrections", "direction")} <= ids
    assert all(f["definition"] for f in report.figures)
    assert "bucket-interpolated" in next(f for f in report.figures if f["id"] == "time_to_first_contact")["definition"]
    assert report.as_csv().startswith("week,figure,by,key,measure,value\r\n")
