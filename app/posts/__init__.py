"""Posts in groups, their comments and reactions."""
