"""What an update changes in what an artifact can run, in words a person reviews."""

from __future__ import annotations

from functools import lru_cache

from skillmeat.core.risk.model import Hook, McpServer, Risk, count

MAX_LINES = 100


def _hook_key(hook: Hook) -> tuple[str, str | None]:
    return hook.event, hook.matcher


def _on(event: str, matcher: str | None) -> str:
    return f"{event} ({matcher})" if matcher and matcher not in ("*", ".*") else event


def _runs(hook: Hook) -> str:
    return f"runs `{hook.command}`" if hook.command else f"asks a {hook.type}"


def _hooks(old: list[Hook], new: list[Hook]) -> list[str]:
    out = []
    keys = list(dict.fromkeys([_hook_key(h) for h in old] + [_hook_key(h) for h in new]))
    for key in keys:
        before = [h for h in old if _hook_key(h) == key]
        after = [h for h in new if _hook_key(h) == key]
        added = [h for h in after if h not in before]
        gone = [h for h in before if h not in after]
        where = _on(*key)
        if len(added) == 1 and len(gone) == 1:
            out.append(f"hook on {where} now {_runs(added[0])} (was {_runs(gone[0])[5:]})"
                       if added[0].command and gone[0].command
                       else f"hook on {where} now {_runs(added[0])}")
            continue
        out += [f"new hook on {where} {_runs(h)}" for h in added]
        out += [f"hook on {where} removed (it {_runs(h)})" for h in gone]
    return out


def _server_runs(server: McpServer) -> str:
    if server.command_line:
        return f"runs `{server.command_line}`"
    return f"connects to {server.url}" if server.url else "runs nothing named"


def _servers(old: list[McpServer], new: list[McpServer]) -> list[str]:
    out = []
    before = {s.name: s for s in old}
    after = {s.name: s for s in new}
    for name, server in after.items():
        was = before.get(name)
        if was is None:
            out.append(f"new MCP server `{name}` {_server_runs(server)}")
            out += [f"MCP server `{name}` reads env `{v}`" for v in server.env]
            continue
        if (was.command_line, was.url) != (server.command_line, server.url):
            out.append(f"MCP server `{name}` now {_server_runs(server)} "
                       f"(was {_server_runs(was)[5 if was.command_line else 0:]})")
        out += [f"MCP server `{name}` now reads env `{v}`"
                for v in server.env if v not in was.env]
        out += [f"MCP server `{name}` no longer reads env `{v}`"
                for v in was.env if v not in server.env]
    out += [f"MCP server `{name}` removed" for name in before if name not in after]
    return out


def _tools(old: Risk, new: Risk) -> list[str]:
    out = []
    before = {g.where: g for g in old.tools}
    after = {g.where: g for g in new.tools}
    for where, grant in after.items():
        was = before.get(where)
        if grant.bash and not (was and was.bash):
            out.append(f"`{where}` now allows Bash")
        if was and was.bash and not grant.bash:
            out.append(f"`{where}` no longer allows Bash")
        out += [f"`{where}` now allows `{w}`" for w in grant.wildcards
                if not was or w not in was.wildcards]
    for where, was in before.items():
        if where not in after and (was.bash or was.wildcards):
            out.append(f"`{where}` no longer grants tools")
    return out


def risk_difference(old: Risk, new: Risk) -> list[str]:
    """Each change in words, additions first within each kind; [] when nothing changed."""
    out = _hooks(old.hooks, new.hooks) + _servers(old.mcp_servers, new.mcp_servers)
    out += _tools(old, new)
    old_files = {e.path: e for e in old.executables}
    for exe in new.executables:
        if exe.path not in old_files:
            out.append(f"new script `{exe.path}`" + (f" ({exe.language})" if exe.language else ""))
    new_files = {e.path for e in new.executables}
    out += [f"script `{path}` removed" for path in old_files if path not in new_files]
    old_runners = {r.text for r in old.unpinned}
    out += [f"new unpinned runner `{r.text}` in `{r.where}`: {r.reason}"
            for r in new.unpinned if r.text not in old_runners]
    new_runners = {r.text for r in new.unpinned}
    out += [f"unpinned runner `{r.text}` removed" for r in old.unpinned
            if r.text not in new_runners]
    out += [f"now names network endpoint {url}" for url in new.network if url not in old.network]
    out += [f"no longer names {url}" for url in old.network if url not in new.network]
    if len(out) > MAX_LINES:
        out = [*out[:MAX_LINES], f"... and {len(out) - MAX_LINES} more changes"]
    return out


def _summary_parts(text: str | None) -> tuple[dict[str, int], list[str]]:
    counted: dict[str, int] = {}
    flags: list[str] = []
    for part in (text or "").split(" · "):
        number, _, word = part.partition(" ")
        if number.isdigit() and word:
            n = int(number)
            counted[word[:-1] if n != 1 and word.endswith("s") else word] = n
        elif part:
            flags.append(part)
    return counted, flags


@lru_cache(maxsize=1024)  # few distinct summaries: a listing of 1,000 units words each pair once
def summary_difference(before: str | None, after: str | None) -> tuple[str, ...]:
    """What moved between two one-line summaries ("+1 hook", "now Bash", "-1 script"): the
    updates listing words the change from stored summaries, reading no file."""
    old, old_flags = _summary_parts(before)
    new, new_flags = _summary_parts(after)
    out = []
    for word in dict.fromkeys([*new, *old]):
        delta = new.get(word, 0) - old.get(word, 0)
        if delta:
            out.append(f"{'+' if delta > 0 else '-'}{count(abs(delta), word)}")
    out += [f"now {flag}" for flag in new_flags if flag not in old_flags]
    out += [f"no longer {flag}" for flag in old_flags if flag not in new_flags]
    return tuple(out)
