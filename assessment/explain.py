"""Reasons in plain words: a failing rule check as one sentence in Chinese and in English, with the observed and
required values in words and units (40% not 0.4, 国内领先 not domestic_leading, 否 not False, dimensions and KPIs by
name, 未提供 for a missing fact) and where in the app the fact is entered. Also the command line's text output of
tier and declaration results, and which programmes are still open.

Used by the results page, the report PDF, the workbook and the command line, so every place says the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import labels as L
from .catalogue import DIMENSIONS
from .declarations import load_declarations
from .editions import DEFAULT_ROOT, load_registry
from .programmes import DeclarationResult, ProgrammeStatus
from .rules import IN_PRINCIPLE_WARNING, Check
from .tiering import TierResult
from .tiers import load_tier_edition


@dataclass(frozen=True)
class Reason:
    zh: str
    en: str
    where: L.Where | None
    offer_award: str | None = None  # prior_tier: the tier this assessment meets and may record as self-assessed

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


FORM_OF_KIND = {
    "maturity_min": "answers",
    "prior_tier": "awards",
    "dimensions": "scenarios",
    "ai_share": "scenarios",
    "scenario_entries": "scenarios",
    "links_covered": "scenarios",
    "supply_chain_links": "scenarios",
    "supply_chain_beyond": "scenarios",
    "kpis_present": "kpis",
    "build_content": "build",
    "outcome": "build",
    "legal_entity": "enterprise",
    "tier_met": "tiers",
    "catalogue": "scenarios",
}


def where(check: Check, fact: str | None = None) -> L.Where | None:
    """The form where the fact behind ``check`` is entered."""
    if check.kind == "fact":
        return L.fact_form(fact) if fact else L.FORMS["facts"]
    key = FORM_OF_KIND.get(check.kind)
    return L.FORMS[key] if key else None


def _fact_of(check: Check, root: Path) -> str | None:
    """The fact path a fact rule reads (checks carry the rule id; the path is in the rule)."""
    return _fact_paths(root).get(check.rule)


_FACT_CACHE: dict[Path, dict[str, str]] = {}


def _fact_paths(root: Path) -> dict[str, str]:
    if root not in _FACT_CACHE:
        out: dict[str, str] = {}
        for ed, entry in load_registry(root).items():
            if entry.kind == "smart_factory":
                for t in load_tier_edition(ed, root).tiers:
                    out.update({r.id: r.fact for r in t.rules if r.fact})
            elif entry.kind == "declarations":
                out.update({r.id: r.fact for p in load_declarations(ed, root).data.programmes for r in p.rules if r.fact})
        _FACT_CACHE[root] = out
    return _FACT_CACHE[root]


def _q(text: str, lang: str) -> str:
    return f"“{text}”" if lang == "zh" else text


def _values(fact: str | None, value: Any, lang: str) -> str:
    if isinstance(value, list):
        return L.join_or([L.fact_value(fact or "", v, lang) for v in value], lang)
    return _q(L.fact_value(fact or "", value, lang), lang)


def _body(
    c: Check, lang: str, root: Path, catalogue: str | None, tier_edition: str | None, this_tiers: TierResult | None
) -> tuple[str, str | None]:
    """What was observed against what is required, in words; and the tier to offer recording, if any."""
    zh = lang == "zh"
    k, obs, req = c.kind, c.observed, c.required
    ted = dict(edition=tier_edition) if tier_edition else {}
    if k == "fact":
        fact = _fact_of(c, root)
        name = L.fact(fact, lang) if fact else c.rule
        if obs is None:
            return (f"「{name}」未提供" if zh else f"{name}: not provided"), None
        op, value = (req.get("op"), req.get("value")) if isinstance(req, dict) else ("eq", req)
        have = _q(L.fact_value(fact or "", obs, lang), lang)
        need = L.op_phrase(op, _values(fact, value, lang), lang)
        return (f"「{name}」为{have}，要求{need}" if zh else f"{name} is {have}; required: {need}"), None
    if k == "legal_entity":
        lp = obs.get("legal_person") if isinstance(obs, dict) else None
        branch = obs.get("branch_industry") if isinstance(obs, dict) else None
        allowed = L.join_or(list(req.get("or_branch_in") or []), lang, quote=False) if isinstance(req, dict) else ""
        if lp is None:
            return (
                f"「{L.fact('enterprise.legal_person', lang)}」未提供"
                if zh
                else f"{L.fact('enterprise.legal_person', lang)}: not provided"
            ), None
        b = branch or L.not_given(lang)
        return (
            f"不是独立法人，分支机构所属行业为“{b}”，要求为独立法人，或为{allowed}行业的分支机构"
            if zh
            else f"not an independent legal person (branch industry: {b}); required: an independent legal person, or a "
            f"branch in {allowed}"
        ), None
    if k == "maturity_min":
        need_level = req.get("value") if isinstance(req, dict) else req
        if obs is None:
            return (
                "成熟度等级未提供（尚无自评估结果）" if zh else "maturity level not provided (no self-assessment result)"
            ), None
        return (
            f"当前成熟度为{L.level(obs, lang, root=root)}，要求达到{L.level(need_level, lang, root=root)}及以上"
            if zh
            else f"the maturity level is {L.level(obs, lang, root=root)}; required: {L.level(need_level, lang, root=root)} or above"
        ), None
    if k == "prior_tier":
        held = L.pick(lang, "无", "none") if obs in (None, "none") else L.tier(obs, lang, root=root, **ted)
        need = L.tier(req, lang, root=root, **ted)
        text = (
            f"已登记获得的层级为{_q(held, lang)}，要求已获得{need}"
            if zh
            else f"tier on record: {held}; required: {need} already obtained"
        )
        offer = None
        if this_tiers is not None and req in this_tiers.tiers:
            meets = this_tiers.tiers[req].met
            if meets and L.tier_self_assessed(req, root=root, **ted):
                offer = req
                text += (
                    f"；本次评估已满足{need}全部条件，可作为{need}自评估：登记后此条即满足"
                    if zh
                    else f"; this assessment meets every {need}-tier condition and counts as the {need}-tier "
                    f"self-assessment once it is recorded"
                )
            elif meets:
                text += (
                    f"；本次评估满足{need}条件，但{need}须经认定部门认定，本次自评估不能代替；获得后请登记"
                    if zh
                    else f"; this assessment meets the {need}-tier conditions, but the {need} tier is awarded by the "
                    f"certifying body and this self-assessment does not stand in for it; record it once awarded"
                )
            else:
                text += (
                    f"；本次评估也未满足{need}条件"
                    if zh
                    else f"; this assessment does not meet the {need}-tier conditions either"
                )
        return text, offer
    if k == "dimensions":
        order = {d: i for i, d in enumerate(DIMENSIONS)}
        covered = [L.dimension(d, lang) for d in sorted(obs or [], key=lambda d: order.get(d, 99))]
        missing = [L.dimension(d, lang) for d in (req or []) if d not in (obs or [])]
        have = L.join_and(covered, lang) if covered else L.pick(lang, "无", "none")
        return (
            f"已覆盖维度：{have}；缺少：{L.join_and(missing, lang)}"
            if zh
            else f"dimensions covered: {have}; missing: {L.join_and(missing, lang)}"
        ), None
    if k == "ai_share":
        need_share = req.get("value") if isinstance(req, dict) else req
        assert need_share is not None  # an ai_share rule's value is a number (Rule._shape)
        return (
            f"应用人工智能的场景实例占{L.percent(obs or 0, lang)}，要求不低于{L.percent(need_share, lang)}"
            if zh
            else f"{L.percent(obs or 0, lang)} of scenario instances apply AI; required: at least {L.percent(need_share, lang)}"
        ), None
    if k in ("scenario_entries", "links_covered", "supply_chain_links"):
        need_n = req.get("value") if isinstance(req, dict) else req
        what = {
            "scenario_entries": ("已填报场景实例{n}个", "{n} scenario instances recorded", "个", "instances"),
            "links_covered": ("已覆盖{n}个环节", "{n} links covered", "个", "links"),
            "supply_chain_links": ("供应链场景覆盖{n}个环节", "supply-chain scenarios cover {n} links", "个", "links"),
        }[k]
        return (
            what[0].format(n=obs) + f"，要求不少于{need_n}{what[2]}"
            if zh
            else what[1].format(n=obs) + f"; required: at least {need_n} {what[3]}"
        ), None
    if k == "supply_chain_beyond":
        f = obs.get("factory_links", 0) if isinstance(obs, dict) else 0
        e = obs.get("extra_supply_chain_links", 0) if isinstance(obs, dict) else 0
        need_links = req.get("factory_links") if isinstance(req, dict) else req
        return (
            f"工厂场景覆盖{f}个环节、另有供应链环节{e}个，要求工厂覆盖不少于{need_links}个环节并另有至少1个供应链环节"
            if zh
            else f"factory scenarios cover {f} links with {e} further supply-chain link(s); required: at least {need_links} "
            f"factory links and at least 1 supply-chain link beyond them"
        ), None
    if k == "kpis_present":
        given = set(obs or [])
        wanted = list(req or [])
        missing = [L.kpi(x, lang, root=root) for x in wanted if x not in given]
        return (
            f"缺少成效指标：{L.join_and(missing, lang)}（已填 {len(given)}/{len(wanted)} 项）"
            if zh
            else f"outcome KPIs missing: {L.join_and(missing, lang)} ({len(given)} of {len(wanted)} given)"
        ), None
    if k == "build_content":
        done, _, total = str(obs).partition("/")
        return (
            f"已声明完成建设内容 {done}/{total} 项，要求全部完成"
            if zh
            else f"{done} of {total} build-content items declared done; required: all of them"
        ), None
    if k == "outcome":
        vals = list(obs.values()) if isinstance(obs, dict) else []
        said_no = any(v is False for v in vals)
        return (
            (("已声明未达到该建设成效" if said_no else "尚未声明达到该建设成效") + "，要求声明达到（并有证据支撑）")
            if zh
            else ("declared not reached" if said_no else "not declared reached") + "; required: declared reached, with evidence"
        ), None
    if k == "tier_met":
        reached = L.tier(obs, lang, root=root, **ted)
        need = L.tier(req, lang, root=root, **ted)
        return (
            f"目前达到{_q(reached, lang)}，要求达到{need}（未满足的条件另列）"
            if zh
            else f"the tier reached is {reached}; required: {need} (the conditions not met are listed separately)"
        ), None
    if k == "catalogue":
        have, need = L.edition_title(str(obs), lang, root=root), L.edition_title(str(req), lang, root=root)
        return (
            f"场景按{have}填报，该项目按{need}：申报前请按该版指引核对环节和场景"
            if zh
            else f"scenarios are recorded against {have}; this programme uses {need}: check links and scenarios against that "
            "guide before declaring"
        ), None
    return (f"实际：{obs}；要求：{req}" if zh else f"observed: {obs}; required: {req}"), None  # pragma: no cover


def reason(
    c: Check,
    *,
    root: Path = DEFAULT_ROOT,
    catalogue: str | None = None,
    tier_edition: str | None = None,
    this_tiers: TierResult | None = None,
) -> Reason:
    """``c`` (a failing check) as one sentence in each language, ending with where the fact is entered.

    ``this_tiers``: the tier result of the same evaluation; a rule that asks for a tier already obtained then says
    whether this assessment counts (and :attr:`Reason.offer_award` names the tier the user may record)."""
    out = {}
    offer = None
    fact = _fact_of(c, root) if c.kind == "fact" else None
    w = where(c, fact)
    for lang in ("zh", "en"):
        msg = c.message_zh if lang == "zh" else L.english(c.message_en)
        if c.kind == "catalogue":  # the engine's message names the catalogue by its id: by its title here
            title = L.edition_title(str(c.required), lang, root=root)
            msg = L.pick(lang, f"该项目按{title}填报场景", f"This programme records scenarios against the {title}")
        body, offer = _body(c, lang, root, catalogue, tier_edition or (this_tiers.edition if this_tiers else None), this_tiers)
        if c.in_principle:
            body += L.pick(
                lang,
                "；原则上要求：不满足时须在申报材料中说明理由，是否例外由认定部门决定",
                "; required in principle: explain the exception in the application, the certifying body decides",
            )
        place = ""
        if w is not None and c.kind != "tier_met":
            place = L.pick(lang, f"（在「{w.zh}」填写）", f" (entered at {w.en})")
        out[lang] = f"{msg}：{body}{place}。" if lang == "zh" else f"{msg}: {body}{place}."
    return Reason(out["zh"], out["en"], w, offer)


def sentence(c: Check, lang: str, **kw) -> str:
    return reason(c, **kw).text(lang)


# -- programmes: open or closed ----------------------------------------------------------------------------------


def closing_date(p: ProgrammeStatus) -> date | None:
    """The last date of a programme's call: the later of the enterprise and recommender deadlines."""
    dates = [date.fromisoformat(d) for d in (p.deadline, p.recommender_deadline) if d]
    return max(dates) if dates else None


