"""One source for names (assessment.labels) and reasons in plain words (assessment.explain).

Every id of the shipped criteria has a Chinese and an English name; every rule kind's failing check reads as the
exact sentences below; numbers are never rounded up across a threshold."""

from __future__ import annotations

import re
from datetime import date
from typing import get_args

import pytest

from assessment import explain, labels
from assessment.catalogue import DIMENSIONS
from assessment.declarations import load_declarations
from assessment.editions import load_maturity_cached, load_registry
from assessment.profile import Compliance, Enterprise, Region
from assessment.programmes import QuotaBasis
from assessment.rules import Check, Kind, Op
from assessment.scenarios import load_catalogue
from assessment.schema import ProvenanceKind
from assessment.tiers import load_tier_edition

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
REGISTRY = load_registry()
BY_KIND = {k: [e for e, v in REGISTRY.items() if v.kind == k] for k in ("maturity", "smart_factory", "scenarios", "declarations")}


def named(zh: str, en: str, key) -> None:
    assert zh and en and zh != str(key) and "_" not in en and not re.fullmatch(r"[a-z]+(/[a-z0-9_-]+)+", en), (key, zh, en)
    assert CJK.search(zh), (key, zh)  # Chinese first
    assert not CJK.search(en), (key, en)  # English entirely English


def test_levels_and_grades_of_every_maturity_edition():
    for ed in BY_KIND["maturity"]:
        edition = load_maturity_cached(ed)
        for lv in edition.levels:
            named(labels.level(lv.n, "zh", edition=ed), labels.level(lv.n, "en", edition=ed), (ed, lv.n))
        for g in [x.id for x in edition.scoring.grades] + ["na", None]:
            named(labels.grade(g, "zh", edition=ed), labels.grade(g, "en", edition=ed), (ed, g))
        for it in edition.model.industry_types:
            named(labels.industry_type(it.value, "zh", edition=ed), labels.industry_type(it.value, "en", edition=ed), it)
    assert labels.level(3, "zh") == "三级（集成级）" and labels.level(3, "en") == "Level 3 (Integrated)"
    assert labels.level(3, "zh", "compact") == "三级 集成级" and labels.level(0, "zh") == "未达到一级"
    assert labels.grade("largely", "zh", with_value=True) == "0.8 大部分满足"


def test_tiers_dimensions_links_and_scenarios():
    for ed in BY_KIND["smart_factory"]:
        for t in ["none"] + [t.id for t in load_tier_edition(ed).tiers]:
            named(labels.tier(t, "zh", edition=ed), labels.tier(t, "en", edition=ed), (ed, t))
    for d in DIMENSIONS:
        named(labels.dimension(d, "zh"), labels.dimension(d, "en"), d)
    for ed in BY_KIND["scenarios"]:
        cat = load_catalogue(ed)
        for link in cat.links:
            named(labels.link(link, "zh", catalogue=ed), labels.link(link, "en", catalogue=ed), link)
        for sid in cat.scenarios:
            named(labels.scenario(sid, "zh", catalogue=ed), labels.scenario(sid, "en", catalogue=ed), sid)


def test_programmes_kpis_with_units_and_size_classes():
    for ed in BY_KIND["declarations"]:
        decl = load_declarations(ed)
        for pid in decl.programmes:
            named(labels.programme(pid, "zh", edition=ed), labels.english(labels.programme(pid, "en", edition=ed)), pid)
        for kid in decl.kpis:
            named(labels.kpi(kid, "zh", edition=ed), labels.kpi(kid, "en", edition=ed), kid)
            assert labels.kpi_unit(kid, edition=ed)
        for c in decl.sizes.classes:
            named(labels.size_class(c.id, "zh", edition=ed), labels.size_class(c.id, "en", edition=ed), c.id)


