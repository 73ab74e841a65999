"""ORM models: marketplace sources, their catalog entries, scan history, web log-ins."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back timezone-aware datetimes (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class MarketplaceSource(Base):
    __tablename__ = "marketplace_sources"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("src"))
    repo_url: Mapped[str] = mapped_column(String(1000), unique=True)
    owner: Mapped[str | None] = mapped_column(String(200))
    repo_name: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(255), default="main")
    root_hint: Mapped[str | None] = mapped_column(String(1000))
    description: Mapped[str | None] = mapped_column(String(500))
    scan_status: Mapped[str] = mapped_column(String(20), default="pending")
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_scanned_sha: Mapped[str | None] = mapped_column(String(64))
    artifact_count: Mapped[int] = mapped_column(Integer, default=0)
    counts_by_type: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # "type:status:band" -> n, band 1 = at or above the listing threshold. Kept in step with
    # every write so a listing never has to count 100,000 rows to show its tabs.
    catalog_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    detector_version: Mapped[str | None] = mapped_column(String(20))
    scan_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scan_lease_owner: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    entries: Mapped[list[MarketplaceCatalogEntry]] = relationship(
        back_populates="source", lazy="raise", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<MarketplaceSource {self.id} {self.repo_url} ref={self.ref}>"


class MarketplaceCatalogEntry(Base):
    __tablename__ = "marketplace_catalog_entries"
    __table_args__ = (
        UniqueConstraint("source_id", "artifact_type", "path", name="uq_catalog_source_type_path"),
        # One index per list ordering, each ending in id for the cursor's tie-break.
        Index("ix_catalog_source_confidence", "source_id", "confidence_score", "id"),
        Index("ix_catalog_source_type_confidence", "source_id", "artifact_type",
              "confidence_score", "id"),
        Index("ix_catalog_source_status_confidence", "source_id", "status",
              "confidence_score", "id"),
        Index("ix_catalog_source_name", "source_id", "name", "id"),
        Index("ix_catalog_source_detected", "source_id", "detected_at", "id"),
        # Copies of one artifact across sources: same content hash.
        Index("ix_catalog_detected_sha", "detected_sha", "id"),
        # Partial: an entry no rule excluded (nearly all) costs this index nothing.
        Index("ix_catalog_excluded_by_rule", "excluded_by_rule",
              postgresql_where=text("excluded_by_rule IS NOT NULL"),
              sqlite_where=text("excluded_by_rule IS NOT NULL")),
        # A plugin's members, in confidence order (the plugin detail and the cascade).
        Index("ix_catalog_source_plugin", "source_id", "plugin_id", "confidence_score", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("cat"))
    source_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("marketplace_sources.id", ondelete="CASCADE")
    )
    artifact_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    # True once a person renamed the entry: scans then leave its name alone.
    renamed: Mapped[bool] = mapped_column(Boolean, default=False)
    path: Mapped[str] = mapped_column(String(1000))
    upstream_url: Mapped[str | None] = mapped_column(String(2000))
    detected_sha: Mapped[str | None] = mapped_column(String(64))
    detected_version: Mapped[str | None] = mapped_column(String(100))
    confidence_score: Mapped[int] = mapped_column(Integer, default=0)
    score_breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="new")
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    import_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    import_id: Mapped[str | None] = mapped_column(String(64))
    imported_sha: Mapped[str | None] = mapped_column(String(64))
    # No index of its own: listings find exclusions by status (revision 0007 dropped it, one
    # index fewer to write per row of a bulk exclusion).
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    excluded_reason: Mapped[str | None] = mapped_column(String(500))
    # The rule whose match excluded the entry (None: excluded by hand, or not excluded).
    # Deleting a rule clears it in code first, the SET NULL the database is not asked to do.
    excluded_by_rule: Mapped[str | None] = mapped_column(
        String(40),
        ForeignKey("marketplace_exclusion_rules.id", name="fk_catalog_excluded_by_rule"))
    # Set when a person restored a rule-excluded entry: no rule excludes it again.
    rule_exception: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    title: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    # Frontmatter tags and keywords, as words for search (cache/search_index.py indexes them).
    keywords: Mapped[str | None] = mapped_column(Text)
    # What the artifact can run, computed at scan time: one line for cards, the structure
    # (deferred: listings never load it) for the entry's detail.
    risk_summary: Mapped[str | None] = mapped_column(String(300))
    risk: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    # The plugin entry this artifact is a member of (kept in step by every merge), and its name.
    plugin_id: Mapped[str | None] = mapped_column(String(40))
    plugin_name: Mapped[str | None] = mapped_column(String(255))
    # Plugins only: member_counts, remote, root, author, homepage, repository, license, ref, sha.
    plugin_meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    source: Mapped[MarketplaceSource] = relationship(back_populates="entries", lazy="raise")

    def __repr__(self) -> str:
        excluded = "excluded" if self.excluded_at is not None else "not excluded"
        return (
            f"<MarketplaceCatalogEntry {self.id} {self.artifact_type}:{self.path} "
            f"status={self.status} {excluded}>"
        )


class ExclusionRule(Base):
    """A gitignore-style pattern whose matching entries of a source are "not an artifact"."""

    __tablename__ = "marketplace_exclusion_rules"
    __table_args__ = (Index("ix_exclusion_rules_source_created", "source_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("rul"))
    source_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("marketplace_sources.id", ondelete="CASCADE")
    )
    pattern: Mapped[str] = mapped_column(String(1000))
    artifact_type: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(10), default="user")  # user or repo
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExclusionEvent(Base):
    """One change to an exclusion: who, when, what, to which entry or rule, and why."""

    __tablename__ = "marketplace_exclusion_events"
    __table_args__ = (
        Index("ix_exclusion_events_source", "source_id", "id"),
        Index("ix_exclusion_events_entry", "entry_id", "id"),
    )

    # Autoincrement: written set-based (INSERT ... SELECT) in the order of the changes.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("marketplace_sources.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    entry_id: Mapped[str | None] = mapped_column(String(40))
    rule_id: Mapped[str | None] = mapped_column(String(40))
    pattern: Mapped[str | None] = mapped_column(String(1000))
    reason: Mapped[str | None] = mapped_column(String(500))


class MarketplaceScan(Base):
    """One scan attempt of a source: when, which commit, what changed, how it ended."""

    __tablename__ = "marketplace_scans"
    __table_args__ = (Index("ix_scans_source_started", "source_id", "started_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("scn"))
    source_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("marketplace_sources.id", ondelete="CASCADE")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commit_sha: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    removed_count: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0)
    # Imported entries this scan found changed upstream (offered on the Updates page).
    imported_updates_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class WebSession(Base):
    """A web UI log-in. The cookie holds a random secret; the row only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Which API token the session was opened with: a changed token ends every session.
    token_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LoginAttempt(Base):
    """One log-in attempt, kept while it counts against its client's rate limit."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_client_at", "client", "attempted_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("lga"))
    client: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
