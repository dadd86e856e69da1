"""The provincial certification workflow (issue 12) as an explicit state machine.

::

    submitted ──assign ≥3 experts──▶ in_review ──every expert submitted──▶ consensus ──finish──▶ site_visit
        │                               │                                                          │
        └──────────withdraw─────────────┴──▶ withdrawn            decision ◀── (no weak item) ──────┤
                                                                     ▲                              ▼
                                               finish_rectification  └────────────────────── rectification
    decision ──approve──▶ approved (certified assessment, CT- certificate)
             └─reject───▶ rejected

Experts grade every applicable requirement on their own and see nobody else's grades until the consensus stage.
Requirements where experts differ by more than one grade step (or some say N/A and others not) are flagged and need
a consensus grade with a reason; the others get the median. The site-visit checklist holds the contested items, the
items an expert asked evidence for, and items graded 全部/大部分满足 without any evidence file. Items found weak on
site go to rectification (弱项整改): the enterprise responds with evidence, an expert verifies. Approved, rejected
and withdrawn applications are locked; a correction is a new revision (same case, revision + 1) that starts again at
the consensus stage with everything copied. Every service function takes the principal first and calls
:func:`assessment.access.require` before it touches anything; every change is audited with before and after.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .access import Principal, check, require
from .answers import NA, normalise_grade
from .editions import DEFAULT_ROOT, load_maturity_cached
from .maturity import score
from .profile import TIERS
from .services import certificates, evaluation
from .store import repository as repo
from .store.orm import (
    Answer,
    Application,
    Assessment,
    ConsensusGrade,
    Evidence,
    ExpertAssignment,
    ExpertGrade,
    KpiRecord,
    Rectification,
    ScenarioRecord,
    SiteVisitItem,
    User,
    utcnow,
)
from .store.text import NOTE_MAX, REASON_MAX, check_text

STATES = ("submitted", "in_review", "consensus", "site_visit", "rectification", "decision", "approved", "rejected", "withdrawn")
STATE_NAMES = {
    "submitted": ("已提交，待分配专家", "submitted, awaiting experts"),
    "in_review": ("专家独立评审中", "expert review"),
    "consensus": ("专家合议", "consensus"),
    "site_visit": ("现场核查", "site visit"),
    "rectification": ("弱项整改", "rectification"),
    "decision": ("待决定", "awaiting decision"),
    "approved": ("已通过", "approved"),
    "rejected": ("未通过", "rejected"),
    "withdrawn": ("已撤回", "withdrawn"),
}
TRANSITIONS: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "submitted": {"in_review", "withdrawn"},
        "in_review": {"consensus", "withdrawn"},
        "consensus": {"site_visit"},
        "site_visit": {"rectification", "decision"},
        "rectification": {"decision"},
        "decision": {"approved", "rejected"},
        "approved": set(),
        "rejected": set(),
        "withdrawn": set(),
    }.items()
}
LOCKED = frozenset({"approved", "rejected", "withdrawn"})
OPEN = frozenset(STATES) - LOCKED
STEP = {"none": 0, "partial": 1, "largely": 2, "full": 3}  # grade steps: a difference of more than one is flagged
AUTO_REASON = "自动：专家评分相差不超过一档，取中位数 / automatic: experts within one grade step, median taken"


class WorkflowError(ValueError):
    """A step the application's state does not allow, or bad input to a step; one bilingual line, nothing changed."""


class IllegalTransition(WorkflowError):
    pass


def _state(s: str) -> str:
    zh, en = STATE_NAMES[s]
    return f"{zh} / {en}"


def _move(session: Session, app: Application, to: str, actor: str, detail: dict | None = None) -> None:
    if app.status in LOCKED:
        _expect(app)  # says it is locked
    if to not in TRANSITIONS[app.status]:
        raise IllegalTransition(
            f"申请 {app.id} 处于「{STATE_NAMES[app.status][0]}」，不能转到「{STATE_NAMES[to][0]}」 / "
            f"application {app.id} is {STATE_NAMES[app.status][1]}: it cannot move to {STATE_NAMES[to][1]}"
        )
    before = app.status
    app.status, app.status_at = to, utcnow()
    session.flush()
    repo.audit(session, actor, "transition", "application", app.id, {"before": before, "after": to, **(detail or {})})


def _expect(app: Application, *states: str) -> None:
    """Refuse unless the application is in one of ``states`` (a locked one says so)."""
    if app.status in states:
        return
    if app.status in LOCKED:
        raise WorkflowError(
            f"申请 {app.id} 已{STATE_NAMES[app.status][0]}，记录已锁定；更正请建立新修订 / application {app.id} "
            f"is {STATE_NAMES[app.status][1]} and locked: a correction is a new revision"
        )
    want_zh = "、".join(STATE_NAMES[s][0] for s in states)
    want_en = ", ".join(STATE_NAMES[s][1] for s in states)
    raise WorkflowError(
        f"申请 {app.id} 处于「{STATE_NAMES[app.status][0]}」，此操作只能在「{want_zh}」阶段进行 / application "
        f"{app.id} is {STATE_NAMES[app.status][1]}: this step is only possible at: {want_en}"
    )


def _app(session: Session, app_id: int) -> Application:
    app = session.get(Application, app_id)
    if app is None:
        raise repo.NotFound(f"申请 {app_id} 不存在 / application {app_id} not found")
    return app


def _lock(session: Session, app: Application) -> Application:
    """Lock the application's row (PostgreSQL row lock, SQLite write lock) and read it afresh, so that two concurrent
    steps on it queue up. Called after :func:`require`: a refusal is audited before any lock is held."""
    session.execute(
        update(Application)
        .where(Application.id == app.id)
        .values(province=Application.province)
        .execution_options(synchronize_session=False)
    )
    return session.get_one(Application, app.id, populate_existing=True)


def requirement_ids(session: Session, app: Application, root: Path = DEFAULT_ROOT) -> list[str]:
    a = session.get_one(Assessment, app.assessment_id)
    ed = load_maturity_cached(a.maturity_edition, root)
    return [r.id for r in ed.applicable_requirements(a.industry_type)]


def _edition(session: Session, app: Application, root: Path):
    return load_maturity_cached(session.get_one(Assessment, app.assessment_id).maturity_edition, root)


