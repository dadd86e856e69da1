"""Eligibility rules as data: a closed set of rule kinds and operators, evaluated with reasons.

Each rule names what it checks (``kind``), the required value, a Chinese and English message,
a reference and its provenance. Evaluation returns a :class:`Check` with the observed value,
so every "not met" explains itself. Rules never contain expressions.

"原则上" (in principle) has one treatment everywhere: such a rule is marked ``in_principle: true``, is advisory
(``gating: false``) and, when not met, carries a warning that the applicant must explain the exception and the
certifying body decides. The loader refuses a rule whose message says 原则上 without the mark, and a marked rule
that gates. Why: criteria/README.md ("原则上").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Literal, Mapping

from pydantic import model_validator

from .catalogue import Catalogue
from .profile import TIER_ZH, TIERS, Profile
from .results import Frozen, MaturityResult
from .schema import Provenance, Strict


class Kind(str, Enum):
    fact = "fact"  # a profile fact compared with op/value
    legal_entity = "legal_entity"  # independent legal person, or a branch in an allowed industry
    maturity_min = "maturity_min"  # GB/T 39116 level >= value (or_fact may stand in)
    prior_tier = "prior_tier"  # a tier >= value already obtained
    dimensions = "dimensions"  # implemented scenarios cover every listed dimension
    ai_share = "ai_share"  # share of scenario instances applying AI >= value
    scenario_entries = "scenario_entries"  # number of scenario instances >= value
    links_covered = "links_covered"  # distinct links covered >= value
    supply_chain_links = "supply_chain_links"  # distinct links of supply-chain instances >= value
    supply_chain_beyond = "supply_chain_beyond"  # value factory links plus >= 1 supply-chain link beyond them
    kpis_present = "kpis_present"  # every listed KPI has a value
    build_content = "build_content"  # the tier's build-content items in the covered dimensions are done
    outcome = "outcome"  # the tier's outcome statement is declared met
    tier_met = "tier_met"  # the profile meets a tier of a tier edition now


Op = Literal["eq", "ne", "gte", "lte", "in", "not_in"]


class Rule(Strict):
    id: str
    kind: Kind
    fact: str | None = None
    op: Op | None = None
    value: Any = None
    or_fact: str | None = None  # maturity_min: a true fact that satisfies the rule instead
    edition: str | None = None  # tier_met: the tier edition
    gating: bool = True  # False: advisory; reported but does not decide the result
    in_principle: bool = False  # the source says 原则上: advisory with a warning (see the module docstring)
    replaces: str | None = None  # an inherited rule this one replaces
    message_zh: str
    message_en: str
    reference: str
    provenance: Provenance

    @model_validator(mode="after")
    def _shape(self):
        k = self.kind
        if k == Kind.fact:
            if not self.fact or not self.op:
                raise ValueError("a fact rule needs 'fact' and 'op'")
            if self.op in ("in", "not_in") and not isinstance(self.value, list):
                raise ValueError(f"op {self.op!r} needs a list value")
        elif k in (
            Kind.maturity_min,
            Kind.scenario_entries,
            Kind.links_covered,
            Kind.supply_chain_links,
            Kind.supply_chain_beyond,
        ):
            if not isinstance(self.value, int) or isinstance(self.value, bool):
                raise ValueError(f"{k.value} needs an integer value")
        elif k == Kind.ai_share:
            if not isinstance(self.value, (int, float)) or not 0 <= self.value <= 1:
                raise ValueError("ai_share needs a value between 0 and 1")
        elif k in (Kind.prior_tier,):
            if self.value not in TIERS:
                raise ValueError(f"prior_tier value must be one of {', '.join(TIERS)}")
        elif k in (Kind.dimensions, Kind.kpis_present, Kind.legal_entity):
            if not isinstance(self.value, list):
                raise ValueError(f"{k.value} needs a list value")
        elif k == Kind.tier_met:
            if not self.edition or self.value not in TIERS:
                raise ValueError("tier_met needs 'edition' and a tier value")
        if k != Kind.fact and (self.fact or self.op):
            raise ValueError(f"'fact' and 'op' belong to fact rules, not {k.value}")
        says = "原则上" in self.message_zh
        if says and not self.in_principle:
            raise ValueError("the message says 原则上: mark the rule in_principle: true (advisory with a warning)")
        if self.in_principle and not says:
            raise ValueError("an in_principle rule says 原则上 in message_zh")
        if self.in_principle and self.gating:
            raise ValueError("an in_principle (原则上) rule is advisory with a warning: set gating: false")
        return self


def inherited_rules(items: dict[str, Any], start: str) -> list[Rule]:
    """The rules of ``items[start]`` after inheritance: inherited rules first, and a rule's ``replaces``
    drops the inherited rule it names. ``items`` are tiers or programmes (``id``, ``inherits``, ``rules``)."""
    chain, seen = [], set()
    item = items[start]
    while item is not None:
        if item.id in seen:
            raise ValueError(f"inheritance cycle through {item.id!r}")
        seen.add(item.id)
        chain.append(item)
        item = items.get(item.inherits) if item.inherits else None
    rules: list[Rule] = []
    for item in reversed(chain):
        replaced = {r.replaces for r in item.rules if r.replaces}
        rules = [r for r in rules if r.id not in replaced] + list(item.rules)
    return rules


class Check(Frozen):
    rule: str
    kind: str
    met: bool
    gating: bool
    message: str  # Chinese message (the primary language)
    message_zh: str
    message_en: str
    observed: Any
    required: Any
    reference: str
    provenance: str
    detail: str | None = None
    in_principle: bool = False  # a 原则上 rule: advisory, with IN_PRINCIPLE_WARNING in detail when not met


IN_PRINCIPLE_WARNING = (
    "原则上要求：不满足时须在申报材料中说明理由，是否例外由认定部门决定 / required in principle: "
    "explain the exception in the application; the certifying body decides"
)


@dataclass(frozen=True)
class Context:
    """What the rules look at: the profile plus derived facts, computed once by :func:`build_context` (never changed
    afterwards)."""

    profile: Profile
    maturity_level: int | None = None
    maturity_source: str | None = None
    maturity_result: MaturityResult | None = None  # when answers were scored
    scenario_dims: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    supply_links: frozenset[str] = frozenset()  # links of instances that are supply-chain scenarios
    factory_links: frozenset[str] = frozenset()  # links of instances that are not
    instances: int = 0
    ai_instances: int = 0


@dataclass(frozen=True)
class TierItems:
    """A tier edition's items that ``build_content`` and ``outcome`` rules look at, by tier."""

    build: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # tier -> ((item id, dimension), ...)
    outcomes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # tier -> (outcome id, ...)


