"""Glue between the database, the engine and the renderers: used by the app, the CLI and batch jobs."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment import dashboard, labels
from assessment.access import Principal
from assessment.config import Settings
from assessment.declarations import load_declarations
from assessment.editions import DECLARATIONS_EDITION, DEFAULT_ROOT, load_maturity_cached, load_registry
from assessment.keystore import KeyProblem, KeyStore, TrustStore
from assessment.services import certificates, evaluation
from assessment.signing import load_public_keys, payload_kid, seal, sign_revocation_list
from assessment.store import repository as repo
from assessment.store.orm import Certificate

from .render import LEVEL, certificate_pdf
from .report import ReportContext, report_pdf
from .verify import RevocationMap, Revocations, RevocationSource, VerifyResult, verify_certificate


def keystore(settings: Settings) -> KeyStore:
    return KeyStore(settings.keys_dir)


def truststore(settings: Settings) -> TrustStore:
    return TrustStore(settings.trust_dir)


def signing_key(settings: Settings):
    """The active signing key. Never created here: a key is created by the first certificate issued on an empty
    database (:func:`issue_certificate`) or explicitly by ``certificate keys rotate``."""
    return keystore(settings).active()


def key_sources(settings: Settings, extra: dict | None = None) -> dict[str, str]:
    """Where each usable public key comes from, for verification output."""
    out = {kid: "本机密钥 / this installation's key" for kid in keystore(settings).public_keys()}
    out.update({k.kid: f"信任库：{k.name} / trusted: {k.name}" for k in truststore(settings).keys() if k.kid not in out})
    for kid in extra or {}:
        out.setdefault(kid, "命令行指定 / given on the command line")
    return out


def public_keys(settings: Settings, extra_pems: Sequence[str] = ()) -> dict:
    """Every key a certificate may be verified with: this installation's (active and retired), the trust store's and
    any given PEMs. Reading keys never creates one."""
    keys = dict(truststore(settings).public_keys())
    keys.update(load_public_keys(list(extra_pems)))
    keys.update(keystore(settings).public_keys())
    return keys


def own_revocations(*, session: Session, settings: Settings) -> Revocations:
    """This installation's revocations, for the certificates its own keys signed (authoritative: its database)."""
    kids = list(keystore(settings).public_keys())
    rows = repo.revocation_list(session=session)
    out = Revocations()
    for kid in kids:
        out.by_kid[kid] = RevocationSource(
            "本机数据库 / this installation's database", {r["number"]: r for r in rows if r["kid"] in (kid, None)}
        )
    return out


def revoked_map(*, session: Session, settings: Settings | None = None) -> RevocationMap:
    """The revocations a verification here uses: this installation's own, and the lists imported into its trust store
    (each applies only to certificates signed by a key that signed it). Reads as ``{number: reason}``."""
    from assessment.config import get_settings

    settings = settings or get_settings()
    out = Revocations()
    keys = public_keys(settings)
    for doc in truststore(settings).revocation_lists().values():
        out.add_signed(doc, keys)
    out.by_kid.update(own_revocations(session=session, settings=settings).by_kid)
    return RevocationMap(out)


def verify(
    data: bytes | str,
    *,
    settings: Settings,
    session: Session | None = None,
    at=None,
    extra_pems: Sequence[str] = (),
    revocation_docs: Sequence[dict] = (),
) -> VerifyResult:
    """Verify a certificate with everything this installation knows: its keys, its trust store, its revocations
    (the app's 证书核验 tab and the CLI both call this). Given lists (``revocation_docs``) must be signed; for this
    installation's own keys its database is the authority and no list replaces it."""
    keys = public_keys(settings, extra_pems)
    revocations = Revocations()
    for doc in truststore(settings).revocation_lists().values():
        revocations.add_signed(doc, keys)
    for doc in revocation_docs:
        if not revocations.add_signed(doc, keys):
            raise ValueError(
                "撤销列表不是本工具签署的列表，或签名无效 / the revocation list is not a signed list of this "
                "toolkit, or its signature does not verify against a known key"
            )
    if session is not None:
        revocations.by_kid.update(own_revocations(session=session, settings=settings).by_kid)
    return verify_certificate(
        data, keys, revocations, at=at, key_sources=key_sources(settings, load_public_keys(list(extra_pems)))
    )