def is_closed(p: ProgrammeStatus, today: date | None = None) -> bool:
    """Past its deadline; a programme without dates is closed once its year is over."""
    today = today or date.today()
    end = closing_date(p)
    return end < today if end is not None else p.year < today.year


def by_status(
    programmes: dict[str, ProgrammeStatus], today: date | None = None
) -> tuple[list[ProgrammeStatus], list[ProgrammeStatus]]:
    """(open, closed): open programmes first, each list newest first."""
    items = sorted(programmes.values(), key=lambda p: (-p.year, p.id))
    return [p for p in items if not is_closed(p, today)], [p for p in items if is_closed(p, today)]


def closed_mark(lang: str) -> str:
    return L.pick(lang, "已截止", "closed")


# -- command-line text ---------------------------------------------------------------------------------------------


def _advice(c: Check, root: Path, **kw) -> str:
    """One line for a failing advisory rule; a 原则上 rule is marked ⚠ (one treatment everywhere)."""
    mark, label = ("⚠", "原则上") if c.in_principle else ("!", "提示")
    r = reason(c, root=root, **kw)
    return f"  {mark} [{label}] {r.zh}\n      {r.en}"


def render_tiers(res: TierResult, *, root: Path = DEFAULT_ROOT) -> str:
    """Readable summary for the command line: Chinese first, each reason also in English."""
    kw = dict(tier_edition=res.edition)
    out = [
        f"梯度版本 Edition: {L.edition_title(res.edition, 'zh', root=root)}",
        f"达到层级 Tier: {L.tier(res.tier, 'zh', root=root)} / {L.tier(res.tier, 'en', root=root)}",
        "成熟度等级 Maturity: "
        + (L.level(res.maturity_level, "zh", root=root) if res.maturity_level is not None else L.not_given("zh")),
        "覆盖维度: "
        + ("、".join(L.dimension(d, "zh") for d in res.dimensions_covered) or "无")
        + f"；场景实例 {res.scenario_instances} 个"
        + (f"；AI 应用占比 {L.percent(res.ai_share, 'zh')}" if res.ai_share is not None else ""),
    ]
    if res.catalogue_note:
        out.append(f"场景指引: {res.catalogue_note}")
    shown: set[str] = set()
    for tid, st in res.tiers.items():
        out.append(
            f"\n[{L.tier(tid, 'zh', root=root)} {L.tier(tid, 'en', root=root)}] {'满足 met' if st.met else '不满足 not met'}"
        )
        for c in st.reasons:
            r = reason(c, root=root, this_tiers=res, **kw)
            out.append(f"  ✗ {r.zh}\n      {r.en}")
        for c in st.advisories:
            if c.rule in shown:  # inherited advisories are shown once, at the lowest tier
                continue
            shown.add(c.rule)
            out.append(_advice(c, root, **kw))
    if res.upgrade and res.upgrade.maturity_gaps:
        out.append(
            f"\n升级至{L.tier(res.upgrade.tier, 'zh', root=root)}需成熟度达到"
            f"{L.level(res.upgrade.maturity_needed, 'zh', root=root)}，优先改进："
        )
        for g in res.upgrade.maturity_gaps[:10]:
            out.append(f"  +{g.gain_s:.3f}  {g.id}  {g.text_zh}")
    return "\n".join(out)


