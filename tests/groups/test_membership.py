"""Joining and leaving groups, requests to join, and group moderators."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import MemberFactory
from tests.groups.helpers import CLOSED, OPEN, call, join, make_group_moderator, seed_groups


async def test_joining_an_open_group_makes_me_a_member_at_once(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    r = await call(maja, "POST", f"/api/groups/{OPEN}/join")
    assert r.status_code == 200
    assert r.json()["membership"] == {"status": "active", "role": "member"}
    assert r.json()["member_count"] == 1
    # Joining again changes nothing.
    r = await call(maja, "POST", f"/api/groups/{OPEN}/join")
    assert r.status_code == 200 and r.json()["member_count"] == 1


async def test_leaving_a_group_ends_membership(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    r = await call(maja, "POST", f"/api/groups/{OPEN}/leave")
    assert r.status_code == 200
    assert r.json()["membership"] is None and r.json()["member_count"] == 0
    assert not r.json()["can_post"]
    r = await call(maja, "POST", f"/api/groups/{OPEN}/leave")
    assert r.status_code == 200 and r.json()["member_count"] == 0


async def test_request_group_waits_for_a_group_moderator(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    lars = await members.create("lars")
    await make_group_moderator(app, lars, CLOSED)

    r = await call(maja, "POST", f"/api/groups/{CLOSED}/join")
    assert r.status_code == 200
    assert r.json()["membership"] == {"status": "pending", "role": "member"}
    assert not r.json()["can_read"] and not r.json()["can_post"]
    assert r.json()["member_count"] == 1  # only the moderator so far

    # Maja cannot read or write while she waits.
    assert (await call(maja, "GET", f"/api/groups/{CLOSED}/posts")).status_code == 403
    r = await call(maja, "POST", f"/api/groups/{CLOSED}/posts", json={"title": "Hej", "body": "x"})
    assert r.status_code == 403 and r.json()["code"] == "not_group_member"

    r = await call(lars, "GET", f"/api/groups/{CLOSED}/requests")
    assert r.status_code == 200
    assert [i["handle"] for i in r.json()["items"]] == ["maja"]
    assert r.json()["items"][0]["requested_at"]

    r = await call(lars, "POST", f"/api/groups/{CLOSED}/requests/maja/approve")
    assert r.status_code == 204
    r = await call(maja, "GET", f"/api/groups/{CLOSED}")
    assert r.json()["membership"] == {"status": "active", "role": "member"}
    assert r.json()["can_read"] and r.json()["can_post"]
    assert r.json()["member_count"] == 2
    assert (await call(maja, "GET", f"/api/groups/{CLOSED}/posts")).status_code == 200

    # Approving twice finds nothing to approve.
    r = await call(lars, "POST", f"/api/groups/{CLOSED}/requests/maja/approve")
    assert r.status_code == 404 and r.json()["code"] == "join_request_not_found"


async def test_declined_request_leaves_no_membership(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    lars = await members.create("lars")
    await make_group_moderator(app, lars, CLOSED)
    await call(maja, "POST", f"/api/groups/{CLOSED}/join")
    r = await call(lars, "POST", f"/api/groups/{CLOSED}/requests/maja/decline")
    assert r.status_code == 204
    r = await call(maja, "GET", f"/api/groups/{CLOSED}")
    assert r.json()["membership"] is None and r.json()["member_count"] == 1
    assert (await call(lars, "GET", f"/api/groups/{CLOSED}/requests")).json()["items"] == []


async def test_withdrawing_a_request_does_not_change_the_count(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await call(maja, "POST", f"/api/groups/{CLOSED}/join")
    r = await call(maja, "POST", f"/api/groups/{CLOSED}/leave")
    assert r.json()["membership"] is None and r.json()["member_count"] == 0


async def test_only_group_moderators_handle_requests(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    lars = await members.create("lars")
    await make_group_moderator(app, lars, OPEN)  # a moderator elsewhere only
    await call(maja, "POST", f"/api/groups/{CLOSED}/join")
    for who in (jonas, lars, maja):
        r = await call(who, "GET", f"/api/groups/{CLOSED}/requests")
        assert r.status_code == 403 and r.json()["code"] == "group_moderators_only"
        r = await call(who, "POST", f"/api/groups/{CLOSED}/requests/maja/approve")
        assert r.status_code == 403
    r = await call(maja, "GET", f"/api/groups/{CLOSED}")
    assert r.json()["membership"]["status"] == "pending"


async def test_site_moderator_can_handle_requests(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    mod = await members.create("mod_lars", role="moderator")
    await call(maja, "POST", f"/api/groups/{CLOSED}/join")
    r = await call(mod, "GET", f"/api/groups/{CLOSED}")
    assert r.json()["can_moderate"] and r.json()["can_read"] and not r.json()["can_post"]
    r = await call(mod, "POST", f"/api/groups/{CLOSED}/requests/maja/approve")
    assert r.status_code == 204


async def test_request_list_pages_oldest_first(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    lars = await members.create("lars")
    await make_group_moderator(app, lars, CLOSED)
    handles = [f"ven{i}" for i in range(5)]
    for h in handles:
        m = await members.create(h)
        await call(m, "POST", f"/api/groups/{CLOSED}/join")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["before"] = cursor
        r = await call(lars, "GET", f"/api/groups/{CLOSED}/requests", params=params)
        assert r.status_code == 200, r.text
        seen += [i["handle"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == handles
    r = await call(lars, "GET", f"/api/groups/{CLOSED}/requests", params={"before": "%%%"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


async def test_admin_appoints_a_group_moderator(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    admin = await members.create("sofie_admin", role="admin")
    maja = await members.create("maja")
    await call(maja, "POST", f"/api/groups/{CLOSED}/join")  # pending
    r = await call(admin, "POST", f"/api/groups/{CLOSED}/moderators", json={"handle": "maja"})
    assert r.status_code == 200, r.text
    assert r.json() == {"handle": "maja", "role": "moderator", "status": "active"}
    r = await call(maja, "GET", f"/api/groups/{CLOSED}")
    assert r.json()["membership"] == {"status": "active", "role": "moderator"}
    assert r.json()["can_moderate"] and r.json()["member_count"] == 1
    assert (await call(maja, "GET", f"/api/groups/{CLOSED}/requests")).status_code == 200

    # Appointing a non-member makes them an active member too.
    jonas = await members.create("jonas")
    r = await call(admin, "POST", f"/api/groups/{OPEN}/moderators", json={"handle": "jonas"})
    assert r.status_code == 200
    r = await call(jonas, "GET", f"/api/groups/{OPEN}")
    assert r.json()["membership"]["role"] == "moderator" and r.json()["member_count"] == 1

    r = await call(admin, "DELETE", f"/api/groups/{OPEN}/moderators/jonas")
    assert r.status_code == 200 and r.json()["role"] == "member"
    r = await call(jonas, "GET", f"/api/groups/{OPEN}")
    assert r.json()["membership"] == {"status": "active", "role": "member"}
    r = await call(admin, "DELETE", f"/api/groups/{OPEN}/moderators/jonas")
    assert r.status_code == 404 and r.json()["code"] == "not_group_moderator"


async def test_only_admins_appoint_group_moderators(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    lars = await members.create("lars")
    await make_group_moderator(app, lars, OPEN)
    for who in (maja, lars):
        r = await call(who, "POST", f"/api/groups/{OPEN}/moderators", json={"handle": "maja"})
        assert r.status_code == 403 and r.json()["code"] == "admins_only"


async def test_appointing_unknown_member_or_group_is_404(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    admin = await members.create("sofie_admin", role="admin")
    r = await call(admin, "POST", f"/api/groups/{OPEN}/moderators", json={"handle": "ingen"})
    assert r.status_code == 404 and r.json()["code"] == "member_not_found"
    r = await call(admin, "POST", "/api/groups/findes-ikke/moderators", json={"handle": "ingen"})
    assert r.status_code == 404 and r.json()["code"] == "group_not_found"
    r = await call(admin, "POST", f"/api/groups/{OPEN}/moderators", json={"handle": 5})
    assert r.status_code == 422
    r = await call(admin, "POST", f"/api/groups/{OPEN}/moderators", json={"handle": "x", "y": 1})
    assert r.status_code == 422


async def test_join_and_leave_are_rate_limited(app: FastAPI, members: MemberFactory) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    codes = []
    for _ in range(12):
        codes.append((await call(maja, "POST", f"/api/groups/{OPEN}/join")).status_code)
        codes.append((await call(maja, "POST", f"/api/groups/{OPEN}/leave")).status_code)
    assert codes[:20] == [200] * 20
    assert codes[-1] == 429
