"""Named test members, registered and logged in through the real API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx
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
            r = await c.post(
                "/api/auth/login",
                json={"handle": handle, "password": password, "use_cookies": False},
            )
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
