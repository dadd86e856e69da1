"""Scenario cases as data: tests/cases/maturity_*/<sentence>.yaml -> expected S and level."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from paths import CASES, CRITERIA, MINI

from assessment.answers import parse_answers
from assessment.batch import encode, score_batch
from assessment.editions import load_maturity_cached
from assessment.maturity import compile_model, score

CASE_FILES = sorted(CASES.glob("maturity_*/*.yaml"))


def test_cases_were_found():
    assert len(CASE_FILES) >= 19


def build_answers(case: dict) -> dict:
    """Expand a case's `defaults` (one grade, or one per level) and `counts` (flat model) into answers."""
    root = MINI if case["edition"] in ("maturity/mini", "maturity/flat") else CRITERIA
    ed = load_maturity_cached(case["edition"], root)
    reqs = ed.applicable_requirements(case["industry"])
    answers: dict = {}
    defaults = case.get("defaults")
    if defaults is not None:
        for r in reqs:
            g = defaults.get(str(r.level)) if isinstance(defaults, dict) else defaults
            if g is not None:
                answers[r.id] = g
    for level, counts in (case.get("counts") or {}).items():
        ids = [r.id for r in reqs if r.level == int(level)]
        grades = [g for g, n in counts.items() for _ in range(n)]
        assert len(grades) == len(ids), f"{case['name']}: counts for level {level} must cover {len(ids)} requirements"
        answers.update(zip(ids, grades))
    answers.update(case.get("answers") or {})
    return {"edition": case["edition"], "industry": case["industry"], "answers": answers}, root


@pytest.mark.parametrize("path", CASE_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in CASE_FILES])
def test_case(path: Path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc, root = build_answers(case)
    answers, ed = parse_answers(doc, root=root)
    res = score(answers, ed)
    exp = case["expect"]
    assert res.score == pytest.approx(exp["score"], abs=1e-9), case["name"]
    assert res.level == exp["level"], case["name"]
    for key in ("gate_level", "band_level", "borderline", "complete", "levels_counted", "not_assessed", "not_applicable"):
        if key in exp:
            assert getattr(res, key) == exp[key], f"{case['name']}: {key}"
    for n, x in (exp.get("level_scores") or {}).items():
        assert res.level_scores[n] == pytest.approx(x, abs=1e-9), f"{case['name']}: X{n}"
    # the batch path agrees on every case
    c = compile_model(ed, answers.industry)
    b = score_batch(encode([answers.grades], c), c)
    assert b.score[0] == pytest.approx(res.score, abs=1e-9)
    assert int(b.level[0]) == res.level and int(b.gate_level[0]) == res.gate_level
    assert bool(b.complete[0]) == res.complete
