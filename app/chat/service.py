"""Chat actions and queries: requests, accept and decline, history, read state, catch-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    func,
    not_,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import BindParameter

from app.accounts.member import Member
from app.accounts.models import AuthSession, User
from app.accounts.passwords import handle_key
from app.chat.models import Conversation, Message, Status
from app.db import utcnow
from app.errors import BadRequest, Conflict, Forbidden, NotFound
from app.groups.models import GroupMembership
from app.inline_reads import ReadConnection
from app.profiles.models import Profile
from app.realtime.hub import Hub, user_channel
from app.realtime.presence import Presence
from app.safety import filters
from app.safety import service as safety
from app.safety.models import Block

# A member whose request was declined may not ask the same member again for this long.
REQUEST_COOLDOWN = timedelta(days=30)
MAX_PAGE = 100

Event = tuple[str, dict[str, Any]]


def message_dict(
    *,
    id: int,
    conversation_id: int,
    seq: int,
    sender: str,
    body: str,
    created_at: datetime,
) -> dict[str, Any]:
    """A message as every client sees it, over HTTP and in websocket frames."""
    return {
        "id": id,
        "conversation_id": conversation_id,
        "seq": seq,
        "sender": sender,
        "body": body,
        # The same form the HTTP API gives datetimes, so both paths match byte for byte.
        "created_at": created_at.isoformat().replace("+00:00", "Z"),
    }


def message_events(low_id: int, high_id: int, message: dict[str, Any]) -> list[Event]:
    event = {"type": "message", "message": message}
    return [(user_channel(low_id), event), (user_channel(high_id), event)]


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _visible_to(user_id: ColumnExpressionArgument[int] | int) -> ColumnElement[bool]:
    """A member sees their conversations, except requests they declined."""
    return not_(
        and_(Conversation.status == Status.declined.value, Conversation.requester_id != user_id)
    )


def is_visible(status: str, requester_id: int, user_id: int) -> bool:
    return not (status == Status.declined.value and requester_id != user_id)


async def _conversation_for(
    session: AsyncSession, *, user_id: int, conversation_id: int, lock: bool = False
) -> Conversation:
    """The member's conversation; anyone else, and blocked pairs, get the same not-found."""
    query = select(Conversation).where(
        Conversation.id == conversation_id,
        or_(Conversation.user_low_id == user_id, Conversation.user_high_id == user_id),
        _visible_to(user_id),
    )
    if lock:
        query = query.with_for_update()
    conv = await session.scalar(query)
    if conv is None or await safety.blocked_either_way(
        session, conv.user_low_id, conv.user_high_id
    ):
        raise NotFound("conversation_not_found")
    return conv


async def _may_request(session: AsyncSession, *, sender_id: int, target_id: int) -> bool:
    """The recipient's `who_can_message` setting decides who may send a first request."""
    setting = await session.scalar(
        select(Profile.who_can_message).where(Profile.user_id == target_id)
    )
    if setting == "everyone":
        return True
    if setting != "shared_groups":
        return False
    mine = aliased(GroupMembership)
    theirs = aliased(GroupMembership)
    shared = await session.scalar(
        select(mine.group_id)
        .join(theirs, theirs.group_id == mine.group_id)
        .where(
            mine.user_id == sender_id,
            theirs.user_id == target_id,
            mine.status == "active",
            theirs.status == "active",
        )
        .limit(1)
    )
    return shared is not None


async def _append_message(
    session: AsyncSession,
    *,
    conversation_id: int,
    sender_id: int,
    client_id: str,
    body: str,
    now: datetime,
) -> Message:
    # The row lock this UPDATE takes is held until commit: numbers commit in order.
    seq = await session.scalar(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + 1, last_message_at=now)
        .returning(Conversation.last_seq)
        .execution_options(synchronize_session=False)
    )
    if seq is None:
        raise NotFound("conversation_not_found")
    message = Message(
        conversation_id=conversation_id,
        seq=seq,
        sender_id=sender_id,
        client_id=client_id,
        body=body,
        created_at=now,
    )
    session.add(message)
    await session.flush()
    return message


@dataclass(frozen=True)
class RequestResult:
    conversation_id: int
    message: dict[str, Any]
    duplicate: bool


