"""The `skillmeat` command."""

from __future__ import annotations

from typing import Annotated

import typer

from skillmeat.cli import (
    catalog,
    collection,
    exclusions,
    importing,
    scanning,
    search,
    sources,
    updates,
)

app = typer.Typer(help="SkillMeat Marketplace: a catalog of Claude Code artifacts.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
sources.app.command("scan")(scanning.scan)
sources.app.command("scans")(scanning.scans)
app.command("detect")(scanning.detect_command)
app.command("search")(search.search_command)
catalog.app.command("import")(importing.import_command)
catalog.app.command("show")(importing.show_command)
app.command("updates")(updates.updates_command)
app.command("update")(updates.update_command)
collection.app.command("pin")(updates.pin_command)
collection.app.command("unpin")(updates.unpin_command)
app.add_typer(sources.app, name="sources")
app.add_typer(catalog.app, name="catalog")
app.add_typer(exclusions.rules_app, name="rules")
app.add_typer(exclusions.transfer_app, name="exclusions")
app.add_typer(collection.app, name="collection")
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the latest schema."""
    from skillmeat.cache import migrate
    from skillmeat.cli.context import settings
    from skillmeat.cli.output import console

    migrate.upgrade(settings().resolved_database_url)
    console.print(f"database at revision {migrate.head_revision()}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8080).")] = None,
    insecure_no_auth: Annotated[bool, typer.Option(
        "--insecure-no-auth", help="Allow a non-loopback bind without SKILLMEAT_API_TOKEN.")
    ] = False,
) -> None:
    """Run the API server and web UI (migrates the database first)."""
    import uvicorn

    from skillmeat.api.app import create_app
    from skillmeat.cache import migrate
    from skillmeat.cli import context
    from skillmeat.config import is_loopback
    from skillmeat.logging_setup import configure_logging

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = context.settings().model_copy(update=overrides)
    if not is_loopback(settings.host) and not settings.auth_enabled and not insecure_no_auth:
        raise context.fail(f"refusing to serve on {settings.host} without SKILLMEAT_API_TOKEN; "
                           "set a token or pass --insecure-no-auth", code=2)
    configure_logging()
    migrate.upgrade(settings.resolved_database_url)
    # Forwarded headers count only from configured proxies (uvicorn would trust loopback).
    proxies = ",".join(settings.trusted_proxies)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="warning", access_log=False, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)


if __name__ == "__main__":
    app()
