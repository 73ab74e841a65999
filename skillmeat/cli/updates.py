"""`skillmeat updates`, `skillmeat update NAME|--all`, `skillmeat collection pin|unpin NAME`:
reviewed updates through the same services as the API."""

from __future__ import annotations

from typing import Annotated

import typer

from skillmeat.api.schemas.updates import (
    PinResponse,
    PreviewResponse,
    UpdateResponse,
    UpdatesResponse,
)
from skillmeat.cli import context
from skillmeat.cli.output import JsonOpt, console, err_console, print_json, print_table
from skillmeat.core.collection import updates
from skillmeat.core.collection.updates import LocalEdits

MAX_DIFF_LINES = 400  # per file, in the terminal; the API has the whole (capped) diff


def updates_command(as_json: JsonOpt = False) -> None:
    """Units with upstream changes, with what they could run then and can run now."""
    with context.reported():
        found = UpdatesResponse.of(updates.list_updates(context.database(), context.settings()))
    if as_json:
        print_json(found)
        return
    print_table(f"updates ({found.count})", ["name", "kind", "origin", "commit", "upstream",
                                             "can run", "change"],
                [(u.name, u.kind, u.source_url or "", (u.commit or "")[:7],
                  (u.upstream_commit or "")[:7], u.risk_now or "nothing",
                  ", ".join(u.risk_difference)) for u in found.items])
    for u in found.pinned:
        console.print(f"{u.name} is pinned at {(u.commit or '?')[:7]}: not offered "
                      "(skillmeat collection unpin to update)", style="dim", markup=False)


def _print_preview(p: PreviewResponse) -> None:
    console.print(f"{p.name}: {(p.commit or '?')[:7]} → {p.upstream_commit[:7]}  "
                  f"({p.counts['added']} added, {p.counts['removed']} removed, "
                  f"{p.counts['modified']} modified)", style="bold", markup=False)
    console.print("What changes in what it can run", style="bold", markup=False)
    for line in p.risk_changes or ["nothing"]:
        console.print(f"  {line}", markup=False, highlight=False)
    for f in p.files:
        edited = "  (edited locally)" if f.local_edit else ""
        console.print(f"{f.status} {f.path}{edited}", style="bold", markup=False)
        if f.binary:
            console.print(f"  binary, {f.old_size} → {f.new_size} bytes", markup=False)
        lines = (f.diff or "").splitlines()
        for line in lines[:MAX_DIFF_LINES]:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            console.print(line, style=style, markup=False, highlight=False)
        if len(lines) > MAX_DIFF_LINES or f.note:
            console.print(f"  ({f.note or 'more in the API preview'})", style="dim",
                          markup=False)
    if p.local_edits:
        console.print("edited locally since import: " + ", ".join(p.local_edits),
                      style="yellow", markup=False)


def _apply(name: str, mode: LocalEdits) -> UpdateResponse:
    with context.reported("update failed"):
        return UpdateResponse.of(updates.update_unit(context.database(), context.settings(),
                                                     name, mode))


def _say(done: UpdateResponse) -> None:
    console.print(f"{done.message} (version {done.version})", markup=False)
    if done.backup_branch:
        console.print(f"local edits kept on branch {done.backup_branch} of the collection",
                      markup=False)
    if done.kept:
        console.print("left as edited: " + ", ".join(done.kept), markup=False)


def update_command(
    name: Annotated[str | None, typer.Argument(help="The unit to update.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every unpinned unit with upstream "
                                       "changes and no local edits.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    on_local_edits: Annotated[LocalEdits, typer.Option(
        help="refuse, overwrite (edited copy on a backup branch) or keep.")] = LocalEdits.REFUSE,
    as_json: JsonOpt = False,
) -> None:
    """Show what an update brings (files, diffs, what it can run), then apply it."""
    if all_ == (name is not None):
        raise context.fail("name one unit or pass --all", code=2)
    if name is None:
        _update_all(yes, as_json)
        return
    with context.reported():
        preview = PreviewResponse.of(updates.preview_update(context.database(),
                                                            context.settings(), name))
    if not as_json:
        _print_preview(preview)
    if not yes and not typer.confirm(f"Update {name}?", default=False):
        raise typer.Exit(1)
    done = _apply(name, on_local_edits)
    if as_json:
        print_json({"preview": preview.model_dump(mode="json"),
                    "update": done.model_dump(mode="json")})
    else:
        _say(done)


def _update_all(yes: bool, as_json: bool) -> None:
    from skillmeat.core.collection.service import get_unit

    with context.reported():
        found = updates.list_updates(context.database(), context.settings())
        ready = [u.record.name for u in found.items
                 if not get_unit(context.settings(), u.record.name).local_edits]
    skipped = sorted({u.record.name for u in found.items} - set(ready))
    for n in skipped:
        err_console.print(f"{n}: local edits; update it by name", style="yellow", markup=False)
    if not ready:
        console.print("nothing to update", markup=False)
        return
    if not yes and not typer.confirm(f"Update {', '.join(ready)}?", default=False):
        raise typer.Exit(1)
    results = [_apply(n, LocalEdits.REFUSE) for n in ready]
    if as_json:
        print_json({"updated": [r.model_dump(mode="json") for r in results],
                    "skipped": skipped})
    else:
        for r in results:
            _say(r)


def pin_command(name: str, as_json: JsonOpt = False) -> None:
    """Pin a unit: it is never offered for update until unpinned."""
    _pin(name, True, as_json)


def unpin_command(name: str, as_json: JsonOpt = False) -> None:
    """Unpin a unit: updates are offered again."""
    _pin(name, False, as_json)


def _pin(name: str, pinned: bool, as_json: bool) -> None:
    with context.reported():
        out = PinResponse.of(updates.set_pin(context.database(), context.settings(), name,
                                             pinned))
    if as_json:
        print_json(out)
    else:
        console.print(f"{name} {'pinned at ' + (out.commit or '?')[:7] if pinned else 'unpinned'}",
                      markup=False)
