"""The values each test submits, and the check that none of them, nor a part of one, reaches a log line.

``tests/conftest.py`` starts a fresh ``SubmittedValues`` for every test and, when the test ends,
searches everything it logged. A test that submits an inquiry builds it with ``distinctive_inquiry``
or posts it with ``tests.support.events`` (refused requests included): both register what was sent.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Mapping
from typing import Any

from inquiries.models import InquiryIn
from pydantic import ValidationError

_serial = itertools.count(1)
# Fields whose values are a fixed vocabulary (the form's choices): they are not the person's words.
_CHOICE_FIELDS = frozenset({"preferred_contact", "topic", "consent_to_contact", "sms_consent"})
# Shorter fragments would match ordinary log text by chance.
_MIN_LENGTH = 4


class SubmittedValues:
    """Every value one test submitted, with the parts and normalised forms that identify a person."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def register(self, data: Mapping[str, Any]) -> None:
        """Remember the free-text values of a submitted body, valid or not, and what identifies a person in
        them: each part of the name, the email's local part, the phone in E.164 as intake stores it."""
        for key, value in data.items():
            if key not in _CHOICE_FIELDS and isinstance(value, str):
                self._add(value)
        try:
            normalised = InquiryIn.model_validate(dict(data))
        except ValidationError:
            normalised = None
        name = data.get("name")
        if isinstance(name, str):
            for part in name.split():
                self._add(part)
        email = data.get("email")
        if isinstance(email, str):
            self._add(email.split("@", 1)[0])
        if normalised is not None:
            self._add(normalised.email)
            if normalised.phone:
                self._add(normalised.phone)

    def _add(self, value: str) -> None:
        value = value.strip()
        if len(value) >= _MIN_LENGTH:
            self._values.add(value)

    def __len__(self) -> int:
        return len(self._values)

    def leaks(self, text: str) -> list[str]:
        """The registered values found in ``text`` (case-insensitive)."""
        folded = text.casefold()
        return sorted(v for v in self._values if v.casefold() in folded)


_current = SubmittedValues()


def start_test() -> SubmittedValues:
    """A fresh registry for the test about to run."""
    global _current
    _current = SubmittedValues()
    return _current


def submitted_by_this_test() -> SubmittedValues:
    """What the running test has submitted so far (to search a message or a stored item for it)."""
    return _current


def register(data: Mapping[str, Any]) -> None:
    """Register a submitted body with the running test."""
    _current.register(data)


def distinctive_inquiry(**overrides: Any) -> dict[str, Any]:
    """A valid inquiry whose every free-text value is unique, registered as PHI to look for.

    The phone is typed the way people type it; intake stores (and the check also looks for) its E.164 form.
    """
    n = next(_serial)
    tag = f"{n:04d}"
    inquiry: dict[str, Any] = {
        "name": f"Marisol Quenby{tag}",
        "email": f"marisol.quenby{tag}@example.com",
        "phone": f"(415) 555-{2600 + n % 400:04d}",
        "preferred_contact": "email",
        "topic": "addiction",
        "message": f"I have been struggling with cravings, my secret note {tag}xq",
        "consent_to_contact": True,
        "referral_source": f"Podcast Zeta{tag}",
    }
    inquiry.update(overrides)
    register(inquiry)
    return inquiry


class LogCapture:
    """Every line the functions' Powertools logger writes, formatted exactly as CloudWatch gets it
    (JSON, extra keys included). Powertools' handler holds the stdout of import time, which capsys
    cannot see, so a second handler with the same formatter is attached while the test runs."""

    def __init__(self) -> None:
        # Imported here, not at collection: the singletons read POWERTOOLS_* from the environment.
        from inquiries.observability import logger as powertools_logger

        self._buffer = io.StringIO()
        self._handler = logging.StreamHandler(self._buffer)
        self._handler.setFormatter(powertools_logger.registered_formatter)
        self._target = logging.getLogger(powertools_logger.name)

    def __enter__(self) -> LogCapture:
        self._target.addHandler(self._handler)
        return self

    def __exit__(self, *_: object) -> None:
        self._target.removeHandler(self._handler)

    @property
    def text(self) -> str:
        """Everything logged so far."""
        return self._buffer.getvalue()
