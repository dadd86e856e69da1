"""Frozen result objects returned by the engine and shared by the CLI, app, database and reports."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built on first use


class RequirementScore(Frozen):
    id: str
    level: int
    subdomain: str
    grade: str | None  # grade id, "na", or None when not assessed
    value: float | None  # numeric grade used (not assessed counts as the scoring file says); None for na
    weight: float | None  # effective weight of this requirement in X_level (0..1); None for na


class NodeScore(Frozen):
    """A sub-domain, domain or element: its score at each level and its weight in X_n."""

    kind: str  # "subdomain" | "domain" | "element"
    id: str
    name_zh: str
    name_en: str
    parent: str | None
    level_scores: dict[str, float | None]  # "1".."5" -> score in [0,1]; None when not applicable
    weights: dict[str, float | None]  # "1".."5" -> effective weight in X_n after renormalisation
    # sum of level scores over the levels counted in S (display summary, 0..5); None when nothing of it applies at those
    # levels (every answer N/A): shown as "—", never as 0
    score: float | None
    answered: int
    total: int


class Gap(Frozen):
    id: str
    level: int
    subdomain: str
    grade: str | None
    text_zh: str
    text_en: str
    gain_x: float  # how much X_level rises if this requirement becomes fully met
    gain_s: float  # how much S rises (after gating) if it alone becomes fully met
    adds_s: bool  # raising it alone adds to S (exactly, before rounding gain_s): a gap toward every level


class MaturityResult(Frozen):
    edition: str
    industry: str
    score: float  # S, rounded to 6 places (display rounds to 2)
    score_exact: str  # S as an exact fraction
    level: int  # 0..5 (0 = no level reached), by the edition's level rule
    band_level: int  # from the score-to-level table
    gate_level: int  # highest n with X_1..X_n all >= threshold
    borderline: bool  # band and gate disagree
    level_rule: str
    threshold: float
    level_scores: dict[str, float]  # "1".."5" -> X_n
    levels_passed: dict[str, bool]  # "1".."5" -> X_n >= threshold, decided exactly (the one place that decides it)
    levels_counted: int  # k: S sums X_1..X_k
    complete: bool  # every applicable requirement answered
    answered: int
    not_assessed: int
    not_applicable: int
    total: int
    subdomains: list[NodeScore]
    domains: list[NodeScore]
    elements: list[NodeScore]
    requirements: list[RequirementScore]
    target_level: int | None  # the next level (None at 5)
    gaps: list[Gap]  # requirements below "fully met" up to the target level, ranked by gain_s
    provenance: dict[str, int]  # requirement provenance counts of the edition
    # every requirement below the full grade, ranked as ``gaps``: the gaps toward any level (see maturity.gaps_to),
    # computed once by the scorer; not in the JSON output (``gaps`` is)
    all_gaps: list[Gap] = Field(default_factory=list, exclude=True)

    def level_passed(self, n: int | str) -> bool:
        """X_n reached the threshold (False for a level the edition does not have)."""
        return self.levels_passed.get(str(n), False)
