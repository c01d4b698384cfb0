"""Fast seeding for benchmarks: members with sessions and tokens, chat pairs, feeds, bulk rows.

Bypasses the API on purpose: one password hash shared by every bench member and access tokens
minted with the server's SECRET_KEY, so that setting up thousands of sockets takes seconds.

    python -m bench.seed SPEC_IN.json SPEC_OUT.json
"""

from __future__ import annotations

import asyncio
import random
import sys
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import insert, select

from app.accounts.models import AuthSession, User
from app.chat.models import Conversation, Message
from app.config import Settings
from app.db import Database, utcnow
from app.groups.models import Group, GroupMembership
from app.posts.models import Post, Reaction
from app.profiles.models import Profile
from app.profiles.rules import default_privacy
from app.security import create_access_token, hash_password, new_opaque_token

CHUNK = 5000


async def seed(spec: dict[str, Any]) -> dict[str, Any]:
    settings = Settings(
        database_url=spec["database_url"],
        secret_key=spec["secret_key"],
        data_dir=spec["data_dir"],
        access_token_minutes=120,
    )
    db = Database(settings)
    out: dict[str, Any] = {}
    try:
        async with db.sessions() as s:
            members = await _members(s, settings, int(spec.get("members", 0)))
            out["members"] = members
            n_pairs = int(spec.get("pairs", 0))
            out["pairs"] = await _pairs(s, members, n_pairs) if n_pairs else []
            if spec.get("feed_posts"):
                out["feed_group"] = await _feed(s, members, int(spec["feed_posts"]))
            if spec.get("history_messages") and out["pairs"]:
                await _history(s, out["pairs"][0], int(spec["history_messages"]))
            await s.commit()
    finally:
        await db.dispose()
    return out


async def _members(s: Any, settings: Settings, n: int) -> list[dict[str, Any]]:
    now = utcnow()
    pw = hash_password("bench password not for people")
    base = (await s.scalar(select(User.id).order_by(User.id.desc()).limit(1))) or 0
    rows = [
        {
            "handle": f"bench{base + i}",
            "handle_key": f"bench{base + i}",
            "password_hash": pw,
            "email": None,
            "language": "da",
            "role": "member",
            "consent_at": now,
            "consent_version": settings.consent_version,
            "adult_confirmed_at": now,
            "created_at": now,
            "password_changed_at": now,
        }
        for i in range(n)
    ]
    for i in range(0, n, CHUNK):
        await s.execute(insert(User), rows[i : i + CHUNK])
    ids = list((await s.scalars(select(User.id).where(User.id > base).order_by(User.id))).all())
    privacy = default_privacy()
    privacy["who_can_message"] = "everyone"
    privacy["field_visibility"] = dict.fromkeys(privacy["field_visibility"], "members")
    await _chunked(
        s,
        Profile,
        [
            {
                "user_id": uid,
                "display_name": f"Bench {uid}",
                "city": "Odense",
                "bio": "Jeg er her for at lytte.",
                "interests": ["gåture"],
                "languages": ["da"],
                **privacy,
            }
            for uid in ids
        ],
    )
    sessions = []
    members = []
    for uid in ids:
        sid = new_opaque_token()
        sessions.append(
            {"id": sid, "user_id": uid, "created_at": now, "expires_at": now + timedelta(days=1)}
        )
        token, _ = create_access_token(settings, user_id=uid, session_id=sid)
        members.append({"id": uid, "handle": "", "token": token})
    await _chunked(s, AuthSession, sessions)
    handles = dict((await s.execute(select(User.id, User.handle).where(User.id.in_(ids)))).all())
    for m in members:
        m["handle"] = handles[m["id"]]
    return members


async def _chunked(s: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        await s.execute(insert(model), rows[i : i + CHUNK])


async def _pairs(s: Any, members: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    now = utcnow()
    pairs = []
    for i in range(n):
        a, b = members[2 * i], members[2 * i + 1]
        low, high = sorted((a["id"], b["id"]))
        conv = Conversation(
            user_low_id=low,
            user_high_id=high,
            requester_id=a["id"],
            status="accepted",
            created_at=now,
            last_message_at=now,
            decided_at=now,
        )
        s.add(conv)
        pairs.append((a, b, conv))
    await s.flush()
    return [
        {
            "sender": {"token": a["token"], "handle": a["handle"]},
            "recipient": {"token": b["token"], "handle": b["handle"]},
            "conversation_id": conv.id,
        }
        for a, b, conv in pairs
    ]


async def _feed(s: Any, members: list[dict[str, Any]], posts: int) -> str:
    """A group where every bench member is active, with `posts` posts and some reactions."""
    group = await s.scalar(select(Group).order_by(Group.id).limit(1))
    await _chunked(
        s,
        GroupMembership,
        [
            {"group_id": group.id, "user_id": m["id"], "role": "member", "status": "active"}
            for m in members
        ],
    )
    group.member_count += len(members)
    now = utcnow()
    rng = random.Random(7)
    ids = [m["id"] for m in members]
    rows = [
        {
            "group_id": group.id,
            "author_id": rng.choice(ids),
            "title": f"Indlæg {i}",
            "body": "En helt almindelig dag, og jeg vil gerne dele den. " * 4,
            "anonymous": i % 5 == 0,
            "created_at": now - timedelta(seconds=posts - i),
        }
        for i in range(posts)
    ]
    await _chunked(s, Post, rows)
    newest = list(
        (
            await s.scalars(
                select(Post.id).where(Post.group_id == group.id).order_by(Post.id.desc()).limit(100)
            )
        ).all()
    )
    reactions = [
        {"post_id": pid, "user_id": uid, "kind": kind, "created_at": now}
        for pid in newest
        for uid in ids[:6]
        for kind in ("hjerte", "kram")
    ]
    await _chunked(s, Reaction, reactions)
    slug: str = group.slug
    return slug


async def _history(s: Any, pair: dict[str, Any], n: int) -> None:
    """`n` messages in one conversation (its page is what the growth figure reads)."""
    conv = await s.get(Conversation, pair["conversation_id"])
    now = utcnow()
    sender = conv.user_low_id
    rows = [
        {
            "conversation_id": conv.id,
            "seq": i + 1,
            "sender_id": sender,
            "client_id": f"h{i}",
            "body": "Tak fordi du skrev. Hvordan går det i dag?",
            "created_at": now - timedelta(seconds=n - i),
        }
        for i in range(n)
    ]
    await _chunked(s, Message, rows)
    conv.last_seq = n


def main() -> None:
    with open(sys.argv[1], "rb") as f:
        spec = orjson.loads(f.read())
    result = asyncio.run(seed(spec))
    with open(sys.argv[2], "wb") as f:
        f.write(orjson.dumps(result))


if __name__ == "__main__":
    main()
