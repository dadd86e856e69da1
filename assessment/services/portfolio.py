"""Portfolio services: what blocks each snapshot from the next level (the engine's gaps) and the planner's effort
for a shortlist of factories; the figures themselves are store queries (assessment/store/portfolio.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ..editions import DEFAULT_ROOT, load_maturity_cached
from ..maturity import score
from ..planner import plan
from ..store import portfolio as pf
from ..store import repository as repo
from ..store.orm import ResultSnapshot
from ..store.portfolio import Table
from . import evaluation
from .population import ensure_answers


def index_snapshot(session: Session, snap: ResultSnapshot, *, root: Path = DEFAULT_ROOT, gaps: int = 5) -> int:
    """Record what blocks ``snap`` from the next tier and the next level (rows of ``portfolio_blockers``)."""
    return pf.record_blockers(session, snap, _gap_ids(session, snap, root, gaps) if snap.level < 5 else [])


def _gap_ids(session: Session, snap: ResultSnapshot, root: Path, n: int) -> list[str]:
    stored = (snap.result or {}).get("gap_ids")
    if stored is not None:
        return list(stored)[:n]
    a = repo.get_assessment(snap.assessment_id, session=session)
    res = score(evaluation.answers_model(a), load_maturity_cached(a.maturity_edition, root))
    return [g.id for g in res.gaps[:n]]


def reindex(session: Session, *, root: Path = DEFAULT_ROOT) -> int:
    """Index every snapshot that has no blockers rows yet (real snapshots taken since the last run). Runs on every
    visit of the page."""
    count = 0
    for sid in pf.unindexed_snapshots(session):
        index_snapshot(session, session.get_one(ResultSnapshot, sid), root=root)
        count += 1
    return count


def plan_costs(session: Session, table: Table, target: str, *, root: Path = DEFAULT_ROOT, costs=None, limit: int = 10) -> Table:
    """The planner's effort to ``target`` for the first ``limit`` factories of a within-reach table."""
    out = []
    for rec in table.records()[:limit]:
        ensure_answers(session, rec["assessment_id"], root=root)
        a = repo.get_assessment(rec["assessment_id"], session=session)
        p, _ = plan(evaluation.build_profile(a), target, costs=costs, root=root)
        out.append(
            (*[rec[c] for c in table.columns], p.total_effort if p.reachable else None, p.reachable, len(p.items), p.exact)
        )
    return Table(
        table.name + "_plan",
        (*table.columns, "effort", "reachable", "items", "exact"),
        (*table.headers_zh, "工作量（人天）", "可达", "改进项数", "精确解"),
        (*table.headers_en, "Effort (person-days)", "Reachable", "Items", "Exact"),
        sorted(out, key=lambda r: (r[-3] is False, r[-4] if r[-4] is not None else float("inf"))),
    )
