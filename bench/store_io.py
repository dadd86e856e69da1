"""Save and load of a full maturity/2020 assessment (200 answers with notes) on SQLite and PostgreSQL,
compared with a bare executemany insert / select of the same rows on the same database."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text


def _bench(url: str, reps: int, connect_args: dict | None = None) -> dict:
    from assessment.editions import load_maturity_cached
    from assessment.store import repository as repo
    from assessment.store.db import make_engine, session_factory, upgrade

    engine = make_engine(url, **({"connect_args": connect_args} if connect_args else {}))
    upgrade(engine)
    Session = session_factory(engine)
    ed = load_maturity_cached("maturity/2020")
    ids = [r.id for r in ed.applicable_requirements("discrete")]
    with Session.begin() as s:
        fac = repo.create_factory(repo.create_enterprise(session=s, name="基准").id, "厂", "discrete", session=s)
    saves, loads, raw_saves, raw_loads = [], [], [], []
    for i in range(reps):
        with Session.begin() as s:
            a = repo.create_assessment(fac.id, session=s)
            aid, v = a.id, a.version
        grades = {
            rid: {"grade": ("full", "largely", "partial", "none")[(i + k) % 4], "note": f"说明 {k}"} for k, rid in enumerate(ids)
        }
        t0 = time.perf_counter()
        with Session.begin() as s:
            repo.save_answers(aid, grades, session=s, expected_version=v)
        saves.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with Session() as s:
            got = repo.answers_of(repo.get_assessment(aid, session=s))
        loads.append(time.perf_counter() - t0)
        assert len(got) == len(ids)
        # baseline: the same rows through a bare executemany and select
        rows = [{"a": aid, "r": rid + ":raw", "g": g["grade"], "n": g["note"]} for rid, g in grades.items()]
        t0 = time.perf_counter()
        with engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO answers (assessment_id, requirement_id, grade, note, updated_at) "
                    "VALUES (:a, :r, :g, :n, CURRENT_TIMESTAMP)"
                ),
                rows,
            )
        raw_saves.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with engine.connect() as c:
            c.execute(text("SELECT requirement_id, grade, note FROM answers WHERE assessment_id = :a"), {"a": aid}).all()
        raw_loads.append(time.perf_counter() - t0)
    engine.dispose()
    med = statistics.median
    return {
        "save_median_seconds": round(med(saves), 4),
        "load_median_seconds": round(med(loads), 4),
        "baseline_insert_seconds": round(med(raw_saves), 4),
        "baseline_select_seconds": round(med(raw_loads), 4),
        "save_ratio": round(med(saves) / med(raw_saves), 1),
        "load_ratio": round(med(loads) / med(raw_loads), 1),
    }


def run(reps: int = 10) -> dict:
    out = {"answers": 200, "repetitions": reps}
    with tempfile.TemporaryDirectory() as d:
        out["sqlite"] = _bench(f"sqlite:///{d}/bench.db", reps)
    pg = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(pg)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        out["postgresql"] = f"not reachable: {str(exc).splitlines()[0]}"
        return out
    try:
        out["postgresql"] = _bench(pg, reps, {"options": f"-csearch_path={schema}"})
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return out
