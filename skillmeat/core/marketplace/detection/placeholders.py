"""Placeholder text of templates that a repository ships for people to copy and fill in."""

from __future__ import annotations

import re

# An instruction to the author where the description should be ("Replace with description of
# the skill..."), or a slot left unfilled ("[your description]", "{{description}}").
_INSTRUCTION = re.compile(
    r"^\W*(?:replace|insert|enter|add|write|put|describe|provide|fill in)\b.{0,40}?"
    r"\b(?:description (?:of|for) (?:the|this|your) (?:skill|command|agent|subagent|plugin)"
    r"|description here|here\W*$|what (?:this|the|your) (?:skill|command|agent|subagent) does)"
    r"|^\W*(?:a )?(?:brief|short|one[- ]line) description of (?:what )?(?:this|the|your)\b",
    re.IGNORECASE,
)
_SLOT = re.compile(
    r"\blorem ipsum\b|\byour[ _-](?:skill|command|agent)[ _-]name\b"
    r"|\[(?:your|insert|add|describe|todo)[^\]]*\]|\{\{\s*[A-Za-z_][\w .-]*\}\}"
    r"|<(?:your|insert)[^>]*>",
    re.IGNORECASE,
)
_NAMES = frozenset(
    {
        "skill-name", "your-skill-name", "my-skill-name", "command-name", "your-command-name",
        "agent-name", "your-agent-name", "name", "todo", "tbd", "xxx",
    }
)  # fmt: skip
_BRACKETED = re.compile(r"^\s*(?:\[[^\]]*\]|<[^>]*>|\{\{\s*[A-Za-z_][\w .-]*\}\})\s*$")


def is_placeholder_text(text: str | None) -> bool:
    """Whether a description reads like 'Replace with description of ...' or '[your text]'."""
    if not text:
        return False
    return bool(_INSTRUCTION.search(text) or _SLOT.search(text) or _BRACKETED.match(text))


def is_placeholder_name(name: str | None) -> bool:
    if not name:
        return False
    return name.lower() in _NAMES or bool(_BRACKETED.match(name))
