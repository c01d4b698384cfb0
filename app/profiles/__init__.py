"""Profiles and per-member privacy settings."""
