"""build content and outcomes per assessment (建设内容, 建设成效), and the recommending regions' quota facts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("build_content", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("outcomes", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("cumulative_provincial_pilots", sa.Integer(), nullable=True),
        sa.Column("iva_rank", sa.Integer(), nullable=True),
        sa.Column("excellent_count", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=80), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )


def downgrade() -> None:
    op.drop_table("regions")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("outcomes")
        batch_op.drop_column("build_content")