def _grade(value: Any, ed, rid: str) -> str | None:
    try:
        return normalise_grade(value, ed, rid)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None


def _experts(session: Session, app_id: int) -> list[ExpertAssignment]:
    return list(
        session.scalars(select(ExpertAssignment).where(ExpertAssignment.application_id == app_id).order_by(ExpertAssignment.id))
    )


def _assignment(session: Session, p: Principal, app_id: int) -> ExpertAssignment:
    row = session.scalar(
        select(ExpertAssignment).where(ExpertAssignment.application_id == app_id, ExpertAssignment.expert_id == p.user_id)
    )
    if row is None:
        raise WorkflowError(f"您不是申请 {app_id} 的评审专家 / you are not an expert of application {app_id}")
    return row


def _latest(session: Session, app: Application) -> bool:
    return session.scalar(select(func.max(Application.revision)).where(Application.case_id == app.case_id)) == app.revision


# -- enterprise: submit, withdraw --------------------------------------------------------------------------------


def submit(p: Principal, assessment_id: int, tier: str, *, session: Session, root: Path = DEFAULT_ROOT) -> Application:
    """Apply for ``tier`` with a complete assessment of the principal's enterprise; the assessment is frozen for the
    enterprise while the application is open."""
    a = repo.get_assessment(assessment_id, session=session)
    require(session, p, "application.submit", a)
    if tier not in TIERS:
        raise WorkflowError(f"申请层级必须是 {'、'.join(TIERS)} 之一 / the tier applied for must be one of {', '.join(TIERS)}")
    if a.archived_at is not None or a.status == "certified":
        raise WorkflowError("已归档或专家认定的评估不能申报 / an archived or certified assessment cannot be submitted")
    ent = a.factory.enterprise
    if not ent.province:
        raise WorkflowError("请先填写企业所在省份 / enter the enterprise's province first")
    m = score(evaluation.answers_model(a), load_maturity_cached(a.maturity_edition, root))
    if m.answered < m.total:
        raise WorkflowError(
            f"评估尚未完成：适用要求已答 {m.answered}/{m.total} 项 / the assessment is incomplete: {m.answered} "
            f"of {m.total} applicable requirements answered"
        )
    if open_application_of(session, a.id) is not None:
        raise WorkflowError(f"评估 {a.id} 已有进行中的申请 / assessment {a.id} already has an open application")
    app = Application(
        assessment_id=a.id,
        enterprise_id=ent.id,
        province=ent.province,
        tier=tier,
        status="submitted",
        submitted_by=p.username,
        result={},
    )
    session.add(app)
    session.flush()
    app.case_id = app.id
    session.flush()
    repo.set_status(a.id, "submitted", session=session, actor=p.username)
    repo.audit(
        session,
        p.username,
        "submit",
        "application",
        app.id,
        {"before": None, "after": "submitted", "assessment": a.id, "tier": tier, "digest": repo.assessment_digest(a)},
    )
    return app


def open_application_of(session: Session, assessment_id: int) -> Application | None:
    return session.scalar(
        select(Application).where(Application.assessment_id == assessment_id, Application.status.in_(OPEN)).limit(1)
    )


def withdraw(p: Principal, app_id: int, reason: str, *, session: Session) -> Application:
    app = _app(session, app_id)
    require(session, p, "application.withdraw", app)
    app = _lock(session, app)
    reason = check_text(reason, field=("撤回理由", "reason"), max_len=REASON_MAX, required=True, multiline=True)
    _move(session, app, "withdrawn", p.username, {"reason": reason})
    repo.set_status(app.assessment_id, "draft", session=session, actor=p.username)
    return app


# -- admin: experts --------------------------------------------------------------------------------------------


def assign_experts(p: Principal, app_id: int, usernames: Iterable[str], *, session: Session, settings) -> list[str]:
    """Assign experts (accounts with the expert role, of no province or of the application's). Review starts once at
    least ``settings.min_experts`` are assigned; a call that would leave fewer is refused. Returns all experts' names."""
    app = _app(session, app_id)
    require(session, p, "application.assign", app)
    app = _lock(session, app)
    _expect(app, "submitted", "in_review")
    have = {a.expert_id for a in _experts(session, app.id)}
    added = []
    for name in dict.fromkeys(usernames):
        u = session.scalar(select(User).where(User.username == name))
        if u is None or u.role != "expert" or u.disabled_at is not None:
            raise WorkflowError(f"{str(name)[:80]!r} 不是可用的评审专家账户 / {str(name)[:80]!r} is not an active expert account")
        if u.province and u.province != app.province:
            raise WorkflowError(
                f"专家 {u.username} 属于{u.province}，不能评审{app.province}的申请 / expert {u.username} belongs to "
                f"{u.province}, not {app.province}"
            )
        if u.id not in have:
            session.add(ExpertAssignment(application_id=app.id, expert_id=u.id, assigned_by=p.username))
            have.add(u.id)
            added.append(u.username)
    if len(have) < settings.min_experts:
        raise WorkflowError(
            f"至少需要 {settings.min_experts} 位专家（现为 {len(have)} 位）/ at least {settings.min_experts} "
            f"experts are needed ({len(have)} given)"
        )
    session.flush()
    names = [session.get_one(User, a.expert_id).username for a in _experts(session, app.id)]
    repo.audit(session, p.username, "assign_experts", "application", app.id, {"added": added, "after": names})
    if app.status == "submitted":
        _move(session, app, "in_review", p.username)
        repo.set_status(app.assessment_id, "under_review", session=session, actor=p.username)
    return names


def list_experts(p: Principal, *, session: Session) -> list[dict]:
    """Expert accounts a province admin may assign, with their open workload."""
    require(session, p, "expert.list")
    rows = session.scalars(
        select(User)
        .where(User.role == "expert", User.disabled_at.is_(None), (User.province.is_(None)) | (User.province == p.province))
        .order_by(User.username)
    )
    out = []
    for u in rows:
        open_ = session.scalar(
            select(func.count())
            .select_from(ExpertAssignment)
            .join(Application, Application.id == ExpertAssignment.application_id)
            .where(ExpertAssignment.expert_id == u.id, Application.status.in_(OPEN))
        )
        out.append({"username": u.username, "display_name": u.display_name, "province": u.province, "open": open_})
    return out


