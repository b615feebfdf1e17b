"""Export the API's OpenAPI document (generated from the pydantic models), or check it is current.

    python -m infra.openapi > docs/openapi.json
    python -m infra.openapi --check docs/openapi.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from inquiries.intake.api import IntakeApp, openapi_document
from inquiries.intake.service import IntakeService
from inquiries.settings import IntakeSettings

# Only what shapes the document matters here; the service is never built.
_DOCUMENTED = IntakeSettings(inquiries_table="-", idempotency_table="-", rate_limit_table="-",
                             pepper_secret="-", confirmation_queue_url="-", care_team_queue_url="-")  # noqa: S106


def _no_service() -> IntakeService:
    raise RuntimeError("the OpenAPI document is built without a service")


def render() -> str:
    """The OpenAPI document as stable, pretty JSON (what docs/openapi.json must hold)."""
    doc: dict[str, Any] = openapi_document(IntakeApp(_DOCUMENTED, service=_no_service))
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the document, or with --check compare it to a file and fail when it differs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", type=Path, help="fail (exit 1) when this file differs from the generated one")
    args = parser.parse_args(argv)
    text = render()
    if args.check is None:
        sys.stdout.write(text)
        return 0
    current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
    if current != text:
        sys.stderr.write(f"{args.check} is stale: run `make openapi` and commit the result.\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
