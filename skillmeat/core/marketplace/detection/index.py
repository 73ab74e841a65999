"""The repository tree indexed once, so every rule looks paths up instead of rescanning."""

from __future__ import annotations

from skillmeat.core.marketplace.tree import RepoTree

MANIFEST_DIR = ".claude-plugin"
_MANIFEST_NAMES = ("/plugin.json", "/marketplace.json")


class TreeIndex:
    """The tree plus the few file families detection cares about, found in one pass.

    Lookups go to the tree itself (a binary search over its sorted paths): a second
    path-to-entry map would double the memory a million-file repository needs.
    """

    def __init__(self, tree: RepoTree, root_hint: str | None = None) -> None:
        self.tree = tree
        self.scope = (root_hint or "").strip("/")
        self.markdown: list[str] = []  # in scope, regular files ending in .md
        self.json: list[str] = []  # in scope, regular files ending in .json
        self.skill_files: list[str] = []  # in scope, SKILL.md in any letter case
        self.readmes: list[str] = []  # in scope
        self.manifests: list[str] = []  # .claude-plugin/*.json anywhere: they may own the scope
        prefix = self.scope + "/" if self.scope else ""
        markdown, json_files = self.markdown, self.json
        for path, flags in tree.file_flags():
            if not flags & 1:
                continue  # folders, submodules, and links (not a second copy of a file)
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
        """A regular file (not a link, folder or submodule)."""
        i = self.tree.find(path)
        return i is not None and self.tree.is_file(i)

    def is_dir(self, path: str) -> bool:
        if path == "":
            return True
        i = self.tree.find(path)
        return i is not None and self.tree.is_dir(i)

    def sha(self, path: str) -> str:
        """The object id at `path`: a blob's for a file, a tree's for a folder."""
        i = self.tree.find(path)
        if i is None:
            raise KeyError(path)
        return self.tree.sha(i)


def _in_manifest_dir(path: str) -> bool:
    folder = path[: path.rfind("/")]
    return folder == MANIFEST_DIR or folder.endswith("/" + MANIFEST_DIR)
