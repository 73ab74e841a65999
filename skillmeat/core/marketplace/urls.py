"""Parse and validate repository URLs given for marketplace sources.

`classify_git_url` is the one place that decides whether a repository address is local or
remote; the URL parser and the git reader both ask it, so what one refuses the other refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from skillmeat.core.errors import InvalidInput

# GitHub's own rules: account names are letters, digits and inner hyphens (managed-user
# accounts add "_shortcode"), at most 39 long; repository names are letters, digits, ".", "_"
# and "-", at most 100 long, and never "." or "..".
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,37}[A-Za-z0-9])?$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")  # what git calls a URL
_HELPER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.-]*::")  # "<transport>::<address>"
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$")
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_SCP = re.compile(r"^(?P<user>[A-Za-z0-9_][A-Za-z0-9._-]*)@(?P<host>\[[^\]/]+\]|[^/:]+):"
                  r"(?P<path>.*)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
GITHUB_HOSTS = ("github.com", "www.github.com")
REMOTE_SCHEMES = ("https", "ssh", "git")
REMOTE_PROTOCOLS = "git:https:ssh"  # what git may use for a remote address: never file or ext
LOCAL_PROTOCOLS = "file"  # and for a local one, nothing but the file transport
LOCAL_REFUSED = "local repositories are not allowed on this server"


@dataclass(frozen=True)
class GitAddress:
    url: str  # exactly what git is given: a normalized URL, or an absolute path when local
    local: bool
    scheme: str  # "https" | "ssh" | "git" | "file"

    @property
    def protocols(self) -> str:
        """The transports git may use for this address (GIT_ALLOW_PROTOCOL)."""
        return LOCAL_PROTOCOLS if self.local else REMOTE_PROTOCOLS


@dataclass(frozen=True)
class RepoLocation:
    repo_url: str  # normalized; unique per source
    kind: str  # "github" | "git" | "local"
    owner: str | None
    repo_name: str
    ref: str | None = None  # from a /tree/<ref>/... URL
    root_hint: str | None = None


def _strip_git(name: str) -> str:
    return name[:-4] if name.endswith(".git") else name


def clean_subpath(path: str | None) -> str | None:
    """A repository-relative folder: no '..', no leading slash; None for the root."""
    if path is None:
        return None
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or _CONTROL.search(path):
        raise InvalidInput(f"root_hint must be a folder inside the repository, got {path!r}")
    return "/".join(parts) or None


def check_github_name(owner: str, repo: str) -> None:
    """Refuse names GitHub would never give out: they would address other API paths."""
    if not _GITHUB_OWNER.match(owner) or not _GITHUB_REPO.match(repo) or repo in (".", ".."):
        raise InvalidInput(
            f"not a GitHub repository name: {owner!r}/{repo!r}; owners are letters, digits "
            "and hyphens, repositories letters, digits, '.', '_' and '-'"
        )


def classify_git_url(raw: str) -> GitAddress:
    """Decide, the way git will read it, whether `raw` is a remote URL or a local path.

    Remote: https://, ssh:// and git:// URLs, and scp-style `user@host:path`. A `host:path`
    without a user is what git reads as ssh, but it is also a valid relative path: it counts
    as local, and a local address is handed to git as an absolute path so git reads it the
    same way. Everything else without a scheme is a local path too.
    """
    url = raw.strip()
    if not url:
        raise InvalidInput("repo_url must not be empty")
    if _CONTROL.search(url):
        raise InvalidInput("repo_url must not contain control characters")
    if url.startswith("-"):
        raise InvalidInput(f"not a repository URL or path: {url!r}")
    scheme_match, scp = _SCHEME.match(url), _SCP.match(url)
    if " " in url and (scp or scheme_match and scheme_match[1].lower() != "file"):
        raise InvalidInput("a repository URL must not contain spaces")  # a path may
    if scheme_match:
        return _scheme_url(url, scheme_match[1].lower())
    if _HELPER.match(url):
        raise InvalidInput(f"unsupported repository URL {url!r}: remote helpers are not allowed")
    if scp:
        if not _HOST.match(scp["host"]) or not scp["path"].strip("/"):
            raise InvalidInput(f"not a valid user@host:path repository URL: {url!r}")
        return GitAddress(url.rstrip("/"), False, "ssh")
    try:
        return GitAddress(str(Path(url).expanduser().resolve()), True, "file")
    except RuntimeError:  # "~name" of a user this machine does not have
        raise InvalidInput(f"not a repository URL or path: {url!r}") from None


def _scheme_url(url: str, scheme: str) -> GitAddress:
    split = urlsplit(url)
    if scheme == "file":
        if split.netloc not in ("", "localhost"):
            raise InvalidInput(f"file:// URLs must name a local path: {url!r}")
        return GitAddress(str(Path(split.path or "/").resolve()), True, "file")
    if scheme == "http":
        raise InvalidInput("plain http:// repository URLs are not allowed; use https://")
    if scheme not in REMOTE_SCHEMES:
        raise InvalidInput(
            f"unsupported repository URL {url!r}: use https://, ssh://, git:// or user@host:path"
        )
    try:
        split.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise InvalidInput(f"repository URL has an invalid port: {url!r}") from None
    if not _HOST.match(_host_of(split.netloc)):
        raise InvalidInput(f"repository URL has no valid host: {url!r}")
    if split.password or (scheme == "https" and split.username):
        raise InvalidInput("do not put credentials in repo_url; set SKILLMEAT_GITHUB_TOKEN")
    if split.username is not None and not _USER.match(split.username):
        raise InvalidInput(f"not a valid user name in repository URL: {url!r}")
    return GitAddress(url.rstrip("/"), False, scheme)


def _host_of(netloc: str) -> str:
    """The host of "user@host:port" or "[v6]:port", as written."""
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        return hostport[: hostport.find("]") + 1]
    return hostport.split(":", 1)[0]


def _github(url: str, parts: list[str]) -> RepoLocation:
    if len(parts) < 2:
        raise InvalidInput(
            f"not a GitHub repository URL: {url!r}; expected https://github.com/OWNER/REPO"
        )
    owner, repo = parts[0], _strip_git(parts[1])
    check_github_name(owner, repo)
    ref = root = None
    rest = parts[2:]
    if rest:
        if rest[0] not in ("tree", "blob") or len(rest) < 2:
            raise InvalidInput(
                f"unsupported GitHub URL {url!r}: use https://github.com/OWNER/REPO or "
                "https://github.com/OWNER/REPO/tree/REF/PATH"
            )
        ref, root = rest[1], clean_subpath("/".join(rest[2:]))
    return RepoLocation(f"https://github.com/{owner}/{repo}", "github", owner, repo, ref, root)


def _generic(url: str, path: str) -> RepoLocation:
    segments = [s for s in path.split("/") if s]
    if not segments:
        raise InvalidInput(f"repository URL has no repository path: {url!r}")
    name = _strip_git(segments[-1]) or segments[-1]
    owner = segments[-2] if len(segments) > 1 else None
    return RepoLocation(url, "git", owner, name)


def parse_repo_url(raw: str, *, allow_local: bool) -> RepoLocation:
    if len(raw.strip()) > 1000:
        raise InvalidInput("repo_url is longer than 1000 characters")
    address = classify_git_url(raw)
    if address.local:
        if not allow_local:
            raise InvalidInput(f"{LOCAL_REFUSED}: {raw.strip()!r} is a local path; a remote "
                               "repository is https://, ssh://, git:// or user@host:path")
        path = Path(address.url)
        return RepoLocation(address.url, "local", None, _strip_git(path.name) or "repo")
    if address.scheme == "ssh" and "://" not in address.url:
        return _generic(address.url, address.url.split(":", 1)[1])
    split = urlsplit(address.url)
    if address.scheme == "https" and (split.hostname or "").lower() in GITHUB_HOSTS:
        return _github(address.url, [p for p in split.path.split("/") if p])
    return _generic(address.url, split.path)
