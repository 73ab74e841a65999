"""What detection produces and the catalog merge consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class DetectedArtifact:
    type: str  # an ArtifactType value
    name: str
    path: str  # skill: the directory; other types: the file
    content_hash: str  # tree sha of a directory artifact, blob sha of a file artifact
    confidence: int  # 0..100
    score_breakdown: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    description: str | None = None
    version: str | None = None
