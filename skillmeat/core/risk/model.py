"""What an artifact can run, as data: stored as JSON on its catalog entry, shown as a list.

Every list is capped and every text clipped, so a hostile file with 100,000 hooks costs a
bounded row; `truncated` says when something was left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

MAX_ITEMS = 50  # per list
MAX_TEXT = 500  # characters of one command line, URL or path


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class Hook:
    event: str
    matcher: str | None
    type: str  # "command", or "prompt"/"agent" (which run no program)
    command: str | None
    scripts: list[str] = field(default_factory=list)  # files of the artifact it calls
    where: str = ""  # the file that declares it


@dataclass(slots=True)
class McpServer:
    name: str
    command: str | None = None
    args: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)  # variable names; values are never kept
    url: str | None = None  # a remote server
    transport: str | None = None
    where: str = ""

    @property
    def command_line(self) -> str | None:
        return clip(" ".join([self.command, *self.args])) if self.command else None


@dataclass(slots=True)
class ToolGrant:
    where: str  # the markdown file whose frontmatter grants the tools
    tools: list[str]
    bash: bool = False
    wildcards: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Executable:
    path: str
    language: str | None = None
    shebang: str | None = None


@dataclass(slots=True)
class Runner:
    """A package fetched and run at its latest version (or a script piped into a shell)."""

    text: str  # the runner as written: "npx pkg@latest"
    reason: str
    where: str = ""


@dataclass(slots=True)
class Risk:
    hooks: list[Hook] = field(default_factory=list)
    mcp_servers: list[McpServer] = field(default_factory=list)
    tools: list[ToolGrant] = field(default_factory=list)
    executables: list[Executable] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    unpinned: list[Runner] = field(default_factory=list)
    truncated: bool = False

    def __bool__(self) -> bool:
        return bool(self.hooks or self.mcp_servers or self.tools or self.executables
                    or self.network or self.unpinned)

    @property
    def bash(self) -> bool:
        return any(grant.bash for grant in self.tools)

    @property
    def wildcards(self) -> bool:
        return any(grant.wildcards for grant in self.tools)

    def add(self, kind: str, item: Any) -> None:
        """Append to one list, up to MAX_ITEMS; equal items (and URLs) are kept once."""
        items: list[Any] = getattr(self, kind)
        if item in items:
            return
        if len(items) >= MAX_ITEMS:
            self.truncated = True
            return
        items.append(item)

    def to_json(self) -> dict[str, Any]:
        """As stored: plain dicts and lists, empty lists left out (dataclasses.asdict
        deep-copies, 5x slower; a scan stores thousands)."""
        out: dict[str, Any] = {name: [_plain(item) for item in items]
                               for name in _KINDS if (items := getattr(self, name))}
        if self.network:
            out["network"] = list(self.network)
        if self.truncated:
            out["truncated"] = True
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Risk:
        """A stored risk back as objects; unknown keys (from a newer version) are ignored."""
        if not data:
            return cls()
        out = cls(network=list(data.get("network") or []),
                  truncated=bool(data.get("truncated")))
        for name, kind in _KINDS.items():
            known = {f.name for f in fields(kind)}
            setattr(out, name, [kind(**{k: v for k, v in item.items() if k in known})
                                for item in data.get(name) or []])
        return out


_KINDS: dict[str, Any] = {"hooks": Hook, "mcp_servers": McpServer, "tools": ToolGrant,
                          "executables": Executable, "unpinned": Runner}
_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in _KINDS.values()}


def _plain(item: Any) -> dict[str, Any]:
    return {name: (list(value) if isinstance(value := getattr(item, name), list) else value)
            for name in _FIELDS[type(item)]}


def count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(risk: Risk | dict[str, Any]) -> str | None:
    """One line for a card: "2 hooks · 1 MCP server · Bash"; None when it runs nothing.
    Takes a Risk or its stored form."""
    data = risk.to_json() if isinstance(risk, Risk) else risk
    tools = data.get("tools") or ()
    parts = [count(len(items), word) for key, word in _COUNTED[:2]
             if (items := data.get(key))]
    if any(grant["bash"] for grant in tools):
        parts.append("Bash")
    if any(grant["wildcards"] for grant in tools):
        parts.append("tool wildcards")
    parts += [count(len(items), word) for key, word in _COUNTED[2:]
              if (items := data.get(key))]
    return " · ".join(parts) if parts else None


_COUNTED = (("hooks", "hook"), ("mcp_servers", "MCP server"), ("executables", "script"),
            ("unpinned", "unpinned runner"), ("network", "network endpoint"))


def combine(risks: list[Risk]) -> Risk:
    """One risk for a set of artifacts (a plugin and its members), each item once."""
    out = Risk()
    for risk in risks:
        out.truncated |= risk.truncated
        for kind in ("hooks", "mcp_servers", "tools", "executables", "network", "unpinned"):
            for item in getattr(risk, kind):
                out.add(kind, item)
    return out


def combine_stored(members: Iterable[tuple[str, dict[str, Any] | None]]) -> dict[str, Any] | None:
    """The stored risk of a unit made of entries (a plugin and its members), from each
    member's folder relative to the unit and its stored risk: file paths are made relative to
    the unit (a hook's scripts stay as its command names them), each item kept once, lists
    capped as always. None when no member runs anything."""
    out = Risk()
    for folder, data in members:
        risk = Risk.from_json(data)
        prefix = f"{folder.strip('/')}/" if folder.strip("/") else ""
        placed: list[Hook | McpServer | ToolGrant | Runner] = [
            *risk.hooks, *risk.mcp_servers, *risk.tools, *risk.unpinned]
        for item in placed:
            item.where = prefix + item.where
        for exe in risk.executables:
            exe.path = prefix + exe.path
        out = combine([out, risk])
    return out.to_json() if out else None
