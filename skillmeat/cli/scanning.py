"""`skillmeat sources scan|scans` and `skillmeat detect`."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from skillmeat.api.schemas.marketplace import ScanRecordResponse, ScanResultResponse
from skillmeat.cli import context
from skillmeat.cli.output import JsonOpt, console, err_console, print_json, print_table
from skillmeat.core.marketplace import history
from skillmeat.core.marketplace.readers.git import GitReader
from skillmeat.core.marketplace.scanning import ScanReport, detect_at, scan_source
from skillmeat.core.marketplace.vocabulary import CONFIDENCE_THRESHOLD

STAGES = {"resolving": "resolving ref", "listing and detecting": "reading and detecting",
          "merging": "merging into the catalog"}


def run_scan(source_id: str, *, quiet: bool = False) -> ScanReport:
    """Scan with a progress display on stderr; exits with a readable error on failure."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("starting", total=len(STAGES))

        def advance(stage: str) -> None:
            bar.update(task, description=STAGES.get(stage, stage), advance=1)

        with context.reported("scan failed"):
            return scan_source(context.database(), context.settings(), source_id,
                               progress=advance)


def scan(source_id: str, as_json: JsonOpt = False) -> None:
    """Scan a source now and merge what it finds into its catalog."""
    report = run_scan(source_id, quiet=as_json)
    if as_json:
        print_json(ScanResultResponse.of(report))
    elif report.already_scanned:
        console.print(f"unchanged: {source_id} is already scanned at {report.commit}")
    else:
        console.print(f"scanned {(report.commit or '')[:12]}: {report.artifacts} artifacts; "
                      f"{report.new} new, {report.updated} updated, {report.removed} removed "
                      f"in {report.duration_ms} ms")
        if report.imported_updates:
            console.print(f"{report.imported_updates} imported entries have updates: "
                          "skillmeat updates", markup=False)
        for problem in report.problems:  # repository text: no markup in it is interpreted
            err_console.print(f"problem: {problem}", style="yellow", markup=False)


def scans(source_id: str, as_json: JsonOpt = False) -> None:
    """Show the last scans of a source: when, which commit, what changed, errors."""
    with context.reported(), context.database().session(write=False) as session:
        items = [ScanRecordResponse.model_validate(s)
                 for s in history.recent_scans(session, source_id)]
    if as_json:
        print_json(items)
        return
    print_table(f"scans of {source_id}",
                ["started", "outcome", "commit", "new", "upd", "rem", "imported upd", "ms",
                 "error"],
                [(s.started_at, s.outcome, (s.commit_sha or "")[:12], s.new_count,
                  s.updated_count, s.removed_count, s.imported_updates_count, s.duration_ms,
                  s.error) for s in items])


def detect_command(
    target: Annotated[str, typer.Argument(help="A local repository path or a git URL.")],
    as_json: JsonOpt = False,
    min_confidence: Annotated[int, typer.Option(min=0, max=100)] = CONFIDENCE_THRESHOLD,
    ref: Annotated[str | None, typer.Option(help="Branch, tag or commit (default HEAD).")] = None,
    root: Annotated[str | None, typer.Option("--root", help="Only below this folder.")] = None,
) -> None:
    """Detect artifacts in a repository without touching the database (--json: a scan-result
    document for `skillmeat catalog apply`)."""
    with context.reported(), tempfile.TemporaryDirectory(prefix="skillmeat-detect-") as cache, \
            GitReader(target, ref, Path(cache)) as reader:
        commit = reader.resolve()
        _tree, found = detect_at(reader, commit, root, context.settings().max_tree_entries)
    shown = [a for a in found if a.confidence >= min_confidence]
    if as_json:
        paths = {a.path for a in shown if a.type == "plugin"}  # a hidden plugin links nothing
        doc = {"commit": commit, "artifacts": [
            {"type": a.type, "name": a.name, "path": a.path, "content_hash": a.content_hash,
             "confidence": a.confidence, "title": a.title, "description": a.description,
             "version": a.version, "score_breakdown": a.score_breakdown,
             "plugin_path": a.plugin_path if a.plugin_path in paths else None,
             "plugin_meta": a.plugin_meta} for a in shown]}
        print(json.dumps(doc, indent=2))
        return
    print_table(f"{len(shown)} artifacts at {commit[:12]}", ["type", "name", "path", "conf"],
                [(a.type, a.name, a.path, a.confidence) for a in shown])
