"""the per-instance supply-chain switch of a scenario (是否为供应链场景); NULL: decided by the scenario's link

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenario_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supply_chain", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scenario_records", schema=None) as batch_op:
        batch_op.drop_column("supply_chain")
