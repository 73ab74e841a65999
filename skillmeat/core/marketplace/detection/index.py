"""The repository tree indexed once, so every rule looks paths up instead of rescanning."""

from __future__ import annotations

from collections.abc import Iterable

from skillmeat.core.marketplace.tree import TreeEntry

MANIFEST_DIR = ".claude-plugin"


class TreeIndex:
    """Blobs and directories by path, with the few file families detection cares about."""

    def __init__(self, entries: Iterable[TreeEntry], root_hint: str | None = None) -> None:
        self.scope = (root_hint or "").strip("/")
        self.blobs: dict[str, TreeEntry] = {}
        self.trees: dict[str, str] = {}  # directory path -> tree sha
        self.markdown: list[str] = []  # in scope, regular files ending in .md
        self.json: list[str] = []  # in scope, regular files ending in .json
        self.skill_files: list[str] = []  # in scope, SKILL.md in any letter case
        self.readmes: list[str] = []  # in scope
        self.manifests: list[str] = []  # .claude-plugin/*.json anywhere: they may own the scope
        prefix = self.scope + "/" if self.scope else ""
        for entry in entries:
            path = entry.path
            if entry.type == "tree":
                self.trees[path] = entry.sha
                continue
            if entry.type != "blob":
                continue  # submodules: their files are not in this repository
            self.blobs[path] = entry
            if entry.is_symlink:
                continue  # a link is not a second copy of what it points to
            name = path[path.rfind("/") + 1 :]
            if name.endswith(".json"):
                if name in ("plugin.json", "marketplace.json") and _in_manifest_dir(path):
                    self.manifests.append(path)
                    continue
            if prefix and not path.startswith(prefix):
                continue
            if name.endswith(".md"):
                self.markdown.append(path)
                if name.lower() == "readme.md":
                    self.readmes.append(path)
                elif name == "SKILL.md" or name.lower() == "skill.md":
                    self.skill_files.append(path)
            elif name.endswith(".json"):
                self.json.append(path)
            elif name.lower() == "skill.md":
                self.skill_files.append(path)  # SKILL.MD: meant as a skill, loads only sometimes

    def in_scope(self, path: str) -> bool:
        scope = self.scope
        return not scope or path == scope or path.startswith(scope + "/")

    def is_file(self, path: str) -> bool:
        entry = self.blobs.get(path)
        return entry is not None and not entry.is_symlink

    def is_dir(self, path: str) -> bool:
        return path == "" or path in self.trees


def _in_manifest_dir(path: str) -> bool:
    parent_end = path.rfind("/")
    return path[:parent_end].endswith(MANIFEST_DIR) and (
        parent_end == len(MANIFEST_DIR) or path[parent_end - len(MANIFEST_DIR) - 1] == "/"
    )
