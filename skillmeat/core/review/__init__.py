"""Reviewing a change to an artifact's files before it lands: file diffs and risk difference."""
