"""Real-time fan-out: a broker backend (memory or Redis) and a hub of local subscribers."""
