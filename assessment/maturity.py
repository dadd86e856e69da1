"""GB/T 39117 maturity scoring: per-level weighted scores X1..X5, gated total S, level, gaps.

The reading implemented here (shared/reference/maturity-scoring.md §3)::

    s(d, n) = mean grade of sub-domain d's level-n requirements (N/A excluded)
    X_n     = weighted mean of s(d, n) over the applicable tree (element > domain > sub-domain),
              weights renormalised over what applies at every tier, for each level separately
    k       = first level with X_k < threshold;  S = X_1 + ... + X_k  (all five if none fails)
    level   = from the score-to-level bands (or the gate, as the edition's scoring file says)

Two paths give the same results: :func:`score` (exact fractions, one assessment, full breakdown)
and :func:`assessment.batch.score_batch` (numpy float64, N assessments at once, totals only).
Every number comes from the criteria files; nothing here is specific to an edition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Sequence

from .inputs import NA, Answers
from .results import Gap, MaturityResult, NodeScore, RequirementScore
from .schema import IndustryType, MaturityEdition, Requirement

EPS = 1e-9  # float tolerance of the batch path at thresholds (the single path is exact)


class ScoringError(ValueError):
    """The answers cannot be scored (e.g. every requirement of a level is N/A)."""


@dataclass(frozen=True)
class _Tier:
    kind: str
    ids: tuple[str, ...]
    names: tuple[tuple[str, str], ...]
    parent: tuple[int, ...]  # index into the next tier (0 = root for the top tier)
    weight: tuple[Fraction, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity (cached)
class Compiled:
    """An edition's structure for one industry type, laid out for scoring."""

    edition: MaturityEdition
    industry: str
    reqs: tuple[Requirement, ...]
    req_sub: tuple[int, ...]
    tiers: tuple[_Tier, ...]  # bottom-up: sub-domains, domains, [elements]
    levels: tuple[int, ...]

    @property
    def req_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.reqs)


@lru_cache(maxsize=64)
def compile_model(edition: MaturityEdition, industry: str) -> Compiled:
    it = IndustryType(industry)
    subs = [s for s in edition.model.subdomains if it in s.industry_types]
    sub_ids = [s.id for s in subs]
    dom_ids = list(dict.fromkeys(s.domain for s in subs))
    doms = [edition.domains[d] for d in dom_ids]
    tiers = [
        _Tier(
            "subdomain",
            tuple(sub_ids),
            tuple((s.name_zh, s.name_en) for s in subs),
            tuple(dom_ids.index(s.domain) for s in subs),
            tuple(s.weight[it] for s in subs),
        )
    ]
    if edition.model.elements:
        el_ids = [e.id for e in edition.model.elements if e.id in {d.element for d in doms}]
        els = [edition.elements[e] for e in el_ids]
        tiers.append(
            _Tier(
                "domain",
                tuple(dom_ids),
                tuple((d.name_zh, d.name_en) for d in doms),
                tuple(el_ids.index(d.element) if d.element is not None else 0 for d in doms),  # set when elements exist
                tuple(d.weight[it] for d in doms),
            )
        )
        tiers.append(
            _Tier(
                "element",
                tuple(el_ids),
                tuple((e.name_zh, e.name_en) for e in els),
                tuple(0 for _ in els),
                tuple(e.weight[it] for e in els),
            )
        )
    else:
        tiers.append(
            _Tier(
                "domain",
                tuple(dom_ids),
                tuple((d.name_zh, d.name_en) for d in doms),
                tuple(0 for _ in doms),
                tuple(d.weight[it] for d in doms),
            )
        )
    levels = tuple(lv.n for lv in edition.levels)
    # requirements ordered by (level, sub-domain): each (level, sub-domain) cell is one contiguous run of columns,
    # which lets the batch path sum cells with one np.add.reduceat instead of dense matrix products
    level_of = {n: i for i, n in enumerate(levels)}
    reqs = tuple(
        sorted(
            edition.applicable_requirements(industry),
            key=lambda r: (level_of[r.level], sub_ids.index(edition.req_subdomain[r.id])),
        )
    )
    req_sub = tuple(sub_ids.index(edition.req_subdomain[r.id]) for r in reqs)
    return Compiled(edition, industry, reqs, req_sub, tuple(tiers), levels)


# ---------------------------------------------------------------------------------------------
# single path (exact)


