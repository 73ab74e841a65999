"""Marketplace sources: create, read, change, delete."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skillmeat.cache import repositories as repo
from skillmeat.cache.models import MarketplaceSource
from skillmeat.core.cursor import CursorCodec, query_scope
from skillmeat.core.errors import Conflict, InvalidInput, NotFound, about
from skillmeat.core.marketplace.urls import RepoLocation, clean_subpath, parse_repo_url
from skillmeat.core.marketplace.vocabulary import ScanStatus
from skillmeat.core.pagination import Page, keyset_page

UNSET: Any = object()
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def get_source(session: Session, source_id: str, *, lock: bool = False) -> MarketplaceSource:
    # Ids we never issue are not looked up (and odd bytes never reach the database).
    source = repo.get_source(session, source_id, lock=lock) if ID_PATTERN.match(source_id) \
        else None
    if source is None:
        raise NotFound(f"source {source_id!r} not found")
    return source


def _clean_ref(ref: str) -> str:
    ref = ref.strip()
    if not ref or len(ref) > 255 or any(c in ref for c in " ~^:?*[\\") or ".." in ref \
            or ref.startswith("-") or any(ord(c) < 32 for c in ref):
        raise InvalidInput(f"ref {ref!r} is not a valid branch, tag or commit", field="ref")
    return ref


def _clean_root(root_hint: str | None) -> str | None:
    with about("root_hint"):
        return clean_subpath(root_hint)


def locate(repo_url: str, *, allow_local: bool) -> RepoLocation:
    """Where a repository URL points, and the ref and folder it names (as a source takes it)."""
    with about("repo_url"):
        return parse_repo_url(repo_url, allow_local=allow_local)


def create_source(session: Session, repo_url: str, *, ref: str | None = None,
                  root_hint: str | None = None, description: str | None = None,
                  allow_local: bool = True) -> MarketplaceSource:
    location = locate(repo_url, allow_local=allow_local)
    _check_description(description)
    exists = Conflict(f"a source for {location.repo_url} already exists", field="repo_url")
    if repo.source_id_by_url(session, location.repo_url):
        raise exists
    source = MarketplaceSource(
        repo_url=location.repo_url,
        owner=location.owner,
        repo_name=location.repo_name,
        ref=_clean_ref(ref or location.ref or "main"),
        root_hint=_clean_root(root_hint) if root_hint is not None else location.root_hint,
        description=description,
        scan_status=ScanStatus.PENDING,
        artifact_count=0,
        counts_by_type={},
        catalog_counts={},
    )
    session.add(source)
    try:
        session.flush()
    except IntegrityError:
        raise exists from None  # lost a race with another request adding the same repository
    return source


def update_source(session: Session, source_id: str, *, ref: str | None = UNSET,
                  root_hint: str | None = UNSET,
                  description: str | None = UNSET) -> MarketplaceSource:
    source = get_source(session, source_id, lock=True)
    if ref is not UNSET:
        if ref is None:
            raise InvalidInput("ref cannot be null", field="ref")
        source.ref = _clean_ref(ref)
        source.detector_version = None  # the next scan must not be skipped as unchanged
    if root_hint is not UNSET:
        source.root_hint = _clean_root(root_hint)
        source.detector_version = None
    if description is not UNSET:
        _check_description(description)
        source.description = description
    session.flush()
    return source


def _check_description(description: str | None) -> None:
    if description and "\x00" in description:
        raise InvalidInput("description must not contain NUL characters", field="description")


def delete_source(session: Session, source_id: str) -> None:
    get_source(session, source_id)
    repo.delete_source(session, source_id)


def list_sources(session: Session, codec: CursorCodec, *, limit: int = 50,
                 cursor: str | None = None) -> Page[MarketplaceSource]:
    """Sources, newest first."""
    return keyset_page(
        codec, query_scope(kind="sources"), cursor, limit, key_types=(datetime, str),
        fetch=lambda after, n: repo.source_page(session, after, n),
        key=lambda source: (source.created_at, source.id),
    )
