"""历史与对比: every assessment of the factory over time, the trend, and a side-by-side comparison."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from assessment.store import repository as repo
from assessment.store.orm import Assessment, Factory
from reports import charts
from ui import state
from ui.i18n import LEVEL_NAMES, STATUS_NAMES, TIER_NAMES, name_or_key, pick, t
from ui.services import backend
from ui.widgets import domain_errors, plain, show_error

be = backend()
root = be.settings.criteria_dir
zh = pick("zh", "en") == "zh"
st.title(t("history"))
fid = st.session_state.get(state.FACTORY_ID)
if fid is None:
    st.info(t("choose_first"))
    st.stop()

with be.Session() as s:
    fac = s.get(Factory, fid)
    if fac is None:
        st.error(pick(f"找不到工厂 #{fid}，请在首页重新选择。", f"Factory #{fid} was not found: choose again on the home page."))
        st.stop()
    rows = s.scalars(select(Assessment).where(Assessment.factory_id == fid).options(selectinload(Assessment.snapshots))
                     .order_by(Assessment.created_at, Assessment.id)).all()
    fname = fac.name
    table, pts = [], []  # pts: (x label, S, level) of every assessment with a snapshot, for the trend
    for a in rows:
        snap = a.snapshots[-1] if a.snapshots else None
        table.append({"id": a.id, pick("评估", "Assessment"): a.title, pick("年度", "Period"): a.period or "",
                      pick("状态", "Status"): name_or_key(STATUS_NAMES, a.status)
                      + (pick("（已归档）", " (archived)") if a.archived_at else ""), pick("版本", "Edition"): a.maturity_edition,
                      "S": round(snap.score, 2) if snap else None,
                      pick("等级", "Level"): name_or_key(LEVEL_NAMES, snap.level) if snap else "",
                      pick("层级", "Tier"): name_or_key(TIER_NAMES, snap.tier) if snap else "",
                      pick("快照时间", "Snapshot"): snap.created_at.strftime("%Y-%m-%d") if snap else pick("未保存快照", "no snapshot")})
        if snap:
            pts.append((f"{a.period} #{a.id}" if a.period else f"#{a.id}", round(snap.score, 2), snap.level))
st.caption(plain(fname))
if not table:
    st.info(pick("此工厂还没有评估。", "This factory has no assessment yet."))
    st.stop()
st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")

if pts:
    st.image(charts.trend([p[0] for p in pts], [p[1] for p in pts], [p[2] for p in pts],
                          title=pick(f"{fname} 总分趋势", f"{fname}: score trend")))

st.subheader(":material/compare_arrows: " + t("compare"))
ids = [r["id"] for r in table]
labels = {r["id"]: f"{r[pick('评估', 'Assessment')]}（#{r['id']}）" for r in table}
c1, c2 = st.columns(2)
left = c1.selectbox(pick("评估 A", "Assessment A"), ids, index=max(0, len(ids) - 2), format_func=labels.get, key="cmp_a")
right = c2.selectbox(pick("评估 B", "Assessment B"), ids, index=len(ids) - 1, format_func=labels.get, key="cmp_b")
evaluated = {}
for side, aid_ in (("A", left), ("B", right)):
    try:
        with be.Session() as s:
            evaluated[side] = repo.evaluate(repo.get_assessment(aid_, session=s), root=root)
    except domain_errors() as exc:  # e.g. stored data the engine refuses: this pair cannot be compared, the page stays
        show_error(f"无法比较：评估 {side}（#{aid_}）无法计算：", f"Cannot compare: assessment {side} (#{aid_}) cannot be computed: ", exc)
if len(evaluated) < 2:
    st.stop()
ea, eb = evaluated["A"], evaluated["B"]
ma, mb = ea.maturity, eb.maturity
k1, k2, k3 = st.columns(3)
k1.metric("S", f"{mb.score:.2f}", f"{mb.score - ma.score:+.2f}")
k2.metric(t("level"), name_or_key(LEVEL_NAMES, mb.level), f"{mb.level - ma.level:+d}" if mb.level != ma.level else None)
k3.metric(t("tier"), name_or_key(TIER_NAMES, eb.tiers.tier),
          f"{name_or_key(TIER_NAMES, ea.tiers.tier)} → {name_or_key(TIER_NAMES, eb.tiers.tier)}"
          if ea.tiers.tier != eb.tiers.tier else None)
if ma.edition != mb.edition:
    st.warning(pick("两次评估使用了不同的标准版本，子域不完全可比。", "The two assessments use different editions; sub-domains are not fully comparable."))
sa = {x.id: x for x in ma.subdomains}
rows = []
for x in mb.subdomains:
    before = sa[x.id].score if x.id in sa else None
    rows.append({pick("子域", "Sub-domain"): x.name_zh if zh else x.name_en, "A": before, "B": x.score,
                 "Δ": round(x.score - before, 3) if before is not None else None})
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
doms_a = {d.id: d.score for d in ma.domains}
st.image(charts.radar([d.name_zh if zh else d.name_en for d in mb.domains],
                      {labels[left]: [doms_a.get(d.id, 0) for d in mb.domains], labels[right]: [d.score for d in mb.domains]},
                      title=pick("能力域对比", "Domains compared")))
