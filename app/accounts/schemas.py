"""Request and response shapes for accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from app.text import Handle

Language = Literal["da", "en"]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Strict):
    handle: Handle
    password: Password
    consent: Literal[True] = Field(
        description="Explicit consent to storing health-related data; must be true."
    )
    is_adult: Literal[True] = Field(description="Confirms the member is 18 or older.")
    email: EmailStr | None = Field(default=None, max_length=254)
    language: Language = "da"


class LoginIn(Strict):
    handle: Handle
    password: Password
    totp_code: Annotated[str, StringConstraints(max_length=12)] | None = Field(
        default=None, description="Six-digit code from the authenticator app, when 2FA is on."
    )
    recovery_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    use_cookies: bool = Field(
        default=True,
        description="Browsers keep the tokens in HttpOnly cookies; API clients pass false "
        "and get the refresh token in the body instead.",
    )


class RefreshIn(Strict):
    refresh_token: str | None = Field(default=None, max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int
    refresh_token: str | None = None


class PasswordChangeIn(Strict):
    current_password: Password
    new_password: Password


class AccountPatch(Strict):
    language: Language | None = None
    email: EmailStr | None = Field(default=None, max_length=254)


class DeleteAccountIn(Strict):
    password: Password


class AccountOut(BaseModel):
    handle: str
    email: str | None
    language: Language
    role: str
    created_at: datetime
    consent_at: datetime
    consent_version: str
    adult_confirmed_at: datetime
    has_two_factor: bool


class PasswordConfirmIn(Strict):
    password: Password


class TwoFactorSetupOut(BaseModel):
    secret: str
    otpauth_uri: str


class TwoFactorCodeIn(Strict):
    code: Annotated[str, StringConstraints(min_length=6, max_length=12)]


class TwoFactorDisableIn(Strict):
    password: Password
    code: Annotated[str, StringConstraints(min_length=6, max_length=12)]


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


class RoleIn(Strict):
    role: Literal["member", "peer_guide", "moderator", "admin"]


class RoleOut(BaseModel):
    handle: str
    role: str
