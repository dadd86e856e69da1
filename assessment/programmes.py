"""Declaration programmes (示范工厂, 优秀场景, 智慧供应链, 卓越级, 领航级): eligibility with reasons,
recommendation quotas, the KPI catalogue and enterprise size classes: the model and its pure evaluation (loading is
:mod:`assessment.declarations`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping

from pydantic import Field

from .profile import Profile, ProfileError, Region
from .results import Frozen
from .rules import Check, Context, Kind, Rule, evaluate, inherited_rules
from .schema import Provenance, Strict
from .tiering import TierResult

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


def tier_editions_referred(decl: Declarations) -> list[str]:
    """The tier editions the programmes' ``tier_met`` rules refer to (each evaluated before any programme)."""
    return sorted(
        {r.edition for p in decl.data.programmes for r in decl.effective_rules(p.id) if r.kind == Kind.tier_met and r.edition}
    )


def check_declarations(
    profile: Profile, decl: Declarations, ctx: Context, tiers: Mapping[str, TierResult], *, programme: str | None = None
) -> DeclarationResult:
    """Eligibility for every programme (or one), with reasons (pure). ``tiers``: the tier editions the programmes refer
    to (:func:`tier_editions_referred`), already evaluated."""
    validate_kpis(profile, decl)
    missing = [e for e in tier_editions_referred(decl) if e not in tiers]
    if missing:
        raise ValueError(f"the tiers of {', '.join(missing)} were not evaluated before the programmes")
    tiers_met = {e: tr.met() for e, tr in tiers.items()}
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
            c = evaluate(r, ctx, tiers=tiers_met)
            checks.append(c)
            if r.kind == Kind.tier_met and r.edition and not c.met:
                reasons_extra.extend(tiers[r.edition].tiers[r.value].reasons)
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