def test_the_profiles_closed_sets_operators_facts_and_provenance():
    sets = {
        "standing": Enterprise.model_fields["standing"],
        "ownership": Enterprise.model_fields["ownership"],
        "industry_group": Enterprise.model_fields["industry_group"],
        "accident": Compliance.model_fields["worst_accident_3y"],
        "region_kind": Region.model_fields["kind"],
    }
    for kind, field in sets.items():
        values = {v for arg in get_args(field.annotation) for v in (get_args(arg) or [arg]) if isinstance(v, str)}
        assert values and values == set(labels.ENUMS[kind]), kind
        for v in values:
            named(labels.enum(kind, v, "zh"), labels.enum(kind, v, "en"), v)
    for basis in get_args(QuotaBasis):
        named(labels.enum("quota_basis", basis, "zh"), labels.enum("quota_basis", basis, "en"), basis)
    for op in get_args(Op):
        assert labels.op_symbol(op) != op and "{" not in labels.op_phrase(op, "x", "zh") + labels.op_phrase(op, "x", "en")
    for k in ProvenanceKind:
        named(labels.provenance(k.value, "zh"), labels.provenance(k.value, "en"), k.value)
    assert labels.provenance("public_document", "zh") == "公开文件"
    facts = set()
    for ed in BY_KIND["smart_factory"]:
        facts |= {f for t in load_tier_edition(ed).tiers for r in t.rules for f in (r.fact, r.or_fact) if f}
    for ed in BY_KIND["declarations"]:
        facts |= {f for p in load_declarations(ed).data.programmes for r in p.rules for f in (r.fact, r.or_fact) if f}
    assert facts and facts <= set(labels.FACTS)
    for f in facts:
        named(labels.fact(f, "zh"), labels.fact(f, "en"), f)
    for k in Kind:  # every rule kind says where its fact is entered
        assert k.value == "fact" or k.value in explain.FORM_OF_KIND


def test_edition_titles():
    for ed in REGISTRY:
        zh, en = labels.edition_title(ed, "zh"), labels.edition_title(ed, "en")
        assert "/" not in zh.replace("GB/T", "") and "/" not in en.replace("GB/T", ""), ed
        assert not CJK.search(en), ed
    assert labels.edition_title("maturity/2020", "zh").startswith("GB/T 39116-2020《智能制造能力成熟度模型》")
    assert labels.edition_title("maturity/2020-r2", "zh") == labels.edition_title("maturity/2020", "zh")
    assert labels.edition_title("smart_factory/2025", "zh") == "《智能工厂梯度培育要素条件（2025年版）》"
    assert labels.edition_title("scenarios/2023", "zh") == "《智能制造典型场景参考指引（2023年）》"


def test_numbers_are_never_rounded_up_across_an_edge():
    assert labels.score_text(1.7975) == "1.797" and labels.score_text(2.8) == "2.800" and labels.score_text(4.24) == "4.240"
    assert labels.percent(0.4, "zh") == "40%" and labels.percent(0.4, "en") == "40 %"
    assert labels.percent(0.19999, "zh") == "19.9%" and labels.percent(1 / 6, "en") == "16.6 %"


def test_citations_drop_repository_paths():
    assert (
        labels.citation("《要素条件》基本要求第1–4条（非官方摘要）; shared/reference/smart-factory-tiers.md §3")
        == "《要素条件》基本要求第1–4条（非官方摘要）"
    )
    assert (
        labels.citation("shared/seeds/002_cbcb17549e535875.txt (工信厅联通装函〔2023〕212号) 附件3")
        == "工信厅联通装函〔2023〕212号 附件3"
    )
    assert labels.citation("shared/reference/maturity-scoring.md §4") == ""


def test_english_drops_chinese_glosses():
    assert labels.english("No accident graded 较大 (serious) or above") == "No accident graded serious or above"
    assert (
        labels.english("An industrial enterprise above designated size (规上)")
        == "An industrial enterprise above designated size"
    )
    assert (
        labels.english("Not already holding a demonstration-factory 揭榜 task")
        == "Not already holding a demonstration-factory task"
    )


def check(rule: str, kind: str, observed, required, zh: str = "条件", en: str = "Condition", **kw) -> Check:
    return Check(
        rule=rule,
        kind=kind,
        met=False,
        gating=kw.pop("gating", True),
        message=zh,
        message_zh=zh,
        message_en=en,
        observed=observed,
        required=required,
        reference="ref",
        provenance="secondary",
        **kw,
    )


