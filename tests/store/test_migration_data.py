"""Upgrading a database that holds data keeps every row: an assessment with answers, scenarios, KPIs and a snapshot,
created at an early revision, is all there after the upgrade to head (SQLite's batch mode rebuilds tables; with
foreign keys enforced, a rebuild of ``assessments`` used to cascade and delete every answer)."""

from __future__ import annotations

import uuid

import pytest
from dbhelp import PG_URL, require_pg
from sqlalchemy import create_engine, text

from assessment.store.db import make_engine, upgrade

ROWS = [
    "INSERT INTO enterprises (id, name, compliance, is_demo, created_at) VALUES (1, '数据保全企业', '{}', false, '2026-01-01')",
    "INSERT INTO factories (id, enterprise_id, name, industry_type, created_at) VALUES (1, 1, '一厂', 'discrete', '2026-01-01')",
    "INSERT INTO assessments (id, factory_id, title, maturity_edition, tier_edition, scenario_catalogue, industry_type, status,"
    " created_at, updated_at, version) VALUES (1, 1, '评估', 'maturity/2020', 'smart_factory/2025', 'scenarios/2025', 'discrete',"
    " 'draft', '2026-01-01', '2026-01-01', 1)",
    "INSERT INTO answers (assessment_id, requirement_id, grade, note, updated_at) VALUES"
    " (1, 'gbt39116_2020:data:L1:01', 'full', '已建立', '2026-01-01'), (1, 'gbt39116_2020:data:L1:02', 'na', '无此业务', '2026-01-01')",
    "INSERT INTO scenario_records (assessment_id, scenario_id, name, ai) VALUES (1, 'sg2025-s01', '设计', true)",
    "INSERT INTO kpi_records (assessment_id, kpi_id, value) VALUES (1, 'productivity_up', 12.5)",
    "INSERT INTO result_snapshots (assessment_id, created_at, maturity_edition, tier_edition, score, level, tier, complete, digest,"
    " result) VALUES (1, '2026-01-01', 'maturity/2020', 'smart_factory/2025', 1.0, 1, 'none', false, 'x', '{}')",
]
COUNTS = {"answers": 2, "scenario_records": 1, "kpi_records": 1, "result_snapshots": 1, "assessments": 1}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield eng
        eng.dispose()
        return
    require_pg()
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield eng
    eng.dispose()
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_keeps_every_row(empty_engine):
    upgrade(empty_engine, "0002")
    with empty_engine.begin() as c:
        for sql in ROWS:
            c.execute(text(sql))
    upgrade(empty_engine)
    with empty_engine.connect() as c:
        got = {t: c.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in COUNTS}
        note = c.execute(text("SELECT note FROM answers WHERE grade = 'na'")).scalar()
    assert got == COUNTS and note == "无此业务"
    with empty_engine.connect() as c:  # 0008: the declarations edition earlier assessments were checked under
        assert c.execute(text("SELECT declarations_edition FROM assessments")).scalars().all() == ["declarations/2021-2025"]
    upgrade(empty_engine)  # again: nothing to do, nothing lost
    with empty_engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM answers")).scalar() == 2
