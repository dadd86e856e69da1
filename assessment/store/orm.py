"""SQLAlchemy 2.0 typed models. Schema changes go through Alembic (assessment/store/migrations)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUSES = ("draft", "submitted", "under_review", "certified", "archived")
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
    industry_type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    period: Mapped[str | None] = mapped_column(String(20))  # e.g. "2025"
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock: every save bumps it
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # soft delete
    factory: Mapped[Factory] = relationship(back_populates="assessments")
    answers: Mapped[list[Answer]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    scenarios: Mapped[list[ScenarioRecord]] = relationship(back_populates="assessment", cascade="all, delete-orphan",
                                                           order_by="ScenarioRecord.id")
    kpis: Mapped[list[KpiRecord]] = relationship(back_populates="assessment", cascade="all, delete-orphan")
    snapshots: Mapped[list[ResultSnapshot]] = relationship(back_populates="assessment", cascade="all, delete-orphan",
                                                           order_by="ResultSnapshot.id")

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
