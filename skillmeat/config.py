"""Settings: one object, read from SKILLMEAT_* environment variables."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Comma-separated in the environment ("a.example,b.example"), a list in Python.
CommaList = Annotated[list[str], NoDecode]


def is_loopback(host: str) -> bool:
    """Whether `host` (a bind address or a Host header's name) can only mean this machine."""
    name = host.strip().lower().removeprefix("[").removesuffix("]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting may be a secret; errors never repeat it.
    model_config = SettingsConfigDict(env_prefix="SKILLMEAT_", extra="ignore",
                                      hide_input_in_errors=True)

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".skillmeat")
    database_url: str | None = None  # default: SQLite file in data_dir
    # NORMAL survives a killed process; FULL also survives power loss, one fsync per commit.
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    # Bytes of the SQLite file read through a memory map (0: off); see cache/db.py.
    sqlite_mmap_bytes: int = Field(default=2**31, ge=0)
    collection_dir: Path | None = None  # default: data_dir / "collection"
    # The collection is a Claude Code plugin marketplace: its name (`install NAME@<this>`) and
    # the owner its marketplace.json names.
    marketplace_name: str = Field(default="skillmeat", pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    marketplace_owner: str = Field(default="SkillMeat", min_length=1, max_length=100)

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)

    # When set, state-changing requests need "Authorization: Bearer <token>" (or the UI's
    # login session); protect_reads extends that to reads of the API.
    api_token: SecretStr | None = None
    api_token_name: str = Field(default="token", min_length=1, max_length=100,
                                pattern=r"^[A-Za-z0-9_.@-]+$")  # the actor in audit events
    protect_reads: bool = False
    # Host names the server answers to besides loopback names and IP addresses (DNS rebinding).
    allowed_hosts: CommaList = Field(default_factory=list)
    # Addresses of reverse proxies whose X-Forwarded-Proto/-For are believed (HTTPS cookies).
    trusted_proxies: CommaList = Field(default_factory=list)
    session_hours: int = Field(default=168, ge=1, le=24 * 366)  # web UI log-in lifetime
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
    # Saturation: scans beyond this many at once get 429 (the scheduler waits its turn);
    # browses and imports, which read repositories too, have a bound of their own.
    max_concurrent_scans: int = Field(default=3, ge=1, le=64)
    max_concurrent_browses: int = Field(default=8, ge=1, le=256)
    # A scan, browse or import that reads a repository for longer is stopped: every git
    # process it started is killed and the error recorded.
    scan_deadline_seconds: int = Field(default=300, ge=1)
    # How long a request may wait for a free database slot (503 after it) or browse slot
    # (429 after it), both with Retry-After.
    queue_wait_seconds: float = Field(default=5.0, ge=0, le=60)
    # A repository listing larger than this is refused rather than held in memory.
    max_tree_entries: int = Field(default=2_000_000, ge=1000)
    # The blob cache (files and listings read for browsing and imports) stays below this.
    blob_cache_max_bytes: int = Field(default=512 << 20, ge=1 << 20)

    @field_validator("github_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("github_api_url must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("api_token")
    @classmethod
    def _real_token(cls, value: SecretStr | None) -> SecretStr | None:
        # A blank token must not half-enable auth: refuse it rather than guess what was meant.
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if not token:
            raise ValueError("is set but empty; set a real token or unset the variable")
        if any(ord(c) < 33 or ord(c) == 127 for c in token):
            raise ValueError("must not contain spaces or control characters")
        return SecretStr(token)

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @property
    def auth_token(self) -> str | None:
        """The API token when auth is on, else None: the one definition of "auth is on"."""
        if self.api_token is None:
            return None
        return self.api_token.get_secret_value().strip() or None

    @property
    def auth_enabled(self) -> bool:
        return self.auth_token is not None

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
        return is_loopback(self.host)


def settings_error(exc: ValidationError) -> str:
    """A refused configuration as one readable line per variable (never its value)."""
    lines = []
    for error in exc.errors():
        name = "SKILLMEAT_" + "_".join(str(part) for part in error["loc"]).upper()
        lines.append(f"{name} {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)


@lru_cache
def get_settings() -> Settings:
    return Settings()
