"""The rights function reads a phone number exactly as intake does, without loading intake's models at start."""

from __future__ import annotations

import pytest
from inquiries import models
from inquiries.peppers import Peppers
from inquiries.rights import person
from inquiries.rights.person import InvalidPhoneNumber, Person, e164


def test_a_number_without_a_country_code_is_read_in_intakes_region() -> None:
    assert person.DEFAULT_PHONE_REGION == models.DEFAULT_PHONE_REGION
    assert e164("(415) 555-0177") == e164("+1 415 555 0177") == "+14155550177"
    with pytest.raises(InvalidPhoneNumber):
        e164("12")


def test_a_person_is_kept_as_keyed_hashes_only() -> None:
    peppers = Peppers(current=b"p" * 32, previous=b"q" * 32)
    someone = Person.of(peppers, email="Ana.Person+tag@Example.COM", phone="(415) 555-0177")
    stored = str(someone.as_dict())
    assert "ana" not in stored.casefold() and "555" not in stored and "0177" not in stored
    assert len(someone.email_hashes) == len(someone.phone_keys) == 2, "current and previous pepper"
    assert Person.from_dict(someone.as_dict()) == someone
    with pytest.raises(models.InvalidEmailAddress):
        Person.of(peppers, email="not an address")
