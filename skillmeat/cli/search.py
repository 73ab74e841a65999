"""`skillmeat search QUERY`: find artifacts across every source."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from skillmeat.api.schemas.search import SearchResponse
from skillmeat.cli import context
from skillmeat.cli.output import JsonOpt, console, print_json, print_table
from skillmeat.core.marketplace import search as service
from skillmeat.core.marketplace.vocabulary import ArtifactType
from skillmeat.core.pagination import MAX_PAGE


def search_command(
    query: Annotated[str, typer.Argument(help="Words to find; all must match.")],
    type_: Annotated[list[str] | None, typer.Option(
        "--type", help=", ".join(ArtifactType) + " (repeatable)")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="A source id (repeatable).")] = None,
    include_excluded: Annotated[bool, typer.Option("--include-excluded")] = False,
    group: Annotated[bool, typer.Option("--group", help="One hit per content hash.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search every source's catalog: names first, then titles, descriptions, paths, tags."""
    for kind in type_ or ():
        if kind not in ArtifactType.__members__.values():
            raise context.fail(f"--type must be one of {', '.join(ArtifactType)}", code=2)
    f = service.SearchFilter(tuple(type_ or ()), tuple(source or ()),
                             include_excluded=include_excluded, group=group)
    with context.reported(), context.database().session(write=False) as session:
        result = SearchResponse.of(service.search(session, context.codec(), query, f,
                                                  limit=limit, cursor=cursor))
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    print_table(f"search: {' '.join(result.words)}",
                ["type", "name", "source", "path", "matched", "also in"],
                [(h.entry.artifact_type, h.entry.name, h.repo_name, h.entry.path,
                  "".join(f"[bold]{escape(p.text)}[/bold]" if p.hit else escape(p.text)
                          for p in h.snippet),
                  h.also_in or "") for h in result.items])
    if result.facets is not None:
        counts = ", ".join(f"{k} {v}" for k, v in result.facets.by_type.items())
        console.print(f"by type: {counts or 'no hits'}"
                      + (" (at least)" if result.facets.capped else ""))
    if result.page_info.next_cursor:
        console.print(f"more: --cursor {result.page_info.next_cursor}")
