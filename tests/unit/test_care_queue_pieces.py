"""The queue's pieces without AWS: If-None-Match matching, the preview, who lifts whom, the ETag's inputs."""

from __future__ import annotations

from typing import Any

from inquiries.care.queue import etag_matches, lifted_by, queue_etag
from inquiries.care.views import PREVIEW_CHARACTERS, preview_of

NOW = "2026-03-10T17:00:00.000Z"


def test_if_none_match_takes_lists_weak_tags_and_the_star() -> None:
    tag = '"qabc"'
    assert etag_matches('"qabc"', tag) and etag_matches('W/"qabc"', tag) and etag_matches('"x", "qabc"', tag)
    assert etag_matches("*", tag)
    assert not etag_matches('"qab"', tag) and not etag_matches("", tag)


def test_the_preview_is_one_line_and_cut_with_an_ellipsis() -> None:
    assert preview_of("Two\nlines\t here") == "Two lines here"
    long = preview_of("x" * 500)
    assert long is not None and len(long) == PREVIEW_CHARACTERS + 1 and long.endswith("\u2026")
    assert preview_of(None) is None and preview_of("") is None


def _row(inquiry_id: str, created_at: str, level: str = "none", **extra: Any) -> dict[str, Any]:
    return {"inquiry_id": inquiry_id, "created_at": created_at, "level": level, "status": "new", "version": 1,
            **extra}


def test_an_urgent_inquiry_lifts_only_the_same_persons_newer_ones_by_email_or_phone() -> None:
    urgent = _row("01ARZ3NDEKTSV4RRFFQ69G5URG", "2026-03-10T10:00:00.000Z", "urgent")
    by_email = _row("01ARZ3NDEKTSV4RRFFQ69G5EML", "2026-03-10T11:00:00.000Z")
    by_phone = _row("01ARZ3NDEKTSV4RRFFQ69G5PHN", "2026-03-10T12:00:00.000Z")
    older = _row("01ARZ3NDEKTSV4RRFFQ69G5OLD", "2026-03-10T09:00:00.000Z")
    stranger = _row("01ARZ3NDEKTSV4RRFFQ69G5STR", "2026-03-10T11:00:00.000Z")
    details = {
        urgent["inquiry_id"]: {"email_hash": "e1", "phone_hash": "p1"},
        by_email["inquiry_id"]: {"email_hash": "e1", "phone_hash": "p2"},
        by_phone["inquiry_id"]: {"email_hash": "e3", "phone_hash": "p1"},
        older["inquiry_id"]: {"email_hash": "e1"},
        stranger["inquiry_id"]: {"email_hash": "e9"},
    }

    lifted = lifted_by([urgent, by_email, by_phone, older, stranger], details)

    reference = "INQ-" + urgent["inquiry_id"][-8:]
    assert lifted == {by_email["inquiry_id"]: reference, by_phone["inquiry_id"]: reference}


def test_the_etag_follows_versions_statuses_counts_overdue_and_the_filter_not_row_order() -> None:
    rows = [_row("A", "2026-03-10T10:00:00.000Z", due_at="2026-03-10T17:30:00.000Z"),
            _row("B", "2026-03-10T11:00:00.000Z")]
    counts = {"new": 2}
    base = queue_etag(rows, counts, None, NOW)

    assert queue_etag(list(reversed(rows)), counts, None, NOW) == base
    assert queue_etag([{**rows[0], "version": 2}, rows[1]], counts, None, NOW) != base
    assert queue_etag([{**rows[0], "status": "attempting"}, rows[1]], counts, None, NOW) != base
    assert queue_etag(rows, {"new": 2, "spam": 1}, None, NOW) != base
    assert queue_etag(rows, counts, "", NOW) != base
    assert queue_etag(rows, counts, None, "2026-03-10T17:31:00.000Z") != base, "A fell overdue"
    assert queue_etag(rows, counts, None, "2026-03-10T17:10:00.000Z") == base, "nothing fell overdue"
