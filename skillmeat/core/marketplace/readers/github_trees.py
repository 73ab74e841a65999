"""GitHub tree listings into the one tree model: items checked one by one, problems named."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skillmeat.core.marketplace.tree import ENTRY_TYPES, TreeBuilder


def add_items(
    builder: TreeBuilder, data: Mapping[str, Any], prefix: str, problems: list[str]
) -> list[tuple[str, str]]:
    """Add GitHub tree items (paths made relative to the repository root) to `builder`.

    Returns the (path, sha) of each folder added. Items that are not well-formed are
    skipped and named in `problems`, so the tree is marked incomplete.
    """
    folders: list[tuple[str, str]] = []
    items = data.get("tree")
    if not isinstance(items, list):
        problems.append(f"{prefix or '/'}: GitHub sent no tree listing")
        return folders
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ENTRY_TYPES:
            problems.append(f"{prefix or '/'}: skipped a tree item of unknown type")
            continue
        name, sha = item.get("path"), item.get("sha")
        mode, size = item.get("mode"), item.get("size")
        if not isinstance(name, str) or not name or not isinstance(sha, str):
            problems.append(f"{prefix or '/'}: skipped a malformed tree item")
            continue
        path = f"{prefix}/{name}" if prefix else name
        mode = mode if isinstance(mode, str) and mode else None
        size = size if kind == "blob" and isinstance(size, int) and size >= 0 else None
        try:
            builder.add(path, kind, sha, size, mode)
        except ValueError as exc:  # InvalidObjectId, or a size no file has
            problems.append(str(exc))
            continue
        if kind == "tree":
            folders.append((path, sha))
    return folders
