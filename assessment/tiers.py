"""Smart-factory tiers (智能工厂梯度培育): which tier a profile reaches, with every reason.

Tiers are declared once, in order, each inheriting the rules of the tier below; a rule may
``replace`` an inherited one (e.g. a higher maturity minimum). A tier is met when every gating
rule of its effective set passes; the tier reached is the highest tier met with every tier
below it met too. Non-gating (advisory) rules are reported but do not decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from .editions import DEFAULT_ROOT, disk_cached, load_maturity_cached, resolve
from .loader import Problem, check_unique, load_file, raise_if
from .maturity import gaps_to
from .profile import TIER_ZH, TIERS, Profile
from .results import Frozen, Gap
from .rules import Check, Context, Kind, Rule, build_context, evaluate, inherited_rules
from .scenarios import DIMENSIONS
from .schema import Provenance, Strict


class Tier(Strict):
    id: str
    n: int = Field(ge=1, le=4)
    name_zh: str
    name_en: str
    certifier_zh: str
    certifier_en: str
    positioning_zh: str
    positioning_en: str
    text_ref: str | None = None  # where the certifier and positioning wording comes from
    inherits: str | None
    rules: list[Rule]


class BuildItem(Strict):
    id: str
    tier: str
    dimension: str
    text_zh: str
    text_en: str
    provenance: Provenance


class Outcome(Strict):
    id: str
    tier: str
    text_zh: str
    text_en: str
    provenance: Provenance


class StandIn(Strict):
    """The edition's scenario catalogue stands in for a guide the criteria do not hold."""

    for_zh: str  # the guide the round actually used
    for_en: str
    provenance: Provenance


class TierFile(Strict):
    edition: str
    scenario_catalogue: str
    scenario_catalogue_stand_in: StandIn | None = None
    maturity_edition: str
    tiers: list[Tier] = Field(min_length=1)
    build_content: list[BuildItem]
    outcomes: list[Outcome]


@dataclass(frozen=True, eq=False)
class TierEdition:
    id: str
    data: TierFile

    @property
    def tiers(self) -> list[Tier]:
        return sorted(self.data.tiers, key=lambda t: t.n)

    def effective_rules(self, tier_id: str) -> list[Rule]:
        """The tier's rules with inheritance applied (inherited first, replaced ones dropped)."""
        return inherited_rules({t.id: t for t in self.data.tiers}, tier_id)

    def rows(self) -> list[dict]:
        return [
            {
                "id": r.id,
                "tier": t.id,
                "kind": r.kind.value,
                "gating": r.gating,
                "value": r.value,
                "message_zh": r.message_zh,
                "message_en": r.message_en,
                "reference": r.reference,
                "provenance": r.provenance.kind.value,
                "replaces": r.replaces,
            }
            for t in self.tiers
            for r in t.rules
        ]


@lru_cache(maxsize=16)
@disk_cached
def load_tier_edition(edition: str, root: Path = DEFAULT_ROOT) -> TierEdition:
    resolve(edition, "smart_factory", root)
    problems: list[Problem] = []
    label = f"criteria/{edition}/tiers.yaml"
    data = load_file(root / edition / "tiers.yaml", root, TierFile, problems)
    if data is not None:
        if data.edition != edition:
            problems.append(Problem(label, "-", f"edition is {data.edition!r}, expected {edition!r}"))
        ids = [t.id for t in data.tiers]
        if sorted(ids, key=TIERS.index if set(ids) <= set(TIERS) else str) != ids or not set(ids) <= set(TIERS):
            problems.append(Problem(label, "tiers", f"tiers must be a subset of {', '.join(TIERS)} in that order"))
        tids = set(ids)
        all_rules = [r for t in data.tiers for r in t.rules]
        check_unique(label, "rule id", [r.id for r in all_rules], problems)
        rule_ids = {r.id for r in all_rules}
        for t in data.tiers:
            if t.inherits is not None and t.inherits not in tids:
                problems.append(Problem(label, t.id, f"inherits unknown tier {t.inherits!r}"))
            else:
                try:
                    inherited_rules({x.id: x for x in data.tiers}, t.id)
                except ValueError as exc:
                    problems.append(Problem(label, t.id, str(exc)))
            for r in t.rules:
                if r.replaces and r.replaces not in rule_ids:
                    problems.append(Problem(label, r.id, f"replaces unknown rule {r.replaces!r}"))
                if r.kind == Kind.dimensions:
                    for d in r.value:
                        if d not in DIMENSIONS:
                            problems.append(Problem(label, r.id, f"unknown dimension {d!r}"))
                if r.kind in (Kind.build_content, Kind.outcome) and r.value not in tids:
                    problems.append(Problem(label, r.id, f"{r.kind.value} names unknown tier {r.value!r}"))
        for b in data.build_content:
            if b.tier not in tids:
                problems.append(Problem(label, b.id, f"unknown tier {b.tier!r}"))
            if b.dimension not in DIMENSIONS:
                problems.append(Problem(label, b.id, f"unknown dimension {b.dimension!r}"))
        check_unique(label, "id", [b.id for b in data.build_content] + [o.id for o in data.outcomes], problems)
        for ref, what in ((data.scenario_catalogue, "scenarios"), (data.maturity_edition, "maturity")):
            try:
                resolve(ref, what, root)
            except KeyError as exc:
                problems.append(Problem(label, "-", str(exc.args[0])))
    raise_if(problems)
    assert data is not None
    return TierEdition(edition, data)


