"""`skillmeat sources ...`: add, list, show and remove marketplace sources."""

from __future__ import annotations

from typing import Annotated

import typer

from skillmeat.api.schemas.marketplace import SourceResponse
from skillmeat.cli import context
from skillmeat.cli.output import JsonOpt, console, print_json, print_record, print_table
from skillmeat.core.marketplace import sources as service

app = typer.Typer(help="Marketplace sources (repositories to scan).", no_args_is_help=True)


def _show(source: SourceResponse, as_json: bool) -> None:
    if as_json:
        print_json(source)
    else:
        print_record(f"source {source.id}", source.model_dump())


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="https://github.com/OWNER/REPO, a git URL or a path")],
    ref: Annotated[str | None, typer.Option(help="Branch, tag or commit.")] = None,
    root: Annotated[str | None, typer.Option("--root", help="Only scan below this folder.")] = None,
    description: Annotated[str | None, typer.Option()] = None,
    scan: Annotated[bool, typer.Option("--scan", help="Scan right after adding.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a repository as a marketplace source."""
    with context.reported(), context.database().session() as session:
        source = SourceResponse.model_validate(service.create_source(
            session, url, ref=ref, root_hint=root, description=description))
    if scan:
        from skillmeat.cli.scanning import run_scan

        run_scan(source.id, quiet=as_json)
        with context.database().session(write=False) as session:
            source = SourceResponse.model_validate(service.get_source(session, source.id))
    _show(source, as_json)


@app.command("list")
def list_(as_json: JsonOpt = False,
          limit: Annotated[int, typer.Option(min=1, max=1000)] = 100) -> None:
    """List sources, newest first."""
    with context.database().session(write=False) as session:
        page = service.list_sources(session, context.codec(), limit=limit)
        items = [SourceResponse.model_validate(s) for s in page.items]
    if as_json:
        print_json(items)
        return
    print_table("sources", ["id", "repository", "ref", "status", "artifacts", "last scan"],
                [(s.id, s.repo_url, s.ref, s.scan_status, s.artifact_count, s.last_sync_at)
                 for s in items])


@app.command("show")
def show(source_id: str, as_json: JsonOpt = False) -> None:
    """Show one source."""
    with context.reported(), context.database().session(write=False) as session:
        _show(SourceResponse.model_validate(service.get_source(session, source_id)), as_json)


@app.command("rm")
def remove(source_id: str) -> None:
    """Remove a source and its whole catalog."""
    with context.reported(), context.database().session() as session:
        service.delete_source(session, source_id)
    console.print(f"removed {source_id}")
