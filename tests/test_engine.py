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


# -- one evaluation path (engine.evaluate) --------------------------------------------------------


def _leading():
    from paths import ROOT

    from assessment.registry import editions_for, read_inputs

    inputs = read_inputs(ROOT / "examples" / "leading.yaml")
    return inputs, editions_for(inputs)


def test_evaluate_scores_once_and_each_tier_edition_once(monkeypatch):
    """The profile's answers are scored once and each tier edition (its own, smart_factory/2025, and the one a
    programme's tier_met rule refers to, smart_factory/2024) is evaluated once, before the programmes: counted with
    wrappers around the real functions."""
    from assessment import engine, programmes

    inputs, editions = _leading()
    scored, tiered, order = [], [], []
    real_score, real_tiers, real_decl = engine.score, engine.evaluate_tiers, engine.check_declarations

    def count_score(*args, **kwargs):
        scored.append(args[0].edition)
        return real_score(*args, **kwargs)

    def count_tiers(profile, edition, ctx):
        tiered.append(edition.id)
        order.append("tiers")
        return real_tiers(profile, edition, ctx)

    def count_decl(*args, **kwargs):
        order.append("programmes")
        return real_decl(*args, **kwargs)

    monkeypatch.setattr(engine, "score", count_score)
    monkeypatch.setattr(engine, "evaluate_tiers", count_tiers)
    monkeypatch.setattr(engine, "check_declarations", count_decl)
    ev = engine.evaluate(inputs, editions)
    assert scored == ["maturity/2020"]
    assert sorted(tiered) == ["smart_factory/2024", "smart_factory/2025"]
    assert set(programmes.tier_editions_referred(editions.declarations)) <= set(tiered)
    assert order == ["tiers", "tiers", "programmes"]
    assert set(ev.tier_results) == {"smart_factory/2024", "smart_factory/2025"}
    assert ev.tiers is ev.tier_results["smart_factory/2025"]
    # the tier_met rule's check reads the result evaluated once, not another evaluation
    tm = [c for p in ev.declarations.programmes.values() for c in p.checks if c.kind == "tier_met"]
    assert tm and all(c.observed in {r.tier for r in ev.tier_results.values()} for c in tm)


def test_the_evaluation_is_immutable():
    import dataclasses

    from pydantic import ValidationError

    from assessment.engine import evaluate

    inputs, editions = _leading()
    ev = evaluate(inputs, editions)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.tiers = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        ev.tier_results["smart_factory/2025"] = ev.tiers  # type: ignore[index]
    with pytest.raises(ValidationError):
        ev.maturity.score = 5.0  # type: ignore[misc, union-attr]
    with pytest.raises(dataclasses.FrozenInstanceError):
        editions.tier = editions.tier  # type: ignore[misc]
    again = evaluate(inputs, editions)  # nothing shared was changed: the same inputs give the same evaluation
    assert again.tiers == ev.tiers and again.declarations == ev.declarations and again.maturity == ev.maturity


def test_evaluation_facts_come_from_the_scored_result():
    from assessment.engine import evaluate

    inputs, editions = _leading()
    ev = evaluate(inputs, editions)
    m = ev.scored
    assert [ev.level_passed(n) for n in range(1, 6)] == [m.level_passed(n) for n in range(1, 6)]
    assert [m.level_passed(n) for n in range(1, 6)] == [x >= m.threshold for x in m.level_scores.values()]
    assert ev.eligible == tuple(p for p, s in ev.declarations.programmes.items() if s.eligible)
    assert not ev.level_passed(9)


def test_the_engine_needs_what_it_scores():
    from assessment.engine import Editions, evaluate

    inputs, editions = _leading()
    with pytest.raises(ValueError, match="no maturity edition"):
        evaluate(inputs, Editions(editions.tier, editions.declarations, editions.catalogues, editions.tiers))
    with pytest.raises(ValueError, match="smart_factory/2024"):
        evaluate(inputs, Editions(editions.tier, editions.declarations, editions.catalogues, {}, editions.maturity))
    with pytest.raises(ValueError, match="scenario catalogue"):
        evaluate(inputs, Editions(editions.tier, editions.declarations, {}, editions.tiers, editions.maturity))


def test_gaps_toward_any_level_are_picked_from_one_scoring(mini, monkeypatch):
    """gaps_to gives what scoring toward that level gives, without scoring again."""
    from assessment import maturity

    grades = {r.id: "partial" for r in mini.applicable_requirements("discrete")}
    grades.update({r.id: "full" for r in mini.applicable_requirements("discrete") if r.level == 1})
    a = Answers(mini.id, "discrete", grades)
    res = score(a, mini)
    expected = {n: score(a, mini, target_level=n).gaps for n in range(1, 6)}
    calls = []
    monkeypatch.setattr(maturity, "score", lambda *x, **k: calls.append(x))
    for n in range(1, 6):
        assert maturity.gaps_to(res, n) == expected[n]
    assert calls == []
    assert {g.id for g in res.all_gaps} >= {g.id for n in expected for g in expected[n]}


def test_the_upgrade_path_picks_its_gaps_from_the_one_scoring():
    """A tier's upgrade path lists the gaps toward the maturity level the next tier needs: the same as scoring toward
    that level, taken from the evaluation's one scoring."""
    from assessment.engine import Inputs, evaluate
    from assessment.maturity import gaps_to

    inputs, editions = _leading()
    assert inputs.answers is not None and editions.maturity is not None
    weak = Answers(inputs.answers.edition, inputs.answers.industry, {k: "partial" for k in inputs.answers.grades})
    ev = evaluate(Inputs(inputs.profile, weak), editions)
    up = ev.tiers.upgrade
    assert up is not None and up.maturity_needed is not None and up.maturity_gaps
    assert up.maturity_gaps == gaps_to(ev.scored, up.maturity_needed)[:20]
    assert up.maturity_gaps == score(weak, editions.maturity, target_level=up.maturity_needed).gaps[:20]
