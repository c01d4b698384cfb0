"""Who may see which profile field: plain functions, no database."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

PROFILE_FIELDS = ("display_name", "age", "city", "pronouns", "bio", "interests", "languages")
VISIBILITY_LEVELS = ("public", "members", "nobody")
MESSAGE_SETTINGS = ("everyone", "shared_groups", "nobody")


class Audience(StrEnum):
    """How the viewer stands to the profile's owner."""

    visitor = "visitor"  # not logged in
    member = "member"  # any other logged-in member
    owner = "owner"


def default_privacy() -> dict[str, Any]:
    """New members start private: every field hidden, chat only from shared groups, flags off."""
    return {
        "field_visibility": dict.fromkeys(PROFILE_FIELDS, "nobody"),
        "who_can_message": "shared_groups",
        "show_online": False,
        "read_receipts": False,
    }


def field_level(field_visibility: dict[str, Any], field: str) -> str:
    """A field's level; anything missing or unknown counts as hidden."""
    level = field_visibility.get(field)
    return level if level in VISIBILITY_LEVELS else "nobody"


def can_see_field(level: str, audience: Audience) -> bool:
    if audience is Audience.owner:
        return True
    if level == "public":
        return True
    return level == "members" and audience is Audience.member


def visible_fields(field_visibility: dict[str, Any], audience: Audience) -> tuple[str, ...]:
    return tuple(
        f for f in PROFILE_FIELDS if can_see_field(field_level(field_visibility, f), audience)
    )
