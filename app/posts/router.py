"""HTTP endpoints for group feeds, my feed, posts, comments and reactions.

All of it is for logged-in members. Lists take `?limit=&before=`, where `before` is the
`next_cursor` of the previous page. Keys a viewer may not see are absent from the JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from app.deps import CurrentUser, HubDep, LimiterDep, SessionDep
from app.posts import service as posts
from app.posts.models import ContentWarningTopic, ReactionKind
from app.posts.schemas import (
    CommentIn,
    CommentOut,
    CommentPage,
    CommentPatch,
    ContentWarningIn,
    PostIn,
    PostOut,
    PostPage,
    PostPatch,
    ReactionIn,
    ReactionSummaryOut,
    ReactorPage,
)
from app.ratelimit import CONTENT_WRITES_PER_MEMBER, REACTIONS_PER_MEMBER
from app.responses import json_response
from app.safety import newcomers

router = APIRouter(tags=["posts"])

PostId = Annotated[int, Path(ge=1, le=2**53)]
CommentId = Annotated[int, Path(ge=1, le=2**53)]
Limit = Annotated[int, Query(ge=1, le=posts.MAX_PAGE)]
Cursor = Annotated[
    str | None,
    Query(max_length=posts.CURSOR_MAX_LENGTH, description="`next_cursor` of the last page"),
]


def _cw(value: ContentWarningIn | None) -> posts.ContentWarning | None:
    return posts.ContentWarning(value.topic.value, value.text) if value else None


async def _count_write(limiter: LimiterDep, user_id: int) -> None:
    await limiter.hit(CONTENT_WRITES_PER_MEMBER, "content-write", str(user_id))


@router.get("/content-warnings", response_model=list[ContentWarningTopic])
async def content_warning_topics() -> list[ContentWarningTopic]:
    """The fixed list of content-warning topics a post may carry."""
    return list(ContentWarningTopic)


@router.get("/groups/{slug}/posts", response_model=PostPage, response_model_exclude_unset=True)
async def group_feed(
    slug: str,
    user: CurrentUser,
    session: SessionDep,
    limit: Limit = 20,
    before: Cursor = None,
) -> Response:
    """Newest first. Open groups: any member may read; groups by request: their members."""
    items, next_cursor = await posts.group_feed(
        await session.connection(), slug=slug[:60], user=user, limit=limit, before=before
    )
    return json_response({"items": items, "next_cursor": next_cursor})


@router.post(
    "/groups/{slug}/posts",
    status_code=status.HTTP_201_CREATED,
    response_model=PostOut,
    response_model_exclude_unset=True,
)
async def create_post(
    slug: str,
    body: PostIn,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """Active members only (403 otherwise). Accounts younger than a week may post fewer
    times an hour. Text that signals risk is published and the response carries `support`."""
    await _count_write(limiter, user.id)
    await newcomers.limit_new_account(limiter, user, newcomers.NEW_ACCOUNT_POSTS, "post")
    return await posts.create_post(
        session,
        slug=slug[:60],
        user=user,
        title=body.title,
        body=body.body,
        content_warning=_cw(body.content_warning),
        anonymous=body.anonymous,
    )


@router.get("/feed", response_model=PostPage, response_model_exclude_unset=True)
async def my_feed(
    user: CurrentUser, session: SessionDep, limit: Limit = 20, before: Cursor = None
) -> Response:
    """Posts from all my groups, newest first."""
    items, next_cursor = await posts.my_feed(session, user=user, limit=limit, before=before)
    return json_response({"items": items, "next_cursor": next_cursor})


@router.get("/posts/{post_id}", response_model=PostOut, response_model_exclude_unset=True)
async def get_post(post_id: PostId, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return await posts.get_post(session, post_id=post_id, user=user)


@router.patch("/posts/{post_id}", response_model=PostOut, response_model_exclude_unset=True)
async def edit_post(
    post_id: PostId,
    body: PostPatch,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """The author edits; `edited_at` marks it as edited."""
    await _count_write(limiter, user.id)
    changes: dict[str, Any] = {}
    if body.title is not None:
        changes["title"] = body.title
    if body.body is not None:
        changes["body"] = body.body
    if "content_warning" in body.model_fields_set:
        changes["content_warning"] = _cw(body.content_warning)
    return await posts.edit_post(session, post_id=post_id, user=user, changes=changes)


@router.delete("/posts/{post_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_post(post_id: PostId, user: CurrentUser, session: SessionDep) -> Response:
    """The author deletes their post; it disappears for everyone."""
    await posts.delete_post(session, post_id=post_id, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/posts/{post_id}/comments", response_model=CommentPage, response_model_exclude_unset=True
)
async def list_comments(
    post_id: PostId,
    user: CurrentUser,
    session: SessionDep,
    limit: Limit = 50,
    before: Cursor = None,
) -> dict[str, Any]:
    """Oldest first, replies after their parent (`parent_id`); the cursor continues the list."""
    items, next_cursor = await posts.list_comments(
        session, post_id=post_id, user=user, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/posts/{post_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentOut,
    response_model_exclude_unset=True,
)
async def create_comment(
    post_id: PostId,
    body: CommentIn,
    user: CurrentUser,
    session: SessionDep,
    hub: HubDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """Active members of the post's group only. A reply to a reply is refused (400), and so
    is a comment on a thread a moderator locked (403). Accounts younger than a week may
    comment fewer times an hour. Risky text gets `support` in the response, as for posts."""
    await _count_write(limiter, user.id)
    await newcomers.limit_new_account(limiter, user, newcomers.NEW_ACCOUNT_COMMENTS, "comment")
    return await posts.create_comment(
        session,
        hub,
        post_id=post_id,
        user=user,
        body=body.body,
        parent_id=body.parent_id,
        anonymous=body.anonymous,
    )


@router.patch(
    "/comments/{comment_id}", response_model=CommentOut, response_model_exclude_unset=True
)
async def edit_comment(
    comment_id: CommentId,
    body: CommentPatch,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    await _count_write(limiter, user.id)
    return await posts.edit_comment(session, comment_id=comment_id, user=user, body=body.body)


@router.delete("/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_comment(comment_id: CommentId, user: CurrentUser, session: SessionDep) -> Response:
    await posts.delete_comment(session, comment_id=comment_id, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/posts/{post_id}/reactions", response_model=ReactorPage)
async def list_reactors(
    post_id: PostId,
    user: CurrentUser,
    session: SessionDep,
    limit: Limit = 50,
    before: Cursor = None,
) -> dict[str, Any]:
    """Who reacted, by handle only, newest first."""
    items, next_cursor = await posts.list_reactors(
        session, post_id=post_id, user=user, limit=limit, before=before
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/posts/{post_id}/reactions", response_model=ReactionSummaryOut)
async def react(
    post_id: PostId,
    body: ReactionIn,
    user: CurrentUser,
    session: SessionDep,
    hub: HubDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """One reaction of each kind per member; sending it again changes nothing."""
    await limiter.hit(REACTIONS_PER_MEMBER, "reaction", str(user.id))
    return await posts.react(session, hub, post_id=post_id, user=user, kind=body.kind.value)


@router.delete("/posts/{post_id}/reactions/{kind}", response_model=ReactionSummaryOut)
async def unreact(
    post_id: PostId,
    kind: ReactionKind,
    user: CurrentUser,
    session: SessionDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    await limiter.hit(REACTIONS_PER_MEMBER, "reaction", str(user.id))
    return await posts.unreact(session, post_id=post_id, user=user, kind=kind.value)
