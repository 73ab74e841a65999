"""What an artifact can run: hooks, MCP servers, tools, scripts, network, unpinned runners."""

from skillmeat.core.risk.model import Risk, combine, summary
from skillmeat.core.risk.surface import risk_of_files

__all__ = ["Risk", "combine", "risk_of_files", "summary"]
