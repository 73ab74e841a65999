"""Parse and validate repository URLs given for marketplace sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from skillmeat.core.errors import InvalidInput

_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_SCP = re.compile(r"^(?P<user>[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
GITHUB_HOSTS = ("github.com", "www.github.com")


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


def _github(url: str, parts: list[str]) -> RepoLocation:
    if len(parts) < 2 or not all(_NAME.match(p) for p in parts[:2]):
        raise InvalidInput(
            f"not a GitHub repository URL: {url!r}; expected https://github.com/OWNER/REPO"
        )
    owner, repo = parts[0], _strip_git(parts[1])
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
    return RepoLocation(url.rstrip("/"), "git", owner, name)


def parse_repo_url(raw: str, *, allow_local: bool) -> RepoLocation:
    url = raw.strip()
    if not url:
        raise InvalidInput("repo_url must not be empty")
    if _CONTROL.search(url) or " " in url:
        raise InvalidInput("repo_url must not contain spaces or control characters")
    if len(url) > 1000:
        raise InvalidInput("repo_url is longer than 1000 characters")
    split = urlsplit(url)
    scheme = split.scheme.lower()
    if scheme in ("https", "ssh", "git"):
        if not split.hostname:
            raise InvalidInput(f"repository URL has no host: {url!r}")
        if split.password or (scheme == "https" and split.username):
            raise InvalidInput("do not put credentials in repo_url; set SKILLMEAT_GITHUB_TOKEN")
        if scheme == "https" and split.hostname.lower() in GITHUB_HOSTS:
            return _github(url, [p for p in split.path.split("/") if p])
        return _generic(url, split.path)
    if scheme == "http":
        raise InvalidInput("plain http:// repository URLs are not allowed; use https://")
    if scheme == "file" or (not scheme and url.startswith(("/", "~", "."))):
        if not allow_local:
            raise InvalidInput("local repositories are not allowed on this server")
        path = Path(split.path if scheme == "file" else url).expanduser().resolve()
        return RepoLocation(str(path), "local", None, _strip_git(path.name) or "repo")
    match = _SCP.match(url) if not scheme or len(scheme) > 1 else None
    if match and "://" not in url:
        return _generic(url, match["path"])
    raise InvalidInput(
        f"unsupported repository URL {url!r}: use https://, ssh://, git:// or user@host:path"
    )
