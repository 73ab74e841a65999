"""Confidence as a sum of named signals, so the catalog can show why something was detected."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Score:
    signals: dict[str, int] = field(default_factory=dict)
    # Words beside the points: which evidence was missing, what the repository showed.
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, signal: str, points: int) -> None:
        self.signals[signal] = points

    def note(self, key: str, text: str) -> None:
        self.notes[key] = text

    @property
    def total(self) -> int:
        return max(0, min(100, sum(self.signals.values())))

    @property
    def breakdown(self) -> dict[str, int | str]:
        """Points per signal, then the notes: what a listing shows as the score's reasons."""
        return {**self.signals, **self.notes}
