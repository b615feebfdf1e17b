"""`make run` with LOCAL_REQUIRE_SECOND_APPROVAL=1 runs the console's erasures as the template's
RequireSecondApproval=true would (issue 21); without it, as the template's default."""

from __future__ import annotations

from infra.local.config import LocalConfig
from infra.local.stack import local_overrides


def test_second_approval_is_off_locally_unless_asked_for() -> None:
    assert "REQUIRE_SECOND_APPROVAL" not in local_overrides(LocalConfig.from_environ({}))["RightsApiFunction"]
    asked = LocalConfig.from_environ({"LOCAL_REQUIRE_SECOND_APPROVAL": "1"})
    assert local_overrides(asked)["RightsApiFunction"]["REQUIRE_SECOND_APPROVAL"] == "true"
