"""Upgrade-path planner (issue 14): the cheapest set of improvements that reaches a target.

A target is a maturity level (``L1``..``L5``), a smart-factory tier (``basic`` .. ``leading``, in the profile's tier
edition) or a declaration programme id. The plan lists requirements to raise and to which grade, scenarios to add (and
which apply AI), KPIs to report, conditions (profile facts) to fix and the tiers to obtain on the way, each with an
effort, grouped in milestones that follow the tier order.

Method. The problem splits into independent parts whose optimal costs add up:

* maturity: a 0-1 integer program over (requirement, grade) choices. For the level rule ``band`` a level L is reached
  exactly when some gate level m has X_1..X_m >= threshold and X_1 + .. + X_{min(m+1, 5)} >= the band's minimum (S
  counts X_{m+1} whichever way it falls, and more levels only add); one program per m, the cheapest wins. For the rule
  ``gate``: X_1..X_L >= threshold. X_n is linear in the grades (weights fixed by the N/A pattern, which a plan never
  changes), and every coefficient is an exact fraction scaled to integers before the solver sees it;
* scenarios: a 0-1 integer program over the catalogue (add a scenario, flag it AI, flag an existing instance AI) with
  dimension coverage, instance counts, distinct links, supply-chain links and the AI share as linear constraints;
* facts, KPIs and tier awards: independent items, each needed or not;
* a ``maturity_min`` rule that a fact may satisfy instead (``or_fact``) is decided by comparing both ways.

The integer programs are solved with ``scipy.optimize.milp`` (HiGHS, branch and bound): the plan is exact when HiGHS
proves optimality. When scipy is missing, the problem exceeds ``MAX_VARIABLES`` or the time limit passes, a greedy
heuristic (best constraint-deficit reduction per effort, then pruning) is used and the plan says so. Every plan is
checked by evaluating the planned profile with the real engine (maturity score, tier evaluation, declaration check).

Efforts are person-days by default: provisional engineering defaults (``DEFAULT_COSTS``), overridable per level,
requirement, scenario, KPI and fact in a costs file (YAML or JSON, read with the loader's hardened parsing).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from .answers import NA, Answers, parse_answers, read_answers_file
from .declarations import load_declarations
from .editions import DECLARATIONS_EDITION, DEFAULT_ROOT, MaturityEdition
from .loader import YamlError, read_document
from .maturity import _propagate, compile_model, score
from .profile import TIER_ZH, TIERS, Compliance, Enterprise, Profile, parse_profile
from .registry import evaluate_profile, read_profile
from .results import Frozen
from .rules import Context, Kind, Rule, _cmp, build_context
from .rules import evaluate as evaluate_rule
from .scenarios import load_catalogue
from .schema import Strict
from .tiers import load_tier_edition

MAX_VARIABLES = 20000  # above this the integer program is not attempted (the heuristic plans instead)
TIME_LIMIT = 20.0  # seconds per integer program

LEVEL_ZH = {1: "一级 规划级", 2: "二级 规范级", 3: "三级 集成级", 4: "四级 优化级", 5: "五级 引领级"}
GRADE_ZH = {"full": "全部满足", "largely": "大部分满足", "partial": "部分满足", "none": "不满足", None: "未评"}


class PlanError(ValueError):
    """A bad target, costs file or plan input; one line."""


# -- costs ----------------------------------------------------------------------------------------------------------

Effort = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


class GradeCosts(Strict):
    """Effort to bring a requirement from 不满足 (or not assessed) to each grade; non-decreasing."""

    partial: Effort
    largely: Effort
    full: Effort


class CostsFile(Strict):
    unit_zh: str | None = None
    unit_en: str | None = None
    requirement_by_level: dict[int, Effort] | None = None  # none -> full, by requirement level; grades pro rata
    requirements: dict[str, Effort | GradeCosts] = {}
    scenario: Effort | None = None
    scenarios: dict[str, Effort] = {}
    ai: Effort | None = None  # apply AI on one scenario instance (new or existing)
    kpi: Effort | None = None
    kpis: dict[str, Effort] = {}
    facts: dict[str, Effort | None] = {}  # null: cannot be changed by a plan (a blocker)
    fact_unknown: Effort | None = None  # record a fact that is not given
    tier_award: Effort | None = None  # apply for and obtain a tier on the way
    maturity_level: dict[int, Effort] | None = None  # one level up when only a stated level is known (no answers)


DEFAULT_COSTS = {
    "unit_zh": "人天",
    "unit_en": "person-days",
    "requirement_by_level": {1: 5, 2: 10, 3: 20, 4: 40, 5: 80},
    "scenario": 30,
    "ai": 15,
    "kpi": 3,
    "fact_unknown": 0.5,
    "tier_award": 5,
    "maturity_level": {1: 60, 2: 120, 3: 240, 4: 480, 5: 960},
    "facts": {
        "compliance.smart_mfg_team": 20,
        "compliance.secure_controllable": 60,
        "compliance.willing_site_review": 1,
        "compliance.no_secrets": 2,
        "compliance.build_completed": 120,
        "compliance.meets_industry_guidance": 40,
        "compliance.ip_disputes": 30,
        "enterprise.standing": 250,
        # history and legal form: not changed by an improvement project
        "enterprise.above_scale": None,
        "enterprise.legal_person": None,
        "compliance.good_results_3y": None,
        "compliance.good_credit": None,
        "compliance.worst_accident_3y": None,
        "compliance.violations_3y": None,
        "compliance.holds_demo_task": None,
    },
}
COSTS_PROVENANCE = (
    "provisional: engineering defaults of this tool, not from any source; set your own in a costs file (plan --costs FILE)"
)


@dataclass(frozen=True)
class Costs:
    data: dict
    overridden: frozenset = frozenset()  # keys set by the costs file, e.g. ("requirements", id)

    @property
    def unit(self) -> tuple[str, str]:
        return self.data["unit_zh"], self.data["unit_en"]

    def source(self, *key) -> str:
        return "costs_file" if key in self.overridden else "default"

    def requirement(self, rid: str, level: int, grade_values: dict[str, Fraction]) -> dict[str, float]:
        """Cumulative effort from none to each grade id."""
        own = self.data["requirements"].get(rid)
        if isinstance(own, dict):
            return {g: float(own[g]) for g in ("partial", "largely", "full")} | {"none": 0.0}
        full = float(own) if own is not None else float(self.data["requirement_by_level"][level])
        return {g: full * float(v) for g, v in grade_values.items()}

    def scenario(self, sid: str) -> float:
        return float(self.data["scenarios"].get(sid, self.data["scenario"]))

    def kpi(self, kid: str) -> float:
        return float(self.data["kpis"].get(kid, self.data["kpi"]))

    def fact(self, path: str) -> float | None:
        facts = self.data["facts"]
        if path in facts:
            return None if facts[path] is None else float(facts[path])
        return 10.0  # a condition without a default of its own

    def maturity_steps(self, a: int, b: int) -> float:
        return float(sum(self.data["maturity_level"][n] for n in range(a + 1, b + 1)))


def load_costs(path: Path | None = None, *, data: Any = None) -> Costs:
    """Defaults merged with a costs file (YAML or JSON); a bad file is one PlanError line and nothing is used."""
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_COSTS.items()}
    merged.update(requirements={}, scenarios={}, kpis={})
    if path is None and data is None:
        return Costs(merged)
    source = str(path) if path is not None else "costs"
    if path is not None:
        try:
            data = read_document(path)
        except YamlError as exc:
            raise PlanError(str(exc)) from None
    if not isinstance(data, dict):
        raise PlanError(f"{source}: expected a mapping (see the costs file format in the README)")
    try:
        cf = CostsFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith(("function-", "float", "GradeCosts")))
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        raise PlanError(f"{source}: {loc or '-'}: {msg}") from None
    over: set[tuple[Any, ...]] = set()
    for key in ("unit_zh", "unit_en", "scenario", "ai", "kpi", "fact_unknown", "tier_award"):
        v = getattr(cf, key)
        if v is not None:
            merged[key] = v
            over.add((key,))
    for key in ("requirement_by_level", "maturity_level"):
        v = getattr(cf, key)
        if v is not None:
            bad = sorted(set(v) - {1, 2, 3, 4, 5})
            if bad:
                raise PlanError(f"{source}: {key}.{bad[0]}: levels are 1 to 5")
            merged[key] = {**merged[key], **v}
            over |= {(key, n) for n in v}
    for rid, v in cf.requirements.items():
        if isinstance(v, GradeCosts) and not v.partial <= v.largely <= v.full:
            raise PlanError(f"{source}: requirements.{rid}: efforts must not decrease from partial to largely to full")
        merged["requirements"][rid] = v.model_dump() if isinstance(v, GradeCosts) else v
        over.add(("requirements", rid))
    for key in ("scenarios", "kpis", "facts"):
        for k, v in getattr(cf, key).items():
            merged[key][k] = v
            over.add((key, k))
    return Costs(merged, frozenset(over))


def check_costs(costs: Costs, *, edition: MaturityEdition | None, catalogue, kpi_ids: set[str], source: str = "costs") -> None:
    """Ids in the costs file must exist (a typo would silently leave the default in force)."""
    if edition is not None:
        known = edition.requirement_map
        for rid in costs.data["requirements"]:
            if rid not in known:
                raise PlanError(f"{source}: requirements.{rid}: not a requirement of {edition.id}")
    if catalogue is not None:
        for sid in costs.data["scenarios"]:
            if sid not in catalogue.scenarios:
                raise PlanError(f"{source}: scenarios.{sid}: not a scenario of {catalogue.id}")
    for kid in costs.data["kpis"]:
        if kid not in kpi_ids:
            raise PlanError(f"{source}: kpis.{kid}: unknown KPI")
    for path in costs.data["facts"]:
        head, _, name = path.partition(".")

        models: dict[str, type[BaseModel]] = {"compliance": Compliance, "enterprise": Enterprise}
        model = models.get(head)
        if model is None or name not in model.model_fields:
            raise PlanError(f"{source}: facts.{path}: not a profile fact (compliance.* or enterprise.*)")


# -- results --------------------------------------------------------------------------------------------------------


class PlanItem(Frozen):
    kind: str  # requirement | maturity_level | scenario | ai | kpi | fact | tier_award
    id: str
    name_zh: str
    name_en: str
    from_value: Any = None
    to_value: Any = None
    effort: float
    cost_source: str  # default | costs_file
    milestone: str
    because: list[str] = []  # the rules or level constraints that need it
    level: int | None = None  # requirement level
    assumption: str | None = None  # set when the plan assumes a fact it cannot know


class Milestone(Frozen):
    id: str  # tier id, L<n> or programme id
    name_zh: str
    name_en: str
    items: int
    effort: float
    cumulative_effort: float
    earliest_round: int | None = None  # tiers are awarded in yearly rounds: the earliest year this can be declared
    reached: dict[str, Any] = {}  # level, tier, eligible after this milestone (verified with the engine)


class Blocker(Frozen):
    rule: str
    fact: str | None
    observed: Any
    required: Any
    message_zh: str
    message_en: str


class Plan(Frozen):
    target: str
    target_kind: str  # maturity | tier | programme
    target_name_zh: str
    target_name_en: str
    edition: str | None  # the tier or declarations edition of the target
    reachable: bool
    verified: bool  # the planned profile reaches the target under the engine
    exact: bool
    method: str
    fallback_reason: str | None = None
    unit_zh: str
    unit_en: str
    total_effort: float
    items: list[PlanItem]
    milestones: list[Milestone]
    blockers: list[Blocker] = []
    advisories: list[str] = []  # advisory rules not met at the target (not costed: how they are judged is not known)
    before: dict[str, Any]
    after: dict[str, Any]
    problem_size: dict[str, int]
    solve_seconds: float
    cost_provenance: str = COSTS_PROVENANCE


# -- targets ---------------------------------------------------------------------------------------------------------

TIER_ALIASES = {**{t: t for t in TIERS}, **{TIER_ZH[t]: t for t in TIERS}}


@dataclass(frozen=True)
class Target:
    kind: str  # maturity | tier | programme
    value: Any  # level int, tier id, programme id
    edition: str | None = None  # tier edition for tiers; declarations edition for programmes


def parse_target(
    text: str, profile: Profile | None, root: Path = DEFAULT_ROOT, declarations: str = DECLARATIONS_EDITION
) -> Target:
    t = (text or "").strip()
    if len(t) == 2 and t[0] in "Ll" and t[1] in "12345":
        return Target("maturity", int(t[1]))
    if t in TIER_ALIASES:
        if profile is None:
            raise PlanError(f"target {t!r} is a tier: give a profile, not an answers file")
        return Target("tier", TIER_ALIASES[t], profile.tier_edition)

    decl = load_declarations(declarations, root)
    if t in decl.programmes:
        if profile is None:
            raise PlanError(f"target {t!r} is a declaration programme: give a profile, not an answers file")
        return Target("programme", t, declarations)
    raise PlanError(
        f"unknown target {text!r}: use L1..L5, basic|advanced|excellent|leading or a programme id ({', '.join(decl.programmes)})"
    )


# -- the planning state ----------------------------------------------------------------------------------------------


@dataclass
class _Maturity:
    """Where the profile's maturity level comes from."""

    kind: str  # answers | stated | none
    field: str | None = None  # certified_level | self_assessed_level | level (stated)
    level: int = 0
    answers: Answers | None = None
    edition: MaturityEdition | None = None


