"""Glue between the database, the engine and the renderers: used by the app, the CLI and batch jobs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from assessment.config import Settings
from assessment.declarations import load_declarations
from assessment.editions import load_maturity_cached, load_registry
from assessment.signing import load_or_create_key, load_public_keys, public_pem
from assessment.store import repository as repo
from assessment.store.orm import Certificate

from .render import certificate_pdf
from .report import ReportContext, report_pdf


def signing_key(settings: Settings):
    return load_or_create_key(settings.keys_dir)


def public_keys(settings: Settings, extra_pems: list[str] = ()) -> dict:
    return load_public_keys([public_pem(signing_key(settings)), *extra_pems])


def report_context(aid: int, *, session: Session, root: Path) -> ReportContext:
    a = repo.get_assessment(aid, session=session)
    ev = repo.evaluate(a, root=root)
    decl = load_declarations("declarations/2021-2025", root)
    reg = load_registry(root)
    ed = load_maturity_cached(a.maturity_edition, root)
    counts = ed.provenance_counts()
    prov_zh = {"official": "官方条款", "secondary": "二手资料转述", "authored": "自拟表述", "provisional": "暂定"}
    provenance = [
        f"{a.maturity_edition}：{reg[a.maturity_edition].title_zh}（{reg[a.maturity_edition].status}）；要求来源构成："
        + "，".join(f"{prov_zh[k]} {v}" for k, v in sorted(counts.items())),
        f"权重：{ed.model.subdomains[0].provenance.kind.value} — {ed.model.subdomains[0].provenance.note or ed.model.subdomains[0].provenance.ref}",
        f"评分规则：{ed.scoring.scoring_provenance.kind.value} — {ed.scoring.scoring_provenance.ref}",
        f"{a.tier_edition}：{reg[a.tier_edition].title_zh}；{reg[a.tier_edition].source}",
        f"{a.scenario_catalogue}：{reg[a.scenario_catalogue].title_zh}；{reg[a.scenario_catalogue].source}",
        "申报条件：declarations/2021-2025（各年度通知，见各规则的依据）",
    ]
    kpis = sorted(((k.kpi_id, decl.kpis[k.kpi_id].name_zh, k.value, k.period) for k in a.kpis if k.kpi_id in decl.kpis))
    return ReportContext(
        enterprise=a.factory.enterprise.name, credit_code=a.factory.enterprise.credit_code, factory=a.factory.name,
        title=a.title, period=a.period, maturity=ev.maturity, tiers=ev.tiers, declarations=ev.declarations,
        kpis=kpis, kpi_units={k: v.unit for k, v in decl.kpis.items()},
        evidence=[(v.requirement_id, v.original_name, v.blob.size, v.sha256) for v in a.evidence],
        provenance=provenance, digest=repo.assessment_digest(a),
        not_applicable=[(x.requirement_id, ed.requirement_map[x.requirement_id].text_zh, x.note)
                        for x in sorted(a.answers, key=lambda x: x.requirement_id) if x.grade == "na"])


def render_report(aid: int, *, session: Session, root: Path, lang: str = "zh") -> bytes:
    return report_pdf(report_context(aid, session=session, root=root), lang)


class IncompleteAssessment(ValueError):
    """A certificate is refused: not every applicable requirement is answered."""


def completeness(aid: int, *, session: Session, root: Path) -> tuple[int, int]:
    """(answered, total) applicable requirements of the assessment, as the engine counts them (N/A is an answer)."""
    from assessment.maturity import score

    a = repo.get_assessment(aid, session=session)
    m = score(repo.answers_model(a), load_maturity_cached(a.maturity_edition, root))
    return m.answered, m.total


def incomplete_message(answered: int, total: int) -> str:
    return (f"评估尚未完成：适用要求已答 {answered}/{total} 项，全部作答后才能签发证书 / the assessment is incomplete: "
            f"{answered} of {total} applicable requirements answered; a certificate needs every one answered")


def issue_certificate(aid: int, *, session: Session, settings: Settings, actor: str | None = None) -> Certificate:
    """Sign and store a certificate; refused (:class:`IncompleteAssessment`) unless every applicable requirement is answered."""
    answered, total = completeness(aid, session=session, root=settings.criteria_dir)
    if answered < total:
        raise IncompleteAssessment(incomplete_message(answered, total))
    return repo.issue_certificate(aid, session=session, key=signing_key(settings), issuer=settings.issuer_name,
                                  valid_days=settings.certificate_valid_days, actor=actor, root=settings.criteria_dir)


def render_certificate(cert: Certificate, settings: Settings, lang: str = "zh") -> bytes:
    """The certificate PDF, sealed with the installation's key (a signature over the whole file)."""
    from assessment.signing import seal

    return seal(certificate_pdf(cert.fields, cert.payload, lang), signing_key(settings))


