"""Engine behaviour on the tiny synthetic model: breakdown, gaps, exactness, errors."""

from __future__ import annotations

from fractions import Fraction

import pytest
from paths import MINI

from assessment.answers import Answers, AnswersError, parse_answers
from assessment.editions import load_maturity_cached
from assessment.maturity import ScoringError, compile_model, score


@pytest.fixture(scope="module")
def mini():
    return load_maturity_cached("maturity/mini", MINI)


def test_exact_arithmetic_keeps_0_68(mini):
    # 0.5*0.9 + 0.3*(2.3/3) + 0.2*0 is 0.68 exactly, not 0.67999…
    grades = {
        "mini:a:L3:01": "full",
        "mini:a:L3:02": "largely",
        "mini:b:L3:01": "partial",
        "mini:b:L3:02": "largely",
        "mini:b:L3:03": "full",
        "mini:c:L3:01": "none",
    }
    grades.update({f"mini:s:L{n}:01": "na" for n in range(1, 6)})
    res = score(Answers("maturity/mini", "discrete", grades), mini)
    assert res.level_scores["3"] == 0.68


def test_breakdown_has_every_tier(mini):
    res = score(Answers("maturity/mini", "discrete", {}), mini)
    assert [s.id for s in res.subdomains] == ["a", "b", "c", "s"]
    assert {d.id for d in res.domains} == {"org", "prod"}
    assert {e.id for e in res.elements} == {"people", "making"}
    a = next(s for s in res.subdomains if s.id == "a")
    assert a.parent == "prod" and a.total == 6 and a.answered == 0
    # effective weight of a in X1: making 3/4 * a 0.5 = 0.375
    assert a.weights["1"] == pytest.approx(0.375)
    req = next(r for r in res.requirements if r.id == "mini:a:L3:01")
    assert req.weight == pytest.approx(0.375 / 2)


def test_gaps_ranked_by_gain_in_s(mini):
    res = score(Answers("maturity/mini", "discrete", {}), mini)
    assert res.level == 0 and res.target_level == 1
    assert all(g.level <= 1 for g in res.gaps)
    gains = [g.gain_s for g in res.gaps]
    assert gains == sorted(gains, reverse=True)
    assert res.gaps[0].id == "mini:a:L1:01"  # weight 0.375 — the largest at level 1
    assert res.gaps[0].gain_s == pytest.approx(0.375)


def test_gap_gain_includes_gating_effect(mini):
    # X1 = 1/4*1 + 3/4*(0.5*1 + 0.3*0 + 0.2*0) = 0.625 fails; level 2 is fully met but not counted
    grades = {"mini:s:L1:01": "full", "mini:a:L1:01": "full", "mini:b:L1:01": "none", "mini:c:L1:01": "none"}
    grades |= {f"mini:{s}:L2:01": "full" for s in "abcs"}
    res = score(Answers("maturity/mini", "discrete", grades), mini)
    assert res.level_scores["1"] == 0.625 and res.score == 0.625 and res.level == 0
    # raising b passes level 1 (X1 = 0.85), so X2 = 1 and X3 = 0 count too: S = 1.85, a gain of 1.225
    assert res.gaps[0].id == "mini:b:L1:01"
    assert res.gaps[0].gain_s == pytest.approx(1.225)
    # raising c alone leaves X1 = 0.775 below the gate: it only adds its own 0.15
    c = next(g for g in res.gaps if g.id == "mini:c:L1:01")
    assert c.gain_s == pytest.approx(0.15) and c.gain_x == pytest.approx(0.15)


def test_target_none_at_level_5(mini):
    grades = {r.id: "full" for r in mini.applicable_requirements("discrete")}
    res = score(Answers("maturity/mini", "discrete", grades), mini)
    assert res.level == 5 and res.target_level is None and res.gaps == []


def test_level_with_nothing_applicable_is_an_error(mini):
    grades = {r.id: "na" for r in mini.applicable_requirements("discrete") if r.level == 2}
    with pytest.raises(ScoringError, match="level 2"):
        score(Answers("maturity/mini", "discrete", grades), mini)


def test_results_are_frozen(mini):
    res = score(Answers("maturity/mini", "discrete", {}), mini)
    with pytest.raises(Exception):
        res.score = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    "value, fragment",
    [
        (0.7, "grade 0.7"),
        ("0.75", "grade 0.75"),
        ("maybe", "grade 'maybe'"),
        (True, "grade True"),
        ([1], "grade [1]"),
    ],
)
def test_bad_grades(value, fragment):
    doc = {"edition": "maturity/mini", "industry": "discrete", "answers": {"mini:a:L1:01": value}}
    with pytest.raises(AnswersError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        parse_answers(doc, root=MINI)


@pytest.mark.parametrize(
    "doc, fragment",
    [
        ({"industry": "discrete", "answers": {}}, "missing field 'edition'"),
        ({"edition": "maturity/nope", "industry": "discrete", "answers": {}}, "unknown edition"),
        ({"edition": "maturity/mini", "industry": "chemical", "answers": {}}, "industry 'chemical'"),
        ({"edition": "maturity/mini", "industry": "discrete", "answers": {"mini:z:L1:01": 1}}, "unknown requirement id"),
        ({"edition": "maturity/mini", "industry": "process", "answers": {"mini:c:L1:01": 1}}, "does not apply to process"),
        ({"edition": "maturity/mini", "industry": "discrete", "answers": [1]}, "must be a mapping"),
        ({"edition": "maturity/mini", "industry": "discrete", "answers": {}, "extra": 1}, "unknown field 'extra'"),
    ],
)
def test_bad_answer_documents(doc, fragment):
    with pytest.raises(AnswersError, match=fragment):
        parse_answers(doc, root=MINI)


def test_grade_spellings_are_equivalent(mini):
    for v in (1, "1", 1.0, "full", "FULL"):
        a, _ = parse_answers({"edition": "maturity/mini", "industry": "discrete", "answers": {"mini:a:L1:01": v}}, root=MINI)
        assert a.grades["mini:a:L1:01"] == "full"
    a, _ = parse_answers(
        {"edition": "maturity/mini", "industry": "discrete", "answers": {"mini:a:L1:01": "NA", "mini:b:L1:01": None}}, root=MINI
    )
    assert a.grades == {"mini:a:L1:01": "na"}


def test_compiled_model_is_cached(mini):
    assert compile_model(mini, "discrete") is compile_model(mini, "discrete")
    assert len(compile_model(mini, "process").reqs) == 18


def test_weights_are_exact_fractions(mini):
    assert mini.subdomains["b"].weight["discrete"] == Fraction(3, 10)