def _maturity_of(profile: Profile | None, answers: Answers | None, edition: MaturityEdition | None, root: Path) -> _Maturity:
    if profile is None:
        assert answers is not None and edition is not None  # plan() gives both when there is no profile
        return _Maturity("answers", level=score(answers, edition).level, answers=answers, edition=edition)
    m = profile.maturity
    if m is None:
        return _Maturity("none")
    if m.certified_level is not None:
        return _Maturity("stated", "certified_level", m.certified_level)
    if m.answers is not None or m.answers_file is not None:
        if m.answers_file:
            ans, ed = read_answers_file(Path(m.answers_file), root=root)
        else:
            industry = m.industry or profile.enterprise.industry_type
            if industry is None:
                raise PlanError("profile: maturity.industry: needed to plan from maturity answers")
            ans, ed = parse_answers(
                {"edition": m.edition, "industry": industry, "answers": m.answers}, root=root, source="profile maturity.answers"
            )
        return _Maturity("answers", level=score(ans, ed).level, answers=ans, edition=ed)
    if m.self_assessed_level is not None:
        return _Maturity("stated", "self_assessed_level", m.self_assessed_level)
    if m.level is not None:
        return _Maturity("stated", "level", m.level)
    return _Maturity("none")


# -- maturity: the integer program -------------------------------------------------------------------------------------


@dataclass
class _MatModel:
    edition: MaturityEdition
    answers: Answers
    levels: tuple[int, ...]
    thr: Fraction
    bands: dict[int, Fraction]
    rule: str
    reqs: list  # applicable, non-N/A requirements
    weight: dict[str, Fraction]  # exact effective weight in X_level
    value0: dict[str, Fraction]
    x0: dict[int, Fraction]
    grade_values: dict[str, Fraction]


def _mat_model(answers: Answers, edition: MaturityEdition) -> _MatModel:

    c = compile_model(edition, answers.industry)
    values = edition.grade_values()
    missing = edition.scoring.not_assessed.counts_as
    nsub = len(c.tiers[0].ids)
    weight, value0 = {}, {}
    x0: dict[int, Fraction] = {}
    for n in c.levels:
        counts = [0] * nsub
        for r, j in zip(c.reqs, c.req_sub):
            if r.level == n and answers.grades.get(r.id) != NA:
                counts[j] += 1
        _, _, effs = _propagate(c, [Fraction(1) if counts[j] else None for j in range(nsub)])
        x = Fraction(0)
        for r, j in zip(c.reqs, c.req_sub):
            g = answers.grades.get(r.id)
            if r.level != n or g == NA:
                continue
            weight[r.id] = effs[0][j] / counts[j]
            value0[r.id] = missing if g is None else values[g]
            x += weight[r.id] * value0[r.id]
        x0[n] = x
    reqs = [r for r in c.reqs if r.id in weight]
    return _MatModel(
        edition,
        answers,
        c.levels,
        edition.scoring.threshold,
        {b.level: b.min for b in edition.scoring.bands},
        edition.scoring.level_rule,
        reqs,
        weight,
        value0,
        x0,
        values,
    )


@dataclass
class _Option:
    rid: str
    level: int
    grade: str
    coef: Fraction  # added to X_level
    cost: float


