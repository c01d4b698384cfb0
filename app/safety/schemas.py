"""Request and response shapes for crisis support and the personal safety plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.text import MultiLine, NotBlank, OneLine

CHECK_MAX_CHARS = 20_000


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str, StringConstraints(min_length=1, max_length=CHECK_MAX_CHARS), MultiLine, NotBlank
    ]


class PhoneOut(BaseModel):
    tel: str = Field(description="A tel: link for tap-to-call")
    display: str


class OpeningOut(BaseModel):
    opens: str = Field(description="HH:MM, Europe/Copenhagen")
    closes: str = Field(description="HH:MM; at or before `opens` means the next morning")


class CrisisLineOut(BaseModel):
    id: str
    name: str
    phone: PhoneOut
    chat_url: str | None
    website: str | None
    description: dict[str, str] = Field(description="Keyed by language: da, en")
    always_open: bool
    acute: bool = Field(description="For immediate danger (112)")
    hours: dict[str, list[OpeningOut]] = Field(description="mon..sun; empty when closed")
    open_now: bool
    opens_at: datetime | None = Field(description="Next opening, when closed now")
    closes_at: datetime | None = Field(description="When it closes, when open now")
    last_verified: date


class SupportOut(BaseModel):
    """What the calm support panel shows: open lines first, 112 always listed."""

    message: str = Field(description="A message key the frontend translates")
    timezone: str
    checked_at: datetime
    lines: list[CrisisLineOut]


class CheckOut(BaseModel):
    risk: bool
    support: SupportOut | None


PlanItem = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
PhoneNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=30, pattern=r"^[+(0-9][0-9 ()./+-]*[0-9]$"
    ),
]


class PlanContact(BaseModel):
    """A person, place or professional to contact; the phone number is optional."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), OneLine
    ]
    phone: PhoneNumber | None = None
    note: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
        ]
        | None
    ) = None


class SafetyPlanIn(BaseModel):
    """The whole plan: every list is sent each time, so a partial body cannot wipe the rest."""

    model_config = ConfigDict(extra="forbid")

    warning_signs: Annotated[list[PlanItem], Field(max_length=15)]
    coping_strategies: Annotated[list[PlanItem], Field(max_length=15)]
    reasons_to_live: Annotated[list[PlanItem], Field(max_length=15)]
    contacts: Annotated[list[PlanContact], Field(max_length=15)]
    professional_contacts: Annotated[list[PlanContact], Field(max_length=10)]
    safe_environment: Annotated[list[PlanItem], Field(max_length=10)]


class SafetyPlanOut(BaseModel):
    warning_signs: list[str]
    coping_strategies: list[str]
    reasons_to_live: list[str]
    contacts: list[PlanContact]
    professional_contacts: list[PlanContact]
    safe_environment: list[str]
    updated_at: datetime | None = Field(description="None until the plan is first saved")
