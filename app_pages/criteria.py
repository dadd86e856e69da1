"""标准浏览: every edition's criteria with provenance, and the differences between maturity editions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.diff import diff
from assessment.editions import load_maturity_cached, load_registry
from ui.i18n import PROV_NAMES, REVIEW_BADGES, name, pick, t
from ui.services import backend
from ui.widgets import domain_errors, plain, show_error

be = backend()
root = be.settings.criteria_dir
zh = pick("zh", "en") == "zh"
st.title(t("criteria"))
try:
    reg = load_registry(root)
except domain_errors() as exc:
    show_error("标准目录无法读取：", "The criteria registry cannot be read: ", exc)
    st.stop()
eid = st.selectbox(
    t("edition"), list(reg), format_func=lambda k: f"{k} · {reg[k].title_zh if zh else reg[k].title_en}", key="crit_edition"
)
entry = reg[eid]
st.caption(
    plain(
        f"{pick('状态', 'Status')}: {entry.status} · {pick('生效', 'Effective')}: {entry.effective or '—'} · "
        f"{pick('前序版本', 'Predecessor')}: {entry.predecessor or '—'} · {pick('来源', 'Source')}: {entry.source}"
    )
)


def _load(loader, edition_id: str):
    """An edition's content, or a message naming the problem (a broken criteria file never shows a traceback)."""
    try:
        return loader(edition_id, root)
    except domain_errors() as exc:
        show_error(f"{edition_id} 无法加载：", f"{edition_id} cannot be loaded: ", exc)
        st.stop()


if entry.kind == "maturity":
    ed = _load(load_maturity_cached, eid)
    counts = ed.provenance_counts()
    st.write(pick("条款来源：", "Provenance: ") + "，".join(f"{name(PROV_NAMES, k)} {v}" for k, v in sorted(counts.items())))
    subs = ed.subdomains
    c1, c2, c3 = st.columns(3)
    sub = c1.selectbox(
        pick("能力子域", "Sub-domain"),
        ["*"] + list(subs),
        key="crit_sub",
        format_func=lambda k: pick("全部", "all") if k == "*" else (subs[k].name_zh if zh else subs[k].name_en),
    )
    lvl = c2.selectbox(
        pick("等级", "Level"),
        ["*", 1, 2, 3, 4, 5],
        key="crit_level",
        format_func=lambda k: pick("全部", "all") if k == "*" else str(k),
    )
    prov = c3.selectbox(
        pick("来源", "Provenance"),
        ["*", "secondary", "authored", "provisional"],
        key="crit_prov",
        format_func=lambda k: pick("全部", "all") if k == "*" else name(PROV_NAMES, k),
    )
    rows = []
    for r in ed.requirements:
        sd = ed.req_subdomain[r.id]
        if (sub != "*" and sd != sub) or (lvl != "*" and r.level != lvl) or (prov != "*" and r.provenance.kind.value != prov):
            continue
        rows.append(
            {
                "id": r.id,
                pick("子域", "Sub-domain"): subs[sd].name_zh if zh else subs[sd].name_en,
                pick("等级", "Level"): r.level,
                pick("要求", "Requirement"): r.text_zh if zh else r.text_en,
                pick("证据示例", "Evidence"): "；".join(r.evidence_zh if zh else r.evidence_en),
                pick("来源", "Provenance"): name(PROV_NAMES, r.provenance.kind.value),
                pick("出处", "Reference"): r.provenance.ref,
                pick("行业", "Industries"): ",".join(x.value for x in ed.req_industries(r)),
                pick("专家审核", "Expert review"): name(REVIEW_BADGES, r.review.status.value if r.review else None),
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=420)
    with st.expander(pick("权重（含来源）", "Weights (with provenance)")):
        wrows = [
            {
                pick("层级", "Tier"): kind,
                "id": i.id,
                pick("名称", "Name"): i.name_zh if zh else i.name_en,
                **{k.value: float(v) for k, v in i.weight.items()},
                pick("来源", "Provenance"): name(PROV_NAMES, i.provenance.kind.value),
                pick("说明", "Note"): i.provenance.note or "",
            }
            for kind, items in (("element", ed.model.elements), ("domain", ed.model.domains), ("subdomain", ed.model.subdomains))
            for i in items
        ]
        st.dataframe(pd.DataFrame(wrows), hide_index=True, width="stretch")
    sc = ed.scoring
    st.caption(
        pick(f"评分：等级门槛 {float(sc.threshold):g}，分数区间 ", f"Scoring: threshold {float(sc.threshold):g}, bands ")
        + "，".join(f"{b.level}: ≥{float(b.min):g}" for b in sc.bands)
        + f" · {name(PROV_NAMES, sc.scoring_provenance.kind.value)}："
        + plain(sc.scoring_provenance.ref)
    )
elif entry.kind == "scenarios":
    from assessment.scenarios import load_catalogue

    st.dataframe(pd.DataFrame(_load(load_catalogue, eid).rows()), hide_index=True, width="stretch", height=480)
elif entry.kind == "smart_factory":
    from assessment.tiers import load_tier_edition

    st.dataframe(pd.DataFrame(_load(load_tier_edition, eid).rows()), hide_index=True, width="stretch", height=480)
else:
    from assessment.declarations import load_declarations

    st.dataframe(pd.DataFrame(_load(load_declarations, eid).rows()), hide_index=True, width="stretch", height=480)

st.subheader(":material/difference: " + t("diff"))
mats = [k for k, v in reg.items() if v.kind == "maturity"]
d1, d2 = st.columns(2)
a = d1.selectbox("A", mats, index=0, key="diff_a")
b = d2.selectbox("B", mats, index=len(mats) - 1, key="diff_b")
d = diff(_load(load_maturity_cached, a), _load(load_maturity_cached, b))
x1, x2, x3 = st.columns(3)
x1.metric(pick("新增子域", "Sub-domains added"), len(d["subdomains"]["added"]))
x2.metric(pick("删除子域", "Sub-domains removed"), len(d["subdomains"]["removed"]))
x3.metric(pick("权重变化", "Weights changed"), len(d["weights"]))
st.write(pick("新增：", "Added: ") + plain(", ".join(d["subdomains"]["added"]) or "—"))
st.write(pick("删除：", "Removed: ") + plain(", ".join(d["subdomains"]["removed"]) or "—"))
st.dataframe(pd.DataFrame(d["weights"]), hide_index=True, width="stretch")