def signed_revocation_list(*, session: Session, settings: Settings) -> dict:
    """This installation's revocation list, signed by every one of its keys (active and retired)."""
    from datetime import datetime, timezone

    ks = keystore(settings)
    keys = ks.private_keys()
    if not keys:
        raise KeyProblem("本机尚无签名密钥 / this installation has no signing key yet")
    entries = [{k: r[k] for k in ("number", "kid", "reason", "revoked_at")} for r in repo.revocation_list(session=session)]
    return sign_revocation_list(
        entries, keys, issuer=settings.issuer_name, issued_at=datetime.now(timezone.utc).isoformat(timespec="seconds")
    )


def report_context(aid: int, *, session: Session, root: Path) -> ReportContext:
    a = repo.get_assessment(aid, session=session)
    ev = evaluation.evaluate(a, root=root)
    decl = load_declarations(a.declarations_edition, root)
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
        f"{a.declarations_edition}：{reg[a.declarations_edition].title_zh}；{reg[a.declarations_edition].source}（见各规则的依据）",
    ]
    kpis = sorted(((k.kpi_id, decl.kpis[k.kpi_id].name_zh, k.value, k.period) for k in a.kpis if k.kpi_id in decl.kpis))
    return ReportContext(
        enterprise=a.factory.enterprise.name,
        credit_code=a.factory.enterprise.credit_code,
        factory=a.factory.name,
        title=a.title,
        period=a.period,
        maturity=ev.scored,
        tiers=ev.tiers,
        declarations=ev.declarations,
        kpis=kpis,
        kpi_units={k: v.unit for k, v in decl.kpis.items()},
        evidence=[(v.requirement_id, v.original_name, v.blob.size, v.sha256) for v in a.evidence],
        provenance=provenance,
        digest=repo.assessment_digest(a),
        scenario_catalogue=a.scenario_catalogue,
        root=root,
        not_applicable=[
            (x.requirement_id, ed.requirement_map[x.requirement_id].text_zh, x.note)
            for x in sorted(a.answers, key=lambda x: x.requirement_id)
            if x.grade == "na"
        ],
    )


def render_report(aid: int, *, session: Session, root: Path, lang: str = "zh") -> bytes:
    return report_pdf(report_context(aid, session=session, root=root), lang)


class IncompleteAssessment(ValueError):
    """A certificate is refused: not every applicable requirement is answered."""


def completeness(aid: int, *, session: Session, root: Path) -> tuple[int, int]:
    """(answered, total) applicable requirements of the assessment, as the engine counts them (N/A is an answer)."""
    from assessment.maturity import score

    a = repo.get_assessment(aid, session=session)
    m = score(evaluation.answers_model(a), load_maturity_cached(a.maturity_edition, root))
    return m.answered, m.total


def incomplete_message(answered: int, total: int) -> str:
    return (
        f"评估尚未完成：适用要求已答 {answered}/{total} 项，全部作答后才能签发证书 / the assessment is incomplete: "
        f"{answered} of {total} applicable requirements answered; a certificate needs every one answered"
    )


def issue_certificate(aid: int, *, session: Session, settings: Settings, actor: str | None = None) -> Certificate:
    """Sign and store a certificate; refused (:class:`IncompleteAssessment`) unless every applicable requirement is answered."""
    answered, total = completeness(aid, session=session, root=settings.criteria_dir)
    if answered < total:
        raise IncompleteAssessment(incomplete_message(answered, total))
    return certificates.issue_certificate(
        aid,
        session=session,
        key=certificates.issuing_key(settings, session),
        issuer=settings.issuer_name,
        valid_days=settings.certificate_valid_days,
        actor=actor,
        root=settings.criteria_dir,
        issuer_code=settings.issuer_code,
    )


