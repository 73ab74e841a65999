"""Find Claude Code artifacts in a repository tree (pure: reads only through the given callable)."""

from skillmeat.core.marketplace.detection.engine import detect, repository_signal
from skillmeat.core.marketplace.detection.version import DETECTOR_VERSION

__all__ = ["DETECTOR_VERSION", "detect", "repository_signal"]
