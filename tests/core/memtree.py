"""In-memory repository trees for detection tests, read through a dict-backed reader."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection import detect
from skillmeat.core.marketplace.tree import SYMLINK_MODE, RepoTree, TreeEntry


def sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class MemRepo:
    """Files (text, bytes or JSON-able dicts) as a RepoTree, with a reader that counts calls."""

    def __init__(
        self,
        files: Mapping[str, str | bytes | dict[str, Any]],
        symlinks: Mapping[str, str] | None = None,
        submodules: Iterable[str] = (),
    ) -> None:
        self.blobs: dict[str, bytes] = {}
        for path, content in files.items():
            if isinstance(content, dict):
                content = json.dumps(content)
            self.blobs[path] = content.encode() if isinstance(content, str) else content
        entries = [TreeEntry(p, "blob", sha("blob:" + p), len(b)) for p, b in self.blobs.items()]
        for path, target in (symlinks or {}).items():
            entries.append(
                TreeEntry(path, "blob", sha("link:" + target), len(target), SYMLINK_MODE)
            )
        for path in submodules:
            entries.append(TreeEntry(path, "commit", sha("sub:" + path), None, "160000"))
        dirs = {
            "/".join(e.path.split("/")[:i])
            for e in entries
            for i in range(1, e.path.count("/") + 1)
        }
        entries += [TreeEntry(d, "tree", sha("tree:" + d), None, "040000") for d in sorted(dirs)]
        self.tree = RepoTree(commit="c" * 40, entries=entries)
        self.calls: list[tuple[list[str], int | None]] = []

    def read(self, paths: Iterable[str], limit: int | None) -> Mapping[str, bytes]:
        wanted = list(paths)
        self.calls.append((wanted, limit))
        return {
            p: self.blobs[p][:limit] if limit else self.blobs[p] for p in wanted if p in self.blobs
        }

    def detect(self, root_hint: str | None = None) -> list[DetectedArtifact]:
        return detect(self.tree, self.read, root_hint)

    def shown(self, root_hint: str | None = None,
              plugins: bool = False) -> set[tuple[str, str]]:
        """(type, path) of what a listing shows (confidence >= 30); plugin entries only when
        asked for (tests/core/test_detection_plugins.py covers them)."""
        return {(a.type, a.path) for a in self.detect(root_hint)
                if a.confidence >= 30 and (plugins or a.type != "plugin")}

    def by_path(self, root_hint: str | None = None) -> dict[tuple[str, str], DetectedArtifact]:
        return {(a.type, a.path): a for a in self.detect(root_hint)}


def skill(name: str, description: str = "Extract tables from PDFs. Use when asked.") -> str:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\nSteps.\n"


def agent(name: str, extra: str = "tools: Read, Grep\n") -> str:
    return f"---\nname: {name}\ndescription: Reviews code for {name}.\n{extra}---\n\nYou review.\n"


def command(description: str = "Deploy the service") -> str:
    return f"---\ndescription: {description}\nallowed-tools: Bash\n---\n\nDeploy $ARGUMENTS\n"


HOOKS = {
    "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "x"}]}]}
}
MCP = {"mcpServers": {"files": {"command": "npx", "args": ["-y", "files-server"]}}}