def _options(mm: _MatModel, costs: Costs, restrict: dict[str, str] | None = None) -> list[_Option]:
    out = []
    for r in mm.reqs:
        cur = mm.answers.grades.get(r.id)
        table = costs.requirement(r.id, r.level, mm.grade_values)
        base = table.get(cur, 0.0) if cur is not None else 0.0
        for g, v in mm.grade_values.items():
            if v <= mm.value0[r.id] or (restrict is not None and restrict.get(r.id) != g):
                continue
            out.append(_Option(r.id, r.level, g, mm.weight[r.id] * (v - mm.value0[r.id]), max(0.0, table[g] - base)))
    return out


@dataclass
class _Solved:
    grades: dict[str, str]  # requirement -> new grade
    cost: float
    exact: bool
    note: str | None = None
    variables: int = 0
    constraints: int = 0


def _reached(mm: _MatModel, grades: dict[str, str]) -> int:

    return score(Answers(mm.answers.edition, mm.answers.industry, {**mm.answers.grades, **grades}), mm.edition).level


def _rows_for(mm: _MatModel, target: int, m: int) -> list[tuple[list[int], Fraction]] | None:
    """Constraint rows (levels summed, right-hand side) for gate level m: each row says sum of X over its levels >= rhs."""
    top = len(mm.levels)
    rows = [([n], mm.thr) for n in range(1, m + 1)]
    if mm.rule == "band":
        span = list(range(1, min(m + 1, top) + 1))
        if len(span) < mm.bands.get(target, Fraction(0)):  # even all fully met would not reach the band
            return None
        rows.append((span, mm.bands[target]))
    return rows


def solve_maturity(
    mm: _MatModel, target: int, costs: Costs, *, restrict: dict[str, str] | None = None, force_heuristic: str | None = None
) -> _Solved | None:
    """The cheapest grades reaching ``target``; None when it cannot be reached (e.g. N/A leaves too little)."""
    if _reached(mm, {}) >= target:
        return _Solved({}, 0.0, True)
    opts = [o for o in _options(mm, costs, restrict) if o.level <= min(target + 1, len(mm.levels))]
    reason = force_heuristic
    if reason is None:
        try:
            import scipy.optimize  # noqa: F401
        except ImportError:
            reason = "scipy is not installed"
    if reason is None and len(opts) > MAX_VARIABLES:
        reason = f"{len(opts)} variables exceed {MAX_VARIABLES}"
    if reason is None:
        gates = [target] if mm.rule == "gate" else list(range(0, len(mm.levels) + 1))
        best: _Solved | None = None
        nvar = ncon = 0
        timed_out = False
        for m in gates:
            rows = _rows_for(mm, target, m)
            if rows is None:
                continue
            got = _milp_maturity(mm, opts, rows)
            nvar, ncon = max(nvar, got[2]), max(ncon, got[3])
            if got[0] == "timeout":
                timed_out = True
            if got[1] is not None and (best is None or got[1].cost < best.cost - 1e-9):
                best = got[1]
        if best is not None and _reached(mm, best.grades) >= target and not timed_out:
            best.variables, best.constraints = nvar, ncon
            return best
        if best is None and not timed_out:
            return None
        reason = "the solver hit its time limit" if timed_out else "the integer program's answer failed the exact check"
    greedy = _greedy_maturity(mm, opts, target)
    if greedy is not None:
        greedy.note = reason
    return greedy


def _milp_maturity(mm: _MatModel, opts: list[_Option], rows) -> tuple[str, _Solved | None, int, int]:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not opts:
        ok = all(sum((mm.x0[n] for n in lv), Fraction(0)) >= rhs for lv, rhs in rows)
        return ("optimal", _Solved({}, 0.0, True) if ok else None, 0, 0)
    by_req: dict[str, list[int]] = {}
    for i, o in enumerate(opts):
        by_req.setdefault(o.rid, []).append(i)
    coef_rows, rhs = [], []
    for lv, need in rows:
        coef_rows.append([o.coef if o.level in lv else Fraction(0) for o in opts])
        rhs.append(need - sum((mm.x0[n] for n in lv), Fraction(0)))
    den = 1
    for row, r in zip(coef_rows, rhs):
        for q in row + [r]:
            den = math.lcm(den, q.denominator)
    scale = den if den <= 10**12 else None
    A = np.array([[float(q * scale) if scale else float(q) for q in row] for row in coef_rows])
    lb = np.array([float(r * scale) if scale else float(r) for r in rhs])
    groups = [ix for ix in by_req.values() if len(ix) > 1]
    cons = [LinearConstraint(A, lb, np.inf)]
    if groups:
        G = np.zeros((len(groups), len(opts)))
        for k, ix in enumerate(groups):
            G[k, ix] = 1
        cons.append(LinearConstraint(G, -np.inf, 1))
    cvec = np.array([o.cost for o in opts]) + 1e-9  # a zero-effort raise is still only taken when needed
    res = milp(cvec, constraints=cons, integrality=np.ones(len(opts)), bounds=Bounds(0, 1), options={"time_limit": TIME_LIMIT})
    nvar, ncon = len(opts), len(rows) + len(groups)
    if res.status == 2 or res.x is None:
        return ("infeasible" if res.status == 2 else "timeout", None, nvar, ncon)
    chosen = {}
    for i, v in enumerate(res.x):
        if v > 0.5:
            chosen[opts[i].rid] = opts[i].grade
    cost = sum(o.cost for i, o in enumerate(opts) if res.x[i] > 0.5)
    return ("optimal" if res.status == 0 else "timeout", _Solved(chosen, cost, res.status == 0), nvar, ncon)


def _greedy_maturity(mm: _MatModel, opts: list[_Option], target: int) -> _Solved | None:
    """Heuristic: take the raise with the best deficit reduction per effort until the level is reached, then drop
    every raise that is not needed (most expensive first)."""
    top = len(mm.levels)
    x = dict(mm.x0)
    cur_val = dict(mm.value0)
    chosen: dict[str, str] = {}

    def deficit(xs):
        d = sum(max(Fraction(0), mm.thr - xs[n]) for n in range(1, target + 1))
        if mm.rule == "band":
            d += max(Fraction(0), mm.bands[target] - sum(xs[n] for n in range(1, min(target + 1, top) + 1)))
        return d

    for _ in range(len(opts) + 1):
        if _reached(mm, chosen) >= target:
            break
        d0 = deficit(x)
        best, best_ratio = None, None
        for o in opts:
            v = mm.grade_values[o.grade]
            if v <= cur_val[o.rid]:
                continue
            x2 = dict(x)
            x2[o.level] += mm.weight[o.rid] * (v - cur_val[o.rid])
            gain = d0 - deficit(x2)
            if gain <= 0:
                continue
            extra = max(o.cost - sum(p.cost for p in opts if p.rid == o.rid and p.grade == chosen.get(o.rid)), 0.0)
            ratio = gain / Fraction(extra + 1e-6)
            if best_ratio is None or ratio > best_ratio:
                best, best_ratio = o, ratio
        if best is None:
            return None
        x[best.level] += mm.weight[best.rid] * (mm.grade_values[best.grade] - cur_val[best.rid])
        cur_val[best.rid] = mm.grade_values[best.grade]
        chosen[best.rid] = best.grade
    if _reached(mm, chosen) < target:
        return None
    cost_of = {(o.rid, o.grade): o.cost for o in opts}
    for rid in sorted(chosen, key=lambda r: -cost_of[(r, chosen[r])]):
        trial = {k: v for k, v in chosen.items() if k != rid}
        if _reached(mm, trial) >= target:
            chosen = trial
    return _Solved(chosen, sum(cost_of[(r, g)] for r, g in chosen.items()), False, variables=len(opts), constraints=target + 1)


# -- scenarios: the integer program -----------------------------------------------------------------------------------


@dataclass
class _ScenarioNeeds:
    dims: set = field(default_factory=set)
    entries: int = 0
    links: int = 0
    supply_links: int = 0
    beyond: int | None = None
    ai_share: Fraction | None = None
    rules: dict = field(default_factory=dict)  # constraint name -> rule ids

    def empty(self) -> bool:
        return not (
            self.dims or self.entries or self.links or self.supply_links or self.beyond is not None or self.ai_share is not None
        )


