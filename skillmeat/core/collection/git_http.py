"""Serve the collection read-only over git's smart HTTP protocol (upload-pack only).

`git upload-pack --stateless-rpc` answers both requests of a fetch or clone (shallow ones
included); it runs with the bounded environment of every git call here, its output streamed
to the client as it comes, and killed when the client goes away or the deadline passes.
Nothing but the ref advertisement and upload-pack is served: no receive-pack, no dumb
protocol files.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

from skillmeat.core.errors import InvalidInput
from skillmeat.core.marketplace.readers.git_process import git_env

SERVICE = "git-upload-pack"
ADVERTISEMENT = "application/x-git-upload-pack-advertisement"
RESULT = "application/x-git-upload-pack-result"
MAX_REQUEST_BYTES = 8 << 20  # wants and haves, inflated
CHUNK = 64 << 10
_PROTOCOL = re.compile(r"^version=[0-2]$")


def pkt_line(text: str) -> bytes:
    data = text.encode()
    return f"{len(data) + 4:04x}".encode() + data


def _env(git_protocol: str | None) -> dict[str, str]:
    env = git_env("")
    if git_protocol and _PROTOCOL.match(git_protocol):  # version=2: the client asks for v2
        env["GIT_PROTOCOL"] = git_protocol
    return env


def inflate(body: bytes, encoding: str | None) -> bytes:
    """The request body, gunzipped when git sent it compressed, within a budget."""
    if not encoding:
        return body
    if encoding.strip().lower() not in ("gzip", "x-gzip"):
        raise InvalidInput(f"unsupported content encoding {encoding!r}")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_REQUEST_BYTES + 1)
    except zlib.error:
        raise InvalidInput("request body is not valid gzip") from None
    if len(out) > MAX_REQUEST_BYTES or inflater.unconsumed_tail:
        raise InvalidInput("request body is too large once inflated")
    return out


async def upload_pack(root: Path, body: bytes | None, git_protocol: str | None,
                      deadline: float) -> AsyncIterator[bytes]:
    """Stream `git upload-pack --stateless-rpc` output: the advertisement when `body` is
    None (with the service header smart clients expect, except under protocol v2), else the
    answer to `body`."""
    args = ["--advertise-refs"] if body is None else []
    env = _env(git_protocol)
    proc = await asyncio.create_subprocess_exec(
        "git", "-c", "uploadpack.allowFilter=true", "upload-pack", "--stateless-rpc",
        "--strict", f"--timeout={int(deadline)}", *args, str(root / ".git"),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        if body is None and "GIT_PROTOCOL" not in env:
            yield pkt_line(f"# service={SERVICE}\n") + b"0000"
        if body is not None:
            proc.stdin.write(body)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.drain()
        proc.stdin.close()
        while True:
            chunk = await asyncio.wait_for(proc.stdout.read(CHUNK), timeout=deadline)
            if not chunk:
                break
            yield chunk
        await asyncio.wait_for(proc.wait(), timeout=deadline)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
