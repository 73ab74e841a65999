"""The detection rules' version: stored with each scan so a rule change forces re-detection."""

from __future__ import annotations

# Bump whenever a rule or score changes: an unchanged commit is then detected again.
DETECTOR_VERSION = "4"  # 4: plugin entries and members; risk surface stored with each entry