@dataclass
class _ScenarioSolved:
    add: list[tuple[str, bool]]  # (scenario id, ai)
    flip: list[int]  # existing instance indexes flagged AI
    cost: float
    exact: bool
    note: str | None = None
    variables: int = 0
    constraints: int = 0


def solve_scenarios(
    profile: Profile, needs: _ScenarioNeeds, costs: Costs, root: Path, *, restrict: tuple[set, set, set] | None = None
) -> _ScenarioSolved | None:
    """The cheapest scenarios to add (and AI flags) meeting ``needs``; ``restrict`` limits the choice to a plan's
    (scenario ids added, ids added with AI, instance indexes flipped)."""
    import numpy as np

    ctx = _facts_context(profile, root)
    cat = load_catalogue(profile.scenarios.catalogue, root)
    links = cat.links
    found = (cat.find(i.scenario) for i in profile.scenarios.instances if i.scenario != "custom")
    present = {s.id for s in found if s is not None}  # build_context above refused a scenario not in the catalogue
    cands = [s for s in cat.data.scenarios if s.id not in present and (restrict is None or s.id in restrict[0])]
    flips = [i for i, inst in enumerate(profile.scenarios.instances) if not inst.ai and (restrict is None or i in restrict[2])]
    n0, ai0 = ctx.instances, ctx.ai_instances
    link_need = max(needs.links, needs.beyond + 1 if needs.beyond is not None else 0)
    supply_need = max(needs.supply_links, 1 if needs.beyond is not None else 0)
    open_links = sorted({s.link for s in cands} - ctx.links) if link_need > len(ctx.links) else []
    open_supply = (
        sorted({s.link for s in cands if links[s.link].supply_chain} - ctx.supply_links)
        if supply_need > len(ctx.supply_links)
        else []
    )
    ai_cands = [s for s in cands if restrict is None or s.id in restrict[1]]
    # variables: x (add) | a (add with AI) | f (flip) | z (link covered) | zs (supply link covered)
    nx, na_, nf, nz, nzs = len(cands), len(ai_cands), len(flips), len(open_links), len(open_supply)
    N = nx + na_ + nf + nz + nzs
    ix = {s.id: k for k, s in enumerate(cands)}
    ia = {s.id: nx + k for k, s in enumerate(ai_cands)}
    rows, lbs, ubs = [], [], []

    def row(entries: Mapping[int, float], lb: float, ub: float = np.inf):
        r = np.zeros(N)
        for k, v in entries.items():
            r[k] += v
        rows.append(r)
        lbs.append(lb)
        ubs.append(ub)

    for s in ai_cands:
        row({ia[s.id]: 1, ix[s.id]: -1}, -np.inf, 0)
    for d in sorted(needs.dims - ctx.scenario_dims):
        members = {ix[s.id]: 1 for s in cands if cat.dimension_of(s.id) == d}
        if not members:
            return None
        row(members, 1)
    entries = max(needs.entries, 1 if needs.ai_share is not None else 0)
    if entries > n0:
        row({k: 1 for k in range(nx)}, entries - n0)
    if link_need > len(ctx.links):
        for k, link in enumerate(open_links):
            row({nx + na_ + nf + k: 1, **{ix[s.id]: -1 for s in cands if s.link == link}}, -np.inf, 0)
        row({nx + na_ + nf + k: 1 for k in range(nz)}, link_need - len(ctx.links))
    if supply_need > len(ctx.supply_links):
        base = nx + na_ + nf + nz
        for k, link in enumerate(open_supply):
            row({base + k: 1, **{ix[s.id]: -1 for s in cands if s.link == link}}, -np.inf, 0)
        row({base + k: 1 for k in range(nzs)}, supply_need - len(ctx.supply_links))
    if needs.ai_share is not None:
        p = needs.ai_share
        entries_ai = {ia[s.id]: p.denominator for s in ai_cands}
        entries_ai.update({nx + na_ + k: p.denominator for k in range(nf)})
        for s in cands:
            entries_ai[ix[s.id]] = entries_ai.get(ix[s.id], 0) - p.numerator
        row(entries_ai, p.numerator * n0 - p.denominator * ai0)
    cost = np.zeros(N)
    for s in cands:
        cost[ix[s.id]] = costs.scenario(s.id)
    for s in ai_cands:
        cost[ia[s.id]] = costs.data["ai"]
    cost[nx + na_ : nx + na_ + nf] = costs.data["ai"]
    cost += 1e-6 * np.arange(1, N + 1) / N if N else 0  # deterministic tie-break: earlier catalogue entries first
    if not rows:
        return _ScenarioSolved([], [], 0.0, True)
    if N == 0:
        return None if any(lb > 0 for lb in lbs) else _ScenarioSolved([], [], 0.0, True)
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
    except ImportError:
        return _greedy_scenarios(profile, needs, costs, root, cands, flips, "scipy is not installed")
    res = milp(
        cost,
        constraints=[LinearConstraint(np.array(rows), np.array(lbs), np.array(ubs))],
        integrality=np.ones(N),
        bounds=Bounds(0, 1),
        options={"time_limit": TIME_LIMIT},
    )
    if res.x is None:
        if res.status == 2:
            return None
        return _greedy_scenarios(profile, needs, costs, root, cands, flips, "the solver hit its time limit")
    x = res.x > 0.5
    add = [(s.id, bool(s.id in ia and x[ia[s.id]])) for s in cands if x[ix[s.id]]]
    flip = [i for k, i in enumerate(flips) if x[nx + na_ + k]]
    total = sum(costs.scenario(s) + (costs.data["ai"] if ai else 0) for s, ai in add) + len(flip) * costs.data["ai"]
    return _ScenarioSolved(add, flip, total, res.status == 0, variables=N, constraints=len(rows))


def _greedy_scenarios(profile, needs, costs, root, cands, flips, reason) -> _ScenarioSolved | None:
    """Heuristic: cover missing dimensions, then links, then entries with the cheapest scenarios, then AI flags."""
    ctx = _facts_context(profile, root)
    cat = load_catalogue(profile.scenarios.catalogue, root)
    links = cat.links
    dims, covered, supply = set(ctx.scenario_dims), set(ctx.links), set(ctx.supply_links)
    add: list[str] = []
    pool = sorted(cands, key=lambda s: costs.scenario(s.id))

    def take(pred):
        for s in pool:
            if s.id not in add and pred(s):
                add.append(s.id)
                dims.add(cat.dimension_of(s.id))
                covered.add(s.link)
                if links[s.link].supply_chain:
                    supply.add(s.link)
                return True
        return False

    for d in sorted(needs.dims - dims):
        if not take(lambda s, d=d: cat.dimension_of(s.id) == d):
            return None
    link_need = max(needs.links, needs.beyond + 1 if needs.beyond is not None else 0)
    supply_need = max(needs.supply_links, 1 if needs.beyond is not None else 0)
    while len(supply) < supply_need:
        if not take(lambda s: links[s.link].supply_chain and s.link not in supply):
            return None
    while len(covered) < link_need:
        if not take(lambda s: s.link not in covered):
            return None
    while ctx.instances + len(add) < max(needs.entries, 1 if needs.ai_share is not None else 0):
        if not take(lambda s: True):
            return None
    flip, ai_new = [], []
    if needs.ai_share is not None:
        total = ctx.instances + len(add)
        want = math.ceil(needs.ai_share * total) - ctx.ai_instances
        for i in flips:
            if want <= 0:
                break
            flip.append(i)
            want -= 1
        for s in add:
            if want <= 0:
                break
            ai_new.append(s)
            want -= 1
        if want > 0:
            return None
    out = [(s, s in ai_new) for s in add]
    total_cost = sum(costs.scenario(s) + (costs.data["ai"] if ai else 0) for s, ai in out) + len(flip) * costs.data["ai"]
    return _ScenarioSolved(out, flip, total_cost, False, note=reason, variables=len(cands), constraints=0)


# -- profile edits ------------------------------------------------------------------------------------------------------


def _set_path(doc: dict, path: str, value: Any) -> None:
    head, _, name = path.partition(".")
    doc.setdefault(head, {})[name] = value


def _fix_value(rule: Rule) -> Any:
    """The value a failing fact rule asks for (the first acceptable one for in/not_in)."""
    if rule.op in ("eq", "gte", "lte"):
        return rule.value
    if rule.op == "in":
        return rule.value[0]
    if rule.op == "ne":
        return not rule.value if isinstance(rule.value, bool) else None
    return None


