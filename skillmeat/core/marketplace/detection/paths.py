"""Path rules: which folders never hold artifacts and which file names are documents."""

from __future__ import annotations

import re

# Third-party code copied into a repository: its files are not the repository's artifacts.
VENDORED_DIRS = frozenset(
    {
        "node_modules", "bower_components", "jspm_packages", "vendor", "vendored",
        "third_party", "third-party", "thirdparty", "site-packages", ".venv", "venv",
        "__pycache__", ".tox", ".git", ".hg", ".svn", ".cache", ".yarn", ".pnpm-store",
    }
)  # fmt: skip

# Test inputs look like artifacts on purpose.
TEST_DIRS = frozenset(
    {
        "test", "tests", "__tests__", "fixtures", "fixture", "__fixtures__", "testdata",
        "test-data", "test_data", "test-fixtures", "test_fixtures", "__snapshots__", "__mocks__",
    }
)  # fmt: skip

# Documentation trees: a `docs/commands/` folder documents a CLI, it holds no slash commands.
DOC_DIRS = frozenset({"docs", "doc", "documentation", "wiki", "website", "_site", "site-docs"})

# Folders a website or build serves data from: catalog copies of components live there.
WEB_DATA_DIRS = frozenset({"public", "static", "_site", "_data", "dist", "build", "out"})

# Configuration folders of other coding assistants; their hooks, commands and agents differ.
OTHER_HARNESS_DIRS = frozenset(
    {
        ".cursor", ".cursor-plugin", ".codex", ".codex-plugin", ".gemini", ".gemini-plugin",
        ".windsurf", ".github", ".opencode", ".continue", ".roo", ".kiro", ".clinerules",
        ".cline", ".amazonq", ".augment", ".trae", ".zed", ".vscode", ".idea", ".factory",
        ".qwen", ".kilocode", ".junie", ".crush", ".goose", ".aider",
    }
)  # fmt: skip

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
_TEMPLATE_STEM = re.compile(r"^_|^template$|^templates?[-_]|[-_]template$", re.IGNORECASE)


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
    return bool(_TEMPLATE_STEM.search(stem_of(name)))


def has_any(segments: list[str], names: frozenset[str]) -> bool:
    return any(seg.lower() in names for seg in segments)


def parent_of(path: str) -> str:
    """The directory of `path` ("" at the repository root)."""
    slash = path.rfind("/")
    return path[:slash] if slash >= 0 else ""


def base_of(path: str) -> str:
    return path[path.rfind("/") + 1 :]


def ancestors(path: str) -> list[str]:
    """Directories above `path`, nearest first, ending with the root ""."""
    out = []
    while path:
        path = parent_of(path)
        out.append(path)
    return out


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