def render_declarations(res: DeclarationResult, *, root: Path = DEFAULT_ROOT, today: date | None = None) -> str:
    open_, closed = by_status(res.programmes, today)
    out = [
        f"申报规则 Edition: {res.edition}    企业: {res.enterprise}    企业规模: {L.size_class(res.size_class, 'zh', root=root)}"
    ]
    if not open_:
        out.append("目前没有开放申报的项目（以下均已截止，仅供参考） / no programme is open now (all below are closed)")
    for st in open_ + closed:
        quota = (
            f"推荐名额 ≤ {st.quota.value}"
            if st.quota.value is not None
            else "推荐名额未知" + (f"（{st.quota.note}）" if st.quota.note else "")
        )
        status = "可申报 eligible" if st.met else "不可申报 not eligible"
        out.append(
            f"\n[{st.name_zh}]{'［已截止 closed］' if st in closed else ''} {status}；{quota}"
            + (f"；截止 {st.deadline}" if st.deadline else "")
            + (f"；推荐单位审核截止 {st.recommender_deadline}" if st.recommender_deadline else "")
        )
        for c in st.reasons:
            r = reason(c, root=root)
            out.append(f"  ✗ {r.zh}\n      {r.en}")
        for c in st.advisories:
            out.append(_advice(c, root))
    return "\n".join(out)


__all__ = [
    "IN_PRINCIPLE_WARNING",
    "Reason",
    "by_status",
    "closed_mark",
    "closing_date",
    "is_closed",
    "reason",
    "render_declarations",
    "render_tiers",
    "sentence",
    "where",
]
