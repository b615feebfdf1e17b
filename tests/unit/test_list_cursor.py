"""The list cursor: signed under the pepper, bounded, bound to its status list (issue 18, finding 8)."""

from __future__ import annotations

import pytest
from inquiries.data.cursor import MAX_CURSOR_CHARS, ListCursors
from inquiries.data.errors import InvalidCursor
from inquiries.peppers import Peppers

KEY = {"created_at": {"S": "2026-03-10T15:00:00.000Z"}, "inquiry_id": {"S": "01J9Z3V6Q0W1X2Y3Z4A5B6C7D8"},
       "status": {"S": "new"}}
OLD = b"an old pepper of at least 16 bytes"
NEW = b"a new pepper of at least 16 bytes."


def cursors(current: bytes, previous: bytes | None = None) -> ListCursors:
    return ListCursors(lambda: Peppers(current=current, previous=previous))


def test_a_sealed_cursor_opens_to_its_key_and_page() -> None:
    sealed = cursors(NEW).seal(KEY, 2)

    assert cursors(NEW).open(sealed, "new") == (KEY, 2)
    assert len(sealed) <= MAX_CURSOR_CHARS


def test_a_cursor_signed_before_a_rotation_still_opens_while_it_settles() -> None:
    sealed = cursors(OLD).seal(KEY, 3)

    assert cursors(NEW, previous=OLD).open(sealed, "new") == (KEY, 3)
    with pytest.raises(InvalidCursor):
        cursors(NEW).open(sealed, "new")


def test_a_cursor_of_another_status_list_does_not_open() -> None:
    with pytest.raises(InvalidCursor):
        cursors(NEW).open(cursors(NEW).seal(KEY, 2), "closed")


@pytest.mark.parametrize("page", [0, 1, 10**7])
def test_a_signed_cursor_with_a_page_out_of_range_does_not_open(page: int) -> None:
    with pytest.raises(InvalidCursor):
        cursors(NEW).open(cursors(NEW).seal(KEY, page), "new")


def test_a_signed_but_oversized_key_does_not_open() -> None:
    big = {**KEY, "inquiry_id": {"S": "A" * 200}}

    with pytest.raises(InvalidCursor):
        cursors(NEW).open(cursors(NEW).seal(big, 2), "new")


def test_only_the_canonical_spelling_of_a_cursor_opens() -> None:
    sealed = cursors(NEW).seal(KEY, 2)
    payload, signature = sealed.split(".")
    # 16 bytes are 22 base64 characters, the last carrying 2 bits and 4 unused ones: another letter with the
    # same 2 bits decodes to the same signature. Only the spelling seal() writes is accepted.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    for other in (alphabet[(last & ~0b1111) | low] for low in range(1, 16)):
        with pytest.raises(InvalidCursor):
            cursors(NEW).open(f"{payload}.{signature[:-1]}{other}", "new")
