"""Enterprise data behind the access rules (issue 12): the checked way for pages to list, open and change
assessments, evidence and certificates in server mode. Each function calls :func:`assessment.access.require`
first; an assessment under an open application or certified by experts cannot be changed by the enterprise."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import Principal, require
from .editions import DEFAULT_ROOT
from .store import repository as repo
from .store.orm import Application, Assessment, Certificate, Enterprise, Evidence, Factory
from .workflow import WorkflowError, open_application_of


def _visible_assessments(session: Session, p: Principal):
    q = (
        select(Assessment)
        .join(Factory, Factory.id == Assessment.factory_id)
        .join(Enterprise, Enterprise.id == Factory.enterprise_id)
    )
    if p.role == "local":
        return q
    if p.role == "enterprise":
        return q.where(Enterprise.id == p.enterprise_id)
    if p.role == "province_admin":
        return q.where(Enterprise.province == p.province)
    if p.role == "expert":
        from .store.orm import ExpertAssignment

        assigned = (
            select(Application.assessment_id)
            .join(ExpertAssignment, ExpertAssignment.application_id == Application.id)
            .where(ExpertAssignment.expert_id == p.user_id)
        )
        return q.where(Assessment.id.in_(assigned))
    return q.where(Assessment.id.is_(None))


def list_assessments(p: Principal, *, session: Session, include_archived: bool = False) -> list[dict]:
    """Assessments the principal may read, newest first: id, title, enterprise, factory, status, updated_at and
    ``editable`` (the enterprise may change it now)."""
    require(session, p, "assessment.read")
    q = _visible_assessments(session, p)
    if not include_archived:
        q = q.where(Assessment.archived_at.is_(None))
    out = []
    for a in session.scalars(q.order_by(Assessment.updated_at.desc(), Assessment.id.desc())):
        out.append(
            {
                "id": a.id,
                "title": a.title,
                "enterprise": a.factory.enterprise.name,
                "factory": a.factory.name,
                "enterprise_id": a.factory.enterprise_id,
                "status": a.status,
                "updated_at": a.updated_at,
                "archived": a.archived_at is not None,
                "editable": frozen_reason(session, a) is None,
            }
        )
    return out


def open_assessment(p: Principal, assessment_id: int, *, session: Session) -> Assessment:
    """The assessment (answers, scenarios, KPIs and evidence loaded) when the principal may read it; a crafted id
    (``?assessment=ID``) outside the principal's scope is refused and audited."""
    a = repo.get_assessment(assessment_id, session=session)
    require(session, p, "assessment.read", a)
    return a


def frozen_reason(session: Session, a: Assessment) -> str | None:
    if a.status == "certified":
        return "专家认定的评估不能修改 / a certified assessment cannot be changed"
    app = open_application_of(session, a.id)
    if app is not None:
        return (
            f"评估已提交申请 {app.id}（{app.status}），评审结束前不能修改 / the assessment is under application {app.id} "
            f"({app.status}) and cannot be changed until it is decided"
        )
    return None


def require_editable(p: Principal, assessment_id: int, *, session: Session) -> Assessment:
    """Call before any change to an assessment (answers, scenarios, KPIs, evidence, title): the principal may edit
    it and it is not frozen by an application or a certification."""
    a = repo.get_assessment(assessment_id, session=session)
    require(session, p, "assessment.edit", a)
    reason = frozen_reason(session, a)
    if reason:
        raise WorkflowError(reason)
    return a


def save_answers(p: Principal, assessment_id: int, changes: dict[str, dict], *, session: Session, **kw) -> int:
    """:func:`repository.save_answers` for the principal (same arguments; the actor is the principal)."""
    require_editable(p, assessment_id, session=session)
    return repo.save_answers(assessment_id, changes, session=session, actor=p.username, **kw)


def add_evidence(
    p: Principal,
    assessment_id: int,
    requirement_id: str | None,
    name: str,
    data: bytes,
    *,
    session: Session,
    store,
    max_bytes: int,
    root: Path = DEFAULT_ROOT,
) -> Evidence:
    require_editable(p, assessment_id, session=session)
    return repo.add_evidence(
        assessment_id, requirement_id, name, data, session=session, store=store, max_bytes=max_bytes, actor=p.username, root=root
    )


def evidence_content(p: Principal, evidence_id: int, *, session: Session, store) -> tuple[str, str, bytes]:
    """(original name, MIME type, content) of an evidence file the principal may read (a download): the enterprise's
    own users, its province's admin and the experts assigned to an application about its assessment. Every read is
    audited (``evidence_read``) in the caller's transaction: commit it."""
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        raise repo.NotFound(f"证据 {evidence_id} 不存在 / evidence {evidence_id} not found")
    require(session, p, "evidence.read", ev)
    data = store.get(ev.sha256)
    repo.audit(session, p.username, "evidence_read", "evidence", ev.id, {"assessment": ev.assessment_id, "sha256": ev.sha256})
    return ev.original_name, ev.blob.mime, data


