"""The care API's views: read strictly from stored values, written as fixed JSON, and a PATCH body read by hand.

The expected JSON below is what the pydantic models these dataclasses replaced wrote for the same
values, byte for byte (plus ``level``, ``language`` and a history entry's ``reason``, added since): field
order, ``from`` for a history entry, nulls for absent values, text as UTF-8 rather than ``\\u`` escapes.
"""

from __future__ import annotations

from typing import Any

import pytest
from inquiries.care.levels import LevelReason
from inquiries.care.views import (
    CHANGE_FIELD_MESSAGES,
    ONLY_THESE_FIELDS,
    AuditTrail,
    CarePage,
    InvalidFields,
    as_json,
    audit_item,
    full_inquiry,
    list_item,
    requested_change,
)
from inquiries.record import FieldError, InquiryStatus, Level, UnreadableRecord

INQUIRY_ID = "01J9Z3V6Q0W1X2Y3Z4A5B6C7D8"


def stored_inquiry(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "inquiry_id": INQUIRY_ID, "created_at": "2026-11-20T09:15:00.000Z", "status": "contacted", "urgent": True,
        "topic": "depression", "preferred_contact": "phone", "name": "Zoë Park", "assignee": "Dana",
        "due_at": "2026-11-20T13:15:00.000Z", "version": 3, "email": "zoe@example.com", "phone": "+15555550123",
        "message": "Line one\nline \"two\"", "consent_to_contact": True, "sms_consent": False,
        "triage_categories": ["self_harm"],
        "notes": [{"at": "2026-11-20T10:00:00.000Z", "actor": "care@clinic.local", "text": "Left a voicemail."}],
        "history": [
            {"at": "2026-11-20T10:00:00.000Z", "actor": "care@clinic.local", "action": "status", "from": "new",
             "to": "contacted"},
            {"at": "2026-11-20T10:01:00.000Z", "actor": "care@clinic.local", "action": "note"},
        ],
        # Stored attributes the view leaves out.
        "email_hash": "abc", "ttl": 1795000000, "spam": False, "triage_rules": ["r1"], "dispatch_state": "done",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not ...}


def test_the_full_inquiry_is_written_as_the_api_always_answered_it() -> None:
    assert as_json(full_inquiry(stored_inquiry())) == (
        '{"inquiry_id":"01J9Z3V6Q0W1X2Y3Z4A5B6C7D8","reference":"INQ-A5B6C7D8",'
        '"created_at":"2026-11-20T09:15:00.000Z","status":"contacted","level":"urgent","urgent":true,'
        '"topic":"depression","language":"en","preferred_contact":"phone","name":"Zoë Park","assignee":"Dana",'
        '"due_at":"2026-11-20T13:15:00.000Z","next_attempt_at":null,"version":3,'
        '"email":"zoe@example.com","phone":"+15555550123","message":"Line one\\nline \\"two\\"",'
        '"consent_to_contact":true,"sms_consent":false,"referral_source":null,"triage_categories":["self_harm"],'
        '"close_reason":null,"attempts":[],'
        '"notes":[{"at":"2026-11-20T10:00:00.000Z","actor":"care@clinic.local","actor_id":null,'
        '"text":"Left a voicemail."}],'
        '"history":[{"at":"2026-11-20T10:00:00.000Z","actor":"care@clinic.local","actor_id":null,'
        '"action":"status","from":"new","to":"contacted","reason":null},'
        '{"at":"2026-11-20T10:01:00.000Z","actor":"care@clinic.local","actor_id":null,'
        '"action":"note","from":null,"to":null,"reason":null}],"related":[]}'
    )


def test_a_list_row_from_the_index_projection_takes_the_defaults_of_what_is_not_stored() -> None:
    projected = {"inquiry_id": INQUIRY_ID, "created_at": "2026-11-20T09:15:00.000Z", "status": "spam",
                 "topic": "other", "preferred_contact": "email", "name": "A"}

    page = CarePage(items=(list_item(projected),), next_cursor=None)

    assert as_json(page) == (
        '{"items":[{"inquiry_id":"01J9Z3V6Q0W1X2Y3Z4A5B6C7D8","reference":"INQ-A5B6C7D8",'
        '"created_at":"2026-11-20T09:15:00.000Z","status":"spam","level":"none","urgent":false,"topic":"other",'
        '"language":"en","preferred_contact":"email","name":"A","assignee":null,"due_at":null,'
        '"next_attempt_at":null,"version":1,"attempts":0}],"next_cursor":null}'
    )


