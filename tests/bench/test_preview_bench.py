"""The preview benchmark's plugin and update exercise every part of a preview."""

from __future__ import annotations

from bench.bench_preview import plugin, update
from skillmeat.core.review.preview import preview


def test_the_benchmark_update_changes_files_and_what_the_plugin_runs() -> None:
    old = plugin(60)
    result = preview(old, update(old))
    statuses = {f.status for f in result.files.files}
    assert statuses == {"added", "removed", "modified"}
    assert all(f.diff for f in result.files.files if f.status == "modified")
    assert "new hook on SessionStart runs `./scripts/x.sh`" in result.risk_changes
    assert "MCP server `db` now runs `npx db-mcp@latest` (was `npx db-mcp@1.2.0`)" in \
        result.risk_changes
