"""detect(): candidates from paths, one read for manifests and configs, one for markdown."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.configs import (
    config_candidates,
    declared_configs,
    detect_configs,
)
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.manifests import Plugin, find_plugins, manifest_paths
from skillmeat.core.marketplace.detection.paths import parent_of
from skillmeat.core.marketplace.detection.prompts import (
    MarkdownFiles,
    detect_prompts,
    find_candidates,
)
from skillmeat.core.marketplace.detection.readme_install import (
    find_collections,
    readme_candidates,
)
from skillmeat.core.marketplace.detection.skills import detect_skills, find_skill_dirs
from skillmeat.core.marketplace.tree import RepoTree

ReadBlobs = Callable[[list[str], int | None], Mapping[str, bytes]]

JSON_LIMIT = 1 << 20  # manifests and configs are read whole; bigger files are data, not config
MARKDOWN_LIMIT = 8 << 10  # frontmatter sits at the top of a markdown file
MARKDOWN_BATCH = 4096  # files per read: at most 32 MiB of markdown held at once


def detect(tree: RepoTree, read: ReadBlobs, root_hint: str | None = None) -> list[DetectedArtifact]:
    """Every artifact in `tree` (under `root_hint` if given), hidden low-confidence ones too."""
    index = TreeIndex(tree, root_hint)
    if index.scope and not index.is_dir(index.scope):
        return []
    skills = find_skill_dirs(index)
    # Plugin roots with a plugin.json are known from paths; marketplaces add more once read.
    manifests = [p for p in manifest_paths(index) if index.bears_on_scope(parent_of(parent_of(p)))]
    roots = [parent_of(parent_of(p)) for p in manifests if p.endswith("plugin.json")]
    layout = Layout({root: Plugin(root) for root in roots}, skills)
    configs = config_candidates(index, layout)
    readmes = readme_candidates(index, layout)

    texts = dict(_read(read, [*manifests, *configs, *readmes], JSON_LIMIT))
    plugins = find_plugins(index, manifests, texts)
    layout = Layout(plugins, skills)
    late = [p for p in declared_configs(plugins.values()) if p not in texts and index.is_file(p)]
    if late:
        texts.update(_read(read, late, JSON_LIMIT))  # config files only a manifest points to

    collections = find_collections(index, readmes, texts)
    candidates = find_candidates(index, layout, MarkdownFiles(index), collections)
    candidates = {k: c for k, c in candidates.items() if index.in_scope(c.path)}

    declared_skills = frozenset(
        path for plugin in plugins.values() for path in plugin.declared.get("skills", ())
    )
    found = detect_configs(index, layout, configs, texts)
    del texts
    # Markdown is read a batch at a time: a big repository's prompts never sit in memory at once.
    for batch in _batches(list(skills.items())):
        markdown = _read(read, [path for _, path in batch], MARKDOWN_LIMIT)
        found += detect_skills(index, layout, dict(batch), declared_skills, markdown)
    # Sorted by path: both kinds offered for one file land in the same batch.
    for keys in _batches(sorted(candidates, key=lambda key: key[1])):
        markdown = _read(read, [path for _, path in keys], MARKDOWN_LIMIT)
        found += detect_prompts(layout, keys, candidates, index, markdown)
    found.sort(key=lambda a: (a.path, a.type))
    return found


def _batches(items: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    for start in range(0, len(items), MARKDOWN_BATCH):
        yield items[start : start + MARKDOWN_BATCH]


def _read(read: ReadBlobs, paths: list[str], limit: int) -> Mapping[str, bytes]:
    unique = list(dict.fromkeys(paths))
    return read(unique, limit) if unique else {}
