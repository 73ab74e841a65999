"""`skillmeat catalog ...`: browse a source's catalog, exclude and restore, apply scan results."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from skillmeat.api.schemas.exclusions import CatalogFilter, ExclusionEventListResponse
from skillmeat.api.schemas.marketplace import (
    CatalogEntryResponse,
    CatalogListResponse,
    MergeResultResponse,
    ScanResultDocument,
)
from skillmeat.cli import context
from skillmeat.cli.output import JsonOpt, console, print_json, print_record, print_table
from skillmeat.core.marketplace import catalog as service
from skillmeat.core.marketplace import exclusions, listing
from skillmeat.core.marketplace.exclusions import BulkResult, Selection
from skillmeat.core.marketplace.merge import artifacts_from_document
from skillmeat.core.marketplace.parsing import load_json
from skillmeat.core.marketplace.pushes import apply_scan_document
from skillmeat.core.marketplace.vocabulary import (
    Actor,
    ArtifactType,
    CatalogStatus,
    SortBy,
    SortOrder,
)
from skillmeat.core.pagination import MAX_PAGE

app = typer.Typer(help="Catalog entries of a source.", no_args_is_help=True)


def _entry_out(entry: CatalogEntryResponse, as_json: bool) -> None:
    if as_json:
        print_json(entry)
    else:
        print_record(f"{entry.artifact_type} {entry.name}", entry.model_dump())


@app.command("list")
def list_(
    source_id: str,
    type_: Annotated[str | None, typer.Option("--type", help=", ".join(ArtifactType))] = None,
    status: Annotated[str | None, typer.Option(help=", ".join(CatalogStatus))] = None,
    search: Annotated[str | None, typer.Option(help="Match name, title or path.")] = None,
    include_excluded: Annotated[bool, typer.Option("--include-excluded")] = False,
    include_below_threshold: Annotated[bool, typer.Option("--include-below-threshold")] = False,
    min_confidence: Annotated[int | None, typer.Option(min=0, max=100)] = None,
    sort_by: Annotated[str, typer.Option(help=" or ".join(SortBy))] = SortBy.CONFIDENCE,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page.")] = None,
    plugin: Annotated[str | None, typer.Option(help="Only this plugin entry's members.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List catalog entries (excluded ones hidden unless asked for)."""
    f = listing.EntryFilter(type_, status, min_confidence, None, search, include_excluded,
                            include_below_threshold, plugin)
    order = SortOrder.ASC if sort_by == SortBy.NAME else SortOrder.DESC
    with context.reported(), context.database().session(write=False) as session:
        page = CatalogListResponse.of(listing.list_entries(
            session, context.codec(), source_id, f, sort_by=sort_by, sort_order=order,
            limit=limit, cursor=cursor))
    if as_json:
        print_json({"items": [i.model_dump(mode="json") for i in page.items],
                    "next_cursor": page.page_info.next_cursor,
                    "counts_by_status": page.counts_by_status,
                    "counts_by_type": page.counts_by_type})
        return
    print_table(f"catalog of {source_id}", ["id", "type", "name", "path", "conf", "status"],
                [(e.id, e.artifact_type, e.name, e.path, e.confidence_score, e.status)
                 for e in page.items])
    counts = ", ".join(f"{k} {v}" for k, v in page.counts_by_status.items())
    console.print(f"by status: {counts}")
    if page.page_info.next_cursor:
        console.print(f"more: --cursor {page.page_info.next_cursor}")


IdsArg = Annotated[list[str] | None, typer.Argument(help="Entry ids (or use --filter).")]
FilterOpt = Annotated[str | None, typer.Option(
    "--filter", help='The catalog list filters as JSON, e.g. \'{"artifact_type": "command"}\'.')]


def _selection(entry_ids: list[str] | None, filter_: str | None) -> Selection:
    if filter_ is None:
        return Selection(entry_ids or [])
    if entry_ids:
        raise context.fail("give entry ids or --filter, not both")
    try:
        return Selection(filter=CatalogFilter.model_validate(
            load_json(filter_.encode())).entry_filter())
    except ValidationError as exc:
        raise context.fail(f"invalid --filter: {exc}") from None
    except ValueError as exc:
        raise context.fail(f"--filter is not JSON: {exc}") from None


def _bulk_out(result: BulkResult, verb: str, as_json: bool) -> None:
    if as_json:
        print_json({"changed": result.changed, "already": result.already})
    else:
        console.print(f"{verb} {result.changed}, already so {result.already}")


def _change(source_id: str, entry_ids: list[str] | None, filter_: str | None, *,
            exclude: bool, reason: str | None, as_json: bool, cascade: bool = False) -> None:
    """One id: the single-entry change (prints the entry); several or a filter: bulk."""
    single = filter_ is None and entry_ids is not None and len(entry_ids) == 1
    if cascade and not single:
        raise context.fail("--cascade takes one plugin entry id")
    selection = None if single else _selection(entry_ids, filter_)
    with context.reported(), context.database().session() as session:
        if selection is None:
            assert entry_ids
            entry = CatalogEntryResponse.model_validate(
                service.exclude_entry(session, source_id, entry_ids[0], reason, cascade,
                                      actor=Actor.CLI) if exclude else
                service.restore_entry(session, source_id, entry_ids[0], cascade,
                                      actor=Actor.CLI))
        else:
            result = exclusions.bulk_exclude(session, source_id, selection, reason,
                                             actor=Actor.CLI) if exclude else \
                exclusions.bulk_restore(session, source_id, selection, actor=Actor.CLI)
    if selection is None:  # printed once committed
        _entry_out(entry, as_json)
    else:
        _bulk_out(result, "excluded" if exclude else "restored", as_json)