# -- experts: independent grades -------------------------------------------------------------------------------


def save_grades(p: Principal, app_id: int, changes: dict[str, dict], *, session: Session, root: Path = DEFAULT_ROOT) -> int:
    """Store the expert's own ``{requirement id: {"grade", "comment", "evidence_request"}}``; returns how many
    requirements changed. Only the expert's own rows are touched, so experts saving at the same time never conflict."""
    app = _app(session, app_id)
    require(session, p, "review.grade", app)
    _expect(app, "in_review")
    mine = _assignment(session, p, app.id)
    if mine.submitted_at is not None:
        raise WorkflowError("您已提交评审，不能再修改 / you have submitted your review: it can no longer be changed")
    ed = _edition(session, app, root)
    applicable = set(requirement_ids(session, app, root))
    rows = {
        g.requirement_id: g
        for g in session.scalars(
            select(ExpertGrade).where(ExpertGrade.application_id == app.id, ExpertGrade.expert_id == p.user_id)
        )
    }
    changed: dict[str, dict] = {}
    for rid, c in changes.items():
        if rid not in applicable:
            raise WorkflowError(f"要求 {str(rid)[:80]!r} 不适用于此申请 / requirement {str(rid)[:80]!r} does not apply here")
        row = rows.get(rid)
        before = (row.grade, row.comment, row.evidence_request) if row else (None, None, None)
        grade = _grade(c["grade"], ed, rid) if "grade" in c else before[0]
        comment = (
            check_text(c["comment"], field=("评审意见", "comment"), max_len=NOTE_MAX, multiline=True)
            if "comment" in c
            else before[1]
        )
        request = (
            check_text(c["evidence_request"], field=("补充证据要求", "evidence request"), max_len=NOTE_MAX, multiline=True)
            if "evidence_request" in c
            else before[2]
        )
        if (grade, comment, request) == before:
            continue
        if row is None:
            row = ExpertGrade(application_id=app.id, expert_id=p.user_id, requirement_id=rid)
            session.add(row)
        row.grade, row.comment, row.evidence_request, row.updated_at = grade, comment, request, utcnow()
        changed[rid] = {"before": before[0], "after": grade}
    if changed:
        session.flush()
        repo.audit(
            session,
            p.username,
            "expert_grades",
            "application",
            app.id,
            {"count": len(changed), "grades": dict(list(changed.items())[:50])},
        )
    return len(changed)


def review_sheet(p: Principal, app_id: int, *, session: Session, root: Path = DEFAULT_ROOT) -> dict:
    """What one expert works on: every applicable requirement with the enterprise's self-assessed grade and note, the
    evidence files, and the expert's own grade, comment and evidence request. Never another expert's grades."""
    app = _app(session, app_id)
    require(session, p, "review.grade", app)
    mine = _assignment(session, p, app.id)
    a = repo.get_assessment(app.assessment_id, session=session)
    ed = _edition(session, app, root)
    answers = repo.answers_of(a)
    own = {
        g.requirement_id: g
        for g in session.scalars(
            select(ExpertGrade).where(ExpertGrade.application_id == app.id, ExpertGrade.expert_id == p.user_id)
        )
    }
    evidence: dict[str | None, list] = {}
    for v in a.evidence:
        evidence.setdefault(v.requirement_id, []).append({"id": v.id, "name": v.original_name})
    rows = []
    for rid in requirement_ids(session, app, root):
        r, ans, g = ed.requirement_map[rid], answers.get(rid), own.get(rid)
        rows.append(
            {
                "requirement_id": rid,
                "level": r.level,
                "text_zh": r.text_zh,
                "text_en": r.text_en,
                "self_grade": ans.grade if ans else None,
                "self_note": ans.note if ans else None,
                "evidence": evidence.get(rid, []),
                "grade": g.grade if g else None,
                "comment": g.comment if g else None,
                "evidence_request": g.evidence_request if g else None,
            }
        )
    return {
        "application": summary(session, app),
        "submitted": mine.submitted_at is not None,
        "graded": sum(1 for r in rows if r["grade"] is not None),
        "total": len(rows),
        "requirements": rows,
        "general_evidence": evidence.get(None, []),
    }


def submit_review(p: Principal, app_id: int, *, session: Session, root: Path = DEFAULT_ROOT) -> Application:
    """The expert's review is final once every requirement is graded. When the last expert submits, the flags and
    automatic consensus grades are computed and the application moves to the consensus stage."""
    app = _app(session, app_id)
    require(session, p, "review.grade", app)
    app = _lock(session, app)
    _expect(app, "in_review")
    mine = _assignment(session, p, app.id)
    if mine.submitted_at is not None:
        raise WorkflowError("您已提交评审 / you have already submitted your review")
    graded = set(
        session.scalars(
            select(ExpertGrade.requirement_id).where(
                ExpertGrade.application_id == app.id, ExpertGrade.expert_id == p.user_id, ExpertGrade.grade.is_not(None)
            )
        )
    )
    missing = [rid for rid in requirement_ids(session, app, root) if rid not in graded]
    if missing:
        raise WorkflowError(
            f"还有 {len(missing)} 项要求未评分（如 {missing[0]}）/ {len(missing)} requirements are not graded yet "
            f"(e.g. {missing[0]})"
        )
    mine.submitted_at = utcnow()
    session.flush()
    repo.audit(session, p.username, "submit_review", "application", app.id, {"graded": len(graded)})
    if all(a.submitted_at is not None for a in _experts(session, app.id)):
        flagged = _open_consensus(session, app, root)
        _move(session, app, "consensus", p.username, {"flagged": len(flagged)})
    return app


