"""accounts, audit chain, provincial workflow, evidence in the database

Users gain an argon2 password hash, a province or enterprise scope and lockout fields; login sessions are shared by
every app process; the audit log becomes a hash chain (existing entries are chained here, oldest first) with its head
in ``audit_head``; applications, expert assignments and grades, consensus, site-visit items and rectifications hold
the provincial workflow (issue 12); ``evidence_blob_data`` keeps evidence content in the database when so configured.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:01:05.253351
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "evidence_blob_data",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_blob_data")),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("certified_assessment_id", sa.Integer(), nullable=True),
        sa.Column("certificate_number", sa.String(length=40), nullable=True),
        sa.Column("revision_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name=op.f("fk_applications_assessment_id_assessments"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["certified_assessment_id"],
            ["assessments.id"],
            name=op.f("fk_applications_certified_assessment_id_assessments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name=op.f("fk_applications_enterprise_id_enterprises"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["applications.id"], name=op.f("fk_applications_supersedes_id_applications"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_applications_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_province"), ["province"], unique=False)
        batch_op.create_index(batch_op.f("ix_applications_status"), ["status"], unique=False)

    op.create_table(
        "application_experts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=80), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_experts_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["users.id"], name=op.f("fk_application_experts_expert_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_experts")),
        sa.UniqueConstraint("application_id", "expert_id", name=op.f("uq_application_experts_application_id")),
    )
    with op.batch_alter_table("application_experts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_experts_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_experts_expert_id"), ["expert_id"], unique=False)

    op.create_table(
        "consensus_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.String(length=80), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_consensus_grades_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consensus_grades")),
        sa.UniqueConstraint("application_id", "requirement_id", name=op.f("uq_consensus_grades_application_id")),
    )
    with op.batch_alter_table("consensus_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consensus_grades_application_id"), ["application_id"], unique=False)

    op.create_table(
        "expert_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.String(length=80), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("evidence_request", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_expert_grades_application_id_applications"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["expert_id"], ["users.id"], name=op.f("fk_expert_grades_expert_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_grades")),
        sa.UniqueConstraint("application_id", "expert_id", "requirement_id", name=op.f("uq_expert_grades_application_id")),
    )
    with op.batch_alter_table("expert_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_grades_application_id"), ["application_id"], unique=False)

    op.create_table(
        "rectifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.String(length=80), nullable=False),
        sa.Column("issue", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.Column("responded_by", sa.String(length=80), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=80), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verify_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_rectifications_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectifications")),
        sa.UniqueConstraint("application_id", "requirement_id", name=op.f("uq_rectifications_application_id")),
    )
    with op.batch_alter_table("rectifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectifications_application_id"), ["application_id"], unique=False)

    op.create_table(
        "site_visit_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.String(length=80), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=80), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_site_visit_items_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_visit_items")),
        sa.UniqueConstraint("application_id", "requirement_id", name=op.f("uq_site_visit_items_application_id")),
    )
    with op.batch_alter_table("site_visit_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_visit_items_application_id"), ["application_id"], unique=False)

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])

    _chain_existing_entries()

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("province", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_enterprise_id_enterprises"), "enterprises", ["enterprise_id"], ["id"], ondelete="RESTRICT"
        )


def _chain_existing_entries() -> None:
    from assessment.store.chain import GENESIS, entry_hash

    conn = op.get_bind()
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.String),
        sa.column("detail", sa.JSON),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    prev, seq = GENESIS, 0
    for row in conn.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        seq += 1
        h = entry_hash(prev, seq, row["at"], row["actor"], row["action"], row["entity"], row["entity_id"], row["detail"] or {})
        conn.execute(log.update().where(log.c.id == row["id"]).values(seq=seq, prev_hash=prev, hash=h))
        prev = h
    head = sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash", sa.String))
    conn.execute(head.insert().values(id=1, seq=seq, hash=prev))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_enterprise_id_enterprises"), type_="foreignkey")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("enterprise_id")
        batch_op.drop_column("province")
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    with op.batch_alter_table("site_visit_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_visit_items_application_id"))

    op.drop_table("site_visit_items")
    with op.batch_alter_table("rectifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectifications_application_id"))

    op.drop_table("rectifications")
    with op.batch_alter_table("expert_grades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_grades_application_id"))

    op.drop_table("expert_grades")
    with op.batch_alter_table("consensus_grades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consensus_grades_application_id"))

    op.drop_table("consensus_grades")
    with op.batch_alter_table("application_experts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_experts_expert_id"))
        batch_op.drop_index(batch_op.f("ix_application_experts_application_id"))

    op.drop_table("application_experts")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_status"))
        batch_op.drop_index(batch_op.f("ix_applications_province"))
        batch_op.drop_index(batch_op.f("ix_applications_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_applications_case_id"))
        batch_op.drop_index(batch_op.f("ix_applications_assessment_id"))

    op.drop_table("applications")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    op.drop_table("evidence_blob_data")
    op.drop_table("audit_head")