def list_certificates(p: Principal, *, session: Session) -> list[dict]:
    """Certificates of the assessments the principal may read: number, kind, issuer, issued_at, valid_until,
    assessment_id."""
    require(session, p, "certificate.read")
    sub = _visible_assessments(session, p).subquery()
    ids = select(sub.c.id)
    rows = session.scalars(select(Certificate).where(Certificate.assessment_id.in_(ids)).order_by(Certificate.id.desc()))
    return [
        {
            "number": c.number,
            "kind": c.kind,
            "issuer": c.issuer,
            "issued_at": c.issued_at,
            "valid_until": c.valid_until,
            "assessment_id": c.assessment_id,
        }
        for c in rows
    ]


# -- enterprises, factories and assessments (the home page in server mode) ----------------------------------------


def create_enterprise(p: Principal, *, session: Session, **fields) -> Enterprise:
    """A new enterprise: only a system admin (any province) or a province admin (their own province; an enterprise
    without a province is put in theirs). An enterprise user may not create enterprises: their account is bound to
    the one enterprise an administrator created for it."""
    if p.role == "province_admin" and not (fields.get("province") or "").strip():
        fields["province"] = p.province
    require(session, p, "enterprise.create", (fields.get("province") or "").strip() or None)
    return repo.create_enterprise(session=session, actor=p.username, **fields)


def list_enterprises(p: Principal, *, session: Session) -> list[dict]:
    """Enterprises a province admin (their province) or a system admin (all) registers: id, name, credit code,
    province, number of factories, oldest first; archived ones left out."""
    require(session, p, "enterprise.create", p.province if p.role == "province_admin" else None)
    q = select(Enterprise).where(Enterprise.archived_at.is_(None), Enterprise.is_demo.is_(False))
    if p.role == "province_admin":
        q = q.where(Enterprise.province == p.province)
    return [
        {
            "id": e.id,
            "name": e.name,
            "credit_code": e.credit_code,
            "province": e.province,
            "factories": sum(1 for f in e.factories if f.archived_at is None),
        }
        for e in session.scalars(q.order_by(Enterprise.id))
    ]


def require_enterprise_edit(p: Principal, obj, *, session: Session) -> None:
    """Before a change to an enterprise's facts, one of its factories (name, facts, tiers obtained) or an archive /
    restore: the principal is that enterprise's own user (or the local user)."""
    require(session, p, "enterprise.edit", obj)


def create_factory(p: Principal, enterprise_id: int, name: str, industry_type: str, *, session: Session, **kw) -> Factory:
    ent = session.get(Enterprise, enterprise_id)
    if ent is None:
        raise repo.NotFound(f"找不到企业 #{enterprise_id} / enterprise {enterprise_id} not found")
    require(session, p, "enterprise.edit", ent)
    return repo.create_factory(enterprise_id, name, industry_type, session=session, actor=p.username, **kw)


def create_assessment(p: Principal, factory_id: int, *, session: Session, **kw) -> Assessment:
    fac = session.get(Factory, factory_id)
    if fac is None:
        raise repo.NotFound(f"找不到工厂 #{factory_id} / factory {factory_id} not found")
    require(session, p, "assessment.edit", fac)
    return repo.create_assessment(factory_id, session=session, actor=p.username, **kw)


def require_region_edit(p: Principal, province: str | None, *, session: Session) -> None:
    """The recommender's facts of a province (quota inputs shared by every enterprise of the province): its
    province admin (or the local user), never an enterprise user."""
    require(session, p, "region.edit", province)


def list_evidence(p: Principal, assessment_id: int, *, session: Session) -> list[dict]:
    """The evidence files of an assessment the principal may read (its enterprise, its province's admin, an expert
    assigned to an application about it): id, name, requirement, size, MIME type, oldest first."""
    a = session.get(Assessment, assessment_id)
    if a is None:
        raise repo.NotFound(f"找不到评估 #{assessment_id} / assessment {assessment_id} not found")
    require(session, p, "evidence.read", a)
    rows = session.scalars(select(Evidence).where(Evidence.assessment_id == a.id).order_by(Evidence.id))
    return [
        {"id": e.id, "name": e.original_name, "requirement_id": e.requirement_id, "size": e.blob.size, "mime": e.blob.mime}
        for e in rows
    ]
