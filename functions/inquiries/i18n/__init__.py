"""The person's language at run time: the compiled gettext catalogs, read with the standard library.

English is the source language: the messages in the code and templates are English, and an English reader
gets them as written. Every other language reads its compiled catalog (``locale/<lang>/LC_MESSAGES/
messages.mo``, made from the ``.po`` by ``make i18n``; Babel makes it at build time only and never ships).
A catalog that is missing raises ``CatalogMissing``: a Spanish reader never silently gets English. Whether
every message is translated is the build's gate (``tests/unit/test_catalogs.py``, ``make i18n-check``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

from inquiries.record import Language

DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class CatalogMissing(RuntimeError):
    """A language's compiled catalog is not where the artifact should carry it."""


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for "mark for extraction, translate later"
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


class Catalog(Protocol):
    """What a language's messages are read through (``gettext.GNUTranslations``' methods; Jinja uses all four)."""

    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, msgid1: str, msgid2: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...
    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int, /) -> str: ...


class SourceLanguage:
    """English, the language the messages are written in: what ``gettext.NullTranslations`` answers, without
    importing ``gettext``, whose import compiles its plural-forms tokenizer (about 1 ms of a cold start that
    reads only English). ``gettext`` is imported by the first reader of another language."""

    def gettext(self, message: str, /) -> str:
        """``message`` as written."""
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int, /) -> str:
        """The singular for one, else the plural, as written."""
        return msgid1 if n == 1 else msgid2

    def pgettext(self, context: str, message: str, /) -> str:
        """``message`` as written, whatever its context."""
        return message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int, /) -> str:
        """``ngettext``, whatever the context."""
        return self.ngettext(msgid1, msgid2, n)


@lru_cache(maxsize=4)
def translations(language: Language) -> Catalog:
    """The catalog for ``language``: English needs none; any other missing one raises ``CatalogMissing``."""
    if language is Language.EN:
        return SourceLanguage()
    import gettext  # only a reader of another language needs it: see ``SourceLanguage``

    try:
        return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language.value], fallback=False)
    except FileNotFoundError:
        raise CatalogMissing(f"no compiled {DOMAIN} catalog for {language.value!r} under {LOCALE_DIR}") from None


def translate(message: str, language: Language) -> str:
    """One fixed message (marked with ``N_`` where it is defined) in ``language``."""
    return translations(language).gettext(message)
