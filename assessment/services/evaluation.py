"""Evaluating a stored assessment: its answers and profile read from the store, scored by the engine, and the result
snapshot saved. The store only persists; this module runs the engine on what it holds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, object_session

from .. import engine
from ..editions import DEFAULT_ROOT
from ..engine import Evaluation, Inputs
from ..inputs import Answers
from ..profile import Profile, parse_profile
from ..registry import editions_for
from ..store import repository as repo
from ..store.orm import Assessment, ResultSnapshot


def answers_model(a: Assessment) -> Answers:
    return Answers(
        edition=a.maturity_edition,
        industry=a.industry_type,
        grades={x.requirement_id: x.grade for x in a.answers if x.grade is not None},
    )


def build_profile(a: Assessment) -> Profile:
    f = a.factory
    e = f.enterprise
    enterprise = {
        k: getattr(e, k)
        for k in (
            "name",
            "credit_code",
            "legal_person",
            "ownership",
            "above_scale",
            "employees",
            "revenue_wan",
            "industry_group",
            "province",
            "standing",
        )
        if getattr(e, k) is not None
    }
    enterprise.update(factory=f.name, industry_type=f.industry_type)
    if f.sub_sector:
        enterprise["sub_sector"] = f.sub_sector
    grades = {x.requirement_id: x.grade for x in a.answers if x.grade is not None}
    doc = {
        "tier_edition": a.tier_edition,
        "enterprise": enterprise,
        "compliance": e.compliance or {},
        "maturity": {"edition": a.maturity_edition, "industry": a.industry_type, "answers": grades},
        "tiers_obtained": [{"tier": t.tier, "year": t.year, "edition": t.edition} for t in f.tier_awards],
        "scenarios": {
            "catalogue": a.scenario_catalogue,
            "instances": [
                {"scenario": s.scenario_id, "name": s.name, "link": s.link, "ai": s.ai}
                | ({"supply_chain": s.supply_chain} if s.supply_chain is not None else {})
                for s in a.scenarios
            ],
        },
        "kpis": {k.kpi_id: {"value": k.value, "period": k.period} for k in a.kpis},
        "build_content": dict(a.build_content or {}),
        "outcomes": dict(a.outcomes or {}),
    }
    session = object_session(a)
    region = repo.get_region(e.province, session=session) if session is not None else None
    if region is not None:
        doc["region"] = {k: v for k, v in repo.region_state(region).items() if v is not None}
    return parse_profile(doc, f"assessment {a.id}")


def evaluate(a: Assessment, *, root: Path = DEFAULT_ROOT) -> Evaluation:
    """The engine's one evaluation of a stored assessment (its answers are always scored: ``Evaluation.scored``)."""
    inputs = Inputs(build_profile(a), answers_model(a))
    return engine.evaluate(inputs, editions_for(inputs, declarations=a.declarations_edition, root=root))


def snapshot(
    assessment_id: int, *, session: Session, actor: str | None = None, root: Path = DEFAULT_ROOT, at: datetime | None = None
) -> ResultSnapshot:
    a = repo.get_assessment(assessment_id, session=session)
    ev = evaluate(a, root=root)
    m, t = ev.scored, ev.tiers
    summary = {
        "score": m.score,
        "level": m.level,
        "gate_level": m.gate_level,
        "borderline": m.borderline,
        "level_scores": m.level_scores,
        "complete": m.complete,
        "answered": m.answered,
        "total": m.total,
        "subdomains": {s.id: {"score": s.score, "level_scores": s.level_scores} for s in m.subdomains},
        "domains": {d.id: d.score for d in m.domains},
        "tier": t.tier,
        "tiers": {k: {"met": v.met, "reasons": [r.rule for r in v.reasons]} for k, v in t.tiers.items()},
        "eligible": [p for p, s in ev.declarations.programmes.items() if s.met],
    }
    snap = ResultSnapshot(
        assessment_id=a.id,
        maturity_edition=a.maturity_edition,
        tier_edition=a.tier_edition,
        score=m.score,
        level=m.level,
        tier=t.tier,
        complete=m.complete,
        digest=repo.assessment_digest(a),
        result=summary,
    )
    if at is not None:
        snap.created_at = at
    session.add(snap)
    session.flush()
    repo.audit(session, actor, "snapshot", "assessment", a.id, {"score": m.score, "level": m.level, "tier": t.tier})
    return snap
