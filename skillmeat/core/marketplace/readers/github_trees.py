"""GitHub tree listings into the one tree model: items checked one by one, problems named."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from skillmeat.core.marketplace.readers.errors import RateLimited, ReaderError
from skillmeat.core.marketplace.tree import ENTRY_TYPES, RepoTree, TreeBuilder

# (tree sha, recursive) -> GitHub's answer for that tree
TreeData = Callable[..., dict[str, Any]]


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


def walk_tree(commit: str, tree_data: TreeData, max_requests: int) -> RepoTree:
    """Complete a truncated listing directory by directory, within a request budget."""
    builder = TreeBuilder()
    problems: list[str] = []
    # (path prefix, tree sha, try recursive first); the root is known to be too big.
    pending: deque[tuple[str, str, bool]] = deque([("", commit, False)])
    budget = max_requests
    while pending and budget > 0:
        prefix, sha, recursive = pending.popleft()
        where = prefix or "/"
        try:
            if recursive:
                budget -= 1
                data = tree_data(sha, recursive=True)
                if not data.get("truncated"):
                    add_items(builder, data, prefix, problems)
                    continue
                if budget <= 0:  # too big for one request and no budget to go level by level
                    pending.appendleft((prefix, sha, False))
                    break
            budget -= 1
            data = tree_data(sha, recursive=False)
        except RateLimited as exc:
            problems.append(f"{where}: {exc}")
            pending.appendleft((prefix, sha, recursive))
            break  # every further request would be refused too
        except ReaderError as exc:
            problems.append(f"{where}: {exc}")
            continue
        for path, sha in add_items(builder, data, prefix, problems):
            pending.append((path, sha, True))
    if pending:
        problems.append(
            f"tree listing stopped after {max_requests - budget} requests; "
            f"{len(pending)} directories not listed"
        )
    return builder.build(commit, complete=not problems, problems=problems)
