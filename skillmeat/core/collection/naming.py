"""Which plugins/<name> each unit of an import gets, before anything moves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from skillmeat.core.collection.manifest import UnitRecord
from skillmeat.core.errors import Conflict
from skillmeat.core.marketplace.vocabulary import ConflictStrategy, ImportOutcome

MAX_SUFFIX = 10_000


@dataclass(frozen=True, slots=True)
class Origin:
    source_url: str
    path: str

    def label(self) -> str:
        return f"{self.source_url}:{self.path}"


@dataclass(frozen=True, slots=True)
class Placement:
    name: str
    outcome: ImportOutcome


def settle_names(units: dict[str, UnitRecord], wants: Sequence[tuple[str, Origin]],
                 strategy: ConflictStrategy | None,
                 on_disk: Callable[[str], bool]) -> list[Placement]:
    """Settle every wanted name at once, so a refusal leaves everything as it was.

    A name taken by an existing unit follows `strategy`; without one, a unit of the same
    origin is kept (skipped) and one of another origin is refused, naming both. Two units of
    the same import never replace each other: the later one is renamed.
    """
    taken: set[str] = set()
    out: list[Placement] = []
    for name, origin in wants:
        existing = units.get(name)
        clash = existing is not None or on_disk(name)
        if name in taken:
            placement = Placement(_free(name, units, taken, on_disk), ImportOutcome.RENAMED)
        elif not clash:
            placement = Placement(name, ImportOutcome.IMPORTED)
        elif strategy is None:
            same = existing is not None and existing.source_url == origin.source_url \
                and existing.path == origin.path
            if not same:
                theirs = existing.origin if existing is not None else "a folder SkillMeat " \
                    "did not write"
                raise Conflict(
                    f"plugin name {name!r} is already taken in the collection by {theirs}; "
                    f"importing {origin.label()} needs conflict_strategy skip, overwrite or "
                    "rename")
            placement = Placement(name, ImportOutcome.SKIPPED)
        elif strategy == ConflictStrategy.SKIP:
            placement = Placement(name, ImportOutcome.SKIPPED)
        elif strategy == ConflictStrategy.OVERWRITE:
            placement = Placement(name, ImportOutcome.OVERWRITTEN)
        else:
            placement = Placement(_free(name, units, taken, on_disk), ImportOutcome.RENAMED)
        if placement.outcome != ImportOutcome.SKIPPED:
            taken.add(placement.name)
        out.append(placement)
    return out


def _free(name: str, units: dict[str, UnitRecord], taken: set[str],
          on_disk: Callable[[str], bool]) -> str:
    for n in range(2, MAX_SUFFIX):
        candidate = f"{name}-{n}"
        if candidate not in units and candidate not in taken and not on_disk(candidate):
            return candidate
    raise Conflict(f"no free name left for {name!r} in the collection")
