"""What a prompt file's content says: shaped like a command or subagent, or like reference docs.

Each check reads only the frontmatter fields and the start of the body that detection already
holds, so content evidence costs no extra reads.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from skillmeat.core.marketplace.detection.frontmatter import Markdown

# Frontmatter keys only Claude Code reads on a slash command (a docs site has no use for them).
COMMAND_KEYS = ("allowed-tools", "argument-hint", "disable-model-invocation")
# Keys of a subagent definition beyond its name and description.
AGENT_KEYS = ("tools", "model", "color", "permissionMode", "skills")

_FENCE_LINE = re.compile(r"^[ \t]*(```|~~~)", re.MULTILINE)
# `$1`..`$9` as Claude Code substitutes them; "$1,000" and "$9.99" are prices.
_POSITIONAL = re.compile(r"\$[1-9](?![\d.,]\d|\w)")
_TOOLS = (
    "read|write|edit|multiedit|bash|grep|glob|task|agent|todowrite|webfetch|websearch"
    "|askuserquestion|skill|slashcommand"
)
_LIST_MARK = re.compile(r"[-*+]|\d+[.)]")
_JOINERS = ("then", "and", "otherwise")


def _word_start(lower: str, pos: int) -> bool:
    return pos == 0 or not lower[pos - 1].isalnum()


def _imperative(lower: str, pos: int) -> bool:
    """The verb at `pos` opens a sentence, a clause or a list item ("1. Ask the user")."""
    if not _word_start(lower, pos):
        return False
    start = lower.rfind("\n", 0, pos) + 1
    prefix = lower[start:pos].strip().rstrip("*_ ")
    if prefix:
        return (prefix[-1] in ".!:," or prefix.rsplit(None, 1)[-1] in _JOINERS
                or _LIST_MARK.fullmatch(prefix) is not None)
    if start <= 1:
        return True
    # At a line start: a new paragraph, or a wrapped line whose sentence ended before it.
    previous = lower[lower.rfind("\n", 0, start - 1) + 1 : start - 1].strip()
    return not previous or previous[-1] in ".!:?" or previous.startswith("#")


_YOU = re.compile(r"you(?: are (?:a|an|the|now|acting)\b"
                  r"|r (?:task|job|role|goal|mission|objective|responsibilit))")
_USER_REQUEST = re.compile(r"the user(?:'s)? (?:request|arguments?)\b")
_USER_IF = re.compile(r"the user (?:asks|wants|provides?|provided|specifie[sd])\b")
_VERB_BEFORE = re.compile(r"(?:ask|tell|show|inform|prompt|remind) $")
_TOOL_BEFORE = re.compile(rf"(?:use|call|invoke|launch) the (?:{_TOOLS})$")
_THINK = re.compile(r"think (?:hard|harder|deeply|step by step)\b")
_BANG = re.compile(r"!`[^`\n]+`")


def _you(lower: str, pos: int) -> bool:
    """"You are a ...", "Your task ...", "I want you to ..."."""
    if not _word_start(lower, pos):
        return False
    if _YOU.match(lower, pos):
        return True
    return pos >= 7 and lower.startswith("you to", pos) and \
        lower.startswith(("i want ", "i need "), pos - 7)


def _the_user(lower: str, pos: int) -> bool:
    """"Ask the user ..." as an instruction, "the user's request", "if the user asks"."""
    if not _word_start(lower, pos):
        return False
    if _USER_REQUEST.match(lower, pos):
        return True
    if pos >= 3 and lower.startswith("if ", pos - 3) and _USER_IF.match(lower, pos):
        return True
    verb = _VERB_BEFORE.search(lower, max(0, pos - 7), pos)
    return verb is not None and _imperative(lower, verb.start())


def _tool(lower: str, pos: int) -> bool:
    """"Use the Task tool": Claude Code's own tools, named to the model."""
    end = pos + 5
    return (end == len(lower) or not lower[end].isalnum()) and \
        _TOOL_BEFORE.search(lower, max(0, pos - 40), pos) is not None


def _think(lower: str, pos: int) -> bool:
    if pos >= 5 and lower.startswith("ultra", pos - 5):
        return _word_start(lower, pos - 5)
    return _word_start(lower, pos) and _THINK.match(lower, pos) is not None