def plugin_members(session: Session, source_id: str,
                   entry: CatalogEntryResponse) -> list[CatalogEntryResponse]:
    """A plugin's members (the first page, hidden ones included); none for other entries."""
    if entry.artifact_type != ArtifactType.PLUGIN:
        return []
    f = listing.EntryFilter(include_excluded=True, include_below_threshold=True,
                            plugin_id=entry.id)
    return CatalogListResponse.of(listing.list_entries(
        session, context.codec(), source_id, f, limit=MAX_PAGE)).items


def print_members(entry: CatalogEntryResponse, members: list[CatalogEntryResponse]) -> None:
    if entry.artifact_type == ArtifactType.PLUGIN:
        print_table(f"members of {entry.name}", ["id", "type", "name", "path", "status"],
                    [(m.id, m.artifact_type, m.name, m.path, m.status) for m in members])
    add = add_source_command(entry)
    if add:
        console.print(f"its files are in another repository; add it as a source:\n  {add}",
                      markup=False)


def add_source_command(entry: CatalogEntryResponse) -> str | None:
    """`skillmeat sources add URL [--ref REF]` for a remote plugin; None otherwise."""
    meta = entry.plugin_meta or {}
    if not meta.get("remote") or not entry.upstream_url:
        return None
    pin = meta.get("sha") or meta.get("ref")
    return shlex.join(["skillmeat", "sources", "add", entry.upstream_url,
                       *(["--ref", pin] if pin else [])])


Cascade = Annotated[bool, typer.Option("--cascade", help="A plugin's members too.")]


@app.command("exclude")
def exclude(source_id: str, entry_ids: IdsArg = None, filter_: FilterOpt = None,
            reason: Annotated[str | None, typer.Option(help="Why it is not an artifact.")] = None,
            cascade: Cascade = False, as_json: JsonOpt = False) -> None:
    """Mark entries "not an artifact": hidden from listings, kept through rescans."""
    _change(source_id, entry_ids, filter_, exclude=True, reason=reason, as_json=as_json,
            cascade=cascade)


@app.command("restore")
def restore(source_id: str, entry_ids: IdsArg = None, filter_: FilterOpt = None,
            cascade: Cascade = False, as_json: JsonOpt = False) -> None:
    """Undo exclusions (a rule's exclusion restored by hand stays restored)."""
    _change(source_id, entry_ids, filter_, exclude=False, reason=None, as_json=as_json,
            cascade=cascade)


@app.command("history")
def history(source_id: str, entry_id: str,
            limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 50,
            cursor: Annotated[str | None, typer.Option(help="Continue a listing.")] = None,
            as_json: JsonOpt = False) -> None:
    """An entry's exclusion history, newest first: who, when, what, why."""
    with context.reported(), context.database().session(write=False) as session:
        page = ExclusionEventListResponse.of(exclusions.list_events(
            session, context.codec(), source_id, entry_id=entry_id, limit=limit,
            cursor=cursor))
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    print_table(f"history of {entry_id}", ["at", "actor", "action", "rule", "reason"],
                [(e.at.isoformat(timespec="seconds"), e.actor, e.action,
                  e.pattern or e.rule_id or "", e.reason or "") for e in page.items])
    if page.page_info.next_cursor:
        console.print(f"more: --cursor {page.page_info.next_cursor}")


@app.command("apply")
def apply(source_id: str,
          file: Annotated[Path, typer.Argument(help="Scan-result JSON ('-' for stdin).")],
          as_json: JsonOpt = False) -> None:
    """Apply a scan-result document (from `skillmeat detect --json`) as one scan."""
    try:
        raw = typer.get_binary_stream("stdin").read() if str(file) == "-" else file.read_bytes()
        # The same budget as a push over HTTP: nothing deeply nested gets as far as the merge.
        doc = ScanResultDocument.model_validate(
            load_json(raw, max_bytes=context.settings().max_scan_result_bytes))
    except ValidationError as exc:
        raise context.fail(f"invalid scan-result document: {exc}") from None
    except (OSError, ValueError) as exc:  # unreadable, not JSON, too large or too deep
        raise context.fail(f"cannot read {file}: {exc}") from None
    artifacts = artifacts_from_document(a.model_dump() for a in doc.artifacts)
    with context.reported(), context.database().session() as session:
        result = MergeResultResponse.of(
            apply_scan_document(session, source_id, doc.commit, artifacts))
    if as_json:
        print_json(result)
    else:
        console.print(f"applied {doc.commit[:12]}: {result.new} new, {result.updated} updated, "
                      f"{result.removed} removed, {result.unchanged} unchanged")
