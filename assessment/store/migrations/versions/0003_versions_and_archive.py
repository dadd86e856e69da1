"""versions, updated_by/at and soft delete for enterprises and factories; soft delete for assessments

Enterprises and factories get an optimistic-lock version (a stale form is refused instead of silently
overwriting someone else's change) and who/when of the last change; enterprises, factories and
assessments get ``archived_at`` (soft delete: hidden from the lists, restorable, audited).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 23:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("enterprises", "factories"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column("updated_by", sa.String(length=80), nullable=True))
            batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    for table in ("factories", "enterprises"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("archived_at")
            batch_op.drop_column("updated_by")
            batch_op.drop_column("updated_at")
            batch_op.drop_column("version")
