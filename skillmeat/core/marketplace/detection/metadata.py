"""Display fields of an artifact: title, description and version."""

from __future__ import annotations

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection.frontmatter import Markdown
from skillmeat.core.marketplace.detection.manifests import Plugin
from skillmeat.core.marketplace.detection.scoring import Score

MAX_TEXT = 1000  # long descriptions are trimmed: the catalog shows a summary, not the document


def clip(text: str | None) -> str | None:
    if not text:
        return None
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def describe(doc: Markdown, plugin: Plugin | None) -> tuple[str | None, str | None, str | None]:
    """Title (frontmatter, else the first heading), description, and version."""
    title = doc.text("title") or doc.heading
    version = doc.text("version")
    metadata = doc.fields.get("metadata")
    if version is None and isinstance(metadata, dict) and metadata.get("version") is not None:
        version = str(metadata["version"])
    if version is None and plugin is not None:
        version = plugin.version  # a component ships with its plugin's version
    return clip(title), clip(doc.text("description")), version


MAX_KEYWORDS = 500
KEYWORD_KEYS = ("tags", "keywords")


def keywords(doc: Markdown) -> str | None:
    """Frontmatter tags and keywords as one line of words (a list or a comma-separated text)."""
    words: list[str] = []
    for key in KEYWORD_KEYS:
        value = doc.fields.get(key)
        items = value if isinstance(value, list) else [value]
        words += [str(v) for v in items if isinstance(v, str | int | float)]
    text = " ".join(" ".join(words).replace(",", " ").split())
    return text[:MAX_KEYWORDS] or None


def markdown_artifact(kind: str, name: str, path: str, content_hash: str, score: Score,
                      doc: Markdown, plugin: Plugin | None) -> DetectedArtifact:
    """An artifact defined by a markdown file, with its display fields from that file."""
    title, description, version = describe(doc, plugin)
    if doc.error:
        score.note("frontmatter_error", doc.error)  # said where the entry is shown
    return DetectedArtifact(type=kind, name=name, path=path, content_hash=content_hash,
                            confidence=score.total, score_breakdown=score.breakdown, title=title,
                            description=description, version=version,
                            keywords=keywords(doc))
