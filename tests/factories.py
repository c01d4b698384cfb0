"""Named test members, registered and logged in through the real API."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyotp
from fastapi import FastAPI
from sqlalchemy import update

from app.accounts.models import User

PASSWORD = "rolig sommer regn bro"
_counter = itertools.count()


@dataclass
class Member:
    handle: str
    password: str
    token: str
    refresh_token: str
    app: FastAPI = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self) -> httpx.AsyncClient:
        """An API client that sends this member's bearer token."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://testserver",
            headers=self.headers,
        )


async def enable_two_factor(c: httpx.AsyncClient, handle: str, password: str) -> str:
    """Log in, set up TOTP, confirm it, log out; returns the secret."""
    r = await c.post(
        "/api/auth/login", json={"handle": handle, "password": password, "use_cookies": False}
    )
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = await c.post("/api/me/2fa/setup", json={"password": password}, headers=headers)
    assert r.status_code == 200, r.text
    secret: str = r.json()["secret"]
    # Confirm with the previous time step so the login that follows can use the current one.
    code = pyotp.TOTP(secret).at(time.time() - 30)
    r = await c.post("/api/me/2fa/enable", json={"code": code}, headers=headers)
    assert r.status_code == 200, r.text
    await c.post("/api/auth/logout", headers=headers)
    return secret


class MemberFactory:
    """`await members.create("maja", role="moderator", privacy={...}, profile={...})`."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def create(
        self,
        handle: str | None = None,
        *,
        role: str = "member",
        profile: dict[str, Any] | None = None,
        privacy: dict[str, Any] | None = None,
        password: str = PASSWORD,
    ) -> Member:
        handle = handle or f"member{next(_counter)}"
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        ) as c:
            r = await c.post(
                "/api/auth/register",
                json={"handle": handle, "password": password, "consent": True, "is_adult": True},
            )
            assert r.status_code == 201, r.text
            if role != "member":
                async with self.app.state.db.sessions() as s:
                    await s.execute(update(User).where(User.handle == handle).values(role=role))
                    await s.commit()
            login: dict[str, Any] = {"handle": handle, "password": password, "use_cookies": False}
            if role in ("moderator", "admin"):
                # Moderator tools require two-step login; set it up the way a person would.
                totp_secret = await enable_two_factor(c, handle, password)
                login["totp_code"] = pyotp.TOTP(totp_secret).now()
            r = await c.post("/api/auth/login", json=login)
            assert r.status_code == 200, r.text
            tokens = r.json()
            member = Member(
                handle, password, tokens["access_token"], tokens["refresh_token"], self.app
            )
            if profile:
                r = await c.patch("/api/me/profile", json=profile, headers=member.headers)
                assert r.status_code == 200, r.text
            if privacy:
                r = await c.patch("/api/me/privacy", json=privacy, headers=member.headers)
                assert r.status_code == 200, r.text
        return member
