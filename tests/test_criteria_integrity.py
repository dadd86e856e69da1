"""Integrity of every shipped maturity edition, with guard counts so a moved folder cannot pass silently."""

from __future__ import annotations

from collections import Counter

import pytest
from paths import CRITERIA

from assessment.checks import check_all
from assessment.editions import load_maturity, load_registry
from assessment.maturity import compile_model

EXPECTED = {  # edition: (sub-domains, at least this many requirements, elements, domains)
    "maturity/2020": (20, 200, 4, 12),
    "maturity/2020-r2": (20, 379, 4, 12),
    "maturity/2024-draft": (25, 250, 0, 5),
    "maturity/2024-draft-r2": (25, 490, 0, 5),
}


def test_shipped_criteria_have_no_problems():
    assert [str(p) for p in check_all(CRITERIA)] == []


def test_registry_lists_the_expected_editions():
    reg = load_registry(CRITERIA)
    for eid in EXPECTED:
        assert eid in reg and reg[eid].kind == "maturity"
    assert reg["maturity/2024-draft"].predecessor == "maturity/2020"
    assert reg["maturity/2024-draft"].status == "draft"
    assert reg["maturity/2024-draft-r2"].predecessor == "maturity/2024-draft" and reg["maturity/2024-draft-r2"].status == "draft"
    assert reg["maturity/2020-r2"].predecessor == "maturity/2020" and reg["maturity/2020-r2"].status == "in_force"
    assert reg["maturity/2020"].status == "superseded"  # stored assessments keep it; new ones use the revision


@pytest.mark.parametrize("edition", sorted(EXPECTED))
def test_structure_counts(edition):
    ed = load_maturity(edition, CRITERIA)
    n_sub, n_req, n_el, n_dom = EXPECTED[edition]
    assert len(ed.model.subdomains) == n_sub
    assert len(ed.requirements) >= n_req
    assert len(ed.model.elements) == n_el
    assert len(ed.model.domains) == n_dom
    assert len(ed.levels) == 5


@pytest.mark.parametrize("edition", sorted(EXPECTED))
def test_every_cell_has_two_requirements(edition):
    ed = load_maturity(edition, CRITERIA)
    cells = Counter((ed.req_subdomain[r.id], r.level) for r in ed.requirements)
    for sd in ed.model.subdomains:
        for n in range(1, 6):
            assert cells[(sd.id, n)] >= 2, f"{sd.id} L{n}"


@pytest.mark.parametrize("edition", sorted(EXPECTED))
def test_every_requirement_has_provenance_evidence_and_both_languages(edition):
    ed = load_maturity(edition, CRITERIA)
    for r in ed.requirements:
        assert r.provenance.kind.value in ("secondary", "authored", "provisional"), r.id  # never official
        assert r.provenance.ref
        assert r.text_zh and r.text_en and r.evidence_zh and r.evidence_en
        assert r.id.split(":")[1] == ed.req_subdomain[r.id]


@pytest.mark.parametrize("edition", sorted(EXPECTED))
@pytest.mark.parametrize("industry", ["discrete", "process"])
def test_effective_subdomain_weights_sum_to_one(edition, industry):
    ed = load_maturity(edition, CRITERIA)
    from assessment.answers import Answers
    from assessment.maturity import score

    res = score(Answers(edition, industry, {}), ed)
    for n in "12345":
        assert sum(s.weights[n] for s in res.subdomains if s.weights[n] is not None) == pytest.approx(1.0, abs=1e-5)


def test_2020_equal_weights_and_manufacturing_share():
    ed = load_maturity("maturity/2020", CRITERIA)
    from assessment.answers import Answers
    from assessment.maturity import score

    res = score(Answers("maturity/2020", "discrete", {}), ed)
    assert all(s.weights["1"] == pytest.approx(0.05) for s in res.subdomains)
    manufacturing = next(e for e in res.elements if e.id == "manufacturing")
    assert manufacturing.weights["1"] == pytest.approx(0.65)


def test_draft_weights_as_reported():
    ed = load_maturity("maturity/2024-draft", CRITERIA)
    from assessment.answers import Answers
    from assessment.maturity import score

    res = score(Answers("maturity/2024-draft", "process", {}), ed)
    w = {s.id: s.weights["1"] for s in res.subdomains}
    assert w["operations_execution"] == pytest.approx(0.42 * 0.18)  # 7.56 %
    assert "product_design" not in w  # optional for process firms: not applicable by default
    disc = score(Answers("maturity/2024-draft", "discrete", {}), ed)
    prod_ops = next(d for d in disc.domains if d.id == "production_ops")
    assert prod_ops.weights["1"] == pytest.approx(0.37)


def test_2020_information_security_is_secondary():
    ed = load_maturity("maturity/2020", CRITERIA)
    kinds = {r.id: r.provenance.kind.value for r in ed.requirements}
    assert kinds["gbt39116_2020:information_security:L1:01"] == "secondary"
    assert kinds["gbt39116_2020:information_security:L3:02"] == "authored"


@pytest.mark.parametrize("edition", sorted(EXPECTED))
def test_compiled_models_cover_all_applicable(edition):
    ed = load_maturity(edition, CRITERIA)
    for industry in ("discrete", "process"):
        c = compile_model(ed, industry)
        assert len(c.reqs) == len(ed.applicable_requirements(industry)) > 0
