"""Fixture repositories for detection: the shapes where a folder name used to decide alone.

Two failure classes seen on repositories the detector was never tuned on, and their neighbours:

- a documentation site whose top-level `commands/` holds a server's command reference;
- a subagent collection, installed by cloning it into ~/.claude/agents, whose category
  folder `documentation/` holds complete subagents.

Each fixture says what a listing should show (`artifacts`) and whether the repository shows
any sign of being meant for Claude Code (`no_signal`, judged by a person, not by the detector).
tests/core/test_detection_evidence.py holds detection to them; bench/detection_quality.py
reports them beside the corpus, in the same snapshot form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]


@dataclass(frozen=True)
class Fixture:
    repo: str
    about: str
    files: dict[str, str]
    artifacts: frozenset[Key] = field(default_factory=frozenset)
    no_signal: bool = False

    def snapshot(self) -> dict[str, Any]:
        """The corpus snapshot form (bench/snapshot_git.py builds a git repository from it)."""
        files = [{"path": p, "size": len(t.encode())} for p, t in sorted(self.files.items())]
        return {"repo": self.repo, "commit": "0" * 40, "files": files, "contents": self.files}


def _agent(name: str, topic: str, tools: str = "Read, Grep, Glob") -> str:
    return (
        f"---\nname: {name}\ndescription: Use this agent to {topic}. Use proactively.\n"
        f"tools: {tools}\n---\n\nYou are a senior specialist who can {topic}.\n\n"
        "## Process\n\n1. Read the relevant files.\n2. Report findings by priority.\n"
    )


# -- a database server's documentation site ------------------------------------------------------

_SERVER_COMMANDS = [
    "append", "auth", "bitcount", "client-kill", "client-list", "config-get", "config-set",
    "dbsize", "decr", "del", "eval", "exists", "expire", "flushall", "get", "getrange", "hdel",
    "hget", "hgetall", "hset", "incr", "info", "keys", "lindex", "llen", "lpop", "lpush",
    "lrange", "mget", "mset", "multi", "persist", "ping", "publish", "rename", "rpush", "sadd",
    "scan", "set", "smembers", "subscribe", "ttl", "type", "unlink", "watch", "zadd", "zrange",
]  # fmt: skip


def _reference_page(name: str, i: int) -> str:
    """One server command's page, in the three styles such sites mix."""
    title = name.upper().replace("-", " ")
    if i % 5 == 0:  # older pages: annotations instead of headings
        return (
            f"Returns information for `{title}` about the given key.\n\n@return\n\n"
            "@integer-reply: the number of keys affected.\n\n@examples\n\n"
            f"```cli\n{title} mykey\n```\n"
        )
    head = (
        f"---\ntitle: {title}\nlinkTitle: {title}\ndescription: Runs {title} on a key\n"
        f"weight: {i}\n---\n\n" if i % 5 == 1 else f"# {title}\n\n"
    )
    return head + (
        f"Runs `{title}` against the keyspace. Time complexity: O(1).\n\n"
        f"## Syntax\n\n```\n{title} key [value]\n```\n\n"
        "## Arguments\n\n* `key`: the key to operate on.\n* `value`: optional.\n\n"
        "## Reply\n\nInteger reply: the number of keys affected.\n\n"
        "## History\n\n* Available since 1.0.0.\n* 6.2: added the optional value.\n\n"
        f"## Examples\n\n```cli\nSET mykey 1\n{title} mykey\n```\n"
    )


def database_docs() -> Fixture:
    files = {f"commands/{n}.md": _reference_page(n, i) for i, n in enumerate(_SERVER_COMMANDS)}
    files.update({
        "commands/quit.md": "# QUIT\n\nAsk the server to close the connection.\n",
        "README.md": "# Server documentation\n\nThe source of the documentation site. Build it "
                     "with `make site`; pages for every command live in `commands/`.\n",
        "CONTRIBUTING.md": "# Contributing\n\nOne page per command, named after it.\n",
        "commands.json": '{"GET": {"summary": "Get a value", "since": "1.0.0"}}',
        "topics/persistence.md": "# Persistence\n\nSnapshots and append-only files.\n",
        "topics/replication.md": "# Replication\n\nReplicas follow a primary.\n",
        "topics/security.md": "# Security\n\nBind to loopback.\n",
        "config.toml": 'baseURL = "https://example.invalid/"\n',
    })
    return Fixture("fixture/database-docs", "server command reference in top-level commands/",
                   files, no_signal=True)


# -- a CLI's manual pages, and a repository developed with Claude Code ---------------------------

def _man_page(tool: str, sub: str) -> str:
    return (
        f"# {tool}-{sub}(1)\n\n## NAME\n\n{tool}-{sub} - {sub} the vault\n\n"
        f"## SYNOPSIS\n\n**{tool} {sub}** [*OPTIONS*] [*PATH*]\n\n"
        f"## DESCRIPTION\n\nUse it in scripts as `{tool} {sub} \"$1\"`.\n\n"
        "## OPTIONS\n\n**--dry-run**\n: show what would change.\n\n"
        "## EXIT STATUS\n\n0 on success, 1 on error.\n\n"
        f"## SEE ALSO\n\n{tool}(1)\n"
    )


