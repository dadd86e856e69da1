"""The demo data set (示例): three fictional factories at different levels, each with history.

Loaded by the app on first start when the database has no enterprise. Every name is fictional
and every enterprise is flagged ``is_demo`` so the app can label it 示例.
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..editions import DEFAULT_ROOT, load_maturity_cached
from ..store import repository as repo
from ..store.orm import Enterprise
from . import evaluation

GOOD = {"full": 1.0, "largely": 0.8, "partial": 0.5, "none": 0.0}

DEMO: list[dict[str, Any]] = [
    {
        "enterprise": dict(
            name="示例·华东五金制品有限公司",
            credit_code="91330400MA2B0D0E01",
            province="浙江",
            ownership="private",
            industry_group="equipment",
            legal_person=True,
            above_scale=True,
            employees=260,
            revenue_wan=18000,
            standing="regional_leading",
        ),
        "factory": ("嘉兴紧固件工厂", "discrete", "通用"),
        "awards": [],
        # one assessment per year: (year, capability per level 1..5)
        "history": [(2024, [0.75, 0.45, 0.2, 0.05, 0.0]), (2025, [0.97, 0.9, 0.45, 0.15, 0.05])],
        "scenarios": [("sg2025-l5-p08", "冷镦机在线监控", False), ("sg2025-l5-p05", "螺纹视觉检测", True)],
        "kpis": {"productivity_up": 12.5, "defect_down": 18.0},
    },
    {
        "enterprise": dict(
            name="示例·江南精密电子有限公司",
            credit_code="91320500MA1Y0D0E02",
            province="江苏",
            ownership="private",
            industry_group="electronics",
            legal_person=True,
            above_scale=True,
            employees=1200,
            revenue_wan=30000,
            standing="regional_leading",
        ),
        "factory": ("苏州连接器工厂", "discrete", "通信和其他电子设备"),
        "awards": [("basic", 2024)],
        "history": [(2023, [0.9, 0.6, 0.3, 0.1, 0.0]), (2024, [1.0, 0.92, 0.6, 0.25, 0.05]), (2025, [1.0, 0.97, 0.9, 0.5, 0.1])],
        "scenarios": [
            ("sg2025-l5-p02", "注塑工艺参数动态优化", True),
            ("sg2025-l5-p05", "端子在线视觉检测", True),
            ("sg2025-l4-p02", "车间智能排产", False),
            ("sg2025-l4-p05", "仓储智能管理", False),
            ("sg2025-l8-p01", "供应商协同平台", False),
        ],
        "kpis": {"productivity_up": 21.0, "defect_down": 35.0, "opex_down": 9.0},
    },
    {
        "enterprise": dict(
            name="示例·北方重型装备股份有限公司",
            credit_code="91120000MA050D0E03",
            province="天津",
            ownership="local_soe",
            industry_group="equipment",
            legal_person=True,
            above_scale=True,
            employees=4200,
            revenue_wan=680000,
            standing="domestic_leading",
        ),
        "factory": ("天津总装基地", "discrete", "专用"),
        "awards": [("basic", 2024), ("advanced", 2024)],
        "history": [(2024, [1.0, 0.97, 0.88, 0.45, 0.1]), (2025, [1.0, 1.0, 0.97, 0.85, 0.3])],
        "scenarios": [
            ("sg2025-s03", "总装数字孪生车间", True),
            ("sg2025-s04", "整机参数化设计", False),
            ("sg2025-l5-p09", "关键设备故障预测", True),
            ("sg2025-l5-p06", "焊缝质量追溯", False),
            ("sg2025-l4-p04", "生产动态调度", False),
            ("sg2025-l4-p09", "能源智能管控", False),
            ("sg2025-l6-p01", "智能经营决策", False),
            ("sg2025-l7-p01", "整机远程运维", False),
        ],
        "kpis": {
            "rd_cycle_down": 28.0,
            "productivity_up": 24.0,
            "defect_down": 45.0,
            "energy_unit_down": 12.0,
            "co2_unit_down": 15.0,
        },
    },
]

COMPLIANCE = {
    "good_results_3y": True,
    "good_credit": True,
    "worst_accident_3y": "none",
    "violations_3y": False,
    "secure_controllable": True,
    "smart_mfg_team": True,
    "ip_disputes": False,
    "holds_demo_task": False,
    "willing_site_review": True,
    "no_secrets": True,
}


def _grades(reqs, capability: list[float], rng: random.Random) -> dict[str, dict]:
    out = {}
    for r in reqs:
        p = capability[r.level - 1]
        x = rng.random()
        grade = "full" if x < p * 0.85 else "largely" if x < p else "partial" if x < p + (1 - p) * 0.4 else "none"
        out[r.id] = {"grade": grade}
    return out


def has_data(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Enterprise)) or 0) > 0


def load_demo(session: Session, *, root: Path = DEFAULT_ROOT, actor: str = "demo") -> list[int]:
    """Create the demo data set; returns the ids of the latest assessment of each factory."""
    # earlier years on maturity/2020 (the statements of that time), the latest on the in-force maturity/2020-r2:
    # the history then shows what a new edition of the statements does to a factory's results
    old, current = load_maturity_cached("maturity/2020", root), load_maturity_cached("maturity/2020-r2", root)
    rng = random.Random(39116)
    latest = []
    for spec in DEMO:
        ent = repo.create_enterprise(session=session, actor=actor, compliance=COMPLIANCE, is_demo=True, **spec["enterprise"])
        name, industry, sector = spec["factory"]
        fac = repo.create_factory(ent.id, name, industry, session=session, actor=actor, sub_sector=sector)
        for tier, year in spec["awards"]:
            repo.add_tier_award(fac.id, tier, year, session=session, actor=actor, edition="smart_factory/2024")
        for year, capability in spec["history"]:
            ed = current if year == spec["history"][-1][0] else old
            a = repo.create_assessment(
                fac.id,
                session=session,
                actor=actor,
                title=f"{name} {year} 年度自评估",
                period=str(year),
                maturity_edition=ed.id,
                root=root,
            )
            v = repo.save_answers(
                a.id,
                _grades(ed.applicable_requirements(industry), capability, rng),
                session=session,
                expected_version=a.version,
                actor=actor,
                root=root,
            )
            v = repo.set_scenarios(
                a.id,
                [{"scenario": s, "name": n, "ai": ai} for s, n, ai in spec["scenarios"]],
                session=session,
                expected_version=v,
                actor=actor,
                root=root,
            )
            repo.set_kpis(
                a.id,
                {k: {"value": val, "period": f"{year - 2}-{year}"} for k, val in spec["kpis"].items()},
                session=session,
                expected_version=v,
                actor=actor,
                root=root,
            )
            a.created_at = datetime(year, 6, 30, tzinfo=timezone.utc)
            if year < spec["history"][-1][0]:
                repo.set_status(a.id, "archived", session=session, actor=actor)
            evaluation.snapshot(a.id, session=session, actor=actor, root=root, at=datetime(year, 6, 30, tzinfo=timezone.utc))
            last = a.id
        latest.append(last)
    return latest