# One failing check of every rule kind, and the exact sentences it must read as.
SENTENCES = [
    (
        check(
            "sf2025.excellent.standing",
            "fact",
            "regional_leading",
            {"op": "in", "value": ["domestic_leading", "international_advanced", "global_leading"]},
            "智能制造水平国内领先",
            "Smart-manufacturing level leads the country",
        ),
        "智能制造水平国内领先：「智能制造水平」为“区域领先”，要求为“国内领先”、“国际先进”或“全球领先”之一（在「首页 → 企业合规与申报事实」填写）。",
        "Smart-manufacturing level leads the country: smart-manufacturing standing is regionally leading; required: one of "
        "leading in China, internationally advanced or globally leading (entered at Home → Compliance and declaration facts).",
    ),
    (
        check(
            "sf2025.basic.no_violations",
            "fact",
            True,
            {"op": "eq", "value": False},
            "近三年无违法违规行为",
            "No violations of law in the last three years",
        ),
        "近三年无违法违规行为：「近三年有违法违规行为」为“是”，要求为“否”（在「首页 → 企业合规与申报事实」填写）。",
        "No violations of law in the last three years: violations of law in the last three years is Yes; required: No "
        "(entered at Home → Compliance and declaration facts).",
    ),
    (
        check(
            "sf2025.basic.no_accident",
            "fact",
            None,
            {"op": "in", "value": ["none", "general"]},
            "近三年未发生较大及以上安全、环境事故",
            "No safety or environmental accident graded 较大 (serious) or above in the last three years",
        ),
        "近三年未发生较大及以上安全、环境事故：「近三年最严重的安全、环境事故」未提供（在「首页 → 企业合规与申报事实」填写）。",
        "No safety or environmental accident graded serious or above in the last three years: the worst safety or "
        "environmental accident in the last three years: not provided (entered at Home → Compliance and declaration facts).",
    ),
    (
        check(
            "sf2025.basic.above_scale",
            "fact",
            False,
            {"op": "eq", "value": True},
            "规模以上工业企业",
            "An industrial enterprise above designated size (规上)",
        ),
        "规模以上工业企业：「是否规模以上工业企业」为“否”，要求为“是”（在「首页 → 企业信息」填写）。",
        "An industrial enterprise above designated size: industrial enterprise above designated size is No; required: Yes "
        "(entered at Home → Enterprise facts).",
    ),
    (
        check(
            "x.legal",
            "legal_entity",
            {"legal_person": False, "branch_industry": "机械"},
            {"legal_person": True, "or_branch_in": ["石油石化", "有色金属"]},
            "具有独立法人资格",
            "An independent legal person",
        ),
        "具有独立法人资格：不是独立法人，分支机构所属行业为“机械”，要求为独立法人，或为石油石化或有色金属行业的分支机构（在「首页 → 企业信息」填写）。",
        "An independent legal person: not an independent legal person (branch industry: 机械); required: an independent "
        "legal person, or a branch in 石油石化 or 有色金属 (entered at Home → Enterprise facts).",
    ),
    (
        check("x.maturity", "maturity_min", 2, {"op": "gte", "value": 3}, "成熟度三级及以上", "Maturity level 3 or above"),
        "成熟度三级及以上：当前成熟度为二级（规范级），要求达到三级（集成级）及以上（在「自评估」填写）。",
        "Maturity level 3 or above: the maturity level is Level 2 (Standardised); required: Level 3 (Integrated) or above "
        "(entered at Self-assessment).",
    ),
    (
        check("x.prior", "prior_tier", "none", "advanced", "已获得先进级智能工厂", "Already an advanced-tier smart factory"),
        "已获得先进级智能工厂：已登记获得的层级为“无”，要求已获得先进级（在「首页 → 已获得的智能工厂层级」填写）。",
        "Already an advanced-tier smart factory: tier on record: none; required: Advanced already obtained (entered at Home → "
        "Tiers already obtained).",
    ),
    (
        check(
            "x.dims",
            "dimensions",
            ["production_ops"],
            ["production_ops", "production_mgmt", "operations_mgmt"],
            "覆盖三个维度",
            "Three dimensions covered",
        ),
        "覆盖三个维度：已覆盖维度：生产作业；缺少：生产管理、运营管理（在「场景与指标 → 已实施的场景实例」填写）。",
        "Three dimensions covered: dimensions covered: Production operations; missing: Production management and Operations "
        "management (entered at Scenarios and KPIs → Scenario instances).",
    ),
    (
        check("x.ai", "ai_share", 0.1999, {"op": "gte", "value": 0.2}, "AI 场景占比不低于20%", "At least 20 % apply AI"),
        "AI 场景占比不低于20%：应用人工智能的场景实例占19.9%，要求不低于20%（在「场景与指标 → 已实施的场景实例」填写）。",
        "At least 20 % apply AI: 19.9 % of scenario instances apply AI; required: at least 20 % (entered at Scenarios and "
        "KPIs → Scenario instances).",
    ),
    (
        check("x.entries", "scenario_entries", 3, {"op": "gte", "value": 5}, "场景实例不少于5个", "At least 5 instances"),
        "场景实例不少于5个：已填报场景实例3个，要求不少于5个（在「场景与指标 → 已实施的场景实例」填写）。",
        "At least 5 instances: 3 scenario instances recorded; required: at least 5 instances (entered at Scenarios and KPIs → "
        "Scenario instances).",
    ),
    (
        check("x.links", "links_covered", 6, {"op": "gte", "value": 8}, "覆盖不少于8个环节", "At least 8 links"),
        "覆盖不少于8个环节：已覆盖6个环节，要求不少于8个（在「场景与指标 → 已实施的场景实例」填写）。",
        "At least 8 links: 6 links covered; required: at least 8 links (entered at Scenarios and KPIs → Scenario instances).",
    ),
    (
        check("x.sc", "supply_chain_links", 1, {"op": "gte", "value": 2}, "供应链环节不少于2个", "At least 2 supply-chain links"),
        "供应链环节不少于2个：供应链场景覆盖1个环节，要求不少于2个（在「场景与指标 → 已实施的场景实例」填写）。",
        "At least 2 supply-chain links: supply-chain scenarios cover 1 links; required: at least 2 links (entered at "
        "Scenarios and KPIs → Scenario instances).",
    ),
    (
        check(
            "x.beyond",
            "supply_chain_beyond",
            {"factory_links": 7, "extra_supply_chain_links": 0},
            {"factory_links": 8, "extra_supply_chain_links": 1},
            "工厂8个环节另加供应链环节",
            "8 factory links plus supply chain",
        ),
        "工厂8个环节另加供应链环节：工厂场景覆盖7个环节、另有供应链环节0个，要求工厂覆盖不少于8个环节并另有至少1个供应链环节（在「场景与指标 → 已实施的场景实例」填写）。",
        "8 factory links plus supply chain: factory scenarios cover 7 links with 0 further supply-chain link(s); required: at "
        "least 8 factory links and at least 1 supply-chain link beyond them (entered at Scenarios and KPIs → Scenario instances).",
    ),
    (
        check("x.kpis", "kpis_present", ["productivity_up"], ["productivity_up", "opex_down"], "填报成效指标", "Report the KPIs"),
        "填报成效指标：缺少成效指标：运营成本下降（已填 1/2 项）（在「场景与指标 → 成效指标」填写）。",
        "Report the KPIs: outcome KPIs missing: Operating cost reduction (1 of 2 given) (entered at Scenarios and KPIs → "
        "Outcome KPIs).",
    ),
    (
        check("x.build", "build_content", "1/3", "3/3", "完成建设内容", "Build content done", gating=False),
        "完成建设内容：已声明完成建设内容 1/3 项，要求全部完成（在「首页 → 建设内容与建设成效」填写）。",
        "Build content done: 1 of 3 build-content items declared done; required: all of them (entered at Home → Build content "
        "and outcomes).",
    ),
    (
        check(
            "x.outcome",
            "outcome",
            {"sf2025.outcome.basic": None},
            {"sf2025.outcome.basic": True},
            "建设成效",
            "Outcome",
            gating=False,
        ),
        "建设成效：尚未声明达到该建设成效，要求声明达到（并有证据支撑）（在「首页 → 建设内容与建设成效」填写）。",
        "Outcome: not declared reached; required: declared reached, with evidence (entered at Home → Build content and outcomes).",
    ),
    (
        check("x.tier", "tier_met", "advanced", "excellent", "满足卓越级条件", "Meets the excellent-tier conditions"),
        "满足卓越级条件：目前达到“先进级”，要求达到卓越级（未满足的条件另列）。",
        "Meets the excellent-tier conditions: the tier reached is Advanced; required: Excellent (the conditions not met are "
        "listed separately).",
    ),
    (
        check(
            "x.cat",
            "catalogue",
            "scenarios/2025",
            "scenarios/2023",
            "该项目按2023年指引填报场景",
            "Scenarios per the 2023 guide",
            gating=False,
        ),
        "该项目按《智能制造典型场景参考指引（2023年）》填报场景：场景按《智能制造典型场景参考指引（2025年版）》填报，该项目按《智能制造典型场景参考指引（2023年）》："
        "申报前请按该版指引核对环节和场景（在「场景与指标 → 已实施的场景实例」填写）。",
        "This programme records scenarios against the Typical smart-manufacturing scenario guide (2023): scenarios are recorded against Typical smart-manufacturing scenario guide (2025 edition); "
        "this programme uses Typical smart-manufacturing scenario guide (2023): check links and scenarios against that guide "
        "before declaring (entered at Scenarios and KPIs → Scenario instances).",
    ),
    (
        check(
            "x.five",
            "dimensions",
            ["production_ops"],
            ["production_ops", "factory_build"],
            "原则上覆盖全部维度",
            "All dimensions in principle",
            gating=False,
            in_principle=True,
        ),
        "原则上覆盖全部维度：已覆盖维度：生产作业；缺少：工厂建设；原则上要求：不满足时须在申报材料中说明理由，是否例外由认定部门决定（在「场景与指标 → 已实施的场景实例」填写）。",
        "All dimensions in principle: dimensions covered: Production operations; missing: Factory build; required in principle: "
        "explain the exception in the application, the certifying body decides (entered at Scenarios and KPIs → Scenario instances).",
    ),
]


