"""YAML frontmatter of markdown files, tolerant of broken YAML and of reads cut short."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?$")
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
# Values YAML would read differently from the raw text: quotes, block scalars, flow, anchors.
_COMPLEX_START = frozenset("|>'\"[{&*!%@`")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class Markdown:
    """What detection needs from a markdown file: frontmatter fields and the body's start."""

    has_frontmatter: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    body: str = ""

    def text(self, key: str) -> str | None:
        """A frontmatter field as one stripped line, or None when absent, empty or nested."""
        value = self.fields.get(key)
        if value is None or isinstance(value, dict | list):
            return None
        out = " ".join(str(value).split())
        return out or None

    def has(self, key: str) -> bool:
        value = self.fields.get(key)
        return value is not None and value != "" and value != [] and value != {}

    @property
    def heading(self) -> str | None:
        match = _H1.search(self.body)
        return match.group(1).strip() if match else None


def parse_markdown(raw: bytes) -> Markdown:
    """Split `---` frontmatter from the body; never raises on bad input."""
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.startswith("---"):
        return Markdown(body=text)
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return Markdown(body=text)
    end = _closing_fence(text, first_nl + 1)
    block = text[first_nl + 1 : end if end >= 0 else len(text)]
    body = ""
    if end >= 0:
        after = text.find("\n", end)
        body = text[after + 1 :] if after >= 0 else ""
    return Markdown(has_frontmatter=True, fields=parse_block(block, complete=end >= 0), body=body)


def _closing_fence(text: str, start: int) -> int:
    """Offset of the line closing the frontmatter, or -1 (unclosed, or cut off by the read)."""
    pos = start
    while pos < len(text):
        nl = text.find("\n", pos)
        line = text[pos : nl if nl >= 0 else len(text)]
        if line.rstrip() in ("---", "..."):
            return pos
        if nl < 0:
            return -1
        pos = nl + 1
    return -1


def parse_block(block: str, complete: bool = True) -> dict[str, Any]:
    """Frontmatter fields: plain `key: value` lines directly, anything richer through YAML."""
    fields, simple = _plain_fields(block)
    if simple or not complete:
        return fields
    try:
        data = yaml.load(block, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return fields  # broken YAML, often an unquoted colon: keep the line-by-line reading
    if isinstance(data, dict):
        return {str(k): v for k, v in data.items()}
    return fields


def _plain_fields(block: str) -> tuple[dict[str, Any], bool]:
    """Top-level `key: value` pairs and whether the block held nothing else.

    Most frontmatter is flat; reading it without YAML keeps detection fast on big trees.
    """
    fields: dict[str, Any] = {}
    simple = True
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t-":
            simple = False  # a continuation, nested mapping or list item
            continue
        match = _KEY_LINE.match(line.rstrip())
        if not match:
            simple = False
            continue
        value = (match.group(2) or "").strip()
        if not value or value[0] in _COMPLEX_START:
            simple = False
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            elif value and value[0] in "|>":
                value = ""
        elif " #" in value:
            simple = False
            value = value.split(" #", 1)[0].rstrip()
        fields.setdefault(match.group(1), value)
    return fields, simple
