"""Integrity of the shipped tier, scenario and declaration files, and engine details around them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from paths import CRITERIA, ROOT

from assessment.catalogue import DIMENSIONS
from assessment.declarations import load_declarations
from assessment.profile import parse_profile
from assessment.registry import evaluate_profile
from assessment.rules import Kind
from assessment.scenarios import load_catalogue
from assessment.tiers import load_tier_edition


@pytest.mark.parametrize("edition, links, scenarios", [("scenarios/2023", 16, 45), ("scenarios/2025", 8, 40)])
def test_catalogue_counts_and_dimensions(edition, links, scenarios):
    cat = load_catalogue(edition, CRITERIA)
    assert len(cat.data.links) == links and len(cat.data.scenarios) == scenarios
    ids = [s.id for s in cat.data.scenarios]
    assert len(set(ids)) == len(ids)
    for s in cat.data.scenarios:
        assert cat.dimension_of(s.id) in DIMENSIONS
        assert s.provenance.ref
    assert {cat.dimension_of(s.id) for s in cat.data.scenarios} == set(DIMENSIONS)


def test_2023_catalogue_official_numbers_and_supply_chain_links():
    cat = load_catalogue("scenarios/2023", CRITERIA)
    assert [s.number for s in cat.data.scenarios] == list(range(1, 46))
    assert cat.scenarios["sg2023-s45"].name_zh == "供应链风险预警与弹性管控"
    assert sorted(x.id for x in cat.data.links if x.supply_chain) == ["sg2023-l14", "sg2023-l15", "sg2023-l16"]
    # aliases from the 揭榜任务 text (seed 002 附件2)
    assert {a: cat.find(a).id for a in ("设备预测维护", "碳资产管理", "网络化协同制造", "产品数字化设计")} == {
        "设备预测维护": "sg2023-s32",
        "碳资产管理": "sg2023-s39",
        "网络化协同制造": "sg2023-s28",
        "产品数字化设计": "sg2023-s01",
    }


def test_2025_provisional_ids_are_flagged():
    cat = load_catalogue("scenarios/2025", CRITERIA)
    confirmed = [s for s in cat.data.scenarios if s.number is not None]
    assert [s.number for s in confirmed] == list(range(1, 9))
    for s in cat.data.scenarios:
        if s.number is None:
            assert s.provenance.kind.value == "provisional" and "-p" in s.id


@pytest.mark.parametrize("edition", ["smart_factory/2024", "smart_factory/2025"])
def test_tier_rules_have_ids_references_and_provenance(edition):
    ed = load_tier_edition(edition, CRITERIA)
    assert [t.id for t in ed.tiers] == ["basic", "advanced", "excellent", "leading"]
    rules = [r for t in ed.tiers for r in t.rules]
    assert len(rules) >= 25
    for r in rules:
        assert r.id.startswith(edition.replace("smart_factory/", "sf") + ".")
        assert r.reference and r.provenance.ref and r.message_zh and r.message_en
    # every tier has a maturity minimum, rising with the tier
    mins = [next(r.value for r in ed.effective_rules(t.id) if r.kind == Kind.maturity_min) for t in ed.tiers]
    assert mins == sorted(mins) and mins[-1] == 4
    # build content: each tier has an item in each dimension
    assert len(ed.data.build_content) == 20


def test_2024_wording_follows_seed_004():
    # phrases of seed 004 (智能工厂梯度培育行动实施方案) 三（一）–（四）
    ed = load_tier_edition("smart_factory/2024", CRITERIA)
    pos = {t.id: t.positioning_zh for t in ed.tiers}
    for tid, phrase in (
        ("basic", "部署必要的智能制造装备、工业软件和系统"),
        ("advanced", "集成互通和协同管控"),
        ("excellent", "集成贯通和综合优化"),
        ("leading", "探索未来制造模式"),
    ):
        assert phrase in pos[tid]
    assert all(t.text_ref and "004_d60769e31f617bb5" in t.text_ref for t in ed.tiers)
    assert pos != {t.id: t.positioning_zh for t in load_tier_edition("smart_factory/2025", CRITERIA).tiers}
    for edition in ("smart_factory/2024", "smart_factory/2025"):  # the expert body as seed 004 names it
        leading = load_tier_edition(edition, CRITERIA).tiers[-1]
        assert "国家智能制造专家委员会" in leading.certifier_zh
    si = ed.data.scenario_catalogue_stand_in
    assert ed.data.scenario_catalogue == "scenarios/2023" and "361号" in si.for_zh and si.provenance.ref
    assert load_tier_edition("smart_factory/2025", CRITERIA).data.scenario_catalogue_stand_in is None


def _provenances(obj):
    from pydantic import BaseModel

    from assessment.schema import Provenance

    if isinstance(obj, Provenance):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _provenances(getattr(obj, name))
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            yield from _provenances(x)


def test_public_documents_are_not_official():
    """official is licensed clause text, never shipped; a public notice, plan, guide or form is public_document."""
    decl = load_declarations("declarations/2021-2025", CRITERIA)
    data = [load_tier_edition(e, CRITERIA).data for e in ("smart_factory/2024", "smart_factory/2025")]
    data += [load_catalogue(e, CRITERIA).data for e in ("scenarios/2023", "scenarios/2025")]
    data += [decl.data, decl.kpi_file, decl.sizes]
    provs = [pv for d in data for pv in _provenances(d)]
    kinds = {pv.kind.value for pv in provs}
    assert "official" not in kinds and "public_document" in kinds
    for pv in provs:
        if pv.kind.value == "public_document":  # the document itself (the seeds); reports of it are secondary
            assert "shared/seeds/" in pv.ref, pv.ref
    seeds = [pv for pv in provs if pv.ref.startswith("shared/seeds/") and pv.confidence is not None]
    assert seeds and all(pv.kind.value == "public_document" for pv in seeds)


def test_2025_thresholds():
    ed = load_tier_edition("smart_factory/2025", CRITERIA)
    ai = {t.id: next((r.value for r in ed.effective_rules(t.id) if r.kind == Kind.ai_share), None) for t in ed.tiers}
    assert ai == {"basic": None, "advanced": None, "excellent": 0.2, "leading": 0.6}

    def dims(tier, gating=True):  # the dimensions the tier requires (gating) or asks for in principle
        return {d for r in ed.effective_rules(tier) if r.kind == Kind.dimensions and r.gating == gating for d in r.value}

    assert dims("basic") == {"production_ops"}
    assert dims("advanced") == dims("excellent") == {"production_ops", "production_mgmt", "operations_mgmt"}
    assert dims("excellent", gating=False) == set(DIMENSIONS)  # 原则上 all five: a warning
    assert dims("leading") == set(DIMENSIONS)


def test_declarations_integrity():
    decl = load_declarations("declarations/2021-2025", CRITERIA)
    assert len(decl.programmes) >= 10
    for p in decl.data.programmes:
        for r in p.rules:
            assert r.reference and r.provenance.ref
        assert p.deadline_ref, p.id  # every date, or its absence, is cited
        if p.deadline and p.recommender_deadline:
            assert p.deadline < p.recommender_deadline, p.id
    kpis = decl.kpis
    for k in (
        "productivity_up",
        "resource_util_up",
        "opex_down",
        "quality_loss_down",
        "rd_cycle_down",
        "defect_down",
        "energy_unit_down",
        "co2_unit_down",
    ):
        assert k in kpis and kpis[k].unit and kpis[k].direction in ("higher", "lower")
    assert set(kpis["opex_down"].required_by) == {"demo_factory_2023", "excellent_scenario_2023"}


@pytest.mark.parametrize(
    "employees, revenue, expected",
    [
        (1000, 40000, "large"),
        (1200, 30000, "medium"),
        (999, 50000, "medium"),
        (300, 2000, "medium"),
        (299, 50000, "small"),
        (20, 300, "small"),
        (19, 100000, "micro"),
        (500, 299, "micro"),
        (10, None, "micro"),
        (None, 299, "micro"),
        (None, 300, None),
        (20, None, None),
        (None, None, None),
    ],
)
def test_size_classes(employees, revenue, expected):
    decl = load_declarations("declarations/2021-2025", CRITERIA)
    assert decl.size_class(employees, revenue) == expected


def test_upgrade_path_names_maturity_gaps():
    doc = {
        "enterprise": {"name": "测试", "above_scale": True, "legal_person": True},
        "compliance": {
            "good_results_3y": True,
            "good_credit": True,
            "worst_accident_3y": "none",
            "violations_3y": False,
            "secure_controllable": True,
            "smart_mfg_team": True,
        },
        "maturity": {"industry": "discrete", "answers": {}},
        "scenarios": {"instances": [{"scenario": "sg2025-l5-p01"}]},
    }
    res = evaluate_profile(parse_profile(doc), tier_edition="smart_factory/2025", root=CRITERIA).tiers
    assert res.tier == "none" and res.next_tier == "basic"
    assert res.upgrade.maturity_needed == 2
    assert res.upgrade.maturity_gaps and all(g.level <= 2 for g in res.upgrade.maturity_gaps)
    assert "sf2025.basic.maturity_min" in {c.rule for c in res.upgrade.failing}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "assessment", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_tier_evaluate_json():
    p = cli("tier", "evaluate", "examples/advanced.yaml", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["edition"] == "smart_factory/2025" and res["tier"] == "advanced"
    assert set(res["tiers"]) == {"basic", "advanced", "excellent", "leading"}
    exc = res["tiers"]["excellent"]
    assert exc["met"] is False
    assert {"rule", "message", "observed", "required"} <= set(exc["reasons"][0])


def test_cli_tier_human_output():
    p = cli("tier", "evaluate", "examples/basic.yaml")
    assert p.returncode == 0 and "达到层级" in p.stdout and "基础级" in p.stdout


def test_cli_declare_check_json():
    p = cli("declare", "check", "examples/demo-factory-2023.yaml", "--programme", "demo_factory_2023", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert list(res["programmes"]) == ["demo_factory_2023"]
    assert res["programmes"]["demo_factory_2023"]["met"] is True


def test_cli_scenarios_list_json():
    p = cli("criteria", "list", "scenarios/2025", "--json")
    rows = json.loads(p.stdout)
    assert len(rows) == 40 and {"id", "name", "link", "dimension"} <= set(rows[0])


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("enterprise: {name: x}\ncompliance: {worst_accident_3y: terrible}\n", "compliance.worst_accident_3y"),
        ("enterprise: {name: x, employes: 3}\n", "enterprise.employes: unknown field"),
        ("compliance: {}\n", "enterprise: missing field"),
        ("enterprise: {name: x}\nscenarios: {instances: [{scenario: sg2025-s99}]}\n", "scenarios.instances.0.scenario"),
        ("enterprise: {name: x}\nkpis: {happiness_up: {value: 3}}\n", "kpis.happiness_up: unknown KPI"),
        ("enterprise: {name: x}\ntiers_obtained: [{tier: gold, year: 2024}]\n", "tiers_obtained.0.tier"),
        ("enterprise: {name: x}\ntier_edition: smart_factory/2030\n", "unknown edition 'smart_factory/2030'"),
        ("enterprise: {name: x}\nmaturity: {industry: discrete, answers: {x:y:L1:01: 1}}\n", "unknown requirement id"),
        ("enterprise: [x\n", "YAML error"),
    ],
)
def test_bad_profile_one_line_exit_2(tmp_path, content, fragment):
    f = tmp_path / "p.yaml"
    f.write_text(content, encoding="utf-8")
    for cmd in (("tier", "evaluate"), ("declare", "check")):
        p = cli(*cmd, str(f))
        if cmd[0] == "declare" and "tier_edition" in content:
            continue  # the declaration check does not use the profile's tier edition
        assert p.returncode == 2, (cmd, p.stdout, p.stderr)
        assert fragment in p.stderr, (cmd, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr


def test_unknown_programme(tmp_path):
    p = cli("declare", "check", "examples/basic.yaml", "--programme", "nope_2020")
    assert p.returncode == 2 and "unknown programme" in p.stderr


@pytest.mark.parametrize(
    "old, new, fragment",
    [
        ("  inherits: null\n", "  inherits: leading\n", "inheritance cycle"),
        (
            "  value: 0.2\n",
            "  value: 2\n",
            "sf2025.excellent.ai_share: tiers.2.rules.2: Value error, ai_share needs a value between 0 and 1",
        ),
        (
            "  replaces: sf2025.advanced.maturity_min\n",
            "  replaces: sf2025.advanced.nothing\n",
            "replaces unknown rule 'sf2025.advanced.nothing'",
        ),
        ("    kind: fact\n", "    kind: guess\n", "sf2025.basic.above_scale: tiers.0.rules.0.kind: Input should be"),
        (
            "    gating: false\n    in_principle: true\n",
            "    in_principle: true\n",
            "an in_principle (原则上) rule is advisory with a warning: set gating: false",
        ),
        (
            "    gating: false\n    in_principle: true\n",
            "    gating: false\n",
            "the message says 原则上: mark the rule in_principle: true",
        ),
    ],
)
def test_broken_tier_file_reported(tmp_path, old, new, fragment):
    import shutil

    from assessment.checks import check_all

    root = tmp_path / "criteria"
    shutil.copytree(CRITERIA, root)
    f = root / "smart_factory/2025/tiers.yaml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = [str(p) for p in check_all(root)]
    assert any(p.startswith("criteria/smart_factory/2025/tiers.yaml: ") and fragment in p for p in problems), problems


def test_broken_scenario_file_reported(tmp_path):
    import shutil

    from assessment.checks import check_all

    root = tmp_path / "criteria"
    shutil.copytree(CRITERIA, root)
    f = root / "scenarios/2023/catalogue.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("link: sg2023-l08", "link: sg2023-l99", 1), encoding="utf-8")
    problems = [str(p) for p in check_all(root)]
    assert any("criteria/scenarios/2023/catalogue.yaml: sg2023-s22: link 'sg2023-l99' is not defined" in p for p in problems), (
        problems
    )