def profile_doc(profile: Profile) -> dict:
    return profile.model_dump(mode="json", exclude_defaults=False)


# -- the planner ---------------------------------------------------------------------------------------------------


@dataclass
class _Stage:
    id: str
    name_zh: str
    name_en: str
    rules: list[Rule]  # gating rules to meet (union with earlier stages)
    maturity: int  # level needed (0 = none)
    award: str | None = None  # tier obtained after this stage (for the next one's prior_tier)
    check: Any = None  # callable(profile) -> (met: bool, summary: dict)


def _stages(target: Target, profile: Profile | None, mat: _Maturity, root: Path) -> list[_Stage]:
    if target.kind == "maturity":
        start = mat.level if mat.kind != "none" else 0
        return [_Stage(f"L{n}", LEVEL_ZH[n], f"Maturity level {n}", [], n) for n in range(start + 1, target.value + 1)] or [
            _Stage(f"L{target.value}", LEVEL_ZH[target.value], f"Maturity level {target.value}", [], target.value)
        ]

    stages: list[_Stage] = []
    tier_edition: str | None = None
    tier_goal: str | None = None
    if target.kind == "tier":
        tier_edition, tier_goal = target.edition, target.value
    else:
        decl = load_declarations(target.edition, root)
        prog_rules = decl.effective_rules(target.value)
        for r in prog_rules:
            if r.kind == Kind.tier_met and r.gating:
                tier_edition, tier_goal = r.edition, r.value
    if tier_edition is not None:
        assert tier_goal is not None  # set with the edition: the target's tier or the tier_met rule's value
        ed = load_tier_edition(tier_edition, root)
        order = [t.id for t in ed.tiers]
        for t in ed.tiers[: order.index(tier_goal) + 1]:
            rules = [r for r in ed.effective_rules(t.id) if r.gating]
            need = max([r.value for r in rules if r.kind == Kind.maturity_min and not r.or_fact] or [0])
            stages.append(_Stage(t.id, t.name_zh, t.name_en, rules, need, award=None if t.id == tier_goal else t.id))
    if target.kind == "programme":
        decl = load_declarations(target.edition, root)
        p = decl.programmes[target.value]
        rules = [r for r in decl.effective_rules(p.id) if r.gating and r.kind != Kind.tier_met]
        need = max([r.value for r in rules if r.kind == Kind.maturity_min and not r.or_fact] + [0])
        prev = stages[-1].maturity if stages else 0
        stages.append(_Stage(p.id, p.name_zh, p.name_en, rules, max(need, prev)))
    # every stage must keep what earlier stages need (tiers are cumulative; a programme keeps its tier)
    acc: dict[str, Rule] = {}
    for s in stages:
        for r in s.rules:
            acc[r.id] = r
        s.rules = list(acc.values())
        s.maturity = max([s.maturity] + [x.maturity for x in stages[: stages.index(s)]])
    return stages


def _facts_context(profile: Profile, root: Path) -> Context:
    """The profile's facts and scenario coverage for rules that look at nothing else (its maturity is left out)."""
    return build_context(profile.model_copy(update={"maturity": None}), load_catalogue(profile.scenarios.catalogue, root))


def _evaluate(target: Target, profile: Profile | None, answers_doc: dict | None, root: Path, stage: _Stage | None = None):
    """(met, summary) of the target (or a stage of it) on a planned profile, with the real engine."""

    if profile is None:
        ans, ed = parse_answers(answers_doc, root=root, source="planned answers")
        res = score(ans, ed)
        goal = int(stage.id[1:]) if stage else target.value
        return res.level >= goal, {"level": res.level, "score": res.score}
    ev = evaluate_profile(
        profile,
        tier_edition=target.edition if target.kind == "tier" else None,
        declarations=target.edition if target.kind == "programme" and target.edition else DECLARATIONS_EDITION,
        root=root,
    )
    summary: dict[str, Any] = {"level": ev.tiers.maturity_level}
    if target.kind == "maturity":
        goal = int(stage.id[1:]) if stage else target.value
        return (ev.tiers.maturity_level or 0) >= goal, summary
    tier_edition = target.edition if target.kind == "tier" else None
    if target.kind == "programme":
        for r in load_declarations(target.edition, root).effective_rules(target.value):
            if r.kind == Kind.tier_met:
                tier_edition = r.edition
    met = True
    if tier_edition:
        tr = ev.tier_results[tier_edition]
        summary["tier"] = tr.tier
        goal_tier = stage.id if stage is not None and stage.id in TIERS else (target.value if target.kind == "tier" else None)
        if goal_tier:
            met = tr.tiers[goal_tier].met and all(tr.tiers[t].met for t in TIERS[: TIERS.index(goal_tier)] if t in tr.tiers)
    if target.kind == "programme" and (stage is None or stage.id == target.value):
        summary["eligible"] = ev.declarations.programmes[target.value].met
        met = ev.declarations.programmes[target.value].met
    return met, summary


def _accepts(rule: Rule, value: Any) -> bool:
    """Whether ``value`` of the rule's fact meets ``rule`` (a legal-entity rule asks for a legal person)."""

    if rule.kind == Kind.legal_entity:
        return value is True
    try:
        return _cmp(rule.op, value, rule.value)
    except TypeError:
        return False


def _facts_needed(profile: Profile, rules: list[Rule], costs: Costs, root: Path) -> tuple[dict, list[Blocker]]:
    """The facts to set: path -> (the rules on that path, in stage order; value; effort; cost source).

    Several tiers can ask for the same fact (e.g. standing: domestic leading for 卓越级, global leading for 领航级):
    the value chosen meets every rule on the path, and the item belongs to the first stage with a rule on it."""

    ctx = _facts_context(profile, root)
    by_path: dict[str, list[tuple[Rule, Any]]] = {}
    for r in rules:
        if r.kind not in (Kind.fact, Kind.legal_entity):
            continue
        path = r.fact if r.kind == Kind.fact else "enterprise.legal_person"
        assert path is not None  # a fact rule names its fact (Rule._shape)
        by_path.setdefault(path, []).append((r, evaluate_rule(r, ctx)))
    out, blockers = {}, []
    for path, checks in by_path.items():
        failing = [(r, c) for r, c in checks if not c.met]
        if not failing:
            continue
        on_path = [r for r, _ in checks]
        wanted = [_fix_value(r) if r.kind == Kind.fact else True for r, _ in reversed(failing)]  # strictest (last) first
        value = next((v for v in wanted if v is not None and all(_accepts(r, v) for r in on_path)), None)
        observed = profile.fact(path)
        if observed is None and value is not None:
            out[path] = (on_path, value, float(costs.data["fact_unknown"]), costs.source("fact_unknown"))
            continue
        effort = costs.fact(path)
        if effort is None or value is None:
            r, c = failing[-1]
            blockers.append(
                Blocker(
                    rule=r.id,
                    fact=path,
                    observed=c.observed,
                    required=c.required,
                    message_zh=r.message_zh,
                    message_en=r.message_en,
                )
            )
            continue
        out[path] = (on_path, value, effort, costs.source("facts", path))
    return out, blockers


def _scenario_needs(rules: list[Rule]) -> _ScenarioNeeds:
    n = _ScenarioNeeds()
    for r in rules:
        if r.kind == Kind.dimensions:
            n.dims |= set(r.value)
        elif r.kind == Kind.scenario_entries:
            n.entries = max(n.entries, r.value)
        elif r.kind == Kind.links_covered:
            n.links = max(n.links, r.value)
        elif r.kind == Kind.supply_chain_links:
            n.supply_links = max(n.supply_links, r.value)
        elif r.kind == Kind.supply_chain_beyond:
            n.beyond = max(n.beyond or 0, r.value)
        elif r.kind == Kind.ai_share:
            p = Fraction(str(r.value))
            n.ai_share = p if n.ai_share is None else max(n.ai_share, p)
        else:
            continue
        n.rules.setdefault(r.kind.value, []).append(r.id)
    return n


def _scenario_unmet(profile: Profile, rules: list[Rule], root: Path) -> bool:

    ctx = _facts_context(profile, root)
    kinds = (
        Kind.dimensions,
        Kind.scenario_entries,
        Kind.links_covered,
        Kind.supply_chain_links,
        Kind.supply_chain_beyond,
        Kind.ai_share,
    )
    return any(not evaluate_rule(r, ctx).met for r in rules if r.kind in kinds)


