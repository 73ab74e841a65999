"""A fake GitHub REST API on loopback, serving real git object ids computed from fixture files.

Fixture format: {"owner/repo": {"refs": {"main": key}, "commits": {key: {path: content}}}}
where content is bytes, str or GitEntry, and key is either a 40-hex commit sha (used as is) or
a label (a real commit object is built for it). Optional per repo: "default_branch", "private".
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_AUTHOR = b"SkillMeat Fake <fake@example.invalid> 0 +0000"


@dataclass(frozen=True)
class GitEntry:
    """A file with an explicit mode: 100755, 120000 (data: link target), 160000 (data: sha)."""

    mode: str
    data: bytes | str


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class _Item:
    name: str
    mode: str  # as the API shows it: trees are "040000"
    type: str
    sha: str
    size: int | None


@dataclass
class _Repo:
    default_branch: str
    private: bool
    refs: dict[str, str] = field(default_factory=dict)
    commits: dict[str, str] = field(default_factory=dict)  # commit sha -> root tree sha
    trees: dict[str, list[_Item]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Fault:
    status: int | None  # None: only delay, then answer normally
    remaining: int | None  # None: forever
    match: str
    headers: dict[str, str]
    delay: float = 0.0
    message: str = ""
    body: bytes | None = None  # sent as is instead of {"message": ...}


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode() if isinstance(data, str) else data


def git_object_sha(kind: str, body: bytes) -> str:
    """The id git gives an object: sha1 of "<kind> <len>\\0" + body."""
    return hashlib.sha1(kind.encode() + b" %d\0" % len(body) + body).hexdigest()


def blob_sha(data: bytes | str) -> str:
    """The blob id `git hash-object` would print for this content."""
    return git_object_sha("blob", _as_bytes(data))


class FakeGitHub:
    """Serves /repos/{o}/{r}, commits/{ref}, git/trees/{sha} and git/blobs/{sha}."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repos: dict[str, _Repo] = {}
        self._faults: list[_Fault] = []
        self.requests: list[RecordedRequest] = []
        # Knobs: every recursive listing claims truncation / longer listings are cut.
        self.truncate_trees = False
        self.max_tree_entries: int | None = None
        self.require_token: str | None = None  # answer 401 unless "Bearer <this>" is sent
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- fixture data -----------------------------------------------------------------------

    def load(self, fixtures: Mapping[str, Mapping[str, Any]]) -> None:
        for name, spec in fixtures.items():
            self.add_repo(
                name,
                spec.get("refs", {}),
                spec.get("commits", {}),
                default_branch=spec.get("default_branch"),
                private=spec.get("private", False),
            )

    def add_repo(
        self,
        name: str,
        refs: Mapping[str, str],
        commits: Mapping[str, Mapping[str, bytes | str | GitEntry]],
        *,
        default_branch: str | None = None,
        private: bool = False,
    ) -> None:
        """Add (or replace) a repository; refs name commit keys."""
        branch = default_branch or ("main" if "main" in refs else next(iter(refs), "main"))
        repo = _Repo(default_branch=branch, private=private)
        keys: dict[str, str] = {}
        for key, files in commits.items():
            tree = _build_tree(repo, files)
            sha = key if _HEX40.match(key) else _commit_sha(tree, key)
            repo.commits[sha] = tree
            keys[key] = sha
        repo.refs = {ref: keys.get(key, key) for ref, key in refs.items()}
        with self._lock:
            self._repos[name.lower()] = repo

    def commit_sha(self, name: str, ref: str) -> str:
        """The commit a ref (or commit key) points at."""
        repo = self._repos[name.lower()]
        sha = _find_commit(repo, ref)
        assert sha, f"no commit {ref!r} in {name}"
        return sha

    def tree_sha(self, name: str, ref: str, path: str = "") -> str:
        """The tree id of a directory (root by default) at a ref."""
        repo = self._repos[name.lower()]
        sha = repo.commits[self.commit_sha(name, ref)]
        for part in filter(None, path.split("/")):
            sha = next(i.sha for i in repo.trees[sha] if i.name == part and i.type == "tree")
        return sha

    # -- fault injection --------------------------------------------------------------------

    def fail(
        self, status: int = 500, times: int | None = 1, match: str = "", message: str = "",
        body: bytes | None = None,
    ) -> None:
        """Answer `status` to the next `times` requests whose path contains `match`, with a
        JSON message or, given `body`, exactly those bytes (a hostile server's answer)."""
        self._add_fault(_Fault(status, times, match, {}, message=message or "Server Error",
                               body=body))

    def stall(self, seconds: float, times: int | None = 1, match: str = "") -> None:
        """Delay the next `times` matching requests, then answer normally."""
        self._add_fault(_Fault(None, times, match, {}, delay=seconds, message=""))

    def rate_limit(
        self,
        reset: int | None = None,
        *,
        retry_after: int | None = None,
        status: int = 403,
        times: int | None = None,
        match: str = "",
    ) -> None:
        """Refuse matching requests as GitHub does once the quota is spent."""
        headers = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"}
        if reset is not None:
            headers["X-RateLimit-Reset"] = str(reset)
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        self._add_fault(_Fault(status, times, match, headers, message="API rate limit exceeded"))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.match in path and (fault.remaining is None or fault.remaining > 0):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    # -- recorded traffic -------------------------------------------------------------------

    def paths(self, contains: str = "") -> list[str]:
        """Paths of recorded requests containing `contains`, in arrival order."""
        with self._lock:
            return [r.path for r in self.requests if contains in r.path]

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- request handling (server threads) --------------------------------------------------

    def _handle(self, method: str, raw_path: str, headers: dict[str, str]) -> _Answer:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query))
        with self._lock:
            self.requests.append(RecordedRequest(method, path, query, headers))
        fault = self._take_fault(path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.body is not None:
                return _Answer(fault.status or 200, fault.body, "application/json")
            if fault.status is not None:
                return _Answer.json(fault.status, {"message": fault.message}, fault.headers)
        authorized = "authorization" in headers
        if self.require_token is not None:
            if headers.get("authorization") != f"Bearer {self.require_token}":
                return _Answer.json(401, {"message": "Bad credentials"})
        if method != "GET":
            return _Answer.json(405, {"message": "Method Not Allowed"})
        return self._route(path, query, headers.get("accept", ""), authorized)

    def _route(self, path: str, query: dict[str, str], accept: str, authorized: bool) -> _Answer:
        match = re.match(r"^/repos/([^/]+)/([^/]+)(?:/(commits|git/trees|git/blobs)/(.+))?$", path)
        if not match:
            return _not_found()
        owner, name, kind, arg = match.groups()
        with self._lock:
            repo = self._repos.get(f"{owner}/{name}".lower())
        if repo is None or (repo.private and not authorized):
            return _not_found()
        if kind is None:
            body = {"full_name": f"{owner}/{name}", "default_branch": repo.default_branch,
                    "private": repo.private}
            return _Answer.json(200, body)
        if kind == "commits":
            return _commit(repo, arg, accept)
        if kind == "git/trees":
            return self._tree(repo, arg, query.get("recursive") not in (None, "", "0", "false"))
        return _blob(repo, arg, accept)

    def _tree(self, repo: _Repo, arg: str, recursive: bool) -> _Answer:
        sha = arg if arg in repo.trees else repo.commits.get(_find_commit(repo, arg) or "")
        if sha is None:
            return _not_found()
        items = list(_walk(repo, sha, "")) if recursive else [(i, i.name) for i in repo.trees[sha]]
        truncated = False
        if recursive:
            cap = self.max_tree_entries
            if cap is not None and len(items) > cap:
                items, truncated = items[:cap], True
            truncated = truncated or self.truncate_trees
        listing = []
        for item, item_path in items:
            entry: dict[str, Any] = {"path": item_path, "mode": item.mode, "type": item.type,
                                     "sha": item.sha}
            if item.size is not None:
                entry["size"] = item.size
            listing.append(entry)
        return _Answer.json(200, {"sha": sha, "tree": listing, "truncated": truncated})


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, headers: Mapping[str, str] | None = None) -> _Answer:
        body = json.dumps(data).encode()
        return cls(status, body, "application/json; charset=utf-8", dict(headers or {}))


