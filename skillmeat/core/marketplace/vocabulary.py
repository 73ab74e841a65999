"""The marketplace's words, each defined once: the API schema, the CLI and the web UI use these."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from skillmeat.core.errors import InvalidInput
from skillmeat.core.pagination import MAX_PAGE

E = TypeVar("E", bound=StrEnum)

# Entries below this confidence are stored but hidden from listings unless asked for.
CONFIDENCE_THRESHOLD = 30


class ArtifactType(StrEnum):
    SKILL = "skill"
    COMMAND = "command"
    AGENT = "agent"
    HOOK = "hook"
    MCP_SERVER = "mcp_server"
    PLUGIN = "plugin"


class CatalogStatus(StrEnum):
    """An entry's status, derived from its facts by `status.derive_status`."""

    NEW = "new"
    UPDATED = "updated"
    REMOVED = "removed"
    IMPORTED = "imported"
    EXCLUDED = "excluded"


# What an import refuses: a person's exclusion, or an artifact gone from the repository.
NOT_IMPORTABLE = frozenset({CatalogStatus.EXCLUDED, CatalogStatus.REMOVED})


class ScanStatus(StrEnum):
    """A source's scan state."""

    PENDING = "pending"
    SCANNING = "scanning"
    SUCCESS = "success"
    ERROR = "error"


class ExclusionAction(StrEnum):
    """What an exclusion event records."""

    EXCLUDE = "exclude"  # one entry, by hand
    RESTORE = "restore"
    BULK_EXCLUDE = "bulk_exclude"
    BULK_RESTORE = "bulk_restore"
    RULE_ADDED = "rule_added"
    RULE_REMOVED = "rule_removed"
    RULE_EXCLUDE = "rule_exclude"  # a new rule excluded the entry
    RULE_RESTORE = "rule_restore"  # deleting its rule restored the entry
    SCAN_RULE = "scan_rule"  # a scan applied a rule to the entry
    IMPORT = "import"  # an imported exclusion document excluded the entry


class Actor(StrEnum):
    """Who changed an exclusion, besides a named API token."""

    CLI = "cli"
    UI = "ui"
    API = "api"  # a request without a token (auth off)
    SCAN = "scan"


class ScanOutcome(StrEnum):
    """How one scan in the history ended."""

    RUNNING = "running"
    SUCCESS = "success"
    UNCHANGED = "unchanged"  # the commit and detector version were already scanned
    ERROR = "error"
    ABANDONED = "abandoned"  # its process ended before it finished


class ScanTrigger(StrEnum):
    """What started a scan: a person, adding the source, the rescan schedule, a pushed result."""

    MANUAL = "manual"
    CREATE = "create"
    SCHEDULE = "schedule"
    PUSH = "push"


class SortBy(StrEnum):
    """Orders of a catalog listing; each has an index ending in the entry id."""

    CONFIDENCE = "confidence"
    NAME = "name"
    DATE = "date"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class ConflictStrategy(StrEnum):
    """What an import does when the target already exists in the collection."""

    SKIP = "skip"
    OVERWRITE = "overwrite"
    RENAME = "rename"


class ImportOutcome(StrEnum):
    """What an import did with one entry."""

    IMPORTED = "imported"
    SKIPPED = "skipped"
    RENAMED = "renamed"
    OVERWRITTEN = "overwritten"


class FileKind(StrEnum):
    """What a path inside an artifact is; only files are imported or shown."""

    FILE = "file"
    SYMLINK = "symlink"
    SUBMODULE = "submodule"


def one_of(enum: type[E], value: str, field: str) -> E:
    """`value` as a member of `enum`; InvalidInput about `field` when it is none of them."""
    try:
        return enum(value)
    except ValueError:
        raise InvalidInput(f"{field} must be one of {', '.join(enum)}", field=field) from None


def choices() -> dict[str, object]:
    """The vocabulary as plain JSON, for clients that must not keep copies of their own."""
    enums: dict[str, type[StrEnum]] = {
        "artifact_types": ArtifactType, "catalog_statuses": CatalogStatus,
        "scan_statuses": ScanStatus, "scan_outcomes": ScanOutcome, "sort_by": SortBy,
        "sort_orders": SortOrder, "conflict_strategies": ConflictStrategy,
    }
    out: dict[str, object] = {name: [member.value for member in enum]
                              for name, enum in enums.items()}
    out["confidence_threshold"] = CONFIDENCE_THRESHOLD
    out["max_page"] = MAX_PAGE
    return out
