"""Hostile repositories, one per class of attack, for the suite and for bench/bench_hostile.py.

Each builder returns the files of one commit (path -> bytes); `tests.gitrepo.fast_commit`
writes them as a git repository (paths git refuses in a worktree included) and the fake
GitHub serves the same dict. Every hostile set also holds ordinary artifacts, so a test can
check that the scan still finds what it should.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from tests.gitrepo import agent, command, skill

# Nine anchors, each a list of nine aliases of the one before: about 500 bytes of YAML that
# stand for 9**9 (387 million) strings once written out.
_ANCHORS = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
BOMB = "*a8"  # the alias a field takes to expand to everything


def bomb_markdown(fields: str, body: str = "Body.\n") -> bytes:
    """Markdown whose frontmatter defines the anchors, then `fields` (which may use BOMB)."""
    return f"---\n{_ANCHORS}{fields}---\n{body}".encode()


def yaml_bombs() -> dict[str, bytes]:
    """An alias bomb in every markdown file type detection reads, and a ~900 KB frontmatter."""
    plugin = {"name": "bombs", "version": "1.0.0", "description": "Plugin with bombs."}
    big = "".join(f"key{i}: value number {i} of a very long frontmatter\n" for i in range(16000))
    return {
        "skills/bomb/SKILL.md": bomb_markdown(
            f"name: bomb\ndescription: Explodes when printed.\nmetadata:\n  version: {BOMB}\n"),
        "skills/named-bomb/SKILL.md": bomb_markdown(f"name: {BOMB}\ndescription: {BOMB}\n"),
        ".claude/commands/bomb.md": bomb_markdown(f"description: {BOMB}\n",
                                                  "Deploy $ARGUMENTS now.\n"),
        ".claude/agents/bomb.md": bomb_markdown(f"name: bomb\ndescription: {BOMB}\n",
                                                "You review code.\n"),
        "plugins/bombs/.claude-plugin/plugin.json": json.dumps(plugin).encode(),
        "plugins/bombs/commands/boom.md": bomb_markdown(f"description: {BOMB}\n",
                                                        "Do $ARGUMENTS.\n"),
        "plugins/bombs/agents/boom.md": bomb_markdown(f"name: boom\ndescription: {BOMB}\n",
                                                      "You are an agent.\n"),
        "skills/huge-frontmatter/SKILL.md":
            f"---\nname: huge-frontmatter\ndescription: Big.\n{big}---\n# Huge\n".encode(),
        "skills/fine/SKILL.md": skill("fine").encode(),
    }


def deep_json(depth: int = 100_000) -> dict[str, bytes]:
    """Nested brackets in every JSON file type detection reads, one too-large file, and the
    ordinary configurations that must still be found beside them."""
    arrays = b"[" * depth + b"]" * depth
    objects = b'{"a":' * depth + b"1" + b"}" * depth
    hooks = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
        {"type": "command", "command": "true"}]}]}}
    mcp = {"mcpServers": {"files": {"command": "npx", "args": ["files-mcp"]}}}
    padding = [{"name": f"server-{i}", "command": "x" * 100} for i in range(12_000)]
    return {
        ".claude-plugin/marketplace.json": arrays,
        "plugins/deep/.claude-plugin/plugin.json": objects,
        "plugins/deep/hooks/hooks.json": arrays,
        "plugins/deep/commands/run.md": command("Run it").encode(),
        ".claude/settings.json": b'{"hooks": ' + arrays + b"}",
        ".mcp.json": arrays,
        "mcp/servers.json": objects,
        "tools/huge/.mcp.json": json.dumps({"mcpServers": {}, "pad": padding}).encode(),
        "plugins/fine/.claude-plugin/plugin.json": json.dumps({"name": "fine"}).encode(),
        "plugins/fine/hooks/hooks.json": json.dumps(hooks).encode(),
        "tools/fine/.mcp.json": json.dumps(mcp).encode(),
        "skills/fine/SKILL.md": skill("fine").encode(),
    }


# A planted repository config: any git command in that folder, or a git-aware shell prompt
# on `cd`, would run the attacker's command.
GIT_CONFIG = b'[core]\n\tfsmonitor = "touch pwned #"\n'
DOT_GIT_PATHS = (
    ".git/config", ".GIT/hooks/post-checkout", "nested/.Git/config", ".git./config",
    ".git /config", "git~1/config", ".g\u200cit/config", ".git::$INDEX_ALLOCATION/config",
    "sub/.git",  # a gitdir pointer file
)


def dot_git(root: str = "skills/evil") -> dict[str, bytes]:
    """A skill carrying `.git` in every spelling a file system could take for it."""
    files = {f"{root}/{path}": GIT_CONFIG for path in DOT_GIT_PATHS}
    files[f"{root}/sub/.git"] = b"gitdir: ../../../.git\n"
    files[f"{root}/SKILL.md"] = skill("evil").encode()
    files[f"{root}/.gitignore"] = b"*.log\n"  # a dotfile, not git's own: it may be taken
    files[f"{root}/.github/notes.md"] = b"notes\n"
    files[".claude/agents/reviewer.md"] = agent("reviewer").encode()
    return files


def compressible(count: int, size: int, root: str = "skills/big") -> Iterator[tuple[str, bytes]]:
    """A skill of `count` distinct files of `size` bytes that compress to almost nothing."""
    yield f"{root}/SKILL.md", skill(root.rpartition("/")[2]).encode()
    for i in range(count):
        yield f"{root}/data/part-{i:04}.bin", b"\0" * (size - 16) + b"%016d" % i
