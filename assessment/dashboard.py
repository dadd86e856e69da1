"""The provincial dashboard and every user's inbox (issue 12): service functions returning plain data (dicts and
lists), each checked with :func:`assessment.access.require` like the workflow's."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import workflow as wf
from .access import Principal, require
from .answers import Answers
from .editions import DEFAULT_ROOT, load_maturity_cached
from .maturity import score
from .services import evaluation
from .store import repository as repo
from .store.orm import (
    Application,
    Assessment,
    ConsensusGrade,
    ExpertAssignment,
    ExpertGrade,
    Rectification,
    SiteVisitItem,
    User,
    utcnow,
)


def _province_apps(session: Session, p: Principal, *, latest_only: bool = True) -> list[Application]:
    require(session, p, "dashboard.read", p.province)
    apps = list(session.scalars(select(Application).where(Application.province == p.province).order_by(Application.id)))
    if latest_only:
        top: dict[int | None, int] = {}
        for a in apps:
            top[a.case_id] = max(top.get(a.case_id, 0), a.revision)
        apps = [a for a in apps if a.revision == top[a.case_id]]
    return apps


def applications_by_status(p: Principal, *, session: Session, now: datetime | None = None) -> dict:
    """``{"statuses": [{status, name_zh, name_en, count, oldest_days, mean_days}], "applications": [summary + age_days]}``
    for the principal's province (each case's latest revision; age = days in the current status)."""
    now = now or utcnow()
    apps = _province_apps(session, p)
    rows = []
    for a in apps:
        s = wf.summary(session, a)
        s["age_days"] = round(wf.age_days(a, now), 2)
        rows.append(s)
    statuses = []
    for st in wf.STATES:
        ages = [r["age_days"] for r in rows if r["status"] == st]
        statuses.append(
            {
                "status": st,
                "name_zh": wf.STATE_NAMES[st][0],
                "name_en": wf.STATE_NAMES[st][1],
                "count": len(ages),
                "oldest_days": max(ages) if ages else None,
                "mean_days": round(sum(ages) / len(ages), 2) if ages else None,
            }
        )
    rows.sort(key=lambda r: -r["age_days"])
    return {"statuses": statuses, "applications": rows}


def expert_workload(p: Principal, *, session: Session) -> list[dict]:
    """Per expert assigned in the province: open assignments, reviews still to submit, finished ones, requirements
    graded so far in open reviews."""
    apps = {a.id: a for a in _province_apps(session, p, latest_only=False)}
    per: dict[int, dict] = {}
    if not apps:
        return []
    for x in session.scalars(select(ExpertAssignment).where(ExpertAssignment.application_id.in_(apps))):
        u = session.get_one(User, x.expert_id)
        row = per.setdefault(
            u.id,
            {
                "username": u.username,
                "display_name": u.display_name,
                "assigned": 0,
                "open": 0,
                "to_submit": 0,
                "submitted": 0,
                "graded_open": 0,
            },
        )
        app = apps[x.application_id]
        row["assigned"] += 1
        if app.status in wf.OPEN:
            row["open"] += 1
        if x.submitted_at is None and app.status == "in_review":
            row["to_submit"] += 1
            row["graded_open"] += session.scalar(
                select(func.count())
                .select_from(ExpertGrade)
                .where(ExpertGrade.application_id == app.id, ExpertGrade.expert_id == u.id, ExpertGrade.grade.is_not(None))
            )
        elif x.submitted_at is not None:
            row["submitted"] += 1
    return sorted(per.values(), key=lambda r: (-r["open"], r["username"]))


def approved_ranked(p: Principal, *, session: Session, tier: str | None = None) -> list[dict]:
    """Approved applications of the province (latest revisions), ranked by the certified score S, highest first."""
    rows = []
    for a in _province_apps(session, p):
        if a.status != "approved" or (tier is not None and a.tier != tier):
            continue
        s = wf.summary(session, a)
        s.update(
            score=(a.result or {}).get("score"), level=(a.result or {}).get("level"), reached_tier=(a.result or {}).get("tier")
        )
        rows.append(s)
    rows.sort(key=lambda r: (-(r["score"] or 0), r["enterprise"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


def approved_assessments(p: Principal, session: Session) -> list[int]:
    """The certified assessments of the province's approved applications, ranked as :func:`approved_ranked` (the
    national recommendation is made from them: reports.service.province_recommendation)."""
    return [s["certified_assessment_id"] for s in approved_ranked(p, session=session)]


def calibration(p: Principal, *, session: Session, root: Path = DEFAULT_ROOT) -> list[dict]:
    """Self-assessed versus expert (consensus) scores per domain over the province's applications that have a
    consensus: ``[{domain, name_zh, name_en, self, expert, difference, applications}]`` (means; difference =
    self − expert, positive when enterprises rate themselves higher)."""
    sums: dict[str, list] = defaultdict(lambda: [0.0, 0.0, 0, "", ""])
    for app in _province_apps(session, p):
        if app.status in ("submitted", "in_review", "withdrawn"):
            continue
        cons = {
            c.requirement_id: c.grade
            for c in session.scalars(select(ConsensusGrade).where(ConsensusGrade.application_id == app.id))
            if c.grade is not None
        }
        if not cons:
            continue
        a = session.get_one(Assessment, app.assessment_id)
        ed = load_maturity_cached(a.maturity_edition, root)
        own = score(evaluation.answers_model(repo.get_assessment(a.id, session=session)), ed)
        expert = score(Answers(edition=a.maturity_edition, industry=a.industry_type, grades=cons), ed)
        ex = {d.id: d for d in expert.domains}
        for d in own.domains:
            if d.score is None or ex[d.id].score is None:  # the domain does not apply (every answer N/A)
                continue
            row = sums[d.id]
            row[0] += d.score
            row[1] += ex[d.id].score
            row[2] += 1
            row[3], row[4] = d.name_zh, d.name_en
    out = []
    for dom, (s_self, s_exp, n, zh, en) in sums.items():
        out.append(
            {
                "domain": dom,
                "name_zh": zh,
                "name_en": en,
                "self": round(s_self / n, 4),
                "expert": round(s_exp / n, 4),
                "difference": round((s_self - s_exp) / n, 4),
                "applications": n,
            }
        )
    return sorted(out, key=lambda r: -abs(r["difference"]))


# -- inbox -------------------------------------------------------------------------------------------------------


def _item(kind: str, zh: str, en: str, app: Application | None = None, **extra) -> dict:
    return {
        "kind": kind,
        "text_zh": zh,
        "text_en": en,
        "application_id": app.id if app else None,
        "since": app.status_at if app else None,
        **extra,
    }


def inbox(p: Principal, *, session: Session) -> list[dict]:
    """What waits for the principal: ``[{kind, text_zh, text_en, application_id, since, …}]``, oldest first.

    enterprise: weak items to respond to; expert: reviews to grade and submit, site visits, responses to verify;
    province admin: applications needing experts, consensus, the end of a site visit or rectification, a decision,
    a certificate; system admin: locked accounts and accounts never used."""
    require(session, p, "application.read") if p.role != "system_admin" else require(session, p, "user.manage")
    items: list[dict] = []
    if p.role == "system_admin":
        now = utcnow()
        from .accounts import _aware

        for u in session.scalars(select(User).where(User.locked_until.is_not(None)).order_by(User.username)):
            if u.locked_until is not None and _aware(u.locked_until) > now:
                items.append(
                    _item(
                        "account_locked",
                        f"账户 {u.username} 因登录失败被锁定",
                        f"account {u.username} is locked after failed logins",
                        username=u.username,
                    )
                )
        return items
    apps = list(session.scalars(wf._visible(session, p).where(Application.status.in_(wf.OPEN)).order_by(Application.status_at)))
    for app in apps:
        name = f"{wf.summary(session, app)['enterprise']}（申请 {app.id}）"
        if p.role == "enterprise" and app.status == "rectification":
            n = session.scalar(
                select(func.count())
                .select_from(Rectification)
                .where(Rectification.application_id == app.id, Rectification.status.in_(("open", "rejected")))
            )
            if n:
                items.append(
                    _item(
                        "respond_rectification",
                        f"{name}：{n} 项弱项待整改答复",
                        f"application {app.id}: {n} weak items await your response",
                        app,
                        count=n,
                    )
                )
        elif p.role == "expert":
            mine = session.scalar(
                select(ExpertAssignment).where(ExpertAssignment.application_id == app.id, ExpertAssignment.expert_id == p.user_id)
            )
            assert mine is not None  # an expert sees only the applications assigned to them (wf._visible)
            if app.status == "in_review" and mine.submitted_at is None:
                items.append(_item("review", f"{name}：待评审并提交", f"application {app.id}: grade and submit your review", app))
            elif app.status == "site_visit":
                n = session.scalar(
                    select(func.count())
                    .select_from(SiteVisitItem)
                    .where(SiteVisitItem.application_id == app.id, SiteVisitItem.result.is_(None))
                )
                if n:
                    items.append(
                        _item(
                            "site_visit",
                            f"{name}：{n} 项现场核查待记录",
                            f"application {app.id}: {n} site-visit items to record",
                            app,
                            count=n,
                        )
                    )
            elif app.status == "rectification":
                n = session.scalar(
                    select(func.count())
                    .select_from(Rectification)
                    .where(Rectification.application_id == app.id, Rectification.status == "responded")
                )
                if n:
                    items.append(
                        _item(
                            "verify_rectification",
                            f"{name}：{n} 项整改答复待核验",
                            f"application {app.id}: {n} rectification responses to verify",
                            app,
                            count=n,
                        )
                    )
        elif p.role in ("province_admin", "local"):
            step = _admin_step(session, app)
            if step:
                items.append(_item(step[0], f"{name}：{step[1]}", f"application {app.id}: {step[2]}", app))
    if p.role in ("province_admin", "local"):
        q = wf._visible(session, p).where(Application.status == "approved", Application.certificate_number.is_(None))
        for app in session.scalars(q.order_by(Application.status_at)):
            items.append(
                _item(
                    "issue_certificate",
                    f"申请 {app.id}：已通过，待发证",
                    f"application {app.id}: approved, certificate not issued yet",
                    app,
                )
            )
    return sorted(items, key=lambda i: i["since"] or utcnow())


def _admin_step(session: Session, app: Application) -> tuple[str, str, str] | None:
    if app.status == "submitted":
        return "assign_experts", "待分配评审专家", "assign experts"
    if app.status == "consensus":
        n = session.scalar(
            select(func.count())
            .select_from(ConsensusGrade)
            .where(ConsensusGrade.application_id == app.id, ConsensusGrade.flagged.is_(True), ConsensusGrade.decided_by.is_(None))
        )
        return (
            "consensus",
            f"{n} 项分歧待合议" if n else "合议完成，待生成现场核查清单",
            f"{n} contested requirements need a consensus grade" if n else "consensus done: generate the site-visit checklist",
        )
    if app.status == "site_visit":
        n = session.scalar(
            select(func.count())
            .select_from(SiteVisitItem)
            .where(SiteVisitItem.application_id == app.id, SiteVisitItem.result.is_(None))
        )
        return None if n else ("finish_site_visit", "现场核查已记录，待结束", "site visit recorded: finish it")
    if app.status == "rectification":
        n = session.scalar(
            select(func.count())
            .select_from(Rectification)
            .where(Rectification.application_id == app.id, Rectification.status.in_(("open", "responded")))
        )
        return None if n else ("finish_rectification", "整改已核验，待结束", "rectification verified: finish it")
    if app.status == "decision":
        return "decide", "待作出决定", "decide"
    return None
