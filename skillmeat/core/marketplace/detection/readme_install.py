"""Folders a README says to install into `~/.claude/commands` or `~/.claude/agents`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.paths import (
    DOC_DIRS,
    OTHER_HARNESS_DIRS,
    TEST_DIRS,
    VENDORED_DIRS,
    WEB_DATA_DIRS,
    base_of,
    join,
    parent_of,
)

# Such folders hold prompts without a `commands/` or `agents/` folder of their own: the install
# step gives them one ("cp -r tools/catalog ~/.claude/commands/", or cloning the repository
# as `~/.claude/commands`).
_KINDS = {"commands": "command", "agents": "agent"}
_HOME = r"(?:~|\$HOME|\$\{HOME\})"
_TARGET = re.compile(_HOME + r"/\.claude/(commands|agents)\b")
_CD_CLAUDE = re.compile(r"\bcd\s+" + _HOME + r"/\.claude/?(?=\s|$|&|;)")
_CLONE = re.compile(r"\bgit\s+clone\s+((?:-\S+\s+)*)(\S+)(?:\s+([^\s;&|]+))?")
_COPY = re.compile(r"\b(?:cp|ln|mv|rsync)\s+(.+?)\s+" + _HOME + r"/\.claude/(commands|agents)\b")
_PROSE_VERB = re.compile(r"\b(?:copy|move|place|put|symlink|link|install|drop)\b", re.IGNORECASE)
_BACKTICKED = re.compile(r"`([^`\s]+)`")
_EXCLUDED = VENDORED_DIRS | TEST_DIRS | DOC_DIRS | OTHER_HARNESS_DIRS | WEB_DATA_DIRS


def readme_candidates(index: TreeIndex, layout: Layout) -> list[str]:
    """READMEs worth reading for install instructions (not a skill's or a document tree's)."""
    out = []
    for path in index.readmes:
        if _EXCLUDED.within(parent_of(path)) or layout.in_skill(path):
            continue
        out.append(path)
    return out


def find_collections(
    index: TreeIndex, readmes: Iterable[str], texts: Mapping[str, bytes]
) -> dict[str, set[str]]:
    """Folder -> kinds ("command", "agent") its prompts are installed as."""
    found: dict[str, set[str]] = {}
    for readme in readmes:
        raw = texts.get(readme)
        if not raw or b".claude" not in raw:
            continue
        folder = parent_of(readme)
        for target, kind in _install_targets(raw.decode("utf-8", "replace"), folder, index):
            found.setdefault(target, set()).add(kind)
    return found


def _install_targets(text: str, folder: str, index: TreeIndex) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    in_claude_home = False  # after `cd ~/.claude`, until the next section
    in_fence = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
        elif line.startswith("#") and not in_fence:
            in_claude_home = False
        if _CD_CLAUDE.search(line):
            in_claude_home = True
        for match in _CLONE.finditer(line):
            kind = _clone_kind(match.group(2), match.group(3), in_claude_home)
            if kind:
                out.append(("", kind))  # the whole repository becomes the folder
        if "/.claude/" not in line:
            continue
        for match in _COPY.finditer(line):
            for source in match.group(1).split():
                target = _existing_dir(source, folder, index)
                if target is not None:
                    out.append((target, _KINDS[match.group(2)]))
        target_match = _TARGET.search(line)
        if target_match and _PROSE_VERB.search(line) and not _COPY.search(line):
            for token in _BACKTICKED.findall(line[: target_match.start()]):
                target = _existing_dir(token, folder, index, own_name=True)
                if target is not None:
                    out.append((target, _KINDS[target_match.group(1)]))
    return out


def _clone_kind(url: str, dest: str | None, in_claude_home: bool) -> str | None:
    """The kind a `git clone` creates when it lands in ~/.claude/commands or ~/.claude/agents."""
    if dest:
        match = re.match(_HOME + r"/\.claude/(commands|agents)/?$", dest)
        if match:
            return _KINDS[match.group(1)]
        name = dest.rstrip("/")
    else:
        name = base_of(url.rstrip("/"))
        name = name[:-4] if name.endswith(".git") else name
    return _KINDS.get(name) if in_claude_home else None


def _existing_dir(token: str, folder: str, index: TreeIndex, own_name: bool = False) -> str | None:
    """A folder of this repository that an install instruction names, if there is one."""
    token = token.strip("'\"")
    if token.startswith("-") or not token:
        return None
    # "dir/*.md" or "dir/*/*.md" installs the files under "dir".
    parts = token.split("/")
    star = next((i for i, part in enumerate(parts) if "*" in part), None)
    if star is not None:
        if star == 0:
            return None
        parts = parts[:star]
    token = "/".join(part for part in parts if part)
    if not token:
        return None
    if own_name and token == base_of(folder) and folder:
        return folder
    for base in (folder, ""):
        path = join(base, token)
        if path and index.is_dir(path):
            return path
    return None
