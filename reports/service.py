"""Glue between the database, the engine and the renderers: used by the app, the CLI and batch jobs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.config import Settings
from assessment.declarations import load_declarations
from assessment.editions import load_maturity_cached, load_registry
from assessment.keystore import KeyProblem, KeyStore, TrustStore, make_private_dir
from assessment.signing import load_public_keys, payload_kid, seal, sign_revocation_list
from assessment.store import repository as repo
from assessment.store.orm import Certificate

from .render import certificate_pdf
from .report import ReportContext, report_pdf
from .verify import RevocationMap, RevocationSource, Revocations, VerifyResult, verify_certificate


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


def public_keys(settings: Settings, extra_pems: list[str] = ()) -> dict:
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
        out.by_kid[kid] = RevocationSource("本机数据库 / this installation's database",
                                           {r["number"]: r for r in rows if r["kid"] in (kid, None)})
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


def verify(data: bytes | str, *, settings: Settings, session: Session | None = None, at=None,
           extra_pems: list[str] = (), revocation_docs: list[dict] = ()) -> VerifyResult:
    """Verify a certificate with everything this installation knows: its keys, its trust store, its revocations
    (the app's 证书核验 tab and the CLI both call this). Given lists (``revocation_docs``) must be signed; for this
    installation's own keys its database is the authority and no list replaces it."""
    keys = public_keys(settings, extra_pems)
    revocations = Revocations()
    for doc in truststore(settings).revocation_lists().values():
        revocations.add_signed(doc, keys)
    for doc in revocation_docs:
        if not revocations.add_signed(doc, keys):
            raise ValueError("撤销列表不是本工具签署的列表，或签名无效 / the revocation list is not a signed list of this "
                             "toolkit, or its signature does not verify against a known key")
    if session is not None:
        revocations.by_kid.update(own_revocations(session=session, settings=settings).by_kid)
    return verify_certificate(data, keys, revocations, at=at, key_sources=key_sources(settings, load_public_keys(list(extra_pems))))


def signed_revocation_list(*, session: Session, settings: Settings) -> dict:
    """This installation's revocation list, signed by every one of its keys (active and retired)."""
    from datetime import datetime, timezone

    ks = keystore(settings)
    keys = ks.private_keys()
    if not keys:
        raise KeyProblem("本机尚无签名密钥 / this installation has no signing key yet")
    entries = [{k: r[k] for k in ("number", "kid", "reason", "revoked_at")} for r in repo.revocation_list(session=session)]
    return sign_revocation_list(entries, keys, issuer=settings.issuer_name,
                                issued_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))


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
    return repo.issue_certificate(aid, session=session, key=_issuing_key(settings, session), issuer=settings.issuer_name,
                                  valid_days=settings.certificate_valid_days, actor=actor, root=settings.criteria_dir,
                                  issuer_code=settings.issuer_code)


def _issuing_key(settings: Settings, session: Session):
    """The active key. The first certificate of an empty database creates it; when the database already holds
    certificates and the key is missing (a lost or moved data directory), issuing is refused instead of silently
    starting a new key that would orphan every earlier certificate."""
    ks = keystore(settings)
    if not ks.has_active():
        held = session.scalar(select(func.count()).select_from(Certificate))
        if held:
            raise KeyProblem(f"签名密钥缺失（{ks.active_path}），而数据库中已有 {held} 份证书：请用 certificate keys restore "
                             f"恢复密钥备份，或确认丢失后用 certificate keys rotate 新建密钥 / the signing key is missing from "
                             f"{ks.dir} but the database holds {held} certificates: restore a key backup with `certificate keys "
                             f"restore`, or start a new key deliberately with `certificate keys rotate`")
        make_private_dir(settings.data_dir)
        ks.create()
    return ks.active()


def render_certificate(cert: Certificate, settings: Settings, lang: str = "zh") -> bytes:
    """The certificate PDF, sealed (a signature over the whole file) with the key that signed its payload. When that
    key is not in this installation any more, rendering is refused: a PDF sealed by another key than the one its
    payload names would not be the certificate that was issued."""
    kid = payload_kid(cert.payload)
    key = keystore(settings).by_kid().get(kid)
    if key is None:
        raise KeyProblem(f"签发证书 {cert.number} 的密钥 {kid} 不在本机（{settings.keys_dir}），无法重新生成；请用 certificate keys "
                         f"restore 恢复 / the key {kid} that signed certificate {cert.number} is not in {settings.keys_dir}: "
                         f"it cannot be rendered again (restore the key with `certificate keys restore`)")
    return seal(certificate_pdf(cert.fields, cert.payload, lang), key)


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