def render_certificate(cert: Certificate, settings: Settings, lang: str = "zh") -> bytes:
    """The certificate PDF, sealed (a signature over the whole file) with the key that signed its payload. When that
    key is not in this installation any more, rendering is refused: a PDF sealed by another key than the one its
    payload names would not be the certificate that was issued."""
    kid = payload_kid(cert.payload)
    key = keystore(settings).by_kid().get(kid) if kid is not None else None
    if key is None:
        raise KeyProblem(
            f"签发证书 {cert.number} 的密钥 {kid} 不在本机（{settings.keys_dir}），无法重新生成；请用 certificate keys "
            f"restore 恢复 / the key {kid} that signed certificate {cert.number} is not in {settings.keys_dir}: "
            f"it cannot be rendered again (restore the key with `certificate keys restore`)"
        )
    return seal(certificate_pdf(cert.fields, cert.payload, lang), key)


def workbook(aid: int, *, session: Session, root: Path) -> bytes:
    from .exports import assessment_workbook

    ctx = report_context(aid, session=session, root=root)
    a = repo.get_assessment(aid, session=session)
    ed = load_maturity_cached(a.maturity_edition, root)
    texts = {r.id: r.text_zh for r in ed.requirements}
    notes = {x.requirement_id: x.note for x in a.answers}
    return assessment_workbook(ctx, texts, notes)


score_text = labels.score_text  # S with three decimals, cut (never rounded up across a band edge: 1.7975 prints 1.797)


FORM_PROGRAMMES = ("demo_factory", "excellent_scenario", "smart_supply_chain")


def _form_programme(decl, programme: str):
    """The programme of a 申报书 draft: one whose form is known (the 2023 附件3-1 and 附件3-2)."""
    if programme not in decl.programmes:
        raise ValueError(
            f"unknown programme {programme!r}（可选 / known: "
            + ", ".join(p for p in decl.programmes if decl.programmes[p].type in FORM_PROGRAMMES)
            + "）"
        )
    p = decl.programmes[programme]
    if p.type not in FORM_PROGRAMMES or p.year != 2023:
        raise ValueError(
            f"「{p.name_zh}」没有可依据的申报书模板：申报书草稿按 2023 年度附件3-1（优秀场景）、附件3-2（示范工厂、"
            f"智慧供应链）生成 / no declaration form is known for {p.name_en}: drafts follow the 2023 forms"
        )
    return p


def reason_words(check, decl=None) -> str:
    """A failed eligibility check in words (never a rule id or a raw value)."""
    observed = check.observed
    if observed is None:
        return f"{check.message_zh}（未提供该信息）"
    if check.kind == "kpis_present" and decl is not None and isinstance(check.required, list):
        missing = [decl.kpis[k].name_zh for k in check.required if k in decl.kpis and k not in (observed or [])]
        return f"{check.message_zh.split('（')[0]}（未填：{'、'.join(missing)}）" if missing else check.message_zh
    if check.kind == "supply_chain_beyond" and isinstance(observed, dict):
        return (
            f"{check.message_zh}（当前：工厂覆盖 {observed.get('factory_links', 0)} 个环节，另加供应链环节 "
            f"{observed.get('extra_supply_chain_links', 0)} 个）"
        )
    if check.kind == "maturity_min" and isinstance(observed, int) and not isinstance(observed, bool):
        return f"{check.message_zh}（当前：{LEVEL['zh'][observed] if observed in LEVEL['zh'] else observed}）"
    if isinstance(observed, (int, float)) and not isinstance(observed, bool):
        return f"{check.message_zh}（当前：{observed:g}）"
    return check.message_zh


def advisory_words(check, catalogue: str | None = None) -> str:
    if check.kind == "catalogue":
        return (
            "场景实例在自评估中按其他版本的《智能制造典型场景参考指引》记录：本申报书的环节、场景名称须按"
            f"{'2023年版' if catalogue == 'scenarios/2023' else '申报年度的'}指引选择（无法对应的已留空，原记录见附1备注）"
        )
    return check.message_zh + ("（原则上要求，不满足时须在申报材料中说明理由）" if check.in_principle else "")


