"""Triage: wording that signals danger makes an inquiry urgent."""

from __future__ import annotations

import pytest
from inquiries.triage import signals_danger


@pytest.mark.parametrize(
    "text",
    [
        "I have been having suicidal thoughts",
        "sometimes I want to kill myself",
        "I'm thinking of ending my life",
        "I don\u2019t want to live anymore",
        "Everyone would be better off dead without me",
        "I have been cutting myself again",
        "I overdosed last month and I'm scared",
        "I took too many pills last night",
        "I can't go on like this",
        "I want to die",
        "SELF-HARM has been a problem",
        "i'm afraid i might hurt someone",
    ],
)
def test_danger_wording_is_urgent(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "I'd like to learn about ketamine for depression and integration sessions.",
        "My anxiety makes it hard to sleep; what does treatment cost?",
        "I have been sober for two years but still struggle with cravings.",
        "Do you take insurance? My PTSD therapist referred me.",
        "I dyed my hair",
    ],
)
def test_ordinary_inquiries_are_not_urgent(text: str | None) -> None:
    assert not signals_danger(text)
