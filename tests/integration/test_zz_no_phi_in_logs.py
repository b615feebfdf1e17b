"""Reads every log line the integration suite produced and finds none of the values it submitted."""

from __future__ import annotations

import pytest

from tests.support import phi


@pytest.mark.after_all_integration
def test_no_submitted_value_appears_in_any_log_line() -> None:
    log_text = "\n".join(phi.CAPTURED_LOG_TEXT)
    # Guard against a vacuous pass: the suite must have logged, and submitted, plenty.
    assert len(phi.SUBMITTED_VALUES) >= 20, "run with the whole integration suite"
    assert '"level":"INFO"' in log_text and "inquiry accepted" in log_text, "logs were not captured"
    leaked = sorted(v for v in phi.SUBMITTED_VALUES if v in log_text or v.lower() in log_text.lower())
    assert leaked == []