def form_instances(a, form_catalogue: str | None, root: Path):
    """The assessment's scenario instances with the link and scenario names of the form's catalogue. A scenario
    recorded against another catalogue keeps its names only where the form's catalogue has the same scenario (by name
    or alias); otherwise link and scenario are left for the applicant to choose and 备注 says what was recorded."""
    from assessment.scenarios import load_catalogue

    from .declaration import Instance

    src = load_catalogue(a.scenario_catalogue, root)
    dst = load_catalogue(form_catalogue, root) if form_catalogue else src
    same = dst.id == src.id
    out = []
    for s in a.scenarios:
        notes = ["应用人工智能"] if s.ai else []
        if s.scenario_id == "custom":
            link = src.links.get(s.link)
            name = link.name_zh if link else ""
            if not same:
                name = next((x.name_zh for x in dst.data.links if link and x.name_zh == link.name_zh), "")
            out.append(Instance(name, "其他", s.name or "", "；".join(["自定义场景"] + notes)))
            continue
        sc = src.scenarios[s.scenario_id]
        match = sc if same else (dst.find(sc.name_zh) or next((m for al in sc.aliases for m in [dst.find(al)] if m), None))
        if match is None:
            year = src.id.rsplit("/", 1)[-1]
            notes.insert(0, f"环节、场景待选（{year}年版指引记为：{src.links[sc.link].name_zh}—{sc.name_zh}）")
            out.append(Instance("", "", s.name or sc.name_zh, "；".join(notes)))
        else:
            out.append(Instance(dst.links[match.link].name_zh, match.name_zh, s.name or match.name_zh, "；".join(notes)))
    return out


def _required_kpis(decl, programme) -> frozenset[str]:
    chain = []
    p = programme
    while p is not None:
        chain.append(p.id)
        p = decl.programmes.get(p.inherits) if p.inherits else None
    return frozenset(k.id for k in decl.kpi_file.kpis if set(k.required_by) & set(chain))


def _project_summary(factory: str, instances, level: int, score: str, kpis: dict, decl) -> str:
    names = [i.name for i in instances if i.name]
    parts = [f"{factory}已建设{len(instances)}个智能制造场景实例" + (f"（{'、'.join(names)}）" if names else "")]
    if level:
        parts.append(f"按 GB/T 39116-2020 自评估，智能制造能力成熟度为{LEVEL['zh'][level]}（S = {score}）")
    shown = [f"{decl.kpis[k].name_zh}{_num(v)}{decl.kpis[k].unit}" for k, (v, _) in kpis.items() if k in decl.kpis]
    if shown:
        parts.append("主要成效：" + "，".join(shown))
    text = "；".join(parts) + "。（草拟，请补充完善）"
    return text if len(text) <= 500 else text[:490] + "……（草拟）"


def _num(v: float) -> str:
    return f"{v:g}"


def declaration_draft(aid: int, programme: str, *, session: Session, root: Path) -> bytes:
    """The 申报书 draft of ``programme`` (a 2023 优秀场景, 示范工厂 or 智慧供应链 programme) for assessment ``aid``:
    附件3-1 or 附件3-2 with what the toolkit holds filled in and a warning page first when the factory is not eligible."""
    from .declaration import DeclarationData, declaration_docx
    from .render import standard_names

    a = repo.get_assessment(aid, session=session)
    decl = load_declarations(a.declarations_edition, root)
    p = _form_programme(decl, programme)
    ev = evaluation.evaluate(a, root=root)
    status = ev.declarations.programmes[programme]
    e, f = a.factory.enterprise, a.factory
    instances = form_instances(a, p.scenario_catalogue, root)
    kpis = {k.kpi_id: (k.value, k.period) for k in a.kpis}
    m = ev.scored
    cert = session.scalar(
        select(Certificate.number).where(Certificate.assessment_id == a.id).order_by(Certificate.id.desc()).limit(1)
    )
    data = DeclarationData(
        form="scenario" if p.type == "excellent_scenario" else "factory",
        supply_chain=p.type == "smart_supply_chain",
        year=p.year,
        programme=p.name_zh,
        enterprise=e.name,
        factory=f.name,
        credit_code=e.credit_code,
        ownership=e.ownership,
        size_class=decl.size_class(e.employees, e.revenue_wan),
        industry_group=e.industry_group,
        sub_sector=f.sub_sector,
        address=f.address,
        industry_type=f.industry_type,
        level=m.level,
        score=score_text(m.score),
        standard=standard_names(a.maturity_edition, "zh"),
        certificate=cert,
        accident=(e.compliance or {}).get("worst_accident_3y"),
        summary=_project_summary(f.name, instances, m.level, score_text(m.score), kpis, decl),
        instances=instances,
        kpis=kpis,
        required_kpis=_required_kpis(decl, p),
        eligible=status.met,
        reasons=[reason_words(c, decl) for c in status.reasons],
        advisories=[advisory_words(c, p.scenario_catalogue) for c in status.advisories],
    )
    return declaration_docx(data)


