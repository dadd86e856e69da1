"""The multi-page assessment report, driven by the engine's result objects (never recomputed here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

from assessment import explain, labels
from assessment.editions import DEFAULT_ROOT, load_maturity_cached, load_registry
from assessment.programmes import DeclarationResult
from assessment.results import MaturityResult
from assessment.tiering import TierResult

from .fonts import BOLD_FAMILY
from .render import compile_pdf, official_date


@dataclass(frozen=True)
class ReportContext:
    """Everything a report shows: the engine's evaluation plus facts from the database."""

    enterprise: str
    credit_code: str | None
    factory: str
    title: str
    period: str | None
    maturity: MaturityResult
    tiers: TierResult
    declarations: DeclarationResult
    kpis: list[tuple[str, str, float, str | None]]  # (id, name, value, period)
    kpi_units: dict[str, str]
    evidence: list[tuple[str | None, str, int, str]]  # (requirement, name, size, sha256)
    provenance: list[str]  # not printed any more: the report words its provenance section from the data (both languages)
    digest: str
    not_applicable: Sequence[tuple[str, str, str | None]] = ()  # (requirement, text, reason given in the note)
    scenario_catalogue: str | None = None
    root: Path = field(default=DEFAULT_ROOT)
    today: date | None = None  # for open/closed programmes (None: today)


def brk(s: str) -> str:
    """Let long ids (gbt…:sub_domain:L1:01, sf2025.excellent.prior_tier) break inside table cells."""
    return re.sub(r"([:._/])", "\\1\u200b", s)


def _lang_part(text: str | None, lang: str) -> str:
    """One language of a "中文 / English" note; a note in one language only is shown as it is in Chinese and left out
    in English when it is Chinese."""
    if not text:
        return ""
    if " / " in text:
        zh, en = text.split(" / ", 1)
        return zh if lang == "zh" else en
    return text if lang == "zh" or not labels.has_cjk(text) else ""


def provenance_lines(ctx: ReportContext, lang: str) -> list[str]:
    """Where the criteria come from, in the report's language, citing documents and never this repository's files."""
    zh = lang == "zh"
    m, t = ctx.maturity, ctx.tiers
    reg = load_registry(ctx.root)
    ed = load_maturity_cached(m.edition, ctx.root)
    counts = "，".join if zh else ", ".join
    mix = counts(f"{labels.provenance(k, lang)} {v}" for k, v in sorted(ed.provenance_counts().items()))
    sd = ed.model.subdomains[0].provenance
    sc = ed.scoring.scoring_provenance
    lines = []
    for edition in (m.edition, t.edition, ctx.scenario_catalogue, ctx.declarations.edition):
        if not edition or edition not in reg:
            continue
        e = reg[edition]
        status = labels.enum("edition_status", e.status, lang)
        title = labels.edition_title(edition, lang, root=ctx.root)
        source = _lang_part(labels.citation(e.source), lang) if zh else ""
        for other in sorted(reg, key=len, reverse=True):  # ids named in a source ("已由 maturity/2020-r2 取代") by name
            source = source.replace(other, labels.edition_short(other, lang, root=ctx.root))
        lines.append(f"{title}（{status}）" + (f"：{source}" if source else "") if zh else f"{title} ({status})")
    lines.append((f"要求条款来源构成：{mix}" if zh else f"Requirement provenance: {mix}"))
    lines.append(labels.review_counts(ed.review_counts(), lang))  # 专家审核：已通过 0 / 需修改 0 / 否决 0 / 未审核 379
    weights = _lang_part(sd.note, lang) or labels.citation(sd.ref)
    lines.append(
        (
            f"权重：{labels.provenance(sd.kind.value, lang)}，{weights}"
            if zh
            else f"Weights: {labels.provenance(sd.kind.value, lang)}; {weights}"
        )
    )
    rules = _lang_part(sc.note, lang) or labels.citation(sc.ref)
    lines.append(
        (
            f"评分规则：{labels.provenance(sc.kind.value, lang)}，{rules}"
            if zh
            else f"Scoring rule: {labels.provenance(sc.kind.value, lang)}; {rules}"
        )
    )
    lines.append(
        "申报条件与梯度条件：各年度通知及要素条件，每条规则的依据见判定结果"
        if zh
        else "Declaration and tier rules: each year's notice and the tier conditions; every rule's reference is given "
        "with its result"
    )
    return lines


