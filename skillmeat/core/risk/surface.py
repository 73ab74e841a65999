"""The risk surface of a set of files: pure functions over what a repository holds.

Files are hostile: JSON and YAML go through the budgeted parsers, scripts are read as text
(their start only), nothing is executed, and every list in the result is capped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from skillmeat.core.marketplace.detection.configs import hook_events, mcp_form
from skillmeat.core.marketplace.detection.frontmatter import parse_markdown, read_frontmatter
from skillmeat.core.marketplace.parsing import MAX_JSON_BYTES, load_json
from skillmeat.core.risk import shell
from skillmeat.core.risk.model import (
    MAX_ITEMS,
    Executable,
    Hook,
    McpServer,
    Risk,
    Runner,
    ToolGrant,
    clip,
)

MARKDOWN_HEAD = 8 << 10  # frontmatter sits at the top, as detection reads it
_URL_KEYS = ("url", "serverUrl", "httpUrl")
_TOOL_KEYS = (("allowed-tools", b"\nallowed-tools:"), ("tools", b"\ntools:"), ("name", b"\nname:"))
_WORDS = re.compile(r"[\s,]+")
_NOT_PLAIN = "[{|>&*!'\"#"


def risk_of_files(files: Mapping[str, bytes], executable: Collection[str] = ()) -> Risk:
    """Everything `files` (path -> content) can run. `executable`: paths with the x bit."""
    risk = Risk()
    for path in sorted(files):
        raw = files[path]
        name = path.rpartition("/")[2]
        if name.endswith(".json"):
            data = _json(raw)
            if data is not None:
                add_config(risk, path, data, flat_allowed=name == ".mcp.json")
        elif name.lower().endswith(".md"):
            if b"tools" in raw[:MARKDOWN_HEAD]:
                add_tools(risk, path, tool_fields(raw[:MARKDOWN_HEAD]))
        elif is_script(path, raw[:2], path in executable):
            add_script(risk, path, raw)
    return risk


def is_script(path: str, head: bytes, executable: bool = False) -> bool:
    dot = path.rfind(".")
    return executable or head.startswith(b"#!") or (
        dot > path.rfind("/") and path[dot:].lower() in shell.SCRIPT_EXTENSIONS)


def tool_fields(head: bytes) -> dict[str, Any]:
    """The frontmatter fields tools depend on. Plain one-line values are read straight from
    the lines (detection already parsed this file once); lists, quotes and blocks go through
    the budgeted YAML reader."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    end = text.find(b"\n---", 3) if text.startswith(b"---") else -1
    if end > 0:
        found = {key: value for key, needle in _TOOL_KEYS
                 if (value := _line_value(text, needle, end)) is not None}
        if all(v is None or (v and v[0] not in _NOT_PLAIN)
               for v in (found.get("allowed-tools"), found.get("tools"))):
            return found
    exact, _error, _body = read_frontmatter(text.decode("utf-8", "replace"))
    return exact if exact is not None else parse_markdown(text).fields


def _line_value(text: bytes, needle: bytes, end: int) -> str | None:
    """The rest of the top-level line `needle` opens (b"\\ntools:"), if the block has one."""
    at = text.find(needle, 0, end)
    if at < 0:
        return None
    stop = text.find(b"\n", at + len(needle), end + 1)
    return text[at + len(needle) : stop].strip().decode("utf-8", "replace")


def _json(raw: bytes) -> Any:
    try:
        return load_json(raw, max_bytes=MAX_JSON_BYTES)
    except ValueError:
        return None  # not JSON, too large or too deep: it configures nothing Claude Code loads


def add_config(risk: Risk, where: str, data: Any, *, flat_allowed: bool) -> None:
    """Hooks and MCP servers of one parsed JSON file (hooks.json, .mcp.json, plugin.json...)."""
    if hook_events(data):
        add_hooks(risk, where, data["hooks"])
    form = mcp_form(data, flat_allowed)
    if form == "mcpServers":
        add_mcp_servers(risk, where, data["mcpServers"])
    elif form == "flat":
        add_mcp_servers(risk, where, {k: v for k, v in data.items() if not k.startswith("$")})


def add_hooks(risk: Risk, where: str, hooks: dict[str, Any]) -> None:
    for event, groups in hooks.items():
        for group in groups if isinstance(groups, list) else []:
            if not isinstance(group, dict):
                continue
            matcher = group.get("matcher")
            matcher = clip(str(matcher), 200) if matcher not in (None, "") else None
            for hook in group.get("hooks") or []:
                if isinstance(hook, dict):
                    _add_hook(risk, where, str(event), matcher, hook)
                if len(risk.hooks) >= MAX_ITEMS:
                    risk.truncated = True
                    return


