"""Accounts: registration, login, sessions, tokens and roles."""
