"""One evaluation path: parsed inputs and loaded editions in, one immutable :class:`Evaluation` out.

Pure: reads no file and loads no edition (the loading side, :mod:`assessment.registry`, gives both). It scores the
maturity answers once, evaluates each tier edition once (the profile's and every one a programme's ``tier_met`` rule
refers to) before any programme, then the programmes; nothing shared is changed along the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .catalogue import Catalogue
from .inputs import Answers
from .maturity import score
from .profile import Profile
from .programmes import DeclarationResult, Declarations, check_declarations, tier_editions_referred
from .results import MaturityResult
from .rules import build_context
from .schema import MaturityEdition
from .tiering import TierEdition, TierResult, evaluate_tiers


@dataclass(frozen=True)
class Inputs:
    """What the enterprise gives: its profile and, when its maturity is to be scored, the parsed answers."""

    profile: Profile
    answers: Answers | None = None


@dataclass(frozen=True)
class Editions:
    """Every loaded edition one evaluation needs."""

    tier: TierEdition  # the tier edition the result is about (the profile's own unless another was asked for)
    declarations: Declarations
    catalogues: Mapping[str, Catalogue]  # by id; holds the profile's catalogue
    tiers: Mapping[str, TierEdition] = field(default_factory=dict)  # the others programmes' tier_met rules refer to
    maturity: MaturityEdition | None = None  # needed when there are answers to score


@dataclass(frozen=True)
class Evaluation:
    profile: Profile
    maturity: MaturityResult | None  # None when no answers were scored (a certified or stated level, or none)
    tiers: TierResult  # the tier edition of ``Editions.tier``
    declarations: DeclarationResult
    tier_results: Mapping[str, TierResult]  # every tier edition evaluated, by id (read-only)

    @property
    def scored(self) -> MaturityResult:
        """The maturity result of an evaluation that scored answers (a stored assessment's always does)."""
        if self.maturity is None:
            raise ValueError("no maturity answers were scored")
        return self.maturity

    def level_passed(self, n: int | str) -> bool:
        """X_n of the scored answers reached the threshold (False when nothing was scored)."""
        return self.maturity is not None and self.maturity.level_passed(n)

    @property
    def eligible(self) -> tuple[str, ...]:
        """The programmes the profile is eligible for, in the declarations' order."""
        return tuple(pid for pid, p in self.declarations.programmes.items() if p.eligible)


def evaluate(inputs: Inputs, editions: Editions) -> Evaluation:
    profile = inputs.profile
    mres = None
    if inputs.answers is not None:
        if editions.maturity is None:
            raise ValueError("no maturity edition given to score the answers")
        mres = score(inputs.answers, editions.maturity)  # scored once; tiers pick their gaps from it
    cat = editions.catalogues.get(profile.scenarios.catalogue)
    if cat is None:
        raise ValueError(f"the scenario catalogue {profile.scenarios.catalogue} was not loaded")
    ctx = build_context(profile, cat, maturity_result=mres)
    all_tiers = {editions.tier.id: editions.tier, **editions.tiers}
    missing = [e for e in tier_editions_referred(editions.declarations) if e not in all_tiers]
    if missing:
        raise ValueError(f"the tier editions {', '.join(missing)} the programmes refer to were not loaded")
    results = {eid: evaluate_tiers(profile, ed, ctx) for eid, ed in all_tiers.items()}  # each once, before programmes
    dres = check_declarations(profile, editions.declarations, ctx, results)
    return Evaluation(
        profile=profile,
        maturity=mres,
        tiers=results[editions.tier.id],
        declarations=dres,
        tier_results=MappingProxyType(results),
    )
