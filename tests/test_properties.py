"""Property tests: monotonicity, and the batch path equals the single path."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CRITERIA

from assessment.answers import Answers
from assessment.batch import encode, score_batch
from assessment.editions import load_maturity_cached
from assessment.maturity import compile_model, score

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
