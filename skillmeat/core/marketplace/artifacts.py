"""What detection produces and the catalog merge consumes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A score breakdown is flat and small: signal or note name -> points or a short text. Stored
# with every entry and sent with every listing, so a pushed scan cannot make it anything else.
MAX_BREAKDOWN_ITEMS = 50
MAX_BREAKDOWN_KEY = 64
MAX_BREAKDOWN_TEXT = 1000


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
    keywords: str | None = None  # frontmatter tags and keywords, space-separated
    risk: dict[str, Any] | None = None  # what it can run (core.risk), as stored
    risk_summary: str | None = None
    plugin_path: str | None = None  # the path of the plugin entry it is a member of
    plugin_meta: dict[str, Any] | None = None  # plugins only: member counts, remote, ...


# What a plugin entry may say of itself: short texts, flags and its member counts by type.
PLUGIN_META_TEXTS = frozenset({"root", "author", "homepage", "repository", "license",
                               "upstream_url", "upstream_path", "ref", "sha"})
PLUGIN_META_FLAGS = frozenset({"remote", "strict"})
MAX_META_TEXT = 2000


def plugin_meta_problem(meta: Mapping[Any, Any]) -> str | None:
    """Why `meta` is not a plugin's facts as detection writes them; None when it is."""
    for key, value in meta.items():
        if key in PLUGIN_META_TEXTS:
            if value is not None and not (isinstance(value, str) and len(value) <= MAX_META_TEXT
                                          and "\x00" not in value):
                return f"{key!r} must be a text of at most {MAX_META_TEXT} characters"
        elif key in PLUGIN_META_FLAGS:
            if not isinstance(value, bool):
                return f"{key!r} must be true or false"
        elif key == "member_counts":
            if not isinstance(value, dict) or len(value) > 20 or not all(
                    isinstance(k, str) and isinstance(n, int) and n >= 0 for k, n in value.items()):
                return "'member_counts' must map types to counts"
        else:
            return f"{key!r} is not a plugin fact"
    return None


def breakdown_problem(breakdown: Mapping[Any, Any]) -> str | None:
    """Why `breakdown` is not a flat, small score breakdown; None when it is one."""
    if len(breakdown) > MAX_BREAKDOWN_ITEMS:
        return f"has more than {MAX_BREAKDOWN_ITEMS} items"
    for key, value in breakdown.items():
        if not isinstance(key, str) or not 0 < len(key) <= MAX_BREAKDOWN_KEY:
            return f"keys must be names of 1 to {MAX_BREAKDOWN_KEY} characters"
        if isinstance(value, str):
            if len(value) > MAX_BREAKDOWN_TEXT:
                return f"{key!r} is longer than {MAX_BREAKDOWN_TEXT} characters"
        elif not isinstance(value, int) and not (isinstance(value, float)
                                                 and math.isfinite(value)):
            return f"{key!r} must be a number or a short text"
    return None
