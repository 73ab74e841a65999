"""The collection: a Claude Code plugin marketplace kept as a git repository."""