def _apply(
    doc: dict,
    answers_doc: dict | None,
    *,
    facts=None,
    kpis=None,
    grades=None,
    level_to=None,
    mat=None,
    scen=None,
    catalogue=None,
    awards=None,
    year: int | None = None,
):
    """Apply plan items to a profile document (and the answers document when planning from answers)."""
    for path, value in (facts or {}).items():
        _set_path(doc, path, value)
    for kid in kpis or ():
        doc.setdefault("kpis", {})[kid] = {
            "value": 0.0,
            "period": None,
            "baseline": None,
            "note": "计划：测量并填报 / planned: measure and report",
        }
    if grades:
        if answers_doc is not None:
            answers_doc["answers"].update(grades)
        else:
            m = doc["maturity"]
            m["answers"] = {**(m.get("answers") or {}), **grades}
    if level_to is not None:
        m = doc.setdefault("maturity", {})
        m[(mat.field if mat and mat.kind == "stated" else "self_assessed_level")] = level_to
    if scen is not None:
        inst = doc.setdefault("scenarios", {}).setdefault("instances", [])
        for i in scen.flip:
            inst[i]["ai"] = True
        for sid, ai in scen.add:
            s = catalogue.scenarios[sid]
            inst.append(
                {
                    "scenario": sid,
                    "name": f"计划：{s.name_zh}",
                    "link": None,
                    "ai": ai,
                    "ai_description": None,
                    "supply_chain": None,
                }
            )
    for tier in awards or ():
        doc.setdefault("tiers_obtained", []).append({"tier": tier, "year": year, "edition": None, "certificate_no": None})


