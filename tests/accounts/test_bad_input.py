"""Bad input gets a 4xx with a reason, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.factories import MemberFactory

REG = {"handle": "maja", "password": "rolig sommer regn bro", "consent": True, "is_adult": True}


@pytest.mark.parametrize(
    "body",
    [
        {**REG, "handle": ""},
        {**REG, "handle": "x" * 31},
        {**REG, "handle": "ab"},
        {**REG, "handle": "<script>"},
        {**REG, "handle": "bad\x00nul"},
        {**REG, "password": "x" * 2000},
        {**REG, "email": "not-an-email"},
        {**REG, "language": "sv"},
        {**REG, "consent": "yes"},
        {**REG, "unknown": 1},
        {**REG, "handle": 123},
        {"handle": "maja"},
        [],
        "string",
        None,
    ],
)
async def test_register_rejects_bad_input_with_a_reason(
    client: httpx.AsyncClient, body: object
) -> None:
    r = await client.post("/api/auth/register", json=body)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["detail"] and r.json()["code"]


async def test_invalid_json_is_a_400(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_json"


async def test_validation_errors_do_not_echo_the_password(client: httpx.AsyncClient) -> None:
    secret = "hemmelig-kode-som-ikke-må-ses" * 40
    r = await client.post("/api/auth/register", json={**REG, "password": secret})
    assert r.status_code == 422
    assert "hemmelig" not in r.text


async def test_oversized_bodies_are_refused(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/auth/register", json={**REG, "pad": "x" * 200_000})
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"


async def test_oversized_bodies_without_a_length_are_refused(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"handle": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    r = await client.post(
        "/api/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"


@pytest.mark.parametrize(
    "patch",
    [
        {"display_name": ""},
        {"display_name": "   "},
        {"display_name": "x" * 61},
        {"display_name": "line\nbreak"},
        {"age": 12},
        {"age": 500},
        {"age": "old"},
        {"bio": "x" * 2001},
        {"bio": "nul\x00byte"},
        {"interests": ["x"] * 21},
        {"interests": ["x" * 41]},
        {"languages": ["Danish"]},
        {"favourite_colour": "blue"},
        {"city": ["Odense"]},
    ],
)
async def test_profile_rejects_bad_input(
    client: httpx.AsyncClient, members: MemberFactory, patch: dict[str, object]
) -> None:
    m = await members.create("maja")
    r = await client.patch("/api/me/profile", headers=m.headers, json=patch)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize(
    "patch",
    [
        {"field_visibility": {"city": "friends"}},
        {"field_visibility": {"email": "public"}},
        {"who_can_message": "anyone"},
        {"show_online": "maybe"},
        {"read_receipts": None, "x": 1},
    ],
)
async def test_privacy_rejects_bad_input(
    client: httpx.AsyncClient, members: MemberFactory, patch: dict[str, object]
) -> None:
    m = await members.create("maja")
    r = await client.patch("/api/me/privacy", headers=m.headers, json=patch)
    assert r.status_code == 422, r.text


async def test_bio_keeps_text_exactly_as_typed(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("maja")
    bio = "<b>hej</b> & 'farvel'\nNy linje <script>alert(1)</script>"
    r = await client.patch("/api/me/profile", headers=m.headers, json={"bio": bio})
    assert r.json()["bio"] == bio


async def test_error_messages_follow_accept_language(client: httpx.AsyncClient) -> None:
    da = await client.get("/api/me")
    en = await client.get("/api/me", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert da.status_code == en.status_code == 401
    assert da.json()["code"] == en.json()["code"] == "not_authenticated"
    assert da.json()["detail"] != en.json()["detail"]


async def test_unknown_routes_are_json_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
