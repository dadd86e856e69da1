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


def test_0009_builds_the_portfolio_results_from_the_snapshots(empty_engine):
    """Latest snapshot of each assessment, and each factory's latest assessment (not archived, latest period, none the
    earliest, then the highest id), the same on SQLite and PostgreSQL."""
    upgrade(empty_engine, "0008")
    a = (
        "INSERT INTO assessments (id, factory_id, title, maturity_edition, tier_edition, scenario_catalogue,"
        " declarations_edition, industry_type, status, period, archived_at, created_at, updated_at, version) VALUES"
        " ({id}, {f}, '评估', 'maturity/2020', 'smart_factory/2025', 'scenarios/2025', 'declarations/2021-2025', 'discrete',"
        " 'draft', {period}, {archived}, '2026-01-01', '2026-01-01', 1)"
    )
    snap = (
        "INSERT INTO result_snapshots (id, assessment_id, created_at, maturity_edition, tier_edition, score, level, tier,"
        " complete, digest, result) VALUES ({id}, {a}, '2026-01-01', 'maturity/2020', 'smart_factory/2025', {s}, {lv},"
        " 'basic', true, 'x', '{{}}')"
    )
    with empty_engine.begin() as c:
        c.execute(text(ROWS[0]))
        for f in (1, 2):
            c.execute(
                text(
                    "INSERT INTO factories (id, enterprise_id, name, industry_type, created_at)"
                    f" VALUES ({f}, 1, '厂{f}', 'discrete', '2026-01-01')"
                )
            )
        for aid, f, period, archived in [
            (1, 1, "'2024'", "NULL"),  # two snapshots: the second counts
            (2, 1, "'2025'", "'2026-02-01'"),  # archived: not the latest
            (3, 1, "'2025'", "NULL"),  # no snapshot: no row
            (4, 2, "NULL", "NULL"),  # no period: the earliest
            (5, 2, "'2023'", "NULL"),  # the latest of factory 2
        ]:
            c.execute(text(a.format(id=aid, f=f, period=period, archived=archived)))
        for sid, aid, s, lv in [(1, 1, 1.0, 1), (2, 1, 2.5, 3), (3, 2, 3.0, 4), (4, 4, 4.0, 5), (5, 5, 2.0, 2)]:
            c.execute(text(snap.format(id=sid, a=aid, s=s, lv=lv)))
    upgrade(empty_engine)
    with empty_engine.connect() as c:
        got = c.execute(
            text(
                "SELECT assessment_id, snapshot_id, factory_id, period_key, level, score, archived, latest"
                " FROM portfolio_results ORDER BY assessment_id"
            )
        ).all()
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7])) for r in got] == [
        (1, 2, 1, "2024", 3, 2.5, False, True),
        (2, 3, 1, "2025", 4, 3.0, True, False),
        (4, 4, 2, "", 5, 4.0, False, False),
        (5, 5, 2, "2023", 2, 2.0, False, True),
    ]
