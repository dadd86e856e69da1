"""Smart-factory tiers (智能工厂梯度培育): which tier a profile reaches, with every reason.

Tiers are declared once, in order, each inheriting the rules of the tier below; a rule may
``replace`` an inherited one (e.g. a higher maturity minimum). A tier is met when every gating
rule of its effective set passes; the tier reached is the highest tier met with every tier
below it met too. Non-gating (advisory) rules are reported but do not decide.

The model of a tier edition and its pure evaluation (loading is :mod:`assessment.tiers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from .catalogue import DIMENSIONS
from .maturity import gaps_to
from .profile import TIER_ZH, Profile
from .results import Frozen, Gap
from .rules import Check, Context, Kind, Rule, TierItems, TierMet, evaluate, inherited_rules
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

    def met(self) -> TierMet:
        """What a programme's ``tier_met`` rule looks at."""
        return TierMet(reached=self.tier, reasons={k: tuple(v.reasons) for k, v in self.tiers.items()})


def evaluate_tiers(profile: Profile, edition: TierEdition, ctx: Context) -> TierResult:
    """Which tier of ``edition`` the profile reaches, with every reason (pure: ``ctx`` is only read)."""
    build: dict[str, list[tuple[str, str]]] = {}
    for b in edition.data.build_content:
        build.setdefault(b.tier, []).append((b.id, b.dimension))
    outcomes: dict[str, list[str]] = {}
    for o in edition.data.outcomes:
        outcomes.setdefault(o.tier, []).append(o.id)
    items = TierItems(build={k: tuple(v) for k, v in build.items()}, outcomes={k: tuple(v) for k, v in outcomes.items()})
    statuses: dict[str, TierStatus] = {}
    reached = "none"
    chain_ok = True
    note = _stand_in_note(edition, profile)
    for t in edition.tiers:
        checks = [evaluate(r, ctx, items=items) for r in edition.effective_rules(t.id)]
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
    upgrade = _upgrade(nxt, statuses, ctx) if nxt else None
    return TierResult(
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


def _upgrade(nxt: str, statuses: dict[str, TierStatus], ctx: Context) -> UpgradePath:
    failing = statuses[nxt].reasons
    needed = None
    gaps: list[Gap] = []
    for c in failing:
        if c.kind == Kind.maturity_min.value:
            needed = c.required["value"]
    if needed is not None and ctx.maturity_result is not None:
        gaps = gaps_to(ctx.maturity_result, needed)[:20]  # picked from the gaps scored once, not scored again
    return UpgradePath(tier=nxt, failing=failing, maturity_needed=needed, maturity_gaps=gaps)
