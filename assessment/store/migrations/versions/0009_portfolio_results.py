"""portfolio results (issue 14): the narrow facts the dashboard reads, one row per assessment with a snapshot

The dashboard used to find each factory's latest snapshot by reading ``result_snapshots``, whose result documents make
its rows wide. ``portfolio_results`` holds the latest snapshot's level, tier and score of every assessment, its period,
whether it is archived and whether it is its factory's latest; it is built here from the snapshots already stored.
The index of ``portfolio_blockers`` by snapshot becomes covering (snapshot, kind, item, target).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# frozen copy of assessment.store.orm._REFRESH over every factory
BACKFILL = (
    """INSERT INTO portfolio_results
      (assessment_id, snapshot_id, factory_id, period_key, level, tier, score, complete, created_at, archived, latest)
    SELECT a.id, rs.id, a.factory_id, COALESCE(a.period, ''), rs.level, rs.tier, rs.score, rs.complete, rs.created_at,
           a.archived_at IS NOT NULL, FALSE
    FROM assessments a JOIN result_snapshots rs
      ON rs.id = (SELECT MAX(x.id) FROM result_snapshots x WHERE x.assessment_id = a.id)""",
    """UPDATE portfolio_results SET latest = TRUE
    WHERE NOT archived AND NOT EXISTS (
      SELECT 1 FROM portfolio_results q
      WHERE q.factory_id = portfolio_results.factory_id AND NOT q.archived
        AND (q.period_key > portfolio_results.period_key
             OR (q.period_key = portfolio_results.period_key AND q.assessment_id > portfolio_results.assessment_id)))""",
)


def upgrade() -> None:
    op.create_table(
        "portfolio_results",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("factory_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("latest", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_portfolio_results_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["factory_id"], ["factories.id"], name=op.f("fk_portfolio_results_factory_id_factories"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["result_snapshots.id"],
            name=op.f("fk_portfolio_results_snapshot_id_result_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_portfolio_results")),
    )
    with op.batch_alter_table("portfolio_results", schema=None) as batch_op:
        batch_op.create_index("ix_portfolio_results_latest", ["latest", "factory_id"], unique=False)
        batch_op.create_index(
            "ix_portfolio_results_factory",
            ["factory_id", "period_key", "assessment_id", "archived", "level", "tier"],
            unique=False,
        )
    with op.batch_alter_table("portfolio_blockers", schema=None) as batch_op:  # covering: read from the index alone
        batch_op.create_index("ix_portfolio_blockers_snapshot", ["snapshot_id", "kind", "item", "target"], unique=False)
        batch_op.drop_index("ix_portfolio_blockers_snapshot_id")
    for sql in BACKFILL:
        op.execute(sa.text(sql))


def downgrade() -> None:
    with op.batch_alter_table("portfolio_blockers", schema=None) as batch_op:
        batch_op.create_index("ix_portfolio_blockers_snapshot_id", ["snapshot_id"], unique=False)
        batch_op.drop_index("ix_portfolio_blockers_snapshot")
    op.drop_table("portfolio_results")
