"""Path rules: which folders never hold artifacts and which file names are documents."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


class FolderSet:
    """Folder names looked for anywhere in a directory path, with one regex search."""

    __slots__ = ("names", "_search", "_cached")

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(n.lower() for n in names)
        alternatives = "|".join(sorted(map(re.escape, self.names), key=len, reverse=True))
        pattern = rf"(?:^|/)(?:{alternatives})(?:/|$)"
        self._search = re.compile(pattern, re.IGNORECASE).search
        # Many files share a folder; a bounded cache keeps repeated folders cheap.
        self._cached = lru_cache(maxsize=1 << 15)(self._check)

    def __or__(self, other: FolderSet) -> FolderSet:
        return FolderSet(self.names | other.names)

    def within(self, folder: str) -> bool:
        """Whether the directory path `folder` passes through a folder with one of the names."""
        return bool(folder) and self._cached(folder)

    def _check(self, folder: str) -> bool:
        return self._search(folder) is not None


# Third-party code copied into a repository: its files are not the repository's artifacts.
VENDORED_DIRS = FolderSet(
    {
        "node_modules", "bower_components", "jspm_packages", "vendor", "vendored",
        "third_party", "third-party", "thirdparty", "site-packages", ".venv", "venv",
        "__pycache__", ".tox", ".git", ".hg", ".svn", ".cache", ".yarn", ".pnpm-store",
    }
)  # fmt: skip

# Test inputs look like artifacts on purpose.
TEST_DIRS = FolderSet(
    {
        "test", "tests", "__tests__", "fixtures", "fixture", "__fixtures__", "testdata",
        "test-data", "test_data", "test-fixtures", "test_fixtures", "__snapshots__", "__mocks__",
    }
)  # fmt: skip

# Documentation trees: a topic, not an owner. A `docs/commands/` folder usually documents a
# CLI, so the name counts against a prompt there; it never outweighs a complete definition.
DOC_DIRS = FolderSet({"docs", "doc", "documentation", "wiki", "website", "_site", "site-docs"})

# Folders a website serves data from: catalog copies of components live there.
WEB_DATA_DIRS = FolderSet({"public", "static", "_site", "_data"})
# Build output: generated copies of configuration files.
BUILD_DIRS = FolderSet({"dist", "build", "out"})

# Configuration folders of other coding assistants; their hooks, commands and agents differ.
OTHER_HARNESS_DIRS = FolderSet(
    {
        ".cursor", ".cursor-plugin", ".codex", ".codex-plugin", ".gemini", ".gemini-plugin",
        ".windsurf", ".github", ".opencode", ".continue", ".roo", ".kiro", ".clinerules",
        ".cline", ".amazonq", ".augment", ".trae", ".zed", ".vscode", ".idea", ".factory",
        ".qwen", ".kilocode", ".junie", ".crush", ".goose", ".aider",
    }
)  # fmt: skip

# Folders whose files belong to something else: test inputs, copied code, other assistants'
# configuration, a website's copies. Whatever their files look like, Claude Code never loads
# them from there, so these names do exclude (unlike DOC_DIRS, which only count against).
FOREIGN_DIRS = TEST_DIRS | VENDORED_DIRS | OTHER_HARNESS_DIRS | WEB_DATA_DIRS

# Document names that sit beside artifacts in their folders (compared lower-cased).
DOC_STEMS = frozenset(
    {
        "readme", "license", "licence", "index", "_index", "overview", "toc",
        "table-of-contents", "notice", "authors", "copying",
    }
)  # fmt: skip

# Upper-case names are the convention for repository documents (CHANGELOG, CONTRIBUTING, ...);
# slash commands and subagents are invoked by lower-case names.
_UPPER_DOC = re.compile(r"^[A-Z][A-Z0-9_-]{2,}$")
# `_partial.md` files and templates named as such ("command-template.md"); "create-template.md"
# is a command that makes templates, so a verb before "template" does not count.
_TEMPLATE_STEM = re.compile(
    r"^(?:_.*|_?templates?|(?:command|agent|subagent|skill|prompt|hook)[-_]templates?"
    r"|templates?[-_](?:command|agent|subagent|skill|prompt|hook))$",
    re.IGNORECASE,
)


def stem_of(name: str) -> str:
    """A file name without its last extension."""
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def is_doc_name(name: str) -> bool:
    """README, LICENSE, index and overview pages, and other upper-case repository documents."""
    stem = stem_of(name)
    return stem.lower() in DOC_STEMS or bool(_UPPER_DOC.match(stem))


def is_template_name(name: str) -> bool:
    """Placeholder files by name: `_template.md`, `template.md`, `command-template.md`."""
    return bool(_TEMPLATE_STEM.match(stem_of(name)))


def parent_of(path: str) -> str:
    """The directory of `path` ("" at the repository root)."""
    slash = path.rfind("/")
    return path[:slash] if slash >= 0 else ""


def base_of(path: str) -> str:
    return path[path.rfind("/") + 1 :]


def join(base: str, rel: str) -> str | None:
    """`rel` (as written in a manifest, e.g. "./x.md") resolved under `base`; None if it escapes."""
    if rel.startswith("/") or "://" in rel:
        return None
    parts = [p for p in base.split("/") if p] if base else []
    for part in rel.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)
