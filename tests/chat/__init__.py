"""Chat over HTTP: requests, consent, history, read state, on both databases."""
