"""Expand template.yaml's SAM transform offline (aws-sam-translator), for scanning the real resources.

``checkov`` sees only the ``AWS::Serverless::*`` shorthand in template.yaml; what CloudFormation
deploys is the expansion: roles, stages, deployments, permissions, event source mappings. This
writes that expansion as JSON so the same scanner can judge it.

Each resource SAM generates inherits the ``checkov`` skips written in template.yaml's Metadata on
the SAM resource it came from (its logical ID starts with that resource's ID, as SAM names them),
so a skip is still written, with its reason, in exactly one place: template.yaml.

    python -m infra.expand_template [--template template.yaml] [--output build/template.expanded.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any, cast

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from infra.template import ROOT, TEMPLATE_PATH, load_template

DEFAULT_OUTPUT = ROOT / "build" / "template.expanded.json"


def _no_managed_policies() -> dict[str, str]:
    """The template names no AWS managed policy by its short name, so the map SAM would fetch from IAM is
    empty: offline, a policy named that way makes the translation fail, which is wanted."""
    return {}


def _checkov_skips(resource: dict[str, Any]) -> list[dict[str, Any]]:
    metadata = resource.get("Metadata") or {}
    checkov = metadata.get("checkov") or {}
    return list(checkov.get("skip") or [])


def _origin(logical_id: str, sam_ids: list[str]) -> str | None:
    """The SAM resource a generated resource came from: the longest SAM logical ID it starts with."""
    matches = [sid for sid in sam_ids if logical_id.startswith(sid)]
    return max(matches, key=len) if matches else None


def inherit_skips(source: dict[str, Any], expanded: dict[str, Any]) -> dict[str, Any]:
    """Copy each SAM resource's checkov skips onto every resource generated from it."""
    sam_resources = {
        lid: res for lid, res in source["Resources"].items() if str(res.get("Type", "")).startswith("AWS::Serverless::")
    }
    sam_ids = list(sam_resources)
    for lid, res in expanded["Resources"].items():
        if lid in source["Resources"] and lid not in sam_resources:
            continue  # written in template.yaml itself: it carries its own skips, if any
        origin = _origin(lid, sam_ids)
        if origin is None:
            continue
        skips = _checkov_skips(sam_resources[origin])
        if not skips:
            continue
        metadata = res.setdefault("Metadata", {})
        checkov = metadata.setdefault("checkov", {})
        have = {s.get("id") for s in checkov.get("skip", [])}
        checkov["skip"] = [*checkov.get("skip", []), *(s for s in skips if s.get("id") not in have)]
    return expanded


_LOCAL_URI_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
}


def as_packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Point local code paths at S3, as ``sam package`` / ``sam deploy`` does before the transform runs."""
    out = copy.deepcopy(template)
    placeholder = "s3://offline-expansion/artifact.zip"
    globals_fn = out.get("Globals", {}).get("Function", {})
    if isinstance(globals_fn.get("CodeUri"), str):
        globals_fn["CodeUri"] = placeholder
    for res in out["Resources"].values():
        prop = _LOCAL_URI_PROPERTIES.get(str(res.get("Type")))
        props = res.get("Properties", {})
        if prop and isinstance(props.get(prop), str) and not props[prop].startswith("s3://"):
            props[prop] = placeholder
    return out


def expand(path: Path = TEMPLATE_PATH, region: str = "us-east-1") -> dict[str, Any]:
    """template.yaml with the SAM transform applied, as CloudFormation would receive it."""
    source = load_template(path)
    params: dict[str, Any] = {"AWS::Region": region, "AWS::Partition": "aws"}
    # No credentials are needed or used: the session only names a region for ARNs.
    session = boto3.Session(region_name=region)
    translator = Translator(None, Parser(), boto_session=session)
    expanded = translator.translate(as_packaged(source), parameter_values=params, passthrough_metadata=True,
                                    get_managed_policy_map=_no_managed_policies)
    return inherit_skips(source, cast(dict[str, Any], expanded))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--template", type=Path, default=TEMPLATE_PATH)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    expanded = expand(args.template)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(expanded, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(expanded['Resources'])} resources)", file=sys.stderr)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
