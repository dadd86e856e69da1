"""the declarations edition each assessment is checked under, recorded at creation

Every assessment stored before this revision was checked under declarations/2021-2025, the only declarations edition
there was: the column is filled with it, then has no default (the repository records the edition on creation).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

USED_BEFORE = "declarations/2021-2025"  # frozen here: the value earlier rows were evaluated with


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declarations_edition", sa.String(length=40), nullable=True))
    op.execute(sa.text("UPDATE assessments SET declarations_edition = :e").bindparams(e=USED_BEFORE))
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.alter_column("declarations_edition", existing_type=sa.String(length=40), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("declarations_edition")