def latest_assessment_ids(session: Session) -> list[int]:
    """Each factory's latest assessment, leaving out archived enterprises, factories and assessments."""
    from assessment.store.orm import Assessment, Enterprise, Factory

    live = (
        select(Assessment.factory_id, func.max(Assessment.id).label("aid"))
        .join(Factory, Factory.id == Assessment.factory_id)
        .join(Enterprise, Enterprise.id == Factory.enterprise_id)
        .where(
            Assessment.archived_at.is_(None),
            Assessment.status != "archived",
            Factory.archived_at.is_(None),
            Enterprise.archived_at.is_(None),
        )
        .group_by(Assessment.factory_id)
        .subquery()
    )
    return list(session.scalars(select(live.c.aid).order_by(live.c.aid)))


RECOMMENDER_ZH = {k: zh for k, (zh, _) in labels.ENUMS["region_kind"].items()}
BASIS_ZH = {k: (zh, "--" + k.replace("_", "-")) for k, (zh, _) in labels.ENUMS["quota_basis"].items()}


def _summary_programmes(decl, programme: str):
    """The 优秀场景 and 示范工厂 programmes of the call ``programme`` belongs to (附件4 has both parts)."""
    if programme not in decl.programmes:
        raise ValueError(f"unknown programme {programme!r}")
    p = decl.programmes[programme]
    factory, scenario = decl.programmes.get(f"demo_factory_{p.year}"), decl.programmes.get(f"excellent_scenario_{p.year}")
    if p.type not in FORM_PROGRAMMES or factory is None or scenario is None:
        raise ValueError(
            f"推荐汇总表（附件4）用于智能制造优秀场景、示范工厂（含智慧供应链）的推荐，「{p.name_zh}」不适用 / the "
            f"recommendation summary (annex 4) is for the excellent-scenario and demonstration-factory calls, "
            f"not for {p.name_en}"
        )
    return p, factory, scenario, decl.programmes.get(f"smart_supply_chain_{p.year}")


def _summary_quota(programme, region) -> tuple[int, str]:
    from assessment.programmes import _quota

    q = _quota(programme, region)
    if q.value is None:
        if q.basis in BASIS_ZH:
            words, flag = BASIS_ZH[q.basis]
            raise ValueError(
                f"无法确定「{programme.name_zh}」的推荐名额：请给出推荐单位的{words}（region.{q.basis}，命令行 {flag}） / the quota of "
                f"{programme.name_en} depends on the recommender's {q.basis.replace('_', ' ')}: give {flag}"
            )
        raise ValueError(
            f"「{programme.name_zh}」没有{RECOMMENDER_ZH[region.kind]}的推荐名额规定 / no quota is known for "
            f"this recommender ({region.kind}) in {programme.name_en}"
        )
    note = RECOMMENDER_ZH[region.kind]
    if q.basis in BASIS_ZH:
        note += f"，{BASIS_ZH[q.basis][0]} {q.observed}"
    return q.value, note


