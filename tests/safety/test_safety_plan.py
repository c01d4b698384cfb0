"""A member's safety plan: written, read and exported by that member alone."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.safety.models import SafetyPlan
from tests.factories import PASSWORD, Member, MemberFactory

PLAN: dict[str, Any] = {
    "warning_signs": ["Jeg trækker gardinerne for-fjordhest"],
    "coping_strategies": ["Gå en tur ved søen-kobberand"],
    "reasons_to_live": ["Min hund Sikkerhedsplan-Bølle"],
    "contacts": [
        {"name": "Mormor Hemmelighed", "phone": "+45 12 34 56 78", "note": "ring efter kl 9"},
        {"name": "Biblioteket på hjørnet"},
    ],
    "professional_contacts": [{"name": "Psykolog Lyngby-Tårnby", "phone": "33 33 33 33"}],
    "safe_environment": ["Pillerne står hos nabo-Gravlund"],
}
NEEDLES = [
    "fjordhest",
    "kobberand",
    "Sikkerhedsplan-B",
    "Mormor Hemmelighed",
    "12 34 56 78",
    "Lyngby-T",
    "Gravlund",
]
EMPTY = {name: [] for name in PLAN}


async def _save(client: httpx.AsyncClient, member: Member, plan: dict[str, Any]) -> httpx.Response:
    return await client.put("/api/me/safety-plan", json=plan, headers=member.headers)


async def test_a_new_member_starts_with_an_empty_plan(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    r = await client.get("/api/me/safety-plan", headers=maja.headers)
    assert r.status_code == 200
    assert r.json() == {**EMPTY, "updated_at": None}
    assert r.headers["cache-control"] == "no-store"


async def test_member_writes_reads_and_rewrites_their_plan(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    r = await _save(client, maja, PLAN)
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["warning_signs"] == PLAN["warning_signs"]
    assert saved["contacts"][0] == PLAN["contacts"][0]
    assert saved["contacts"][1] == {"name": "Biblioteket på hjørnet", "phone": None, "note": None}
    assert saved["updated_at"]
    assert (await client.get("/api/me/safety-plan", headers=maja.headers)).json() == saved

    smaller = {**PLAN, "reasons_to_live": [], "contacts": PLAN["contacts"][:1]}
    r = await _save(client, maja, smaller)
    assert r.status_code == 200
    now = (await client.get("/api/me/safety-plan", headers=maja.headers)).json()
    assert now["reasons_to_live"] == [] and len(now["contacts"]) == 1
    assert now["coping_strategies"] == PLAN["coping_strategies"]


@pytest.mark.parametrize(
    "change",
    [
        {"warning_signs": ["tegn"] * 16},
        {"professional_contacts": [{"name": "x"}] * 11},
        {"coping_strategies": ["a" * 201]},
        {"reasons_to_live": ["   "]},
        {"reasons_to_live": ["linje\nto"]},
        {"safe_environment": ["skjult\x07tegn"]},
        {"contacts": [{"name": "Mor", "phone": "ring mig"}]},
        {"contacts": [{"name": "Mor", "email": "mor@example.org"}]},
        {"contacts": [{"phone": "12345678"}]},
        {"contacts": [{"name": "n" * 81}]},
        {"extra": "felt"},
    ],
)
async def test_plan_limits_and_bad_input_are_refused_clearly(
    client: httpx.AsyncClient, members: MemberFactory, change: dict[str, Any]
) -> None:
    maja = await members.create("maja")
    r = await _save(client, maja, {**PLAN, **change})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert (await client.get("/api/me/safety-plan", headers=maja.headers)).json()[
        "updated_at"
    ] is None


async def test_a_partial_plan_is_refused_so_nothing_is_wiped_by_accident(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    assert (await _save(client, maja, PLAN)).status_code == 200
    r = await _save(client, maja, {"warning_signs": []})
    assert r.status_code == 422
    kept = (await client.get("/api/me/safety-plan", headers=maja.headers)).json()
    assert kept["reasons_to_live"] == PLAN["reasons_to_live"]


async def test_the_plan_needs_a_logged_in_member(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/me/safety-plan")).status_code == 401
    assert (await client.put("/api/me/safety-plan", json=PLAN)).status_code == 401


def _get_paths(app: FastAPI, handle: str, user_id: int) -> list[str]:
    """Every GET endpoint under /api, path parameters filled in to point at the plan's owner."""
    paths = []
    for path, operations in app.openapi()["paths"].items():
        if "get" in operations and path.startswith("/api"):
            path = path.replace("{handle}", handle)
            paths.append(re.sub(r"\{[^}]+\}", str(user_id), path))
    return paths


async def test_no_one_else_can_read_a_plan_not_even_moderators(
    app: FastAPI, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    others = [
        await members.create("ole"),
        await members.create("signe", role="moderator"),
        await members.create("karl", role="admin"),
    ]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        assert (await _save(client, maja, PLAN)).status_code == 200
        mine = await client.get("/api/me/safety-plan", headers=maja.headers)
        assert all(needle in mine.text for needle in NEEDLES)
    async with app.state.db.read_sessions() as session:
        maja_id = await session.scalar(select(SafetyPlan.user_id))
    assert maja_id is not None
    paths = _get_paths(app, maja.handle, maja_id)
    assert "/api/me/safety-plan" in paths and "/api/me/export" in paths

    # Another domain's endpoint failing on a made-up id must not end the scan.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://testserver",
    ) as client:
        for other in others:
            own = await client.get("/api/me/safety-plan", headers=other.headers)
            assert own.json() == {**EMPTY, "updated_at": None}
        viewers = [(o.handle, o.headers) for o in others] + [("visitor", {})]
        for viewer, headers in viewers:
            for path in paths:
                r = await client.get(path, headers=headers)
                for needle in NEEDLES:
                    assert needle not in r.text, (viewer, path)


async def test_my_export_includes_my_plan(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    ole = await members.create("ole")
    assert (await _save(client, maja, PLAN)).status_code == 200
    export = (await client.get("/api/me/export", headers=maja.headers)).json()
    assert export["safety_plan"]["reasons_to_live"] == PLAN["reasons_to_live"]
    assert export["safety_plan"]["created_at"] and export["safety_plan"]["updated_at"]
    theirs = await client.get("/api/me/export", headers=ole.headers)
    assert theirs.json()["safety_plan"] is None
    for needle in NEEDLES:
        assert needle not in theirs.text


async def test_deleting_my_account_deletes_my_plan(
    app: FastAPI, client: httpx.AsyncClient, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    ole = await members.create("ole")
    assert (await _save(client, maja, PLAN)).status_code == 200
    assert (await _save(client, ole, PLAN)).status_code == 200
    r = await client.request("DELETE", "/api/me", json={"password": PASSWORD}, headers=maja.headers)
    assert r.status_code == 204, r.text
    async with app.state.db.read_sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SafetyPlan)) == 1
