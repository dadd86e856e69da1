"""Read functions for the app's pages: the lists and lookups they show, each one query in a caller-owned ``session``.

The pages call these (and the services above the store); they never build SQL themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .orm import Assessment, Certificate, Enterprise, Factory, Revocation


def enterprises(*, session: Session) -> Sequence[Enterprise]:
    """Every enterprise, real ones first (demo ones after), oldest first."""
    return session.scalars(select(Enterprise).order_by(Enterprise.is_demo, Enterprise.id)).all()


def enterprise_names(*, session: Session) -> dict[int, str]:
    """``{enterprise id: name}`` of every enterprise, oldest first."""
    return {e.id: e.name for e in session.scalars(select(Enterprise).order_by(Enterprise.id))}


def factories_of(enterprise_id: int, *, session: Session) -> Sequence[Factory]:
    """The enterprise's factories, oldest first."""
    return session.scalars(select(Factory).where(Factory.enterprise_id == enterprise_id).order_by(Factory.id)).all()


def assessments_of(factory_id: int, *, session: Session) -> Sequence[Assessment]:
    """The factory's assessments, newest first, with their snapshots loaded."""
    return session.scalars(
        select(Assessment)
        .where(Assessment.factory_id == factory_id)
        .options(selectinload(Assessment.snapshots))
        .order_by(Assessment.id.desc())
    ).all()


def assessment_history(factory_id: int, *, session: Session) -> Sequence[Assessment]:
    """The factory's assessments in the order they were created, with what evaluating each one reads (snapshots,
    answers, scenarios, KPIs) loaded."""
    return session.scalars(
        select(Assessment)
        .where(Assessment.factory_id == factory_id)
        .options(
            selectinload(Assessment.snapshots),
            selectinload(Assessment.answers),
            selectinload(Assessment.scenarios),
            selectinload(Assessment.kpis),
        )
        .order_by(Assessment.created_at, Assessment.id)
    ).all()


def certificates_with_factory(
    *, session: Session, numbers: Collection[str] | None = None, limit: int = 200
) -> list[tuple[Certificate, str]]:
    """The newest certificates with their factory's name; only those numbered ``numbers`` when given."""
    q = (
        select(Certificate, Factory.name)
        .join(Assessment, Certificate.assessment_id == Assessment.id)
        .join(Factory, Assessment.factory_id == Factory.id)
    )
    if numbers is not None:
        q = q.where(Certificate.number.in_(numbers))
    return [(c, name) for c, name in session.execute(q.order_by(Certificate.id.desc()).limit(limit)).all()]


def latest_assessment_per_factory(*, session: Session) -> list[tuple[int, str, str]]:
    """``(assessment id, factory name, enterprise name)`` of each factory's latest assessment, by enterprise name."""
    sub = select(Assessment.factory_id, func.max(Assessment.id).label("aid")).group_by(Assessment.factory_id).subquery()
    rows = session.execute(
        select(sub.c.aid, Factory.name, Enterprise.name)
        .join(Factory, Factory.id == sub.c.factory_id)
        .join(Enterprise, Enterprise.id == Factory.enterprise_id)
        .order_by(Enterprise.name)
    ).all()
    return [(aid, factory, enterprise) for aid, factory, enterprise in rows]


def revocation_count(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Revocation)) or 0


def assessment_place(assessment_id: int, *, session: Session) -> tuple[int, int] | None:
    """``(factory id, enterprise id)`` of the assessment, None when there is no such assessment."""
    row = session.execute(
        select(Factory.id, Factory.enterprise_id)
        .join(Assessment, Factory.id == Assessment.factory_id)
        .where(Assessment.id == assessment_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def enterprise_of_factory(factory_id: int, *, session: Session) -> int | None:
    """The factory's enterprise id, None when there is no such factory."""
    return session.scalar(select(Factory.enterprise_id).where(Factory.id == factory_id))
