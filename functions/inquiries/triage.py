"""What we decide about an inquiry's urgency: does the person's own wording signal danger?

Deliberately sensitive: a false alarm costs the care team a quick look and shows the person
crisis numbers they may not need; a miss can cost a life. Matching is on the cleaned message,
case-insensitively, on whole words.
"""

from __future__ import annotations

import re

_DANGER_PATTERNS: tuple[str, ...] = (
    r"suicid\w*",
    r"kill(ing)? my ?self",
    r"end(ing)? (my|it) (own )?life",
    r"end(ing)? it all",
    r"take my (own )?life",
    r"(want|wanna|going|ready|plan(ning)?) to die",
    r"wish i (was|were) dead",
    r"better off dead",
    r"(no|any) (reason|point) (to|in) (live|living|go(ing)? on)",
    r"do(n'?t| not) want to (live|be alive|wake up)",
    r"can'?t (go on|keep going|do this any ?more)",
    r"hurt(ing)? my ?self",
    r"harm(ing)? my ?self",
    r"self[- ]?harm\w*",
    r"cut(ting)? my ?self",
    r"over ?dos(e|ed|ing)",
    r"took too many (pills|tablets)",
    r"(kill|hurt|harm) (someone|somebody|people|him|her|them)",
    r"in (immediate )?danger",
)
_DANGER = re.compile(r"\b(?:" + "|".join(_DANGER_PATTERNS) + r")\b", re.IGNORECASE)


def signals_danger(text: str | None) -> bool:
    """True when the text contains wording that suggests a risk of harm to self or others."""
    if not text:
        return False
    normalised = text.replace("\u2019", "'")
    return _DANGER.search(normalised) is not None
