"""messages: no index and no foreign key on sender_id

The chat writer inserts every message into each of the table's indexes; this one was a
quarter of a batch's cost (insert and commit) and served only the member's data export,
which now finds their messages through their conversations. Without an index, the foreign
key would make deleting a member scan every message; it is not needed either: a sender is
always one of the conversation's two members, and deleting either member deletes the
conversation and, through its own foreign key, its messages.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_sender_id")
        batch_op.drop_constraint("fk_messages_sender_id_users", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_messages_sender_id_users", "users", ["sender_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_messages_sender_id", ["sender_id", "id"], unique=False)