def _add_hook(risk: Risk, where: str, event: str, matcher: str | None,
              hook: dict[str, Any]) -> None:
    kind = str(hook.get("type") or "command")
    command = hook.get("command")
    command = command if isinstance(command, str) and command.strip() else None
    risk.add("hooks", Hook(event=clip(event, 100), matcher=matcher, type=clip(kind, 50),
                           command=clip(command) if command else None,
                           scripts=shell.scripts(command)[:10] if command else [], where=where))
    if command:
        _add_text(risk, where, command)


def add_mcp_servers(risk: Risk, where: str, servers: dict[str, Any]) -> None:
    for name, config in servers.items():
        if not isinstance(config, dict):
            continue
        command = config.get("command")
        args = [clip(str(a), 200) for a in config.get("args") or []
                if isinstance(a, str | int | float)][:30] \
            if isinstance(config.get("args"), list) else []
        env = config.get("env")
        url = next((config[k] for k in _URL_KEYS if isinstance(config.get(k), str)), None)
        transport = config.get("type")
        server = McpServer(
            name=clip(str(name), 200),
            command=clip(command, 300) if isinstance(command, str) and command else None,
            args=args,
            env=sorted(clip(str(k), 100) for k in env)[:30] if isinstance(env, dict) else [],
            url=clip(url, 300) if url else None,
            transport=clip(transport, 50) if isinstance(transport, str) else None,
            where=where,
        )
        risk.add("mcp_servers", server)
        if server.url:
            risk.add("network", server.url)
        if server.command:
            for text, reason in shell.runners_in_argv([server.command, *server.args]):
                risk.add("unpinned", Runner(text=text, reason=reason, where=where))
            for url in shell.urls(" ".join(server.args)):
                risk.add("network", url)


def add_tools(risk: Risk, where: str, fields: Mapping[str, Any]) -> None:
    """`allowed-tools` of a skill or command, `tools` of a subagent (it has a name)."""
    value = fields.get("allowed-tools")
    if value is None and fields.get("name"):
        value = fields.get("tools")
    grant = tool_grant(where, value)
    if grant is not None:
        risk.add("tools", ToolGrant(**grant))


def tool_grant(where: str, value: Any) -> dict[str, Any] | None:
    """A tool grant in its stored form; None when `value` names no tool."""
    if isinstance(value, str) and len(value) <= 500:
        grant = _text_grant(value)  # the same few tool lists recur across a repository
        return {**grant, "where": where} if grant is not None else None
    return _grant(where, parse_tools(value))


@lru_cache(maxsize=1024)
def _text_grant(value: str) -> dict[str, Any] | None:
    return _grant(None, parse_tools(value))


def _grant(where: str | None, tools: list[str]) -> dict[str, Any] | None:
    if not tools:
        return None
    return {"where": where, "tools": tools,
            "bash": any(t == "Bash" or t.startswith("Bash(") for t in tools),
            "wildcards": [t for t in tools if "*" in t and is_wildcard(t)]}


def is_wildcard(tool: str) -> bool:
    """`*`, `mcp__server__*`, `Bash(*)`: every tool or command; `Bash(git:*)` is not."""
    name, _, scope = tool.partition("(")
    return "*" in name or scope.rstrip(")").strip() in ("*", ":*")


def parse_tools(value: Any) -> list[str]:
    """Tool names as written: "Read, Bash(git add:*)", "Read Grep", or a YAML list."""
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            continue
        if "(" not in item:
            out += [w if len(w) <= 200 else clip(w, 200) for w in _WORDS.split(item) if w]
            continue
        depth, start = 0, 0
        for i, char in enumerate(item + ","):
            depth += (char == "(") - (char == ")")
            if depth <= 0 and (char == "," or char.isspace()):
                word = item[start:i].strip()
                if word:
                    out.append(clip(word, 200))
                start, depth = i + 1, 0
    return list(dict.fromkeys(out))[:MAX_ITEMS]


def add_script(risk: Risk, path: str, raw: bytes) -> None:
    head = raw[: shell.MAX_SCAN_CHARS]
    if b"\0" in head[:8000]:
        language, shebang = shell.language_of(path, b"")
        risk.add("executables", Executable(path=clip(path, 300), language=language))
        return
    language, shebang = shell.language_of(path, head)
    risk.add("executables", Executable(path=clip(path, 300), language=language, shebang=shebang))
    _add_text(risk, path, head.decode("utf-8", "replace"))


def _add_text(risk: Risk, where: str, text: str) -> None:
    for url in shell.urls(text[: shell.MAX_SCAN_CHARS]):
        risk.add("network", url)
    for runner, reason in shell.runners(text):
        risk.add("unpinned", Runner(text=runner, reason=reason, where=where))
