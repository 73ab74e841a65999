"""The updates listing words a change of what a unit can run from two stored summaries."""

from __future__ import annotations

from skillmeat.core.risk.difference import summary_difference


def test_counts_and_flags_that_moved() -> None:
    assert summary_difference("1 hook · 2 scripts", "2 hooks · 1 MCP server · Bash · 2 scripts") \
        == ("+1 hook", "+1 MCP server", "now Bash")
    assert summary_difference("3 scripts · tool wildcards · Bash", "1 script") == \
        ("-2 scripts", "no longer tool wildcards", "no longer Bash")
    assert summary_difference(None, "1 network endpoint") == ("+1 network endpoint",)
    assert summary_difference("1 hook", "1 hook") == ()
    assert summary_difference("2 hooks", None) == ("-2 hooks",)
