"""The collection's two files of record: `.claude-plugin/marketplace.json` (what Claude Code
reads) and `.claude-plugin/skillmeat.lock.json` (where each unit came from, and the hash of
every file as written). Both are rewritten whole, atomically; hashes are computed here."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillmeat.core.errors import Conflict
from skillmeat.core.marketplace.collection import fsync_dir
from skillmeat.core.marketplace.parsing import OverBudget, load_json

MARKETPLACE = ".claude-plugin/marketplace.json"
LOCK = ".claude-plugin/skillmeat.lock.json"
PLUGINS = "plugins"
LOCK_VERSION = 1
MAX_RECORD_BYTES = 256 << 20  # our own files; still read with a budget
DESCRIPTION = "Artifacts vetted and imported with SkillMeat"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def hash_folder(folder: Path) -> dict[str, str]:
    """Relative path -> hash of every regular file below `folder`; links are not followed
    (a link is recorded as such, so verify reports it rather than reading through it)."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        base = Path(dirpath)
        for name in dirnames[:]:
            if (base / name).is_symlink():
                dirnames.remove(name)
                filenames.append(name)
        for name in filenames:
            path = base / name
            rel = path.relative_to(folder).as_posix()
            mode = path.lstat().st_mode
            out[rel] = file_hash(path) if stat.S_ISREG(mode) else "link"
    return dict(sorted(out.items()))


def tree_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for rel, value in sorted(files.items()):
        digest.update(f"{rel}\0{value}\n".encode())
    return f"sha256:{digest.hexdigest()}"


@dataclass
class UnitRecord:
    """One unit's provenance, as the lock file keeps it."""

    name: str
    kind: str
    description: str
    version: str
    homepage: str | None
    source_id: str | None
    source_url: str | None
    ref: str | None
    commit: str | None
    path: str | None
    entry_id: str | None
    content_hash: str | None  # the catalog's hash of the artifact when it was read
    imported_at: str
    files: dict[str, str] = field(default_factory=dict)
    tree_hash: str = ""
    risk_summary: str | None = None  # what it could run when imported (the updates listing)
    pinned: bool = False  # never offered for update

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "name"}

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> UnitRecord:
        known: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__
                                 if k != "name"}
        known["files"] = dict(known.get("files") or {})
        known["tree_hash"] = known.get("tree_hash") or ""
        known["pinned"] = known.get("pinned") is True
        if not isinstance(known.get("risk_summary"), str):
            known["risk_summary"] = None
        return cls(name=name, **known)

    @property
    def folder(self) -> str:
        return f"{PLUGINS}/{self.name}"

    @property
    def origin(self) -> str:
        if not self.source_url:
            return "unknown origin"
        where = f"{self.source_url}:{self.path}" if self.path else self.source_url
        return f"{where}@{(self.commit or '?')[:7]}"


def read_lock(root: Path) -> dict[str, UnitRecord]:
    doc = _read(root / LOCK)
    units = doc.get("units", {}) if isinstance(doc, dict) else {}
    return {name: UnitRecord.from_json(name, data) for name, data in sorted(units.items())
            if isinstance(data, dict)}


_SNAPSHOT: dict[Path, tuple[tuple[int, int, int], dict[str, UnitRecord]]] = {}


def lock_snapshot(root: Path) -> dict[str, UnitRecord]:
    """The lock as last parsed while the file is the same one (it is only ever replaced, so
    inode, size and mtime tell); shared between callers: read it, never change it. Listings
    of 1,000 units then cost a stat instead of a parse."""
    path = root / LOCK
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _SNAPSHOT.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    units = read_lock(root)
    _SNAPSHOT.clear()  # one collection per process: keep one
    _SNAPSHOT[path] = (key, units)
    return units


def read_marketplace(root: Path) -> dict[str, Any]:
    doc = _read(root / MARKETPLACE)
    return doc if isinstance(doc, dict) else {}


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    try:
        return load_json(raw, max_bytes=MAX_RECORD_BYTES)
    except (OverBudget, ValueError) as exc:
        raise Conflict(f"{path.name} is damaged ({exc}); restore it from the collection's "
                       "git history") from None


def marketplace_doc(name: str, owner: str, units: dict[str, UnitRecord]) -> dict[str, Any]:
    plugins = []
    for unit in units.values():
        entry: dict[str, Any] = {"name": unit.name, "source": f"./{unit.folder}",
                                 "description": unit.description, "version": unit.version}
        if unit.homepage:
            entry["homepage"] = unit.homepage
        plugins.append(entry)
    return {"name": name, "owner": {"name": owner}, "metadata": {"description": DESCRIPTION},
            "plugins": plugins}


def write_records(root: Path, name: str, owner: str, units: dict[str, UnitRecord]) -> None:
    """Replace marketplace.json and the lock, each atomically (the lock last: verify and
    recovery trust it)."""
    ordered = dict(sorted(units.items()))
    write_json(root / MARKETPLACE, marketplace_doc(name, owner, ordered))
    write_json(root / LOCK, {"version": LOCK_VERSION,
                             "units": {n: u.to_json() for n, u in ordered.items()}})


def json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def write_json(path: Path, doc: Any) -> None:
    write_atomic(path, json_bytes(doc))


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)