def test_the_stored_level_and_language_are_shown_and_a_level_correction_keeps_its_reason() -> None:
    correction = {"at": "2026-11-20T10:02:00.000Z", "actor": "care@clinic.local", "action": "level",
                  "from": "none", "to": "priority", "reason": "missed"}
    inquiry = full_inquiry(stored_inquiry(level="priority", urgent=False, language="es", history=[correction]))

    text = as_json(inquiry)

    assert '"status":"contacted","level":"priority","urgent":false,"topic":"depression","language":"es",' in text
    assert text.endswith('"history":[{"at":"2026-11-20T10:02:00.000Z","actor":"care@clinic.local",'
                         '"actor_id":null,"action":"level","from":"none","to":"priority","reason":"missed"}],'
                         '"related":[]}')


def test_who_acted_is_shown_by_the_pools_name_for_their_sub_else_what_was_recorded_else_the_sub() -> None:
    by = {"at": "2026-11-20T10:00:00.000Z", "action": "note"}
    history = [{**by, "actor_id": "sub-named", "actor": "Name then"},
               {**by, "actor_id": "sub-left", "actor": "Name then"},
               {**by, "actor_id": "sub-bare"},
               {**by, "actor": "legacy@clinic.local"}]
    names = {"sub-named": "Name now"}

    shown = full_inquiry(stored_inquiry(history=history), names.get).history

    assert [(h.actor, h.actor_id) for h in shown] == [("Name now", "sub-named"), ("Name then", "sub-left"),
                                                      ("sub-bare", "sub-bare"), ("legacy@clinic.local", None)]


@pytest.mark.parametrize(("field", "value"), [("level", "high"), ("level", None), ("language", "fr")])
def test_an_unknown_level_or_language_is_unreadable_and_named(field: str, value: Any) -> None:
    with pytest.raises(UnreadableRecord) as raised:
        list_item(stored_inquiry(**{field: value}))

    assert raised.value.field_name == field


def test_a_list_row_carries_no_message_email_or_phone() -> None:
    row = as_json(CarePage(items=(list_item(stored_inquiry()),), next_cursor="c"))

    assert "zoe@example.com" not in row and "+15555550123" not in row and "Line one" not in row


def test_an_intake_item_without_care_attributes_reads_with_empty_notes_history_and_categories() -> None:
    inquiry = full_inquiry(stored_inquiry(assignee=..., notes=..., history=..., triage_categories=...,
                                          urgent=..., sms_consent=..., phone=None, version=...))

    assert (inquiry.notes, inquiry.history, inquiry.triage_categories) == ((), (), ())
    assert (inquiry.urgent, inquiry.sms_consent, inquiry.phone, inquiry.assignee, inquiry.version) == (
        False, False, None, None, 1)


def test_a_string_set_of_triage_categories_reads_as_a_sorted_list() -> None:
    inquiry = full_inquiry(stored_inquiry(triage_categories={"substance", "self_harm"}))

    assert '"triage_categories":["self_harm","substance"]' in as_json(inquiry)


@pytest.mark.parametrize(("field", "value", "named"), [
    ("status", "archived", "status"),
    ("name", 12, "name"),
    ("email", ..., "email"),
    ("consent_to_contact", "yes", "consent_to_contact"),
    ("urgent", None, "urgent"),
    ("version", True, "version"),
    ("version", "3", "version"),
    ("triage_categories", "self_harm", "triage_categories"),
    ("triage_categories", ["self_harm", 2], "triage_categories"),
    ("notes", [{"at": "t", "actor": "a"}], "notes.text"),
    ("history", [{"at": "t", "actor": "a", "action": "status", "from": 1}], "history.from"),
    ("history", ["status"], "history"),
])
def test_a_stored_value_of_the_wrong_kind_is_unreadable_and_named_without_its_value(field: str, value: Any,
                                                                                   named: str) -> None:
    with pytest.raises(UnreadableRecord) as raised:
        full_inquiry(stored_inquiry(**{field: value}))

    assert raised.value.field_name == named
    assert str(raised.value) == f"stored inquiry unreadable at {named!r}", "the field's name and nothing else"