def _not_found() -> _Answer:
    return _Answer.json(404, {"message": "Not Found"})


def _find_commit(repo: _Repo, ref: str) -> str | None:
    if ref == "HEAD":
        ref = repo.default_branch
    if ref in repo.refs:
        return repo.refs[ref]
    if ref in repo.commits:
        return ref
    if len(ref) >= 7 and re.fullmatch(r"[0-9a-f]+", ref):  # abbreviated sha, if unique
        found = [sha for sha in repo.commits if sha.startswith(ref)]
        if len(found) == 1:
            return found[0]
    return None


def _commit(repo: _Repo, ref: str, accept: str) -> _Answer:
    sha = _find_commit(repo, ref)
    if sha is None:
        return _Answer.json(422, {"message": f"No commit found for SHA: {ref}"})
    if "vnd.github.sha" in accept:
        return _Answer(200, sha.encode(), "application/vnd.github.sha; charset=utf-8")
    return _Answer.json(200, {"sha": sha, "commit": {"tree": {"sha": repo.commits[sha]}}})


def _blob(repo: _Repo, sha: str, accept: str) -> _Answer:
    data = repo.blobs.get(sha)
    if data is None:
        return _not_found()
    if "vnd.github.raw" in accept:
        return _Answer(200, data, "application/vnd.github.raw")
    encoded = base64.encodebytes(data).decode()  # GitHub also wraps base64 lines
    body = {"sha": sha, "size": len(data), "content": encoded, "encoding": "base64"}
    return _Answer.json(200, body)