@pytest.mark.parametrize("c, zh, en", SENTENCES, ids=[c.kind + ":" + c.rule for c, _, _ in SENTENCES])
def test_a_failing_check_reads_as_one_sentence(c, zh, en):
    r = explain.reason(c)
    assert r.zh == zh
    assert r.en == en


def test_every_rule_kind_has_a_sentence():
    assert {c.kind for c, _, _ in SENTENCES} == {k.value for k in Kind} | {"catalogue"}


def test_a_rule_asking_for_a_self_assessed_tier_says_whether_this_assessment_counts():
    import yaml

    from assessment.profile import parse_profile
    from assessment.registry import evaluate_profile

    doc = yaml.safe_load(open("examples/advanced.yaml", encoding="utf-8"))
    doc["tiers_obtained"] = []
    res = evaluate_profile(parse_profile(doc), tier_edition="smart_factory/2025").tiers
    assert res.tiers["basic"].met and not res.tiers["advanced"].met
    prior = next(c for c in res.tiers["advanced"].reasons if c.kind == "prior_tier")
    r = explain.reason(prior, this_tiers=res)
    assert r.offer_award == "basic"
    assert r.zh == (
        "已完成基础级智能工厂自评估：已登记获得的层级为“无”，要求已获得基础级；本次评估已满足基础级全部条件，可作为基础级自评估："
        "登记后此条即满足（在「首页 → 已获得的智能工厂层级」填写）。"
    )
    excellent = next(c for c in res.tiers["leading"].reasons if c.kind == "prior_tier")
    assert explain.reason(excellent, this_tiers=res).offer_award is None  # 卓越级 is awarded, not self-assessed


def test_programmes_by_status():
    decl = load_declarations("declarations/2021-2025")
    from paths import ROOT

    from assessment.registry import evaluate_profile, read_profile

    res = evaluate_profile(read_profile(ROOT / "examples" / "basic.yaml"), declarations=decl.id).declarations
    open_, closed = explain.by_status(res.programmes, date(2025, 7, 1))
    assert [p.id for p in open_] == ["excellent_tier_2025", "leading_tier_2025"]
    assert "demo_factory_2023" in [p.id for p in closed] and "excellent_tier_2024" in [p.id for p in closed]
    open_, closed = explain.by_status(res.programmes, date(2026, 11, 30))
    assert open_ == [] and len(closed) == len(res.programmes)
    text = explain.render_declarations(res, today=date(2025, 7, 1))
    assert text.index("卓越级智能工厂（2025年）") < text.index("［已截止 closed］")
