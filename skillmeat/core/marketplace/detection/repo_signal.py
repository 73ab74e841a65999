"""Whether a repository is meant for Claude Code, judged once per scan.

A prompt file with no owner Claude Code loads (no `.claude/`, plugin, manifest or install
README above it) is a loose candidate: its folder name says little on its own. What the rest of
the repository shows is the prior for all of them: a plugin marketplace's stray `commands/`
folder is likely real, a database server's documentation `commands/` folder is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.paths import FOREIGN_DIRS, parent_of

# Evidence, its weight, and how the score breakdown names it. Shipping plugins or telling users
# to install into ~/.claude is the repository's purpose. Skills and a README that names Claude
# Code point the same way, less surely; a `.claude/` folder of its own prompts shows only that
# the project is developed with Claude Code (CLAUDE.md and settings count for nothing).
EVIDENCE = {
    "plugin_manifests": (20, "plugin or marketplace manifests"),
    "install_readme": (20, "README installs into ~/.claude"),
    "claude_folder": (5, "prompts in a .claude/ folder"),
    "skills": (10, "skills (SKILL.md)"),
    "readme_mentions": (10, "README mentions Claude Code"),
}
STRONG = 20  # evidence points from which the repository is plainly meant for Claude Code
PRIOR = {"strong": 15, "weak": 5, "none": 0}  # points a loose candidate gets from the repository
_MENTION = re.compile(rb"claude[ -]?code|\.claude/(?:commands|agents|skills)\b", re.IGNORECASE)
_CLAUDE_PROMPTS = (".claude/commands/", ".claude/agents/", ".claude/skills/")


@dataclass(frozen=True, slots=True)
class RepoSignal:
    evidence: tuple[str, ...] = ()  # keys of EVIDENCE, in its order

    @property
    def strength(self) -> str:
        points = sum(EVIDENCE[name][0] for name in self.evidence)
        return "strong" if points >= STRONG else "weak" if points else "none"

    @property
    def prior(self) -> int:
        return PRIOR[self.strength]

    def describe(self) -> str:
        return ", ".join(EVIDENCE[name][1] for name in self.evidence)


def repo_signal(
    index: TreeIndex,
    manifests: Iterable[str],
    skill_dirs: Iterable[str],
    collections: Mapping[str, set[str]],
    texts: Mapping[str, bytes],
) -> RepoSignal:
    """The repository's evidence, from what detection has already listed and read."""
    found = {
        "plugin_manifests": any(True for _ in manifests),
        "install_readme": bool(collections),
        "claude_folder": _has_claude_prompts(index.markdown),
        "skills": any(True for _ in skill_dirs),
        "readme_mentions": _readme_mentions(index, texts),
    }
    return RepoSignal(tuple(name for name in EVIDENCE if found[name]))


def _has_claude_prompts(markdown: Iterable[str]) -> bool:
    for path in markdown:
        if ".claude/" not in path:
            continue
        at = max(path.find(marker) for marker in _CLAUDE_PROMPTS)
        if at >= 0 and (at == 0 or path[at - 1] == "/") and not FOREIGN_DIRS.within(path[:at]):
            return True
    return False


def _readme_mentions(index: TreeIndex, texts: Mapping[str, bytes]) -> bool:
    """Whether the README at the top of the scan (or of the repository) names Claude Code."""
    tops = {index.scope, ""}
    for path in index.readmes:
        if parent_of(path) in tops and _MENTION.search(texts.get(path, b"")):
            return True
    return False
