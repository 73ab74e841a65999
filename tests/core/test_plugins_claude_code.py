"""Our plugin members against what Claude Code itself loads from the same plugin.

Each layout is a real git repository. `claude plugin validate --json` reports what a plugin
folder provides; for marketplace entries with no plugin.json ("strict": false), the plugin
is added and installed from the marketplace and `claude plugin details` lists what it loads.
Corpus plugins are written out file by file (the corpus keeps markdown and JSON text; other
files get a placeholder), then compared the same way.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from skillmeat.core.marketplace.artifacts import DetectedArtifact
from skillmeat.core.marketplace.detection import detect
from skillmeat.core.marketplace.readers.git import GitReader
from tests.claude_cli import ClaudeCli
from tests.gitrepo import commit

HOOK = {"hooks": [{"type": "command", "command": "echo ok"}]}
CORPUS = Path(os.environ.get("SKILLMEAT_CORPUS_DIR")
              or Path(__file__).resolve().parents[2].parent / "shared" / "corpus")
Members = dict[str, set[str]]


def md(name: str, extra: str = "") -> str:
    return f"---\nname: {name}\ndescription: Does {name} when asked.\n{extra}---\n\nBody.\n"


def scan(repo: Path, tmp: Path) -> list[DetectedArtifact]:
    reader = GitReader(str(repo), None, tmp / "cache")
    try:
        sha = reader.resolve()
        return detect(reader.tree(sha), lambda paths, limit: reader.read(sha, paths, limit))
    finally:
        reader.close()


def ours(repo: Path, found: list[DetectedArtifact], plugin_path: str) -> Members:
    """Members of one plugin entry, named as Claude Code names them."""
    out: Members = {"skills": set(), "commands": set(), "agents": set(), "hooks": set(),
                    "mcpServers": set()}
    for art in found:
        if art.plugin_path != plugin_path or art.confidence < 30:
            continue
        if art.type == "skill":
            out["skills"].add(Path(art.path).name)  # Claude Code names a skill by its folder
        elif art.type in ("command", "agent"):
            out[f"{art.type}s"].add(Path(art.path).stem if art.type == "command" else art.name)
        else:
            data = json.loads((repo / art.path).read_text())
            if art.type == "hook":
                out["hooks"] |= set(data["hooks"])
            else:
                out["mcpServers"] |= set(data.get("mcpServers", data))
    return out


def validated(claude: ClaudeCli, folder: Path) -> Members:
    """What `claude plugin validate --json` says the plugin folder provides."""
    report = claude.validate(folder, strict=False)
    provides: dict[str, Any] = report["provides"]
    assert provides is not None, report["manifest"]["errors"]
    bare = lambda names: {n.rpartition(":")[2] for n in names}  # noqa: E731 - "plugin:name"
    return {"skills": bare(provides["skills"]), "commands": bare(provides["commands"]),
            "agents": bare(provides["agents"]),
            "hooks": {h["event"] for h in provides["hooks"]},
            "mcpServers": {s["name"] for s in provides["mcpServers"]}}


def installed(claude: ClaudeCli, repo: Path, market: str, plugin: str) -> dict[str, set[str]]:
    """`claude plugin details` of a plugin installed from the repository's marketplace."""
    if market not in claude.run("plugin", "marketplace", "list").stdout:
        claude.run("plugin", "marketplace", "add", str(repo))
    claude.run("plugin", "install", f"{plugin}@{market}")
    text = claude.run("plugin", "details", f"{plugin}@{market}").stdout
    out = {}
    for label in ("Skills", "Agents", "Hooks", "MCP servers"):
        found = re.search(rf"^[ \t]*{label} \((\d+)\)[ \t]*(.*)$", text, re.MULTILINE)
        assert found, text
        names = found.group(2).split("(")[0]
        out[label] = {n.strip() for n in names.split(",") if n.strip()}
    return out


def test_component_paths_inline_hooks_and_servers_match_claude_code(
        claude: ClaudeCli, tmp_path: Path) -> None:
    repo = tmp_path / "tools"
    manifest = {"name": "tools", "version": "1.0.0", "skills": ["./extra"],
                "commands": "./more", "agents": ["./roles/critic.md"],
                "hooks": {"SessionStart": [HOOK]}, "mcpServers": {"inline-db": {"command": "db"}}}
    commit(repo, {
        ".claude-plugin/plugin.json": json.dumps(manifest),
        "skills/alpha/SKILL.md": md("alpha"), "extra/beta/SKILL.md": md("beta"),
        "commands/replaced.md": md("replaced"), "more/ship.md": "---\ndescription: Ship\n---\nGo\n",
        "agents/ignored.md": md("ignored"), "roles/critic.md": md("critic", "tools: Read\n"),
        "hooks/hooks.json": json.dumps({"hooks": {"Stop": [HOOK]}}),
        ".mcp.json": json.dumps({"mcpServers": {"files": {"command": "files"}}}),
        "README.md": "# tools\n",
    })
    mine = ours(repo, scan(repo, tmp_path), ".")
    assert mine == validated(claude, repo)
    assert mine["commands"] == {"ship"} and mine["agents"] == {"critic"}  # defaults replaced


