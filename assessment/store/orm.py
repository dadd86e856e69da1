"""SQLAlchemy 2.0 typed models. Schema changes go through Alembic (assessment/store/migrations)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    event,
)
from sqlalchemy import false as sa_false
from sqlalchemy import text as sa_text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Status = Literal["draft", "submitted", "under_review", "certified", "archived"]
STATUSES: tuple[str, ...] = get_args(Status)
ROLES = ("enterprise", "reviewer", "planner", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="enterprise")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # accounts (issue 12, assessment/accounts.py): argon2 hash, scope, lockout; no password means no login
    password_hash: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(40))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Enterprise(Base):
    __tablename__ = "enterprises"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    province: Mapped[str | None] = mapped_column(String(40))
    ownership: Mapped[str | None] = mapped_column(String(20))
    industry_group: Mapped[str | None] = mapped_column(String(20))
    legal_person: Mapped[bool | None] = mapped_column(Boolean)
    above_scale: Mapped[bool | None] = mapped_column(Boolean)
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue_wan: Mapped[float | None] = mapped_column(Float)
    standing: Mapped[str | None] = mapped_column(String(30))
    compliance: Mapped[dict[str, Any]] = mapped_column(default=dict)  # profile.compliance facts
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # generated population (issue 14)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(80))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # soft delete
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic lock for the facts forms
    factories: Mapped[list[Factory]] = relationship(back_populates="enterprise", order_by="Factory.id")

    __mapper_args__ = {"version_id_col": version}


class Factory(Base):
    """The unit that is assessed (a legal entity, branch, plant or workshop)."""

    __tablename__ = "factories"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    industry_type: Mapped[str] = mapped_column(String(10))  # discrete | process
    sub_sector: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(80))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # soft delete
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    enterprise: Mapped[Enterprise] = relationship(back_populates="factories")
    assessments: Mapped[list[Assessment]] = relationship(back_populates="factory", order_by="Assessment.id")
    tier_awards: Mapped[list[TierAward]] = relationship(back_populates="factory", order_by="TierAward.year")

    __mapper_args__ = {"version_id_col": version}


class Region(Base):
    """The recommending body's facts used for recommendation quotas (profile ``region``), one row per province (or
    separately planned city, 兵团, central-SOE group), found by the enterprise's ``province``: they describe the
    recommender, not the enterprise, so every enterprise of the province shares them."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # as enterprises.province holds it, e.g. 天津
    kind: Mapped[str] = mapped_column(String(30), default="province")
    cumulative_provincial_pilots: Mapped[int | None] = mapped_column(Integer)  # 省级试点示范累计数量 (2023 quota)
    iva_rank: Mapped[int | None] = mapped_column(Integer)  # 工业增加值全国排名 (2025 卓越级 quota)
    excellent_count: Mapped[int | None] = mapped_column(Integer)  # 本地区卓越级智能工厂数量 (2025 领航级 quota)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class TierAward(Base):
    __tablename__ = "tier_awards"
    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    edition: Mapped[str | None] = mapped_column(String(40))
    certificate_no: Mapped[str | None] = mapped_column(String(80))
    factory: Mapped[Factory] = relationship(back_populates="tier_awards")


class Assessment(Base):
    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    maturity_edition: Mapped[str] = mapped_column(String(40))
    tier_edition: Mapped[str] = mapped_column(String(40))
    scenario_catalogue: Mapped[str] = mapped_column(String(40))
    # the declarations edition its eligibility is checked under (recorded at creation; migration 0008 gave earlier
    # assessments declarations/2021-2025, the only edition there was)
    declarations_edition: Mapped[str] = mapped_column(String(40))
    industry_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    period: Mapped[str | None] = mapped_column(String(20))  # e.g. "2025"
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock: every save bumps it
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # soft delete
    # the factory's build for this round (profile build_content / outcomes): {item id of the tier edition: done?}
    build_content: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa_text("'{}'"))
    outcomes: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa_text("'{}'"))
    factory: Mapped[Factory] = relationship(back_populates="assessments")
    answers: Mapped[list[Answer]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    scenarios: Mapped[list[ScenarioRecord]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="ScenarioRecord.id"
    )
    kpis: Mapped[list[KpiRecord]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    snapshots: Mapped[list[ResultSnapshot]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="ResultSnapshot.id"
    )

    __mapper_args__ = {"version_id_col": version}


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str] = mapped_column(String(80))
    grade: Mapped[str | None] = mapped_column(String(10))  # full | largely | partial | none | na | None
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    assessment: Mapped[Assessment] = relationship(back_populates="answers")


class EvidenceBlob(Base):
    """One stored file, content-addressed: identical uploads are stored once."""

    __tablename__ = "evidence_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Evidence(Base):
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str | None] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str | None] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assessment: Mapped[Assessment] = relationship(back_populates="evidence")
    blob: Mapped[EvidenceBlob] = relationship()


