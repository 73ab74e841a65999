"""Settings: one object, read from SKILLMEAT_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLMEAT_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".skillmeat")
    database_url: str | None = None  # default: SQLite file in data_dir
    # NORMAL survives a killed process; FULL also survives power loss, one fsync per commit.
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    collection_dir: Path | None = None  # default: data_dir / "collection"

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)

    # When set, state-changing requests need "Authorization: Bearer <token>" (or the UI's
    # login cookie); protect_reads extends that to reads of the API.
    api_token: SecretStr | None = None
    protect_reads: bool = False
    max_body_bytes: int = Field(default=1 << 20, ge=1024)
    max_scan_result_bytes: int = Field(default=128 << 20, ge=1024)
    # Signs pagination cursors; without it a key derived from the database URL is used.
    secret_key: SecretStr | None = None
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    github_timeout: float = Field(default=20.0, gt=0)
    github_retries: int = Field(default=3, ge=0, le=10)

    # None: allowed only while the server binds to loopback (the CLI always runs locally).
    allow_local_sources: bool | None = None
    rescan_interval: int | None = Field(default=None, ge=1)  # minutes
    scan_lease_seconds: int = Field(default=900, ge=5)
    # A repository listing larger than this is refused rather than held in memory.
    max_tree_entries: int = Field(default=2_000_000, ge=1000)

    @field_validator("github_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("github_api_url must be an http(s) URL")
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'skillmeat.db'}"

    @property
    def resolved_collection_dir(self) -> Path:
        return self.collection_dir or self.data_dir / "collection"

    @property
    def git_cache_dir(self) -> Path:
        return self.data_dir / "git-cache"

    @property
    def local_sources_allowed(self) -> bool:
        if self.allow_local_sources is not None:
            return self.allow_local_sources
        return self.host in ("127.0.0.1", "localhost", "::1")


@lru_cache
def get_settings() -> Settings:
    return Settings()
