"""One classifier decides local vs remote for the URL parser, the git reader and git itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace.readers.errors import ReaderError
from skillmeat.core.marketplace.readers.git import GitReader
from skillmeat.core.marketplace.readers.git_process import git_env, run_git
from skillmeat.core.marketplace.readers.github import GitHubReader
from skillmeat.core.marketplace.urls import (
    LOCAL_PROTOCOLS,
    REMOTE_PROTOCOLS,
    classify_git_url,
    parse_repo_url,
)
from tests.gitrepo import commit, skill

# Every way of writing a path on this machine; each must be refused where local sources are.
LOCAL_FORMS = [
    "name:relative/path",  # git would read it as ssh to "name"; it is also a relative path
    "localhost:repo",
    "./repo",
    "../repo",
    "repo",
    "repo.git",
    "/srv/repo",
    "/srv/with:colon",
    "~/repo",
    "~root/repo",
    "user@host",  # no colon: git reads a path
    "C:repo",
    "file:///srv/repo",
    "file://localhost/srv/repo",
    "FILE:///srv/repo",
]

REMOTE_FORMS = {
    "https://git.example/team/repo.git": "https",
    "https://github.com/acme/tools": "https",
    "ssh://git@git.example:2222/team/repo.git": "ssh",
    "ssh://git.example/team/repo": "ssh",
    "git://git.example/team/repo": "git",
    "git://[::1]:9418/repo": "git",
    "git@git.example:team/repo.git": "ssh",
    "git@[::1]:repo": "ssh",
}

REFUSED_EVERYWHERE = [
    "ext::sh -c touch% /tmp/pwned",  # a remote helper that runs a command
    "ext::sh",
    "fd::3",
    "transport::anything",
    "http://git.example/repo",  # plain http
    "ftp://git.example/repo",
    "git+ssh://git.example/repo",
    "ssh://-oProxyCommand=touch/repo",  # an option where the host goes
    "git@-oProxyCommand=x:repo",
    "-upload-pack=touch",
    "--upload-pack=touch pwned",
    "file://elsewhere/srv/repo",
    "https://user:secret@git.example/repo",
    "https://git.example:99999/repo",
    "https://bad_host.example/repo",
    "git@git.example:",
    "",
    "   ",
    "repo\x00",
    "~no-such-user-here/repo",  # a home folder that does not exist: no path at all
]


@pytest.mark.parametrize("url", LOCAL_FORMS)
def test_local_looking_forms_are_local_and_refused_when_local_sources_are_not_allowed(
        url: str) -> None:
    address = classify_git_url(url)
    assert address.local and Path(address.url).is_absolute()
    assert address.protocols == LOCAL_PROTOCOLS
    with pytest.raises(InvalidInput, match="local repositories are not allowed"):
        parse_repo_url(url, allow_local=False)
    with pytest.raises(ReaderError, match="local repositories are not allowed"):
        GitReader(url, None, "/nonexistent-cache", allow_local=False)
    assert parse_repo_url(url, allow_local=True).kind == "local"


@pytest.mark.parametrize("url, scheme", REMOTE_FORMS.items())
def test_remote_forms_stay_remote_and_never_allow_the_file_transport(url: str,
                                                                     scheme: str) -> None:
    address = classify_git_url(url)
    assert (address.local, address.scheme) == (False, scheme)
    assert "file" not in address.protocols.split(":") and "ext" not in address.protocols
    assert parse_repo_url(url, allow_local=False).kind in ("git", "github")
    assert GitReader(url, None, "/nonexistent-cache", allow_local=False).url == address.url


@pytest.mark.parametrize("url", REFUSED_EVERYWHERE)
def test_hostile_forms_are_refused_whatever_the_server_allows(url: str) -> None:
    with pytest.raises(InvalidInput):
        parse_repo_url(url, allow_local=True)
    with pytest.raises(ReaderError):
        GitReader(url, None, "/nonexistent-cache")


@pytest.mark.parametrize("url", [
    "https://github.com/./..", "https://github.com/../x", "https://github.com/acme/..",
    "https://github.com/acme/.", "https://github.com/acme/.git", "https://github.com/-acme/x",
    "https://github.com/acme-/x", "https://github.com/ac.me/x", "https://github.com/%2e%2e/x",
    "https://github.com/acme/x%2Fy", "https://github.com/" + "a" * 40 + "/x",
    "https://github.com/acme/" + "r" * 101,
])
def test_github_names_follow_githubs_rules(url: str) -> None:
    with pytest.raises(InvalidInput, match="not a GitHub repository"):
        parse_repo_url(url, allow_local=False)


def test_github_reader_refuses_dot_names_before_any_request() -> None:
    for owner, repo in ((".", ".."), ("acme", ".."), ("..", "repos"), ("acme", "")):
        with pytest.raises(InvalidInput):
            GitHubReader(owner, repo, None, api_url="http://127.0.0.1:9")
    assert GitHubReader("octo_acme", "my.repo-1", None).slug == "octo_acme/my.repo-1"


def test_relative_host_colon_path_reads_the_local_repository_only_when_allowed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(tmp_path / "name:relative" / "path", {"skills/pdf/SKILL.md": skill("pdf")})
    monkeypatch.chdir(tmp_path)
    reader = GitReader("name:relative/path", None, tmp_path / "cache")
    assert reader.url == str(tmp_path / "name:relative" / "path")
    assert "skills/pdf/SKILL.md" in reader.read(reader.resolve(), ["skills/pdf/SKILL.md"])
    with pytest.raises(ReaderError, match="not allowed"):
        GitReader("name:relative/path", None, tmp_path / "cache", allow_local=False)


def test_git_itself_refuses_the_file_transport_for_remote_sources(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit(repo, {"README.md": "x"})
    for target in (str(repo), f"file://{repo}"):
        refused = run_git(["ls-remote", "--", target, "HEAD"], check=False,
                          protocols=REMOTE_PROTOCOLS)
        assert refused.returncode != 0
        assert b"transport 'file' not allowed" in refused.stderr
        allowed = run_git(["ls-remote", "--", target, "HEAD"], check=False,
                          protocols=LOCAL_PROTOCOLS)
        assert allowed.returncode == 0, allowed.stderr


def test_git_protocols_can_be_narrowed_but_never_widened(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLMEAT_GIT_PROTOCOLS", "ext:file:https")
    assert git_env(REMOTE_PROTOCOLS)["GIT_ALLOW_PROTOCOL"] == "https"
    assert git_env(LOCAL_PROTOCOLS)["GIT_ALLOW_PROTOCOL"] == "file"
    monkeypatch.setenv("SKILLMEAT_GIT_PROTOCOLS", "file")
    assert git_env(REMOTE_PROTOCOLS)["GIT_ALLOW_PROTOCOL"] == ""  # git then allows nothing


def test_git_children_inherit_no_secrets(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {"SKILLMEAT_API_TOKEN": "api-secret-1", "SKILLMEAT_GITHUB_TOKEN": "gh-secret-2",
               "AWS_SECRET_ACCESS_KEY": "aws-secret-3", "GIT_DIR": str(tmp_path / "elsewhere")}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    # A shell alias runs in the environment git itself was given.
    dump = run_git(["-c", "alias.dumpenv=!env", "dumpenv"])
    env = dict(line.split("=", 1) for line in dump.stdout.decode().splitlines() if "=" in line)
    for name, value in secrets.items():
        assert value not in dump.stdout.decode(), name
    assert env["GIT_ALLOW_PROTOCOL"] == "" or "file" not in env["GIT_ALLOW_PROTOCOL"]
    assert env["PATH"].endswith(os.environ["PATH"])  # git puts its exec-path first