def recommendation_plan(aids: list[int] | None, recommender: str, programme: str, *, session: Session, root: Path, region=None):
    """Who goes on the 推荐汇总表 of ``programme``'s call, in which category and order, and who is left out and why.
    ``aids``: the assessments to consider (None: each factory's latest); ``region``: the recommender's facts (a
    :class:`assessment.profile.Region` or its dict), from which the quotas are computed."""
    from assessment.profile import Region

    from .render import TIER
    from .summary import FACTORIES, SCENARIOS, Applicant, plan

    decl = load_declarations(DECLARATIONS_EDITION, root)
    p, factory_p, scenario_p, chain_p = _summary_programmes(decl, programme)
    if region is None:
        region = Region()
    elif isinstance(region, dict):
        from pydantic import ValidationError

        try:
            region = Region.model_validate(region)
        except ValidationError as exc:
            e = exc.errors()[0]
            raise ValueError(f"推荐单位信息 region.{'.'.join(map(str, e['loc']))}: {e['msg']}") from None
    qf, note_f = _summary_quota(factory_p, region)
    qs, _ = _summary_quota(scenario_p, region)
    applicants = []
    for aid in latest_assessment_ids(session) if aids is None else aids:
        a = repo.get_assessment(aid, session=session)
        ev = evaluation.evaluate(a, root=root)
        st = ev.declarations.programmes
        listing = [
            f"{i.link}—{i.scenario}—{i.name}" if i.link else f"{i.name}（{i.note}）"
            for i in form_instances(a, p.scenario_catalogue, root)
        ]
        fs, ss = st[factory_p.id], st[scenario_p.id]
        applicants.append(
            Applicant(
                enterprise_id=a.factory.enterprise_id,
                enterprise=a.factory.enterprise.name,
                factory=a.factory.name,
                assessment_id=a.id,
                instances=listing,
                score=ev.scored.score,
                score_text=score_text(ev.scored.score),
                level=LEVEL["zh"][ev.scored.level],
                tier=TIER["zh"][ev.tiers.tier],
                factory_eligible=fs.met,
                factory_reasons=[reason_words(c, decl) for c in fs.reasons],
                scenario_eligible=ss.met,
                scenario_reasons=[reason_words(c, decl) for c in ss.reasons],
                supply_chain=bool(chain_p and st[chain_p.id].met),
            )
        )
    return plan(applicants, year=p.year, recommender=recommender, quota={FACTORIES: qf, SCENARIOS: qs}, quota_note=note_f)


def recommendation_list(
    aids: list[int] | None, recommender: str, programme: str, *, session: Session, root: Path, region=None
) -> bytes:
    """推荐汇总表 (附件4) as an A4-landscape workbook: see :func:`recommendation_plan`."""
    from .summary import summary_xlsx

    return summary_xlsx(recommendation_plan(aids, recommender, programme, session=session, root=root, region=region))


def province_recommendation(
    p: Principal,
    programme: str,
    *,
    session: Session,
    root: Path = DEFAULT_ROOT,
    recommender: str = "",
    region: dict | None = None,
) -> dict:
    """The national recommendation (推荐汇总表, 附件4) from a province's approved applications: their certified
    assessments placed by :func:`recommendation_plan` — one category per enterprise (示范工厂 or 优秀场景), ranked by S
    and cut to the quota computed from ``region`` (the recommender's facts, e.g. ``{"kind": "province",
    "cumulative_provincial_pilots": 120}``). Returns ``{programme, year, quota: {category: n}, quota_note,
    listed: {category: [applicant]}, left_out: [applicant + reason]}`` with plain-dict applicants."""
    aids = dashboard.approved_assessments(p, session)
    plan = recommendation_plan(aids, recommender, programme, session=session, root=root, region=region)
    return {
        "programme": programme,
        "year": plan.year,
        "quota": dict(plan.quota),
        "quota_note": plan.quota_note,
        "listed": {cat: [asdict(a) for a in rows] for cat, rows in plan.listed.items()},
        "left_out": [{**asdict(a), "reason": why} for a, why in plan.left_out],
    }


def province_recommendation_workbook(
    p: Principal, programme: str, recommender: str, *, session: Session, root: Path = DEFAULT_ROOT, region: dict | None = None
) -> bytes:
    """The 推荐汇总表 workbook (xlsx) of :func:`province_recommendation`."""
    return recommendation_list(
        dashboard.approved_assessments(p, session), recommender, programme, session=session, root=root, region=region
    )
