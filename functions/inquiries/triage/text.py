"""How triage reads a message: one normal form for the rules and the model alike.

``fold``: Unicode NFKC, case folding, accents dropped ("quitarme la vída" and "quitarme la vida" read the
same, as do typed and untyped tildes), apostrophes dropped (``don't``, ``don\u2019t`` and ``dont`` read the
same), every other non-letter one space. ``collapse``: each run of one letter becomes one letter
("dieee", "killl", "sooo"). ``sentences``: where one sentence ends and the next begins, so that history
told in one sentence never lowers danger told in another.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4\u2032]")
_NOT_A_WORD = re.compile(r"[\W_]+")
# A letter followed by the same letter: deleted, each run becomes its last letter. The same text as replacing
# ``([^\W\d_])\1+`` by ``\1``, without a template expanded in Python for every run (CPython 3.11).
_LETTER_BEFORE_ITSELF = re.compile(r"([^\W\d_])(?=\1)")
# A sentence ends at . ! ? ; or a line break followed by a space or the end (so "i want.to.die" is one).
_SENTENCE_END = re.compile(r"(?:[.!?;]+|\n)(?:\s+|$)")


def fold(text: str) -> str:
    """Case-folded words without accents or apostrophes, one space apart."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFD", folded)
        folded = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return _NOT_A_WORD.sub(" ", _APOSTROPHES.sub("", folded)).strip()


def collapse(words: str) -> str:
    """Each run of one letter collapsed to one letter (digits are left alone)."""
    return _LETTER_BEFORE_ITSELF.sub("", words)


def sentences(text: str) -> list[str]:
    """The text's sentences, in order (a text with no sentence end is one sentence)."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]
