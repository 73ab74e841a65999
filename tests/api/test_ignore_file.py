"""A repository's own `.skillmeat-ignore`, read on every scan of a real git repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.api.test_scanning_api import BASE, FILES, entries
from tests.gitrepo import commit, git, skill


def rules(client: httpx.Client, sid: str) -> list[tuple[str, str, int]]:
    items = client.get(f"{BASE}/{sid}/exclusion-rules").json()["items"]
    return [(r["pattern"], r["origin"], r["excluded_count"]) for r in items]


def scan(client: httpx.Client, repo: Path) -> dict[str, Any]:
    resp = client.post(BASE, json={"repo_url": str(repo), "scan": True})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_ignore_file_rules_apply_on_every_scan_and_follow_the_file(
        client: httpx.Client, tmp_path: Path) -> None:
    repo = tmp_path / "tools"
    commit(repo, {**FILES, "examples/demo/SKILL.md": skill("demo"),
                  ".skillmeat-ignore": "# not artifacts\nexamples/\n!skills/pdf\n\n"})
    sid = scan(client, repo)["id"]
    assert rules(client, sid) == [("examples/", "repo", 1)]
    assert entries(client, sid)["examples/demo"]["status"] == "excluded"

    # A person may still restore one; the next scan respects it. A changed file replaces
    # the repository's rules: the old one's exclusions are restored, the new one applies.
    commit(repo, {"examples/other/SKILL.md": skill("other")})
    client.post(f"{BASE}/{sid}/artifacts/restore",
                json={"entry_ids": [entries(client, sid)["examples/demo"]["id"]]})
    client.post(f"{BASE}/{sid}/rescan")
    found = entries(client, sid)
    assert (found["examples/demo"]["status"], found["examples/other"]["status"]) == (
        "new", "excluded")
    commit(repo, {".skillmeat-ignore": "skills/docx\n"})
    client.post(f"{BASE}/{sid}/rescan")
    assert rules(client, sid) == [("skills/docx", "repo", 1)]
    found = entries(client, sid)
    assert {p for p, e in found.items() if e["status"] == "excluded"} == {"skills/docx"}
    commit(repo, remove=[".skillmeat-ignore"])
    client.post(f"{BASE}/{sid}/rescan")
    assert rules(client, sid) == []


def test_a_symlinked_or_oversized_ignore_file_declares_nothing_harmful(
        client: httpx.Client, tmp_path: Path) -> None:
    repo = tmp_path / "tools"
    commit(repo, FILES)
    (repo / ".skillmeat-ignore").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    sid = scan(client, repo)["id"]
    assert rules(client, sid) == []
    huge = "skills/**\n" + "x" * (200 * 1024) + "\n" + "\n".join(f"p{i}/" for i in range(5000))
    (repo / ".skillmeat-ignore").unlink()
    commit(repo, {".skillmeat-ignore": huge})
    assert client.post(f"{BASE}/{sid}/rescan").status_code == 200
    assert [p for p, _o, _n in rules(client, sid)] == ["skills/**"]
