"""Settings come from the environment variables template.yaml declares."""

from __future__ import annotations

import pytest
from inquiries.settings import Settings
from pydantic import ValidationError


def test_settings_read_the_template_variable_names() -> None:
    s = Settings.from_environ({"ALLOWED_ORIGINS": "https://a.example, https://b.example/ ,", "RETENTION_DAYS": "30",
                               "INQUIRIES_TABLE": "T", "UNRELATED": "x"})
    assert s.allowed_origins == ("https://a.example", "https://b.example")
    assert s.retention_days == 30
    assert s.inquiries_table == "T"


def test_nonsense_settings_fail_at_cold_start() -> None:
    with pytest.raises(ValidationError):
        Settings.from_environ({"RETENTION_DAYS": "0"})
