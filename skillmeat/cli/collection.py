"""`skillmeat collection list|show|remove|verify`: the local collection (a Claude Code
marketplace), read and changed through the same services as the API."""

from __future__ import annotations

from typing import Annotated

import typer

from skillmeat.api.schemas.collection import RemovedResponse, UnitResponse
from skillmeat.cli import context
from skillmeat.cli.output import (
    JsonOpt,
    console,
    err_console,
    print_json,
    print_record,
    print_table,
)
from skillmeat.core.collection import service
from skillmeat.core.pagination import MAX_PAGE

app = typer.Typer(help="The collection: what Claude Code installs from this machine.",
                  no_args_is_help=True)


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = MAX_PAGE,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Units with their origin, imported commit and local edits."""
    with context.reported():
        page = service.list_units(context.settings(), context.codec(), limit=limit,
                                  cursor=cursor)
    units = [UnitResponse.of(u) for u in page.items]
    if as_json:
        print_json({"items": [u.model_dump(mode="json") for u in units],
                    "next_cursor": page.next_cursor})
        return
    settings = context.settings()
    print_table(f"collection {settings.marketplace_name} in {settings.resolved_collection_dir}",
                ["name", "kind", "origin", "path", "commit", "local edits"],
                [(u.name, u.kind, u.source_url or "", u.path or "", (u.commit or "")[:12],
                  "yes" if u.local_edits else "") for u in units])
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}", style="dim", markup=False)


@app.command("show")
def show(name: str, as_json: JsonOpt = False) -> None:
    """One unit: its provenance, and which files differ from what was imported."""
    with context.reported():
        unit = UnitResponse.of(service.get_unit(context.settings(), name))
    if as_json:
        print_json(unit)
    else:
        print_record(f"{unit.kind} {unit.name}", unit.model_dump())


@app.command("remove")
def remove(name: str, as_json: JsonOpt = False) -> None:
    """Remove a unit (one git commit); its catalog entry goes back to new/updated/removed."""
    with context.reported("remove failed"):
        record = service.remove_unit(context.database(), context.settings(), name)
    out = RemovedResponse(name=record.name, entry_id=record.entry_id,
                          source_id=record.source_id)
    if as_json:
        print_json(out)
    else:
        console.print(f"removed {name}", markup=False)


@app.command("verify")
def verify(as_json: JsonOpt = False) -> None:
    """Re-hash every file against the lock and check marketplace.json, the lock and the
    folders agree; exits 1 on any problem."""
    with context.reported("verify failed"):
        report = service.verify(context.settings(), context.database())
    if as_json:
        print_json({"units": report.units, "ok": report.ok, "problems": report.problems})
    else:
        for problem in report.problems:
            err_console.print(problem, style="yellow", markup=False)
        console.print(f"{report.units} units, {len(report.problems)} problems", markup=False)
    if not report.ok:
        raise typer.Exit(1)
