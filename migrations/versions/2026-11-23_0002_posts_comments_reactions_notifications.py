"""posts_comments_reactions_notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fill_group_search_text() -> None:
    """Existing groups get the same case-folded text that the model computes on every write."""
    groups = sa.table(
        "groups",
        sa.column("id", ID),
        sa.column("name_da", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("description_da", sa.Text()),
        sa.column("description_en", sa.Text()),
        sa.column("search_text", sa.Text()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            groups.c.id,
            groups.c.name_da,
            groups.c.name_en,
            groups.c.description_da,
            groups.c.description_en,
        )
    ).all()
    for gid, name_da, name_en, desc_da, desc_en in rows:
        text = "\n".join((name_da, name_en, desc_da, desc_en)).casefold()
        conn.execute(groups.update().where(groups.c.id == gid).values(search_text=text))


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _fill_group_search_text()
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.alter_column("search_text", server_default=None)

    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_memberships_group_id_status",
            ["group_id", "status", "created_at"],
            unique=False,
        )

    op.create_table(
        "posts",
        sa.Column("id", ID, nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("cw_topic", sa.String(length=30), nullable=True),
        sa.Column("cw_text", sa.String(length=200), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_posts_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_posts_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_author_id", ["author_id", "id"], unique=False)
        batch_op.create_index("ix_posts_group_id", ["group_id", "id"], unique=False)

    op.create_table(
        "comments",
        sa.Column("id", ID, nullable=False),
        sa.Column("post_id", ID, nullable=False),
        sa.Column("parent_id", ID, nullable=True),
        sa.Column("author_id", ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_comments_author_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments.id"],
            name=op.f("fk_comments_parent_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_comments_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index("ix_comments_author_id", ["author_id", "id"], unique=False)
        batch_op.create_index("ix_comments_parent_id", ["parent_id"], unique=False)
        batch_op.create_index("ix_comments_post_id", ["post_id", "id"], unique=False)

    op.create_table(
        "reactions",
        sa.Column("id", ID, nullable=False),
        sa.Column("post_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('hjerte', 'kram', 'styrke', 'tak')", name=op.f("ck_reactions_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_reactions_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
        sa.UniqueConstraint(
            "post_id", "user_id", "kind", name=op.f("uq_reactions_post_id_user_id_kind")
        ),
    )
    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.create_index("ix_reactions_post_id", ["post_id", "id"], unique=False)
        batch_op.create_index("ix_reactions_user_id", ["user_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("actor_id", ID, nullable=False),
        sa.Column("post_id", ID, nullable=False),
        sa.Column("comment_id", ID, nullable=True),
        sa.Column("reaction", sa.String(length=10), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('comment', 'reply', 'reaction')", name=op.f("ck_notifications_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_notifications_actor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notifications_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_notifications_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_actor_id", ["actor_id"], unique=False)
        batch_op.create_index("ix_notifications_comment_id", ["comment_id"], unique=False)
        batch_op.create_index("ix_notifications_post_id", ["post_id"], unique=False)
        batch_op.create_index("ix_notifications_user_id", ["user_id", "id"], unique=False)
        batch_op.create_index(
            "ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")
        batch_op.drop_index("ix_notifications_user_id")
        batch_op.drop_index("ix_notifications_post_id")
        batch_op.drop_index("ix_notifications_comment_id")
        batch_op.drop_index("ix_notifications_actor_id")
    op.drop_table("notifications")

    with op.batch_alter_table("reactions", schema=None) as batch_op:
        batch_op.drop_index("ix_reactions_user_id")
        batch_op.drop_index("ix_reactions_post_id")
    op.drop_table("reactions")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_post_id")
        batch_op.drop_index("ix_comments_parent_id")
        batch_op.drop_index("ix_comments_author_id")
    op.drop_table("comments")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_group_id")
        batch_op.drop_index("ix_posts_author_id")
    op.drop_table("posts")

    with op.batch_alter_table("group_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_group_memberships_group_id_status")

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("search_text")
