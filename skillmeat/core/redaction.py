"""Keep the server's own folders out of messages a client sees.

Git and the filesystem name the paths they fail on; a `last_error` or an error response would
then show where the server keeps its data, its working directory or its user's home.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from skillmeat.config import Settings


def _variants(path: Path) -> set[str]:
    found = {str(path)}
    try:
        found.add(str(path.resolve()))
    except OSError:
        pass
    return {p for p in found if len(p) > 1}  # never "/": it would swallow every path


@lru_cache(maxsize=16)
def _pattern(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    labels = dict(pairs)
    # Longest first, so a folder inside another gets its own label; whole path components only.
    alternatives = "|".join(re.escape(p) for p in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?![^/\s'\"`:;,)\]])"), labels


def redact(text: str, settings: Settings) -> str:
    """`text` with server paths replaced by labels: <git cache>, <data dir>, <cwd>, ~ ..."""
    named = [(settings.git_cache_dir, "<git cache>"),
             (settings.resolved_collection_dir, "<collection>"),
             (settings.data_dir, "<data dir>"), (Path.cwd(), "<cwd>"), (Path.home(), "~")]
    pairs: dict[str, str] = {}
    for path, label in named:
        for variant in _variants(path):
            pairs.setdefault(variant, label)
    if not pairs:
        return text
    pattern, labels = _pattern(tuple(sorted(pairs.items())))
    return pattern.sub(lambda m: labels[m.group(0)], text)
