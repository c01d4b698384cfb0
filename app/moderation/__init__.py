"""Moderation: reports and the review queue, moderator actions, appeals, the audit log."""
