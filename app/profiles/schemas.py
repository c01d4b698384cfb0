"""Profile and privacy shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.text import MultiLine, OneLine

Visibility = Literal["public", "members", "nobody"]
WhoCanMessage = Literal["everyone", "shared_groups", "nobody"]
ProfileField = Literal["display_name", "age", "city", "pronouns", "bio", "interests", "languages"]

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), OneLine]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class ProfilePatch(BaseModel):
    """Partial update; send null to clear a field."""

    model_config = ConfigDict(extra="forbid")

    display_name: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), OneLine
        ]
        | None
    ) = None
    age: Annotated[int, Field(ge=18, le=120)] | None = None
    city: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), OneLine
        ]
        | None
    ) = None
    pronouns: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), OneLine
        ]
        | None
    ) = None
    bio: Annotated[str, StringConstraints(max_length=2000), MultiLine] | None = None
    interests: Annotated[list[Tag], Field(max_length=20)] | None = None
    languages: Annotated[list[LanguageCode], Field(max_length=10)] | None = None


class PrivacyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field_visibility: dict[ProfileField, Visibility] | None = None
    who_can_message: WhoCanMessage | None = None
    show_online: bool | None = None
    read_receipts: bool | None = None


class ProfileOut(BaseModel):
    """Every field, as the owner sees it."""

    display_name: str | None
    age: int | None
    city: str | None
    pronouns: str | None
    bio: str | None
    interests: list[str]
    languages: list[str]


class PrivacyOut(BaseModel):
    field_visibility: dict[str, Visibility]
    who_can_message: WhoCanMessage
    show_online: bool
    read_receipts: bool


class PublicProfileOut(BaseModel):
    """A profile as one viewer may see it: fields hidden from that viewer are left out."""

    handle: str
    display_name: str | None = None
    age: int | None = None
    city: str | None = None
    pronouns: str | None = None
    bio: str | None = None
    interests: list[str] | None = None
    languages: list[str] | None = None
