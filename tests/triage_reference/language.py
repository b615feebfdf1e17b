"""Which language a message is written in, as far as triage and the crisis resources need to know.

Only English and Spanish are told apart: a message is Spanish when clearly more of its words are common
Spanish function words than common English ones. A short or mixed message without a clear lead is
English (``en``), the form's default. Never stored as the person's choice: the page's ``language`` is
that; this is what the words themselves are in.
"""

from __future__ import annotations

_SPANISH = frozenset({
    "de", "la", "que", "el", "en", "y", "los", "las", "del", "se", "por", "un", "una", "para", "con", "es", "lo",
    "mi", "te", "su", "al", "le", "mas", "pero", "como", "esta", "estoy", "ya", "muy", "yo", "tengo", "quiero",
    "porque", "cuando", "hace", "desde", "hijo", "hija", "mama", "papa", "esposo", "esposa", "hermano", "hermana",
    "ayuda", "ayudar", "puedo", "tiene", "tomar", "vida", "nada", "todo", "todos", "hay", "soy", "sobre", "ella",
    "ellos", "eso", "esto", "algo", "otra", "otro", "tambien", "pastillas", "anos", "dias", "semana", "noche",
    "hoy", "ahora", "siento", "pienso", "necesito", "quisiera", "informacion", "consulta", "tratamiento", "seguro",
    "cita"
})
_ENGLISH = frozenset({
    "the", "and", "to", "of", "in", "is", "it", "i", "my", "you", "that", "for", "on", "with", "this", "was",
    "have", "be", "are", "not", "but", "at", "so", "do", "can", "what", "about", "if", "just", "she", "they", "we",
    "an", "or", "from", "as", "your", "his", "her", "their", "im", "dont", "know", "want", "been", "would", "will",
    "how", "get", "got", "any", "there", "its", "has", "had", "all", "feel", "like", "tried", "help", "need"
})


def message_language(words: str) -> str:
    """``es`` when the folded words (``text.fold``) read as Spanish, else ``en``."""
    spanish = english = 0
    for word in words.split():
        if word in _SPANISH:
            spanish += 1
        elif word in _ENGLISH:
            english += 1
    return "es" if spanish >= 2 and spanish > english else "en"
