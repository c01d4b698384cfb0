"""Each privacy setting as a visitor, another member and the member see it.

Hidden values are checked by scanning the whole JSON text each viewer receives.
"""

from __future__ import annotations

import httpx
import pytest

from app.profiles.rules import PROFILE_FIELDS
from tests.factories import MemberFactory

PROFILE = {
    "display_name": "Hemmelig Hanne",
    "age": 47,
    "city": "Skjulested",
    "pronouns": "hun/hende",
    "bio": "Min historie om sorg og håb",
    "interests": ["strikning-xyz"],
    "languages": ["fo"],
}
# Something unique to each field that would show up in a leak.
NEEDLES = {
    "display_name": "Hemmelig Hanne",
    "age": "47",
    "city": "Skjulested",
    "pronouns": "hun/hende",
    "bio": "sorg og håb",
    "interests": "strikning-xyz",
    "languages": '"fo"',
}


async def test_new_members_start_private(client: httpx.AsyncClient, members: MemberFactory) -> None:
    m = await members.create("hanne", profile=PROFILE)
    me = (await client.get("/api/me", headers=m.headers)).json()
    assert set(me["privacy"]["field_visibility"].values()) == {"nobody"}
    assert me["privacy"]["who_can_message"] == "shared_groups"
    assert me["privacy"]["show_online"] is False
    assert me["privacy"]["read_receipts"] is False
    other = await members.create("ole")
    for headers in ({}, other.headers):
        r = await client.get("/api/users/hanne", headers=headers)
        assert r.status_code == 200
        assert r.json() == {"handle": "hanne"}
        for needle in NEEDLES.values():
            assert needle not in r.text


@pytest.mark.parametrize("field", PROFILE_FIELDS)
@pytest.mark.parametrize("level", ["public", "members", "nobody"])
async def test_each_field_is_shown_exactly_as_its_setting_allows(
    client: httpx.AsyncClient, members: MemberFactory, field: str, level: str
) -> None:
    owner = await members.create(
        "hanne", profile=PROFILE, privacy={"field_visibility": {field: level}}
    )
    other = await members.create("ole")
    visitor = await client.get("/api/users/hanne")
    member = await client.get("/api/users/hanne", headers=other.headers)
    own = await client.get("/api/users/hanne", headers=owner.headers)
    needle = NEEDLES[field]
    assert (needle in visitor.text) is (level == "public")
    assert (needle in member.text) is (level in ("public", "members"))
    assert needle in own.text
    # No other field leaks along with it.
    for other_field, other_needle in NEEDLES.items():
        if other_field != field:
            assert other_needle not in visitor.text
            assert other_needle not in member.text


async def test_preview_matches_what_others_see(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    owner = await members.create(
        "hanne",
        profile=PROFILE,
        privacy={"field_visibility": {"city": "members", "display_name": "public"}},
    )
    other = await members.create("ole")
    as_member = await client.get("/api/me/profile/preview?as=member", headers=owner.headers)
    as_visitor = await client.get("/api/me/profile/preview?as=visitor", headers=owner.headers)
    assert as_member.json() == (await client.get("/api/users/hanne", headers=other.headers)).json()
    assert as_visitor.json() == (await client.get("/api/users/hanne")).json()
    assert as_member.json()["city"] == "Skjulested"
    assert "city" not in as_visitor.json()


async def test_privacy_updates_are_partial(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create("hanne")
    await client.patch(
        "/api/me/privacy", headers=m.headers, json={"field_visibility": {"city": "public"}}
    )
    r = await client.patch("/api/me/privacy", headers=m.headers, json={"show_online": True})
    body = r.json()
    assert body["field_visibility"]["city"] == "public"
    assert body["field_visibility"]["bio"] == "nobody"
    assert body["show_online"] is True and body["read_receipts"] is False
    r = await client.patch(
        "/api/me/privacy",
        headers=m.headers,
        json={"who_can_message": "nobody", "read_receipts": True},
    )
    assert r.json()["who_can_message"] == "nobody" and r.json()["read_receipts"] is True


async def test_blocked_members_cannot_see_each_others_profiles(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    hanne = await members.create(
        "hanne", profile=PROFILE, privacy={"field_visibility": {"city": "public"}}
    )
    ole = await members.create("ole")
    r = await client.post("/api/blocks", headers=hanne.headers, json={"handle": "ole"})
    assert r.status_code == 201
    assert (await client.get("/api/users/hanne", headers=ole.headers)).status_code == 404
    assert (await client.get("/api/users/ole", headers=hanne.headers)).status_code == 404
    blocks = (await client.get("/api/blocks", headers=hanne.headers)).json()
    assert [b["handle"] for b in blocks] == ["ole"]
    # The blocked member cannot find out who blocked them.
    assert (await client.get("/api/blocks", headers=ole.headers)).json() == []
    assert (await client.delete("/api/blocks/ole", headers=hanne.headers)).status_code == 204
    assert (await client.get("/api/users/hanne", headers=ole.headers)).status_code == 200


async def test_email_is_never_shown_to_others(
    client: httpx.AsyncClient, members: MemberFactory
) -> None:
    m = await members.create(
        "hanne", privacy={"field_visibility": dict.fromkeys(PROFILE_FIELDS, "public")}
    )
    await client.patch("/api/me/account", headers=m.headers, json={"email": "hanne@example.org"})
    other = await members.create("ole")
    for headers in ({}, other.headers):
        assert (
            "hanne@example.org" not in (await client.get("/api/users/hanne", headers=headers)).text
        )
