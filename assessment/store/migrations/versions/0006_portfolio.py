"""portfolio (issue 14): the synthetic marker on enterprises and the blockers index of result snapshots

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "portfolio_blockers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["result_snapshots.id"],
            name=op.f("fk_portfolio_blockers_snapshot_id_result_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_blockers")),
    )
    with op.batch_alter_table("portfolio_blockers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_blockers_snapshot_id"), ["snapshot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolio_blockers_item"), ["item"], unique=False)


def downgrade() -> None:
    op.drop_table("portfolio_blockers")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("synthetic")
