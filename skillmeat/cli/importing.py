"""`skillmeat catalog import` and `skillmeat catalog show`."""

from __future__ import annotations

from typing import Annotated

import typer
import yaml
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from skillmeat.api.schemas.imports import ArtifactFilesResponse, FileContentResponse, ImportResponse
from skillmeat.api.schemas.marketplace import CatalogEntryDetailResponse
from skillmeat.cli import context
from skillmeat.cli.catalog import add_source_command, plugin_members, print_members
from skillmeat.cli.output import (
    JsonOpt,
    console,
    err_console,
    print_json,
    print_record,
    print_table,
)
from skillmeat.cli.risk import print_risk
from skillmeat.core.collection import service as collection
from skillmeat.core.marketplace import browsing, catalog, importing
from skillmeat.core.marketplace.vocabulary import ConflictStrategy


def import_command(
    source_id: str,
    entry_ids: Annotated[list[str], typer.Argument(help="Catalog entry ids to import.")],
    strategy: Annotated[ConflictStrategy | None, typer.Option(
        help="When the plugin name is taken: skip it, overwrite it, or rename the new one. "
             "Unset: refused when another origin holds the name.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy entries into the local collection, at the commit of the last scan."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("reading", total=len(entry_ids))

        def advance(name: str) -> None:
            bar.update(task, description=f"read {name}", advance=1)

        with context.reported("import failed"):
            result = importing.import_entries(
                context.database(), context.settings(), source_id, entry_ids, strategy,
                progress=advance)
    collection.pack(context.settings())
    response = ImportResponse.of(result)
    if as_json:
        print_json(response)
        return
    # The CLI runs on this machine: the collection's own path is what a person wants to see.
    print_table(f"import {response.import_id} into {result.collection_dir}",
                ["entry", "type", "name", "outcome", "written to", "files"],
                [(i.entry_id, i.artifact_type, i.name, i.outcome, i.path, i.file_count)
                 for i in response.items])
    for item in response.items:
        for skipped in item.skipped_files:
            err_console.print(f"left out {item.name}/{skipped.path}: {skipped.reason}",
                              style="yellow", markup=False)
        for warning in item.warnings:
            err_console.print(f"warning: {item.name}: {warning}", style="yellow", markup=False)


def show_command(
    source_id: str,
    entry_id: Annotated[str, typer.Argument(help="An entry id, or a plugin's name.")],
    as_json: JsonOpt = False,
) -> None:
    """Show an entry: its catalog record, its files, and its main file's frontmatter; a
    plugin's members; for a remote plugin, how to add its repository as a source."""
    db, settings = context.database(), context.settings()
    with context.reported():
        with db.session(write=False) as session:
            entry = CatalogEntryDetailResponse.of(catalog.find_entry(session, source_id, entry_id))
            members = plugin_members(session, source_id, entry)
        remote = add_source_command(entry)
        if remote is None:
            files = ArtifactFilesResponse.of(browsing.list_files(
                db, settings, context.codec(), source_id, entry.id))
            main = files.main_file
            view = browsing.read_file(db, settings, source_id, entry.id, main) if main else None
    if remote is not None:  # its files are in another repository: nothing to list here
        if as_json:
            print_json({"entry": entry.model_dump(mode="json"), "members": [],
                        "add_source_command": remote})
        else:
            print_record(f"{entry.artifact_type} {entry.name}", entry.model_dump(exclude={"risk"}))
            print_members(entry, members)
        return
    content = FileContentResponse.model_validate(view) if view else None
    if as_json:
        print_json({"entry": entry.model_dump(mode="json"),
                    "members": [m.model_dump(mode="json") for m in members],
                    "files": files.model_dump(mode="json"),
                    "main_file": content.model_dump(mode="json") if content else None})
        return
    print_record(f"{entry.artifact_type} {entry.name}", entry.model_dump(exclude={"risk"}))
    print_risk(entry.risk)
    print_members(entry, members)
    print_table(f"files at {files.commit[:12]} in {files.root or '/'}", ["path", "size", "note"],
                [(m.path, m.size, m.problem or "") for m in files.files])
    if files.page_info.has_more:
        console.print(f"showing the first {len(files.files)}; the artifact has "
                      f"{files.file_count:,} files",
                      style="dim", markup=False)
    if files.problem:
        console.print(f"not importable: {files.problem}", style="yellow", markup=False)
    if content is None or content.frontmatter is None and content.frontmatter_error is None:
        return
    console.print(f"frontmatter of {content.path}", style="bold", markup=False)
    if content.frontmatter_error:
        console.print(content.frontmatter_error, style="red", markup=False)
    else:
        console.print(yaml.safe_dump(content.frontmatter, sort_keys=False,
                                     allow_unicode=True).rstrip(), markup=False)
