"""Safety: blocks between members, and (later) crisis support."""
