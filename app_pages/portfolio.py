"""区域画像: the portfolio of factories for planners and province admins (issue 14).

Every figure comes from ``assessment.store.portfolio`` (one SQL statement each, on SQLite and PostgreSQL alike):
distributions by region, industry group, industry type and size class beside the published national level shares,
transitions between consecutive assessments, factories within reach of the next threshold with the planner's
effort, the rules and requirements that block most factories, and a factory's percentile among its peers. Synthetic
(generated) data is labelled 合成数据 wherever it is counted; every table downloads as CSV and XLSX.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from assessment.access import AccessDenied
from assessment.declarations import load_declarations
from assessment.editions import DECLARATIONS_EDITION, load_maturity_cached, load_registry
from assessment.services import population
from assessment.services import portfolio as pf_svc
from assessment.store import portfolio as pf
from assessment.store import repository as repo
from assessment.tiers import load_tier_edition
from reports import charts
from ui import auth, state
from ui.i18n import INDUSTRY_NAMES, LEVEL_NAMES, TIER_NAMES, lang, msg, name, name_or_key, pick
from ui.services import backend
from ui.widgets import domain_errors, plain, show_error

be = backend()
root = be.settings.criteria_dir
zh = lang() == "zh"
SYN = "合成数据"
me = auth.principal(be)  # every query below is limited to what this principal may see (a province admin: their province)

st.title(pick("区域画像", "Portfolio") + (" · " + plain(me.province) if me.role == "province_admin" and me.province else ""))
st.caption(
    pick(
        "面向规划人员和省级管理员：按地区、行业和规模看成熟度等级与智能工厂层级的分布、历次评估间的迁移、临近下一门槛的工厂、"
        "最常见的阻碍和单个工厂在同类中的位置。统计取每个工厂最近一次评估的最新结果快照（已归档的不计），全部在数据库中汇总。",
        "For planners and province admins: levels and tiers by region, industry and size, moves between consecutive "
        "assessments, factories near the next threshold, the most common blockers and one factory's place among its peers. "
        "Each factory counts with the latest snapshot of its latest assessment (archived ones left out), aggregated in the database.",
    )
)

DATA = {"all": None, "real": False, "synthetic": True}
data = st.radio(
    pick("数据范围", "Data"),
    list(DATA),
    horizontal=True,
    key="pf_data",
    format_func=lambda d: {
        "all": pick("全部", "All"),
        "real": pick("仅真实企业", "Real enterprises only"),
        "synthetic": pick(f"仅{SYN}", f"{SYN} (synthetic) only"),
    }[d],
)
synthetic = DATA[data]
try:
    with be.Session.begin() as s:
        pf_svc.reindex(s, root=root)  # blockers of snapshots taken since the last visit
    with be.Session() as s:
        summ = pf.summary(s, synthetic=synthetic, root=root, principal=me)
except AccessDenied as exc:
    st.error(plain(msg(exc)), icon=":material/block:")
    st.stop()
except domain_errors() as exc:
    show_error("无法汇总：", "The portfolio cannot be aggregated: ", exc)
    st.stop()
if me.role == "province_admin":
    st.info(
        plain(pick(f"只统计本省（{me.province}）的企业。", f"Only enterprises in your province ({me.province}) are counted.")),
        icon=":material/location_on:",
    )

has_synth = summ["synthetic_factories"] > 0
if has_synth:
    st.warning(
        pick(
            f"{SYN}：其中 {summ['synthetic_factories']} 个工厂是合成（演示用）数据，非真实企业；下面每个含{SYN}的图表和表格都有标注。",
            f"{SYN} — synthetic data: {summ['synthetic_factories']} factories are generated demo data, not real "
            "enterprises; every chart and table below that counts them says so.",
        ),
        icon=":material/science:",
    )
if not summ["factories"]:
    st.info(
        pick(
            "还没有带结果快照的评估。保存结果快照后即可统计；演示可生成合成数据：python -m assessment demo population --factories 1000 --years 3",
            "No assessment has a result snapshot yet. Save snapshots to see figures here; for a demo, generate synthetic data: "
            "python -m assessment demo population --factories 1000 --years 3",
        )
    )
    st.stop()

size_names = {c.id: (c.name_zh, c.name_en) for c in load_declarations(DECLARATIONS_EDITION, root).sizes.classes}
GROUP_NAMES = {
    "raw_materials": ("原材料", "Raw materials"),
    "equipment": ("装备制造", "Equipment"),
    "consumer": ("消费品", "Consumer goods"),
    "electronics": ("电子信息", "Electronics"),
}
GROUP_LABELS = {
    "province": lambda v: v,
    "industry_group": lambda v: name_or_key(GROUP_NAMES, v),
    "industry_type": lambda v: name_or_key(INDUSTRY_NAMES, v),
    "size_class": lambda v: name_or_key(size_names, v),
}


def _group(by: str, v) -> str:
    return pick("未填", "not given") if v is None else str(GROUP_LABELS[by](v))


def _lv(v) -> str:
    return name_or_key(LEVEL_NAMES, v) if v is not None else "—"


def _tr(v) -> str:
    return name_or_key(TIER_NAMES, v) if v is not None else "—"


def _syn_tag() -> str:
    return f"  :orange-badge[{SYN}]" if has_synth else ""


def _frame(t: pf.Table, show: dict | None = None) -> pd.DataFrame:
    """The table with headers in the chosen language; ``show`` maps a column id to a display function."""
    show = show or {}
    rows = [[show[c](v) if c in show else v for c, v in zip(t.columns, r)] for r in t.rows]
    return pd.DataFrame(rows, columns=list(t.headers_zh if zh else t.headers_en))


def _downloads(tables: list[pf.Table], key: str) -> None:
    stem = tables[0].name + (f"-{SYN}" if has_synth else "")
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        "CSV",
        pf.to_csv(tables[0], lang=lang()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"pf_csv::{key}",
        width="stretch",
    )
    c2.download_button(
        "XLSX",
        pf.to_xlsx(tables, lang=lang()),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"pf_xlsx::{key}",
        width="stretch",
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _band_chart(bands: list, groups: list, matrix: list, refs: dict, title: str) -> bytes:
    return charts.band_shares(bands, groups, matrix, refs, title=title)


def _percent(v) -> float:
    return round(float(v) * 100, 1)


# -- headline figures -----------------------------------------------------------------------------------------------

k1, k2, k3, k4 = st.columns(4)
k1.metric(pick("工厂", "Factories"), f"{summ['factories']:,}")
k2.metric(pick("企业", "Enterprises"), f"{summ['enterprises']:,}")
k3.metric(pick("平均总分 S", "Mean S"), f"{summ['mean_score']:.2f}" if summ["mean_score"] is not None else "—")
k4.metric(pick(f"其中{SYN}", "of which synthetic"), f"{summ['synthetic_factories']:,}")
h1, h2 = st.columns(2)
h1.dataframe(pd.DataFrame([{_tr(t): n for t, n in summ["tiers"].items()}]), hide_index=True, width="stretch")
h2.dataframe(pd.DataFrame([{_lv(int(k)): v for k, v in summ["levels"].items()}]), hide_index=True, width="stretch")

# -- distributions --------------------------------------------------------------------------------------------------

st.subheader(":material/bar_chart: " + pick("分布", "Distributions") + _syn_tag())
d1, d2 = st.columns([2, 1])
by = d1.selectbox(
    pick("按", "By"), list(pf.DIMENSIONS), key="pf_by", format_func=lambda k: pf.DIMENSIONS[k][1] if zh else pf.DIMENSIONS[k][2]
)
measure = d2.radio(
    pick("指标", "Measure"),
    ["level", "tier"],
    horizontal=True,
    key="pf_measure",
    format_func=lambda m: pick("成熟度等级", "Maturity level") if m == "level" else pick("智能工厂层级", "Smart-factory tier"),
)
with be.Session() as s:
    dist = pf.distribution(s, by, measure=measure, synthetic=synthetic, root=root, principal=me)
    shares = pf.level_shares(s, synthetic=synthetic, root=root, principal=me)
value_label = _lv if measure == "level" else _tr
counts: dict[str, dict[str, int]] = {}
for g, v, n, _ in dist.rows:
    counts.setdefault(_group(by, g), {})[value_label(v)] = n
order = [
    value_label(v) for v in sorted({r[1] for r in dist.rows}, key=lambda v: pf.TIER_ORDER.index(v) if v in pf.TIER_ORDER else v)
]
pivot = pd.DataFrame.from_dict(counts, orient="index").reindex(columns=order).fillna(0).astype(int)
pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False).index]
share_pivot = pivot.div(pivot.sum(axis=1), axis=0)
band_names = [r[1] for r in shares.rows] if zh else ["≤L1", "L2", "L3", "≥L4"]
if measure == "level":
    bands = [("le1", (0, 1)), ("l2", (2,)), ("l3", (3,)), ("ge4", (4, 5))]
    groups = [pick("全部", "All")] + list(pivot.index[:24])
    matrix = [[r[3] for r in shares.rows]]
    for grp in pivot.index[:24]:
        row = pivot.loc[grp]
        n = row.sum() or 1
        matrix.append([sum(row.get(_lv(x), 0) for x in levels) / n for _, levels in bands])
    refs = {
        pick(f"全国 {r['year']}（参考）", f"National {r['year']} (reference)"): [r[b] for b, _ in bands]
        for r in pf.NATIONAL_SHARES
    }
    title = pick(
        f"各等级段工厂占比（按{pf.DIMENSIONS[by][1]}）；虚线为全国自诊断公开占比（参考）",
        f"Share of factories per level band "
        f"(by {pf.DIMENSIONS[by][2].lower()}); dashed lines: published national self-assessment shares (reference)",
    )
    if has_synth:
        title += pick(f" · 含{SYN}", f" · includes {SYN} (synthetic)")
    st.image(_band_chart(band_names, groups, matrix, refs, title), width="stretch")
    if len(pivot.index) > 24:
        st.caption(
            pick(
                f"图中显示工厂数最多的 24 组（共 {len(pivot.index)} 组），表格中是全部。",
                f"The chart shows the 24 largest groups (of {len(pivot.index)}); the table has all.",
            )
        )
    st.caption(
        pick(
            "全国参考：c3mep 平台企业自诊断数据公开报道的等级占比（自评、样本逐年变化），只作基准参考，不是同类比较组。来源：",
            "National reference: level shares published from c3mep self-assessment data (self-assessed, a changing "
            "pool), a benchmark only, never a peer group. Sources: ",
        )
        + plain("; ".join(f"{r['year']} {r['source']}" for r in pf.NATIONAL_SHARES))
    )
else:
    st.caption(pick("全国层级占比没有公开数据，故无参考线。", "No national tier shares are published: no reference line."))
    st.bar_chart(share_pivot, horizontal=True, stack=True, height=max(240, 28 * len(share_pivot) + 80))
st.dataframe(pivot.assign(**{pick("合计", "Total"): pivot.sum(axis=1)}), width="stretch")
_downloads([dist], f"dist::{by}::{measure}")
st.markdown(pick("**等级段占比与全国参考**", "**Level bands beside the national reference**") + _syn_tag())
st.dataframe(
    pd.DataFrame(
        [
            {
                pick("等级段", "Band"): band_names[i],
                pick("工厂数", "Factories"): r[2],
                pick("占比（%）", "Share (%)"): _percent(r[3]),
                **{
                    pick(f"全国 {ref['year']}（参考，%）", f"National {ref['year']} (reference, %)"): _percent(v)
                    for ref, v in zip(pf.NATIONAL_SHARES, r[4:])
                },
            }
            for i, r in enumerate(shares.rows)
        ]
    ),
    hide_index=True,
    width="stretch",
)
_downloads([shares], "level_shares")

# -- transitions ----------------------------------------------------------------------------------------------------

st.subheader(
    ":material/swap_horiz: " + pick("迁移（相邻两次评估之间）", "Transitions (between consecutive assessments)") + _syn_tag()
)
tm = st.radio(
    pick("指标", "Measure"),
    ["level", "tier"],
    horizontal=True,
    key="pf_tmeasure",
    format_func=lambda m: pick("成熟度等级", "Maturity level") if m == "level" else pick("智能工厂层级", "Smart-factory tier"),
)
with be.Session() as s:
    trans = pf.transitions(s, measure=tm, synthetic=synthetic, root=root, principal=me)
if trans.rows:
    lab = _lv if tm == "level" else _tr
    mat = pd.DataFrame([(lab(a), lab(b), n) for a, b, n in trans.rows], columns=["from", "to", "n"])
    keys = [
        lab(v)
        for v in sorted({x for r in trans.rows for x in r[:2]}, key=lambda v: pf.TIER_ORDER.index(v) if v in pf.TIER_ORDER else v)
    ]
    matrix_t = mat.pivot_table(index="from", columns="to", values="n", aggfunc="sum", fill_value=0).reindex(
        index=keys, columns=keys, fill_value=0
    )
    matrix_t.index.name = pick("原（行）→ 新（列）", "from (rows) → to (columns)")
    up = sum(n for a, b, n in trans.rows if (pf.TIER_ORDER.index(b) > pf.TIER_ORDER.index(a) if tm == "tier" else b > a))
    down = sum(n for a, b, n in trans.rows if (pf.TIER_ORDER.index(b) < pf.TIER_ORDER.index(a) if tm == "tier" else b < a))
    same = sum(n for a, b, n in trans.rows) - up - down
    st.caption(pick(f"上升 {up}，不变 {same}，下降 {down}。", f"Up {up}, unchanged {same}, down {down}."))
    st.dataframe(matrix_t, width="stretch")
    _downloads([trans], f"transitions::{tm}")
else:
    st.info(pick("还没有同一工厂的两次评估。", "No factory has two assessments yet."))

# -- within reach ---------------------------------------------------------------------------------------------------

st.subheader(":material/near_me: " + pick("临近下一门槛的工厂", "Factories within reach of the next threshold") + _syn_tag())
TARGETS = ["basic", "advanced", "excellent", "leading"] + [f"L{n}" for n in range(1, 6)]
w1, w2 = st.columns([2, 1])
reach_target = w1.selectbox(
    pick("门槛", "Threshold"),
    TARGETS,
    index=1,
    key="pf_reach_target",
    format_func=lambda x: name(TIER_NAMES, x) if x in TIER_NAMES else name(LEVEL_NAMES, int(x[1])),
)
limit = w2.number_input(pick("列出", "List"), min_value=5, max_value=200, value=20, step=5, key="pf_reach_limit")
st.caption(
    pick(
        "层级：当前正好低一级的工厂，按下一层级未满足的规则数、再按总分距下一等级的差排序；等级：当前低一级的工厂，按分差排序。",
        "Tiers: factories one tier below, by the number of the next tier's rules they fail, then by how far S is from the "
        "next level; levels: factories one level below, by that distance.",
    )
)
with be.Session() as s:
    reach = pf.within_reach(s, target=reach_target, limit=int(limit), synthetic=synthetic, root=root, principal=me)
reach_show = {"level": _lv, "tier": _tr, "synthetic": lambda v: SYN if v else pick("真实", "real")}
if reach.rows:
    st.dataframe(_frame(reach, reach_show), hide_index=True, width="stretch")
    _downloads([reach], f"reach::{reach_target}")
    p1, p2 = st.columns([1, 2])
    n_plan = p1.number_input(
        pick("计算规划工作量：前几家", "Planner effort for the first"), min_value=1, max_value=10, value=3, key="pf_plan_n"
    )
    cost_key = ("pf_plan_costs", reach_target, data, int(limit), int(n_plan))
    if p2.button(pick("用规划器计算工作量", "Compute the planner's effort"), icon=":material/route:", key="pf_plan_btn"):
        try:
            with (
                st.spinner(pick("正在规划…", "Planning…")),
                be.Session.begin() as s,
            ):  # a synthetic assessment's answers are written on demand
                st.session_state["pf_plan_costs"] = (
                    cost_key,
                    pf_svc.plan_costs(s, reach, reach_target, root=root, limit=int(n_plan)),
                )
        except domain_errors() as exc:
            show_error("无法规划：", "No plan: ", exc)
    got = st.session_state.get("pf_plan_costs")
    if got and got[0] == cost_key:
        costed = got[1]
        st.dataframe(
            _frame(
                costed,
                {
                    **reach_show,
                    "reachable": lambda v: pick("是", "yes") if v else pick("否", "no"),
                    "exact": lambda v: pick("精确", "exact") if v else pick("启发式", "heuristic"),
                },
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            pick(
                "工作量按默认工作量（暂定工程估计，人天）计算；在“升级路径规划”页可上传自己的工作量文件。",
                "Efforts use the default costs (provisional engineering estimates, person-days); upload your own on the planning page.",
            )
        )
        _downloads([costed], f"reach_plan::{reach_target}")
    pick_rows = {r[0]: r for r in reach.rows}
    o1, o2 = st.columns([2, 1])
    chosen = o1.selectbox(
        pick("为一个工厂规划升级路径", "Plan one factory's upgrade path"),
        list(pick_rows),
        key="pf_open_factory",
        format_func=lambda fid: (
            f"#{fid} {pick_rows[fid][1]} · {pick_rows[fid][2]}"  # options are plain text
            + (f"（{SYN}）" if pick_rows[fid][10] else "")
        ),
    )
    if o2.button(
        pick("打开升级路径规划", "Open the planning page"), icon=":material/open_in_new:", key="pf_open_btn", width="stretch"
    ):
        aid_ = pick_rows[chosen][9]
        try:
            with be.Session.begin() as s:
                population.ensure_answers(s, aid_, root=root)
                a = repo.get_assessment(aid_, session=s)
                ids = (a.factory.enterprise_id, a.factory_id, a.id)
        except domain_errors() as exc:
            show_error("无法打开：", "Cannot open: ", exc)
        else:
            state.select(enterprise_id=ids[0], factory_id=ids[1], assessment_id=ids[2], subdomain=None)
            st.session_state["plan_target_request"] = (ids[2], reach_target)  # the planning page opens on this target
            st.switch_page("app_pages/plan.py", query_params={"assessment": str(ids[2])})
else:
    st.info(pick("没有正好低一级的工厂。", "No factory is one step below this threshold."))

# -- blockers -------------------------------------------------------------------------------------------------------

st.subheader(":material/block: " + pick("最常见的阻碍", "The most common blockers") + _syn_tag())
b1, b2 = st.columns([2, 1])
kind = b1.radio(
    pick("类别", "Kind"),
    ["rule", "requirement"],
    horizontal=True,
    key="pf_block_kind",
    format_func=lambda k: (
        pick("层级规则（下一层级）", "Tier rules (next tier)")
        if k == "rule"
        else pick("成熟度要求（下一等级）", "Maturity requirements (next level)")
    ),
)
blimit = b2.number_input(pick("列出", "List"), min_value=5, max_value=100, value=15, step=5, key="pf_block_limit")
with be.Session() as s:
    blockers = pf.top_blockers(s, kind=kind, limit=int(blimit), synthetic=synthetic, root=root, principal=me)


@st.cache_data(show_spinner=False)
def _descriptions(root_dir: str, language: str) -> dict[str, str]:
    """What a rule or requirement id says, over every tier and maturity edition."""
    out = {}
    for eid, entry in load_registry(Path(root_dir)).items():
        if entry.kind == "smart_factory":
            for r in load_tier_edition(eid, Path(root_dir)).rows():
                out[r["id"]] = r["message_zh"] if language == "zh" else r["message_en"]
        elif entry.kind == "maturity":
            for rid, r in load_maturity_cached(eid, Path(root_dir)).requirement_map.items():
                out.setdefault(rid, r.text_zh if language == "zh" else r.text_en)
    return out


if blockers.rows:
    desc = _descriptions(str(root), lang())
    top = blockers.records()[0]
    st.caption(
        pick("最常见的阻碍：", "The most common blocker: ")
        + plain(
            f"{top['item']}（{desc.get(top['item'], '')}）· "
            + pick(
                f"{top['factories']} 个工厂，占 {_percent(top['share'])}%",
                f"{top['factories']} factories, {_percent(top['share'])} %",
            )
        )
    )
    frame = _frame(blockers, {"target": lambda v: name(TIER_NAMES, v) if v in TIER_NAMES else v, "share": _percent})
    frame.insert(1, pick("内容", "What it asks"), [desc.get(r[0], "") for r in blockers.rows])
    frame = frame.rename(columns={pick("占比", "Share"): pick("占比（%）", "Share (%)")})
    st.dataframe(frame, hide_index=True, width="stretch")
    _downloads([blockers], f"blockers::{kind}")
else:
    st.info(pick("没有记录到阻碍。", "No blocker is recorded."))

# -- percentile -----------------------------------------------------------------------------------------------------

st.subheader(":material/percent: " + pick("工厂在同类中的百分位", "A factory's percentile among its peers") + _syn_tag())
q1, q2 = st.columns([1, 2])
fid = q1.number_input(
    pick("工厂编号", "Factory id"),
    min_value=1,
    step=1,
    key="pf_pct_factory",
    value=int(st.session_state.get(state.FACTORY_ID) or (reach.rows[0][0] if reach.rows else 1)),
)
peers = q2.multiselect(
    pick("同类按", "Peers by"),
    list(pf.DIMENSIONS),
    default=["industry_group", "size_class"],
    key="pf_pct_peers",
    format_func=lambda k: pf.DIMENSIONS[k][1] if zh else pf.DIMENSIONS[k][2],
)
try:
    with be.Session() as s:
        pct = pf.percentile(s, int(fid), peers=",".join(peers), synthetic=synthetic, root=root, principal=me)
except domain_errors() as exc:
    show_error("无法计算百分位：", "No percentile: ", exc)
else:
    r1, r2, r3 = st.columns(3)
    r1.metric(pick("百分位", "Percentile"), f"{pct['percentile']:.1f}")
    r2.metric(pick("同类工厂数", "Peers"), f"{pct['peers']:,}")
    r3.metric(pick("总分 S", "Score S"), f"{pct['score']:.2f}", help=_lv(pct["level"]))
    group = "，".join(
        f"{pf.DIMENSIONS[k][1] if zh else pf.DIMENSIONS[k][2]}：{_group(k, v)}" for k, v in pct["peer_group"].items()
    )
    st.caption(
        pick(
            "百分位：同类中总分低于此工厂的比例（PERCENT_RANK）。同类：",
            "Percentile: the share of peers with a lower S (PERCENT_RANK). Peers: ",
        )
        + plain(group or pick("全部工厂", "every factory"))
    )

# -- every table at once --------------------------------------------------------------------------------------------

st.divider()
if st.button(
    pick("生成全部表格（一个 XLSX 文件）", "Build every table (one XLSX file)"), icon=":material/table_view:", key="pf_all_btn"
):
    with st.spinner(pick("正在汇总…", "Aggregating…")), be.Session() as s:
        st.session_state["pf_all"] = (
            data,
            lang(),
            pf.to_xlsx(pf.all_tables(s, synthetic=synthetic, root=root, principal=me), lang=lang()),
        )
got = st.session_state.get("pf_all")
if got and got[:2] == (data, lang()):
    st.download_button(
        pick("下载全部表格", "Download every table"),
        got[2],
        file_name="portfolio" + (f"-{SYN}" if has_synth else "") + ".xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="pf_all_dl",
    )
