"""结果: S and level, charts, gaps, the tier reached and every declaration's eligibility, with reasons."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from assessment import explain, labels
from assessment.editions import load_registry
from assessment.services import evaluation
from assessment.store import repository as repo
from assessment.store.bundle import export_bundle
from reports import charts, service
from ui import state
from ui.i18n import LEVEL_NAMES, PROV_NAMES, TIER_NAMES, name, pick, t
from ui.services import backend
from ui.widgets import domain_errors, flash, plain, require_assessment, show_error, show_flash

be = backend()
user = st.session_state[state.USER] or "访客"
aid = require_assessment()
if aid is None:
    st.stop()
root = be.settings.criteria_dir
zh = pick("zh", "en") == "zh"

st.title(t("results"))
try:
    with be.Session() as s:
        a = repo.get_assessment(aid, session=s)
        title, med, ted, cat_ed, fid = a.title, a.maturity_edition, a.tier_edition, a.scenario_catalogue, a.factory_id
        decl_ed = a.declarations_edition
        enterprise, factory = a.factory.enterprise.name, a.factory.name
        a_answers = list(a.answers)
        ev = evaluation.evaluate(a, root=root)  # the engine computes; this page only shows
except repo.NotFound:
    st.error(pick(f"找不到评估 #{aid}，请在首页重新选择。", f"Assessment #{aid} was not found: choose again on the home page."))
    st.stop()
except domain_errors() as exc:  # stored data the engine refuses (e.g. an unknown tier)
    show_error("无法计算结果：", "The result cannot be computed: ", exc)
    st.stop()
m, tr, dr = ev.maturity, ev.tiers, ev.declarations

lg = pick("zh", "en")
st.caption(
    plain(
        f"{enterprise} · {factory} · {title} · {labels.edition_short(med, lg, root=root)} · "
        f"{labels.edition_short(ted, lg, root=root)}"
    )
)
show_flash()
st.caption(t("indicative"))

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("score"), labels.score_text(m.score))  # three decimals, cut: never rounded up across a band edge
c2.metric(t("level"), name(LEVEL_NAMES, m.level))
c3.metric(t("tier"), name(TIER_NAMES, tr.tier))
c4.metric(t("progress"), f"{m.answered}/{m.total}")
if m.borderline:
    st.info(
        pick(
            f"临界结果：按分数区间为 {m.band_level} 级，按逐级门控为 {m.gate_level} 级；按规则报告分数区间等级（较保守）。",
            f"Borderline: the score bands give level {m.band_level}, the per-level gate gives {m.gate_level}; "
            "the band level is reported (the conservative rule).",
        )
    )
na_without_reason = [x.requirement_id for x in a_answers if x.grade == "na" and not (x.note or "").strip()]
if na_without_reason:
    st.warning(
        pick(
            f"{len(na_without_reason)} 项标为“不适用”但未写理由（报告中会列出）：",
            f"{len(na_without_reason)} N/A answers have no written reason (the report lists them): ",
        )
        + "、".join(r.split(":", 1)[1] for r in na_without_reason[:10])
        + ("…" if len(na_without_reason) > 10 else "")
    )
if not m.complete:
    st.warning(
        pick(
            f"尚有 {m.not_assessed} 项未评，未评项按 0 分计，结果不完整。",
            f"{m.not_assessed} requirements are not assessed; they count 0 and the result is incomplete.",
        )
    )

g1, g2 = st.columns(2)
with g1:
    level_labels = [labels.level(n, lg, "short", edition=med, root=root) for n in range(1, 6)]
    st.image(
        charts.level_bars(
            level_labels,
            [m.level_scores[str(n)] for n in range(1, 6)],
            [m.level_passed(n) for n in range(1, 6)],
            m.threshold,
            title=pick("各等级得分 X1…X5", "Per-level scores X1..X5"),
            threshold_label=pick("门槛", "threshold"),
        ),
        width="stretch",
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    pick("等级", "Level"): name(LEVEL_NAMES, int(n)),
                    "X": round(x, 3),
                    pick("达标", "Passed"): pick("是", "yes") if m.level_passed(n) else pick("否", "no"),
                    pick("计入 S", "In S"): pick("是", "yes") if int(n) <= m.levels_counted else "—",
                }
                for n, x in m.level_scores.items()
            ]
        ),
        hide_index=True,
        width="stretch",
    )
with g2:
    doms = m.domains
    st.image(
        charts.radar(
            [d.name_zh if zh else d.name_en for d in doms],
            {pick("能力域得分", "Domain score"): [d.score for d in doms]},
            title=pick("能力域雷达图", "Domains"),
        ),
        width="stretch",
    )
st.image(
    charts.subdomain_bars(
        [s.name_zh if zh else s.name_en for s in m.subdomains],
        [s.score for s in m.subdomains],
        title=pick("能力子域得分（计入 S 的各级得分之和）", "Sub-domain scores (sum over the levels counted in S)"),
    )
)

st.subheader(":material/flag: " + t("gaps"))
if m.target_level:
    st.caption(
        pick(
            f"升至 {name(LEVEL_NAMES, m.target_level)}：以下要求尚未全部满足，按单独提升至“全部满足”可增加的 S 排序。",
            f"Toward {name(LEVEL_NAMES, m.target_level)}: requirements not fully met, ranked by how much S each adds if fully met.",
        )
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    pick("要求", "Requirement"): g.id.split(":", 1)[1],
                    pick("等级", "Level"): g.level,
                    pick("当前", "Now"): labels.grade(g.grade, lg, edition=med, root=root),
                    "ΔS": round(g.gain_s, 4),
                    "ΔX": round(g.gain_x, 4),
                    pick("内容", "Text"): g.text_zh if zh else g.text_en,
                }
                for g in m.gaps[:25]
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.success(pick("已达到最高等级。", "The highest level is reached."))

st.subheader(":material/factory: " + t("tier"), anchor="tiers")
st.markdown(
    pick(
        f"达到层级：**{name(TIER_NAMES, tr.tier)}**（{labels.edition_title(tr.edition, 'zh', root=root)}）；"
        f"覆盖维度 {len(tr.dimensions_covered)}/5；场景实例 {tr.scenario_instances} 个"
        + (f"；AI 应用占比 {labels.percent(tr.ai_share, 'zh')}" if tr.ai_share is not None else ""),
        f"Tier reached: **{name(TIER_NAMES, tr.tier)}** ({labels.edition_title(tr.edition, 'en', root=root)}); "
        f"dimensions {len(tr.dimensions_covered)}/5; {tr.scenario_instances} scenario instances"
        + (f"; AI share {labels.percent(tr.ai_share, 'en')}" if tr.ai_share is not None else ""),
    )
)


def _reasons(checks) -> list[explain.Reason]:
    return [explain.reason(c, root=root, catalogue=cat_ed, this_tiers=tr) for c in checks]


def _table(checks, reasons: list[explain.Reason]) -> pd.DataFrame:
    """The message first (it is what a phone shows), then where to fix it, the source and its provenance."""
    return pd.DataFrame(
        [
            {
                pick("说明", "Message"): r.text(lg),
                pick("填写位置", "Where to fix"): r.where.text(lg) if r.where else "",
                pick("依据", "Reference"): labels.citation(c.reference),
                pick("来源", "Provenance"): labels.provenance(c.provenance, lg),
            }
            for c, r in zip(checks, reasons)
        ]
    )


def _fix_links(reasons: list[explain.Reason]) -> None:
    """One link per form the reasons point at: the page, opened at that form (?focus=…)."""
    forms = list(dict.fromkeys(r.where.key for r in reasons if r.where and r.where.page != "results"))
    if not forms:
        return
    cols = st.columns(min(len(forms), 3))
    for i, fk in enumerate(forms):
        w = labels.FORMS[fk]
        params = {"assessment": str(aid)} | ({"focus": w.anchor} if w.anchor else {}) | ({"lang": "en"} if lg == "en" else {})
        cols[i % len(cols)].page_link(
            f"app_pages/{w.page}.py", label=pick("去填写：", "Fix at: ") + w.text(lg), icon=":material/edit:", query_params=params
        )


def _offer_awards(reasons: list[explain.Reason], key: str) -> None:
    """No self-contradiction: when this assessment meets the tier a rule asks to have on record, and that tier is
    self-assessed, one button records it (the rule is then met)."""
    for tid in dict.fromkeys(r.offer_award for r in reasons if r.offer_award):
        year = date.today().year
        label = pick(
            f"登记本次评估为{name(TIER_NAMES, tid)}自评估（{year}年）",
            f"Record this assessment as the {name(TIER_NAMES, tid)}-tier self-assessment ({year})",
        )
        if st.button(label, key=f"award::{key}::{tid}", icon=":material/how_to_reg:", type="primary"):
            try:
                with be.Session.begin() as s:
                    repo.add_tier_award(fid, tid, year, session=s, actor=user, edition=tr.edition)
            except domain_errors() as exc:
                show_error("无法登记：", "Not recorded: ", exc)
            else:
                flash(
                    "success",
                    pick(
                        f"已登记{name(TIER_NAMES, tid)}自评估（{year}年）",
                        f"Recorded the {name(TIER_NAMES, tid)}-tier self-assessment ({year})",
                    ),
                )
                st.rerun()


for tid, st_ in tr.tiers.items():
    icon = ":material/check_circle:" if st_.met else ":material/cancel:"
    with st.expander(
        f"{name(TIER_NAMES, tid)} — {t('met') if st_.met else t('not_met')}", expanded=tid == tr.next_tier, icon=icon
    ):
        if st_.reasons:
            st.markdown(pick("**未满足的条件**", "**Conditions not met**"))
            why = _reasons(st_.reasons)
            st.dataframe(_table(st_.reasons, why), hide_index=True, width="stretch")
            _offer_awards(why, tid)
        else:
            why = []
        if st_.advisories:
            st.markdown(pick("**提示项（不决定结果）**", "**Advisory (does not decide)**"))
            advice = _reasons(st_.advisories)
            st.dataframe(_table(st_.advisories, advice), hide_index=True, width="stretch")
            why = why + advice
        if not st_.reasons and not st_.advisories:
            st.write(pick("全部条件满足。", "Every condition is met."))
        _fix_links(why)
if tr.upgrade and tr.upgrade.maturity_gaps:
    st.markdown(
        pick(
            f"**升级至{name(TIER_NAMES, tr.upgrade.tier)}**：成熟度需达到{labels.level(tr.upgrade.maturity_needed, 'zh', root=root)}，优先改进：",
            f"**Toward {name(TIER_NAMES, tr.upgrade.tier)}**: {labels.level(tr.upgrade.maturity_needed, 'en', root=root)} "
            "is needed; improve first:",
        )
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    pick("要求", "Requirement"): g.id.split(":", 1)[1],
                    "ΔS": round(g.gain_s, 4),
                    pick("内容", "Text"): g.text_zh if zh else g.text_en,
                }
                for g in tr.upgrade.maturity_gaps[:10]
            ]
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(":material/assignment: " + t("eligibility"), anchor="eligibility")
st.caption(pick("企业规模：", "Enterprise size: ") + labels.size_class(dr.size_class, lg, root=root))
open_, closed = explain.by_status(dr.programmes)


def _programme(ps, is_closed: bool) -> None:
    quota = (
        pick(f"推荐名额 ≤ {ps.quota.value}", f"quota ≤ {ps.quota.value}")
        if ps.quota.value is not None
        else pick("推荐名额未知", "quota not known")
    )
    mark = f" · {explain.closed_mark(lg)}" if is_closed else ""
    with st.expander(
        f"{ps.name_zh if zh else ps.name_en}{mark} — {t('eligible') if ps.met else t('not_eligible')} · {quota}",
        icon=":material/event_busy:" if is_closed else (":material/check_circle:" if ps.met else ":material/cancel:"),
    ):
        if is_closed:
            st.caption(pick("本项目申报已截止，以下判定仅供参考。", "This call has closed; the result below is for reference."))
        why = []
        if ps.reasons:
            why = _reasons(ps.reasons)
            st.dataframe(_table(ps.reasons, why), hide_index=True, width="stretch")
        if ps.advisories:
            advice = _reasons(ps.advisories)
            st.markdown(pick("**提示项（不决定结果）**", "**Advisory (does not decide)**"))
            st.dataframe(_table(ps.advisories, advice), hide_index=True, width="stretch")
            why = why + advice
        if ps.quota.note:
            st.caption(plain(labels.pick(lg, *ps.quota.note.split(" / ", 1)) if " / " in ps.quota.note else ps.quota.note))
        dates = [
            pick(f"申报截止：{ps.deadline}", f"Deadline: {ps.deadline}") if ps.deadline else None,
            pick(f"推荐单位审核截止：{ps.recommender_deadline}", f"Recommenders' deadline: {ps.recommender_deadline}")
            if ps.recommender_deadline
            else None,
        ]
        if any(dates):
            st.caption("；".join(d for d in dates if d) if zh else "; ".join(d for d in dates if d))
        if not is_closed:
            _fix_links(why)


if not open_:
    st.info(
        pick(
            "目前没有开放申报的项目：已截止的项目可在下方查看（仅供参考）。",
            "No programme is open for applications now: the closed ones can be shown below (for reference).",
        ),
        icon=":material/event_busy:",
    )
for ps in open_:
    _programme(ps, False)
if closed and st.toggle(
    pick(f"显示已截止的项目（{len(closed)} 个）", f"Show the closed programmes ({len(closed)})"), key="show_closed"
):
    for ps in closed:
        _programme(ps, True)

st.subheader(":material/source: " + t("provenance"))
reg = load_registry(root)
st.markdown(
    "\n".join(
        f"- {plain(labels.edition_title(e, lg, root=root))}（{labels.enum('edition_status', reg[e].status, lg)}）"
        if zh
        else f"- {plain(labels.edition_title(e, lg, root=root))} ({labels.enum('edition_status', reg[e].status, lg)})"
        for e in (med, ted, cat_ed, decl_ed)
    )
)
st.write(
    pick("要求条款来源构成：", "Requirement provenance mix: ")
    + "，".join(f"{name(PROV_NAMES, k)} {v}" for k, v in sorted(m.provenance.items()))
)

st.divider()
b1, b2, b3 = st.columns(3)
if b3.button(
    pick("报告、证书与申报书", "Reports, certificates, declaration drafts"), icon=":material/workspace_premium:", width="stretch"
):
    st.switch_page("app_pages/reports.py")
if b1.button(t("snapshot"), icon=":material/photo_camera:", width="stretch"):
    try:
        with be.Session.begin() as s:
            snap = evaluation.snapshot(aid, session=s, actor=user, root=root)
            msg = pick(
                f"已保存快照：S={labels.score_text(snap.score)}，{labels.level(snap.level, 'zh', root=root)}，{name(TIER_NAMES, snap.tier)}",
                f"Snapshot saved: S={labels.score_text(snap.score)}, {labels.level(snap.level, 'en', root=root)}, "
                f"{name(TIER_NAMES, snap.tier)}",
            )
    except domain_errors() as exc:
        show_error("无法保存快照：", "The snapshot was not saved: ", exc)
    else:
        flash("success", msg)
        st.rerun()
if b2.button(t("export"), icon=":material/archive:", width="stretch", key="res_bundle"):
    try:
        with be.Session() as s:  # built on request: the bundle reads every evidence file
            st.session_state["res_bundle_bytes"] = (aid, export_bundle(aid, session=s, store=be.store))
    except (*domain_errors(), OSError) as exc:  # e.g. an evidence file missing from the store
        show_error("无法导出数据包：", "The bundle cannot be exported: ", exc)
if st.session_state.get("res_bundle_bytes") and st.session_state["res_bundle_bytes"][0] == aid:
    b2.download_button(
        pick("下载数据包", "Download the bundle"),
        st.session_state["res_bundle_bytes"][1],
        icon=":material/download:",
        file_name=f"assessment-{aid}.zip",
        mime="application/zip",
        width="stretch",
        key="res_bundle_dl",
    )

d1, d2 = st.columns(2)
if d1.button(pick("生成评估报告 PDF", "Render the report PDF"), icon=":material/picture_as_pdf:", key="res_pdf", width="stretch"):
    try:
        with st.spinner(pick("正在生成…", "Rendering…")), be.Session() as s:
            st.session_state["res_pdf_bytes"] = (aid, service.render_report(aid, session=s, root=root, lang=pick("zh", "en")))
    except domain_errors() as exc:
        show_error("无法生成报告：", "The report cannot be rendered: ", exc)
if st.session_state.get("res_pdf_bytes") and st.session_state["res_pdf_bytes"][0] == aid:
    d2.download_button(
        pick("下载评估报告", "Download the report"),
        st.session_state["res_pdf_bytes"][1],
        file_name=f"assessment-report-{aid}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        key="res_pdf_dl",
        width="stretch",
    )