def _median(steps: list[int]) -> int:
    s = sorted(steps)
    return s[(len(s) - 1) // 2]  # the lower middle for an even count: conservative


def _open_consensus(session: Session, app: Application, root: Path) -> list[str]:
    by_req: dict[str, list[str | None]] = {}
    for g in session.scalars(select(ExpertGrade).where(ExpertGrade.application_id == app.id)):
        by_req.setdefault(g.requirement_id, []).append(g.grade)
    flagged = []
    existing = {
        c.requirement_id: c for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id))
    }
    for rid in requirement_ids(session, app, root):
        grades = by_req.get(rid, [])
        contested, auto = is_contested(grades), None
        if not contested:
            auto = (
                NA
                if grades and all(g == NA for g in grades)
                else {v: k for k, v in STEP.items()}[_median([STEP[g] for g in grades if g is not None])]
            )
        row = existing.get(rid) or ConsensusGrade(application_id=app.id, requirement_id=rid)
        row.flagged = contested
        row.grade, row.reason = auto, (None if contested else AUTO_REASON)
        row.decided_by, row.decided_at = (None, None) if contested else ("auto", utcnow())
        if rid not in existing:
            session.add(row)
        if contested:
            flagged.append(rid)
    session.flush()
    return flagged


def is_contested(grades: list[str | None]) -> bool:
    """More than one grade step apart, or N/A for some experts and a grade for others."""
    if not grades or any(g is None for g in grades):
        return True
    if any(g == NA for g in grades):
        return not all(g == NA for g in grades)
    steps = [STEP[g] for g in grades if g is not None]  # none is None (above)
    return max(steps) - min(steps) > 1


# -- consensus ------------------------------------------------------------------------------------------------


def _blind_until_consensus(app: Application) -> None:
    if app.status in ("submitted", "in_review", "withdrawn"):
        raise WorkflowError("专家合议之前不公开各专家评分 / experts' grades are not shown before the consensus stage")


def consensus_sheet(
    p: Principal, app_id: int, *, session: Session, root: Path = DEFAULT_ROOT, flagged_only: bool = False
) -> dict:
    """Every requirement with each expert's grade, comment and evidence request, the flag and the consensus grade
    with its reason. Only from the consensus stage on (experts are blind to each other before)."""
    app = _app(session, app_id)
    require(session, p, "review.read_all", app)
    _blind_until_consensus(app)
    names = {a.expert_id: session.get_one(User, a.expert_id).username for a in _experts(session, app.id)}
    grades: dict[str, dict] = {}
    for g in session.scalars(select(ExpertGrade).where(ExpertGrade.application_id == app.id)):
        grades.setdefault(g.requirement_id, {})[names.get(g.expert_id, str(g.expert_id))] = {
            "grade": g.grade,
            "comment": g.comment,
            "evidence_request": g.evidence_request,
        }
    a = repo.get_assessment(app.assessment_id, session=session)
    answers = repo.answers_of(a)
    ed = _edition(session, app, root)
    rows = []
    for c in session.scalars(
        select(ConsensusGrade).where(ConsensusGrade.application_id == app.id).order_by(ConsensusGrade.requirement_id)
    ):
        if flagged_only and not c.flagged:
            continue
        r = ed.requirement_map[c.requirement_id]
        rows.append(
            {
                "requirement_id": c.requirement_id,
                "text_zh": r.text_zh,
                "text_en": r.text_en,
                "self_grade": answers[c.requirement_id].grade if c.requirement_id in answers else None,
                "experts": grades.get(c.requirement_id, {}),
                "flagged": c.flagged,
                "grade": c.grade,
                "reason": c.reason,
                "decided_by": c.decided_by,
            }
        )
    return {
        "application": summary(session, app),
        "experts": list(names.values()),
        "requirements": rows,
        "flagged": sum(1 for r in rows if r["flagged"]),
        "open": sum(1 for r in rows if r["flagged"] and r["decided_by"] in (None, "auto")),
    }


def record_consensus(p: Principal, app_id: int, grades: dict[str, dict], *, session: Session, root: Path = DEFAULT_ROOT) -> int:
    """Record consensus grades ``{requirement id: {"grade", "reason"}}`` (a reason is required for each)."""
    app = _app(session, app_id)
    require(session, p, "consensus.record", app)
    _expect(app, "consensus")
    ed = _edition(session, app, root)
    rows = {c.requirement_id: c for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id))}
    changed = {}
    for rid, c in grades.items():
        row = rows.get(rid)
        if row is None:
            raise WorkflowError(
                f"要求 {str(rid)[:80]!r} 不在此申请中 / requirement {str(rid)[:80]!r} is not part of this application"
            )
        grade = _grade(c.get("grade"), ed, rid)
        if grade is None:
            raise WorkflowError(f"{rid}：合议等级不能为空 / {rid}: the consensus grade is required")
        reason = check_text(
            c.get("reason"), field=("合议理由", "consensus reason"), max_len=NOTE_MAX, required=True, multiline=True
        )
        changed[rid] = {"before": row.grade, "after": grade, "reason": reason}
        row.grade, row.reason, row.decided_by, row.decided_at = grade, reason, p.username, utcnow()
    session.flush()
    if changed:
        repo.audit(
            session,
            p.username,
            "consensus",
            "application",
            app.id,
            {"grades": dict(list(changed.items())[:50]), "count": len(changed)},
        )
    return len(changed)


def finish_consensus(p: Principal, app_id: int, *, session: Session, root: Path = DEFAULT_ROOT) -> list[dict]:
    """Close the consensus (every flagged requirement needs a recorded consensus grade) and generate the site-visit
    checklist: contested items, items an expert asked evidence for, and items graded 全部/大部分满足 without evidence."""
    app = _app(session, app_id)
    require(session, p, "workflow.advance", app)
    app = _lock(session, app)
    _expect(app, "consensus")
    cons = {c.requirement_id: c for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id))}
    open_ = [rid for rid, c in cons.items() if c.flagged and c.decided_by in (None, "auto")]
    if open_:
        raise WorkflowError(
            f"还有 {len(open_)} 项有分歧的要求没有合议等级（如 {sorted(open_)[0]}）/ {len(open_)} contested "
            f"requirements have no consensus grade yet (e.g. {sorted(open_)[0]})"
        )
    requested = set(
        session.scalars(
            select(ExpertGrade.requirement_id).where(
                ExpertGrade.application_id == app.id, ExpertGrade.evidence_request.is_not(None)
            )
        )
    )
    with_evidence = set(session.scalars(select(Evidence.requirement_id).where(Evidence.assessment_id == app.assessment_id)))
    have = {i.requirement_id for i in session.scalars(select(SiteVisitItem).where(SiteVisitItem.application_id == app.id))}
    for rid in sorted(cons):
        c = cons[rid]
        reasons = [
            r
            for r, hit in (
                ("contested", c.flagged),
                ("evidence_requested", rid in requested),
                ("weak_evidence", c.grade in ("full", "largely") and rid not in with_evidence),
            )
            if hit
        ]
        if reasons and rid not in have:
            session.add(SiteVisitItem(application_id=app.id, requirement_id=rid, reasons=reasons))
    session.flush()
    _move(session, app, "site_visit", p.username)
    return site_visit_checklist(p, app_id, session=session, root=root)["items"]


