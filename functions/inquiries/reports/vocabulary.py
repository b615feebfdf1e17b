"""The closed vocabularies an aggregate may hold: levels, languages, topics, triage categories, referral kinds.

Every value an aggregate keeps comes from one of these lists; anything else is counted as ``other``. The
referral source is the one free-text field counted: it is reduced here to a kind (``search``, ``social``,
...) by a few fixed words, and its text is never stored, logged or shown by reports.
"""

from __future__ import annotations

import re

from inquiries.care.levels import LevelReason
from inquiries.record import Language, Level, Topic

OTHER = "other"
NONE = "none"
LEVELS: tuple[str, ...] = tuple(level.value for level in (Level.URGENT, Level.PRIORITY, Level.NONE))
LANGUAGES: tuple[str, ...] = tuple(language.value for language in Language)
TOPICS: tuple[str, ...] = tuple(topic.value for topic in Topic)
DIRECTIONS: tuple[str, ...] = tuple(reason.value for reason in LevelReason)
# triage/rules.json's categories (a test keeps the two lists equal), and ``none`` for a correction of an
# inquiry triage gave no category.
CATEGORIES: tuple[str, ...] = ("ideation", "plan_and_means", "preparation_and_farewell", "overdose", "self_harm",
                               "harm_to_others", "someone_else_at_risk", "dangerous_withdrawal",
                               "threat_from_others", "medical_emergency", NONE)

# How the person heard of the clinic, by kind; the first kind one of whose words the answer holds.
_REFERRAL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("clinician", ("doctor", "dr", "physician", "therapist", "psychiatrist", "psychologist", "counselor",
                   "counsellor", "nurse", "provider", "clinic", "hospital", "referral", "referred", "gp", "pcp",
                   "medico", "médico", "terapeuta", "psiquiatra")),
    ("search", ("google", "googled", "googling", "bing", "search", "duckduckgo", "yahoo", "online", "internet",
                "web", "website", "buscador")),
    ("social", ("instagram", "facebook", "tiktok", "reddit", "twitter", "youtube", "linkedin", "social",
                "redes")),
    ("friend_or_family", ("friend", "friends", "family", "wife", "husband", "partner", "mother", "father", "mom",
                          "dad", "sister", "brother", "coworker", "colleague", "word", "amigo", "amiga", "familia")),
    ("media", ("podcast", "radio", "tv", "television", "news", "article", "magazine", "ad", "ads", "advert",
               "advertisement", "newspaper")),
)
REFERRAL_KINDS: tuple[str, ...] = (*(kind for kind, _words in _REFERRAL_WORDS), OTHER, NONE)
_WORD = re.compile(r"[^\W\d_]+")


def closed(value: object, vocabulary: tuple[str, ...]) -> str:
    """``value`` when it is one of ``vocabulary``, else ``other``."""
    return value if isinstance(value, str) and value in vocabulary else OTHER


def referral_kind(answer: object) -> str:
    """The kind of an answer to "How did you hear about us?": ``none`` when not given, ``other`` when no
    fixed word of a kind is in it. Never the answer itself."""
    if not isinstance(answer, str) or not answer.strip():
        return NONE
    words = set(_WORD.findall(answer.lower()))
    for kind, kind_words in _REFERRAL_WORDS:
        if words.intersection(kind_words):
            return kind
    return OTHER
