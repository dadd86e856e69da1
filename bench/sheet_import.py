"""Import of a full questionnaire spreadsheet into an assessment, on SQLite and PostgreSQL (issue 9's benchmark).

The sheet is the one the CLI writes (``maturity template … --format xlsx``: every applicable requirement of the
edition), filled at random with grades, N/A with a reason and blanks, as departments would. One import is what the
questionnaire page does: parse the sheet (``read_sheet``), validate it against the assessment (edition and industry,
the changes against the stored answers, as the preview shows them), and save through the audited, version-checked
path (``repository.transact`` + ``save_answers`` with the values seen, action ``import_answers``). The baseline is a
bare ``executemany`` of the same rows (requirement id, grade, note) into a scratch table of the same database.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text

EDITIONS = (("maturity/2020", "discrete"), ("maturity/2020-r2", "discrete"))  # 200 rows; the demo's edition, 278 rows
LABELS = ["1 全部满足", "0.8 大部分满足", "0.5 部分满足", "0 不满足", "不适用", None]


def filled_sheet(edition: str, industry: str, seed: int) -> tuple[bytes, int]:
    """The CLI's template of ``edition`` filled at random: (xlsx bytes, rows)."""
    from openpyxl import load_workbook

    from assessment.answer_sheet import COL, HEADER_ROW, SHEET, write_sheet
    from assessment.editions import load_maturity_cached

    rng = random.Random(seed)
    wb = load_workbook(io.BytesIO(write_sheet(load_maturity_cached(edition), industry)))
    ws = wb[SHEET]
    rows = 0
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        rows += 1
        grade = rng.choice(LABELS)
        row[COL["grade"]].value = grade
        if grade == "不适用":
            row[COL["na"]].value = "本厂无此工序"
        elif grade and rng.random() < 0.3:
            row[COL["note"]].value = f"见制度文件第 {rng.randint(1, 40)} 条"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), rows


def import_sheet(Session, aid: int, data: bytes, *, actor: str = "bench") -> tuple[int, dict[str, float]]:
    """What the questionnaire page does on 预览 then 应用导入: (answers changed, seconds per step)."""
    from assessment.answer_sheet import read_sheet
    from assessment.editions import load_maturity_cached
    from assessment.store import repository as repo

    t0 = time.perf_counter()
    sheet = read_sheet(data, editions=load_maturity_cached)
    t1 = time.perf_counter()
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        if (sheet.edition, sheet.industry) != (a.maturity_edition, a.industry_type) or sheet.problems:
            raise AssertionError("the benchmark's sheet does not fit its assessment")
        stored = {x.requirement_id: (x.grade, x.note or None) for x in a.answers}
    incoming = {rid: {"grade": g, "note": n} for rid, (g, n) in sheet.rows.items()}
    changes = {
        rid: c for rid, c in incoming.items() if (c["grade"], c["note"]) != stored.get(rid, (None, None))
    }  # the preview's "将改变 N 项"
    seen = {rid: stored.get(rid, (None, None)) for rid in changes}
    t2 = time.perf_counter()
    repo.transact(
        Session,
        lambda s: repo.save_answers(aid, changes, session=s, actor=actor, expected=seen, action="import_answers"),
    )
    t3 = time.perf_counter()
    return len(changes), {"parse": t1 - t0, "validate": t2 - t1, "save": t3 - t2, "total": t3 - t0}


def _bench(url: str, reps: int, connect_args: dict | None = None) -> dict:
    from assessment.store import repository as repo
    from assessment.store.db import make_engine, session_factory, upgrade

    engine = make_engine(url, **({"connect_args": connect_args} if connect_args else {}))
    upgrade(engine)
    Session = session_factory(engine)
    with engine.begin() as c:
        c.execute(
            text("CREATE TABLE bench_scratch (assessment_id INTEGER, requirement_id VARCHAR(120), grade VARCHAR(20), note TEXT)")
        )
    with Session.begin() as s:
        fac = repo.create_factory(repo.create_enterprise(session=s, name="基准").id, "厂", "discrete", session=s)
    out = {}
    for edition, industry in EDITIONS:
        steps: dict[str, list[float]] = {"parse": [], "validate": [], "save": [], "total": []}
        baseline = []
        for i in range(reps):
            data, rows = filled_sheet(edition, industry, seed=i)
            with Session.begin() as s:
                aid = repo.create_assessment(fac.id, session=s, maturity_edition=edition, industry_type=industry).id
            n, took = import_sheet(Session, aid, data)
            for k, v in took.items():
                steps[k].append(v)
            with Session() as s:
                saved = {x.requirement_id: (x.grade, x.note) for x in repo.get_assessment(aid, session=s).answers}
            assert len(saved) == n
            # baseline: the same rows, bare, into a scratch table of the same database
            raw = [{"a": aid, "r": rid, "g": g, "n": note} for rid, (g, note) in saved.items()]
            t0 = time.perf_counter()
            with engine.begin() as c:
                c.execute(
                    text("INSERT INTO bench_scratch (assessment_id, requirement_id, grade, note) VALUES (:a, :r, :g, :n)"), raw
                )
            baseline.append(time.perf_counter() - t0)
        med = statistics.median
        out[edition] = {
            "rows": rows,
            "answers_saved": n,
            **{f"{k}_median_seconds": round(med(v), 4) for k, v in steps.items()},
            "import_max_seconds": round(max(steps["total"]), 4),
            "baseline_executemany_seconds": round(med(baseline), 4),
            "import_ratio": round(med(steps["total"]) / med(baseline), 1),
            "save_ratio": round(med(steps["save"]) / med(baseline), 1),
            "under_1_second": max(steps["total"]) < 1.0,
        }
    engine.dispose()
    return out


def run(reps: int = 5) -> dict:
    out: dict = {"repetitions": reps, "path": "read_sheet → preview changes → transact(save_answers, action=import_answers)"}
    with tempfile.TemporaryDirectory() as d:
        out["sqlite"] = _bench(f"sqlite:///{d}/bench.db", reps)
    pg = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(pg)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        out["postgresql"] = f"skipped: not reachable ({str(exc).splitlines()[0]})"
        return out
    try:
        out["postgresql"] = _bench(pg, reps, {"options": f"-csearch_path={schema}"})
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return out
