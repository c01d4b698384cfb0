"""Appeals: once per decision, decided by a different moderator, and the member is told."""

from __future__ import annotations

from typing import Any

import pyotp
from fastapi import FastAPI

from tests.factories import Member, MemberFactory, enable_two_factor
from tests.groups.helpers import OPEN, OTHER_OPEN, call, join, seed_groups
from tests.moderation.helpers import act, audit_log, group_moderator, notices
from tests.posts.helpers import feed_ids, write_comment, write_post


async def _appeals(moderator: Member, **params: Any) -> list[dict[str, Any]]:
    r = await call(moderator, "GET", "/api/mod/appeals", params=params)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_an_overturned_removal_brings_the_post_back(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    for m in (maja, jonas):
        await join(m)
    post = await write_post(maja, title="Mit indlæg")
    sara = await members.create("mod_sara", role="moderator")
    ib = await members.create("mod_ib", role="moderator")
    admin = await members.create("admin_ole", role="admin")
    await act(sara, f"/api/mod/posts/{post['id']}/remove", reason="Reklame")

    # Only the author may appeal, and only removed content.
    body = {"target_type": "post", "target_id": post["id"], "text": "Det var ikke reklame."}
    r = await call(jonas, "POST", "/api/appeals", json=body)
    assert r.status_code == 404
    r = await call(maja, "POST", "/api/appeals", json=body)
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert appeal["status"] == "open" and appeal["target_id"] == post["id"]
    r = await call(maja, "POST", "/api/appeals", json=body)
    assert r.status_code == 409 and r.json()["code"] == "appeal_exists"

    [listed] = await _appeals(ib)
    assert listed["appellant"] == {"handle": "maja"} and listed["acted_by_me"] is False
    assert listed["action_reason"] == "Reklame" and listed["content"]["title"] == "Mit indlæg"
    assert (await _appeals(sara))[0]["acted_by_me"] is True

    # The moderator who removed it may not judge the appeal.
    decide = {"decision": "overturn", "note": "Du har ret, undskyld."}
    r = await call(sara, "POST", f"/api/mod/appeals/{appeal['id']}/decide", json=decide)
    assert r.status_code == 403 and r.json()["code"] == "appeal_needs_other_moderator"
    out = await act(ib, f"/api/mod/appeals/{appeal['id']}/decide", **decide)
    assert out["action"] == "appeal_overturned"
    r = await call(ib, "POST", f"/api/mod/appeals/{appeal['id']}/decide", json=decide)
    assert r.status_code == 409 and r.json()["code"] == "appeal_decided"

    assert post["id"] in await feed_ids(jonas, f"/api/groups/{OPEN}/posts")
    [told, *_rest] = await notices(maja)
    assert told["kind"] == "appeal_decided" and told["outcome"] == "overturned"
    assert told["reason"] == "Du har ret, undskyld." and told["actor"] == "Moderator"
    text = (await call(maja, "GET", "/api/moderation/notices")).text
    assert "mod_ib" not in text and "mod_sara" not in text
    assert await _appeals(ib) == []
    assert len(await _appeals(ib, status="overturned")) == 1
    [logged] = await audit_log(admin, action="appeal_overturned")
    assert logged["moderator"] == {"handle": "mod_ib"} and logged["detail"]["appeal_id"]


async def test_an_upheld_removal_stays_and_the_author_is_told(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    jonas = await members.create("jonas")
    for m in (maja, jonas):
        await join(m)
    post = await write_post(maja)
    comment = await write_comment(maja, post["id"], body="Hård kommentar")
    sara = await members.create("mod_sara", role="moderator")
    ib = await members.create("mod_ib", role="moderator")
    await act(sara, f"/api/mod/comments/{comment['id']}/remove", reason="Hård tone")
    r = await call(
        maja,
        "POST",
        "/api/appeals",
        json={"target_type": "comment", "target_id": comment["id"], "text": "Hvorfor?"},
    )
    assert r.status_code == 201, r.text
    await act(
        ib,
        f"/api/mod/appeals/{r.json()['id']}/decide",
        decision="uphold",
        note="Tonen er for hård.",
    )
    items = (await call(jonas, "GET", f"/api/posts/{post['id']}/comments")).json()["items"]
    assert items == []
    told = (await notices(maja))[0]
    assert (told["kind"], told["outcome"]) == ("appeal_decided", "upheld")
    # Standing content cannot be appealed.
    r = await call(
        maja,
        "POST",
        "/api/appeals",
        json={"target_type": "post", "target_id": post["id"], "text": "Hmm"},
    )
    assert r.status_code == 409 and r.json()["code"] == "not_removed"


async def test_a_suspended_member_appeals_with_their_password(
    app: FastAPI, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    sara = await members.create("mod_sara", role="moderator")
    ib = await members.create("mod_ib", role="moderator")
    body = {
        "handle": "maja",
        "password": maja.password,
        "text": "Jeg beklager og vil gerne tilbage.",
    }
    r = await call(maja, "POST", "/api/appeals/suspension", json=body)
    assert r.status_code == 409 and r.json()["code"] == "not_suspended"
    await act(sara, "/api/mod/users/maja/suspend", reason="Chikane", days=30)

    wrong = await call(
        maja, "POST", "/api/appeals/suspension", json={**body, "password": "forkert kode her"}
    )
    unknown = await call(maja, "POST", "/api/appeals/suspension", json={**body, "handle": "ingen"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()

    r = await call(maja, "POST", "/api/appeals/suspension", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["target_type"] == "suspension" and r.json()["target_id"] is None
    r = await call(maja, "POST", "/api/appeals/suspension", json=body)
    assert r.status_code == 409 and r.json()["code"] == "appeal_exists"
    # Filing an appeal gave no way in.
    assert "access_token" not in r.text

    [listed] = await _appeals(ib)
    assert listed["target_type"] == "suspension" and listed["action_reason"] == "Chikane"
    r = await call(
        sara,
        "POST",
        f"/api/mod/appeals/{listed['id']}/decide",
        json={"decision": "overturn", "note": "x"},
    )
    assert r.status_code == 403
    await act(
        ib,
        f"/api/mod/appeals/{listed['id']}/decide",
        decision="overturn",
        note="Velkommen tilbage.",
    )
    r = await call(
        maja,
        "POST",
        "/api/auth/login",
        json={"handle": "maja", "password": maja.password, "use_cookies": False},
    )
    assert r.status_code == 200
    maja.token = r.json()["access_token"]
    assert (await notices(maja))[0]["outcome"] == "overturned"


async def test_a_suspension_appeal_needs_the_second_factor_when_it_is_on(
    app: FastAPI, members: MemberFactory
) -> None:
    maja = await members.create("maja")
    async with maja.client() as c:
        secret = await enable_two_factor(c, "maja", maja.password)
    admin = await members.create("admin_ole", role="admin")
    await act(admin, "/api/mod/users/maja/suspend", reason="Spam", days=None)
    body = {"handle": "maja", "password": maja.password, "text": "Det var ikke mig."}
    r = await call(maja, "POST", "/api/appeals/suspension", json=body)
    assert r.status_code == 401 and r.json()["code"] == "totp_required"
    r = await call(
        maja,
        "POST",
        "/api/appeals/suspension",
        json={**body, "totp_code": pyotp.TOTP(secret).now()},
    )
    assert r.status_code == 201, r.text


async def test_group_moderators_decide_appeals_in_their_own_groups_only(
    app: FastAPI, members: MemberFactory
) -> None:
    await seed_groups(app)
    maja = await members.create("maja")
    await join(maja)
    await join(maja, OTHER_OPEN)
    here = await write_post(maja, OPEN)
    there = await write_post(maja, OTHER_OPEN)
    sara = await members.create("mod_sara", role="moderator")
    for post in (here, there):
        await act(sara, f"/api/mod/posts/{post['id']}/remove", reason="Nej")
        r = await call(
            maja,
            "POST",
            "/api/appeals",
            json={"target_type": "post", "target_id": post["id"], "text": "Øv"},
        )
        assert r.status_code == 201
    lars = await group_moderator(app, members, "lars", OPEN)
    listed = await _appeals(lars)
    assert [a["target_id"] for a in listed] == [here["id"]]
    every = {a["target_id"]: a["id"] for a in await _appeals(sara)}
    r = await call(
        lars,
        "POST",
        f"/api/mod/appeals/{every[there['id']]}/decide",
        json={"decision": "overturn", "note": "x"},
    )
    assert r.status_code == 403
    await act(lars, f"/api/mod/appeals/{every[here['id']]}/decide", decision="overturn", note="Ok")