# -- site visit ------------------------------------------------------------------------------------------------


def site_visit_checklist(p: Principal, app_id: int, *, session: Session, root: Path = DEFAULT_ROOT) -> dict:
    app = _app(session, app_id)
    require(session, p, "site_visit.record", app)
    ed = _edition(session, app, root)
    cons = {
        c.requirement_id: c.grade for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id))
    }
    items = [
        {
            "requirement_id": i.requirement_id,
            "text_zh": ed.requirement_map[i.requirement_id].text_zh,
            "text_en": ed.requirement_map[i.requirement_id].text_en,
            "reasons": list(i.reasons or []),
            "consensus_grade": cons.get(i.requirement_id),
            "result": i.result,
            "finding": i.finding,
            "recorded_by": i.recorded_by,
        }
        for i in session.scalars(
            select(SiteVisitItem).where(SiteVisitItem.application_id == app.id).order_by(SiteVisitItem.requirement_id)
        )
    ]
    return {"application": summary(session, app), "items": items, "open": sum(1 for i in items if i["result"] is None)}


def record_site_visit(p: Principal, app_id: int, results: dict[str, dict], *, session: Session) -> int:
    """Record findings ``{requirement id: {"result": "ok" | "weak", "finding": text}}`` (a weak item needs a finding)."""
    app = _app(session, app_id)
    require(session, p, "site_visit.record", app)
    _expect(app, "site_visit")
    items = {i.requirement_id: i for i in session.scalars(select(SiteVisitItem).where(SiteVisitItem.application_id == app.id))}
    changed = {}
    for rid, r in results.items():
        item = items.get(rid)
        if item is None:
            raise WorkflowError(
                f"要求 {str(rid)[:80]!r} 不在现场核查清单中 / requirement {str(rid)[:80]!r} is not on the checklist"
            )
        result = r.get("result")
        if result not in ("ok", "weak"):
            raise WorkflowError("核查结果必须是 ok（符合）或 weak（弱项）/ the result must be ok or weak")
        finding = check_text(
            r.get("finding"), field=("核查发现", "finding"), max_len=NOTE_MAX, required=result == "weak", multiline=True
        )
        changed[rid] = {"before": item.result, "after": result}
        item.result, item.finding, item.recorded_by, item.recorded_at = result, finding, p.username, utcnow()
    session.flush()
    if changed:
        repo.audit(session, p.username, "site_visit", "application", app.id, {"results": changed})
    return len(changed)


def finish_site_visit(p: Principal, app_id: int, *, session: Session) -> Application:
    """Every checklist item needs a result; weak items become rectification items (弱项整改), else on to the decision."""
    app = _app(session, app_id)
    require(session, p, "workflow.advance", app)
    app = _lock(session, app)
    _expect(app, "site_visit")
    items = list(session.scalars(select(SiteVisitItem).where(SiteVisitItem.application_id == app.id)))
    open_ = [i.requirement_id for i in items if i.result is None]
    if open_:
        raise WorkflowError(f"还有 {len(open_)} 项现场核查未记录结果 / {len(open_)} checklist items have no result yet")
    have = set(session.scalars(select(Rectification.requirement_id).where(Rectification.application_id == app.id)))
    weak = [i for i in items if i.result == "weak"]
    for i in weak:
        if i.requirement_id not in have:
            session.add(
                Rectification(
                    application_id=app.id, requirement_id=i.requirement_id, issue=i.finding, status="open", evidence_ids=[]
                )
            )
    session.flush()
    pending = session.scalar(
        select(func.count())
        .select_from(Rectification)
        .where(Rectification.application_id == app.id, Rectification.status != "accepted")
    )
    _move(session, app, "rectification" if pending else "decision", p.username, {"weak": len(weak)})
    return app


# -- rectification ---------------------------------------------------------------------------------------------


def rectification_items(p: Principal, app_id: int, *, session: Session) -> list[dict]:
    app = _app(session, app_id)
    require(session, p, "application.read", app)
    return [
        _rect_dict(r)
        for r in session.scalars(
            select(Rectification).where(Rectification.application_id == app.id).order_by(Rectification.requirement_id)
        )
    ]


def _rect_dict(r: Rectification) -> dict:
    return {
        "id": r.id,
        "application_id": r.application_id,
        "requirement_id": r.requirement_id,
        "issue": r.issue,
        "status": r.status,
        "response": r.response,
        "evidence_ids": list(r.evidence_ids or []),
        "responded_by": r.responded_by,
        "verified_by": r.verified_by,
        "verify_note": r.verify_note,
    }


def respond_rectification(
    p: Principal,
    rect_id: int,
    response: str,
    *,
    session: Session,
    files: Iterable[tuple[str, bytes]] = (),
    store=None,
    max_bytes: int = 20 * 1024 * 1024,
    root: Path = DEFAULT_ROOT,
) -> dict:
    """The enterprise's response to a weak item, with evidence files (attached to the assessment under the item's
    requirement). An open or rejected item becomes responded."""
    r = session.get(Rectification, rect_id)
    if r is None:
        raise repo.NotFound(f"整改项 {rect_id} 不存在 / rectification item {rect_id} not found")
    app = _app(session, r.application_id)
    require(session, p, "rectification.respond", r)
    _expect(app, "rectification")
    if r.status not in ("open", "rejected"):
        raise WorkflowError(
            f"整改项 {rect_id} 已{'答复，待专家核验' if r.status == 'responded' else '通过核验'} / rectification item "
            f"{rect_id} is {r.status}"
        )
    response = check_text(response, field=("整改说明", "response"), max_len=NOTE_MAX, required=True, multiline=True)
    ids = list(r.evidence_ids or [])
    for name, data in files:
        if store is None:
            raise WorkflowError("no evidence store given")
        ev = repo.add_evidence(
            app.assessment_id,
            r.requirement_id,
            name,
            data,
            session=session,
            store=store,
            max_bytes=max_bytes,
            actor=p.username,
            root=root,
        )
        ids.append(ev.id)
    before = r.status
    r.status, r.response, r.evidence_ids = "responded", response, ids
    r.responded_by, r.responded_at = p.username, utcnow()
    session.flush()
    repo.audit(
        session,
        p.username,
        "rectification_response",
        "application",
        app.id,
        {"item": r.id, "requirement": r.requirement_id, "before": before, "after": "responded", "evidence": ids},
    )
    return _rect_dict(r)


