"""One-to-one chat: consent-first conversations, messages, and the live websocket."""