def test_the_audit_trail_is_written_with_null_for_a_list_entry() -> None:
    entries: list[dict[str, Any]] = [
        {"at": "2026-11-20T10:00:00.000Z", "actor": "care@clinic.local", "actor_id": "sub-1",
         "action": "update", "inquiry_id": INQUIRY_ID, "fields": ["status", "note"]},
        {"at": "2026-11-20T09:00:00.000Z", "actor": "care@clinic.local", "actor_id": "sub-1",
         "action": "list", "inquiry_id": None, "fields": [], "status": "new", "page": 2,
         "inquiry_ids": [INQUIRY_ID], "filters": []},
    ]

    assert as_json(AuditTrail(items=tuple(audit_item(e) for e in entries))) == (
        '{"items":[{"at":"2026-11-20T10:00:00.000Z","actor":"care@clinic.local","actor_id":"sub-1",'
        '"action":"update","inquiry_id":"01J9Z3V6Q0W1X2Y3Z4A5B6C7D8","fields":["status","note"],'
        '"status":null,"page":null,"inquiry_ids":null,"filters":[],"reference":"INQ-A5B6C7D8",'
        '"kind":"change","references":null,"counts":null,"reason":null,"request_id":null},'
        '{"at":"2026-11-20T09:00:00.000Z","actor":"care@clinic.local","actor_id":"sub-1","action":"list",'
        '"inquiry_id":null,"fields":[],"status":"new","page":2,"inquiry_ids":["01J9Z3V6Q0W1X2Y3Z4A5B6C7D8"],'
        '"filters":[],"reference":null,"kind":"list","references":["INQ-A5B6C7D8"],"counts":null,"reason":null,'
        '"request_id":null}],"next_cursor":null}'
    )


def test_a_change_is_cleaned_and_says_which_fields_it_names() -> None:
    requested = requested_change({"status": "scheduled", "assignee": "  Dana\u200b\nLee ",
                                  "note": " Call back\r\nat 3 "})

    assert requested.change.status is InquiryStatus.SCHEDULED
    assert requested.change.assignee == "Dana Lee"
    assert requested.change.note == "Call back\nat 3"
    assert requested.given == {"status", "assignee", "note"}


def test_a_null_assignee_unassigns_and_an_absent_one_is_left_alone() -> None:
    unassign = requested_change({"assignee": None})
    note_only = requested_change({"note": "x"})

    assert unassign.change.assignee is None and "assignee" in unassign.given
    assert note_only.change.assignee is None and "assignee" not in note_only.given


def test_a_null_status_or_note_changes_nothing() -> None:
    requested = requested_change({"status": None, "note": None})

    assert (requested.change.status, requested.change.note) == (None, None)


def test_a_level_and_its_reason_are_read_as_their_choices() -> None:
    requested = requested_change({"level": "urgent", "level_reason": "missed"})

    assert requested.change.level is Level.URGENT
    assert requested.change.level_reason is LevelReason.MISSED
    assert requested.given == {"level", "level_reason"}


def errors_of(body: dict[str, Any]) -> list[FieldError]:
    with pytest.raises(InvalidFields) as raised:
        requested_change(body)
    return raised.value.errors


def field_error(field: str) -> FieldError:
    return FieldError(field=field, message=CHANGE_FIELD_MESSAGES[field])


@pytest.mark.parametrize(("body", "errors"), [
    ({"status": "archived"}, [field_error("status")]),
    ({"status": "NEW"}, [field_error("status")]),
    ({"status": ["new"]}, [field_error("status")]),
    ({"status": 1}, [field_error("status")]),
    ({"assignee": "a" * 101}, [field_error("assignee")]),
    ({"assignee": " \t\u200b "}, [field_error("assignee")]),
    ({"assignee": 7}, [field_error("assignee")]),
    ({"note": "x" * 2001}, [field_error("note")]),
    ({"note": "   "}, [field_error("note")]),
    ({"note": {"text": "x"}}, [field_error("note")]),
    ({"level": "high"}, [field_error("level")]),
    ({"level": "URGENT"}, [field_error("level")]),
    ({"level": 2}, [field_error("level")]),
    ({"level": "urgent", "level_reason": "wrong"}, [field_error("level_reason")]),
    ({"level_reason": ["missed"]}, [field_error("level_reason")]),
    ({"note": "", "level_reason": "because", "level": "top", "status": "x"},
     [field_error("status"), field_error("level"), field_error("level_reason"), field_error("note")]),
    ({"note": "x", "email": "new@example.com", "phone": "1"}, [FieldError(field=None, message=ONLY_THESE_FIELDS)]),
    ({"email": "new@example.com", "note": "", "status": "gone"},
     [field_error("status"), field_error("note"), FieldError(field=None, message=ONLY_THESE_FIELDS)]),
])
def test_a_bad_change_names_each_broken_field_once_in_a_fixed_order(body: dict[str, Any],
                                                                     errors: list[FieldError]) -> None:
    assert errors_of(body) == errors


def test_a_bad_change_never_echoes_what_was_sent() -> None:
    sent = {"status": "secret-status", "assignee": "s" * 150, "note": "n" * 2500, "secret-key": "secret-value",
            "level": "secret-level", "level_reason": "secret-reason"}

    with pytest.raises(InvalidFields) as raised:
        requested_change(sent)

    shown = str(raised.value) + repr(raised.value.errors)
    assert "secret" not in shown and "sss" not in shown and "nnn" not in shown
