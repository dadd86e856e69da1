"""Declaration programmes (示范工厂, 优秀场景, 智慧供应链, 卓越级, 领航级): eligibility with reasons,
recommendation quotas, the KPI catalogue and enterprise size classes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from .editions import DEFAULT_ROOT, disk_cached, resolve
from .loader import Problem, check_unique, load_file, raise_if
from .profile import Profile, ProfileError, Region
from .results import Frozen
from .rules import Check, Context, Kind, Rule, build_context, evaluate, inherited_rules
from .schema import Provenance, Strict
from .tiers import evaluate_tiers, load_tier_edition

Recommender = Literal["province", "separately_planned_city", "bingtuan", "central_soe"]
QuotaBasis = Literal["cumulative_provincial_pilots", "iva_rank", "excellent_count"]


class QuotaRule(Strict):
    recommender: list[Recommender] = Field(min_length=1)
    basis: QuotaBasis | None = None
    min: int | None = None
    max: int | None = None
    value: int = Field(ge=0)
    note: str | None = None


class Programme(Strict):
    id: str = Field(pattern=r"^[a-z_]+_\d{4}$")
    name_zh: str
    name_en: str
    year: int
    type: Literal["demo_factory", "excellent_scenario", "smart_supply_chain", "excellent_tier", "leading_tier"]
    notice: str
    deadline: str | None  # the enterprise's online deadline; null when the notice does not state it
    deadline_ref: str | None = None  # where the dates come from
    recommender_deadline: str | None = None  # the recommenders' online review
    scenario_catalogue: str | None
    inherits: str | None
    rules: list[Rule] = Field(min_length=1)
    quotas: list[QuotaRule]
    quota_provenance: Provenance


class ProgrammesFile(Strict):
    edition: str
    programmes: list[Programme] = Field(min_length=1)


class Kpi(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    unit: str
    direction: Literal["higher", "lower"]
    category: str
    required_by: list[str]
    provenance: Provenance


class KpiFile(Strict):
    edition: str
    kpis: list[Kpi] = Field(min_length=1)


class SizeClass(Strict):
    id: Literal["large", "medium", "small", "micro"]
    name_zh: str
    name_en: str
    employees_min: int = Field(ge=0)
    revenue_min_wan: float = Field(ge=0)


class SizesFile(Strict):
    edition: str
    rule: Literal["both_lower_bounds"]
    micro_rule: Literal["either_below_small"]  # 微型: fewer staff OR less revenue than the small class's bounds
    provenance: Provenance
    classes: list[SizeClass] = Field(min_length=4, max_length=4)


@dataclass(frozen=True, eq=False)
class Declarations:
    id: str
    data: ProgrammesFile
    kpi_file: KpiFile
    sizes: SizesFile

    @property
    def programmes(self) -> dict[str, Programme]:
        return {p.id: p for p in self.data.programmes}

    @property
    def kpis(self) -> dict[str, Kpi]:
        return {k.id: k for k in self.kpi_file.kpis}

    def effective_rules(self, pid: str) -> list[Rule]:
        return inherited_rules(self.programmes, pid)

    def size_class(self, employees: int | None, revenue_wan: float | None) -> str | None:
        """大型/中型/小型/微型: large, medium and small need both lower bounds, otherwise one class down;
        微型 needs only one criterion ("从业人员20人以下或营业收入300万元以下"), so one known figure below the
        small class's bound is enough. Otherwise both figures are needed."""
        small = next(c for c in self.sizes.classes if c.id == "small")
        if (employees is not None and employees < small.employees_min) or (
            revenue_wan is not None and revenue_wan < small.revenue_min_wan
        ):
            return "micro"
        if employees is None or revenue_wan is None:
            return None
        for c in sorted(self.sizes.classes, key=lambda c: -c.employees_min):
            if employees >= c.employees_min and revenue_wan >= c.revenue_min_wan:
                return c.id
        return "micro"  # pragma: no cover - micro has zero bounds

    def rows(self) -> list[dict]:
        return [
            {
                "id": r.id,
                "programme": p.id,
                "kind": r.kind.value,
                "gating": r.gating,
                "value": r.value,
                "message_zh": r.message_zh,
                "message_en": r.message_en,
                "reference": r.reference,
                "provenance": r.provenance.kind.value,
            }
            for p in self.data.programmes
            for r in p.rules
        ]