def plan(
    source: Profile | Answers,
    target: Target | str,
    *,
    costs: Costs | None = None,
    root: Path = DEFAULT_ROOT,
    edition: MaturityEdition | None = None,
    year: int | None = None,
    force_heuristic: str | None = None,
) -> tuple[Plan, dict]:
    """Plan ``source`` (a profile, or answers with their ``edition``) to ``target``.

    Returns the plan and the planned document: the profile (or answers file) as it would be after the plan.
    """
    from datetime import date

    t0 = time.perf_counter()
    costs = costs or load_costs()
    profile = source if isinstance(source, Profile) else None
    answers = source if isinstance(source, Answers) else None
    if profile is None and edition is None:
        raise PlanError("planning from answers needs their edition")
    if isinstance(target, str):
        target = parse_target(target, profile, root)
    year = year or (profile.year if profile is not None and profile.year else date.today().year)
    mat = _maturity_of(profile, answers, edition, root)
    if profile is not None:
        cat = load_catalogue(profile.scenarios.catalogue, root)
        kpi_ids = set(load_declarations(DECLARATIONS_EDITION, root).kpis)
    else:
        cat, kpi_ids = None, set()
    check_costs(costs, edition=mat.edition, catalogue=cat, kpi_ids=kpi_ids)
    if target.kind == "maturity" and mat.kind == "none" and profile is not None:
        pass  # planned as a stated level below
    stages = _stages(target, profile, mat, root)
    final = stages[-1]
    doc0 = profile_doc(profile) if profile is not None else None
    if doc0 is not None and mat.kind == "answers":  # the planned profile carries its answers inline
        scored = mat.answers
        assert scored is not None  # kind "answers" carries them
        doc0["maturity"].update(answers=dict(scored.grades), answers_file=None, edition=scored.edition, industry=scored.industry)
    ans_doc0 = (
        {"edition": answers.edition, "industry": answers.industry, "answers": dict(answers.grades)}
        if answers is not None
        else None
    )
    before_met, before = _evaluate(target, profile, ans_doc0, root)
    blockers: list[Blocker] = []
    notes: list[str] = []
    exact = True
    size: dict[str, int] = {}

    # -- global choice over the final stage's rules ------------------------------------------------------------------
    facts, fact_blockers = _facts_needed(profile, final.rules, costs, root) if profile is not None else ({}, [])
    blockers += fact_blockers
    kpis: dict[str, tuple[str, float]] = {}
    if profile is not None:
        for r in final.rules:
            if r.kind == Kind.kpis_present:
                for k in r.value:
                    if k not in profile.kpis:
                        kpis.setdefault(k, (r.id, costs.kpi(k)))
    or_rules = [r for r in final.rules if r.kind == Kind.maturity_min and r.or_fact]
    mm: _MatModel | None = None
    if mat.kind == "answers":
        assert mat.answers is not None and mat.edition is not None  # kind "answers" carries both
        mm = _mat_model(mat.answers, mat.edition)
    if mm is not None:
        size.update(requirements=len(mm.reqs))

    def maturity_cost(level: int):
        if level <= (mat.level if mat.kind != "none" else 0):
            return 0.0, {}, None, True, None
        if mm is not None:
            got = solve_maturity(mm, level, costs, force_heuristic=force_heuristic)
            if got is None:
                return None, None, None, True, None
            size.update(
                maturity_variables=max(size.get("maturity_variables", 0), got.variables),
                maturity_constraints=max(size.get("maturity_constraints", 0), got.constraints),
            )
            return got.cost, got.grades, None, got.exact, got.note
        start = mat.level if mat.kind == "stated" else 0
        return costs.maturity_steps(start, level), {}, level, False, "no maturity answers: one estimated effort per level"

    need = final.maturity
    chosen_or: set = set()
    best = maturity_cost(need)
    for r in or_rules:  # the fact instead of the level: cheaper?
        if r.value <= need:
            continue
        with_level = maturity_cost(r.value)
        assert r.or_fact is not None and profile is not None  # or_fact rules come from tier rules, planned on a profile
        fact_value = profile.fact(r.or_fact)
        fact_effort = (
            0.0 if fact_value is True else (float(costs.data["fact_unknown"]) if fact_value is None else costs.fact(r.or_fact))
        )
        if fact_effort is not None and best[0] is not None and (with_level[0] is None or fact_effort + best[0] < with_level[0]):
            if fact_value is not True:
                facts[r.or_fact] = ([r], True, fact_effort, costs.source("facts", r.or_fact))
            chosen_or.add(r.id)
        else:
            need, best = r.value, with_level
    m_cost, m_grades, m_level_to, m_exact, m_note = best
    if m_cost is None:
        blockers.append(
            Blocker(
                rule="maturity",
                fact=None,
                observed=mat.level,
                required=need,
                message_zh=f"成熟度无法达到{need}级（不适用项过多）",
                message_en=f"maturity level {need} cannot be reached (too much is N/A)",
            )
        )
        m_grades = {}
    exact &= m_exact
    if m_note:
        notes.append(f"maturity: {m_note}")
    scen = None
    if profile is not None:
        scen_rules = final.rules
        if _scenario_unmet(profile, scen_rules, root):
            scen = solve_scenarios(profile, _scenario_needs(scen_rules), costs, root)
            if scen is None:
                blockers.append(
                    Blocker(
                        rule="scenarios",
                        fact=None,
                        observed=None,
                        required=None,
                        message_zh="场景要求无法由本指引的场景满足",
                        message_en="the scenario rules cannot be met from this catalogue",
                    )
                )
            else:
                exact &= scen.exact
                if scen.note:
                    notes.append(f"scenarios: {scen.note}")
                size.update(scenario_variables=scen.variables, scenario_constraints=scen.constraints)
    if mm is not None:
        size.setdefault("maturity_variables", 0)

    # -- milestones: the subset each stage needs, in order ----------------------------------------------------------
    items: list[PlanItem] = []
    milestones: list[Milestone] = []
    doc = doc0 if doc0 is not None else {}  # used only when planning a profile
    ans_doc = ans_doc0
    cur_profile = profile
    done_grades: dict[str, str] = {}
    done_facts: set = set()
    done_kpis: set = set()
    done_scen_add: set = set()
    done_flip: set = set()
    cumulative = 0.0
    awards_done: set = {t.tier for t in profile.tiers_obtained} if profile is not None else set()
    ranks = {t: i for i, t in enumerate(TIERS)}
    held_rank = max([ranks[t] for t in awards_done] + [-1])
    round_year = year
    for si, st in enumerate(stages):
        stage_items: list[PlanItem] = []
        # facts first stage whose rules need them
        stage_rule_ids = {r.id for r in st.rules}
        st_facts = {p: v for p, v in facts.items() if any(r.id in stage_rule_ids for r in v[0]) and p not in done_facts}
        for path, (rules_on_path, value, effort, src) in st_facts.items():
            rule = rules_on_path[-1]  # the strictest rule on the path: the one the chosen value answers
            observed = cur_profile.fact(path) if cur_profile is not None else None
            stage_items.append(
                PlanItem(
                    kind="fact",
                    id=path,
                    name_zh=f"{rule.message_zh}",
                    name_en=rule.message_en,
                    from_value=observed,
                    to_value=value,
                    effort=effort,
                    cost_source=src,
                    milestone=st.id,
                    because=[r.id for r in rules_on_path],
                    assumption=(
                        "未提供：请如实填写；若实际不是该值，目标不可达 / not given: record the true value; if it is "
                        "not this, the target cannot be reached"
                    )
                    if observed is None
                    else None,
                )
            )
            done_facts.add(path)
        # KPIs
        for kid, (rid, effort) in kpis.items():
            if rid in stage_rule_ids and kid not in done_kpis:
                stage_items.append(
                    PlanItem(
                        kind="kpi",
                        id=kid,
                        name_zh=f"测量并填报成效指标 {kid}",
                        name_en=f"measure and report KPI {kid}",
                        from_value=None,
                        to_value="reported",
                        effort=effort,
                        cost_source=costs.source("kpis", kid),
                        milestone=st.id,
                        because=[rid],
                    )
                )
                done_kpis.add(kid)
        # maturity: the cheapest part of the global choice that reaches this stage's level
        stage_grades: dict[str, str] = {}
        level_to = None
        if st.maturity and (mm is not None or m_level_to is not None):
            if mm is not None and m_grades:
                cur_answers = Answers(mm.answers.edition, mm.answers.industry, {**mm.answers.grades, **done_grades})
                sub = _mat_model(cur_answers, mm.edition)
                left = {r: g for r, g in m_grades.items() if r not in done_grades}
                got = (
                    solve_maturity(sub, st.maturity, costs, restrict=left, force_heuristic=force_heuristic)
                    if si < len(stages) - 1
                    else _Solved(left, 0.0, True)
                )
                if got is None:  # cannot happen: the global choice reaches the final level, which is at least this one
                    got = _Solved(left, 0.0, False)
                stage_grades = got.grades
            elif (
                m_level_to is not None
                and st.maturity > (mat.level if mat.kind == "stated" else 0)
                and not any(i.kind == "maturity_level" for i in items)
            ):
                level_to = m_level_to
        if si == len(stages) - 1 and mm is not None:
            stage_grades = {**stage_grades, **{r: g for r, g in m_grades.items() if r not in done_grades}}
        req_map = mm.edition.requirement_map if mm is not None else {}
        table_cache: dict[str, dict[str, float]] = {}
        for rid in sorted(stage_grades, key=lambda r: (req_map[r].level, r)):
            assert mm is not None  # grades are planned only from answers
            req = req_map[rid]
            g = stage_grades[rid]
            cur = mm.answers.grades.get(rid)
            table = table_cache.setdefault(rid, costs.requirement(rid, req.level, mm.grade_values))
            effort = max(0.0, table[g] - (table.get(cur, 0.0) if cur else 0.0))
            stage_items.append(
                PlanItem(
                    kind="requirement",
                    id=rid,
                    name_zh=req.text_zh,
                    name_en=req.text_en,
                    from_value=cur,
                    to_value=g,
                    effort=round(effort, 4),
                    cost_source=costs.source("requirements", rid)
                    if costs.source("requirements", rid) == "costs_file"
                    else costs.source("requirement_by_level", req.level),
                    milestone=st.id,
                    because=[f"maturity>={st.maturity}"],
                    level=req.level,
                )
            )
        done_grades.update(stage_grades)
        if level_to is not None:
            start = mat.level if mat.kind == "stated" else 0
            stage_items.append(
                PlanItem(
                    kind="maturity_level",
                    id=f"L{level_to}",
                    name_zh=f"成熟度提升至{LEVEL_ZH[level_to]}",
                    name_en=f"raise maturity to level {level_to}",
                    from_value=start,
                    to_value=level_to,
                    effort=costs.maturity_steps(start, level_to),
                    cost_source=costs.source("maturity_level", level_to),
                    milestone=st.id,
                    because=[f"maturity>={need}"],
                    assumption="无答案，按每级估算工作量 / no answers: estimated per level",
                )
            )
        # scenarios: the cheapest part of the global choice that meets this stage's scenario rules
        stage_scen = None
        if scen is not None and profile is not None:
            planned_now = parse_profile(_clean(doc), "planned profile")
            if _scenario_unmet(planned_now, st.rules, root):
                left_add = {s for s, _ in scen.add} - done_scen_add
                left_ai = {s for s, ai in scen.add if ai} - done_scen_add
                left_flip = set(scen.flip) - done_flip
                if si < len(stages) - 1:
                    stage_scen = solve_scenarios(
                        planned_now, _scenario_needs(st.rules), costs, root, restrict=(left_add, left_ai, left_flip)
                    )
                    if stage_scen is not None:  # a scenario added now keeps the AI flag the global choice gave it
                        stage_scen = _ScenarioSolved(
                            [(s, s in left_ai) for s, _ in stage_scen.add], stage_scen.flip, 0.0, stage_scen.exact
                        )
                if stage_scen is None:
                    stage_scen = _ScenarioSolved([(s, ai) for s, ai in scen.add if s in left_add], sorted(left_flip), 0.0, True)
            if si == len(stages) - 1:  # the final stage takes whatever is left
                have = {s for s, _ in (stage_scen.add if stage_scen else [])}
                rest = [(s, ai) for s, ai in scen.add if s not in done_scen_add and s not in have]
                rest_flip = sorted(set(scen.flip) - done_flip - set(stage_scen.flip if stage_scen else []))
                if rest or rest_flip:
                    stage_scen = _ScenarioSolved(
                        (stage_scen.add if stage_scen else []) + rest,
                        (stage_scen.flip if stage_scen else []) + rest_flip,
                        0.0,
                        True,
                    )
        if stage_scen is not None:
            assert profile is not None and cat is not None  # scenarios are planned only on a profile
            # instance indexes refer to the original profile's instances (added ones are appended after them)
            for i in stage_scen.flip:
                inst = profile.scenarios.instances[i]
                stage_items.append(
                    PlanItem(
                        kind="ai",
                        id=f"instance:{i}",
                        name_zh=f"在场景实例「{inst.name or inst.scenario}」中应用人工智能",
                        name_en=f"apply AI in scenario instance {inst.name or inst.scenario!r}",
                        from_value=False,
                        to_value=True,
                        effort=float(costs.data["ai"]),
                        cost_source=costs.source("ai"),
                        milestone=st.id,
                        because=scen_rule_ids(st.rules, "ai_share"),
                    )
                )
            for sid, ai in stage_scen.add:
                s = cat.scenarios[sid]
                stage_items.append(
                    PlanItem(
                        kind="scenario",
                        id=sid,
                        name_zh=f"新增场景：{s.name_zh}" + ("（应用人工智能）" if ai else ""),
                        name_en=f"add scenario: {s.name_en}" + (" (with AI)" if ai else ""),
                        from_value=None,
                        to_value={"dimension": cat.dimension_of(sid), "link": s.link, "ai": ai},
                        effort=costs.scenario(sid) + (float(costs.data["ai"]) if ai else 0.0),
                        cost_source=costs.source("scenarios", sid),
                        milestone=st.id,
                        because=scen_rule_ids(st.rules, None),
                    )
                )
            done_scen_add |= {s for s, _ in stage_scen.add}
            done_flip |= set(stage_scen.flip)
        # apply
        if profile is not None:
            _apply(
                doc,
                None,
                facts={p: v[1] for p, v in st_facts.items()},
                kpis=[i.id for i in stage_items if i.kind == "kpi"],
                grades=stage_grades,
                level_to=level_to,
                mat=mat,
                scen=stage_scen,
                catalogue=cat,
            )
            cur_profile = parse_profile(_clean(doc), "planned profile")
        else:
            _apply({}, ans_doc, grades=stage_grades)
        ok, summary = _evaluate(target, cur_profile, ans_doc, root, stage=st)
        effort = round(sum(i.effort for i in stage_items), 4)
        earliest = None
        if st.id in TIERS:
            earliest = round_year
        # award the tier for the next stage's prior_tier
        if st.award and st.award not in awards_done and ranks[st.award] > held_rank and profile is not None:
            stage_items.append(
                PlanItem(
                    kind="tier_award",
                    id=st.award,
                    name_zh=f"申报并获得{TIER_ZH[st.award]}",
                    name_en=f"apply for and obtain the {st.award} tier",
                    from_value=None,
                    to_value={"tier": st.award, "year": round_year},
                    effort=float(costs.data["tier_award"]),
                    cost_source=costs.source("tier_award"),
                    milestone=st.id,
                    because=[r.id for s2 in stages[si + 1 :] for r in s2.rules if r.kind == Kind.prior_tier][:1],
                )
            )
            _apply(doc, None, awards=[st.award], year=round_year)
            cur_profile = parse_profile(_clean(doc), "planned profile")
            awards_done.add(st.award)
            effort = round(sum(i.effort for i in stage_items), 4)
            round_year += 1
        cumulative = round(cumulative + effort, 4)
        items += stage_items
        summary["met"] = ok
        milestones.append(
            Milestone(
                id=st.id,
                name_zh=st.name_zh,
                name_en=st.name_en,
                items=len(stage_items),
                effort=effort,
                cumulative_effort=cumulative,
                earliest_round=earliest,
                reached=summary,
            )
        )
    if profile is not None:
        final_doc = _clean(doc)
    else:
        assert ans_doc is not None  # planning answers carries their document
        final_doc = ans_doc
    after_met, after = _evaluate(target, cur_profile, ans_doc, root)
    advisories = []
    if profile is not None and target.kind == "tier":
        assert cur_profile is not None  # the planned profile
        tr = evaluate_profile(cur_profile, tier_edition=target.edition, root=root).tiers
        advisories = [f"{c.rule}: {c.message_zh}" for c in tr.tiers[target.value].advisories]
    # a stated-level maturity plan also writes its level into the answers-free profile; name the method honestly
    method = (
        "exact: 0-1 integer programs (scipy.optimize.milp, HiGHS branch and bound) for maturity grades and "
        "scenarios, one maturity program per gate level under the band rule; facts, KPIs and tier awards are "
        "independent items"
    )
    if not exact:
        method = "heuristic: greedy deficit reduction per effort with pruning (" + "; ".join(notes) + ")"
    name_zh, name_en = _target_names(target, root)
    total = round(sum(i.effort for i in items), 4)
    return Plan(
        target=str(target.value if target.kind != "maturity" else f"L{target.value}"),
        target_kind=target.kind,
        target_name_zh=name_zh,
        target_name_en=name_en,
        edition=target.edition,
        reachable=not blockers,
        verified=bool(after_met) and not blockers,
        exact=exact and not blockers,
        method=method,
        fallback_reason="; ".join(notes) or None,
        unit_zh=costs.unit[0],
        unit_en=costs.unit[1],
        total_effort=total,
        items=items,
        milestones=milestones,
        blockers=blockers,
        advisories=advisories,
        before={**before, "met": before_met},
        after={**after, "met": after_met},
        problem_size=size,
        solve_seconds=round(time.perf_counter() - t0, 4),
    ), final_doc