def _propagate(compiled: Compiled, sub_vals: list[Fraction | None]):
    """Values and effective weights of every node for one level, bottom-up then top-down."""
    vals: list[list[Fraction | None]] = [sub_vals]
    for t, tier in enumerate(compiled.tiers):
        n_parents = len(compiled.tiers[t + 1].ids) if t + 1 < len(compiled.tiers) else 1
        num = [Fraction(0)] * n_parents
        den = [Fraction(0)] * n_parents
        for i, v in enumerate(vals[t]):
            if v is not None:
                p = tier.parent[i]
                num[p] += tier.weight[i] * v
                den[p] += tier.weight[i]
        vals.append([num[p] / den[p] if den[p] else None for p in range(n_parents)])
    root = vals[-1][0]
    # effective weights, top-down
    effs: list[list[Fraction | None]] = [[]] * len(compiled.tiers)
    parent_eff: list[Fraction | None] = [Fraction(1)]
    for t in range(len(compiled.tiers) - 1, -1, -1):
        tier = compiled.tiers[t]
        present: dict[int, Fraction] = {}
        for i, v in enumerate(vals[t]):
            if v is not None:
                present[tier.parent[i]] = present.get(tier.parent[i], Fraction(0)) + tier.weight[i]
        eff = []
        for i, v in enumerate(vals[t]):
            pe = parent_eff[tier.parent[i]]
            eff.append(pe * tier.weight[i] / present[tier.parent[i]] if v is not None and pe is not None else None)
        effs[t] = eff
        parent_eff = eff
    return root, vals, effs


def _gate(x: Sequence[Fraction], threshold: Fraction) -> tuple[Fraction, int, int]:
    """(S, k = levels counted, gate level)."""
    total = Fraction(0)
    for i, xn in enumerate(x):
        total += xn
        if xn < threshold:
            return total, i + 1, i
    return total, len(x), len(x)


def _band(edition: MaturityEdition, s: Fraction) -> int:
    level = 0
    for b in edition.scoring.bands:
        if s >= b.min:
            level = b.level
    return level


def score(answers: Answers, edition: MaturityEdition, target_level: int | None = None) -> MaturityResult:
    """Score one assessment exactly, with the full breakdown and the ranked gaps.

    Gaps are listed toward ``target_level`` (default: the level above the one reached).
    """
    if answers.edition != edition.id:
        raise ScoringError(
            f"答案属于 {answers.edition}，标准为 {edition.id} / answers are for {answers.edition}, criteria are {edition.id}"
        )
    c = compile_model(edition, answers.industry)
    values = edition.grade_values()
    missing = edition.scoring.not_assessed.counts_as
    thr = edition.scoring.threshold
    nsub = len(c.tiers[0].ids)

    grade_of: dict[str, str | None] = {r.id: answers.grades.get(r.id) for r in c.reqs}
    req_val: dict[str, Fraction | None] = {}
    for r in c.reqs:
        g = grade_of[r.id]
        req_val[r.id] = None if g == NA else (missing if g is None else values[g])

    x: list[Fraction] = []
    per_level_vals, per_level_effs, req_eff = {}, {}, {}
    for n in c.levels:
        sums = [Fraction(0)] * nsub
        counts = [0] * nsub
        for r, j in zip(c.reqs, c.req_sub):
            v = req_val[r.id]
            if r.level == n and v is not None:
                sums[j] += v
                counts[j] += 1
        sub_vals = [sums[j] / counts[j] if counts[j] else None for j in range(nsub)]
        root, vals, effs = _propagate(c, sub_vals)
        if root is None:
            raise ScoringError(
                f"{n} 级的要求全部为“不适用”，无法计分：至少一项 {n} 级要求须作答 / nothing applies at level {n}: at least "
                f"one level-{n} requirement must not be N/A"
            )
        x.append(root)
        per_level_vals[n], per_level_effs[n] = vals, effs
        for r, j in zip(c.reqs, c.req_sub):
            if r.level == n:
                e = effs[0][j]
                req_eff[r.id] = e / counts[j] if (e is not None and req_val[r.id] is not None) else None

    s, k, gate_level = _gate(x, thr)
    band_level = _band(edition, s)
    level = band_level if edition.scoring.level_rule == "band" else gate_level

    # breakdown per node
    nodes: list[list[NodeScore]] = []
    answered_by_sub = [0] * nsub
    total_by_sub = [0] * nsub
    for r, j in zip(c.reqs, c.req_sub):
        total_by_sub[j] += 1
        if grade_of[r.id] is not None:
            answered_by_sub[j] += 1
    for t, tier in enumerate(c.tiers):
        answered, total = _roll_counts(c, t, answered_by_sub, total_by_sub)
        parent_ids = c.tiers[t + 1].ids if t + 1 < len(c.tiers) else None
        row = []
        for i, nid in enumerate(tier.ids):
            ls = {str(n): _f(per_level_vals[n][t][i]) for n in c.levels}
            ws = {str(n): _f(per_level_effs[n][t][i]) for n in c.levels}
            # None ("—", never 0) when nothing of the node applies at the levels counted in S: every answer N/A
            counted = [v for n in c.levels[:k] if (v := per_level_vals[n][t][i]) is not None]
            summary = sum(counted, Fraction(0)) if counted else None
            row.append(
                NodeScore(
                    kind=tier.kind,
                    id=nid,
                    name_zh=tier.names[i][0],
                    name_en=tier.names[i][1],
                    parent=parent_ids[tier.parent[i]] if parent_ids else None,
                    level_scores=ls,
                    weights=ws,
                    score=_f(summary),
                    answered=answered[i],
                    total=total[i],
                )
            )
        nodes.append(row)

    reqs_out = [
        RequirementScore(
            id=r.id,
            level=r.level,
            subdomain=c.tiers[0].ids[j],
            grade=grade_of[r.id],
            value=_f(req_val[r.id]),
            weight=_f(req_eff.get(r.id)),
        )
        for r, j in zip(c.reqs, c.req_sub)
    ]
    target = level + 1 if level < len(c.levels) else None
    if target_level is not None:
        target = min(max(target_level, 1), len(c.levels))
    all_gaps = _gaps(c, x, thr, req_val, req_eff, grade_of, s)
    n_na = sum(1 for g in grade_of.values() if g == NA)
    n_missing = sum(1 for g in grade_of.values() if g is None)
    return MaturityResult(
        edition=edition.id,
        industry=answers.industry,
        score=round(float(s), 6),
        score_exact=str(s),
        level=level,
        band_level=band_level,
        gate_level=gate_level,
        borderline=band_level != gate_level,
        level_rule=edition.scoring.level_rule,
        threshold=float(thr),
        level_scores={str(n): round(float(v), 6) for n, v in zip(c.levels, x)},
        levels_passed={str(n): v >= thr for n, v in zip(c.levels, x)},
        levels_counted=k,
        complete=n_missing == 0,
        answered=len(c.reqs) - n_missing,
        not_assessed=n_missing,
        not_applicable=n_na,
        total=len(c.reqs),
        subdomains=nodes[0],
        domains=nodes[1],
        elements=nodes[2] if len(nodes) > 2 else [],
        requirements=reqs_out,
        target_level=target,
        gaps=_toward(all_gaps, target) if target else [],
        provenance=edition.provenance_counts(),
        all_gaps=all_gaps,
    )


