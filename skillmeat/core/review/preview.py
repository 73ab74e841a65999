"""The preview of an update: file diffs plus the difference in what the artifact can run."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from skillmeat.core.review.diff import FileDiff, diff_files
from skillmeat.core.risk import Risk, risk_of_files
from skillmeat.core.risk.difference import risk_difference


@dataclass(slots=True)
class Preview:
    files: FileDiff
    risk_changes: list[str]
    old_risk: Risk
    new_risk: Risk


def preview(old: Mapping[str, bytes], new: Mapping[str, bytes], *,
            old_executable: Collection[str] = (),
            new_executable: Collection[str] = ()) -> Preview:
    old_risk = risk_of_files(old, old_executable)
    new_risk = risk_of_files(new, new_executable)
    return Preview(diff_files(old, new), risk_difference(old_risk, new_risk), old_risk, new_risk)
