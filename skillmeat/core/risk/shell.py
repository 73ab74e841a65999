"""Read command lines and scripts as text: which URLs they name, which packages they fetch at
whatever version is newest, which of the artifact's scripts they call. Nothing is run."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

from skillmeat.core.risk.model import clip

SCRIPT_EXTENSIONS = {
    ".sh": "bash", ".bash": "bash", ".zsh": "zsh", ".py": "python", ".js": "node",
    ".mjs": "node", ".cjs": "node", ".ts": "typescript", ".rb": "ruby", ".pl": "perl",
    ".ps1": "powershell", ".php": "php", ".lua": "lua",
}  # fmt: skip
_ROOT_VARS = ("${CLAUDE_PLUGIN_ROOT}", "$CLAUDE_PLUGIN_ROOT", "${CLAUDE_PROJECT_DIR}",
              "$CLAUDE_PROJECT_DIR", "${CLAUDE_SKILL_DIR}", "$CLAUDE_SKILL_DIR")
_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"`<>(){}\[\]\\|]+")
_PIPE_TO_SHELL = re.compile(
    r"\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k)?sh\b"
    r"|\b(?:ba|z)?sh\s+<\(\s*(?:curl|wget)\b[^)\n]*\)")
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")"})
_MOVING = frozenset({"latest", "next", "canary", "beta", "alpha", "rc", "*", "x", ""})
_EXACT = re.compile(r"v?\d+\.\d+\.\d+[\w.+-]*")
_NPM_RUNNERS = {("npx",), ("bunx",), ("pnpx",), ("pnpm", "dlx"), ("yarn", "dlx"),
                ("npm", "exec"), ("bun", "x")}
_PIP = {("pip", "install"), ("pip3", "install"), ("uv", "pip", "install"),
        ("python", "-m", "pip", "install"), ("python3", "-m", "pip", "install")}
_PIP_TAKES_VALUE = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable",
                              "-i", "--index-url", "--extra-index-url", "-t", "--target",
                              "--prefix", "-f", "--find-links"})
_NPX_TAKES_VALUE = frozenset({"-p", "--package", "-c", "--call", "--cwd"})
_UVX_TAKES_VALUE = frozenset({"--with", "--python", "-p", "--index", "--index-url"})
# Lines that may hold a runner: the rest of a script is never tokenised.
_TRIGGER = re.compile(r"\b(?:npx|bunx|pnpx|dlx|exec|bun|uvx|uv|pip3?|curl|wget)\b")
MAX_SCAN_CHARS = 64 << 10  # of one script: runners and URLs sit near the top


def urls(text: str) -> list[str]:
    """URLs named in `text`, in order, each once."""
    found = (clip(m.group().rstrip(".,;:!?'\""), 300) for m in _URL.finditer(text))
    return list(dict.fromkeys(u for u in found if "://" in u and not u.endswith("://")))


def runners(text: str) -> list[tuple[str, str]]:
    """(runner as written, why it is unpinned) for every line of `text`."""
    out: list[tuple[str, str]] = []
    seen = 0
    text = text[:MAX_SCAN_CHARS]
    for match in _TRIGGER.finditer(text):
        if match.start() < seen:
            continue  # a second trigger on a line already read
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        seen = end = len(text) if end < 0 else end
        stripped = text[start:end].strip()
        if stripped.startswith(("#", "//")):
            continue
        out.extend((clip(m.group(), 200), "pipes a download into a shell")
                   for m in _PIPE_TO_SHELL.finditer(stripped))
        for words in _commands(stripped):
            out.extend(_unpinned(words))
    return list(dict.fromkeys(out))


def runners_in_argv(argv: list[str]) -> list[tuple[str, str]]:
    """Unpinned runners of a command given as a list (an MCP server's command and args)."""
    return list(dict.fromkeys(_unpinned(argv)))


def scripts(command: str) -> list[str]:
    """Files a hook command calls, relative to the artifact's root when it names the root."""
    out = []
    for words in _commands(command):
        for word in words:
            path = _script_path(word)
            if path:
                out.append(path)
    return list(dict.fromkeys(out))


def language_of(path: str, head: bytes) -> tuple[str | None, str | None]:
    """(language, shebang line) of a script, from its first line or else its extension."""
    shebang = None
    if head.startswith(b"#!"):
        shebang = head[:200].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        words = shebang[2:].split()
        if words and words[0].endswith("/env"):
            words = [w for w in words[1:] if not w.startswith("-")]
        prog = words[0].rsplit("/", 1)[-1] if words else ""
        if prog == "uv":
            return "python", shebang
        base = prog.rstrip("0123456789.")
        return ({"sh": "sh", "bash": "bash", "zsh": "zsh", "python": "python", "node": "node",
                 "deno": "typescript", "bun": "typescript", "ruby": "ruby", "perl": "perl",
                 "pwsh": "powershell", "php": "php"}.get(base, base or None), shebang)
    dot = path.rfind(".")
    return (SCRIPT_EXTENSIONS.get(path[dot:].lower()) if dot > path.rfind("/") else None), None


def _commands(line: str) -> Iterator[list[str]]:
    """The simple commands of a shell line, as words (shell-quoted, best effort)."""
    try:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:  # an unclosed quote: read it word by word
        words = line.split()
    current: list[str] = []
    for word in words:
        if word in _SEPARATORS:
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def _unpinned(words: list[str]) -> Iterator[tuple[str, str]]:
    for i in range(len(words)):
        for prefix in _NPM_RUNNERS:
            if tuple(words[i : i + len(prefix)]) == prefix:
                yield from _npm(words, i + len(prefix), " ".join(prefix))
        if words[i] == "uvx" or words[i : i + 3] == ["uv", "tool", "run"]:
            yield from _uvx(words, i + (1 if words[i] == "uvx" else 3))
        for prefix in _PIP:
            if tuple(words[i : i + len(prefix)]) == prefix:
                yield from _pip(words, i + len(prefix), " ".join(prefix))


def _npm(words: list[str], start: int, runner: str) -> Iterator[tuple[str, str]]:
    i = start
    while i < len(words):
        word = words[i]
        if word in _NPX_TAKES_VALUE and i + 1 < len(words):
            if word in ("-p", "--package") and not _npm_pinned(words[i + 1]):
                yield f"{runner} {word} {words[i + 1]}", "runs the newest version of a package"
            i += 2
            continue
        if word == "--" or word.startswith("-"):
            i += 1
            continue
        if not _npm_pinned(word):
            yield f"{runner} {word}", "runs the newest version of a package"
        return


def _npm_pinned(spec: str) -> bool:
    if spec.startswith((".", "/", "$")):
        return True  # a local path, not a download
    if "://" in spec or spec.startswith(("github:", "git+")):
        return "#" in spec
    at = spec.find("@", 1)
    return at > 0 and _exact(spec[at + 1 :])


def _exact(version: str) -> bool:
    return version.lower() not in _MOVING and _EXACT.fullmatch(version) is not None


def _uvx(words: list[str], start: int) -> Iterator[tuple[str, str]]:
    i = start
    source: str | None = None
    while i < len(words):
        word = words[i]
        if word == "--from" and i + 1 < len(words):
            source = words[i + 1]
            i += 2
        elif word in _UVX_TAKES_VALUE:
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            break
    spec = source if source is not None else (words[i] if i < len(words) else "")
    if not spec:
        return
    if spec.startswith("git+"):
        if not _git_revision(spec):
            yield f"uvx --from {spec}", "runs a git repository at whatever commit is newest"
    elif not _python_pinned(spec):
        yield f"uvx {spec}", "runs the newest version of a package"


def _pip(words: list[str], start: int, runner: str) -> Iterator[tuple[str, str]]:
    i = start
    while i < len(words):
        word = words[i]
        if word in _PIP_TAKES_VALUE:
            i += 2
            continue
        i += 1
        if word.startswith("-") or word.startswith((".", "/", "$")) or \
                word.endswith((".whl", ".tar.gz", ".zip")):
            continue
        if word.startswith("git+"):
            if not _git_revision(word):
                yield f"{runner} {word}", "installs a git repository at whatever commit is newest"
        elif not _python_pinned(word):
            yield f"{runner} {word}", "installs the newest version of a package"


def _python_pinned(spec: str) -> bool:
    if "==" in spec:
        return _exact(spec.split("==", 1)[1].lstrip("=")) or spec.split("==", 1)[1][:1].isdigit()
    at = spec.find("@", 1)
    return at > 0 and _exact(spec[at + 1 :])


def _git_revision(url: str) -> bool:
    """Whether a `git+` URL names a revision (`@rev` after the host, or `#rev`)."""
    rest = url.split("://", 1)[-1]
    path = rest.partition("/")[2]
    return "@" in path or "#" in url


def _script_path(word: str) -> str | None:
    path = word
    for var in _ROOT_VARS:
        if path.startswith(var):
            path = path[len(var) :].lstrip("/")
            break
    else:
        dot = path.rfind(".")
        if dot <= path.rfind("/") or path[dot:].lower() not in SCRIPT_EXTENSIONS \
                or path.startswith("-") or "://" in path:
            return None
    while path.startswith("./"):
        path = path[2:]
    return clip(path, 300) if path and ".." not in path.split("/") else None
