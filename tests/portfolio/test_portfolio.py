"""Portfolio queries in SQL on SQLite and PostgreSQL, the synthetic population and the exports (issue 14)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from assessment.planner import plan
from assessment.services import evaluation, population
from assessment.services import portfolio as portfolio_svc
from assessment.services.demo import load_demo
from assessment.store import portfolio
from assessment.store import repository as repo
from assessment.store.orm import Answer, Enterprise, PortfolioBlocker, ResultSnapshot


@pytest.fixture
def loaded(Session):
    with Session.begin() as s:
        load_demo(s)
        stats = population.generate(s, factories=120, years=3, seed=7)
    with Session.begin() as s:
        assert portfolio_svc.reindex(s) == 7  # the demo's real snapshots (3 factories, 7 assessments)
    return Session, stats


def test_population_is_labelled_synthetic(loaded):
    Session, stats = loaded
    with Session() as s:
        synth = s.scalars(select(Enterprise).where(Enterprise.synthetic.is_(True))).all()
        assert len(synth) == 120 and all(e.is_demo and e.name.startswith("合成·") for e in synth)
        snaps = s.scalar(select(func.count()).select_from(ResultSnapshot))
        assert snaps == 7 + 360 and stats["snapshots"] == 360
        one = s.scalars(select(ResultSnapshot).order_by(ResultSnapshot.id.desc())).first()
        assert one.result["synthetic"]["note"].startswith("合成数据")


def test_distributions_add_up_to_the_factories(loaded):
    Session, _ = loaded
    with Session() as s:
        total = portfolio.summary(s)["factories"]
        assert total == 123
        for by in portfolio.DIMENSIONS:
            for measure in ("level", "tier"):
                t = portfolio.distribution(s, by, measure=measure)
                assert sum(r[2] for r in t.rows) == total
                groups = {r[0] for r in t.rows}
                for g in groups:
                    assert abs(sum(r[3] for r in t.rows if r[0] == g) - 1) < 1e-4  # shares rounded to 6 places
        real = portfolio.summary(s, synthetic=False)
        assert real["factories"] == 3 and real["synthetic_factories"] == 0
        assert portfolio.summary(s, synthetic=True)["synthetic_factories"] == 120
        shares = portfolio.level_shares(s)
        assert sum(r[2] for r in shares.rows) == total and "national_2022" in shares.columns


def test_transitions_count_consecutive_assessments(loaded):
    Session, _ = loaded
    with Session() as s:
        lv = portfolio.transitions(s, measure="level")
        # synthetic: 120 factories × 2 steps; demo: (2-1) + (3-1) + (2-1)
        assert sum(r[2] for r in lv.rows) == 240 + 4
        tr = portfolio.transitions(s, measure="tier")
        assert sum(r[2] for r in tr.rows) == 244
        # the same figure by a plain count in SQL
        n = (
            s.execute(text("SELECT COUNT(*) FROM assessments")).scalar()
            - s.execute(text("SELECT COUNT(DISTINCT factory_id) FROM assessments")).scalar()
        )
        assert n == 244


def test_blockers_within_reach_percentile_and_plan(loaded):
    Session, _ = loaded
    with Session() as s:
        rules = portfolio.top_blockers(s, kind="rule")
        assert rules.rows and rules.rows == sorted(rules.rows, key=lambda r: (-r[2], r[0]))
        reqs = portfolio.top_blockers(s, kind="requirement", limit=5)
        assert len(reqs.rows) <= 5
        n_latest_blocked = s.execute(
            text("SELECT COUNT(DISTINCT snapshot_id) FROM portfolio_blockers WHERE kind = 'rule' AND item = :i"),
            {"i": rules.rows[0][0]},
        ).scalar()
        assert rules.rows[0][2] <= n_latest_blocked
        reach = portfolio.within_reach(s, target="advanced", limit=5)
        assert all(r[5] == "basic" for r in reach.rows)
        assert [r[7] for r in reach.rows] == sorted(r[7] for r in reach.rows)
        fid = reach.rows[0][0] if reach.rows else portfolio.within_reach(s, target="L2", limit=1).rows[0][0]
        pct = portfolio.percentile(s, fid)
        assert 0 <= pct["percentile"] <= 100 and pct["peers"] >= 1
        # the same as PERCENT_RANK over every latest result, for every factory of one industry group
        by_group = s.execute(
            text(
                "SELECT r.factory_id, e.industry_group, PERCENT_RANK() OVER (PARTITION BY e.industry_group ORDER BY r.score),"
                " COUNT(*) OVER (PARTITION BY e.industry_group) FROM portfolio_results r JOIN factories f ON f.id = r.factory_id"
                " JOIN enterprises e ON e.id = f.enterprise_id WHERE r.latest = :t"
            ),
            {"t": True},
        ).all()
        group = next(g for _, g, _, n in by_group if n > 3)
        for f, g, rank, n in by_group:
            if g == group:
                got = portfolio.percentile(s, f, peers="industry_group")
                assert (got["percentile"], got["peers"]) == (round(rank * 100, 2), n), f
        with pytest.raises(portfolio.PortfolioError):
            portfolio.distribution(s, "nope")
    with Session.begin() as s:
        table = portfolio.within_reach(s, target="L3", limit=2)
        costed = portfolio_svc.plan_costs(s, table, "L3", limit=2)
        assert all(r[-3] is True for r in costed.rows)  # reachable
        aid = table.rows[0][9]
        assert s.scalar(select(func.count()).select_from(Answer).where(Answer.assessment_id == aid)) > 0
        a = repo.get_assessment(aid, session=s)
        res = evaluation.evaluate(a)
        assert res.maturity.level == table.rows[0][4]  # the answers written on demand score as the snapshot says
        p, _ = plan(evaluation.build_profile(a), "excellent")
        assert p.problem_size["requirements"] == 200


def test_exports_keep_text_as_text(loaded, tmp_path):
    Session, _ = loaded
    with Session() as s:
        tables = portfolio.all_tables(s)
    t = portfolio.Table("x", ("a", "b"), ("甲", "乙"), ("A", "B"), [("=1+1", 2), ("@cmd", None)])
    rows = list(csv.reader(io.StringIO(portfolio.to_csv(t).decode("utf-8-sig"))))
    assert rows[0] == ["甲", "乙"] and rows[1][0] == "'=1+1" and rows[2][0] == "'@cmd"
    wb = load_workbook(io.BytesIO(portfolio.to_xlsx(tables + [t])))
    assert len(wb.sheetnames) == len(tables) + 1
    cell = wb["x"]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    for tb in tables:
        assert wb[tb.name[:31]].max_row == len(tb.rows) + 1


def test_reindex_is_idempotent_and_blockers_cascade(loaded):
    Session, _ = loaded
    with Session.begin() as s:
        before = s.scalar(select(func.count()).select_from(PortfolioBlocker))
        assert portfolio_svc.reindex(s) == 0
        assert s.scalar(select(func.count()).select_from(PortfolioBlocker)) == before


def _snap(s, aid: int, score: float, level: int, tier: str = "none") -> int:
    from datetime import datetime, timezone

    snap = ResultSnapshot(
        assessment_id=aid,
        created_at=datetime(2020, 1, 1, tzinfo=timezone.utc),  # older than the rest: the id decides, not the clock
        maturity_edition="maturity/2020",
        tier_edition="smart_factory/2025",
        score=score,
        level=level,
        tier=tier,
        complete=True,
        digest="t",
        result={},
    )
    s.add(snap)
    s.flush()
    return snap.id


def _assessment(s, fid: int, period: str | None) -> int:
    from datetime import datetime, timezone

    from assessment.store.orm import Assessment

    now = datetime.now(timezone.utc)
    a = Assessment(
        factory_id=fid,
        title="合成评估 test",
        maturity_edition="maturity/2020",
        tier_edition="smart_factory/2025",
        scenario_catalogue="scenarios/2025",
        declarations_edition="declarations/2021-2025",
        industry_type="discrete",
        status="draft",
        period=period,
        created_at=now,
        updated_at=now,
        version=1,
    )
    s.add(a)
    s.flush()
    return a.id


def test_latest_is_the_same_on_both_databases_in_every_edge_case(Session):
    """Latest snapshot of an assessment: the highest id; latest assessment of a factory: not archived, with a
    snapshot, the latest period (none is the earliest), then the highest id."""
    from datetime import datetime, timezone

    from assessment.store.orm import Assessment

    with Session.begin() as s:
        population.generate(s, factories=6, years=2, seed=3, start_year=2023)
        fids = sorted(s.scalars(select(Assessment.factory_id).distinct()))
        a_new = _assessment(s, fids[0], "2030")  # later period, no snapshot yet: not counted
        last1 = s.scalars(select(Assessment).where(Assessment.factory_id == fids[1], Assessment.period == "2024")).one()
        last1.archived_at = datetime.now(timezone.utc)  # archived: the 2023 one counts
        last2 = s.scalars(select(Assessment.id).where(Assessment.factory_id == fids[2], Assessment.period == "2024")).one()
        _snap(s, last2, 77.5, 5)  # a second snapshot of the latest assessment: the newer one counts
        same = _assessment(s, fids[3], "2024")  # same period, higher id: counts
        _snap(s, same, 66.25, 4)
        nop = _assessment(s, fids[4], None)  # no period: the earliest
        _snap(s, nop, 99.0, 5)
        s.flush()
        expect = {}
        for fid in fids:
            cands = [
                a
                for a in s.scalars(select(Assessment).where(Assessment.factory_id == fid))
                if a.archived_at is None and s.scalar(select(func.count()).where(ResultSnapshot.assessment_id == a.id))
            ]
            a = max(cands, key=lambda a: (a.period or "", a.id))
            snap = s.scalars(
                select(ResultSnapshot).where(ResultSnapshot.assessment_id == a.id).order_by(ResultSnapshot.id.desc())
            ).first()
            expect[fid] = (round(snap.score, 4), snap.level)
        assert a_new and expect[fids[2]] == (77.5, 5) and expect[fids[3]] == (66.25, 4) and expect[fids[4]][0] != 99.0
    with Session() as s:
        for fid in fids:
            pct = portfolio.percentile(s, fid, peers="")
            assert (round(pct["score"], 4), pct["level"]) == expect[fid], fid
        assert portfolio.summary(s)["factories"] == 6
        assert sum(r[2] for r in portfolio.distribution(s, "province").rows) == 6
        # transitions: every assessment with a snapshot, in period order (none first), minus one per factory
        n = sum(r[2] for r in portfolio.transitions(s).rows)
        assert n == 12 + 2 - 1 - 6  # 12 generated + 2 added with snapshots - 1 archived - one first per factory


def test_province_admin_sees_their_province_only(loaded):
    from assessment.access import AccessDenied, Principal

    Session, _ = loaded
    with Session() as s:
        everyone = portfolio.summary(s)
        provinces = portfolio.distribution(s, "province")
        prov = max({r[0] for r in provinces.rows if r[0]}, key=lambda p: sum(r[2] for r in provinces.rows if r[0] == p))
        in_prov = sum(r[2] for r in provinces.rows if r[0] == prov)
        admin = Principal(None, "pa", "province_admin", province=prov)
        mine = portfolio.summary(s, principal=admin)
        assert mine["factories"] == in_prov < everyone["factories"]
        for t in portfolio.all_tables(s, principal=admin):
            if t.name.startswith("distribution_province"):
                assert {r[0] for r in t.rows} == {prov}
            if t.name.startswith("within_reach"):
                assert {r[3] for r in t.rows} <= {prov}
        other = next(r for r in portfolio.within_reach(s, target="L2", limit=200).rows if r[3] != prov)
        with pytest.raises(portfolio.PortfolioError):  # a factory of another province is not in this portfolio
            portfolio.percentile(s, other[0], principal=admin)
        local = Principal(None, "local", "local")
        assert portfolio.summary(s, principal=local)["factories"] == everyone["factories"]
        for p in (
            Principal(None, "e", "enterprise", enterprise_id=1),
            Principal(None, "x", "expert"),
            Principal(None, "sa", "system_admin"),
            Principal(None, "pa0", "province_admin", province=None),
        ):
            with pytest.raises(AccessDenied):
                portfolio.summary(s, principal=p)


def test_every_synthetic_assessment_with_awards_opens_as_a_profile(Session):
    """Awards are dated in the round after the assessment that met the tier, never before 2024 (regression: a 2023
    award made the factory's profile invalid, so planning it failed)."""
    from assessment.store.orm import Assessment, TierAward

    with Session.begin() as s:
        population.generate(s, factories=150, years=3, seed=11, start_year=2023)
        awarded = sorted(set(s.scalars(select(TierAward.factory_id))))
        assert awarded and min(s.scalars(select(TierAward.year))) >= 2024
        profiles = []
        for fid in awarded:
            a = max(s.scalars(select(Assessment).where(Assessment.factory_id == fid)), key=lambda a: a.period)
            profiles.append(evaluation.build_profile(a))
        assert all(p.tiers_obtained for p in profiles)
        assert plan(profiles[0], "excellent")[0].target == "excellent"


def _results_from_snapshots(s) -> set[tuple]:
    """portfolio_results as it should be, computed in Python from assessments and snapshots."""
    from assessment.store.orm import Assessment

    rows, best = set(), {}
    for a in s.scalars(select(Assessment)):
        snaps = s.scalars(select(ResultSnapshot).where(ResultSnapshot.assessment_id == a.id)).all()
        if not snaps:
            continue
        snap = max(snaps, key=lambda x: x.id)
        rows.add(
            (a.id, snap.id, a.factory_id, a.period or "", snap.level, snap.tier, round(snap.score, 6), a.archived_at is not None)
        )
        if a.archived_at is None:
            key = (a.period or "", a.id)
            best[a.factory_id] = max(best.get(a.factory_id, key), key)
    return {r + (best.get(r[2], (None, None))[1] == r[0],) for r in rows}


def _results_table(s) -> set[tuple]:
    from assessment.store.orm import PortfolioResult

    return {
        (
            r.assessment_id,
            r.snapshot_id,
            r.factory_id,
            r.period_key,
            r.level,
            r.tier,
            round(r.score, 6),
            bool(r.archived),
            bool(r.latest),
        )
        for r in s.scalars(select(PortfolioResult))
    }


def test_narrow_results_follow_snapshots_archive_and_restore(Session):
    """portfolio_results (what the dashboard reads) stays equal to what the snapshots say after a snapshot, an archive
    and a restore through the repository, and the population writes it directly."""
    with Session.begin() as s:
        ids = load_demo(s)
        population.generate(s, factories=5, years=2, seed=5)
    with Session() as s:
        want = _results_from_snapshots(s)
        assert _results_table(s) == want and sum(r[-1] for r in want) == 3 + 5
    aid = ids[0]
    with Session.begin() as s:
        fid = repo.get_assessment(aid, session=s).factory_id
        new = repo.create_assessment(fid, session=s, actor="t", period="2099")
        assert _results_table(s) == _results_from_snapshots(s)  # no snapshot yet: no row, the latest unchanged
        snap = evaluation.snapshot(new.id, session=s, actor="t")
        s.flush()
        got = _results_table(s)
        assert got == _results_from_snapshots(s)
        assert (new.id, snap.id, fid, "2099") in {r[:4] for r in got if r[-1]}  # the new one is its factory's latest
    with Session.begin() as s:
        repo.set_archived("assessment", new.id, True, session=s, actor="t")
        s.flush()
        got = _results_table(s)
        assert got == _results_from_snapshots(s) and not any(r[0] == new.id and r[-1] for r in got)
        assert any(r[0] == aid and r[-1] for r in got)  # the earlier one is the latest again
    with Session.begin() as s:
        repo.set_archived("assessment", new.id, False, session=s, actor="t")
        second = evaluation.snapshot(new.id, session=s, actor="t")  # a second snapshot of the same assessment
        s.flush()
        score2 = second.score
        got = _results_table(s)
        assert got == _results_from_snapshots(s) and any(r[0] == new.id and r[1] == second.id and r[-1] for r in got)
    with Session() as s:
        assert portfolio.percentile(s, fid, peers="")["score"] == pytest.approx(score2)
