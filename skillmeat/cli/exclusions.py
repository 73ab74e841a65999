"""`skillmeat rules ...` and `skillmeat exclusions ...`: a source's exclusion rules, and
exclusions carried between instances."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from skillmeat.api.schemas.exclusions import (
    ExclusionDocument,
    ImportReportResponse,
    RuleDryRunResponse,
    RuleResponse,
)
from skillmeat.cli import context
from skillmeat.cli.output import JsonOpt, console, print_json, print_table
from skillmeat.core.marketplace import exclusion_io, rules
from skillmeat.core.marketplace.parsing import load_json
from skillmeat.core.marketplace.vocabulary import Actor, ArtifactType

rules_app = typer.Typer(help="Exclusion rules of a source (gitignore patterns).",
                        no_args_is_help=True)
transfer_app = typer.Typer(help="Export and import every exclusion and rule.",
                           no_args_is_help=True)


@rules_app.command("list")
def list_rules(source_id: str, as_json: JsonOpt = False) -> None:
    """A source's rules, each with the number of entries it excludes now."""
    with context.reported(), context.database().session(write=False) as session:
        items = [RuleResponse.of(rule, n) for rule, n in rules.list_rules(session, source_id)]
    if as_json:
        print_json([i.model_dump(mode="json") for i in items])
        return
    print_table(f"rules of {source_id}", ["id", "pattern", "type", "origin", "excludes",
                                          "reason"],
                [(r.id, r.pattern, r.artifact_type or "any", r.origin, r.excluded_count,
                  r.reason or "") for r in items])


@rules_app.command("add")
def add_rule(
    source_id: str,
    pattern: Annotated[str, typer.Argument(help="gitignore syntax on the entry path.")],
    type_: Annotated[str | None, typer.Option("--type", help=", ".join(ArtifactType))] = None,
    reason: Annotated[str | None, typer.Option(help="Why these are not artifacts.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count the matches.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a rule: it excludes what it matches now and on every scan."""
    with context.reported(), context.database().session(write=not dry_run) as session:
        if dry_run:
            dry = RuleDryRunResponse.of(rules.dry_run(session, source_id, pattern, type_))
        else:
            rule = RuleResponse.of(*rules.add_rule(session, source_id, pattern, type_, reason,
                                                   actor=Actor.CLI))
    if dry_run:
        if as_json:
            print_json(dry)
            return
        console.print(f"would exclude {dry.would_exclude}")
        for item in dry.items:
            console.print(f"  {item.artifact_type} {item.path}")
        return
    if as_json:
        print_json(rule)
    else:
        console.print(f"added rule {rule.id}: excluded {rule.excluded_count}")


@rules_app.command("rm")
def remove_rule(source_id: str, rule_id: str, as_json: JsonOpt = False) -> None:
    """Delete a rule; exactly the entries it excluded are restored."""
    with context.reported(), context.database().session() as session:
        restored = rules.delete_rule(session, source_id, rule_id, actor=Actor.CLI)
    if as_json:
        print_json({"restored": restored})
    else:
        console.print(f"deleted rule {rule_id}: restored {restored}")


@transfer_app.command("export")
def export(file: Annotated[Path | None, typer.Argument(help="Write here (default stdout).")]
           = None) -> None:
    """Every rule and hand-made exclusion, keyed by repository URL, type and path."""
    with context.reported(), context.database().session(write=False) as session:
        doc = exclusion_io.export_document(session)
    text = json.dumps(doc, indent=2)
    if file is None or str(file) == "-":
        sys.stdout.write(text + "\n")
    else:
        file.write_text(text + "\n")
        console.print(f"wrote {sum(len(s['exclusions']) for s in doc['sources'])} exclusions "
                      f"and {sum(len(s['rules']) for s in doc['sources'])} rules to {file}")


@transfer_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="An exported document ('-': stdin).")],
            as_json: JsonOpt = False) -> None:
    """Apply an exported document to the sources with the same repository URLs."""
    try:
        raw = typer.get_binary_stream("stdin").read() if str(file) == "-" else file.read_bytes()
        doc = ExclusionDocument.model_validate(
            load_json(raw, max_bytes=context.settings().max_scan_result_bytes))
    except ValueError as exc:  # unreadable, too large, too deep, not the format
        raise context.fail(f"cannot import {file}: {exc}") from None
    except OSError as exc:
        raise context.fail(f"cannot read {file}: {exc}") from None
    with context.reported(), context.database().session() as session:
        report = ImportReportResponse.model_validate(
            exclusion_io.import_document(session, doc.items(), actor=Actor.CLI))
    if as_json:
        print_json(report)
        return
    console.print(f"{report.sources_matched} sources matched, "
                  f"{len(report.sources_unmatched)} not here; rules: {report.rules_added} "
                  f"added, {report.rules_existing} already; exclusions: {report.excluded} "
                  f"applied, {report.already_excluded} already, {report.unmatched_count} "
                  "unmatched")
    for miss in report.unmatched:
        console.print(f"  unmatched: {miss['repo_url']} {miss['artifact_type']} {miss['path']}")
