"""Property tests: monotonicity, and the batch path equals the single path."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CRITERIA

from assessment import batch
from assessment.answers import Answers
from assessment.batch import encode, score_batch
from assessment.editions import load_maturity_cached
from assessment.maturity import ScoringError, compile_model, score

ED = load_maturity_cached("maturity/2020", CRITERIA)
C = {ind: compile_model(ED, ind) for ind in ("discrete", "process")}
GRADES = ["full", "largely", "partial", "none"]
ORDER = {"none": 0, "partial": 1, "largely": 2, "full": 3}


@st.composite
def assessments(draw, allow_na=True):
    industry = draw(st.sampled_from(["discrete", "process"]))
    c = C[industry]
    choices = GRADES + ["na", None] if allow_na else GRADES + [None]
    picks = draw(st.lists(st.sampled_from(choices), min_size=len(c.reqs), max_size=len(c.reqs)))
    # keep at least one applicable requirement per level so every level can be scored
    grades = {}
    for r, g in zip(c.reqs, picks):
        if g is not None:
            grades[r.id] = g
    for n in range(1, 6):
        first = next(r for r in c.reqs if r.level == n)
        if grades.get(first.id) == "na":
            grades[first.id] = "none"
    return Answers("maturity/2020", industry, grades)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=assessments(), data=st.data())
def test_raising_one_answer_never_lowers_s(a, data):
    c = C[a.industry]
    before = score(a, ED)
    rid = data.draw(st.sampled_from(c.req_ids))
    cur = a.grades.get(rid)
    if cur == "na":
        return
    higher = [g for g in GRADES if ORDER[g] > ORDER.get(cur or "none", -1) or (cur is None)]
    if not higher:
        return
    new = data.draw(st.sampled_from(higher))
    after = score(Answers(a.edition, a.industry, {**a.grades, rid: new}), ED)
    assert after.score >= before.score - 1e-12
    assert after.level >= before.level


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(assessments(), min_size=1, max_size=6))
def test_batch_equals_single(batch):
    for industry in ("discrete", "process"):
        rows = [a for a in batch if a.industry == industry]
        if not rows:
            continue
        c = C[industry]
        b = score_batch(encode([a.grades for a in rows], c), c)
        for i, a in enumerate(rows):
            s = score(a, ED)
            assert abs(b.score[i] - s.score) < 1e-6
            assert int(b.level[i]) == s.level
            assert int(b.gate_level[i]) == s.gate_level
            assert int(b.band_level[i]) == s.band_level
            assert bool(b.complete[i]) == s.complete
            assert np.allclose(b.level_scores[i], [s.level_scores[k] for k in "12345"], atol=1e-6)


def _random_rows(c, n, p_na, rng):
    """n answer sets with each answer N/A with probability p_na, else a random grade or (1 in 20) not assessed."""
    rows = []
    for _ in range(n):
        na = rng.random(len(c.reqs)) < p_na
        pick = rng.integers(0, len(GRADES) + 1, size=len(c.reqs))
        rows.append({r.id: ("na" if na[i] else GRADES[pick[i]]) for i, r in enumerate(c.reqs) if na[i] or pick[i] < len(GRADES)})
    return rows


@pytest.mark.parametrize("edition", ["maturity/2020", "maturity/2020-r2", "maturity/2024-draft-r2"])
@pytest.mark.parametrize("p_na", [0.05, 0.6])
def test_batch_with_scattered_na_equals_single(edition, p_na):
    """The masked batch path (the linear product corrected where N/A answers change a mean or empty a group) against
    the exact scorer: 5 % N/A as in the benchmark, and 60 % so that whole sub-domains, domains and levels drop out."""
    ed = load_maturity_cached(edition, CRITERIA)
    rng = np.random.default_rng(20201011)
    for industry in ("discrete", "process"):
        c = compile_model(ed, industry)
        rows = _random_rows(c, 60, p_na, rng)
        b = score_batch(encode(rows, c), c)
        for i, grades in enumerate(rows):
            try:
                s = score(Answers(edition, industry, grades), ed)
            except ScoringError:
                assert not b.valid[i]
                continue
            assert b.valid[i]
            assert np.allclose(b.level_scores[i], [s.level_scores[k] for k in "12345"], atol=1e-9)
            assert abs(b.score[i] - s.score) < 1e-6
            assert (int(b.level[i]), bool(b.complete[i])) == (s.level, s.complete)


def test_batch_across_blocks_equals_single():
    """More rows than one block of the N/A path (it works in blocks of rows): rows on both sides of each block edge,
    and a sample of the rest, equal the exact scorer."""
    ed = load_maturity_cached("maturity/2020", CRITERIA)
    c = compile_model(ed, "discrete")
    rng = np.random.default_rng(7)
    n = 2 * batch._BLOCK + 300
    rows = _random_rows(c, n, 0.05, rng)
    b = score_batch(encode(rows, c), c)
    edges = [i for k in (1, 2) for i in (k * batch._BLOCK - 1, k * batch._BLOCK)]
    for i in sorted({*edges, 0, n - 1, *range(0, n, 211)}):
        s = score(Answers("maturity/2020", "discrete", rows[i]), ed)
        assert np.allclose(b.level_scores[i], [s.level_scores[k] for k in "12345"], atol=1e-9), i
        assert abs(b.score[i] - s.score) < 1e-6 and (int(b.level[i]), bool(b.complete[i])) == (s.level, s.complete), i


def test_batch_with_na_and_a_nonzero_not_assessed_value_equals_single():
    """An edition where "not assessed" counts as something other than 0 (none shipped does): the N/A path puts that
    value in, as the exact scorer does."""
    base = load_maturity_cached("maturity/2020", CRITERIA)
    half = base.scoring.not_assessed.model_copy(update={"counts_as": Fraction(1, 2)})
    ed = dataclasses.replace(base, scoring=base.scoring.model_copy(update={"not_assessed": half}))
    c = compile_model(ed, "discrete")
    rows = _random_rows(c, 80, 0.05, np.random.default_rng(11))
    b = score_batch(encode(rows, c), c)
    for i, grades in enumerate(rows):
        s = score(Answers("maturity/2020", "discrete", grades), ed)
        assert np.allclose(b.level_scores[i], [s.level_scores[k] for k in "12345"], atol=1e-9), i
        assert abs(b.score[i] - s.score) < 1e-6 and bool(b.complete[i]) == s.complete, i
