"""Parse what a repository holds within budgets: every YAML and JSON reader goes through here.

A few hundred bytes of YAML can name a billion nodes through nested aliases, and a few
kilobytes of JSON brackets can exhaust the interpreter's stack. Both are refused before they
cost anything: YAML is capped in size and composed node by node with a budget that counts
every alias as the nodes it stands for; JSON is capped in size and its nesting is measured
before the parser sees it.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import Node
from yaml.resolver import Resolver

MAX_YAML_BYTES = 64 << 10  # frontmatter is a few fields; more is data, not metadata
MAX_YAML_NODES = 10_000  # nodes as if every alias were written out in full
MAX_YAML_DEPTH = 50
MAX_YAML_TEXT = 256 << 10  # characters of scalars, aliases written out
MAX_JSON_BYTES = 1 << 20  # manifests and configs; bigger files are data, not configuration
MAX_JSON_DEPTH = 64


class OverBudget(ValueError):
    """Content refused for its size or shape; the message says which, for a person."""


class _BudgetComposer(Composer):
    """A composer that stops at the first node past the budget.

    An alias costs what it names (its anchor's nodes and text), so a tree of aliases is
    charged what it would expand to, not the few bytes it is written in. An alias to an
    anchor that is still open (a recursive structure) is refused: nothing could print it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._nodes = 0
        self._chars = 0
        self._depth = 0
        self._weights: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, characters)
        self._open: set[str] = set()

    def _spend(self, nodes: int, chars: int) -> None:
        self._nodes += nodes
        self._chars += chars
        if self._nodes > MAX_YAML_NODES:
            raise OverBudget(f"YAML expands to more than {MAX_YAML_NODES:,} nodes "
                             "(aliases count as what they repeat)")
        if self._chars > MAX_YAML_TEXT:
            raise OverBudget(f"YAML expands to more than {MAX_YAML_TEXT // 1024} KiB of text "
                             "(aliases count as what they repeat)")

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]  # the parser's, mixed in
        anchor = event.anchor
        if isinstance(event, AliasEvent):
            if anchor in self._open:
                raise OverBudget("YAML alias refers to a node that contains it")
            self._spend(*self._weights.get(anchor, (1, 0)))
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise OverBudget(f"YAML is nested deeper than {MAX_YAML_DEPTH} levels")
        start = (self._nodes, self._chars)
        self._spend(1, len(getattr(event, "value", "") or ""))
        if anchor is not None:
            self._open.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open.discard(anchor)
            self._weights[anchor] = (self._nodes - start[0], self._chars - start[1])
        self._depth -= 1
        return node


def _loader_class() -> type:
    """The budgeted loader: libyaml's parser when present (fast), else PyYAML's own."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class PyLoader(Reader, Scanner, Parser, _BudgetComposer, SafeConstructor, Resolver):
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)
                _BudgetComposer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)

        return PyLoader

    # The composer comes first so its budgeted compose_node wins over libyaml's own.
    class CLoader(_BudgetComposer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _BudgetComposer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return CLoader


_Loader = _loader_class()


def load_yaml(text: str) -> Any:
    """One YAML document, safe types only. OverBudget when too big, deep or expansive;
    yaml.YAMLError when it is not YAML."""
    # Characters first (cheap; never more than the bytes), then the bytes themselves.
    if len(text) > MAX_YAML_BYTES or len(text.encode("utf-8", "replace")) > MAX_YAML_BYTES:
        raise OverBudget(f"YAML is larger than {MAX_YAML_BYTES // 1024} KiB")
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except RecursionError:  # a last guard; the depth budget should have stopped it first
        raise OverBudget("YAML is nested too deeply") from None
    finally:
        loader.dispose()


# A JSON string, escapes included; what is left outside strings is the document's structure.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_STEP = [0] * 256
for _open in b"[{":
    _STEP[_open] = 1
for _close in b"]}":
    _STEP[_close] = -1


def json_depth(raw: bytes) -> int:
    """How deeply brackets nest in `raw`, strings left out; linear, and it never recurses."""
    skeleton = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, skeleton)), default=0)


def load_json(raw: bytes, *, max_bytes: int = MAX_JSON_BYTES,
              max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON document (UTF-8, a byte-order mark allowed). OverBudget when it is too large or
    nested too deeply; ValueError (with a reason) when it is not JSON."""
    if len(raw) > max_bytes:
        raise OverBudget(f"JSON is larger than {_size(max_bytes)}")
    if json_depth(raw) > max_depth:
        raise OverBudget(f"JSON is nested deeper than {max_depth} levels")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except RecursionError:  # cannot happen within the depth budget; kept as a last guard
        raise OverBudget("JSON is nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"not valid JSON ({str(exc)[:120]})") from None


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and not n % (1 << 20) else f"{n:,} bytes"