def scen_rule_ids(rules: list[Rule], kind: str | None) -> list[str]:
    kinds = {"dimensions", "scenario_entries", "links_covered", "supply_chain_links", "supply_chain_beyond", "ai_share"}
    return [r.id for r in rules if r.kind.value in kinds and (kind is None or r.kind.value == kind)]


def _clean(doc: dict) -> dict:
    return doc


def _target_names(target: Target, root: Path) -> tuple[str, str]:
    if target.kind == "maturity":
        return f"成熟度{LEVEL_ZH[target.value]}", f"maturity level {target.value}"
    if target.kind == "tier":
        return TIER_ZH[target.value], f"{target.value} tier ({target.edition})"

    p = load_declarations(target.edition, root).programmes[target.value]
    return p.name_zh, p.name_en


# -- documents ----------------------------------------------------------------------------------------------------------


def read_plan_input(path: Path, root: Path = DEFAULT_ROOT) -> tuple[Profile | Answers, MaturityEdition | None]:
    """A profile (has ``enterprise``) or an answers file (``edition``, ``industry``, ``answers``)."""
    try:
        data = read_document(path)
    except YamlError as exc:
        raise PlanError(str(exc)) from None
    if isinstance(data, dict) and "enterprise" not in data and "answers" in data:
        ans, ed = parse_answers(data, root=root, source=str(path))
        return ans, ed
    return read_profile(path), None


def write_planned(doc: dict, path: Path, plan_: Plan) -> None:
    """Write the planned profile or answers file (YAML or JSON by extension), marked as a plan's what-if."""
    import json

    import yaml

    if path.suffix.lower() == ".json":
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    else:
        head = (
            f"# 计划后的假设情形（what-if），非实际情况：目标 {plan_.target_name_zh}，总工作量 {plan_.total_effort:g} {plan_.unit_zh}\n"
            f"# Planned what-if, not the actual state: target {plan_.target_name_en}, total effort "
            f"{plan_.total_effort:g} {plan_.unit_en}\n"
        )
        text = head + yaml.safe_dump(_strip_none(doc), allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def _strip_none(obj):
    if isinstance(obj, dict):
        return {k: _strip_none(v) for k, v in obj.items() if v is not None or k == "answers"}
    if isinstance(obj, list):
        return [_strip_none(v) for v in obj]
    return obj


def render_plan(p: Plan, lang: str = "zh") -> str:
    zh = lang == "zh"
    out = [f"目标 Target: {p.target_name_zh} / {p.target_name_en}" + (f"（{p.edition}）" if p.edition else "")]
    out.append(f"当前 Before: {_summary(p.before)}")
    if not p.reachable:
        out.append("不可达 Not reachable — 无法通过改进解决的条件 / conditions a plan cannot change:")
        for b in p.blockers:
            out.append(
                f"  ✗ {b.rule}: {b.message_zh if zh else b.message_en}（实际 observed: {b.observed}；要求 required: {b.required}）"
            )
    out.append(f"方法 Method: {p.method}")
    out.append("问题规模 Problem size: " + ", ".join(f"{k}={v}" for k, v in p.problem_size.items()) + f"; {p.solve_seconds:.2f}s")
    out.append(f"总工作量 Total effort: {p.total_effort:g} {p.unit_zh} / {p.unit_en}（{COSTS_PROVENANCE}）")
    items_by: dict[str, list[PlanItem]] = {}
    for it in p.items:
        items_by.setdefault(it.milestone, []).append(it)
    for m in p.milestones:
        when = f"；最早申报 earliest round {m.earliest_round}" if m.earliest_round else ""
        out.append(
            f"\n[里程碑 Milestone {m.id} {m.name_zh}] {m.items} 项，{m.effort:g} {p.unit_zh}（累计 {m.cumulative_effort:g}）{when}"
            f" → {_summary(m.reached)}"
        )
        for it in items_by.get(m.id, []):
            out.append("  " + _item_line(it, zh))
    if p.advisories:
        out.append("\n提示项（未计入工作量）Advisories (not costed):")
        out += [f"  ! {a}" for a in p.advisories]
    out.append(f"\n计划后 After: {_summary(p.after)}；{'已验证 verified' if p.verified else '未达到 NOT reached'}")
    return "\n".join(out)


def _summary(s: dict) -> str:
    parts = []
    if s.get("level") is not None:
        parts.append(f"成熟度 {s['level']} 级")
    if "tier" in s:
        parts.append(f"层级 {TIER_ZH.get(s['tier'], s['tier'])}")
    if "eligible" in s:
        parts.append("可申报" if s["eligible"] else "不可申报")
    if "met" in s:
        parts.append("达到 met" if s["met"] else "未达到 not met")
    return "，".join(parts) or "—"


def _item_line(it: PlanItem, zh: bool) -> str:
    name = it.name_zh if zh else it.name_en
    if it.kind == "requirement":
        return f"L{it.level} {it.id}: {GRADE_ZH.get(it.from_value, it.from_value)} → {GRADE_ZH[it.to_value]}  [{it.effort:g}]  {name}"
    extra = f"（{it.assumption}）" if it.assumption else ""
    return f"{it.kind}: {name}  [{it.effort:g}]{extra}"