class ScenarioRecord(Base):
    __tablename__ = "scenario_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(40))  # catalogue id or "custom"
    link: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    ai: Mapped[bool] = mapped_column(Boolean, default=False)
    ai_description: Mapped[str | None] = mapped_column(Text)
    supply_chain: Mapped[bool | None] = mapped_column(Boolean)  # 是否为供应链场景; None: from the link
    assessment: Mapped[Assessment] = relationship(back_populates="scenarios")


class KpiRecord(Base):
    __tablename__ = "kpi_records"
    __table_args__ = (UniqueConstraint("assessment_id", "kpi_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    kpi_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    period: Mapped[str | None] = mapped_column(String(40))
    baseline: Mapped[float | None] = mapped_column(Float)
    assessment: Mapped[Assessment] = relationship(back_populates="kpis")


class ResultSnapshot(Base):
    """The engine's result at a point in time, with the editions it was computed under."""

    __tablename__ = "result_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    maturity_edition: Mapped[str] = mapped_column(String(40))
    tier_edition: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[int] = mapped_column(Integer, index=True)
    tier: Mapped[str] = mapped_column(String(20), index=True)
    complete: Mapped[bool] = mapped_column(Boolean)
    digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column()
    assessment: Mapped[Assessment] = relationship(back_populates="snapshots")


class AuditLog(Base):
    """Append-only record of changes: the repository only ever inserts here."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # hash chain (assessment/store/chain.py): seq orders the chain, hash = sha256(prev_hash + this entry)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class Certificate(Base):
    """An issued certificate: its number, the signed payload and what it points at."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # self_assessed | certified
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    valid_until: Mapped[str] = mapped_column(String(10))
    issuer: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Revocation(Base):
    __tablename__ = "revocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(80))


# -- provincial workflow (issue 12): chain head, login sessions, applications, reviews, evidence in the database --


class AuditHead(Base):
    """The audit chain's head (one row, id 1): every audit write locks it first, so two writers never fork the chain,
    and a removed last entry is noticed."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class LoginSession(Base):
    """A signed-in session: only the sha256 of its token is stored. Shared by every app process on the database."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Application(Base):
    """An enterprise's tier application on one assessment, moving through assessment/workflow.py's state machine.
    A decided application is locked; a correction is a new row (``revision`` + 1, same ``case_id``)."""

    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"))
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True)
    province: Mapped[str] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(80))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    certified_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="RESTRICT"))
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    revision_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ExpertAssignment(Base):
    __tablename__ = "application_experts"
    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    assigned_by: Mapped[str | None] = mapped_column(String(80))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExpertGrade(Base):
    """One expert's own grade of one requirement (hidden from the other experts until the consensus stage)."""

    __tablename__ = "expert_grades"
    __table_args__ = (UniqueConstraint("application_id", "expert_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    requirement_id: Mapped[str] = mapped_column(String(80))
    grade: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    evidence_request: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsensusGrade(Base):
    __tablename__ = "consensus_grades"
    __table_args__ = (UniqueConstraint("application_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str] = mapped_column(String(80))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    grade: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SiteVisitItem(Base):
    __tablename__ = "site_visit_items"
    __table_args__ = (UniqueConstraint("application_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str] = mapped_column(String(80))
    reasons: Mapped[list[Any]] = mapped_column(default=list)  # contested | weak_evidence | evidence_requested
    result: Mapped[str | None] = mapped_column(String(10))  # ok | weak
    finding: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(80))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Rectification(Base):
    """弱项整改: a weak item found on site; the enterprise responds with evidence, an expert verifies."""

    __tablename__ = "rectifications"
    __table_args__ = (UniqueConstraint("application_id", "requirement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str] = mapped_column(String(80))
    issue: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | responded | accepted | rejected
    response: Mapped[str | None] = mapped_column(Text)
    evidence_ids: Mapped[list[Any]] = mapped_column(default=list)
    responded_by: Mapped[str | None] = mapped_column(String(80))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(80))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verify_note: Mapped[str | None] = mapped_column(Text)


class StoredBlob(Base):
    """Evidence content kept in the database (the ``database`` evidence store), so every app process sees it."""

    __tablename__ = "evidence_blob_data"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PortfolioBlocker(Base):
    """What keeps a snapshot from the next threshold (issue 14): the next tier's failing gating rules and the
    requirements adding most toward the next level. Indexed once per snapshot for the portfolio queries."""

    __tablename__ = "portfolio_blockers"
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("result_snapshots.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # rule | requirement | none (indexed, nothing blocks)
    item: Mapped[str] = mapped_column(String(80), index=True)
    target: Mapped[str] = mapped_column(String(20))  # the next tier id or level (L3)

    # covering: the dashboard reads a snapshot's blockers from the index alone (migration 0009)
    __table_args__ = (Index("ix_portfolio_blockers_snapshot", "snapshot_id", "kind", "item", "target"),)


class PortfolioResult(Base):
    """The facts the portfolio dashboard reads (issue 14), one narrow row per assessment that has a snapshot: its
    latest snapshot's level, tier and score, its period and whether it is archived, and whether it is its factory's
    latest (not archived, latest period, no period the earliest, then the highest id). Kept by
    :func:`refresh_portfolio_results` after every flush that adds a snapshot or archives, restores or deletes an
    assessment; written directly by the synthetic population; built from the snapshots by migration 0009."""

    __tablename__ = "portfolio_results"
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("result_snapshots.id", ondelete="CASCADE"))
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(20))  # the assessment's period, "" when it has none
    level: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    complete: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the snapshot's
    archived: Mapped[bool] = mapped_column(Boolean)
    latest: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_portfolio_results_latest", "latest", "factory_id"),
        # covering for the transitions (a window over every assessment of a factory in period order)
        Index("ix_portfolio_results_factory", "factory_id", "period_key", "assessment_id", "archived", "level", "tier"),
    )


# Rebuild the rows of some factories from assessments and snapshots (migration 0009 runs the same statements, frozen,
# over every factory). Latest of an assessment: its highest snapshot id; of a factory: see PortfolioResult.
_REFRESH = (
    "DELETE FROM portfolio_results WHERE factory_id IN :fids",
    """INSERT INTO portfolio_results
      (assessment_id, snapshot_id, factory_id, period_key, level, tier, score, complete, created_at, archived, latest)
    SELECT a.id, rs.id, a.factory_id, COALESCE(a.period, ''), rs.level, rs.tier, rs.score, rs.complete, rs.created_at,
           a.archived_at IS NOT NULL, FALSE
    FROM assessments a JOIN result_snapshots rs
      ON rs.id = (SELECT MAX(x.id) FROM result_snapshots x WHERE x.assessment_id = a.id)
    WHERE a.factory_id IN :fids""",
    """UPDATE portfolio_results SET latest = TRUE
    WHERE factory_id IN :fids AND NOT archived AND NOT EXISTS (
      SELECT 1 FROM portfolio_results q
      WHERE q.factory_id = portfolio_results.factory_id AND NOT q.archived
        AND (q.period_key > portfolio_results.period_key
             OR (q.period_key = portfolio_results.period_key AND q.assessment_id > portfolio_results.assessment_id)))""",
)


def refresh_portfolio_results(session: Session, factory_ids) -> None:
    """Rebuild the ``portfolio_results`` rows of ``factory_ids`` (a factory has a few assessments: a few rows)."""
    fids = sorted({int(f) for f in factory_ids if f is not None})
    conn = session.connection()
    for k in range(0, len(fids), 500):
        for sql in _REFRESH:
            conn.execute(sa_text(sql).bindparams(bindparam("fids", expanding=True)), {"fids": fids[k : k + 500]})


@event.listens_for(Session, "after_flush")
def _keep_portfolio_results(session: Session, _ctx) -> None:
    """The one place the portfolio rows follow the snapshots: a flush that adds or deletes a snapshot, or archives,
    restores, moves or deletes an assessment, rebuilds the rows of the factories concerned."""
    from sqlalchemy import inspect

    fids: set[int] = set()
    assessment_ids: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, ResultSnapshot):
            assessment_ids.add(obj.assessment_id)
        elif isinstance(obj, Assessment) and obj in session.deleted:
            fids.add(obj.factory_id)
    for obj in session.dirty:
        if isinstance(obj, Assessment):
            attrs = inspect(obj).attrs
            if any(attrs[k].history.has_changes() for k in ("archived_at", "period", "factory_id")):
                fids.add(obj.factory_id)
                fids.update(x for x in attrs.factory_id.history.deleted if x is not None)
    assessment_ids.discard(None)
    if assessment_ids:
        q = sa_text("SELECT DISTINCT factory_id FROM assessments WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
        fids.update(session.connection().execute(q, {"ids": sorted(assessment_ids)}).scalars())
    if fids:
        refresh_portfolio_results(session, fids)
