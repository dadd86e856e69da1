"""Who may do what (issue 12): the principal, the role × action matrix and :func:`require`, which every service
function calls before it reads or writes anything.

A refusal raises :class:`AccessDenied` (one bilingual line) and is written to the audit trail in a transaction of
its own, so it stays recorded even though the caller's transaction is rolled back. Scope rules:

* ``enterprise`` — only objects of the user's own enterprise;
* ``expert`` — only applications assigned to the user (and the assessment and evidence they are about);
* ``province_admin`` — objects of the user's province;
* ``system_admin`` — accounts, keys and the audit trail, no enterprise data;
* ``local`` — the single user of local mode (``SFA_AUTH=local``): everything; never available in server mode.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .store.orm import (
    Application,
    Assessment,
    Certificate,
    Enterprise,
    Evidence,
    ExpertAssignment,
    Factory,
    Rectification,
    User,
)

log = logging.getLogger("assessment.access")

ROLES = ("system_admin", "province_admin", "expert", "enterprise")
ROLE_NAMES = {
    "system_admin": ("系统管理员", "a system administrator"),
    "province_admin": ("省级管理员", "a province administrator"),
    "expert": ("评审专家", "an expert"),
    "enterprise": ("企业用户", "an enterprise user"),
    "local": ("本机用户", "the local user"),
}
KIND_ZH = {
    "application": "申请",
    "rectification": "整改项",
    "evidence": "证据",
    "certificate": "证书",
    "assessment": "评估",
    "factory": "工厂",
    "enterprise": "企业",
    "user": "账户",
    "province": "省份",
}

# action -> roles allowed (before scope); the scope of each role is checked by _in_scope
MATRIX: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        # accounts, keys, audit
        "user.manage": {"system_admin"},
        "keys.manage": {"system_admin"},
        "audit.verify": {"system_admin"},
        # the enterprise's own data
        "enterprise.read": {"enterprise", "province_admin", "expert"},
        # a new enterprise: the system admin (to bind enterprise accounts to it) or the admin of its province; an
        # enterprise user never creates enterprises (only factories and assessments under their own)
        "enterprise.create": {"system_admin", "province_admin"},
        "enterprise.edit": {"enterprise"},
        "region.edit": {"province_admin"},
        "assessment.read": {"enterprise", "province_admin", "expert"},
        "assessment.edit": {"enterprise"},
        "evidence.read": {"enterprise", "province_admin", "expert"},
        "evidence.add": {"enterprise"},
        "certificate.read": {"enterprise", "province_admin"},
        # the workflow
        "application.submit": {"enterprise"},
        "application.withdraw": {"enterprise"},
        "application.read": {"enterprise", "province_admin", "expert"},
        "application.assign": {"province_admin"},
        "review.grade": {"expert"},
        "review.read_all": {"province_admin", "expert"},
        "consensus.record": {"province_admin"},
        "site_visit.record": {"province_admin", "expert"},
        "rectification.respond": {"enterprise"},
        "rectification.verify": {"expert"},
        "workflow.advance": {"province_admin"},
        "application.decide": {"province_admin"},
        "certificate.issue": {"province_admin"},
        "application.revise": {"province_admin"},
        "dashboard.read": {"province_admin"},
        "expert.list": {"province_admin"},
    }.items()
}


class AccessDenied(PermissionError):
    """The principal's role or scope does not allow the action on this object; the refusal is audited."""


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    role: str
    province: str | None = None
    enterprise_id: int | None = None
    display_name: str | None = None
    must_change_password: bool = False

    @classmethod
    def from_user(cls, u: User) -> Principal:
        return cls(u.id, u.username, u.role, u.province, u.enterprise_id, u.display_name, bool(u.must_change_password))


def local_principal(settings) -> Principal:
    """The one user of local mode. Refused in server mode: there every principal comes from a login."""
    if settings.auth != "local":
        raise AccessDenied("服务器模式下必须登录 / server mode: log in first")
    return Principal(None, "local", "local", display_name="本机用户 / local user")


def allowed_roles(action: str) -> frozenset[str]:
    if action not in MATRIX:
        raise ValueError(f"unknown action {action!r}")
    return MATRIX[action]


