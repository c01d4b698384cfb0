"""Unit tests for the visibility rules."""

from app.profiles.rules import PROFILE_FIELDS, Audience, default_privacy, visible_fields


def test_default_privacy_hides_everything() -> None:
    vis = default_privacy()["field_visibility"]
    for audience in (Audience.visitor, Audience.member):
        assert visible_fields(vis, audience) == ()
    assert visible_fields(vis, Audience.owner) == PROFILE_FIELDS


def test_unknown_or_missing_levels_count_as_hidden() -> None:
    vis = {"city": "everyone!", "bio": None}
    assert visible_fields(vis, Audience.member) == ()


def test_members_level_is_not_public() -> None:
    vis = {"city": "members", "bio": "public"}
    assert visible_fields(vis, Audience.visitor) == ("bio",)
    assert visible_fields(vis, Audience.member) == ("city", "bio")