def cli_manpages() -> Fixture:
    subs = ["init", "sync", "show", "edit", "grep", "audit", "clone", "move"]
    files = {f"commands/vaultctl-{s}.md": _man_page("vaultctl", s) for s in subs}
    files.update({
        f"docs/commands/{s}.md": f"# `{s}` command\n\n## Synopsis\n\n```\n$ vaultctl {s} x\n```"
                                 "\n\n## Flags\n\n| Flag | Description |\n|---|---|\n"
                                 "| `--force` | do it anyway |\n\n## Exit codes\n\n0 or 1.\n"
        for s in subs
    })
    files.update({
        "README.md": "# vaultctl\n\nA command-line password vault.\n",
        # Developed with an assistant: that makes the project no collection of prompts.
        "CLAUDE.md": "# Notes for contributors\n\nRun `make test` before committing.\n",
        ".claude/settings.json": '{"permissions": {"allow": ["Bash(make test)"]}}',
        "cmd/vaultctl/main.go": "package main\n",
    })
    return Fixture("fixture/cli-manpages", "man pages in commands/ and docs/commands/", files,
                   no_signal=True)


# -- an HTTP API's reference, with `commands` and `agents` as resources --------------------------

def _endpoint(verb: str, resource: str, i: int) -> str:
    return (
        f"---\ntitle: {verb.title()} {resource}\ndescription: {verb.title()} a {resource} "
        f"through the REST API.\nsidebar_position: {i}\nslug: /api/{resource}s/{verb}\n---\n\n"
        f"`{'POST' if verb in ('create', 'cancel') else 'GET'} /v1/{resource}s`\n\n"
        "## Request\n\n## Path parameters\n\n| name | type |\n|---|---|\n| id | string |\n\n"
        "## Response\n\n```json\n{\"id\": \"abc\", \"state\": \"queued\"}\n```\n"
    )


def api_reference() -> Fixture:
    verbs = ["create", "get", "list", "cancel", "retry"]
    files = {f"reference/commands/{v}-command.md": _endpoint(v, "command", i)
             for i, v in enumerate(verbs)}
    files.update({f"reference/agents/{v}-agent.md": _endpoint(v, "agent", i)
                  for i, v in enumerate(verbs)})
    files.update({
        "README.md": "# Job runner API reference\n\nDocusaurus site: `npm run build`.\n",
        "website/sidebars.js": "module.exports = {};\n",
        "package.json": '{"name": "api-docs", "private": true}',
    })
    return Fixture("fixture/api-reference", "REST reference pages for commands and agents",
                   files, no_signal=True)


# -- changelogs and release notes where prompts might be --------------------------------------

def changelogs() -> Fixture:
    entry = ("## [{v}] - 2024-0{m}-01\n\n### Added\n\n- The `sync` command.\n\n"
             "### Fixed\n\n- Typos.\n")
    files = {
        "CHANGELOG.md": "# Changelog\n\n" + entry.format(v="1.2.0", m=3),
        "src/commands/changelog.md": "# Changelog of the commands\n\n" + entry.format(v="1.1", m=2),
        "src/commands/sync.ts": "export const sync = () => 1;\n",
        "packages/agents/changelog.md": "# agents package\n\n" + entry.format(v="0.3.0", m=1),
        "packages/agents/CHANGES.md": "# Changes\n\n" + entry.format(v="0.2.0", m=1),
        "packages/agents/history.md": "# History\n\nFirst released in 2023.\n",
        "README.md": "# Library\n\nA library with release notes.\n",
    }
    for n in range(1, 5):
        files[f"releases/v1.{n}.md"] = (
            f"---\ntitle: Release 1.{n}\ndate: 2024-0{n}-01\nversion: 1.{n}\n---\n\n"
            + entry.format(v=f"1.{n}", m=n)
        )
    return Fixture("fixture/changelogs", "changelogs and release notes in commands/ and agents/",
                   files, no_signal=True)


# -- repositories that are meant for Claude Code ------------------------------------------------

def agents_collection() -> Fixture:
    categories = {
        "documentation": ["api-documenter", "changelog-writer", "docs-reviewer", "readme-writer",
                          "tutorial-writer"],
        "backend": ["api-designer", "database-tuner", "queue-expert"],
        "testing": ["test-writer", "flaky-test-hunter"],
    }
    files = {f"{cat}/{name}.md": _agent(name, f"handle {cat} work as a {name}")
             for cat, names in categories.items() for name in names}
    files.update({
        "README.md": "# Subagents\n\nSubagents sorted by category.\n\n## Install\n\n```bash\n"
                     "git clone https://example.invalid/someone/subagents.git ~/.claude/agents\n"
                     "```\n",
        "documentation/README.md": "# Documentation agents\n\nFive agents.\n",
        "documentation/style-guide.md": "# Style guide\n\nHow we write the agents' docs.\n",
        "CONTRIBUTING.md": "# Contributing\n\nOne agent per file.\n",
        "templates/agent-template.md": _agent("agent-name", "describe what the agent does"),
    })
    agents = frozenset(("agent", p) for p in files
                       if p.split("/")[0] in categories and not p.endswith(("README.md",
                                                                            "style-guide.md")))
    return Fixture("fixture/agents-collection", "clone-into-~/.claude/agents collection with a "
                   "documentation/ category", files, agents)


