"""Response models of "What this can run" (the risk surface core.risk computes)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class HookOut(_Out):
    event: str
    matcher: str | None
    type: str = Field(description="command, or prompt/agent (which run no program)")
    command: str | None
    scripts: list[str] = Field(description="Files the command calls (relative to the plugin "
                                           "root when it names ${CLAUDE_PLUGIN_ROOT}).")
    where: str = Field(description="The file that declares the hook, relative to the entry.")


class McpServerOut(_Out):
    name: str
    command: str | None
    args: list[str]
    env: list[str] = Field(description="Names of the environment variables it is given "
                                       "(values are never shown).")
    url: str | None = Field(description="The URL of a remote server.")
    transport: str | None
    where: str


class ToolGrantOut(_Out):
    where: str
    tools: list[str]
    bash: bool
    wildcards: list[str]


class ExecutableOut(_Out):
    path: str
    language: str | None
    shebang: str | None


class RunnerOut(_Out):
    text: str = Field(description='The runner as written, e.g. "npx pkg@latest".')
    reason: str
    where: str


class RiskResponse(_Out):
    hooks: list[HookOut]
    mcp_servers: list[McpServerOut]
    tools: list[ToolGrantOut]
    executables: list[ExecutableOut]
    network: list[str]
    unpinned: list[RunnerOut]
    truncated: bool = Field(description="Some items were left out (each list is capped).")
