"""`skillmeat catalog ...`: browse a source's catalog, exclude and restore, apply scan results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from skillmeat.api.schemas.marketplace import CatalogEntryResponse, ScanResultDocument
from skillmeat.cache.repositories import EntryFilter
from skillmeat.cli import context
from skillmeat.cli.output import console, print_json, print_record, print_table
from skillmeat.core.errors import SkillMeatError
from skillmeat.core.marketplace import catalog as service
from skillmeat.core.marketplace.merge import artifacts_from_document
from skillmeat.core.marketplace.pushes import apply_scan_document

app = typer.Typer(help="Catalog entries of a source.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _entry_out(entry: CatalogEntryResponse, as_json: bool) -> None:
    if as_json:
        print_json(entry)
    else:
        print_record(f"{entry.artifact_type} {entry.name}", entry.model_dump())


@app.command("list")
def list_(
    source_id: str,
    type_: Annotated[str | None, typer.Option("--type", help="skill, command, agent, hook, "
                                                            "mcp_server")] = None,
    status: Annotated[str | None, typer.Option(help="new, updated, removed, imported, "
                                                    "excluded")] = None,
    search: Annotated[str | None, typer.Option(help="Match name, title or path.")] = None,
    include_excluded: Annotated[bool, typer.Option("--include-excluded")] = False,
    include_below_threshold: Annotated[bool, typer.Option("--include-below-threshold")] = False,
    min_confidence: Annotated[int | None, typer.Option(min=0, max=100)] = None,
    sort_by: Annotated[str, typer.Option(help="confidence, name or date")] = "confidence",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List catalog entries (excluded ones hidden unless asked for)."""
    f = EntryFilter(type_, status, min_confidence, None, search, include_excluded,
                    include_below_threshold)
    try:
        with context.database().session(write=False) as session:
            page = service.list_entries(session, context.codec(), source_id, f, sort_by=sort_by,
                                        sort_order="asc" if sort_by == "name" else "desc",
                                        limit=limit, cursor=cursor)
            items = [CatalogEntryResponse.model_validate(e) for e in page.items]
    except SkillMeatError as exc:
        raise context.fail(exc) from None
    if as_json:
        print_json({"items": [i.model_dump(mode="json") for i in items],
                    "next_cursor": page.next_cursor,
                    "counts_by_status": page.counts_by_status,
                    "counts_by_type": page.counts_by_type})
        return
    print_table(f"catalog of {source_id}", ["id", "type", "name", "path", "conf", "status"],
                [(e.id, e.artifact_type, e.name, e.path, e.confidence_score, e.status)
                 for e in items])
    counts = ", ".join(f"{k} {v}" for k, v in page.counts_by_status.items())
    console.print(f"by status: {counts}")
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@app.command("exclude")
def exclude(source_id: str, entry_id: str,
            reason: Annotated[str | None, typer.Option(help="Why it is not an artifact.")] = None,
            as_json: JsonOpt = False) -> None:
    """Mark an entry "not an artifact": hidden from listings, kept through rescans."""
    try:
        with context.database().session() as session:
            entry = CatalogEntryResponse.model_validate(
                service.exclude_entry(session, source_id, entry_id, reason))
    except SkillMeatError as exc:
        raise context.fail(exc) from None
    _entry_out(entry, as_json)


@app.command("restore")
def restore(source_id: str, entry_id: str, as_json: JsonOpt = False) -> None:
    """Undo an exclusion."""
    try:
        with context.database().session() as session:
            entry = CatalogEntryResponse.model_validate(
                service.restore_entry(session, source_id, entry_id))
    except SkillMeatError as exc:
        raise context.fail(exc) from None
    _entry_out(entry, as_json)


@app.command("apply")
def apply(source_id: str,
          file: Annotated[Path, typer.Argument(help="Scan-result JSON ('-' for stdin).")],
          as_json: JsonOpt = False) -> None:
    """Apply a scan-result document (from `skillmeat detect --json`) as one scan."""
    try:
        text = typer.get_text_stream("stdin").read() if str(file) == "-" else file.read_text()
        doc = ScanResultDocument.model_validate(json.loads(text))
    except (OSError, json.JSONDecodeError) as exc:
        raise context.fail(f"cannot read {file}: {exc}") from None
    except ValidationError as exc:
        raise context.fail(f"invalid scan-result document: {exc}") from None
    artifacts = artifacts_from_document(a.model_dump() for a in doc.artifacts)
    try:
        with context.database().session() as session:
            result = apply_scan_document(session, source_id, doc.commit, artifacts)
    except SkillMeatError as exc:
        raise context.fail(exc) from None
    if as_json:
        print_json(vars(result))
    else:
        console.print(f"applied {doc.commit[:12]}: {result.new} new, {result.updated} updated, "
                      f"{result.removed} removed, {result.unchanged} unchanged")