@lru_cache(maxsize=8)
@disk_cached
def load_declarations(edition: str, root: Path = DEFAULT_ROOT) -> Declarations:
    resolve(edition, "declarations", root)
    problems: list[Problem] = []
    folder = root / edition
    data = load_file(folder / "programmes.yaml", root, ProgrammesFile, problems)
    kpis = load_file(folder / "kpis.yaml", root, KpiFile, problems)
    sizes = load_file(folder / "sizes.yaml", root, SizesFile, problems)
    plabel, klabel = f"criteria/{edition}/programmes.yaml", f"criteria/{edition}/kpis.yaml"
    if data is not None:
        ids = [p.id for p in data.programmes]
        check_unique(plabel, "programme id", ids, problems)
        rule_ids = [r.id for p in data.programmes for r in p.rules]
        check_unique(plabel, "rule id", rule_ids, problems)
        kpi_ids = {k.id for k in kpis.kpis} if kpis else set()
        for p in data.programmes:
            if p.inherits and p.inherits not in ids:
                problems.append(Problem(plabel, p.id, f"inherits unknown programme {p.inherits!r}"))
            else:
                try:
                    inherited_rules({x.id: x for x in data.programmes}, p.id)
                except ValueError as exc:
                    problems.append(Problem(plabel, p.id, str(exc)))
            if p.scenario_catalogue:
                try:
                    resolve(p.scenario_catalogue, "scenarios", root)
                except KeyError as exc:
                    problems.append(Problem(plabel, p.id, str(exc.args[0])))
            for r in p.rules:
                if r.replaces and r.replaces not in rule_ids:
                    problems.append(Problem(plabel, r.id, f"replaces unknown rule {r.replaces!r}"))
                if r.kind == Kind.kpis_present and kpis:
                    for k in r.value:
                        if k not in kpi_ids:
                            problems.append(Problem(plabel, r.id, f"unknown KPI {k!r}"))
                if r.kind == Kind.tier_met:
                    try:
                        assert r.edition is not None  # a tier_met rule names its edition (Rule._shape)
                        resolve(r.edition, "smart_factory", root)
                    except KeyError as exc:
                        problems.append(Problem(plabel, r.id, str(exc.args[0])))
    if kpis is not None:
        check_unique(klabel, "KPI id", [k.id for k in kpis.kpis], problems)
        if data is not None:
            pids = {p.id for p in data.programmes}
            for k in kpis.kpis:
                for pid in k.required_by:
                    if pid not in pids:
                        problems.append(Problem(klabel, k.id, f"required_by names unknown programme {pid!r}"))
    raise_if(problems)
    assert data is not None and kpis is not None and sizes is not None
    return Declarations(edition, data, kpis, sizes)


# -- results --------------------------------------------------------------------------------


class Quota(Frozen):
    value: int | None  # how many the recommender may put forward; None when not known
    recommender: str
    basis: str | None
    observed: int | None
    note: str | None


class ProgrammeStatus(Frozen):
    id: str
    name_zh: str
    name_en: str
    year: int
    type: str
    deadline: str | None
    recommender_deadline: str | None = None
    met: bool  # eligible
    eligible: bool  # the same as met, under the programme's own word
    reasons: list[Check]
    advisories: list[Check]
    checks: list[Check]
    quota: Quota


class DeclarationResult(Frozen):
    edition: str
    enterprise: str
    size_class: str | None
    size_class_zh: str | None
    programmes: dict[str, ProgrammeStatus]