def revoked_map(*, session: Session) -> dict[str, str]:
    return {r["number"]: r["reason"] for r in repo.revocation_list(session=session)}


def workbook(aid: int, *, session: Session, root: Path) -> bytes:
    from .exports import assessment_workbook

    ctx = report_context(aid, session=session, root=root)
    a = repo.get_assessment(aid, session=session)
    ed = load_maturity_cached(a.maturity_edition, root)
    texts = {r.id: r.text_zh for r in ed.requirements}
    notes = {x.requirement_id: x.note for x in a.answers}
    return assessment_workbook(ctx, texts, notes)


def declaration_draft(aid: int, programme: str, *, session: Session, root: Path) -> bytes:
    from assessment.scenarios import load_catalogue

    from .exports import DeclarationFacts, declaration_docx

    ctx = report_context(aid, session=session, root=root)
    a = repo.get_assessment(aid, session=session)
    decl = load_declarations("declarations/2021-2025", root)
    if programme not in decl.programmes:
        raise ValueError(f"unknown programme {programme!r}")
    e, f = a.factory.enterprise, a.factory
    facts = DeclarationFacts(ownership=e.ownership, industry_group=e.industry_group, sub_sector=f.sub_sector,
                             size_class=decl.size_class(e.employees, e.revenue_wan),
                             worst_accident_3y=(e.compliance or {}).get("worst_accident_3y"), address=f.address)
    cat = load_catalogue(a.scenario_catalogue, root)
    scen = []
    for s in a.scenarios:
        if s.scenario_id == "custom":
            scen.append((cat.links[s.link].name_zh if s.link in cat.links else "其他", "其他", s.name or "", s.ai))
        else:
            sc = cat.scenarios[s.scenario_id]
            scen.append((cat.links[sc.link].name_zh, sc.name_zh, s.name or "", s.ai))
    kpis = {k.id: (k.name_zh, k.unit, programme in k.required_by) for k in decl.kpi_file.kpis}
    return declaration_docx(ctx, facts, programme, scen, kpis)


def recommendation_list(aids: list[int], recommender: str, programme: str, *, session: Session, root: Path) -> bytes:
    """推荐汇总表 for the given assessments, ranked by S (highest first) within the programme's quotas."""
    from assessment.scenarios import load_catalogue

    from .exports import RecommendationRow, recommendation_xlsx

    rows = []
    quota_f = quota_s = None
    year = programme.rsplit("_", 1)[-1]
    for aid in aids:
        a = repo.get_assessment(aid, session=session)
        ev = repo.evaluate(a, root=root)
        cat = load_catalogue(a.scenario_catalogue, root)
        inst = []
        for s in a.scenarios:
            if s.scenario_id in cat.scenarios:
                sc = cat.scenarios[s.scenario_id]
                inst.append(f"{cat.links[sc.link].name_zh}—{sc.name_zh}—{s.name or sc.name_zh}")
        rows.append(RecommendationRow(a.factory.enterprise.name, a.factory.name, inst, ev.maturity.score, ev.maturity.level, ev.tiers.tier))
        progs = ev.declarations.programmes
        if f"demo_factory_{year}" in progs:
            quota_f = progs[f"demo_factory_{year}"].quota.value
            quota_s = progs.get(f"excellent_scenario_{year}").quota.value if f"excellent_scenario_{year}" in progs else None
    rows.sort(key=lambda r: -r.score)
    return recommendation_xlsx(rows, recommender, quota_s, quota_f)