def _roll_counts(c: Compiled, t: int, answered: list[int], total: list[int]):
    a, tt = list(answered), list(total)
    for lower in range(t):
        tier = c.tiers[lower]
        n_par = len(c.tiers[lower + 1].ids)
        na, nt = [0] * n_par, [0] * n_par
        for i, p in enumerate(tier.parent):
            na[p] += a[i]
            nt[p] += tt[i]
        a, tt = na, nt
    return a, tt


def _f(v: Fraction | None) -> float | None:
    return None if v is None else round(float(v), 6)


def _gaps(c, x, thr, req_val, req_eff, grade_of, s) -> list[Gap]:
    """Every requirement below the full grade, ranked by the S it adds when raised to it alone (gating included): the
    first is the single change that adds the most S. Computed once per scoring; :func:`gaps_to` picks those toward a
    level from it."""
    full = max(c.edition.grade_values().values())  # the top of the edition's scale, not an assumed 1
    level_index = {n: i for i, n in enumerate(c.levels)}
    out = []
    for r in c.reqs:
        v, e = req_val[r.id], req_eff.get(r.id)
        if v is None or e is None or v >= full:
            continue
        gain_x = e * (full - v)
        x2 = list(x)
        x2[level_index[r.level]] += gain_x
        s2, _, _ = _gate(x2, thr)
        out.append((s2 - s, gain_x, r))
    # exact order with integer keys (every gain over one common denominator): Fraction comparisons are slow
    ds, dx = math.lcm(*(t[0].denominator for t in out)), math.lcm(*(t[1].denominator for t in out))
    out.sort(
        key=lambda t: (
            -t[0].numerator * (ds // t[0].denominator),
            -t[1].numerator * (dx // t[1].denominator),
            t[2].level,
            t[2].id,
        )
    )
    return [
        Gap.model_construct(  # computed here, not input: no validation needed (one per requirement below full)
            id=r.id,
            level=r.level,
            subdomain=c.edition.req_subdomain[r.id],
            grade=grade_of[r.id],
            text_zh=r.text_zh,
            text_en=r.text_en,
            gain_x=round(float(gx), 6),
            gain_s=round(float(gs), 6),
            adds_s=gs != 0,
        )
        for gs, gx, r in out
    ]


def _toward(all_gaps: list[Gap], target_level: int) -> list[Gap]:
    return [g for g in all_gaps if g.adds_s or g.level <= target_level]


def gaps_to(result: MaturityResult, target_level: int) -> list[Gap]:
    """The ranked gaps of a scored assessment toward any target level (e.g. a tier's minimum): those that add to S,
    and every one at or below the target level. Picked from the gaps the scorer computed; nothing is scored again."""
    return _toward(result.all_gaps, target_level)