def _bang(lower: str, pos: int) -> bool:
    """Claude Code runs "!`git status`" before the prompt and puts the output in its place."""
    return (pos == 0 or lower[pos - 1].isspace()) and _BANG.match(lower, pos) is not None


# A prompt speaks to the model: it gives it a role or a task, tells it (imperatively) how to
# treat the user, runs shell lines, or names Claude Code's tools. Reference pages say "the
# command will ask the user": only the imperative counts. Each cue is a literal found with
# str.find and then checked where it stands: one big alternation over every body cost ten
# times as much, and detection reads thousands of bodies.
_CUES: tuple[tuple[str, Callable[[str, int], bool]], ...] = (
    ("you", _you), ("the user", _the_user), (" tool", _tool), ("think", _think), ("!`", _bang),
)


class Body:
    """A prompt's body (its start, as read), lower-cased and its code fences found on demand."""

    __slots__ = ("text", "_lower", "_fences")

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower: str | None = None
        self._fences: list[int] | None = None  # offsets where fenced code opens and closes

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    def in_code(self, pos: int) -> bool:
        """Whether offset `pos` lies inside a fenced code block (an example, not the prompt)."""
        if self._fences is None:
            self._fences = _fence_offsets(self.text)
        return bisect.bisect_right(self._fences, pos) % 2 == 1


def _fence_offsets(text: str) -> list[int]:
    if "```" not in text and "~~~" not in text:
        return []
    out: list[int] = []
    marker = ""
    for match in _FENCE_LINE.finditer(text):
        if not marker:
            marker = match.group(1)
            out.append(match.start())
        elif match.group(1) == marker:
            marker = ""
            out.append(match.end())
    return out


_HEADING = re.compile(r"^(?:#{1,6}[ \t]+(.+?)[ \t#]*|@(\w+)\b.*)$", re.MULTILINE)
# Section names of reference pages: a CLI's man page, a server's command reference, an API's
# endpoint page. Two of them on one page, and nothing addressed to a model, is documentation.
_REFERENCE_SECTIONS = frozenset(
    {
        "syntax", "synopsis", "arguments", "options", "flags", "parameters", "reply",
        "return", "returns", "return value", "return values", "return information",
        "resp2 reply", "resp3 reply", "history", "complexity", "time complexity",
        "exit status", "exit codes", "see also", "response", "responses", "request",
        "request body", "path parameters", "query parameters", "availability",
        "acl categories",
    }
)  # fmt: skip
REFERENCE_MIN = 2


def has_arguments(doc: Markdown) -> bool:
    """`$ARGUMENTS`: the placeholder Claude Code fills with what follows the command."""
    return "$ARGUMENTS" in doc.body


def has_positional(body: Body) -> bool:
    """`$1`..`$9` in the prose (a shell example's `$1` in a code block does not count)."""
    text = body.text
    if "$" not in text:
        return False
    for match in _POSITIONAL.finditer(text):
        pos = match.start()
        if (pos == 0 or text[pos - 1] not in "\\$" and not text[pos - 1].isalnum()) and \
                not body.in_code(pos):
            return True
    return False


def addressed_to_model(body: Body) -> bool:
    lower = body.lower
    for needle, cue in _CUES:
        pos = lower.find(needle)
        while pos >= 0:
            if cue(lower, pos) and not body.in_code(pos):
                return True
            pos = lower.find(needle, pos + 1)
    return False


def reference_sections(body: Body) -> int:
    """How many distinct reference-page section names the body's headings use."""
    found = set()
    for match in _HEADING.finditer(body.text):
        title = (match.group(1) or match.group(2) or "").strip(" *`:").lower()
        if title in _REFERENCE_SECTIONS and not body.in_code(match.start()):
            found.add(title)
    return len(found)


def command_fields(doc: Markdown) -> bool:
    return any(doc.has(key) for key in COMMAND_KEYS)


def agent_fields(doc: Markdown) -> bool:
    return any(doc.has(key) for key in AGENT_KEYS)


def complete_subagent(doc: Markdown) -> bool:
    """Name and description, plus tools or model: every part of a subagent definition."""
    return bool(
        doc.text("name") and doc.text("description") and (doc.has("tools") or doc.has("model"))
    )
