"""moderation: reports, cases, audit log, notices, appeals, thread locks, mutes, personal filters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "moderation_notices",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_type", sa.String(length=12), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('content_removed', 'content_restored', 'warning', 'suspended', 'banned', 'unsuspended', 'report_outcome', 'appeal_decided')",
            name=op.f("ck_moderation_notices_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_moderation_notices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_notices")),
    )
    with op.batch_alter_table("moderation_notices", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_notices_user_id", ["user_id", "id"], unique=False)

    op.create_table(
        "mutes",
        sa.Column("muter_id", ID, nullable=False),
        sa.Column("muted_id", ID, nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("muter_id <> muted_id", name=op.f("ck_mutes_not_self")),
        sa.ForeignKeyConstraint(
            ["muted_id"], ["users.id"], name=op.f("fk_mutes_muted_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["muter_id"], ["users.id"], name=op.f("fk_mutes_muter_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("muter_id", "muted_id", name=op.f("pk_mutes")),
    )
    with op.batch_alter_table("mutes", schema=None) as batch_op:
        batch_op.create_index("ix_mutes_muted_id", ["muted_id"], unique=False)

    op.create_table(
        "personal_filters",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("cw_topics", sa.JSON(), nullable=False),
        sa.Column("hard_day_topics", sa.JSON(), nullable=False),
        sa.Column("hard_day_started_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hard_day_until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_personal_filters_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_personal_filters")),
    )
    op.create_table(
        "appeals",
        sa.Column("id", ID, nullable=False),
        sa.Column("appellant_id", ID, nullable=False),
        sa.Column("target_type", sa.String(length=12), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("group_id", ID, nullable=True),
        sa.Column("acted_by_id", ID, nullable=True),
        sa.Column("action_reason", sa.String(length=1000), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by_id", ID, nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'upheld', 'overturned')", name=op.f("ck_appeals_status_valid")
        ),
        sa.CheckConstraint(
            "target_type IN ('post', 'comment', 'suspension')", name=op.f("ck_appeals_target_valid")
        ),
        sa.ForeignKeyConstraint(
            ["acted_by_id"],
            ["users.id"],
            name=op.f("fk_appeals_acted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["appellant_id"],
            ["users.id"],
            name=op.f("fk_appeals_appellant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_appeals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_appeals_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint(
            "appellant_id",
            "target_type",
            "target_id",
            name=op.f("uq_appeals_appellant_id_target_type_target_id"),
        ),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index("ix_appeals_acted_by_id", ["acted_by_id"], unique=False)
        batch_op.create_index("ix_appeals_decided_by_id", ["decided_by_id"], unique=False)
        batch_op.create_index("ix_appeals_group_id", ["group_id", "status", "id"], unique=False)
        batch_op.create_index("ix_appeals_status", ["status", "id"], unique=False)

    op.create_table(
        "report_cases",
        sa.Column("id", ID, nullable=False),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("group_id", ID, nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("open_marker", sa.Boolean(), nullable=True),
        sa.Column("crisis", sa.Boolean(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("opened_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_report_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", ID, nullable=True),
        sa.CheckConstraint(
            "open_marker IS NULL OR status = 'open'", name=op.f("ck_report_cases_marker_only_open")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'actioned', 'dismissed')", name=op.f("ck_report_cases_status_valid")
        ),
        sa.CheckConstraint(
            "target_type IN ('post', 'comment', 'message', 'user')",
            name=op.f("ck_report_cases_target_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["users.id"],
            name=op.f("fk_report_cases_closed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_report_cases_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["users.id"],
            name=op.f("fk_report_cases_subject_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_cases")),
        sa.UniqueConstraint(
            "target_type",
            "target_id",
            "open_marker",
            name=op.f("uq_report_cases_target_type_target_id_open_marker"),
        ),
    )
    with op.batch_alter_table("report_cases", schema=None) as batch_op:
        batch_op.create_index("ix_report_cases_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_report_cases_closed_by_id", ["closed_by_id"], unique=False)
        batch_op.create_index(
            "ix_report_cases_group_id", ["group_id", "status", "priority", "id"], unique=False
        )
        batch_op.create_index("ix_report_cases_status", ["status", "priority", "id"], unique=False)
        batch_op.create_index("ix_report_cases_subject_id", ["subject_id", "status"], unique=False)

    op.create_table(
        "audit_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target_type", sa.String(length=12), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("subject_id", ID, nullable=True),
        sa.Column("group_id", ID, nullable=True),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('report_dismissed', 'post_removed', 'post_restored', 'comment_removed', 'comment_restored', 'post_locked', 'post_unlocked', 'user_warned', 'user_suspended', 'user_banned', 'user_unsuspended', 'message_viewed', 'appeal_upheld', 'appeal_overturned')",
            name=op.f("ck_audit_entries_action_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_entries_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["report_cases.id"],
            name=op.f("fk_audit_entries_case_id_report_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_audit_entries_group_id_groups"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["users.id"],
            name=op.f("fk_audit_entries_subject_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_action", ["action", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_actor_id", ["actor_id", "id"], unique=False)
        batch_op.create_index("ix_audit_entries_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_audit_entries_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_audit_entries_group_id", ["group_id"], unique=False)
        batch_op.create_index("ix_audit_entries_subject_id", ["subject_id", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_entries_target", ["target_type", "target_id", "id"], unique=False
        )

    op.create_table(
        "post_locks",
        sa.Column("post_id", ID, nullable=False),
        sa.Column("locked_by_id", ID, nullable=True),
        sa.Column("locked_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["locked_by_id"],
            ["users.id"],
            name=op.f("fk_post_locks_locked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_post_locks_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_locks")),
    )
    with op.batch_alter_table("post_locks", schema=None) as batch_op:
        batch_op.create_index("ix_post_locks_locked_by_id", ["locked_by_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("reporter_id", ID, nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("categories", sa.String(length=100), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('harassment', 'hate', 'self_harm_risk', 'spam', 'sexual_content', 'private_info', 'other')",
            name=op.f("ck_reports_reason_valid"),
        ),
        sa.CheckConstraint("source IN ('member', 'crisis')", name=op.f("ck_reports_source_valid")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["report_cases.id"],
            name=op.f("fk_reports_case_id_report_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_reports_reporter_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("case_id", "reporter_id", name=op.f("uq_reports_case_id_reporter_id")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_reporter_id", ["reporter_id", "id"], unique=False)


def downgrade() -> None:
    # Children first: reports and audit entries point at cases.
    for table in (
        "post_locks",
        "audit_entries",
        "reports",
        "report_cases",
        "appeals",
        "personal_filters",
        "mutes",
        "moderation_notices",
    ):
        op.drop_table(table)
