"""历史与对比: every assessment of the factory over time, the trend of every completed one, and a side-by-side
comparison of two assessments with the requirements whose grade changed.

Each assessment's result is its latest snapshot when that snapshot was taken of exactly the answers stored now (same
digest); otherwise the engine evaluates it now (evaluation.evaluate). S is shown cut to three decimals, never rounded
up across a band edge.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment import labels
from assessment.editions import load_maturity_cached
from assessment.services import evaluation
from assessment.store import queries
from assessment.store import repository as repo
from assessment.store.orm import Assessment, Factory
from reports import charts
from ui import state
from ui.i18n import LEVEL_NAMES, STATUS_NAMES, TIER_NAMES, lang, name_or_key, pick, t
from ui.services import backend
from ui.widgets import domain_errors, plain, show_error

be = backend()
root = be.settings.criteria_dir
zh = lang() == "zh"
st.title(t("history"))
fid = st.session_state.get(state.FACTORY_ID)
if fid is None:
    st.info(t("choose_first"))
    st.stop()

S = labels.score_text  # three decimals, cut


def _result(a: Assessment) -> dict:
    """S, level, tier and completeness of ``a``: from its latest snapshot when that is of the answers stored now,
    otherwise evaluated now. A stored assessment the engine refuses gives ``error``."""
    snap = a.snapshots[-1] if a.snapshots else None
    if snap is not None and snap.digest == repo.assessment_digest(a) and snap.maturity_edition == a.maturity_edition:
        return {
            "score": snap.score,
            "level": snap.level,
            "tier": snap.tier,
            "complete": snap.complete,
            "source": pick(f"快照 {snap.created_at:%Y-%m-%d}", f"snapshot {snap.created_at:%Y-%m-%d}"),
        }
    try:
        ev = evaluation.evaluate(a, root=root)
    except domain_errors() as exc:
        return {"error": exc}
    m = ev.maturity
    return {
        "score": m.score,
        "level": m.level,
        "tier": ev.tiers.tier,
        "complete": m.complete,
        "source": pick(
            "当前计算" + ("（快照后答案已修改）" if snap else ""),
            "computed now" + (" (answers changed since the snapshot)" if snap else ""),
        ),
    }


with be.Session() as s:
    fac = s.get(Factory, fid)
    if fac is None:
        st.error(pick(f"找不到工厂 #{fid}，请在首页重新选择。", f"Factory #{fid} was not found: choose again on the home page."))
        st.stop()
    rows = queries.assessment_history(fid, session=s)
    fname = fac.name
    table, pts, failed = [], [], []  # pts: (x label, S, level) of every completed assessment, for the trend
    for a in rows:
        r = _result(a)
        if "error" in r:
            failed.append((a.id, r["error"]))
        ok = "error" not in r
        table.append(
            {
                "id": a.id,
                pick("评估", "Assessment"): a.title,
                pick("年度", "Period"): a.period or "",
                pick("状态", "Status"): name_or_key(STATUS_NAMES, a.status)
                + (pick("（已归档）", " (archived)") if a.archived_at else ""),
                pick("版本", "Edition"): a.maturity_edition,
                "S": S(r["score"]) if ok else pick("无法计算", "cannot be computed"),
                pick("等级", "Level"): name_or_key(LEVEL_NAMES, r["level"]) if ok else "",
                pick("层级", "Tier"): name_or_key(TIER_NAMES, r["tier"]) if ok else "",
                pick("已完成", "Complete"): (
                    pick("是", "yes") if r["complete"] else pick("否（有未评项）", "no (items not assessed)")
                )
                if ok
                else "",
                pick("结果来源", "Result from"): r["source"] if ok else "",
            }
        )
        if ok and r["complete"]:
            pts.append((f"{a.period} #{a.id}" if a.period else f"#{a.id}", r["score"], r["level"]))
st.caption(plain(fname))
if not table:
    st.info(pick("此工厂还没有评估。", "This factory has no assessment yet."))
    st.stop()
st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
for aid_, exc in failed:
    show_error(f"评估 #{aid_} 无法计算：", f"Assessment #{aid_} cannot be computed: ", exc)

left_out = sum(1 for r in table if r[pick("已完成", "Complete")] not in (pick("是", "yes"),))
if pts:
    st.image(
        charts.trend(
            [p[0] for p in pts],
            [p[1] for p in pts],
            [p[2] for p in pts],
            title=pick(f"{fname} 总分趋势", f"{fname}: score trend"),
            notes=[
                f"S={S(p[1])}（{LEVEL_NAMES[p[2]][0].split(' ')[0]}）"
                if zh
                else f"S={S(p[1])} ({f'level {p[2]}' if p[2] else 'no level'})"
                for p in pts
            ],
            ylabel=pick("总分 S", "Score S"),
        ),
        caption=pick("趋势：", "Trend: ")
        + plain("；".join(f"{p[0]} S={S(p[1])}" for p in pts) if zh else "; ".join(f"{p[0]} S={S(p[1])}" for p in pts)),
    )
else:
    st.info(
        pick(
            "还没有已完成的评估（全部要求已评）：趋势图在第一次评估完成后显示。",
            "No completed assessment yet (every requirement assessed): the trend shows once one is complete.",
        )
    )
if left_out and pts:
    st.caption(
        pick(
            f"趋势图只含已完成的评估；{left_out} 次评估尚有未评项或无法计算，未计入。",
            f"The trend shows completed assessments only; {left_out} with items not assessed (or not computable) are left out.",
        )
    )

st.subheader(":material/compare_arrows: " + t("compare"))
ids = [r["id"] for r in table]
names = {r["id"]: f"{r[pick('评估', 'Assessment')]}（#{r['id']}）" for r in table}
c1, c2 = st.columns(2)
left = c1.selectbox(pick("评估 A", "Assessment A"), ids, index=max(0, len(ids) - 2), format_func=names.get, key="cmp_a")
right = c2.selectbox(pick("评估 B", "Assessment B"), ids, index=len(ids) - 1, format_func=names.get, key="cmp_b")
evaluated, grades, industry = {}, {}, {}
for side, aid_ in (("A", left), ("B", right)):
    try:
        with be.Session() as s:
            a = repo.get_assessment(aid_, session=s)
            evaluated[side] = evaluation.evaluate(a, root=root)
            grades[side] = {x.requirement_id: x.grade for x in a.answers}
            industry[side] = a.industry_type
    except domain_errors() as exc:  # e.g. stored data the engine refuses: this pair cannot be compared, the page stays
        show_error(
            f"无法比较：评估 {side}（#{aid_}）无法计算：",
            f"Cannot compare: assessment {side} (#{aid_}) cannot be computed: ",
            exc,
        )
if len(evaluated) < 2:
    st.stop()
ea, eb = evaluated["A"], evaluated["B"]
ma, mb = ea.maturity, eb.maturity
k1, k2, k3 = st.columns(3)
delta = float(S(mb.score)) - float(S(ma.score))
k1.metric("S", S(mb.score), f"{delta:+.3f}" if delta else None)
k2.metric(t("level"), name_or_key(LEVEL_NAMES, mb.level), f"{mb.level - ma.level:+d}" if mb.level != ma.level else None)
k3.metric(
    t("tier"),
    name_or_key(TIER_NAMES, eb.tiers.tier),
    f"{name_or_key(TIER_NAMES, ea.tiers.tier)} → {name_or_key(TIER_NAMES, eb.tiers.tier)}"
    if ea.tiers.tier != eb.tiers.tier
    else None,
)
st.caption(
    pick(
        f"A：S={S(ma.score)}，{name_or_key(LEVEL_NAMES, ma.level)}，{name_or_key(TIER_NAMES, ea.tiers.tier)}",
        f"A: S={S(ma.score)}, {name_or_key(LEVEL_NAMES, ma.level)}, {name_or_key(TIER_NAMES, ea.tiers.tier)}",
    )
)

# -- which requirements changed grade -------------------------------------------------------------------------------
st.markdown(pick("**等级有变化的要求**", "**Requirements whose grade changed**"))
if ma.edition != mb.edition:
    st.info(
        pick(
            f"两次评估使用不同的成熟度标准版本（A：{ma.edition}，B：{mb.edition}），要求编号不同，无法逐条对比；"
            "下表按两版共有的能力子域对比得分。",
            f"The two assessments use different maturity editions (A: {ma.edition}, B: {mb.edition}): their requirements "
            "differ and cannot be compared one by one; the table below compares the sub-domains both editions have.",
        )
    )
else:
    ed = load_maturity_cached(ma.edition, root)
    applies = {side: {r.id for r in ed.applicable_requirements(industry[side])} for side in ("A", "B")}
    order = {"none": 0, "partial": 1, "largely": 2, "full": 3}
    changes = []
    for r in ed.requirements:
        if r.id not in applies["A"] | applies["B"]:
            continue
        ga, gb = grades["A"].get(r.id), grades["B"].get(r.id)
        if ga == gb:
            continue
        if ga in order and gb in order:
            way = pick("提高", "up") if order[gb] > order[ga] else pick("降低", "down")
        else:
            way = pick("变化", "changed")

        def shown(g, side):
            if r.id not in applies[side]:
                return pick("不适用于该行业类型", "not for this industry type")
            return labels.grade(g, lang(), with_value=True, edition=ma.edition, root=root)

        sd = ed.subdomains[ed.req_subdomain[r.id]]
        changes.append(
            {
                pick("要求", "Requirement"): r.id.split(":", 1)[1],
                pick("子域", "Sub-domain"): sd.name_zh if zh else sd.name_en,
                pick("等级", "Level"): r.level,
                "A": shown(ga, "A"),
                "B": shown(gb, "B"),
                pick("变化", "Change"): way,
                pick("内容", "Text"): r.text_zh if zh else r.text_en,
            }
        )
    if not changes:
        st.caption(pick("两次评估的各项要求等级相同。", "Every requirement has the same grade in both assessments."))
    else:
        ups = sum(1 for c in changes if c[pick("变化", "Change")] == pick("提高", "up"))
        downs = sum(1 for c in changes if c[pick("变化", "Change")] == pick("降低", "down"))
        st.caption(
            pick(
                f"{len(changes)} 项要求等级有变化：提高 {ups} 项，降低 {downs} 项，其他 {len(changes) - ups - downs} 项（未评、不适用）。",
                f"{len(changes)} requirements changed grade: {ups} up, {downs} down, {len(changes) - ups - downs} other "
                "(not assessed, N/A).",
            )
        )
        st.dataframe(pd.DataFrame(changes), hide_index=True, width="stretch")

st.markdown(pick("**能力子域得分**", "**Sub-domain scores**"))
sa = {x.id: x for x in ma.subdomains}
rows = []
for x in mb.subdomains:
    before = sa[x.id].score if x.id in sa else None
    rows.append(  # "—" where a sub-domain does not apply (every answer N/A) or is not in A: never 0
        {
            pick("子域", "Sub-domain"): x.name_zh if zh else x.name_en,
            "A": labels.node_score(before, 3),
            "B": labels.node_score(x.score, 3),
            "Δ": labels.node_score(None if before is None or x.score is None else x.score - before, 3),
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
doms_a = {d.id: d.score for d in ma.domains}
st.image(
    charts.radar(
        [d.name_zh if zh else d.name_en for d in mb.domains],
        {names[left]: [doms_a.get(d.id) for d in mb.domains], names[right]: [d.score for d in mb.domains]},
        title=pick("能力域对比", "Domains compared"),
    )
)
