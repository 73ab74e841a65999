"""YAML frontmatter of markdown files: one rule for its fences, two readings of its fields.

Detection reads the fields of 100,000s of files fast and tolerantly (`parse_markdown`); a
person looking at one file gets them exactly, or the reason they cannot be read
(`read_frontmatter`). Both find the block the same way (`split_fence`) and read YAML only
through `parsing.load_yaml`, which caps its size and budgets its nodes and aliases.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from skillmeat.core.marketplace.parsing import OverBudget, load_yaml

_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*))?$")
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
# Values YAML would read differently from the raw text: flow collections, anchors, tags.
_COMPLEX_START = frozenset("[{&*!%@`")
# Fields detection uses as text: when one of them is not plain, YAML reads the block.
TEXT_KEYS = frozenset({"name", "description", "title", "version", "metadata", "tags",
                       "keywords"})


@dataclass(slots=True)
class Markdown:
    """What detection needs from a markdown file: frontmatter fields and the body's start."""

    has_frontmatter: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    error: str | None = None  # why YAML was refused; the fields are then read line by line

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


def split_fence(text: str) -> tuple[str | None, str | None]:
    """(frontmatter block, body) of markdown text whose byte-order mark is removed.

    The block is None when the first line is not `---`; the body is None when no later `---`
    or `...` line closes the block (a broken file, or a read cut short).
    """
    if not text.startswith("---"):
        return None, text
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return None, text
    end = _closing_fence(text, first_nl + 1)
    if end < 0:
        return text[first_nl + 1 :], None
    after = text.find("\n", end)
    return text[first_nl + 1 : end], text[after + 1 :] if after >= 0 else ""


def parse_markdown(raw: bytes) -> Markdown:
    """Split `---` frontmatter from the body; never raises on bad input."""
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    block, body = split_fence(text)
    if block is None:
        return Markdown(body=text)
    fields, error = parse_block(block, complete=body is not None)
    return Markdown(has_frontmatter=True, fields=fields, body=body or "", error=error)


def read_frontmatter(text: str) -> tuple[dict[str, Any] | None, str | None, str]:
    """(fields, error, body) of markdown to show: exact YAML, or why it cannot be read."""
    block, body = split_fence(text.lstrip("\ufeff"))
    if block is None:
        return None, None, text
    if body is None:
        return None, "frontmatter is not closed: no line with --- after the first", text
    try:
        data = load_yaml(block)
    except OverBudget as exc:
        return None, f"frontmatter not read: {exc}", body
    except (yaml.YAMLError, ValueError) as exc:
        return None, "invalid YAML: " + " ".join(str(exc).split())[:500], body
    if data is None:
        return {}, None, body
    if not isinstance(data, dict):
        return None, f"frontmatter is a {type(data).__name__}, not a mapping of fields", body
    return _json_value(data), None, body


def _json_value(value: Any) -> Any:
    """YAML values as JSON values (dates as ISO text); load_yaml bounded their number."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


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


def parse_block(block: str, complete: bool = True) -> tuple[dict[str, Any], str | None]:
    """Frontmatter fields, read line by line and through YAML only when a text field needs
    it; and why YAML was refused, if it was."""
    fields, unsure = _plain_fields(block)
    if not (unsure & TEXT_KEYS) or not complete:
        return fields, None
    try:
        data = load_yaml(block)
    except OverBudget as exc:
        return fields, f"frontmatter YAML refused: {exc}"
    except (yaml.YAMLError, ValueError):
        return fields, None  # broken YAML, often an unquoted colon: the line-by-line reading
    if isinstance(data, dict):
        return {str(k): v for k, v in data.items()}, None
    return fields, None


def _plain_fields(block: str) -> tuple[dict[str, Any], set[str]]:
    """Top-level fields and the keys whose values only YAML can read faithfully.

    Most frontmatter is flat `key: value` lines, quoted strings and folded blocks; reading
    those directly keeps detection fast on big trees. Nested values are recorded as True
    (present), which is all detection asks of fields like `tools`.
    """
    fields: dict[str, Any] = {}
    unsure: set[str] = set()
    key: str | None = None  # the field that indented lines continue
    parts: list[str] = []
    block_scalar = False  # `key: |` or `key: >`: indented lines are text, whatever they hold

    def finish() -> None:
        if key is not None and key not in fields:
            fields[key] = " ".join(parts) if parts else ""

    for line in block.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t-":
            if key is not None and key not in fields:
                nested = line.lstrip().startswith(("- ", "-\t")) or ":" in line
                if not block_scalar and not parts and nested:
                    fields[key] = True  # a list or mapping: present, not text
                    if key in TEXT_KEYS:
                        unsure.add(key)
                else:
                    parts.append(line.strip())
            continue
        finish()
        key, parts, block_scalar = None, [], False
        if line.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(line.rstrip())
        if not match:
            continue
        name, value = match.group(1), (match.group(2) or "").strip()
        if name in fields:
            continue
        if not value or value[0] in "|>" and len(value) <= 3:
            key, block_scalar = name, bool(value)  # a block or nested value follows
            continue
        first = value[0]
        if first in "\"'":
            text = _unquote(value)
            if text is None:
                unsure.add(name)
                text = value.strip("\"'")
            fields[name] = text
        elif first in _COMPLEX_START:
            unsure.add(name)
            fields[name] = value
        else:
            if " #" in value:
                value = value.split(" #", 1)[0].rstrip()
            key, parts = name, [value]  # a plain scalar may go on over indented lines
    finish()
    return fields, unsure


def _unquote(value: str) -> str | None:
    """A one-line quoted scalar without escapes, or None when YAML must read it."""
    quote = value[0]
    if len(value) < 2 or value[-1] != quote:
        return None
    inner = value[1:-1]
    if quote == '"':
        return None if "\\" in inner or '"' in inner else inner
    return inner.replace("''", "'") if "'" not in inner.replace("''", "") else None