def agents_in_doc_folders() -> Fixture:
    files = {
        f"{cat}/{name}.md": _agent(name, f"write {cat} material as {name}")
        for cat, names in (("docs", ["doc-writer", "doc-linter", "doc-translator"]),
                           ("examples", ["example-writer", "example-runner", "snippet-checker"]))
        for name in names
    }
    files.update({
        f"agents/documentation/{n}.md": _agent(n, "review documentation")
        for n in ("docs-reviewer", "glossary-keeper")
    })
    files.update({
        "README.md": "# Writing subagents for Claude Code\n\nCopy any of them into your "
                     "project's `.claude/agents/` folder.\n",
        "docs/guide.md": "# Guide\n\nHow the agents were written.\n",
        "docs/faq.md": "# FAQ\n\nQuestions.\n",
        "examples/README.md": "# Examples\n",
    })
    agents = frozenset(("agent", p) for p, text in files.items() if text.startswith("---"))
    return Fixture("fixture/agents-in-doc-folders", "complete subagents in docs/ and examples/",
                   files, agents)


def docs_site_with_claude_commands() -> Fixture:
    files = {f"commands/{n}.md": _reference_page(n, i + 2)
             for i, n in enumerate(_SERVER_COMMANDS[:12])}
    files.update({
        "commands/quit.md": "# QUIT\n\nAsk the server to close the connection.\n",
        ".claude/commands/new-page.md": "---\ndescription: Draft a reference page\n"
                                        "argument-hint: <command>\n---\n\nDraft a page for "
                                        "$ARGUMENTS following the other pages in commands/.\n",
        ".claude/commands/check-links.md": "Check every link in the pages the user names.\n",
        ".claude/agents/page-editor.md": _agent("page-editor", "edit reference pages"),
        "CLAUDE.md": "# Site\n\nPages live in commands/.\n",
        "README.md": "# Server documentation\n\nContributors can use the Claude Code commands "
                     "in `.claude/commands/`.\n",
    })
    shown = {("command", ".claude/commands/new-page.md"),
             ("command", ".claude/commands/check-links.md"),
             ("agent", ".claude/agents/page-editor.md")}
    return Fixture("fixture/docs-site-with-claude-commands", "a docs site that ships its own "
                   ".claude/commands", files, frozenset(shown))


def skill_with_personas() -> Fixture:
    persona = "# {0}\n\nYou are a {0}. Review the change from that point of view.\n"
    root = "skills/code-review"
    files = {
        f"{root}/SKILL.md": "---\nname: code-review\ndescription: Review a change from several "
                            "points of view. Use when asked for a review.\n---\n\n# Review\n",
        f"{root}/agents/security-reviewer.md": persona.format("security reviewer"),
        f"{root}/agents/performance-reviewer.md": persona.format("performance reviewer"),
        f"{root}/personas/architect.md": persona.format("software architect"),
        f"{root}/personas/tester.md": persona.format("tester"),
        f"{root}/personas/product-manager.md": persona.format("product manager"),
        "personas/mentor.md": persona.format("mentor"),
        "personas/critic.md": persona.format("critic"),
        "personas/skeptic.md": persona.format("skeptic"),
        "README.md": "# A Claude Code skill for reviews\n",
    }
    return Fixture("fixture/skill-with-personas", "persona docs without frontmatter, in a skill "
                   "and beside it", files, frozenset({("skill", root)}))


def marketplace_loose_commands() -> Fixture:
    files = {
        ".claude-plugin/marketplace.json": '{"name": "m", "plugins": [{"name": "fmt", '
                                           '"source": "./plugins/fmt"}]}',
        "plugins/fmt/.claude-plugin/plugin.json": '{"name": "fmt"}',
        "plugins/fmt/commands/format.md": "Format the files the user names.\n",
        "extras/commands/commit-message.md": "Suggest a commit message for the staged changes.\n",
        "extras/commands/release-notes.md": "Write release notes since the last tag.\n",
        "README.md": "# Marketplace\n",
    }
    shown = frozenset(("command", p) for p in files if p.endswith(".md") and "commands/" in p)
    return Fixture("fixture/marketplace-loose-commands", "bare prompts in a stray commands/ of a "
                   "plugin marketplace", files, shown)


FIXTURES = [
    database_docs(), cli_manpages(), api_reference(), changelogs(), agents_collection(),
    agents_in_doc_folders(), docs_site_with_claude_commands(), skill_with_personas(),
    marketplace_loose_commands(),
]  # fmt: skip