def _walk(repo: _Repo, tree: str, prefix: str) -> Iterator[tuple[_Item, str]]:
    """Recursive listing in the order GitHub gives it: each tree before its contents."""
    for item in repo.trees[tree]:
        path = f"{prefix}{item.name}"
        yield item, path
        if item.type == "tree":
            yield from _walk(repo, item.sha, f"{path}/")


def _build_tree(repo: _Repo, files: Mapping[str, bytes | str | GitEntry]) -> str:
    """Store blobs and trees for a file set the way git would; returns the root tree sha."""
    root: dict[str, Any] = {}
    for path, content in files.items():
        *dirs, leaf = path.strip("/").split("/")
        node = root
        for part in dirs:
            node = node.setdefault(part, {})
            assert isinstance(node, dict), f"{path}: a file is in the way"
        assert leaf not in node, f"{path}: listed twice"
        node[leaf] = content
    return _store_tree(repo, root)


def _store_tree(repo: _Repo, node: Mapping[str, Any]) -> str:
    items: list[_Item] = []
    for name, value in node.items():
        if isinstance(value, dict):
            items.append(_Item(name, "040000", "tree", _store_tree(repo, value), None))
            continue
        entry = value if isinstance(value, GitEntry) else GitEntry("100644", value)
        data = _as_bytes(entry.data)
        if entry.mode == "160000":
            items.append(_Item(name, entry.mode, "commit", data.decode(), None))
            continue
        sha = blob_sha(data)
        repo.blobs[sha] = data
        items.append(_Item(name, entry.mode, "blob", sha, len(data)))
    # git sorts entries by name, comparing a directory as if its name ended in "/".
    items.sort(key=lambda i: i.name.encode() + (b"/" if i.type == "tree" else b""))
    body = b"".join(
        f"{i.mode.lstrip('0')} {i.name}".encode() + b"\0" + bytes.fromhex(i.sha) for i in items
    )
    sha = git_object_sha("tree", body)
    repo.trees[sha] = items
    return sha


def _commit_sha(tree: str, message: str) -> str:
    body = b"tree %s\nauthor %s\ncommitter %s\n\n%s\n" % (
        tree.encode(), _AUTHOR, _AUTHOR, message.encode()
    )
    return git_object_sha("commit", body)


def _handler_for(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out separately; don't wait on ACKs

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
            self._answer("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._answer("POST")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake._handle(method, self.path, headers)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a stalled request that timed out)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


@contextmanager
def run_fake_github(
    fixtures: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[FakeGitHub]:
    """Start a fake GitHub on 127.0.0.1 (ephemeral port) for the duration of the block."""
    fake = FakeGitHub()
    fake.load(fixtures or {})
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """A running fake GitHub with no repositories; add them with `load` or `add_repo`."""
    with run_fake_github() as fake:
        yield fake
