"""Safety: blocks between members, crisis support, and each member's private safety plan."""