async def request_conversation(
    session: AsyncSession,
    *,
    sender_id: int,
    sender_handle: str,
    handle: str,
    body: str,
    client_id: str,
) -> tuple[RequestResult, list[Event]]:
    """First contact: a request carrying its first message (or a message, once accepted).

    Runs inside the batching writer's transaction, which commits it; so it never commits.
    """
    target = await session.scalar(select(User).where(User.handle_key == handle_key(handle)))
    if target is None:
        raise NotFound("member_not_found")
    if target.id == sender_id:
        raise BadRequest("cannot_message_self")
    if await safety.blocked_either_way(session, sender_id, target.id):
        # Looks like the profile does to a blocked member: not there.
        raise NotFound("member_not_found")
    low, high = _pair(sender_id, target.id)
    now = utcnow()
    conv = await session.scalar(
        select(Conversation)
        .where(Conversation.user_low_id == low, Conversation.user_high_id == high)
        .with_for_update()
    )
    events: list[Event] = []
    if conv is not None:
        retried = await session.scalar(
            select(Message).where(
                Message.conversation_id == conv.id,
                Message.sender_id == sender_id,
                Message.client_id == client_id,
            )
        )
        if retried is not None:
            message = message_dict(
                id=retried.id,
                conversation_id=conv.id,
                seq=retried.seq,
                sender=sender_handle,
                body=retried.body,
                created_at=retried.created_at,
            )
            return RequestResult(conv.id, message, duplicate=True), []
    if conv is None:
        if not await _may_request(session, sender_id=sender_id, target_id=target.id):
            raise Forbidden("cannot_message_member")
        # A member on a hard day gets no new requests; the sender is told only "not now".
        if await filters.chat_requests_paused(session, target.id):
            raise Forbidden("cannot_message_member")
        conv = Conversation(
            user_low_id=low,
            user_high_id=high,
            requester_id=sender_id,
            status=Status.pending.value,
            created_at=now,
            last_message_at=now,
        )
        session.add(conv)
        await session.flush()
        events.append(_conversation_event(target.id, conv.id, "requested"))
    elif conv.status == Status.pending.value:
        if conv.requester_id == sender_id:
            raise Conflict("request_pending")
        # Both asked: answering a request with one's own counts as accepting it.
        conv.status = Status.accepted.value
        conv.decided_at = now
        events += [
            _conversation_event(low, conv.id, "accepted"),
            _conversation_event(high, conv.id, "accepted"),
        ]
    elif conv.status == Status.declined.value:
        cooling = conv.decided_at is not None and conv.decided_at > now - REQUEST_COOLDOWN
        if conv.requester_id == sender_id and cooling:
            raise Forbidden("request_not_accepted")
        if not await _may_request(session, sender_id=sender_id, target_id=target.id):
            raise Forbidden("cannot_message_member")
        conv.status = Status.pending.value
        conv.requester_id = sender_id
        conv.decided_at = None
        events.append(_conversation_event(target.id, conv.id, "requested"))
    stored = await _append_message(
        session,
        conversation_id=conv.id,
        sender_id=sender_id,
        client_id=client_id,
        body=body,
        now=now,
    )
    message = message_dict(
        id=stored.id,
        conversation_id=conv.id,
        seq=stored.seq,
        sender=sender_handle,
        body=body,
        created_at=now,
    )
    # The message first, so a client learns of the conversation with its content at hand.
    return RequestResult(conv.id, message, duplicate=False), [
        *message_events(low, high, message),
        *events,
    ]


def _conversation_event(user_id: int, conversation_id: int, what: str) -> Event:
    return (
        user_channel(user_id),
        {"type": "conversation", "conversation_id": conversation_id, "event": what},
    )


async def _pending_for(
    session: AsyncSession, *, user_id: int, conversation_id: int
) -> Conversation:
    conv = await _conversation_for(
        session, user_id=user_id, conversation_id=conversation_id, lock=True
    )
    if conv.status != Status.pending.value or conv.requester_id == user_id:
        raise Conflict("request_not_pending")
    return conv


async def accept(session: AsyncSession, hub: Hub, *, user_id: int, conversation_id: int) -> None:
    """The recipient accepts a request; both members can now write."""
    conv = await _pending_for(session, user_id=user_id, conversation_id=conversation_id)
    conv.status = Status.accepted.value
    conv.decided_at = utcnow()
    low, high = conv.user_low_id, conv.user_high_id
    await session.commit()
    for channel, event in (
        _conversation_event(low, conversation_id, "accepted"),
        _conversation_event(high, conversation_id, "accepted"),
    ):
        await hub.publish(channel, event)