def verify_rectification(
    p: Principal,
    rect_id: int,
    accepted: bool,
    note: str | None = None,
    *,
    session: Session,
    grade: Any = None,
    root: Path = DEFAULT_ROOT,
) -> dict:
    """An assigned expert accepts or rejects a response (a rejection needs a note; the enterprise may respond again).
    With ``grade``, an accepted item also sets the requirement's consensus grade (audited before/after)."""
    r = session.get(Rectification, rect_id)
    if r is None:
        raise repo.NotFound(f"整改项 {rect_id} 不存在 / rectification item {rect_id} not found")
    app = _app(session, r.application_id)
    require(session, p, "rectification.verify", r)
    _expect(app, "rectification")
    if r.status != "responded":
        raise WorkflowError(f"整改项 {rect_id} 尚无待核验的答复 / rectification item {rect_id} has no response to verify")
    note = check_text(note, field=("核验意见", "verification note"), max_len=NOTE_MAX, required=not accepted, multiline=True)
    detail: dict[str, Any] = {"item": r.id, "requirement": r.requirement_id, "before": r.status}
    if accepted and grade is not None:
        g = _grade(grade, _edition(session, app, root), r.requirement_id)
        c = session.scalar(
            select(ConsensusGrade).where(
                ConsensusGrade.application_id == app.id, ConsensusGrade.requirement_id == r.requirement_id
            )
        )
        assert c is not None  # consensus has a row for every requirement before rectification
        detail["grade"] = {"before": c.grade, "after": g}
        c.grade, c.reason, c.decided_by, c.decided_at = (
            g,
            f"整改核验 / rectification verified: {note or ''}".strip(),
            p.username,
            utcnow(),
        )
    r.status = "accepted" if accepted else "rejected"
    r.verified_by, r.verified_at, r.verify_note = p.username, utcnow(), note
    session.flush()
    repo.audit(session, p.username, "rectification_verify", "application", app.id, {**detail, "after": r.status})
    return _rect_dict(r)


def finish_rectification(p: Principal, app_id: int, *, session: Session) -> Application:
    """On to the decision once no item waits for a response or a verification (open items count as not rectified:
    close them only when the enterprise has responded; rejected items stay rejected)."""
    app = _app(session, app_id)
    require(session, p, "workflow.advance", app)
    app = _lock(session, app)
    _expect(app, "rectification")
    waiting = session.scalar(
        select(func.count())
        .select_from(Rectification)
        .where(Rectification.application_id == app.id, Rectification.status.in_(("open", "responded")))
    )
    if waiting:
        raise WorkflowError(
            f"还有 {waiting} 项整改待答复或待核验 / {waiting} rectification items await a response or a verification"
        )
    _move(session, app, "decision", p.username)
    return app


# -- decision, certificate, revision -----------------------------------------------------------------------------


def _certified_copy(session: Session, app: Application, actor: str) -> Assessment:
    """A new assessment of the same factory whose answers are the consensus grades (status certified): what the
    decision and the certificate are about. The enterprise's own self-assessment stays as it was."""
    src = repo.get_assessment(app.assessment_id, session=session)
    a = Assessment(
        factory_id=src.factory_id,
        maturity_edition=src.maturity_edition,
        tier_edition=src.tier_edition,
        scenario_catalogue=src.scenario_catalogue,
        declarations_edition=src.declarations_edition,
        industry_type=src.industry_type,
        period=src.period,
        title=f"{src.title}（专家认定 申请 {app.id}-{app.revision}）"[:200],
        status="certified",
        created_by=actor,
        updated_by=actor,
    )
    session.add(a)
    session.flush()
    for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id)):
        a.answers.append(Answer(requirement_id=c.requirement_id, grade=c.grade, note=c.reason, updated_by=actor))
    for s in src.scenarios:
        a.scenarios.append(
            ScenarioRecord(scenario_id=s.scenario_id, link=s.link, name=s.name, ai=s.ai, ai_description=s.ai_description)
        )
    for k in src.kpis:
        a.kpis.append(KpiRecord(kpi_id=k.kpi_id, value=k.value, period=k.period, baseline=k.baseline))
    session.flush()
    repo.audit(session, actor, "create_certified", "assessment", a.id, {"application": app.id, "source": src.id})
    return a


def decide(p: Principal, app_id: int, decision: str, reason: str, *, session: Session, root: Path = DEFAULT_ROOT) -> Application:
    """Approve or reject with a reason. Approval builds the certified assessment from the consensus grades and is
    refused when, scored by the engine, it does not reach the tier applied for."""
    app = _app(session, app_id)
    require(session, p, "application.decide", app)
    app = _lock(session, app)
    _expect(app, "decision")
    if decision not in ("approve", "reject"):
        raise WorkflowError("决定必须是 approve（通过）或 reject（不通过）/ the decision must be approve or reject")
    reason = check_text(reason, field=("决定理由", "reason"), max_len=NOTE_MAX, required=True, multiline=True)
    result: dict[str, Any] = {}
    if decision == "approve":
        a = _certified_copy(session, app, p.username)
        ev = evaluation.evaluate(repo.get_assessment(a.id, session=session), root=root)
        result = {
            "score": ev.scored.score,
            "level": ev.scored.level,
            "tier": ev.tiers.tier,
            "domains": {d.id: d.score for d in ev.scored.domains},
        }
        reached = TIERS.index(ev.tiers.tier) if ev.tiers.tier in TIERS else -1
        if reached < TIERS.index(app.tier):
            why = [r.message_zh for r in ev.tiers.tiers[app.tier].reasons][:3] if app.tier in ev.tiers.tiers else []
            raise WorkflowError(
                f"按合议等级评估，该工厂达到的层级为 {ev.tiers.tier or '无'}，未达到申请的 {app.tier}"
                f"{'（' + '；'.join(why) + '）' if why else ''}，不能通过 / scored on the consensus grades the "
                f"factory reaches {ev.tiers.tier or 'no tier'}, not the {app.tier} applied for: it cannot be approved"
            )
        app.certified_assessment_id = a.id
    app.decision, app.decision_reason, app.decided_by, app.decided_at = decision, reason, p.username, utcnow()
    app.result = result
    _move(
        session,
        app,
        "approved" if decision == "approve" else "rejected",
        p.username,
        {"decision": decision, "reason": reason, "result": result},
    )
    repo.set_status(app.assessment_id, "certified" if decision == "approve" else "draft", session=session, actor=p.username)
    return app


