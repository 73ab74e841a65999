"""Slash commands and subagents: candidates scored on evidence that Claude Code would use them.

Three kinds of evidence, each a named signal in the score breakdown:

- an owner Claude Code loads: a project's `.claude/` folder, a plugin, a manifest that lists
  the file, or a README that installs its folder into `~/.claude/commands` or `~/.claude/agents`;
- content shaped like the artifact: the frontmatter keys Claude Code reads for that type,
  `$ARGUMENTS` and positional placeholders, a body addressed to the model;
- for a loose candidate (no owner), what the repository as a whole shows (repo_signal.py).

A `commands/` or `agents/` folder adds points but never lists a file on its own, and a
documentation folder counts against a file only while its content is not a complete definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection import content
from skillmeat.core.marketplace.detection.candidates import Candidate, Key, anchor_start
from skillmeat.core.marketplace.detection.frontmatter import Markdown, parse_markdown
from skillmeat.core.marketplace.detection.index import TreeIndex
from skillmeat.core.marketplace.detection.layout import Layout
from skillmeat.core.marketplace.detection.metadata import markdown_artifact
from skillmeat.core.marketplace.detection.paths import DOC_DIRS, base_of, parent_of, stem_of
from skillmeat.core.marketplace.detection.placeholders import (
    is_placeholder_name,
    is_placeholder_text,
)
from skillmeat.core.marketplace.detection.repo_signal import RepoSignal
from skillmeat.core.marketplace.detection.scoring import Score

FOLDER_POINTS = 20  # `commands/` or `agents/`: below the listing threshold on its own
OWNER_POINTS = {
    "manifest": 40,
    "collection_readme": 40,
    "claude_dir": 30,
    "plugin": 30,
    "manifest_sibling": 20,  # beside listed agents: its frontmatter must do the rest
}
CONTENT_POINTS = {
    "command": {
        "command_fields": 15,
        "arguments": 15,
        "model_prompt": 10,
        "positional_arguments": 5,  # `$1` also appears in shell examples and prose
        "frontmatter_description": 5,  # documentation sites use the key too
    },
    "agent": {"frontmatter_name": 20, "frontmatter_description": 10, "agent_fields": 10,
              "model_prompt": 5},
}
PENALTIES = {"docs_folder": -15, "reference_page": -20, "no_name": -40, "empty": -40,
             "placeholder": -70}


def detect_prompts(
    layout: Layout,
    keys: Iterable[Key],
    candidates: Mapping[Key, Candidate],
    index: TreeIndex,
    texts: Mapping[str, bytes],
    signal: RepoSignal,
) -> list[DetectedArtifact]:
    """Score the candidates named by `keys` once their frontmatter is read (in `texts`).

    `candidates` holds them all: a file offered as both kinds is scored against the other.
    """
    out: list[DetectedArtifact] = []
    last: tuple[str, Markdown] | None = None
    for key in keys:
        kind, path = key
        cand = candidates[key]
        if last is None or last[0] != path:  # keys come sorted by path: parse each file once
            last = (path, parse_markdown(texts.get(path, b"")))
        doc = last[1]
        if _yields_to_agent(kind, cand, candidates, doc):
            continue
        if cand.reason == "loose_set" and not content.complete_subagent(doc):
            continue  # an ordinary document among others
        score = score_prompt(cand, doc, layout, signal)
        name = doc.text("name")
        shown = name if kind == "agent" and name else stem_of(base_of(path))
        out.append(markdown_artifact(kind, shown, path, index.sha(path), score, doc,
                                     layout.plugin_of(path)))
    return out


def score_prompt(cand: Candidate, doc: Markdown, layout: Layout, signal: RepoSignal) -> Score:
    """Where the file sits, who owns it, what it holds; and, in words, what is missing."""
    score = Score()
    anchor = anchor_start(cand.path)
    if cand.anchored:
        score.add(f"{cand.kind}s_folder", FOLDER_POINTS)
    owner = _owner(cand, layout, anchor)
    if owner is not None:
        score.add(owner, OWNER_POINTS[owner])
    else:
        score.add("repo_signal", signal.prior)
        if signal.evidence:
            score.note("repo_evidence", signal.describe())
    name, description = doc.text("name"), doc.text("description")
    body = content.Body(doc.body)
    shaped = _content(cand.kind, doc, body, name, description)
    for signal_name in shaped:
        score.add(signal_name, CONTENT_POINTS[cand.kind][signal_name])
    complete = _complete(cand.kind, shaped)
    if not complete and owner != "manifest" and _in_docs(cand.path, anchor):
        _penalize(score, "docs_folder")
    if not _speaks_claude(shaped) and content.reference_sections(body) >= content.REFERENCE_MIN:
        _penalize(score, "reference_page")
    if cand.kind == "agent" and not name and owner != "manifest":
        # Claude Code loads no subagent without a name, unless a manifest lists the file.
        _penalize(score, "no_name")
    if not doc.body.strip() and not doc.fields:
        _penalize(score, "empty")
    if is_placeholder_text(description) or is_placeholder_name(name):
        _penalize(score, "placeholder")
    missing = _missing(cand.kind, owner, shaped, signal)
    if missing:
        score.note("missing", "; ".join(missing))
    return score


def _owner(cand: Candidate, layout: Layout, anchor: int | None) -> str | None:
    """The strongest owner Claude Code loads the file from, if any."""
    best = cand.reason if cand.reason in OWNER_POINTS else None
    owner_kind, owner_dir = layout.owner(cand.path)
    # Only a `commands/` or `agents/` folder right at the owner's root is one Claude Code loads.
    at_root = anchor is not None and cand.path[:anchor] == owner_dir
    if at_root and owner_kind in ("claude", "plugin"):
        folder_owner = "claude_dir" if owner_kind == "claude" else "plugin"
        if best is None or OWNER_POINTS[folder_owner] > OWNER_POINTS[best]:
            best = folder_owner
    return best


def _content(
    kind: str, doc: Markdown, body: content.Body, name: str | None, description: str | None
) -> list[str]:
    """Content signals the file earns, by name (points in CONTENT_POINTS)."""
    found: list[str] = []
    if kind == "command":
        if content.command_fields(doc):
            found.append("command_fields")
        if content.has_arguments(doc):
            found.append("arguments")
        elif content.has_positional(body):
            found.append("positional_arguments")
    else:
        if name:
            found.append("frontmatter_name")
        if content.agent_fields(doc):
            found.append("agent_fields")
    if description:
        found.append("frontmatter_description")
    if content.addressed_to_model(body):
        found.append("model_prompt")
    return found


def _complete(kind: str, shaped: list[str]) -> bool:
    """A definition Claude Code could load as it stands, whatever folder it sits in."""
    if kind == "command":
        return "command_fields" in shaped or "arguments" in shaped
    return "frontmatter_name" in shaped and "frontmatter_description" in shaped


def _speaks_claude(shaped: list[str]) -> bool:
    """Content no reference page has: Claude Code keys, placeholders, words to the model."""
    weak = ("frontmatter_description", "frontmatter_name", "positional_arguments")
    return any(name not in weak for name in shaped)


def _in_docs(path: str, anchor: int | None) -> bool:
    """A documentation folder above the prompt (inside `commands/` a folder is a namespace)."""
    return DOC_DIRS.within(path[:anchor] if anchor is not None else parent_of(path))


def _penalize(score: Score, name: str) -> None:
    score.add(name, PENALTIES[name])


def _missing(kind: str, owner: str | None, shaped: list[str], signal: RepoSignal) -> list[str]:
    missing = []
    if owner is None:
        missing.append("an owner Claude Code loads (.claude/, plugin, manifest or install README)")
    if not _complete(kind, shaped):
        missing.append(
            "command content (Claude Code frontmatter keys or $ARGUMENTS)" if kind == "command"
            else "subagent frontmatter (name and description)"
        )
    if owner is None and signal.strength == "none":
        missing.append("any sign in the repository that it is meant for Claude Code")
    return missing


def _yields_to_agent(
    kind: str,
    cand: Candidate,
    candidates: Mapping[Key, Candidate],
    doc: Markdown,
) -> bool:
    """A collection file offered as both kinds is an agent when it has subagent frontmatter."""
    if cand.reason != "collection_readme":
        return False
    other = candidates.get(("agent" if kind == "command" else "command", cand.path))
    if other is None or other.reason != "collection_readme":
        return False
    is_agent = bool(doc.text("name") and doc.text("description"))
    return is_agent if kind == "command" else not is_agent
