"""Crisis support over HTTP: the composer's check, and the public crisis-line list."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.db import Base
from tests.factories import MemberFactory

RISK_TEXT = "jeg kan ikke mere, jeg vil bare dø"


async def _row_counts(app: FastAPI) -> dict[str, int]:
    async with app.state.db.read_sessions() as session:
        return {
            table.name: (await session.scalar(select(func.count()).select_from(table))) or 0
            for table in Base.metadata.sorted_tables
        }


async def test_check_needs_a_logged_in_member(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/safety/check", json={"text": RISK_TEXT})
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


async def test_risky_text_gets_support_and_calm_text_gets_none(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    r = await client.post("/api/safety/check", json={"text": RISK_TEXT}, headers=maja.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["risk"] is True
    lines = {line["id"]: line for line in body["support"]["lines"]}
    assert lines["livslinien"]["phone"]["tel"] == "tel:+4570201201"
    assert lines["112"]["acute"] is True and lines["112"]["open_now"] is True
    assert body["support"]["message"] == "safety.support.message"
    # Only the writer's own support: no categories or matched words go back.
    assert "categor" not in r.text

    calm = await client.post(
        "/api/safety/check", json={"text": "jeg døde af grin i går"}, headers=maja.headers
    )
    assert calm.json() == {"risk": False, "support": None}


@pytest.mark.parametrize(
    "body",
    [
        {"text": "a" * 20_001},
        {"text": "   "},
        {"text": ""},
        {"text": "hej\x00"},
        {"text": "hej", "extra": 1},
        {},
    ],
)
async def test_check_refuses_bad_input_clearly(
    client: httpx.AsyncClient, members: MemberFactory, body: dict[str, object]
) -> None:
    maja = await members.create("maja")
    r = await client.post("/api/safety/check", json=body, headers=maja.headers)
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"


async def test_check_accepts_twenty_thousand_characters(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    text = ("hej " * 5000)[: 20_000 - len(RISK_TEXT)] + RISK_TEXT
    assert len(text) == 20_000
    r = await client.post("/api/safety/check", json={"text": text}, headers=maja.headers)
    assert r.status_code == 200
    assert r.json()["risk"] is True


async def test_check_stores_nothing_and_logs_nothing_of_the_text(
    app: FastAPI,
    client: httpx.AsyncClient,
    members: MemberFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    maja = await members.create("maja")
    secret = "jeg vil tage mit eget liv zebrakiwi4711"
    before = await _row_counts(app)
    with caplog.at_level(logging.DEBUG):
        r = await client.post("/api/safety/check", json={"text": secret}, headers=maja.headers)
    assert r.status_code == 200 and r.json()["risk"] is True
    assert await _row_counts(app) == before
    assert "zebrakiwi4711" not in caplog.text


async def test_checks_are_rate_limited_per_member(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    ole = await members.create("ole")
    for _ in range(30):
        r = await client.post("/api/safety/check", json={"text": "hej"}, headers=maja.headers)
        assert r.status_code == 200
    r = await client.post("/api/safety/check", json={"text": "hej"}, headers=maja.headers)
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    r = await client.post("/api/safety/check", json={"text": "hej"}, headers=ole.headers)
    assert r.status_code == 200


async def test_crisis_lines_are_reachable_without_an_account(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/safety/crisis-lines")
    assert r.status_code == 200
    body = r.json()
    ids = [line["id"] for line in body["lines"]]
    assert {"livslinien", "psykiatrifonden", "sind", "112"} <= set(ids)
    open_flags = [line["open_now"] for line in body["lines"]]
    assert open_flags == sorted(open_flags, reverse=True)
    for line in body["lines"]:
        assert line["phone"]["tel"].startswith("tel:")
        assert set(line["description"]) == {"da", "en"}
        assert line["last_verified"] == "2026-11-23"
        assert (line["opens_at"] is None) == line["open_now"]