@dataclass(frozen=True)
class TierMet:
    """What a ``tier_met`` rule looks at: one tier edition's result for the profile."""

    reached: str  # the tier reached (none | basic | ...)
    reasons: Mapping[str, tuple[Check, ...]]  # tier -> its failing gating rules (empty: met)


def _cmp(op: str | None, observed: Any, value: Any) -> bool:
    if op == "eq":
        return observed == value
    if op == "ne":
        return observed != value
    if op == "gte":
        return observed >= value
    if op == "lte":
        return observed <= value
    if op == "in":
        return observed in value
    if op == "not_in":
        return observed not in value
    raise ValueError(op)  # pragma: no cover


OP_ZH = {"eq": "=", "ne": "≠", "gte": "≥", "lte": "≤", "in": "∈", "not_in": "∉"}


def evaluate(rule: Rule, ctx: Context, *, items: TierItems | None = None, tiers: Mapping[str, TierMet] | None = None) -> Check:
    """One rule's check. ``items``: the tier edition's build-content and outcome items (for those rules); ``tiers``:
    the tier editions already evaluated, by id (for ``tier_met`` rules)."""
    p = ctx.profile
    items = items or TierItems()
    detail = None
    k = rule.kind
    required: Any = rule.value
    if k == Kind.fact:
        assert rule.fact is not None  # a fact rule names its fact (Rule._shape)
        observed = p.fact(rule.fact)
        if hasattr(observed, "value"):
            observed = observed.value
        met = observed is not None and _cmp(rule.op, observed, rule.value)
        required = {"op": rule.op, "value": rule.value}
        if observed is None:
            detail = f"未提供 {rule.fact} / {rule.fact} not provided"
    elif k == Kind.legal_entity:
        lp = p.enterprise.legal_person
        branch = p.enterprise.branch_industry
        observed = {"legal_person": lp, "branch_industry": branch}
        met = lp is True or (lp is False and branch is not None and branch in rule.value)
        required = {"legal_person": True, "or_branch_in": rule.value}
        if lp is None:
            detail = "未提供 enterprise.legal_person / not provided"
    elif k == Kind.maturity_min:
        observed = ctx.maturity_level
        met = observed is not None and observed >= rule.value
        if not met and rule.or_fact and p.fact(rule.or_fact) is True:
            met, detail = True, f"由 {rule.or_fact} 满足 / satisfied by {rule.or_fact}"
        elif observed is None:
            detail = "未提供成熟度等级或自评估答案 / no maturity level or answers given"
        else:
            detail = f"来源 source: {ctx.maturity_source}"
        required = {"op": "gte", "value": rule.value}
    elif k == Kind.prior_tier:
        rank = {t: i for i, t in enumerate(TIERS)}
        held = sorted({t.tier for t in p.tiers_obtained}, key=rank.__getitem__)
        observed = held[-1] if held else "none"
        met = bool(held) and rank[held[-1]] >= rank[rule.value]
        required = rule.value
        if not met:
            detail = f"需已获得{TIER_ZH[rule.value]}（tiers_obtained） / {rule.value} must already be obtained"
    elif k == Kind.dimensions:
        observed = sorted(ctx.scenario_dims)
        missing = [d for d in rule.value if d not in ctx.scenario_dims]
        met = not missing
        if missing:
            detail = "缺少维度 missing: " + ", ".join(missing)
    elif k == Kind.ai_share:
        observed = round(ctx.ai_instances / ctx.instances, 4) if ctx.instances else 0.0
        # exact: 3 of 10 instances meet 0.3 (3 >= 0.3 * 10 does not hold in floating point)
        met = ctx.instances > 0 and Fraction(ctx.ai_instances, ctx.instances) >= Fraction(str(rule.value))
        required = {"op": "gte", "value": rule.value}
        detail = f"{ctx.ai_instances}/{ctx.instances} 个场景实例应用人工智能 / instances applying AI"
    elif k == Kind.scenario_entries:
        observed = ctx.instances
        met = observed >= rule.value
        required = {"op": "gte", "value": rule.value}
    elif k == Kind.links_covered:
        observed = len(ctx.links)
        met = observed >= rule.value
        required = {"op": "gte", "value": rule.value}
        detail = "已覆盖环节 links: " + ", ".join(sorted(ctx.links)) if ctx.links else None
    elif k == Kind.supply_chain_links:
        observed = len(ctx.supply_links)
        met = observed >= rule.value
        required = {"op": "gte", "value": rule.value}
        detail = (
            "供应链场景所在环节 links of supply-chain instances: " + ", ".join(sorted(ctx.supply_links))
            if ctx.supply_links
            else None
        )
    elif k == Kind.supply_chain_beyond:
        # Take one supply-chain link out as the extra one: the rest must still cover value distinct links. A
        # supply-chain instance on a link that a factory instance also covers (s39 碳资产管理 flagged) leaves that
        # link covered; a link covered only by supply-chain instances (l14 alone) leaves with it.
        left = [len(ctx.links) - (0 if link in ctx.factory_links else 1) for link in sorted(ctx.supply_links)]
        factory = max(left) if left else len(ctx.links)
        extra = 1 if left and factory >= rule.value else 0
        observed = {"factory_links": factory, "extra_supply_chain_links": extra}
        required = {"factory_links": rule.value, "extra_supply_chain_links": 1}
        met = extra == 1
        detail = f"不同环节 distinct links {len(ctx.links)}，其中供应链场景所在 of them supply-chain: " + (
            ", ".join(sorted(ctx.supply_links)) or "无 none"
        )
    elif k == Kind.kpis_present:
        have = {kpi for kpi in rule.value if kpi in p.kpis}
        observed = sorted(have)
        missing = [kpi for kpi in rule.value if kpi not in have]
        met = not missing
        if missing:
            detail = "缺少指标 missing KPI: " + ", ".join(missing)
    elif k == Kind.build_content:
        build = items.build.get(rule.value, ()) if isinstance(rule.value, str) else ()
        relevant = [i for i, dim in build if dim in ctx.scenario_dims] or [i for i, _ in build]
        done = [i for i in relevant if p.build_content.get(i) is True]
        observed = f"{len(done)}/{len(relevant)}"
        required = f"{len(relevant)}/{len(relevant)}"
        met = len(done) == len(relevant)
        if not met:
            detail = "未声明完成 not declared: " + ", ".join(i for i in relevant if i not in done)
    elif k == Kind.outcome:
        ids = items.outcomes.get(rule.value, ()) if isinstance(rule.value, str) else ()
        observed = {i: p.outcomes.get(i) for i in ids}
        required = {i: True for i in ids}
        met = all(p.outcomes.get(i) is True for i in ids)
    elif k == Kind.tier_met:
        tm = (tiers or {}).get(rule.edition or "")  # evaluated once, before any programme that refers to it
        if tm is None:
            raise ValueError(f"rule {rule.id}: the tiers of {rule.edition} were not evaluated before the programme")
        reasons = tm.reasons[rule.value]
        observed = tm.reached
        met = not reasons
        required = rule.value
        if not met:
            detail = "; ".join(f"{r.rule}: {r.message}" for r in reasons)
    else:  # pragma: no cover - the Kind enum is closed
        raise ValueError(k)
    if rule.in_principle and not met:
        detail = IN_PRINCIPLE_WARNING + (f"; {detail}" if detail else "")
    return Check(
        rule=rule.id,
        kind=k.value,
        met=bool(met),
        gating=rule.gating,
        message=rule.message_zh,
        message_zh=rule.message_zh,
        message_en=rule.message_en,
        observed=observed,
        required=required,
        reference=rule.reference,
        provenance=rule.provenance.kind.value,
        detail=detail,
        in_principle=rule.in_principle,
    )