# -- results --------------------------------------------------------------------------------


class TierStatus(Frozen):
    id: str
    name_zh: str
    name_en: str
    met: bool
    reasons: list[Check]  # failing gating rules: why the tier is not met
    advisories: list[Check]  # failing advisory rules
    checks: list[Check]  # every rule of the tier, in order


class UpgradePath(Frozen):
    tier: str
    failing: list[Check]
    maturity_needed: int | None
    maturity_gaps: list[Gap]  # requirements adding most to S toward the needed level


class TierResult(Frozen):
    edition: str
    tier: str  # none | basic | advanced | excellent | leading
    tier_name_zh: str
    tiers: dict[str, TierStatus]
    maturity_level: int | None
    maturity_source: str | None
    dimensions_covered: list[str]
    scenario_instances: int
    ai_share: float | None
    next_tier: str | None
    upgrade: UpgradePath | None
    catalogue_note: str | None = None  # set when the edition's catalogue is a stand-in for the round's guide


def evaluate_tiers(
    profile: Profile, edition: TierEdition, *, root: Path = DEFAULT_ROOT, _ctx: Context | None = None
) -> TierResult:
    ctx = _ctx or build_context(profile, root)
    ctx.build_items = {}
    for b in edition.data.build_content:
        ctx.build_items.setdefault(b.tier, []).append((b.id, b.dimension))
    ctx.outcome_items = {}
    for o in edition.data.outcomes:
        ctx.outcome_items.setdefault(o.tier, []).append(o.id)
    statuses: dict[str, TierStatus] = {}
    reached = "none"
    chain_ok = True
    note = _stand_in_note(edition, profile)
    for t in edition.tiers:
        checks = [evaluate(r, ctx) for r in edition.effective_rules(t.id)]
        if note:  # dimension coverage is counted on a catalogue that only stands in for the round's guide
            checks = [
                c.model_copy(update={"detail": f"{c.detail}; {note}" if c.detail else note})
                if c.kind == Kind.dimensions.value
                else c
                for c in checks
            ]
        reasons = [c for c in checks if c.gating and not c.met]
        statuses[t.id] = TierStatus(
            id=t.id,
            name_zh=t.name_zh,
            name_en=t.name_en,
            met=not reasons,
            reasons=reasons,
            advisories=[c for c in checks if not c.gating and not c.met],
            checks=checks,
        )
        if chain_ok and not reasons:
            reached = t.id
        else:
            chain_ok = False
    order = [t.id for t in edition.tiers]
    nxt: str | None
    if reached == "none":
        nxt = order[0]
    else:
        i = order.index(reached)
        nxt = order[i + 1] if i + 1 < len(order) else None
    upgrade = _upgrade(nxt, statuses, ctx, edition) if nxt else None
    result = TierResult(
        edition=edition.id,
        tier=reached,
        tier_name_zh=TIER_ZH[reached],
        tiers=statuses,
        maturity_level=ctx.maturity_level,
        maturity_source=ctx.maturity_source,
        dimensions_covered=[d for d in DIMENSIONS if d in ctx.scenario_dims],
        scenario_instances=ctx.instances,
        ai_share=round(ctx.ai_instances / ctx.instances, 4) if ctx.instances else None,
        next_tier=nxt,
        upgrade=upgrade,
        catalogue_note=note,
    )
    ctx.tier_cache[edition.id] = result  # a tier_met rule of a declaration reuses it
    return result


def _stand_in_note(edition: TierEdition, profile: Profile) -> str | None:
    si = edition.data.scenario_catalogue_stand_in
    if si is None:
        return None
    used = profile.scenarios.catalogue
    return (
        f"维度按《{used}》计算；该轮次依据{si.for_zh}，本工具未收录，以 {edition.data.scenario_catalogue} 代用"
        f" / dimensions counted on {used}; the round used {si.for_en}, which the criteria do not hold:"
        f" {edition.data.scenario_catalogue} stands in for it"
    )


def _upgrade(nxt: str, statuses: dict[str, TierStatus], ctx: Context, edition: TierEdition) -> UpgradePath:
    failing = statuses[nxt].reasons
    needed = None
    gaps: list[Gap] = []
    for c in failing:
        if c.kind == Kind.maturity_min.value:
            needed = c.required["value"]
    if needed is not None and ctx.maturity_result is not None:
        res = ctx.maturity_result
        gaps = gaps_to(res, load_maturity_cached(res.edition, ctx.root), needed)[:20]
    return UpgradePath(tier=nxt, failing=failing, maturity_needed=needed, maturity_gaps=gaps)
