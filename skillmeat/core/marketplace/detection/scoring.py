"""Confidence as a sum of named signals, so the catalog can show why something was detected."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Score:
    signals: dict[str, int] = field(default_factory=dict)

    def add(self, signal: str, points: int) -> None:
        self.signals[signal] = points

    @property
    def total(self) -> int:
        return max(0, min(100, sum(self.signals.values())))