def validate_kpis(profile: Profile, decl: Declarations) -> None:
    known = decl.kpis
    for k in profile.kpis:
        if k not in known:
            raise ProfileError(f"profile: kpis.{k}: unknown KPI (known: {', '.join(sorted(known))})")


def _quota(p: Programme, region: Region) -> Quota:
    for q in p.quotas:
        if region.kind not in q.recommender:
            continue
        if q.basis is None:
            return Quota(value=q.value, recommender=region.kind, basis=None, observed=None, note=q.note)
        observed = getattr(region, q.basis)
        if observed is None:
            return Quota(
                value=None,
                recommender=region.kind,
                basis=q.basis,
                observed=None,
                note=f"需提供 region.{q.basis} 以确定名额 / give region.{q.basis} to determine the quota",
            )
        if (q.min is None or observed >= q.min) and (q.max is None or observed <= q.max):
            return Quota(value=q.value, recommender=region.kind, basis=q.basis, observed=observed, note=q.note)
    return Quota(value=None, recommender=region.kind, basis=None, observed=None, note=p.quota_provenance.note)


def check_declarations(
    profile: Profile, decl: Declarations, *, programme: str | None = None, root: Path = DEFAULT_ROOT, ctx: Context | None = None
) -> DeclarationResult:
    validate_kpis(profile, decl)
    ctx = ctx or build_context(profile, root)
    for edition in sorted(
        {r.edition for p in decl.data.programmes for r in decl.effective_rules(p.id) if r.kind == Kind.tier_met and r.edition}
    ):
        if edition not in ctx.tier_cache:  # each tier edition evaluated once, before the programmes that refer to it
            ctx.tier_cache[edition] = evaluate_tiers(profile, load_tier_edition(edition, root), root=root, _ctx=ctx)
    out: dict[str, ProgrammeStatus] = {}
    for p in decl.data.programmes:
        if programme and p.id != programme:
            continue
        checks: list[Check] = []
        if p.scenario_catalogue and profile.scenarios.instances and profile.scenarios.catalogue != p.scenario_catalogue:
            # advisory: coverage is still counted, on the links of the catalogue the profile used
            checks.append(
                Check(
                    rule=f"{p.id}.catalogue",
                    kind="catalogue",
                    met=False,
                    gating=False,
                    message=f"该项目按《{p.scenario_catalogue}》填报场景",
                    message_zh=f"该项目按《{p.scenario_catalogue}》填报场景",
                    message_en=f"This programme records scenarios against {p.scenario_catalogue}",
                    observed=profile.scenarios.catalogue,
                    required=p.scenario_catalogue,
                    reference=p.notice,
                    provenance="public_document",
                    detail="覆盖环节按所填指引的环节计算，申报前请按该版指引核对 / links are counted on the catalogue used; "
                    "check them against that guide before declaring",
                )
            )
        reasons_extra: list[Check] = []
        for r in decl.effective_rules(p.id):
            c = evaluate(r, ctx)
            checks.append(c)
            if r.kind == Kind.tier_met and not c.met:
                reasons_extra.extend(ctx.tier_cache[r.edition].tiers[r.value].reasons)
        reasons = [c for c in checks if c.gating and not c.met] + reasons_extra
        out[p.id] = ProgrammeStatus(
            id=p.id,
            name_zh=p.name_zh,
            name_en=p.name_en,
            year=p.year,
            type=p.type,
            deadline=p.deadline,
            recommender_deadline=p.recommender_deadline,
            met=not reasons,
            eligible=not reasons,
            reasons=reasons,
            advisories=[c for c in checks if not c.gating and not c.met],
            checks=checks,
            quota=_quota(p, profile.region),
        )
    size = decl.size_class(profile.enterprise.employees, profile.enterprise.revenue_wan)
    names: dict[str, str] = {c.id: c.name_zh for c in decl.sizes.classes}
    return DeclarationResult(
        edition=decl.id,
        enterprise=profile.enterprise.name,
        size_class=size,
        size_class_zh=names.get(size) if size else None,
        programmes=out,
    )
