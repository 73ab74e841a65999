"""Move a collection in the first layout (skills/, commands/, agents/, hooks/, mcp/ at the
top) into units under plugins/, once, in the repository's first commit. Nothing is lost: the
old folders are deleted only after the commit holds every file they had."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from skillmeat.core.collection.manifest import (
    PLUGINS,
    UnitRecord,
    hash_folder,
    tree_hash,
    write_json,
)
from skillmeat.core.collection.units import (
    MANIFEST,
    Layout,
    UnitKind,
    plugin_manifest,
    unit_name,
)
from skillmeat.core.marketplace.collection import discard

if TYPE_CHECKING:
    from skillmeat.core.collection.store import Store

OLD_DIRS = {"skills": UnitKind.SKILL, "commands": UnitKind.COMMAND, "agents": UnitKind.AGENT,
            "hooks": UnitKind.HOOKS, "mcp": UnitKind.MCP}
OLD_FOLDER = {kind: folder for folder, kind in OLD_DIRS.items()}


def old_items(root: Path) -> list[tuple[UnitKind, Path]]:
    out = []
    for folder, kind in OLD_DIRS.items():
        top = root / folder
        if top.is_dir() and not top.is_symlink():
            out += [(kind, item) for item in sorted(top.iterdir()) if not item.is_symlink()]
    return out


def migrate(store: Store) -> None:
    """Give a repository without commits its first one, migrating the old layout if any."""
    from skillmeat.core.collection.store import Change

    items = old_items(store.root)
    known = store.provenance() if items and store.provenance is not None else {}
    units: dict[str, UnitRecord] = {}
    paths: list[str] = []

    def place() -> dict[str, UnitRecord]:
        for kind, item in items:
            record = _wrap(store, kind, item, set(units))
            origin = known.get(record.path or "")
            if origin:  # what the catalog knows; the imported commit it never recorded
                for key, value in origin.items():
                    setattr(record, key, value)
            units[record.name] = record
            paths.append(record.folder)
        return units

    message = (f"Migrate {len(items)} artifacts to the Claude Code marketplace layout"
               if items else "Start the SkillMeat collection")
    change = Change("migrate", message, paths)
    store.apply(change, place, None)
    for folder in OLD_DIRS:  # every file is in the commit now
        top = store.root / folder
        if top.is_dir() and not top.is_symlink():
            shutil.rmtree(top)


def _wrap(store: Store, kind: UnitKind, item: Path, taken: set[str]) -> UnitRecord:
    base = unit_name(item.stem if item.is_file() and kind in (UnitKind.COMMAND, UnitKind.AGENT)
                     else item.name, fallback="unit")
    name, n = base, 1
    while name in taken or os.path.lexists(store.root / PLUGINS / name):
        n += 1
        name = f"{base}-{n}"
    layout = Layout(kind, base, single=item.is_file())
    stage = store.files.new_stage()
    try:
        unit = stage / "unit"
        sources = [item] if item.is_file() else [p for p in sorted(item.rglob("*"))
                                                 if p.is_file() and not p.is_symlink()]
        for src in sources:
            rel = src.name if item.is_file() else src.relative_to(item).as_posix()
            target = unit / layout.place(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target, follow_symlinks=False)
        description = f"{kind.value} {base}, migrated from {item.relative_to(store.root)}"
        write_json(unit / MANIFEST, plugin_manifest(name, description, "0.0.0", None,
                                                    store.settings.marketplace_owner))
        files = hash_folder(unit)
        (store.root / PLUGINS).mkdir(exist_ok=True)
        os.rename(unit, store.files.inside(f"{PLUGINS}/{name}"))
    finally:
        discard(stage)
    return UnitRecord(name=name, kind=kind.value, description=description, version="0.0.0",
                      homepage=None, source_id=None, source_url=None, ref=None, commit=None,
                      path=item.relative_to(store.root).as_posix(), entry_id=None,
                      content_hash=None, imported_at=datetime.now(UTC).isoformat(),
                      files=files, tree_hash=tree_hash(files))