def build_context(profile: Profile, catalogue: Catalogue, maturity_result: MaturityResult | None = None) -> Context:
    """Derive maturity level, scenario coverage and AI share from a profile (once).

    ``catalogue``: the profile's scenario catalogue; ``maturity_result``: the profile's answers scored (needed when the
    profile gives answers and no certified level).
    """
    level: int | None = None
    source: str | None = None
    scored: MaturityResult | None = None
    m = profile.maturity
    if m is not None:
        if m.certified_level is not None:
            level, source = m.certified_level, "certified 评估认定"
        elif m.answers is not None or m.answers_file is not None:
            if maturity_result is None:
                raise ValueError("profile: maturity: the answers were not scored")
            res = scored = maturity_result
            level = res.level
            source = f"scored {res.edition} S={res.score:.2f}" + ("" if res.complete else " (incomplete)")
        elif m.self_assessed_level is not None:
            level, source = m.self_assessed_level, "self-assessed 自评估"
        elif m.level is not None:
            level, source = m.level, "stated 申报等级"
    if catalogue.id != profile.scenarios.catalogue:
        raise ValueError(f"catalogue {catalogue.id} given for a profile on {profile.scenarios.catalogue}")
    links = catalogue.links
    dims: set[str] = set()
    covered: set[str] = set()
    supply_links: set[str] = set()
    factory_links: set[str] = set()
    ai = 0
    for i, inst in enumerate(profile.scenarios.instances):
        if inst.scenario == "custom":
            if inst.link not in links:
                raise ValueError(f"profile: scenarios.instances.{i}.link: {inst.link!r} is not a link of {catalogue.id}")
            link = links[inst.link]
            dim = link.dimension
        else:
            sc = catalogue.find(inst.scenario)
            if sc is None:
                raise ValueError(f"profile: scenarios.instances.{i}.scenario: {inst.scenario!r} is not in {catalogue.id}")
            link = links[sc.link]
            dim = catalogue.dimension_of(sc.id)
        ai += 1 if inst.ai else 0
        dims.add(dim)
        covered.add(link.id)
        supply = link.supply_chain if inst.supply_chain is None else inst.supply_chain
        (supply_links if supply else factory_links).add(link.id)
    return Context(
        profile=profile,
        maturity_level=level,
        maturity_source=source,
        maturity_result=scored,
        scenario_dims=frozenset(dims),
        links=frozenset(covered),
        supply_links=frozenset(supply_links),
        factory_links=frozenset(factory_links),
        instances=len(profile.scenarios.instances),
        ai_instances=ai,
    )
