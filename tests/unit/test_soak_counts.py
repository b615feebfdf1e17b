"""The soak counts every path an accepted inquiry takes: its email, its notification and its received event."""

from __future__ import annotations

from inquiries.ids import short_reference

from infra.bench.soak import SendCounts, received_events, tally

IDS = ["01JAAAAAAAAAAAAAAAAAAAAAAA", "01JBBBBBBBBBBBBBBBBBBBBBBB"]
ADDRESSES = {IDS[0]: "a@inbox1.example.com", IDS[1]: "b@inbox2.example.com"}


def _counts() -> SendCounts:
    counts = SendCounts()
    counts.add({"emails": [{"id": "m1", "to": [ADDRESSES[IDS[0]]]}, {"id": "m2", "to": [ADDRESSES[IDS[1]]]}],
                "notifications": [{"id": "n1", "subject": f"New inquiry {short_reference(IDS[0])}"},
                                  {"id": "n2", "subject": f"New inquiry {short_reference(IDS[1])}"}]})
    return counts


def _log(*pairs: tuple[str, str]) -> list[dict[str, dict[str, str]]]:
    return [{"inquiry_id": {"S": inquiry_id}, "event_id": {"S": event_id}, "type": {"S": "inquiry.received"}}
            for inquiry_id, event_id in pairs]


def test_every_path_delivered_once_is_neither_lost_nor_twice() -> None:
    received = received_events(_log((IDS[0], "e1"), (IDS[1], "e2")))
    assert tally(IDS, ADDRESSES, _counts(), received) == (0, 0)


def test_an_inquiry_without_its_received_event_is_lost() -> None:
    received = received_events(_log((IDS[0], "e1")))
    assert tally(IDS, ADDRESSES, _counts(), received) == (1, 0)


def test_two_received_events_for_one_inquiry_count_as_sent_twice_but_one_event_logged_twice_does_not() -> None:
    received = received_events(_log((IDS[0], "e1"), (IDS[0], "e1"), (IDS[1], "e2"), (IDS[1], "e3")))
    assert tally(IDS, ADDRESSES, _counts(), received) == (0, 1)


def test_other_events_are_not_counted() -> None:
    log = _log((IDS[0], "e1"), (IDS[1], "e2"))
    log.append({"inquiry_id": {"S": IDS[1]}, "event_id": {"S": "e4"}, "type": {"S": "inquiry.status_changed"}})
    assert tally(IDS, ADDRESSES, _counts(), received_events(log)) == (0, 0)
