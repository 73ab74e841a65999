"""The repository tree indexed once, so every rule looks paths up instead of rescanning."""

from __future__ import annotations

from collections.abc import Iterable

from skillmeat.core.marketplace.tree import SYMLINK_MODE, TreeEntry

MANIFEST_DIR = ".claude-plugin"
_MANIFEST_NAMES = ("/plugin.json", "/marketplace.json")


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
        blobs, trees = self.blobs, self.trees
        markdown, json_files = self.markdown, self.json
        for entry in entries:
            path = entry.path
            kind = entry.type
            if kind == "tree":
                trees[path] = entry.sha
                continue
            if kind != "blob":
                continue  # submodules: their files are not in this repository
            blobs[path] = entry
            if entry.mode == SYMLINK_MODE:
                continue  # a link is not a second copy of what it points to
            if path.endswith(".json"):
                if path.endswith(_MANIFEST_NAMES) and _in_manifest_dir(path):
                    self.manifests.append(path)
                elif not prefix or path.startswith(prefix):
                    json_files.append(path)
                continue
            if prefix and not path.startswith(prefix):
                continue
            if path.endswith(".md"):
                markdown.append(path)
                name = path[path.rfind("/") + 1 :].lower()
                if name == "readme.md":
                    self.readmes.append(path)
                elif name == "skill.md":
                    self.skill_files.append(path)
            elif path[-3:].lower() == ".md" and path[path.rfind("/") + 1 :].lower() == "skill.md":
                self.skill_files.append(path)  # SKILL.MD: meant as a skill, loads only sometimes

    def in_scope(self, path: str) -> bool:
        scope = self.scope
        return not scope or path == scope or path.startswith(scope + "/")

    def bears_on_scope(self, folder: str) -> bool:
        """Whether `folder` is inside the scope or above it (a manifest there may own it)."""
        scope = self.scope
        return not scope or not folder or self.in_scope(folder) or scope.startswith(folder + "/")

    def is_file(self, path: str) -> bool:
        entry = self.blobs.get(path)
        return entry is not None and entry.mode != SYMLINK_MODE

    def is_dir(self, path: str) -> bool:
        return path == "" or path in self.trees


def _in_manifest_dir(path: str) -> bool:
    folder = path[: path.rfind("/")]
    return folder == MANIFEST_DIR or folder.endswith("/" + MANIFEST_DIR)
