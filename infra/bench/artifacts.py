"""Artifact sizes from ``sam build`` (``make sam-build``): each function's code and the dependency layer.

Lambda limits the *unzipped* size of a function and all its layers to 250 MB and stores the zip; both
are reported. Sizes come from ``.aws-sam/build``; when it is missing the section says so instead.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from infra.template import ROOT

BUILD_DIR = ROOT / ".aws-sam" / "build"
ARTIFACTS = ("IntakeFunction", "RedispatchFunction", "SendConfirmationFunction", "NotifyCareTeamFunction",
             "RuntimeDependenciesLayer")


@dataclass(frozen=True)
class ArtifactSize:
    """One built artifact: files, bytes unzipped and bytes as a deflated zip."""

    name: str
    files: int
    unzipped_bytes: int
    zipped_bytes: int


def _files(directory: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        found += [Path(root) / name for name in sorted(names)]
    return found


def measure_one(directory: Path) -> ArtifactSize:
    """Sizes of one artifact directory (zipped as ``sam deploy`` would, deflate)."""
    files = _files(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(directory))
    return ArtifactSize(name=directory.name, files=len(files), unzipped_bytes=sum(p.stat().st_size for p in files),
                        zipped_bytes=buffer.getbuffer().nbytes)


def measure(build_dir: Path = BUILD_DIR) -> list[ArtifactSize]:
    """Every artifact present under ``build_dir`` (empty when nothing was built)."""
    return [measure_one(build_dir / name) for name in ARTIFACTS if (build_dir / name).is_dir()]