def report_pdf(ctx: ReportContext, lang: str = "zh") -> bytes:
    zh = lang == "zh"
    L = (lambda a, b: a) if zh else (lambda a, b: b)
    m, t, d = ctx.maturity, ctx.tiers, ctx.declarations
    root = ctx.root
    name = (lambda o: o.name_zh) if zh else (lambda o: o.name_en)

    def lvl(n: int) -> str:
        return labels.level(n, lang, edition=m.edition, root=root)

    def tier(x: str) -> str:
        return labels.tier(x, lang, edition=t.edition, root=root)

    xs = [m.level_scores[str(n)] for n in range(1, 6)]
    charts = {  # drawn by templates/charts.typ: the numbers and the text printed for each
        "radar": {
            "title": L("能力域雷达图", "Domain scores"),
            "labels": [name(x) for x in m.domains],
            "values": [x.score for x in m.domains],
            "texts": [labels.node_score(x.score) for x in m.domains],
            "vmax": 5,
        },
        "levels": {
            "title": L("各等级得分", "Per-level scores"),
            "labels": [labels.level(n, lang, "short", edition=m.edition, root=root) for n in range(1, 6)],
            "values": xs,
            "texts": [labels.score_text(x) for x in xs],  # cut (never rounded up to the threshold), as S is
            "passed": [m.level_passed(n) for n in range(1, 6)],
            "threshold": float(m.threshold),
            "threshold_text": L(f"门槛 {float(m.threshold):g}", f"threshold {float(m.threshold):g}"),
            "legend": [L("达标", "passed"), L("未达标", "not passed")],
        },
        "subdomains": {
            "title": L("能力子域得分", "Sub-domain scores"),
            "labels": [name(x) for x in m.subdomains],
            "values": [x.score for x in m.subdomains],
            "texts": [labels.node_score(x.score) for x in m.subdomains],
            "vmax": 5,
        },
    }
    dom_names = {x.id: name(x) for x in m.domains}
    open_, closed = explain.by_status(d.programmes, ctx.today)
    pname = (lambda p: p.name_zh) if zh else (lambda p: labels.english(p.name_en))
    eligible_open = [pname(p) for p in open_ if p.met]
    eligible_closed = [pname(p) for p in closed if p.met]
    sep = "、" if zh else ", "
    eligible = sep.join(eligible_open) or "—"
    if eligible_closed:
        eligible += L(f"（已截止：{sep.join(eligible_closed)}）", f" (closed: {sep.join(eligible_closed)})")
    heads = {
        "charts": L("总体结果", "Overall result"),
        "subdomains": L("能力子域得分", "Sub-domain scores"),
        "gaps": L("差距与升级路径", "Gaps and upgrade path"),
        "tiers": L("智能工厂层级判定", "Smart-factory tiers"),
        "declarations": L("申报资格", "Declaration eligibility"),
        "kpis": L("成效指标", "Outcome KPIs"),
        "evidence": L("证据索引", "Evidence index"),
        "na": L("不适用项及理由", "Not applicable, with reasons"),
        "provenance": L("条款来源说明", "Provenance of the criteria"),
    }
    prov_section = list(heads).index("provenance") + 1  # the template numbers the sections in this order
    summary = [
        (
            L("企业", "Enterprise"),
            ctx.enterprise + (L(f"（{ctx.credit_code}）", f" ({ctx.credit_code})") if ctx.credit_code else ""),
        ),
        (L("评估对象", "Factory"), ctx.factory),
        (L("评估", "Assessment"), ctx.title + (L(f"（{ctx.period}）", f" ({ctx.period})") if ctx.period else "")),
        (
            L("评估依据", "Assessed under"),
            L("；", "; ").join(labels.edition_title(e, lang, root=root) for e in (m.edition, t.edition)),
        ),
        (L("总分 S", "Score S"), labels.score_text(m.score)),
        (
            L("成熟度等级", "Maturity level"),
            lvl(m.level)
            + (
                L(f"（临界：逐级门控为{lvl(m.gate_level)}）", f" (borderline: the per-level gate gives {lvl(m.gate_level)})")
                if m.borderline
                else ""
            ),
        ),
        (L("智能工厂层级", "Smart-factory tier"), tier(t.tier)),
        (
            L("完整性", "Completeness"),
            f"{m.answered}/{m.total}" + ("" if m.complete else L("（未评项按 0 计）", " (not assessed counts 0)")),
        ),
        (L("可申报项目", "Eligible programmes"), eligible),
        (L("评估数据摘要", "Assessment digest"), ctx.digest),
        (L("报告日期", "Report date"), official_date((ctx.today or date.today()).isoformat(), lang)),
    ]

    def sentences(checks, advisory: bool = False) -> list[list[str]]:
        out = []
        for c in checks:
            r = explain.reason(c, root=root, catalogue=ctx.scenario_catalogue, this_tiers=t)
            mark = (L("［原则上］", "[in principle] ") if c.in_principle else L("［提示］", "[advisory] ")) if advisory else ""
            out.append([mark + r.text(lang), labels.provenance(c.provenance, lang)])
        return out

    tiers = []
    shown: set[str] = set()
    for tid, st in t.tiers.items():
        advisories = [c for c in st.advisories if c.rule not in shown]  # an inherited advisory once, at the lowest tier
        shown.update(c.rule for c in advisories)
        rows = sentences(st.reasons) + sentences(advisories, advisory=True)
        tiers.append({"title": f"{tier(tid)} — " + (L("满足", "met") if st.met else L("不满足", "not met")), "rows": rows})

    def programme(p, is_closed: bool) -> dict:
        dates = [x for x in (p.deadline, p.recommender_deadline) if x]
        status = L("可申报", "eligible") if p.met else L("不可申报", "not eligible")
        quota = (
            L(f"推荐名额 ≤ {p.quota.value}", f"quota ≤ {p.quota.value}")
            if p.quota.value is not None
            else L("推荐名额未知", "quota not known")
        )
        when = (L("截止 ", "deadline ") + official_date(max(dates), lang)) if dates else L("截止日期未载明", "no deadline stated")
        mark = f" · {explain.closed_mark(lang)}" if is_closed else ""
        return {
            "title": f"{pname(p)}{mark}",
            "status": f"{status} · {quota} · {when}",
            "rows": sentences(p.reasons) + sentences(p.advisories, advisory=True),
        }

    data = {
        "lang": lang,
        "charts": charts,
        "region": "cn" if zh else "gb",
        "font": "Noto Sans SC",
        "bold_font": BOLD_FAMILY,
        "title": L("智能制造能力成熟度与智能工厂评估报告", "Smart-manufacturing maturity and smart-factory assessment report"),
        "subtitle": f"{ctx.enterprise} · {ctx.factory}",
        "enterprise": ctx.enterprise,
        "editions": " · ".join(labels.edition_short(e, lang, root=root) for e in (m.edition, t.edition)),
        "footer": L(
            "本工具生成 · 条款为自拟表述，结果为参考性结果", "Generated by the toolkit · indicative result, authored criteria"
        ),
        "summary": summary,
        "disclaimer": L(
            f"本报告的成熟度条款为依据公开资料自拟的表述（非 GB/T 39116 原文），权重与部分门槛为暂定值，结果为参考性结果，不等同于 CMMM 正式评估等级。各项规则的来源见第 {prov_section} 节。",
            "The maturity requirements in this report are the toolkit's own wording (not the text of GB/T 39116); weights and some thresholds "
            f"are provisional. Results are indicative, not a CMMM grade. Section {prov_section} lists where each rule comes from.",
        ),
        "h": heads,
        "levels_head": [
            L("等级", "Level"),
            "X",
            L(f"达标（≥{float(m.threshold):g}）", f"Passed (≥{float(m.threshold):g})"),
            L("计入 S", "In S"),
        ],
        "levels_rows": [
            [
                lvl(int(n)),
                labels.score_text(x),  # cut like S (0.7996 is not printed 0.800 beside "no"), as in the chart
                labels.yes_no(m.level_passed(n), lang),
                labels.yes_no(True, lang) if int(n) <= m.levels_counted else "—",
            ]
            for n, x in m.level_scores.items()
        ],
        "sub_head": [L("子域", "Sub-domain"), L("能力域", "Domain"), "L1", "L2", "L3", "L4", "L5", L("得分", "Score")],
        "sub_rows": [
            [name(x), dom_names.get(x.parent or "", x.parent or "")]
            + [labels.node_score(v) for v in x.level_scores.values()]
            + [labels.node_score(x.score)]
            for x in m.subdomains
        ],
        "gaps_intro": (
            L(
                f"升至{lvl(m.target_level)}：以下为尚未全部满足的要求，按单独提升至“全部满足”可增加的总分 S 排序（前 25 项）。",
                f"Toward {lvl(m.target_level)}: requirements not fully met, ranked by how much S each adds if fully met (top 25).",
            )
            if m.target_level
            else L("已达到最高等级。", "The highest level is reached.")
        ),
        "gap_head": [L("要求", "Requirement"), L("等级", "Lvl"), L("当前", "Now"), "ΔS", L("内容", "Text")],
        "gap_rows": [
            [
                brk(g.id.split(":", 1)[1]),
                str(g.level),
                labels.grade(g.grade, lang, edition=m.edition, root=root),
                f"{g.gain_s:.3f}",
                g.text_zh if zh else g.text_en,
            ]
            for g in m.gaps[:25]
        ],
        "tier_intro": L(
            f"按{labels.edition_title(t.edition, 'zh', root=root)}判定达到：{tier(t.tier)}。覆盖维度 {len(t.dimensions_covered)}/5，场景实例 {t.scenario_instances} 个"
            + (f"，AI 应用占比 {labels.percent(t.ai_share, 'zh')}" if t.ai_share is not None else "")
            + "。未满足的条件及提示项如下，括号内为填写位置。",
            f"Under the {labels.edition_title(t.edition, 'en', root=root)} the tier reached is {tier(t.tier)}: "
            f"{len(t.dimensions_covered)}/5 dimensions, {t.scenario_instances} scenario instances"
            + (f", AI share {labels.percent(t.ai_share, 'en')}" if t.ai_share is not None else "")
            + ". Conditions not met and advisories follow, each with where the fact is entered.",
        ),
        "tiers": tiers,
        "all_met": L("全部条件满足。", "Every condition is met."),
        "reason_head": [L("条件与实际情况", "Condition and what was found"), L("来源", "Provenance")],
        "decl_intro": (
            L("以下为目前开放申报的项目。", "These programmes are open for applications now.")
            if open_
            else L("目前没有开放申报的项目。", "No programme is open for applications now.")
        ),
        "decl_open": [programme(p, False) for p in open_],
        "closed_title": L("已截止的项目（仅供参考）", "Closed programmes (for reference)"),
        "decl_closed": [programme(p, True) for p in closed],
        "kpi_head": [L("指标", "KPI"), L("数值", "Value"), L("单位", "Unit"), L("期间", "Period")],
        "kpi_rows": [[labels.kpi(k, lang, root=root), f"{v:g}", ctx.kpi_units.get(k, ""), p or "—"] for k, _, v, p in ctx.kpis],
        "evidence_head": [L("要求", "Requirement"), L("文件", "File"), L("大小", "Size"), "SHA-256"],
        "evidence_rows": [
            [brk((r or "—").split(":", 1)[-1]), n, f"{s / 1024:.0f} KB", brk(h[:32]) + "\u200b" + h[32:]]
            for r, n, s, h in ctx.evidence
        ],
        "provenance": provenance_lines(ctx, lang),
        "na_intro": L(
            "以下要求标为“不适用”，不计入得分，其权重在适用项之间重新分配；每项都应有书面理由。",
            "These requirements are marked not applicable: they are left out and their weight is spread over the rest. "
            "Each needs a written reason.",
        ),
        "na_head": [L("要求", "Requirement"), L("内容", "Text"), L("理由", "Reason")],
        "na_rows": [
            [
                brk(rid.split(":", 1)[1]),
                _requirement_text(ctx, rid, text, lang),
                reason or L("（未填写理由）", "(no reason given)"),
            ]
            for rid, text, reason in ctx.not_applicable
        ],
        "none": L("无。", "None."),
    }
    return compile_pdf("report.typ", data)


def _requirement_text(ctx: ReportContext, rid: str, text: str, lang: str) -> str:
    if lang == "zh":
        return text
    req = load_maturity_cached(ctx.maturity.edition, ctx.root).requirement_map.get(rid)
    return req.text_en if req else text
