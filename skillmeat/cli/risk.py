""""What this can run": an entry's risk surface as `catalog show` prints it."""

from __future__ import annotations

from skillmeat.api.schemas.risk import RiskResponse
from skillmeat.cli.output import console


def _line(text: str) -> None:
    console.print(f"  {text}", markup=False, highlight=False)


def print_risk(risk: RiskResponse | None) -> None:
    console.print("What this can run", style="bold", markup=False)
    if risk is None:
        _line("nothing: no hooks, MCP servers, scripts or tool grants")
        return
    for hook in risk.hooks:
        on = f"{hook.event} ({hook.matcher})" if hook.matcher else hook.event
        _line(f"hook on {on}: " + (f"runs {hook.command}" if hook.command
                                    else f"asks a {hook.type}"))
        for script in hook.scripts:
            _line(f"  calls {script}")
    for server in risk.mcp_servers:
        runs = " ".join([server.command, *server.args]) if server.command else \
            f"connects to {server.url}"
        _line(f"MCP server {server.name}: {runs}")
        if server.env:
            _line(f"  env: {', '.join(server.env)}")
    for grant in risk.tools:
        flags = (["Bash"] if grant.bash else []) + grant.wildcards
        note = f"  [{', '.join(flags)}]" if flags else ""
        _line(f"tools of {grant.where}: {', '.join(grant.tools)}{note}")
    for exe in risk.executables:
        _line(f"script {exe.path}" + (f" ({exe.language})" if exe.language else ""))
    for runner in risk.unpinned:
        _line(f"unpinned: {runner.text} in {runner.where}: {runner.reason}")
    for url in risk.network:
        _line(f"network: {url}")
    if risk.truncated:
        _line("... more left out (each list is capped)")
