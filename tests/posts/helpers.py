"""Writing posts and comments through the API, and moderator marks set in the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from sqlalchemy import update

from app.db import utcnow
from app.posts.models import Comment, Post
from tests.factories import Member
from tests.groups.helpers import OPEN, call


async def write_post(member: Member, slug: str = OPEN, **fields: Any) -> dict[str, Any]:
    body = {"title": "Første dag uden dig", "body": "Jeg savner dig.\nHver dag.", **fields}
    r = await call(member, "POST", f"/api/groups/{slug}/posts", json=body)
    assert r.status_code == 201, r.text
    post: dict[str, Any] = r.json()
    return post


async def write_comment(member: Member, post_id: int, **fields: Any) -> dict[str, Any]:
    body = {"body": "Jeg kender det godt.", **fields}
    r = await call(member, "POST", f"/api/posts/{post_id}/comments", json=body)
    assert r.status_code == 201, r.text
    comment: dict[str, Any] = r.json()
    return comment


async def feed_ids(member: Member, url: str, **params: Any) -> list[int]:
    r = await call(member, "GET", url, params=params)
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


async def remove_by_moderator(
    app: FastAPI, *, post_id: int | None = None, comment_id: int | None = None, reason: str
) -> None:
    """What the moderation tools (a later feature) will do: mark the item removed."""
    async with app.state.db.sessions() as s:
        if post_id is not None:
            await s.execute(
                update(Post)
                .where(Post.id == post_id)
                .values(removed_at=utcnow(), removed_reason=reason)
            )
        if comment_id is not None:
            await s.execute(
                update(Comment)
                .where(Comment.id == comment_id)
                .values(removed_at=utcnow(), removed_reason=reason)
            )
        await s.commit()


def walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair in a JSON document, nested ones included."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
