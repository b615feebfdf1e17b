"""Who a rights request is about, as keyed hashes only: what finds their inquiries and counters.

A person is named by an email address, a phone number or both. Each is normalised exactly as intake
normalises it before hashing, then kept only as its keyed hashes under every valid pepper (so a rotation
in progress hides nothing). A ``Person`` never holds the address or the number in clear: it can be stored
in a pending erasure request and shown to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from inquiries.data.items import email_hashes
from inquiries.data.lookups import phone_keys
from inquiries.delivery.address_cap import domain_hashes, mailbox_hashes
from inquiries.peppers import Peppers

# As intake reads a number without a country code (inquiries.models, which loads pydantic: imported only
# when an address is normalised, so RightsApiFunction's cold start stays without it).
DEFAULT_PHONE_REGION = "US"


class InvalidPhoneNumber(ValueError):
    """A phone number intake would have refused: nothing can be stored under it."""


def e164(text: str) -> str:
    """A phone as intake stores it (E.164). Raises ``InvalidPhoneNumber``."""
    import phonenumbers  # only a request by phone needs it

    try:
        parsed = phonenumbers.parse(text.strip(), DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("not a phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


@dataclass(frozen=True)
class Person:
    """One person as keyed hashes: the email hashes (EmailHashIndex), the mailbox hashes (confirmation
    counters), the mail domain's hashes (the shared per-domain counters) and the phone's lookup keys
    (InquiryLookupTable). Empty tuples for what was not given."""

    email_hashes: tuple[str, ...] = ()
    mailbox_hashes: tuple[str, ...] = ()
    phone_keys: tuple[str, ...] = ()
    domain_hashes: tuple[str, ...] = ()

    @classmethod
    def of(cls, peppers: Peppers, *, email: str | None = None, phone: str | None = None) -> Person:
        """The person named by ``email`` and/or ``phone``. Raises ``inquiries.models.InvalidEmailAddress`` or
        ``InvalidPhoneNumber`` for one intake would have refused, ``ValueError`` for neither given."""
        if not email and not phone:
            raise ValueError("give an email address or a phone number")
        emails: tuple[str, ...] = ()
        mailboxes: tuple[str, ...] = ()
        domains: tuple[str, ...] = ()
        if email:
            from inquiries.models import normalise_email  # raises InvalidEmailAddress (a ValueError)

            address = normalise_email(email)
            emails = tuple(email_hashes(address, peppers))
            mailboxes = tuple(mailbox_hashes(address, peppers))
            domains = tuple(domain_hashes(address, peppers))
        phones = tuple(phone_keys(e164(phone), peppers)) if phone else ()
        return cls(email_hashes=emails, mailbox_hashes=mailboxes, phone_keys=phones, domain_hashes=domains)

    def as_dict(self) -> dict[str, list[str]]:
        return {"email_hashes": list(self.email_hashes), "mailbox_hashes": list(self.mailbox_hashes),
                "phone_keys": list(self.phone_keys), "domain_hashes": list(self.domain_hashes)}

    @classmethod
    def from_dict(cls, stored: dict[str, list[str]]) -> Person:
        return cls(email_hashes=tuple(stored.get("email_hashes", ())),
                   mailbox_hashes=tuple(stored.get("mailbox_hashes", ())),
                   phone_keys=tuple(stored.get("phone_keys", ())),
                   domain_hashes=tuple(stored.get("domain_hashes", ())))


__all__ = ["InvalidPhoneNumber", "Person", "e164"]