async def decline(
    session: AsyncSession, hub: Hub, *, user_id: int, conversation_id: int, block: bool
) -> None:
    """The recipient declines (and may block). The requester is not told when, or whether
    a block came with it; they see only that the request was not accepted."""
    conv = await _pending_for(session, user_id=user_id, conversation_id=conversation_id)
    conv.status = Status.declined.value
    conv.decided_at = utcnow()
    requester = conv.requester_id
    if block and await session.get(Block, (user_id, requester)) is None:
        session.add(Block(blocker_id=user_id, blocked_id=requester))
    await session.commit()
    # Only the member's own other tabs hear of it.
    await hub.publish(*_conversation_event(user_id, conversation_id, "declined"))


# Listing conversations. Each member is on one side of the pair, so every list is the union
# of two index-ordered scans: one where they are the low id, one where they are the high id.


@dataclass(frozen=True)
class Cursor:
    at: datetime
    id: int

    def encode(self) -> str:
        micros = (self.at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        if raw is None:
            return None
        try:
            micros, ident = raw.split(".", 1)
            return cls(_EPOCH + timedelta(microseconds=int(micros)), int(ident))
        except (ValueError, OverflowError):
            raise BadRequest("invalid_cursor") from None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _side(
    user_id: int,
    *,
    low: bool,
    condition: ColumnElement[bool],
    before: Cursor | None,
    limit: int,
) -> Subquery:
    c = Conversation
    mine, peer = (c.user_low_id, c.user_high_id) if low else (c.user_high_id, c.user_low_id)
    my_read, peer_read = (
        (c.low_read_seq, c.high_read_seq)
        if low
        else (
            c.high_read_seq,
            c.low_read_seq,
        )
    )
    last = aliased(Message)
    unread = (
        select(func.count())
        .select_from(Message)
        .where(Message.conversation_id == c.id, Message.seq > my_read, Message.sender_id != user_id)
        .scalar_subquery()
    )
    query = (
        select(
            c.id.label("id"),
            c.status.label("status"),
            c.requester_id.label("requester_id"),
            c.last_seq.label("last_seq"),
            c.last_message_at.label("last_message_at"),
            my_read.label("read_seq"),
            peer_read.label("peer_read_seq"),
            peer.label("peer_id"),
            User.handle.label("peer_handle"),
            Profile.read_receipts.label("peer_receipts"),
            Profile.show_online.label("peer_shows_online"),
            unread.label("unread"),
            last.id.label("m_id"),
            last.seq.label("m_seq"),
            last.sender_id.label("m_sender_id"),
            last.body.label("m_body"),
            last.created_at.label("m_created_at"),
        )
        .join(User, User.id == peer)
        .outerjoin(Profile, Profile.user_id == peer)
        .outerjoin(last, and_(last.conversation_id == c.id, last.seq == c.last_seq))
        .where(mine == user_id, condition, peer.not_in(safety.hidden_user_ids(user_id)))
    )
    if before is not None:
        query = query.where(
            or_(
                c.last_message_at < before.at,
                and_(c.last_message_at == before.at, c.id < before.id),
            )
        )
    return query.order_by(c.last_message_at.desc(), c.id.desc()).limit(limit).subquery()


def page_query(
    user_id: int, *, condition: ColumnElement[bool], before: Cursor | None, limit: int
) -> Select[Any]:
    """One page of a member's conversations, newest activity first: two index scans merged."""
    arms = [
        select(_side(user_id, low=low, condition=condition, before=before, limit=limit))
        for low in (True, False)
    ]
    merged = union_all(*arms).subquery()
    return select(merged).order_by(merged.c.last_message_at.desc(), merged.c.id.desc()).limit(limit)


async def _page(
    session: AsyncSession,
    presence: Presence,
    *,
    user: Member,
    condition: ColumnElement[bool],
    before: Cursor | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    rows = (
        await session.execute(
            page_query(user.id, condition=condition, before=before, limit=limit + 1)
        )
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    my_receipts = bool(
        await session.scalar(select(Profile.read_receipts).where(Profile.user_id == user.id))
    )
    shown = [r.peer_id for r in rows if r.peer_shows_online]
    online = await presence.online(shown) if shown else set()
    items = [_view(r, user=user, my_receipts=my_receipts, online=online) for r in rows]
    cursor = Cursor(rows[-1].last_message_at, rows[-1].id).encode() if more and rows else None
    return items, cursor


def _view(row: Any, *, user: Member, my_receipts: bool, online: set[int]) -> dict[str, Any]:
    accepted = row.status == Status.accepted.value
    status = "not_accepted" if row.status == Status.declined.value else row.status
    last = None
    if row.m_id is not None:
        last = message_dict(
            id=row.m_id,
            conversation_id=row.id,
            seq=row.m_seq,
            sender=user.handle if row.m_sender_id == user.id else row.peer_handle,
            body=row.m_body,
            created_at=row.m_created_at,
        )
    return {
        "id": row.id,
        "status": status,
        "incoming": row.status == Status.pending.value and row.requester_id != user.id,
        "peer_handle": row.peer_handle,
        "peer_online": (row.peer_id in online) if row.peer_shows_online else None,
        "last_seq": row.last_seq,
        "read_seq": row.read_seq,
        # A pending request never tells its sender whether or when it was seen.
        "peer_read_seq": row.peer_read_seq
        if accepted and my_receipts and row.peer_receipts
        else None,
        "unread": row.unread,
        "last_message": last,
        "last_message_at": row.last_message_at,
    }


def conversations_filter(user_id: int) -> ColumnElement[bool]:
    # Requests the member received are listed apart; what they sent stays in the main list.
    return or_(Conversation.status == Status.accepted.value, Conversation.requester_id == user_id)


def requests_filter(user_id: int) -> ColumnElement[bool]:
    return and_(Conversation.status == Status.pending.value, Conversation.requester_id != user_id)


async def list_conversations(
    session: AsyncSession,
    presence: Presence,
    *,
    user: Member,
    before: str | None,
    limit: int,
) -> dict[str, Any]:
    cursor = Cursor.decode(before)
    items, next_before = await _page(
        session,
        presence,
        user=user,
        condition=conversations_filter(user.id),
        before=cursor,
        limit=limit,
    )
    requests: list[dict[str, Any]] = []
    requests_next: str | None = None
    if cursor is None:
        requests, requests_next = await _page(
            session,
            presence,
            user=user,
            condition=requests_filter(user.id),
            before=None,
            limit=limit,
        )
    return {
        "conversations": items,
        "next_before": next_before,
        "requests": requests,
        "requests_next_before": requests_next,
    }


async def list_requests(
    session: AsyncSession, presence: Presence, *, user: Member, before: str | None, limit: int
) -> dict[str, Any]:
    items, next_before = await _page(
        session,
        presence,
        user=user,
        condition=requests_filter(user.id),
        before=Cursor.decode(before),
        limit=limit,
    )
    return {"requests": items, "next_before": next_before}


async def get_conversation(
    session: AsyncSession, presence: Presence, *, user: Member, conversation_id: int
) -> dict[str, Any]:
    items, _ = await _page(
        session,
        presence,
        user=user,
        condition=and_(Conversation.id == conversation_id, _visible_to(user.id)),
        before=None,
        limit=1,
    )
    if not items:
        raise NotFound("conversation_not_found")
    return items[0]


# A history page: the conversation if the member may read it (theirs, not a request they
# declined, no block between the two), then the page. Both statements are built once and run
# with bound values; each page is a range on the (conversation_id, seq) key.
_member: BindParameter[int] = bindparam("user_id")
_READABLE = select(Conversation.id).where(
    Conversation.id == bindparam("conversation_id"),
    or_(Conversation.user_low_id == _member, Conversation.user_high_id == _member),
    _visible_to(_member),
    ~safety.block_between(Conversation.user_low_id, Conversation.user_high_id),
)
_PAGE = (
    select(Message.id, Message.seq, User.handle, Message.body, Message.created_at)
    .join(User, User.id == Message.sender_id)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.seq > bindparam("after"),
        Message.seq <= bindparam("through"),
    )
    .limit(bindparam("limit", type_=Integer))
)
HISTORY_NEWEST_FIRST = _PAGE.order_by(Message.seq.desc())
HISTORY_OLDEST_FIRST = _PAGE.order_by(Message.seq.asc())
# Message.seq is a 32-bit integer: "through the last one" needs no other statement.
_LAST_SEQ = 2**31 - 1


def history_query(
    conversation_id: int, *, after: int | None, before: int | None, limit: int
) -> tuple[Select[int, int, str, str, datetime], dict[str, Any]]:
    """The statement and bound values for a page: newest first unless reading on `after` a
    seq, and only before `before` when it is given."""
    statement = HISTORY_NEWEST_FIRST if after is None else HISTORY_OLDEST_FIRST
    return statement, {
        "conversation_id": conversation_id,
        "after": 0 if after is None else after,
        "through": _LAST_SEQ if before is None else before - 1,
        "limit": limit,
    }


async def history(
    conn: ReadConnection,
    *,
    user_id: int,
    conversation_id: int,
    after: int | None,
    before: int | None,
    limit: int,
) -> tuple[list[dict[str, Any]], bool]:
    """A page of messages in seq order: after a seq, before a seq, or else the latest."""
    readable = await conn.execute(
        _READABLE, {"conversation_id": conversation_id, "user_id": user_id}
    )
    if readable.first() is None:
        raise NotFound("conversation_not_found")
    statement, params = history_query(conversation_id, after=after, before=before, limit=limit + 1)
    rows = (await conn.execute(statement, params)).all()
    more = len(rows) > limit
    page = rows[:limit] if after is not None else rows[:limit][::-1]
    return [
        message_dict(
            id=message_id,
            conversation_id=conversation_id,
            seq=seq,
            sender=handle,
            body=body,
            created_at=created_at,
        )
        for message_id, seq, handle, body, created_at in page
    ], more


async def typing_peer(session: AsyncSession, *, user_id: int, conversation_id: int) -> int:
    """Whom a typing notice goes to; only in an accepted conversation."""
    conv = await _conversation_for(session, user_id=user_id, conversation_id=conversation_id)
    if conv.status != Status.accepted.value:
        raise Forbidden("request_pending")
    return conv.peer_of(user_id)


@dataclass(frozen=True)
class ConversationState:
    id: int
    last_seq: int
    read_seq: int
    # False for blocked pairs and requests the member declined: nothing of them is replayed.
    replay: bool


async def conversation_states(session: AsyncSession, *, user_id: int) -> list[ConversationState]:
    """Every conversation of the member with its newest seq, for a socket's catch-up."""
    c = Conversation
    rows = (
        await session.execute(
            select(
                c.id,
                c.user_low_id,
                c.user_high_id,
                c.status,
                c.requester_id,
                c.last_seq,
                c.low_read_seq,
                c.high_read_seq,
            ).where(or_(c.user_low_id == user_id, c.user_high_id == user_id))
        )
    ).all()
    hidden = set((await session.scalars(safety.hidden_user_ids(user_id))).all()) if rows else set()
    out = []
    for r in rows:
        low = r.user_low_id == user_id
        peer = r.user_high_id if low else r.user_low_id
        out.append(
            ConversationState(
                id=r.id,
                last_seq=r.last_seq,
                read_seq=r.low_read_seq if low else r.high_read_seq,
                replay=peer not in hidden and is_visible(r.status, r.requester_id, user_id),
            )
        )
    return out


async def messages_after(
    session: AsyncSession, *, user_id: int, conversation_id: int, after: int, limit: int
) -> list[dict[str, Any]]:
    """Messages with seq > `after`, oldest first, if the member may read the conversation."""
    try:
        messages, _ = await history(
            await session.connection(),
            user_id=user_id,
            conversation_id=conversation_id,
            after=after,
            before=None,
            limit=limit,
        )
    except NotFound:
        return []
    return messages


async def session_active(session: AsyncSession, *, session_id: str, user_id: int) -> bool:
    """Whether a socket's login is still good: not revoked, not expired, member not suspended."""
    now = utcnow()
    row = (
        await session.execute(
            select(AuthSession.revoked_at, AuthSession.expires_at, User.suspended_until)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.id == session_id, AuthSession.user_id == user_id)
        )
    ).first()
    if row is None:
        return False
    revoked_at, expires_at, suspended_until = row
    return (
        revoked_at is None
        and expires_at > now
        and (suspended_until is None or suspended_until <= now)
    )


async def export_member(session: AsyncSession, *, user_id: int) -> dict[str, Any]:
    """The member's conversations and the messages they wrote, for their data export."""
    c = Conversation
    peer = aliased(User)
    conversations = (
        await session.execute(
            select(c.id, c.status, c.created_at, peer.handle)
            .join(
                peer,
                peer.id
                == func.coalesce(
                    # The other member of the pair.
                    func.nullif(c.user_low_id, user_id),
                    c.user_high_id,
                ),
            )
            .where(or_(c.user_low_id == user_id, c.user_high_id == user_id))
            .order_by(c.id)
        )
    ).all()
    # Through the member's conversations: messages.sender_id has no index (migration 0006).
    messages = (
        await session.execute(
            select(Message.conversation_id, Message.seq, Message.body, Message.created_at)
            .where(
                Message.conversation_id.in_([cid for cid, *_ in conversations]),
                Message.sender_id == user_id,
            )
            .order_by(Message.id)
        )
    ).all()
    return {
        "conversations": [
            {"id": i, "with": h, "status": s, "created_at": at.isoformat()}
            for i, s, at, h in conversations
        ],
        "messages_sent": [
            {"conversation_id": cid, "seq": seq, "body": body, "created_at": at.isoformat()}
            for cid, seq, body, at in messages
        ],
    }
