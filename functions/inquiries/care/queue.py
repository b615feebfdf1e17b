"""The care team's queue: the open inquiries in attention order, their ETag, and who lifts whom.

Order (``care.transitions.attention_key``): urgent first, then overdue, then priority, then the earliest due
time. An inquiry newer than the same person's urgent open inquiry (the same keyed email or phone hash) is
*lifted*: it ranks with the urgent ones and names the urgent one's reference (``lifted_by``), so a later,
ordinary message from someone in danger is never read before, or instead of, the one that said so.

The ETag is computed from the index alone (each row's id, version, status and whether it is overdue now,
the counts and the assignee asked for): every change to an inquiry bumps its version, a row becoming
overdue changes the order, and the keyed hashes that decide lifting never change. So a matching
``If-None-Match`` is answered ``304`` without reading the table or showing anything. The queue reads at most
``QUEUE_READ_BOUND`` open inquiries from the index and shows at most ``QUEUE_LIMIT`` of them, the most
pressing first; the status lists (``GET /care/inquiries``) page through the rest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from inquiries.care.transitions import attention_key
from inquiries.care.views import CareQueue, queue_item
from inquiries.data.care import UNASSIGNED
from inquiries.ids import short_reference

QUEUE_LIMIT = 500
QUEUE_READ_BOUND = 2000
_HASHES = ("email_hash", "phone_hash")


def for_assignee(row: Mapping[str, Any], assignee: str | None) -> bool:
    """True when ``row`` belongs in the queue of ``assignee`` (a sub, ``UNASSIGNED``, or None for everyone)."""
    if assignee is None:
        return True
    if assignee == UNASSIGNED:
        return not row.get("assignee")
    return row.get("assignee") == assignee


def queue_etag(rows: list[dict[str, Any]], counts: Mapping[str, int], assignee: str | None, now_iso: str) -> str:
    """The strong ETag of a queue answer, from the index rows, the counts and the assignee filter."""
    state = sorted((str(r["inquiry_id"]), int(r.get("version", 1)), str(r["status"]),
                    attention_key(r, now_iso)[1]) for r in rows)
    text = json.dumps([state, sorted(counts.items()), assignee], separators=(",", ":"))
    return '"q' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """True when an ``If-None-Match`` value (a list of tags, weak or strong, or ``*``) names ``etag``."""
    wanted = etag.strip('"')
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/").strip('"') == wanted:
            return True
    return False


def shown_rows(rows: list[dict[str, Any]], now_iso: str) -> list[dict[str, Any]]:
    """The rows the queue shows: the ``QUEUE_LIMIT`` most pressing (before lifting, which needs the table)."""
    return sorted(rows, key=lambda r: attention_key(r, now_iso))[:QUEUE_LIMIT]


def lifted_by(rows: list[dict[str, Any]], details: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Which rows are lifted, and by whose reference: each non-urgent row created after an urgent row of the
    same person (a shared keyed email or phone hash); the earliest such urgent row lifts it."""
    urgent_by_hash: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: str(r.get("created_at", ""))):
        if not _is_urgent(row):
            continue
        for name in _HASHES:
            value = details.get(str(row["inquiry_id"]), {}).get(name)
            if isinstance(value, str) and value:
                urgent_by_hash.setdefault((name, value), row)
    lifted: dict[str, str] = {}
    for row in rows:
        if _is_urgent(row):
            continue
        own = details.get(str(row["inquiry_id"]), {})
        lifters = [urgent_by_hash[(name, own[name])] for name in _HASHES
                   if isinstance(own.get(name), str) and (name, own[name]) in urgent_by_hash]
        earlier = [u for u in lifters if str(u.get("created_at", "")) < str(row.get("created_at", ""))]
        if earlier:
            first = min(earlier, key=lambda u: str(u.get("created_at", "")))
            lifted[str(row["inquiry_id"])] = short_reference(str(first["inquiry_id"]))
    return lifted


def _is_urgent(row: Mapping[str, Any]) -> bool:
    return row.get("level") == "urgent" or (row.get("level") is None and row.get("urgent") is True)


def ordered_queue(rows: list[dict[str, Any]], details: Mapping[str, Mapping[str, Any]], counts: Mapping[str, int],
                  now_iso: str) -> CareQueue:
    """The queue view: rows in attention order (lifted ones with the urgent), each with what was read beside
    the index (an inquiry erased since the index was read is left out)."""
    present = [r for r in rows if str(r["inquiry_id"]) in details]
    lifted = lifted_by(present, details)
    ordered = sorted(present, key=lambda r: attention_key(r, now_iso, lifted=str(r["inquiry_id"]) in lifted))
    items = tuple(queue_item({**row, **details[str(row["inquiry_id"])]}, lifted.get(str(row["inquiry_id"])))
                  for row in ordered)
    return CareQueue(items=items, counts=dict(counts))