def _scope(session: Session, obj: Any) -> tuple[str, str, int | None, str | None, set[int]]:
    """(kind, id, enterprise id, province, ids of the applications it belongs to) of an object."""
    if isinstance(obj, Application):
        return "application", str(obj.id), obj.enterprise_id, obj.province, {obj.id}
    if isinstance(obj, Rectification):
        app = session.get_one(Application, obj.application_id)
        return "rectification", str(obj.id), app.enterprise_id, app.province, {app.id}
    if isinstance(obj, (Evidence, Certificate)):
        kind = "evidence" if isinstance(obj, Evidence) else "certificate"
        _, _, ent_id, prov, apps = _scope(session, session.get(Assessment, obj.assessment_id))
        return kind, str(obj.id if isinstance(obj, Evidence) else obj.number), ent_id, prov, apps
    if isinstance(obj, Assessment):
        ent = session.get_one(Enterprise, session.get_one(Factory, obj.factory_id).enterprise_id)
        apps = set(
            session.scalars(
                select(Application.id).where(
                    (Application.assessment_id == obj.id) | (Application.certified_assessment_id == obj.id)
                )
            )
        )
        return "assessment", str(obj.id), ent.id, ent.province, apps
    if isinstance(obj, Factory):
        ent = session.get_one(Enterprise, obj.enterprise_id)
        apps = set(
            session.scalars(
                select(Application.id)
                .join(Assessment, Assessment.id == Application.assessment_id)
                .where(Assessment.factory_id == obj.id)
            )
        )
        return "factory", str(obj.id), ent.id, ent.province, apps
    if isinstance(obj, Enterprise):
        apps = set(session.scalars(select(Application.id).where(Application.enterprise_id == obj.id)))
        return "enterprise", str(obj.id), obj.id, obj.province, apps
    if isinstance(obj, User):
        return "user", str(obj.id), obj.enterprise_id, obj.province, set()
    if isinstance(obj, str):  # a province
        return "province", obj, None, obj, set()
    if obj is None:
        return "-", "-", None, None, set()
    raise TypeError(f"no access rule for {type(obj).__name__}")


def _in_scope(session: Session, p: Principal, kind: str, ent: int | None, province: str | None, apps: set[int]) -> bool:
    if p.role in ("local", "system_admin"):
        return True  # system_admin's actions are all global (users, keys, audit)
    if kind == "-":
        return True
    if p.role == "enterprise":
        return p.enterprise_id is not None and ent == p.enterprise_id
    if p.role == "province_admin":
        return bool(p.province) and province == p.province
    if p.role == "expert":
        if kind == "province":
            return False
        return (
            bool(apps)
            and session.scalar(
                select(ExpertAssignment.id)
                .where(ExpertAssignment.expert_id == p.user_id, ExpertAssignment.application_id.in_(apps))
                .limit(1)
            )
            is not None
        )
    return False


def check(session: Session, p: Principal, action: str, obj: Any = None) -> str | None:
    """Why ``p`` may not do ``action`` on ``obj`` (None when allowed); nothing is written."""
    roles = allowed_roles(action)
    zh_role, en_role = ROLE_NAMES.get(p.role, (p.role, p.role))
    if p.must_change_password:
        return "请先修改初始密码 / change the one-time password first"
    if p.role != "local" and p.role not in roles:
        return f"{zh_role}无权执行 {action} / {en_role} may not {action}"
    kind, oid, ent, province, apps = _scope(session, obj)
    if not _in_scope(session, p, kind, ent, province, apps):
        return f"{zh_role}无权访问此{KIND_ZH.get(kind, kind)}（{oid}）/ this {kind} ({oid}) is outside the scope of {en_role}"
    return None


def require(session: Session, p: Principal, action: str, obj: Any = None) -> None:
    """Refuse (and audit the refusal) unless ``p`` may do ``action`` on ``obj``. Call it before any write."""
    reason = check(session, p, action, obj)
    if reason is None:
        return
    kind, oid, *_ = _scope(session, obj)
    log.warning("access denied: %s %s %s %s: %s", p.username, action, kind, oid, reason)
    record_denial(session, p, action, kind, oid, reason)
    zh, _, en = reason.partition("/ ")
    raise AccessDenied(f"拒绝访问：{zh.strip()} / access denied: {en.strip()}")


def record_denial(session: Session, p: Principal, action: str, kind: str, oid: str, reason: str) -> None:
    """Audit a refusal in a transaction of its own (the caller's will be rolled back by the exception)."""
    from .store.repository import audit

    engine = session.get_bind()
    try:
        assert isinstance(engine, Engine)  # sessions here are bound to an engine
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:  # should the caller hold SQLite's write lock, give up soon instead of waiting 30 s
                conn.exec_driver_sql("PRAGMA busy_timeout = 2000")
                conn.commit()
            try:
                with Session(bind=conn) as s:  # the connection has no transaction open: the session's commits
                    audit(s, p.username, "denied", kind, oid, {"action": action, "role": p.role, "reason": reason})
                    s.commit()
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
                    conn.commit()
    except Exception:  # noqa: BLE001 - the refusal itself must never fail; the log line above keeps it
        log.exception("could not audit an access refusal")