def issue_certificate(p: Principal, app_id: int, *, session: Session, settings):
    """The ``CT-`` certificate of an approved application, signed with this installation's (the province's) key and
    naming ``settings.province_issuer_name``; once per revision."""
    app = _app(session, app_id)
    require(session, p, "certificate.issue", app)
    app = _lock(session, app)
    if app.status != "approved":
        raise WorkflowError(
            f"只有已通过的申请才能发证（申请 {app.id} {STATE_NAMES[app.status][0]}）/ only an approved application "
            f"gets a certificate (application {app.id} is {STATE_NAMES[app.status][1]})"
        )
    if app.certificate_number:
        raise WorkflowError(
            f"申请 {app.id} 已发证 {app.certificate_number} / application {app.id} already has certificate "
            f"{app.certificate_number}"
        )
    if not settings.province_issuer_name:
        raise WorkflowError(
            "请先设置发证机关名称（SFA_PROVINCE_ISSUER_NAME）/ set the issuing authority's name first (SFA_PROVINCE_ISSUER_NAME)"
        )
    assert app.certified_assessment_id is not None  # set with the approval (decide)
    cert = certificates.issue_certificate(
        app.certified_assessment_id,
        session=session,
        key=certificates.issuing_key(settings, session),
        issuer=settings.province_issuer_name,
        valid_days=settings.certificate_valid_days,
        kind="certified",
        actor=p.username,
        root=settings.criteria_dir,
        issuer_code=settings.issuer_code,
    )
    before, app.certificate_number = app.certificate_number, cert.number
    session.flush()
    repo.audit(session, p.username, "certificate", "application", app.id, {"before": before, "after": cert.number})
    return cert


def revise(p: Principal, app_id: int, reason: str, *, session: Session) -> Application:
    """A correction of a decided application: a new revision (same case) at the consensus stage with the experts,
    their grades, the consensus, the site-visit results and the rectification items copied. The decided revision
    stays locked as it was (revoke its certificate separately if it must no longer be valid)."""
    old = _app(session, app_id)
    require(session, p, "application.revise", old)
    old = _lock(session, old)
    if old.status not in ("approved", "rejected"):
        raise WorkflowError(
            f"只有已决定的申请才能更正（申请 {old.id} {STATE_NAMES[old.status][0]}）/ only a decided application "
            f"can be corrected (application {old.id} is {STATE_NAMES[old.status][1]})"
        )
    if not _latest(session, old):
        raise WorkflowError(f"申请 {old.id} 已有更新的修订 / application {old.id} already has a newer revision")
    reason = check_text(reason, field=("更正理由", "reason"), max_len=NOTE_MAX, required=True, multiline=True)
    new = Application(
        case_id=old.case_id,
        revision=old.revision + 1,
        supersedes_id=old.id,
        assessment_id=old.assessment_id,
        enterprise_id=old.enterprise_id,
        province=old.province,
        tier=old.tier,
        status="consensus",
        submitted_by=old.submitted_by,
        submitted_at=old.submitted_at,
        result={},
        revision_reason=reason,
    )
    session.add(new)
    session.flush()
    for x in _experts(session, old.id):
        session.add(
            ExpertAssignment(
                application_id=new.id,
                expert_id=x.expert_id,
                assigned_by=x.assigned_by,
                assigned_at=x.assigned_at,
                submitted_at=x.submitted_at,
            )
        )
    for g in session.scalars(select(ExpertGrade).where(ExpertGrade.application_id == old.id)):
        session.add(
            ExpertGrade(
                application_id=new.id,
                expert_id=g.expert_id,
                requirement_id=g.requirement_id,
                grade=g.grade,
                comment=g.comment,
                evidence_request=g.evidence_request,
                updated_at=g.updated_at,
            )
        )
    for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == old.id)):
        session.add(
            ConsensusGrade(
                application_id=new.id,
                requirement_id=c.requirement_id,
                flagged=c.flagged,
                grade=c.grade,
                reason=c.reason,
                decided_by=c.decided_by,
                decided_at=c.decided_at,
            )
        )
    for i in session.scalars(select(SiteVisitItem).where(SiteVisitItem.application_id == old.id)):
        session.add(
            SiteVisitItem(
                application_id=new.id,
                requirement_id=i.requirement_id,
                reasons=list(i.reasons or []),
                result=i.result,
                finding=i.finding,
                recorded_by=i.recorded_by,
                recorded_at=i.recorded_at,
            )
        )
    for r in session.scalars(select(Rectification).where(Rectification.application_id == old.id)):
        session.add(
            Rectification(
                application_id=new.id,
                requirement_id=r.requirement_id,
                issue=r.issue,
                status=r.status,
                response=r.response,
                evidence_ids=list(r.evidence_ids or []),
                responded_by=r.responded_by,
                responded_at=r.responded_at,
                verified_by=r.verified_by,
                verified_at=r.verified_at,
                verify_note=r.verify_note,
            )
        )
    session.flush()
    repo.set_status(old.assessment_id, "under_review", session=session, actor=p.username)
    repo.audit(
        session,
        p.username,
        "revise",
        "application",
        new.id,
        {
            "before": {"id": old.id, "revision": old.revision, "status": old.status},
            "after": {"id": new.id, "revision": new.revision, "status": new.status},
            "reason": reason,
        },
    )
    return new


