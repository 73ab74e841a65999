"""Find Claude Code artifacts in a repository tree (pure: reads only through the given callable)."""

from skillmeat.core.marketplace.detection.engine import detect
from skillmeat.core.marketplace.detection.version import DETECTOR_VERSION

__all__ = ["DETECTOR_VERSION", "detect"]
