"""The top gap is the single change that adds the most S: checked by brute force (raise each requirement to the full
grade, score exactly, compare) on borderline assessments, where the band and the gate disagree."""

from __future__ import annotations

import random

import pytest

from assessment.answers import Answers
from assessment.editions import load_maturity_cached
from assessment.maturity import ScoringError, score

ED = load_maturity_cached("maturity/2020")
FULL = max(ED.grade_values(), key=lambda g: ED.grade_values()[g])


def _borderline(seed: int) -> Answers:
    """Levels up to 2 or 3 graded about 0.8, the next one low, a few N/A: S lands just under a band edge while every
    gated level passes, so the band and the gate disagree."""
    rng = random.Random(seed)
    reqs = ED.applicable_requirements("discrete")
    for _ in range(500):
        top, p_full = rng.choice([2, 3]), rng.uniform(0.0, 0.3)
        grades = {}
        for r in reqs:
            if rng.random() < 0.03:
                grades[r.id] = "na"
            elif r.level <= top:
                grades[r.id] = "full" if rng.random() < p_full else "largely"
            elif r.level == top + 1:
                grades[r.id] = rng.choice(["none", "partial", "largely"])
            else:
                grades[r.id] = "none"
        a = Answers(ED.id, "discrete", grades)
        try:
            if score(a, ED).borderline:
                return a
        except ScoringError:  # a level made entirely N/A: draw again
            continue
    raise AssertionError("no borderline assessment drawn")


@pytest.mark.parametrize("seed", range(3))
def test_top_gap_is_the_best_single_change(seed):
    a = _borderline(seed)
    base = score(a, ED)
    assert base.borderline and base.gaps
    gains = {}
    for rid, g in a.grades.items():
        if g in ("na", FULL):
            continue
        gains[rid] = score(Answers(a.edition, a.industry, {**a.grades, rid: FULL}), ED).score - base.score
    best = max(gains.values())
    assert best > 0
    assert base.gaps[0].gain_s == pytest.approx(best, abs=1e-6)
    assert {g.id for g in base.gaps if g.gain_s > 1e-9} == {rid for rid, v in gains.items() if v > 1e-9}