def test_plugin_folders_of_a_marketplace_match_claude_code(claude: ClaudeCli,
                                                           tmp_path: Path) -> None:
    repo = tmp_path / "market"
    market = {"name": "acme", "owner": {"name": "Acme"}, "plugins": [
        {"name": "guard", "source": "./plugins/guard"},
        {"name": "writer", "source": "./plugins/writer"}]}
    commit(repo, {
        ".claude-plugin/marketplace.json": json.dumps(market),
        "plugins/guard/.claude-plugin/plugin.json": json.dumps({"name": "guard"}),
        "plugins/guard/hooks/hooks.json": json.dumps({"hooks": {"PreToolUse": [HOOK],
                                                                "Stop": [HOOK]}}),
        "plugins/guard/.mcp.json": json.dumps({"mcpServers": {"audit": {"command": "a"}}}),
        "plugins/writer/.claude-plugin/plugin.json": json.dumps({"name": "writer"}),
        "plugins/writer/skills/draft/SKILL.md": md("draft"),
        "plugins/writer/commands/edit.md": "---\ndescription: Edit\n---\nEdit\n",
        "plugins/writer/agents/proof.md": md("proof"),
    })
    found = scan(repo, tmp_path)
    for name in ("guard", "writer"):
        assert ours(repo, found, f"plugins/{name}") == validated(claude, repo / "plugins" / name)


def test_strict_false_marketplace_entries_match_what_claude_code_installs(
        claude: ClaudeCli, tmp_path: Path) -> None:
    repo = tmp_path / "skills-repo"
    market = {"name": "bundle", "owner": {"name": "Acme"}, "plugins": [
        {"name": "docs", "source": "./", "strict": False, "skills": ["./skills/pdf",
                                                                      "./skills/xlsx"]},
        {"name": "everything", "source": "./", "strict": False}]}
    commit(repo, {
        ".claude-plugin/marketplace.json": json.dumps(market),
        "skills/pdf/SKILL.md": md("pdf"), "skills/xlsx/SKILL.md": md("xlsx"),
        "skills/art/SKILL.md": md("art"), "commands/hello.md": "---\ndescription: Hi\n---\nHi\n",
    })
    found = scan(repo, tmp_path)
    docs, everything = ours(repo, found, ".#docs"), ours(repo, found, ".#everything")
    # Each member belongs to one entry: the nearest plugin, then the one that names it, then
    # the first listed. Claude Code lets two plugins load the same file, so what it reports
    # for a plugin is its own members plus those another plugin of the marketplace owns.
    theirs = installed(claude, repo, "bundle", "docs")
    assert docs["skills"] == {"pdf", "xlsx"} and docs["commands"] == {"hello"}
    assert docs["skills"] | docs["commands"] == theirs["Skills"]  # commands listed as skills
    theirs = installed(claude, repo, "bundle", "everything")
    assert everything["skills"] == {"art"}
    assert theirs["Skills"] == everything["skills"] | docs["skills"] | docs["commands"]
    assert theirs["Agents"] == theirs["Hooks"] == set()


def _write_corpus_repo(name: str, target: Path) -> None:
    snapshot = json.loads((CORPUS / "repos" / f"{name}.json").read_text())
    contents: dict[str, str] = snapshot["contents"]
    files = {f["path"]: contents.get(f["path"], "placeholder\n") for f in snapshot["files"]
             if not f.get("absent") and "symlink" not in f}
    commit(target, files)


@pytest.mark.parametrize("name", ["anthropics__claude-code", "obra__superpowers"])
def test_corpus_plugins_match_claude_code(claude: ClaudeCli, tmp_path: Path, name: str) -> None:
    if not (CORPUS / "repos" / f"{name}.json").is_file():
        pytest.skip("the shared corpus is not next to the repository")
    repo = tmp_path / "repo"
    _write_corpus_repo(name, repo)
    found = scan(repo, tmp_path)
    plugins = [a for a in found if a.type == "plugin" and a.plugin_meta
               and not a.plugin_meta["remote"] and (repo / a.path / ".claude-plugin").is_dir()]
    assert plugins
    # Official marketplace names are reserved to their GitHub home: renamed on disk, after
    # detection, so Claude Code adds the local copy.
    listing = repo / ".claude-plugin" / "marketplace.json"
    market = "corpus-copy"
    listing.write_text(json.dumps({**json.loads(listing.read_text()), "name": market}))
    for plugin in plugins:
        mine = ours(repo, found, plugin.path)
        report = claude.validate(repo / plugin.path, strict=False)
        if report["provides"] is not None:
            assert mine == validated(claude, repo / plugin.path), plugin.path
            continue
        # Refused on its own (a reserved name, frontmatter Claude Code repairs at load time):
        # installed from the repository's marketplace instead, and compared as it loads.
        theirs = installed(claude, repo, market, plugin.name)
        assert mine["skills"] | mine["commands"] == theirs["Skills"], plugin.path
        assert mine["agents"] == theirs["Agents"], plugin.path
        assert mine["hooks"] == theirs["Hooks"], plugin.path
        assert mine["mcpServers"] == theirs["MCP servers"], plugin.path
