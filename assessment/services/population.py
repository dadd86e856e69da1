"""A synthetic population of factories for demos and benchmarks (issue 14), labelled synthetic everywhere.

``python -m assessment demo population --factories 50000 --years 3``. Every enterprise is named 合成·…, flagged
``is_demo`` and ``synthetic``; every assessment is titled 合成评估 and every snapshot carries ``"synthetic": {...}``.

How the numbers hang together (plausible, not calibrated):

* a latent capability per factory rises with size class, with the industry group (electronics and equipment above
  consumer goods) and in the provinces the national reports name as concentrated (江苏, 山东, 广东, 浙江);
* it grows from year to year by a factory-specific step (some factories stall or slip a little);
* each requirement's grade comes from the capability at its level (full / largely / partial / none) with the same
  per-factory random draws every year, so a factory's answers improve consistently rather than being redrawn;
* scenario portfolios, compliance facts, standing and KPIs follow the capability; tiers are awarded one step at a
  time in yearly rounds to factories that met the next tier the year before.

Maturity is scored with the batch scorer; tiers and declarations are evaluated by the engine, once per distinct
combination of the facts they read (the population is built from a small number of fact patterns), so the engine
is the only judge. Answers are not written row by row (50,000 × 200 rows): the snapshot keeps the grades compactly and
:func:`ensure_answers` writes an assessment's answers, scenarios and KPIs when someone opens or plans it.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ..batch import _linear_weights, score_batch
from ..editions import DECLARATIONS_EDITION, DEFAULT_ROOT, load_maturity_cached
from ..maturity import compile_model
from ..profile import parse_profile
from ..registry import evaluate_profile
from ..store import repository as repo
from ..store.orm import (
    Answer,
    Assessment,
    Enterprise,
    Factory,
    KpiRecord,
    PortfolioBlocker,
    PortfolioResult,
    ResultSnapshot,
    ScenarioRecord,
    TierAward,
)
from . import demo

MATURITY = "maturity/2020"
TIER_EDITION = "smart_factory/2025"
CATALOGUE = "scenarios/2025"
CODE = "FLPN"  # full, largely, partial, none
GRADES = {"F": "full", "L": "largely", "P": "partial", "N": "none"}

PROVINCES = [
    ("江苏", 0.20, 0.10),
    ("山东", 0.10, 0.06),
    ("广东", 0.10, 0.06),
    ("浙江", 0.09, 0.05),
    ("上海", 0.04, 0.06),
    ("安徽", 0.05, 0.0),
    ("河南", 0.05, -0.02),
    ("湖北", 0.04, 0.0),
    ("四川", 0.04, -0.02),
    ("福建", 0.04, 0.0),
    ("河北", 0.04, -0.03),
    ("湖南", 0.03, -0.02),
    ("天津", 0.03, 0.02),
    ("北京", 0.02, 0.04),
    ("重庆", 0.03, 0.0),
    ("辽宁", 0.03, -0.03),
    ("陕西", 0.02, -0.02),
    ("江西", 0.02, -0.03),
    ("广西", 0.01, -0.05),
    ("山西", 0.01, -0.05),
    ("吉林", 0.01, -0.05),
]
GROUPS = [("equipment", 0.36, 0.02), ("consumer", 0.28, -0.04), ("raw_materials", 0.20, -0.01), ("electronics", 0.16, 0.05)]
PROCESS_SHARE = {"equipment": 0.1, "consumer": 0.45, "raw_materials": 0.85, "electronics": 0.15}
SIZES = [
    ("large", 0.08, 0.12, 2500, 150000),
    ("medium", 0.27, 0.04, 600, 30000),
    ("small", 0.55, -0.03, 90, 4000),
    ("micro", 0.10, -0.10, 15, 200),
]
# scenario portfolios, poorest to richest: (scenario id, ai) — catalogue scenarios/2025
PORTFOLIOS = [
    [],
    [("sg2025-l5-p01", False)],
    [("sg2025-l5-p01", False), ("sg2025-l5-p05", False)],
    [("sg2025-l5-p01", False), ("sg2025-l4-p02", False), ("sg2025-l6-p01", False)],
    [("sg2025-l5-p02", True), ("sg2025-l4-p02", False), ("sg2025-l6-p01", False), ("sg2025-l5-p05", False)],
    [
        ("sg2025-l5-p02", True),
        ("sg2025-l4-p04", False),
        ("sg2025-l6-p02", False),
        ("sg2025-s01", False),
        ("sg2025-l5-p09", False),
    ],
    [
        ("sg2025-l5-p02", True),
        ("sg2025-l5-p09", True),
        ("sg2025-l4-p04", False),
        ("sg2025-l6-p02", False),
        ("sg2025-s01", False),
        ("sg2025-s04", False),
    ],
    [
        ("sg2025-s03", True),
        ("sg2025-s04", False),
        ("sg2025-l5-p09", True),
        ("sg2025-l4-p04", True),
        ("sg2025-l6-p01", False),
        ("sg2025-l7-p01", False),
        ("sg2025-l8-p01", False),
    ],
    [
        ("sg2025-s03", True),
        ("sg2025-s04", True),
        ("sg2025-l5-p09", True),
        ("sg2025-l4-p04", True),
        ("sg2025-l6-p01", True),
        ("sg2025-l7-p01", True),
        ("sg2025-l8-p01", False),
        ("sg2025-l5-p02", True),
    ],
]
GOOD = demo.COMPLIANCE  # every compliance fact met, as the demo enterprises have them
COMPLIANCE = [  # (share, changes to GOOD)
    (0.70, {}),
    (0.10, {"smart_mfg_team": False}),
    (0.06, {"secure_controllable": None}),
    (0.05, {"worst_accident_3y": "serious"}),
    (0.04, {"good_results_3y": False}),
    (0.03, {"violations_3y": True}),
    (0.02, {"good_credit": False}),
]
STANDING = ["none", "regional_leading", "domestic_leading", "international_advanced"]
FIRST_TIER_ROUND = 2024  # tiers are awarded from the 2024 round on (a profile's tiers_obtained year is at least 2024)
KPIS = ["productivity_up", "defect_down", "opex_down", "energy_unit_down", "co2_unit_down", "rd_cycle_down"]


def _pick(rng, items, n, weights):
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=w / w.sum())


def generate(
    session: Session,
    *,
    factories: int = 50000,
    years: int = 3,
    seed: int = 14,
    start_year: int = 2023,
    root: Path = DEFAULT_ROOT,
    progress=None,
) -> dict:
    """Write the population in bulk; returns counts and timings. Deterministic for a given seed."""
    if factories < 1 or not 1 <= years <= 10:
        raise ValueError("factories must be at least 1 and years between 1 and 10")
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    ed = load_maturity_cached(MATURITY, root)
    n = factories
    prov = _pick(rng, PROVINCES, n, [p[1] for p in PROVINCES])
    grp = _pick(rng, GROUPS, n, [g[1] for g in GROUPS])
    size = _pick(rng, SIZES, n, [s[1] for s in SIZES])
    process = rng.random(n) < np.asarray([PROCESS_SHARE[GROUPS[g][0]] for g in grp])
    base = (
        0.55
        + np.asarray([PROVINCES[p][2] for p in prov])
        + np.asarray([GROUPS[g][2] for g in grp])
        + np.asarray([SIZES[s][2] for s in size])
        + rng.normal(0, 0.17, n)
    )
    growth = rng.normal(0.05, 0.035, n)
    compliance = _pick(rng, COMPLIANCE, n, [c[0] for c in COMPLIANCE])
    employees = np.maximum(5, (np.asarray([SIZES[s][3] for s in size]) * rng.lognormal(0, 0.5, n))).astype(int)
    revenue = np.maximum(50.0, np.asarray([SIZES[s][4] for s in size]) * rng.lognormal(0, 0.6, n)).round(0)
    # per-factory draws kept across years: answers improve consistently
    comp = {ind: compile_model(ed, ind) for ind in ("discrete", "process")}
    nreq = {ind: len(c.reqs) for ind, c in comp.items()}
    u = rng.random((n, max(nreq.values())))
    pnoise = rng.normal(0, 0.6, n)

    ids = _next_ids(session)
    now = datetime.now(timezone.utc)
    ent_rows, fac_rows = [], []
    for i in range(n):
        eid, fid = ids["enterprises"] + i, ids["factories"] + i
        province, group = PROVINCES[prov[i]][0], GROUPS[grp[i]][0]
        facts = {**GOOD, **COMPLIANCE[compliance[i]][1]}
        ent_rows.append(
            {
                "id": eid,
                "name": f"合成·{province}{i + 1:06d}号制造企业",
                "credit_code": None,
                "province": province,
                "ownership": "private",
                "industry_group": group,
                "legal_person": True,
                "above_scale": bool(size[i] != 3),
                "employees": int(employees[i]),
                "revenue_wan": float(revenue[i]),
                "standing": None,
                "compliance": {k: v for k, v in facts.items() if v is not None},
                "is_demo": True,
                "synthetic": True,
                "created_at": now,
                "version": 1,
            }
        )
        fac_rows.append(
            {
                "id": fid,
                "enterprise_id": eid,
                "name": f"合成工厂{i + 1:06d}",
                "industry_type": "process" if process[i] else "discrete",
                "sub_sector": None,
                "created_at": now,
                "version": 1,
            }
        )
    session.execute(insert(Enterprise), ent_rows)
    session.execute(insert(Factory), fac_rows)

    held = np.zeros(n, dtype=int)  # highest tier obtained: 0 none, 1 basic, ...
    award_rows, ass_rows, snap_rows, blocker_rows, result_rows = [], [], [], [], []
    cache: dict = {}
    aid, sid = ids["assessments"], ids["result_snapshots"]
    latest_snap = np.zeros(n, dtype=int)
    levels_by_year = []
    for y in range(years):
        year = start_year + y
        cap = base + growth * y
        enc = {}
        for ind in ("discrete", "process"):
            rows = np.flatnonzero(process == (ind == "process"))
            c = comp[ind]
            lv = np.asarray([r.level for r in c.reqs])
            p = np.clip(1.25 * cap[rows, None] - 0.22 * (lv[None, :] - 1) + 0.08, 0.0, 1.0)
            uu = u[rows, : len(c.reqs)]
            code = np.where(uu < p * 0.8, 0, np.where(uu < p, 1, np.where(uu < p + (1 - p) * 0.45, 2, 3)))
            vals = np.asarray([1.0, 0.8, 0.5, 0.0])[code]
            res = score_batch(vals, c)
            w = _weights(c)
            enc[ind] = (rows, code, res, vals, w, lv)
        level = np.zeros(n, dtype=int)
        score = np.zeros(n)
        xs = np.zeros((n, 5))
        codes: list[str] = [""] * n
        gaps: list[list[str]] = [[] for _ in range(n)]
        for ind, (rows, code, res, vals, w, lv) in enc.items():
            level[rows] = res.level
            score[rows] = res.score
            xs[rows] = res.level_scores
            c = comp[ind]
            strings = ["".join(CODE[k] for k in row) for row in code]
            for k, r in enumerate(rows):
                codes[r] = strings[k]
            # the requirements adding most to X at the next level (gain = weight × (1 - value))
            gain = w[None, :] * (1.0 - vals)
            for k, r in enumerate(rows):
                nxt = res.level[k] + 1
                if nxt > 5:
                    continue
                g = np.where(lv == nxt, gain[k], -1.0)
                top = np.argsort(-g, kind="stable")[:5]
                gaps[r] = [c.reqs[j].id for j in top if g[j] > 0]
        levels_by_year.append(level.copy())
        portfolio = np.clip(np.round(level * 1.6 + cap * 2 + pnoise).astype(int), 0, len(PORTFOLIOS) - 1)
        standing = np.clip(level - 2 + (rng.random(n) < 0.3), 0, 3)
        results = []
        for i in range(n):
            key = (int(level[i]), int(compliance[i]), int(portfolio[i]), int(standing[i]), int(held[i]), bool(size[i] != 3))
            if key not in cache:
                cache[key] = _evaluate(key, root)
            results.append(cache[key])
        for i in range(n):
            tier, tiers, eligible = results[i]
            ass_rows.append(
                {
                    "id": aid,
                    "factory_id": ids["factories"] + i,
                    "title": f"合成评估 {year} 年度",
                    "maturity_edition": MATURITY,
                    "tier_edition": TIER_EDITION,
                    "scenario_catalogue": CATALOGUE,
                    "declarations_edition": DECLARATIONS_EDITION,
                    "industry_type": "process" if process[i] else "discrete",
                    "status": "archived" if y < years - 1 else "draft",
                    "period": str(year),
                    "created_by": "synthetic",
                    "created_at": datetime(year, 6, 30, tzinfo=timezone.utc),
                    "updated_at": datetime(year, 6, 30, tzinfo=timezone.utc),
                    "version": 1,
                }
            )
            kp = {
                k: round(float(5 + 30 * max(0.0, cap[i]) + (i * 7 + j * 3) % 9), 1)
                for j, k in enumerate(KPIS[: 2 + int(level[i])])
            }
            snap_rows.append(
                {
                    "id": sid,
                    "assessment_id": aid,
                    "created_at": datetime(year, 6, 30, tzinfo=timezone.utc),
                    "maturity_edition": MATURITY,
                    "tier_edition": TIER_EDITION,
                    "score": round(float(score[i]), 6),
                    "level": int(level[i]),
                    "tier": tier,
                    "complete": True,
                    "digest": f"synthetic:{seed}:{i}:{year}",
                    "result": {
                        "score": round(float(score[i]), 6),
                        "level": int(level[i]),
                        "level_scores": {str(k + 1): round(float(xs[i, k]), 6) for k in range(5)},
                        "complete": True,
                        "tier": tier,
                        "tiers": tiers,
                        "eligible": eligible,
                        "gap_ids": gaps[i],
                        "synthetic": {
                            "seed": seed,
                            "index": i,
                            "grades": codes[i],
                            "industry": "process" if process[i] else "discrete",
                            "scenarios": PORTFOLIOS[portfolio[i]],
                            "standing": STANDING[standing[i]],
                            "kpis": kp,
                            "note": "合成数据，非真实企业 / synthetic data, not a real enterprise",
                        },
                    },
                }
            )
            result_rows.append(
                {
                    "assessment_id": aid,
                    "snapshot_id": sid,
                    "factory_id": ids["factories"] + i,
                    "period_key": str(year),
                    "level": int(level[i]),
                    "tier": tier,
                    "score": round(float(score[i]), 6),
                    "complete": True,
                    "created_at": datetime(year, 6, 30, tzinfo=timezone.utc),
                    "archived": False,
                    "latest": y == years - 1,  # one assessment a year, none archived: the last year's is the latest
                }
            )
            if y == years - 1:
                latest_snap[i] = sid
                nxt = next((t for t in ("basic", "advanced", "excellent", "leading") if not tiers[t]["met"]), None)
                for rule in tiers[nxt]["reasons"] if nxt else []:
                    blocker_rows.append({"snapshot_id": sid, "kind": "rule", "item": rule, "target": nxt})
                for rid in gaps[i]:
                    blocker_rows.append({"snapshot_id": sid, "kind": "requirement", "item": rid, "target": f"L{level[i] + 1}"})
                if not (nxt or gaps[i]):
                    blocker_rows.append({"snapshot_id": sid, "kind": "none", "item": "-", "target": "-"})
            aid += 1
            sid += 1
        # yearly round: a factory that met the tier above the one it holds may obtain it (one step a year)
        if y < years - 1:
            order = ("basic", "advanced", "excellent", "leading")
            lucky = rng.random(n) < 0.7
            for i in range(n):
                tier = results[i][0]
                reach = order.index(tier) + 1 if tier in order else 0
                nxt_tier = held[i] + 1
                met_next = nxt_tier <= 4 and results[i][1][order[nxt_tier - 1]]["met"]
                if lucky[i] and met_next and reach >= nxt_tier - 1:
                    held[i] = nxt_tier
                    award_rows.append(
                        {
                            "factory_id": ids["factories"] + i,
                            "tier": order[nxt_tier - 1],
                            "year": max(year + 1, FIRST_TIER_ROUND),  # declared in the next year's round
                            "edition": TIER_EDITION,
                            "certificate_no": None,
                        }
                    )
        if progress:
            progress(y + 1, years)
    t_gen = time.perf_counter() - t0
    for batch, table in (
        (ass_rows, Assessment),
        (snap_rows, ResultSnapshot),
        (result_rows, PortfolioResult),
        (award_rows, TierAward),
        (blocker_rows, PortfolioBlocker),
    ):
        for k in range(0, len(batch), 20000):
            session.execute(insert(table), batch[k : k + 20000])
    _fix_sequences(session)
    repo.audit(
        session,
        "synthetic",
        "generate_population",
        "portfolio",
        "-",
        {"factories": n, "years": years, "seed": seed, "synthetic": True},
    )
    return {
        "factories": n,
        "years": years,
        "assessments": len(ass_rows),
        "snapshots": len(snap_rows),
        "tier_awards": len(award_rows),
        "blockers": len(blocker_rows),
        "fact_patterns_evaluated": len(cache),
        "generate_seconds": round(t_gen, 3),
        "total_seconds": round(time.perf_counter() - t0, 3),
        "levels": {str(k): int(v) for k, v in zip(*np.unique(levels_by_year[-1], return_counts=True))},
    }


def _weights(c) -> np.ndarray:
    lw = _linear_weights(c)
    return lw.max(axis=1) if lw is not None else np.ones(len(c.reqs))


def _next_ids(session: Session) -> dict[str, int]:
    out = {}
    for table in (Enterprise, Factory, Assessment, ResultSnapshot):
        out[table.__tablename__] = (session.scalar(select(func.max(table.id))) or 0) + 1
    return out


def _fix_sequences(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("enterprises", "factories", "assessments", "result_snapshots"):
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))")
        )


def _profile_doc(key) -> dict:
    level, compliance, portfolio, standing, held, above = key
    order = ("basic", "advanced", "excellent", "leading")
    return {
        "tier_edition": TIER_EDITION,
        "enterprise": {"name": "合成", "legal_person": True, "above_scale": above, "standing": STANDING[standing]},
        "compliance": {k: v for k, v in {**GOOD, **COMPLIANCE[compliance][1]}.items() if v is not None},
        "maturity": {"self_assessed_level": level},
        "tiers_obtained": [{"tier": t, "year": 2024} for t in order[:held]],
        "scenarios": {"catalogue": CATALOGUE, "instances": [{"scenario": s, "ai": ai} for s, ai in PORTFOLIOS[portfolio]]},
    }


def _evaluate(key, root: Path):
    ev = evaluate_profile(parse_profile(_profile_doc(key), "synthetic"), declarations=DECLARATIONS_EDITION, root=root)
    tr, dr = ev.tiers, ev.declarations
    tiers = {k: {"met": v.met, "reasons": [r.rule for r in v.reasons]} for k, v in tr.tiers.items()}
    return tr.tier, tiers, [p for p, s in dr.programmes.items() if s.met]


def ensure_answers(session: Session, assessment_id: int, *, root: Path = DEFAULT_ROOT) -> bool:
    """Write a synthetic assessment's answers, scenarios, KPIs and enterprise standing from its snapshot (once).
    Returns True when something was written; a real assessment is never touched."""
    a = session.get(Assessment, assessment_id)
    if a is None:
        raise LookupError(f"no assessment {assessment_id}")
    if not a.factory.enterprise.synthetic:
        return False
    snap = session.scalars(
        select(ResultSnapshot).where(ResultSnapshot.assessment_id == assessment_id).order_by(ResultSnapshot.id.desc())
    ).first()
    info = (snap.result or {}).get("synthetic") if snap else None
    if not info or session.scalar(select(func.count()).select_from(Answer).where(Answer.assessment_id == assessment_id)):
        return False
    c = compile_model(load_maturity_cached(a.maturity_edition, root), info["industry"])
    session.execute(
        insert(Answer),
        [
            {"assessment_id": a.id, "requirement_id": rid, "grade": GRADES[ch], "note": None, "updated_by": "synthetic"}
            for rid, ch in zip(c.req_ids, info["grades"])
        ],
    )
    if info["scenarios"]:
        session.execute(
            insert(ScenarioRecord),
            [{"assessment_id": a.id, "scenario_id": s, "name": f"合成场景 {s}", "ai": ai} for s, ai in info["scenarios"]],
        )
    if info.get("kpis"):
        session.execute(
            insert(KpiRecord), [{"assessment_id": a.id, "kpi_id": k, "value": v, "period": None} for k, v in info["kpis"].items()]
        )
    ent = a.factory.enterprise
    if ent.standing is None:
        session.execute(text("UPDATE enterprises SET standing = :s WHERE id = :i"), {"s": info["standing"], "i": ent.id})
    session.expire_all()
    return True