# -- reading -----------------------------------------------------------------------------------------------------


def summary(session: Session, app: Application) -> dict:
    a = session.get_one(Assessment, app.assessment_id)
    f = a.factory
    return {
        "id": app.id,
        "case_id": app.case_id,
        "revision": app.revision,
        "status": app.status,
        "status_zh": STATE_NAMES[app.status][0],
        "status_en": STATE_NAMES[app.status][1],
        "tier": app.tier,
        "province": app.province,
        "enterprise_id": app.enterprise_id,
        "enterprise": f.enterprise.name,
        "factory": f.name,
        "assessment_id": app.assessment_id,
        "submitted_by": app.submitted_by,
        "submitted_at": app.submitted_at,
        "status_at": app.status_at,
        "decision": app.decision,
        "decision_reason": app.decision_reason,
        "decided_by": app.decided_by,
        "decided_at": app.decided_at,
        "result": dict(app.result or {}),
        "certified_assessment_id": app.certified_assessment_id,
        "certificate_number": app.certificate_number,
        "revision_reason": app.revision_reason,
        "locked": app.status in LOCKED,
    }


def _visible(session: Session, p: Principal):
    q = select(Application)
    if p.role == "enterprise":
        return q.where(Application.enterprise_id == p.enterprise_id)
    if p.role == "province_admin":
        return q.where(Application.province == p.province)
    if p.role == "expert":
        return q.join(ExpertAssignment, ExpertAssignment.application_id == Application.id).where(
            ExpertAssignment.expert_id == p.user_id
        )
    if p.role == "local":
        return q
    return q.where(Application.id.is_(None))


def list_applications(p: Principal, *, session: Session, status: str | None = None, latest_only: bool = True) -> list[dict]:
    """Applications the principal may see (enterprise: its own; expert: assigned; province admin: the province's),
    newest first; by default only each case's latest revision."""
    require(session, p, "application.read")
    q = _visible(session, p)
    if status is not None:
        q = q.where(Application.status == status)
    apps = list(session.scalars(q.order_by(Application.submitted_at.desc(), Application.id.desc())))
    if latest_only:
        top: dict[int, int] = {}
        for a in apps:
            top[a.case_id] = max(top.get(a.case_id, 0), a.revision)
        apps = [a for a in apps if a.revision == top[a.case_id]]
    return [summary(session, a) for a in apps]


def application_detail(p: Principal, app_id: int, *, session: Session, root: Path = DEFAULT_ROOT) -> dict:
    """One application for the principal: its summary, experts and their progress (names and counts, never grades
    before consensus), rectification items, the consensus grades once decided (for the enterprise), the revisions of
    its case, and the steps this principal can take now (``actions``). Rectification items carry their requirement's
    text, so nobody has to look an id up."""
    app = _app(session, app_id)
    require(session, p, "application.read", app)
    out = summary(session, app)
    experts = []
    for x in _experts(session, app.id):
        n = session.scalar(
            select(func.count())
            .select_from(ExpertGrade)
            .where(ExpertGrade.application_id == app.id, ExpertGrade.expert_id == x.expert_id, ExpertGrade.grade.is_not(None))
        )
        experts.append(
            {"username": session.get_one(User, x.expert_id).username, "graded": n, "submitted": x.submitted_at is not None}
        )
    out["experts"] = experts
    rects = list(
        session.scalars(
            select(Rectification).where(Rectification.application_id == app.id).order_by(Rectification.requirement_id)
        )
    )
    reqs = _edition(session, app, root).requirement_map if rects else {}
    out["rectifications"] = [
        _rect_dict(r)
        | {
            "text_zh": reqs[r.requirement_id].text_zh if r.requirement_id in reqs else "",
            "text_en": reqs[r.requirement_id].text_en if r.requirement_id in reqs else "",
        }
        for r in rects
    ]
    if app.status in ("approved", "rejected"):
        out["consensus"] = {
            c.requirement_id: {"grade": c.grade, "reason": c.reason}
            for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id))
        }
    out["revisions"] = [
        {"id": r.id, "revision": r.revision, "status": r.status}
        for r in session.scalars(select(Application).where(Application.case_id == app.case_id).order_by(Application.revision))
    ]
    out["actions"] = available_actions(p, app, session=session)
    return out


STEP_ACTIONS = {  # workflow step -> (action checked, states it is possible in)
    "withdraw": ("application.withdraw", {"submitted", "in_review"}),
    "assign_experts": ("application.assign", {"submitted", "in_review"}),
    "save_grades": ("review.grade", {"in_review"}),
    "submit_review": ("review.grade", {"in_review"}),
    "record_consensus": ("consensus.record", {"consensus"}),
    "finish_consensus": ("workflow.advance", {"consensus"}),
    "record_site_visit": ("site_visit.record", {"site_visit"}),
    "finish_site_visit": ("workflow.advance", {"site_visit"}),
    "respond_rectification": ("rectification.respond", {"rectification"}),
    "verify_rectification": ("rectification.verify", {"rectification"}),
    "finish_rectification": ("workflow.advance", {"rectification"}),
    "decide": ("application.decide", {"decision"}),
    "issue_certificate": ("certificate.issue", {"approved"}),
    "revise": ("application.revise", {"approved", "rejected"}),
}


def available_actions(p: Principal, app: Application, *, session: Session) -> list[str]:
    """The workflow steps the principal may take on the application in its current state (for the page's buttons)."""
    out = []
    for step, (action, states) in STEP_ACTIONS.items():
        if app.status not in states or check(session, p, action, app) is not None:
            continue
        if step in ("save_grades", "submit_review"):
            mine = session.scalar(
                select(ExpertAssignment).where(ExpertAssignment.application_id == app.id, ExpertAssignment.expert_id == p.user_id)
            )
            if mine is None or mine.submitted_at is not None:
                continue
        if step == "issue_certificate" and app.certificate_number:
            continue
        if step == "revise" and not _latest(session, app):
            continue
        out.append(step)
    return out


def age_days(app_or_summary, now: datetime | None = None) -> float:
    at = app_or_summary["status_at"] if isinstance(app_or_summary, dict) else app_or_summary.status_at
    from .accounts import _aware

    return ((now or utcnow()) - _aware(at)).total_seconds() / 86400
