"""Read a repository through the GitHub REST API (no clone): refs, trees and blobs."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from skillmeat.config import Settings
from skillmeat.core.marketplace.readers.base import ListingReader
from skillmeat.core.marketplace.readers.deadline import NO_DEADLINE, Deadline
from skillmeat.core.marketplace.readers.errors import (
    RateLimited,
    ReaderError,
    ReaderUnavailable,
    RefNotFound,
    RepositoryNotFound,
)
from skillmeat.core.marketplace.readers.github_trees import add_items, walk_tree
from skillmeat.core.marketplace.tree import OBJECT_ID, RepoTree, TreeBuilder
from skillmeat.core.marketplace.urls import check_github_name

log = logging.getLogger(__name__)

_JSON = "application/vnd.github+json"
_SHA = "application/vnd.github.sha"
_RAW = "application/vnd.github.raw+json"
_TOKEN_HINT = "set SKILLMEAT_GITHUB_TOKEN"
BLOB_CACHE_BYTES = 64 << 20
KEPT_BLOB_BYTES = 1 << 20  # manifests and the start of markdown: what a scan may read again


class GitHubReader(ListingReader):
    """RepoReader over the GitHub REST API; blobs are cached by sha for the reader's life."""

    def __init__(
        self,
        owner: str,
        repo: str,
        ref: str | None,
        *,
        api_url: str = "https://api.github.com",
        token: str | None = None,
        timeout: float = 20.0,
        retries: int = 3,
        client: httpx.Client | None = None,
        backoff: float = 0.2,
        max_tree_requests: int = 500,
        workers: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        deadline: Deadline = NO_DEADLINE,
    ) -> None:
        check_github_name(owner, repo)  # "." or ".." would address other API paths
        super().__init__()
        self.owner = owner
        self.repo = repo
        self.ref = ref  # None: the repository's default branch
        self.api_url = api_url.rstrip("/")
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_tree_requests = max_tree_requests
        self.workers = max(1, workers)
        self._sleep = sleep
        self._timeout = timeout
        self._deadline = deadline  # every request, retries included, ends by it
        self._authenticated = bool(token)
        # The token lives only inside this header dict: nothing formats it into text.
        self._headers = {"X-GitHub-Api-Version": "2022-11-28", "User-Agent": "skillmeat"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self._own_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)
        self._lock = threading.Lock()
        # Whole blobs by sha, oldest dropped first past a budget: a big scan reads many.
        self._cache: dict[str, bytes] = {}
        self._cache_bytes = 0

    @classmethod
    def from_settings(
        cls, owner: str, repo: str, ref: str | None, settings: Settings, **kwargs: Any
    ) -> GitHubReader:
        """Build a reader from the application settings."""
        token = settings.github_token.get_secret_value() if settings.github_token else None
        return cls(
            owner,
            repo,
            ref,
            api_url=settings.github_api_url,
            token=token,
            timeout=settings.github_timeout,
            retries=settings.github_retries,
            deadline=Deadline(settings.scan_deadline_seconds),
            **kwargs,
        )

    def __repr__(self) -> str:
        token = "***" if self._authenticated else None
        return (
            f"GitHubReader({self.slug!r}, ref={self.ref!r}, api_url={self.api_url!r}, "
            f"token={token!r})"
        )

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.repo}"

    # -- RepoReader -------------------------------------------------------------------------

    def resolve(self) -> str:
        """Resolve the configured ref (branch, tag or sha; None: default branch) to a commit."""
        ref = self.ref or self._default_branch()
        response = self._get(f"commits/{quote(ref, safe='/')}", accept=_SHA)
        if response.status_code in (404, 422):
            self._raise_missing(response, f"ref {ref!r} not found in {self.slug}")
        self._check(response, f"resolve ref {ref!r}")
        text = response.text.strip()
        if not OBJECT_ID.match(text):  # a server that ignored the sha media type answers JSON
            text = str(self._json(response).get("sha", ""))
        if not OBJECT_ID.match(text):
            raise ReaderError(f"GitHub returned no commit sha for {self.slug}@{ref}")
        return text

    def _list(self, commit: str) -> RepoTree:
        """List every path at `commit`, walking subtrees when GitHub truncates the listing."""
        response = self._get(f"git/trees/{commit}", params={"recursive": "1"})
        if response.status_code in (404, 422):
            self._raise_missing(response, f"commit {commit} not found in {self.slug}")
        self._check(response, f"list tree {commit}")
        data = self._json(response)
        if data.get("truncated"):
            log.info("tree of %s@%s truncated by GitHub; walking subtrees", self.slug, commit)
            return walk_tree(commit, self._tree_data, self.max_tree_requests)
        builder, problems = TreeBuilder(), list[str]()
        add_items(builder, data, "", problems)
        return builder.build(commit, complete=not problems, problems=problems)

    def _blobs(self, commit: str, wanted: Mapping[str, list[str]],
               limit: int | None) -> Iterator[tuple[str, bytes]]:
        missing = []
        for sha in wanted:
            with self._lock:
                data = self._cache.get(sha)
            if data is None:
                missing.append(sha)
            else:
                yield sha, data if limit is None else data[:limit]
        for sha, data in self._fetch_all(sorted(missing), limit):
            if data is not None:
                yield sha, data

    def _fetch_all(self, shas: list[str],
                   limit: int | None) -> Iterator[tuple[str, bytes | None]]:
        """Blobs in order as they arrive, `workers` requests at a time: a caller that writes
        each away holds a few blobs, never the whole batch."""
        if len(shas) < 2 or self.workers < 2:
            for sha in shas:
                yield sha, self._fetch_blob(sha, limit)
            return
        with ThreadPoolExecutor(self.workers) as pool:
            pending: deque[tuple[str, Future[bytes | None]]] = deque()
            for sha in shas:
                pending.append((sha, pool.submit(self._fetch_blob, sha, limit)))
                if len(pending) >= self.workers:
                    done, future = pending.popleft()
                    yield done, future.result()  # re-raises the request's error
            while pending:
                done, future = pending.popleft()
                yield done, future.result()

    def close(self) -> None:
        super().close()
        if self._own_client:
            self._client.close()

    # -- trees ------------------------------------------------------------------------------

    def _tree_data(self, sha: str, *, recursive: bool) -> dict[str, Any]:
        params = {"recursive": "1"} if recursive else None
        response = self._get(f"git/trees/{sha}", params=params)
        self._check(response, f"list tree {sha}")
        return self._json(response)

    # -- blobs ------------------------------------------------------------------------------

    def _fetch_blob(self, sha: str, limit: int | None) -> bytes | None:
        """A blob's first `limit` bytes, read as a stream: the raw media type gives the bytes
        themselves (not base64 in JSON, four thirds their size), and reading stops at the cap.

        A small blob is read whole whatever the limit, and kept: a scan reads it again."""
        cap = None if limit is None else max(limit, KEPT_BLOB_BYTES)
        response = self._get(f"git/blobs/{sha}", accept=_RAW, stream=True)
        try:
            if response.status_code in (404, 422):
                log.warning("blob %s missing from %s", sha, self.slug)
                return None
            self._check(response, f"read blob {sha}")
            if "json" in response.headers.get("content-type", ""):  # a server without raw
                # base64 in JSON is four thirds the bytes; the cap still holds.
                raw = self._read_at_most(response, None if cap is None else cap * 4 // 3 + 4096)
                data = self._json(httpx.Response(200, content=raw))
                if data.get("encoding") != "base64":
                    raise ReaderError(f"unexpected blob encoding from GitHub for {self.slug}: "
                                      f"{sha}")
                content = base64.b64decode(data.get("content") or "")
            else:
                content = self._read_at_most(response, cap)
        finally:
            response.close()
        if cap is None or len(content) < cap:  # whole: worth keeping
            with self._lock:
                self._remember(sha, content)
        return content if limit is None else content[:limit]

    def _read_at_most(self, response: httpx.Response, limit: int | None) -> bytes:
        """A streamed body, up to `limit` bytes (one chunk more at most is read off the wire),
        by the deadline."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            self._deadline.check()
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size >= limit:
                break
        return b"".join(chunks)

    def _remember(self, sha: str, content: bytes) -> None:
        """Cache a blob (call with the lock held), dropping the oldest past the budget."""
        if sha in self._cache or len(content) > KEPT_BLOB_BYTES:
            return  # big blobs are handed on, not kept: scans read small files twice, not these
        self._cache[sha] = content
        self._cache_bytes += len(content)
        while self._cache_bytes > BLOB_CACHE_BYTES and len(self._cache) > 1:
            oldest = next(iter(self._cache))
            self._cache_bytes -= len(self._cache.pop(oldest))

    # -- HTTP -------------------------------------------------------------------------------

    def _default_branch(self) -> str:
        response = self._get("", repo_root=True)
        if response.status_code == 404:
            raise self._not_found()
        self._check(response, "read repository")
        branch = self._json(response).get("default_branch")
        if not isinstance(branch, str) or not branch:
            raise ReaderError(f"GitHub reported no default branch for {self.slug}")
        return branch

    def _get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: str = _JSON,
        repo_root: bool = False,
        stream: bool = False,
    ) -> httpx.Response:
        """GET with bounded retries; rate limits and auth failures raise at once.

        With `stream`, a successful response's body is left unread for the caller, who
        closes it; a body read whole stays referenced until the garbage collector runs
        (httpx keeps a response and its stream in a cycle), so big ones are streamed.
        """
        base = f"{self.api_url}/repos/{quote(self.owner)}/{quote(self.repo)}"
        url = base if repo_root else f"{base}/{path}"
        headers = {**self._headers, "Accept": accept}
        attempts = self.retries + 1
        failure = ""
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self._send(url, params, headers, stream)
            except httpx.TimeoutException:
                if self._deadline.passed:
                    raise self._deadline.exceeded() from None
                failure = "timed out"
            except httpx.TransportError as exc:
                failure = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code < 500:
                    try:
                        self._raise_refused(response)
                    except ReaderError:
                        response.close()
                        raise
                    return response
                response.close()
                failure = f"HTTP {response.status_code}"
            log.debug("GitHub GET %s: %s (attempt %d/%d)", url, failure, attempt + 1, attempts)
        raise ReaderUnavailable(
            f"GitHub API unavailable for {self.slug}: {failure} after {attempts} attempt(s)"
        )

    def _send(self, url: str, params: Mapping[str, str] | None, headers: Mapping[str, str],
              stream: bool = False) -> httpx.Response:
        """One GET that ends by the deadline: httpx's timeouts bound each read, not the
        body, so a host sending a byte now and then is cut off here between reads.

        With `stream`, a successful answer is handed over unread (the caller reads it through
        `_read_at_most`, which checks the deadline too, and closes it)."""
        timeout = httpx.Timeout(self._deadline.bound(self._timeout))
        request = self._client.build_request("GET", url, params=params, headers=headers,
                                             timeout=timeout)
        response = self._client.send(request, stream=True, follow_redirects=True)
        if stream and response.is_success:
            return response
        try:
            body = bytearray()
            for chunk in response.iter_raw():
                self._deadline.check()
                body += chunk
        finally:
            response.close()
        # Raw bytes and the original headers: the copy decodes them as the original would.
        return httpx.Response(response.status_code, headers=response.headers,
                              content=bytes(body), request=response.request)

    def _raise_refused(self, response: httpx.Response) -> None:
        """Turn rate limiting and authentication failures into reader errors."""
        status = response.status_code
        if status == 401:
            if self._authenticated:
                raise ReaderError(f"GitHub token rejected (401) while reading {self.slug}")
            raise ReaderError(f"GitHub requires authentication for {self.slug}: {_TOKEN_HINT}")
        if status not in (403, 429):
            return
        headers = response.headers
        exhausted = headers.get("x-ratelimit-remaining") == "0"
        # Secondary limits may come as a bare 403 that only says so in its message.
        secondary = "rate limit" in response.text.lower()
        if status == 429 or exhausted or secondary or "retry-after" in headers:
            reset_at = _reset_time(headers)
            when = f"resets at {reset_at:%H:%M} UTC" if reset_at else "try again later"
            hint = "" if self._authenticated else f" ({_TOKEN_HINT} for a higher limit)"
            raise RateLimited(f"GitHub rate limit exceeded; {when}{hint}", reset_at=reset_at)

    def _check(self, response: httpx.Response, action: str) -> None:
        if response.status_code == 404:
            raise self._not_found()
        if response.is_success:
            return
        if response.status_code == 403:
            raise ReaderError(f"GitHub refused access to {self.slug} (403) on {action}")
        status = response.status_code
        raise ReaderError(f"GitHub could not {action} in {self.slug} (HTTP {status})")

    def _raise_missing(self, response: httpx.Response, message: str) -> None:
        """A 404/422 on a ref or commit: tell a missing repository from a missing ref."""
        if response.status_code == 404:
            probe = self._get("", repo_root=True)
            if probe.status_code == 404:
                raise self._not_found()
        raise RefNotFound(message)

    def _not_found(self) -> RepositoryNotFound:
        hint = "" if self._authenticated else f": {_TOKEN_HINT}"
        return RepositoryNotFound(f"repository {self.slug} not found or private{hint}")

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except (ValueError, RecursionError) as exc:  # a hostile server nests brackets too
            raise ReaderError(f"GitHub sent an unreadable answer for {self.slug}") from exc
        if not isinstance(data, dict):
            raise ReaderError(f"GitHub sent an unexpected answer for {self.slug}")
        return data


def _reset_time(headers: httpx.Headers) -> datetime | None:
    """When the limit lifts: X-RateLimit-Reset (epoch) or Retry-After (seconds)."""
    reset = headers.get("x-ratelimit-reset")
    if reset and reset.strip().isdigit():
        return datetime.fromtimestamp(int(reset), tz=UTC)
    retry_after = headers.get("retry-after")
    if retry_after and retry_after.strip().isdigit():
        return datetime.now(UTC) + timedelta(seconds=int(retry_after))
    return None
