"""detect(): candidates from paths, one read for manifests and configs, one for markdown."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.candidates import MarkdownFiles, find_candidates
from skillmeat.core.marketplace.detection.configs import (
    config_candidates,
    declared_configs,
    detect_configs,
)
from skillmeat.core.marketplace.detection.content import complete_subagent
from skillmeat.core.marketplace.detection.frontmatter import parse_markdown
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.manifests import (
    JsonFiles,
    Plugin,
    find_plugins,
    manifest_paths,
)
from skillmeat.core.marketplace.detection.paths import parent_of
from skillmeat.core.marketplace.detection.plugins import (
    attach_members,
    find_plugin_specs,
    plugin_artifacts,
)
from skillmeat.core.marketplace.detection.prompts import detect_prompts
from skillmeat.core.marketplace.detection.readme_install import (
    find_collections,
    readme_candidates,
)
from skillmeat.core.marketplace.detection.repo_signal import RepoSignal, repo_signal
from skillmeat.core.marketplace.detection.risks import (
    with_config_risk,
    with_markdown_risk,
    with_plugin_risk,
)
from skillmeat.core.marketplace.detection.skills import detect_skills, find_skill_dirs
from skillmeat.core.marketplace.parsing import MAX_JSON_BYTES
from skillmeat.core.marketplace.tree import RepoTree

ReadBlobs = Callable[[list[str], int | None], Mapping[str, bytes]]

# Manifests and configs are read whole, and one byte more tells a file over the limit.
JSON_LIMIT = MAX_JSON_BYTES + 1
MARKDOWN_LIMIT = 8 << 10  # frontmatter sits at the top of a markdown file
MARKDOWN_BATCH = 4096  # files per read: at most 32 MiB of markdown held at once


@dataclass(slots=True)
class _Survey:
    """What detection knows before it reads any markdown."""

    index: TreeIndex
    skills: dict[str, str]
    layout: Layout
    configs: list[str]
    texts: dict[str, bytes]  # manifests, configs and READMEs
    docs: JsonFiles  # the JSON among them, parsed
    manifests: list[str]  # plugin and marketplace manifests, test fixtures' plugin.json too
    collections: dict[str, set[str]]
    signal: RepoSignal


def detect(tree: RepoTree, read: ReadBlobs, root_hint: str | None = None,
           problems: list[str] | None = None) -> list[DetectedArtifact]:
    """Every artifact in `tree` (under `root_hint` if given), hidden low-confidence ones too.

    Files skipped as unreadable (JSON too large or too deep, say) are named in `problems`.
    """
    problems = [] if problems is None else problems
    survey = _survey(tree, read, root_hint, problems)
    if survey is None:
        return []
    index, layout, skills, signal = survey.index, survey.layout, survey.skills, survey.signal
    found_all = find_candidates(index, layout, MarkdownFiles(index), survey.collections)
    found_all.admit(_probe(read, found_all.probes()))
    candidates = {k: c for k, c in found_all.items() if index.in_scope(c.path)}
    del found_all
    declared_skills = frozenset(
        path for plugin in layout.plugins.values() for path in plugin.declared.get("skills", ())
    )
    found = detect_configs(index, layout, survey.configs, survey.docs)
    with_config_risk(found, index, survey.docs)
    specs = find_plugin_specs(index, survey.manifests, survey.docs, problems)
    del survey
    # Markdown is read a batch at a time: a big repository's prompts never sit in memory at once.
    for batch in _batches(list(skills.items())):
        markdown = _read(read, [path for _, path in batch], MARKDOWN_LIMIT)
        batch_skills = dict(batch)
        skills_found = detect_skills(index, layout, batch_skills, declared_skills, markdown)
        with_markdown_risk(skills_found, index, markdown, batch_skills)
        found += skills_found
    # Sorted by path: both kinds offered for one file land in the same batch.
    for keys in _batches(sorted(candidates, key=lambda key: key[1])):
        markdown = _read(read, [path for _, path in keys], MARKDOWN_LIMIT)
        prompts = detect_prompts(layout, keys, candidates, index, markdown, signal)
        with_markdown_risk(prompts, index, markdown, {})
        found += prompts
    attach_members(index, specs, found, problems)
    plugins = plugin_artifacts(index, specs, found)
    with_plugin_risk(plugins, found)
    found += plugins
    found.sort(key=lambda a: (a.path, a.type))
    return found


def repository_signal(tree: RepoTree, read: ReadBlobs, root_hint: str | None = None) -> RepoSignal:
    """How plainly the repository (or the part under `root_hint`) is meant for Claude Code."""
    survey = _survey(tree, read, root_hint, [])
    return RepoSignal() if survey is None else survey.signal


def _survey(tree: RepoTree, read: ReadBlobs, root_hint: str | None,
            problems: list[str]) -> _Survey | None:
    """Paths, manifests, configs and READMEs: everything but the markdown of candidates."""
    index = TreeIndex(tree, root_hint)
    if index.scope and not index.is_dir(index.scope):
        return None
    skills = find_skill_dirs(index)
    # Plugin roots with a plugin.json are known from paths; marketplaces add more once read.
    manifests = [p for p in manifest_paths(index) if index.bears_on_scope(parent_of(parent_of(p)))]
    roots = [parent_of(parent_of(p)) for p in manifests if p.endswith("plugin.json")]
    layout = Layout({root: Plugin(root) for root in roots}, skills)
    configs = config_candidates(index, layout)
    readmes = readme_candidates(index, layout)

    # plugin.json in test fixtures and vendored code: read so their entries can say why not
    fixtures = [p for p in index.manifests if p.endswith("/plugin.json") and p not in manifests
                and index.in_scope(p)]
    texts = dict(_read(read, [*manifests, *fixtures, *configs, *readmes], JSON_LIMIT))
    docs = JsonFiles(texts, problems)
    plugins = find_plugins(index, manifests, docs)
    layout = Layout(plugins, skills)
    late = [p for p in declared_configs(plugins.values()) if p not in texts and index.is_file(p)]
    if late:
        texts.update(_read(read, late, JSON_LIMIT))  # config files only a manifest points to
    collections = find_collections(index, readmes, texts)
    # Once per scan: how plainly the repository is meant for Claude Code, the prior for
    # prompts that no owner claims.
    signal = repo_signal(index, manifests, skills, collections, texts)
    return _Survey(index, skills, layout, configs, texts, docs, [*manifests, *fixtures],
                   collections, signal)


def _probe(read: ReadBlobs, tries: dict[str, list[str]]) -> set[str]:
    """Folders none of whose tried files is a subagent (read in batches, like all markdown)."""
    pairs = [(folder, path) for folder, paths in tries.items() for path in paths]
    failed = set(tries)
    for batch in _batches(pairs):
        texts = _read(read, [path for _, path in batch], MARKDOWN_LIMIT)
        for folder, path in batch:
            raw = texts.get(path, b"")
            # No frontmatter, no subagent: most documents are settled without parsing.
            if folder in failed and raw.lstrip(b"\xef\xbb\xbf").startswith(b"---") and \
                    complete_subagent(parse_markdown(raw)):
                failed.discard(folder)
    return failed


def _batches(items: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    for start in range(0, len(items), MARKDOWN_BATCH):
        yield items[start : start + MARKDOWN_BATCH]


def _read(read: ReadBlobs, paths: list[str], limit: int) -> Mapping[str, bytes]:
    unique = list(dict.fromkeys(paths))
    return read(unique, limit) if unique else {}
