"""升级路径规划: the cheapest path to a target, a what-if sandbox, and re-scoring under another edition (issue 14).

The engine does every computation: ``assessment.planner.plan`` for the plan, the maturity scorer with the tier and
declaration rules for the what-if, ``assessment.mappings`` for re-scoring. This page only chooses the inputs and shows
the results. The what-if sandbox lives in the session: it is never saved to the database.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st
import yaml

from assessment.answers import NA
from assessment.declarations import load_declarations
from assessment.editions import DECLARATIONS_EDITION, load_maturity_cached, load_registry
from assessment.loader import parse_document
from assessment.mappings import load_mappings, rescore, retier
from assessment.planner import DEFAULT_COSTS, PlanError, check_costs, load_costs, plan, write_planned
from assessment.profile import TIERS, parse_profile
from assessment.registry import evaluate_profile
from assessment.scenarios import load_catalogue
from assessment.services import evaluation, population
from assessment.store import repository as repo
from ui.i18n import GRADE_NAMES, LEVEL_NAMES, TIER_NAMES, name, name_or_key, pick
from ui.services import backend
from ui.widgets import domain_errors, error_text, plain, require_assessment, show_error

COSTS_MAX_BYTES = 1024 * 1024

be = backend()
root = be.settings.criteria_dir
aid = require_assessment()
if aid is None:
    st.stop()
zh = pick("zh", "en") == "zh"

st.title(pick("升级路径规划", "Upgrade-path planning"))
try:
    with be.Session.begin() as s:  # a synthetic assessment keeps its answers in its snapshot until it is opened
        population.ensure_answers(s, aid, root=root)
    with be.Session() as s:
        a = repo.get_assessment(aid, session=s)
        title, med, ted, industry = a.title, a.maturity_edition, a.tier_edition, a.industry_type
        enterprise, factory, synthetic = a.factory.enterprise.name, a.factory.name, bool(a.factory.enterprise.synthetic)
        instances = [(x.scenario_id, x.name, bool(x.ai)) for x in a.scenarios]
        answers = evaluation.answers_model(a)
        profile = evaluation.build_profile(a)
        ev = evaluation.evaluate(a, root=root)
except repo.NotFound:
    st.error(pick(f"找不到评估 #{aid}，请在首页重新选择。", f"Assessment #{aid} was not found: choose again on the home page."))
    st.stop()
except domain_errors() as exc:
    show_error("无法读取此评估：", "This assessment cannot be read: ", exc)
    st.stop()

st.caption(plain(f"{enterprise} · {factory} · {title} · {med} · {ted}"))
if synthetic:
    st.warning(
        pick(
            "合成数据：此评估属于合成（演示）企业，非真实企业。",
            "合成数据 — synthetic data: this assessment belongs to a generated demo enterprise, not a real one.",
        ),
        icon=":material/science:",
    )
st.caption(
    pick(
        "本页只调用评估引擎和规划器：不在页面中计算分数；假设分析只在本会话中进行，不会保存。",
        "This page only calls the engine and the planner; the what-if sandbox stays in this session and is never saved.",
    )
)

ed = load_maturity_cached(med, root)
decl = load_declarations(DECLARATIONS_EDITION, root)
GRADES = ["full", "largely", "partial", "none"]
KEEP = "keep"
STANDINGS = ["none", "regional_leading", "domestic_leading", "international_advanced", "global_leading"]
STANDING_NAMES = {
    None: ("未填", "not given"),
    "none": ("一般", "none"),
    "regional_leading": ("区域领先", "regional leading"),
    "domestic_leading": ("国内领先", "domestic leading"),
    "international_advanced": ("国际先进", "international advanced"),
    "global_leading": ("全球领先", "global leading"),
}


def _yn(v) -> str:
    return {None: pick("未填", "not given"), True: pick("是", "yes"), False: pick("否", "no")}[v]


def _level(n) -> str:
    return name_or_key(LEVEL_NAMES, n) if n is not None else "—"


def _tier(t) -> str:
    return name_or_key(TIER_NAMES, t) if t is not None else "—"


def _summary(d: dict) -> str:
    parts = []
    if d.get("level") is not None:
        parts.append(pick("成熟度 ", "maturity ") + _level(d["level"]))
    if "tier" in d:
        parts.append(pick("层级 ", "tier ") + _tier(d["tier"]))
    if "eligible" in d:
        parts.append(pick("可申报", "eligible") if d["eligible"] else pick("不可申报", "not eligible"))
    return "，".join(parts) if zh else ", ".join(parts)


def _short(d: dict) -> str:
    """The figure a target is about: the tier (with eligibility for a programme), else the level."""
    if "tier" in d:
        return _tier(d["tier"]) + (
            (" · " + (pick("可申报", "eligible") if d["eligible"] else pick("不可申报", "not eligible")))
            if "eligible" in d
            else ""
        )
    return _level(d.get("level"))


# -- the what-if sandbox (built first: the plan may start from it) --------------------------------------------------

SANDBOX = f"whatif::{aid}"
box = st.session_state.setdefault(SANDBOX, {"cells": {}, "facts": {}, "ai": {}})
reqs = [r for r in ed.applicable_requirements(industry) if not r.withdrawn]
sub_of = ed.req_subdomain
subs_here = [sid for sid in ed.subdomains if any(sub_of[r.id] == sid for r in reqs)]
levels_of = {sid: sorted({r.level for r in reqs if sub_of[r.id] == sid}) for sid in subs_here}


def _sandbox_doc() -> tuple[dict, int, int]:
    """The profile document with the sandbox applied, the number of requirements and of facts it changes."""
    doc = profile.model_dump(mode="json")
    grades = dict(doc["maturity"].get("answers") or {})
    changed = 0
    for r in reqs:
        if answers.grades.get(r.id) == NA:
            continue  # N/A stays N/A: a what-if changes grades, not the weights
        g = box["cells"].get((sub_of[r.id], r.level)) or box["cells"].get(("*", r.level))
        if g and grades.get(r.id) != g:
            grades[r.id] = g
            changed += 1
    doc["maturity"]["answers"] = grades
    facts = 0
    for key, value in box["facts"].items():
        if key == "held":  # the highest tier already obtained
            have = [x["tier"] for x in doc["tiers_obtained"]]
            want = list(TIERS[: TIERS.index(value) + 1]) if value in TIERS else []
            if sorted(have) != sorted(want):
                year = max([x["year"] for x in doc["tiers_obtained"]] + [date.today().year])
                doc["tiers_obtained"] = [{"tier": t, "year": year} for t in want]
                facts += 1
        elif doc["enterprise"].get(key) != value:
            doc["enterprise"][key] = value
            facts += 1
    for i, ai in box["ai"].items():
        if i < len(doc["scenarios"]["instances"]) and doc["scenarios"]["instances"][i]["ai"] != ai:
            doc["scenarios"]["instances"][i]["ai"] = ai
            facts += 1
    return doc, changed, facts


def _evaluate_doc(doc: dict):
    """Maturity, tiers and declarations of a profile document, by the engine (as evaluation.evaluate does)."""
    prof = parse_profile(doc, "what-if")
    ev = evaluate_profile(prof, declarations=decl.id, root=root)
    return prof, ev.maturity, ev.tiers, ev.declarations


sandbox_doc, sandbox_reqs, sandbox_facts = _sandbox_doc()
sandbox_active = bool(sandbox_reqs or sandbox_facts)

tab_plan, tab_whatif, tab_rescore = st.tabs(
    [pick("升级路径", "Upgrade path"), pick("假设分析（沙盒）", "What-if (sandbox)"), pick("版本重评", "Edition re-scoring")]
)

# -- the plan ----------------------------------------------------------------------------------------------------------

ITEM_KINDS = {
    "requirement": ("提升要求", "Raise a requirement"),
    "maturity_level": ("提升成熟度等级", "Raise the maturity level"),
    "scenario": ("新增场景", "Add a scenario"),
    "ai": ("应用人工智能", "Apply AI"),
    "kpi": ("填报指标", "Report a KPI"),
    "fact": ("满足条件", "Fix a condition"),
    "tier_award": ("申报层级", "Obtain a tier"),
}
SIZE_NAMES = {
    "requirements": ("要求数", "requirements"),
    "maturity_variables": ("成熟度变量", "maturity variables"),
    "maturity_constraints": ("成熟度约束", "maturity constraints"),
    "scenario_variables": ("场景变量", "scenario variables"),
    "scenario_constraints": ("场景约束", "scenario constraints"),
}


def _target_label(tg: str) -> str:
    if tg in TIERS:
        return pick("层级：", "Tier: ") + name(TIER_NAMES, tg) + f"（{ted}）"
    if tg in decl.programmes:
        p = decl.programmes[tg]
        return pick("申报：", "Programme: ") + (p.name_zh if zh else p.name_en)
    return pick("成熟度：", "Maturity: ") + name(LEVEL_NAMES, int(tg[1]))


def _value(kind: str, v) -> str:
    if v is None:
        return "—"
    if kind == "requirement":
        return name(GRADE_NAMES, v) if v in GRADE_NAMES else str(v)
    if kind == "maturity_level":
        return _level(v)
    if kind == "scenario" and isinstance(v, dict):
        return f"{v.get('dimension')} · {v.get('link')}" + (" · AI" if v.get("ai") else "")
    if kind == "tier_award" and isinstance(v, dict):
        return f"{_tier(v.get('tier'))} {v.get('year')}"
    if isinstance(v, bool):
        return _yn(v)
    if kind == "fact" and v in STANDING_NAMES:
        return name(STANDING_NAMES, v)
    return str(v)


@st.cache_data(show_spinner=False, max_entries=64)
def _plan(profile_json: str, target: str, costs_json: str | None, root_dir: str):
    """The plan for one profile, target and costs: a pure function of its inputs, cached across runs."""
    prof = parse_profile(json.loads(profile_json), "profile")
    costs = load_costs(data=json.loads(costs_json)) if costs_json else load_costs()
    return plan(prof, target, costs=costs, root=Path(root_dir))


def _read_costs(upload) -> dict:
    """An uploaded costs file, parsed and checked like ``plan --costs``; a ValueError (one line) when it is bad."""
    data = upload.getvalue()
    if len(data) > COSTS_MAX_BYTES:
        raise ValueError(f"{upload.name}: larger than 1 MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{upload.name}: not UTF-8 text (byte {exc.start})") from None
    doc = parse_document(text, upload.name)
    try:
        costs = load_costs(data=doc)
    except PlanError as exc:  # its messages name the input "costs": name the file instead
        raise PlanError(upload.name + str(exc)[len("costs") :] if str(exc).startswith("costs: ") else str(exc)) from None
    check_costs(
        costs, edition=ed, catalogue=load_catalogue(profile.scenarios.catalogue, root), kpi_ids=set(decl.kpis), source=upload.name
    )
    return doc


with tab_plan:
    targets = [f"L{n}" for n in range(1, 6)] + list(TIERS) + list(decl.programmes)
    default = ev.tiers.next_tier or "leading"
    request = st.session_state.pop("plan_target_request", None)  # sent by the portfolio page
    if request and request[0] == aid and request[1] in targets:
        default = request[1]
        st.session_state.pop(f"plan_target::{aid}", None)
    c1, c2 = st.columns([3, 2])
    target = c1.selectbox(
        pick("目标（成熟度等级、智能工厂层级或申报项目）", "Target (maturity level, smart-factory tier or programme)"),
        targets,
        index=targets.index(default),
        format_func=_target_label,
        key=f"plan_target::{aid}",
    )
    start = "actual"
    if sandbox_active:
        start = c2.radio(
            pick("规划起点", "Plan from"),
            ["actual", "sandbox"],
            horizontal=True,
            key=f"plan_start::{aid}",
            format_func=lambda x: (
                pick("当前数据", "the stored data") if x == "actual" else pick("假设情形（沙盒）", "the what-if sandbox")
            ),
        )
    upload = st.file_uploader(
        pick(
            "工作量文件（可选，YAML 或 JSON；未上传时使用默认工作量）",
            "Costs file (optional, YAML or JSON; the default efforts apply without one)",
        ),
        type=["yaml", "yml", "json"],
        key=f"plan_costs::{aid}",
        max_upload_size=1,
    )
    costs_doc = None
    if upload is not None:
        try:
            costs_doc = _read_costs(upload)
        except domain_errors() as exc:
            st.error(
                pick("工作量文件被拒绝，使用默认工作量：", "Costs file refused; the default efforts apply: ") + error_text(exc)
            )
        else:
            st.success(plain(pick(f"使用工作量文件「{upload.name}」。", f"Using the costs file '{upload.name}'.")))
    with st.expander(pick("默认工作量与文件格式", "Default efforts and the file format")):
        st.caption(
            pick(
                "默认工作量为本工具的暂定工程估计（人天），没有出处；可上传自己的工作量文件，按等级、要求、场景、指标和条件覆盖。",
                "The defaults are this tool's provisional engineering estimates (person-days), from no source; upload "
                "your own file to override them by level, requirement, scenario, KPI and condition.",
            )
        )
        template = yaml.safe_dump(DEFAULT_COSTS, allow_unicode=True, sort_keys=False)
        st.code(template, language="yaml")
        st.download_button(
            pick("下载默认工作量文件", "Download the default costs file"),
            template.encode("utf-8"),
            file_name="costs.yaml",
            mime="application/x-yaml",
            icon=":material/download:",
            key=f"plan_costs_template::{aid}",
        )

    source_doc = sandbox_doc if start == "sandbox" else profile.model_dump(mode="json")
    try:
        with st.spinner(pick("正在规划…", "Planning…")):
            p, planned = _plan(
                json.dumps(source_doc, ensure_ascii=False, sort_keys=True),
                target,
                json.dumps(costs_doc, ensure_ascii=False, sort_keys=True) if costs_doc is not None else None,
                str(root),
            )
    except domain_errors() as exc:
        show_error("无法规划：", "No plan: ", exc)
        p = None
    if p is not None:
        unit = p.unit_zh if zh else p.unit_en
        m1, m2, m3, m4 = st.columns(4)
        m1.metric(
            pick("目标", "Target"),
            name(TIER_NAMES, p.target) if p.target_kind == "tier" else (p.target_name_zh if zh else p.target_name_en),
            help=f"{p.target_name_zh if zh else p.target_name_en}" + (f"（{p.edition}）" if p.edition else ""),
        )
        m2.metric(pick("当前", "Now"), _short(p.before), help=_summary(p.before) or None)
        m3.metric(pick("计划后", "After the plan"), _short(p.after), help=_summary(p.after) or None)
        m4.metric(pick(f"总工作量（{unit}）", f"Total effort ({unit})"), f"{p.total_effort:g}", help=p.cost_provenance)
        st.caption(
            pick("当前：", "Now: ")
            + (_summary(p.before) or "—")
            + pick("；计划后：", "; after the plan: ")
            + (_summary(p.after) or "—")
        )
        if p.before.get("met"):
            st.success(pick("已达到此目标，无需改进。", "This target is already reached: nothing to improve."))
        if not p.reachable:
            st.error(
                pick(
                    "不可达：以下条件无法通过改进项目改变（历史、法律形式等）。",
                    "Not reachable: these conditions cannot be changed by an improvement project (history, legal form…).",
                )
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            pick("规则", "Rule"): b.rule,
                            pick("条件", "Condition"): b.message_zh if zh else b.message_en,
                            pick("实际", "Observed"): str(b.observed),
                            pick("应为", "Required"): str(b.required),
                        }
                        for b in p.blockers
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        elif not p.verified:
            st.warning(
                pick(
                    "注意：按计划修改后的画像经引擎复核仍未达到目标，请查看里程碑。",
                    "Note: the engine's check of the planned profile does not reach the target; see the milestones.",
                )
            )
        else:
            st.caption(
                pick(
                    "已用评估引擎复核：计划后的画像达到目标。", "Checked with the engine: the planned profile reaches the target."
                )
            )

        st.subheader(":material/flag: " + pick("里程碑", "Milestones"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        pick("里程碑", "Milestone"): ms.name_zh if zh else ms.name_en,
                        pick("改进项", "Items"): ms.items,
                        pick(f"工作量（{unit}）", f"Effort ({unit})"): ms.effort,
                        pick(f"累计（{unit}）", f"Cumulative ({unit})"): ms.cumulative_effort,
                        pick("最早申报年度", "Earliest round"): str(ms.earliest_round) if ms.earliest_round else "—",
                        pick("完成后", "Afterwards"): _summary(ms.reached) or "—",
                        pick("达到", "Reached"): pick("是", "yes") if ms.reached.get("met") else pick("否", "no"),
                    }
                    for ms in p.milestones
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.subheader(":material/checklist: " + pick("改进项（按顺序）", "Improvements, in order"))
        stage_names = {ms.id: ms.name_zh if zh else ms.name_en for ms in p.milestones}
        if p.items:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            pick("里程碑", "Milestone"): stage_names.get(it.milestone, it.milestone),
                            pick("类型", "Kind"): name(ITEM_KINDS, it.kind) if it.kind in ITEM_KINDS else it.kind,
                            pick("编号", "Id"): it.id.split(":", 1)[1] if it.kind == "requirement" else it.id,
                            pick("内容", "What"): it.name_zh if zh else it.name_en,
                            pick("当前", "From"): _value(it.kind, it.from_value),
                            pick("目标值", "To"): _value(it.kind, it.to_value),
                            pick(f"工作量（{unit}）", f"Effort ({unit})"): it.effort,
                            pick("工作量来源", "Effort from"): pick("工作量文件", "costs file")
                            if it.cost_source == "costs_file"
                            else pick("默认", "default"),
                            pick("依据", "Because of"): "、".join(it.because) if zh else ", ".join(it.because),
                            pick("假设", "Assumption"): it.assumption or "",
                        }
                        for it in p.items
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
        else:
            st.write(pick("无需改进项。", "No improvement is needed."))
        if p.advisories:
            with st.expander(
                pick(
                    f"提示项（不决定结果，未计入工作量）：{len(p.advisories)} 条",
                    f"Advisory conditions (do not decide, not costed): {len(p.advisories)}",
                )
            ):
                st.dataframe(pd.DataFrame({pick("提示项", "Advisory"): p.advisories}), hide_index=True, width="stretch")

        st.subheader(":material/calculate: " + pick("求解方法", "Method"))
        if not p.reachable:
            st.write(pick("目标不可达，未求最优解。", "The target is not reachable: no optimum was sought."))
        elif p.exact:
            st.info(
                pick(
                    "精确解：成熟度等级和场景分别建为 0-1 整数规划（scipy.optimize.milp，HiGHS 分支定界），求解器证明了最优；"
                    "条件、指标和层级申报是相互独立的项目。",
                    "Exact: maturity grades and scenarios are 0-1 integer programs "
                    "(scipy.optimize.milp, HiGHS branch and bound) solved to proven optimality; conditions, KPIs and tier "
                    "awards are independent items.",
                )
            )
        else:
            st.warning(
                pick(
                    "启发式：按单位工作量的缺口减少量贪心选择并剪枝，不保证最省。原因：",
                    "Heuristic: greedy deficit reduction per effort with pruning, not guaranteed cheapest. Why: ",
                )
                + plain(p.fallback_reason or "—")
            )
        st.caption(plain(p.method))
        size = pick("，", ", ").join(f"{name(SIZE_NAMES, k) if k in SIZE_NAMES else k} {v}" for k, v in p.problem_size.items())
        st.write(
            pick("问题规模：", "Problem size: ")
            + (size or "—")
            + pick(f"；求解用时 {p.solve_seconds:.2f} 秒", f"; solved in {p.solve_seconds:.2f} s")
        )
        st.caption(pick("工作量来源：", "Efforts: ") + plain(p.cost_provenance))
        if p.reachable:
            with tempfile.TemporaryDirectory() as d:
                out = Path(d) / "planned.yaml"
                write_planned(planned, out, p)
                planned_bytes = out.read_bytes()
            st.download_button(
                pick("下载计划后的画像（YAML）", "Download the planned profile (YAML)"),
                planned_bytes,
                file_name=f"planned-profile-{aid}-{p.target}.yaml",
                mime="application/x-yaml",
                icon=":material/download:",
                key=f"plan_download::{aid}",
            )
            st.caption(
                pick(
                    "计划后的画像是假设情形，不是实际情况；可用 `tier evaluate` 复核。",
                    "The planned profile is a what-if, not the actual state; check it with `tier evaluate`.",
                )
            )

# -- what-if -----------------------------------------------------------------------------------------------------------

GRADE_CHOICES = [KEEP] + GRADES


def _grade_label(g: str) -> str:
    return pick("不变", "unchanged") if g == KEEP else name(GRADE_NAMES, g)


def _store_cell(key: str, cell: tuple) -> None:
    value = st.session_state[key]
    if value == KEEP:
        box["cells"].pop(cell, None)
    else:
        box["cells"][cell] = value


def _store_fact(key: str, fact: str) -> None:
    value = st.session_state[key]
    if value == KEEP:
        box["facts"].pop(fact, None)
    else:
        box["facts"][fact] = value


def _store_ai(key: str, i: int) -> None:
    if st.session_state[key] == instances[i][2]:
        box["ai"].pop(i, None)
    else:
        box["ai"][i] = st.session_state[key]


def _cell_box(container, label: str, cell: tuple) -> None:
    key = f"wi::{aid}::{cell[0]}::{cell[1]}"
    container.selectbox(
        label,
        GRADE_CHOICES,
        index=GRADE_CHOICES.index(box["cells"].get(cell, KEEP)),
        key=key,
        format_func=_grade_label,
        on_change=_store_cell,
        args=(key, cell),
    )


with tab_whatif:
    st.caption(
        pick(
            "在沙盒中改变答案和关键事实（智能制造水平、独立法人、规模、已获得的层级、场景是否应用人工智能），立即看到成熟度等级、"
            "层级和申报资格的变化。沙盒只存在于本次会话，不会写入数据库。“不适用”的要求保持不适用。",
            "Change answers and key facts in a sandbox and see the level, tier and eligibility "
            "move at once. The sandbox lives in this session only and is never written to the database. N/A answers stay N/A.",
        )
    )
    results = st.container()  # filled after the controls (whose callbacks already ran), shown above them
    st.markdown(pick("**按等级设定（全部能力子域）**", "**By level (every sub-domain)**"))
    cols = st.columns(5)
    for n in range(1, 6):
        _cell_box(cols[n - 1], name(LEVEL_NAMES, n), ("*", n))
    st.markdown(
        pick(
            "**按能力子域和等级设定**（优先于上面的全部子域设定）",
            "**By sub-domain and level** (takes precedence over the row above)",
        )
    )
    sub = st.selectbox(
        pick("能力子域", "Sub-domain"),
        subs_here,
        key=f"wi_sub::{aid}",
        format_func=lambda sid: ed.subdomains[sid].name_zh if zh else ed.subdomains[sid].name_en,
    )
    cols = st.columns(5)
    for n in levels_of.get(sub, []):
        _cell_box(cols[n - 1], name(LEVEL_NAMES, n), (sub, n))
    chosen = {k: v for k, v in box["cells"].items() if k[0] != "*"}
    if chosen:
        st.caption(
            pick("已设定：", "Set: ")
            + "；".join(
                f"{ed.subdomains[c[0]].name_zh if zh else ed.subdomains[c[0]].name_en} {c[1]} → {_grade_label(g)}"
                for c, g in chosen.items()
            )
        )

    st.markdown(pick("**关键事实**", "**Key facts**"))
    f1, f2, f3, f4 = st.columns(4)
    held_now = max((TIERS.index(x.tier) for x in profile.tiers_obtained), default=-1)
    held_now = TIERS[held_now] if held_now >= 0 else "none"
    fact_widgets = (
        (
            f1,
            "standing",
            pick("智能制造水平", "Standing"),
            [KEEP] + STANDINGS,
            lambda v: (
                pick("不变", "unchanged") + f"（{name(STANDING_NAMES, profile.enterprise.standing)}）"
                if v == KEEP
                else name(STANDING_NAMES, v)
            ),
        ),
        (
            f2,
            "legal_person",
            pick("独立法人", "Independent legal person"),
            [KEEP, True, False],
            lambda v: pick("不变", "unchanged") + f"（{_yn(profile.enterprise.legal_person)}）" if v == KEEP else _yn(v),
        ),
        (
            f3,
            "above_scale",
            pick("规模以上工业企业", "Above designated size"),
            [KEEP, True, False],
            lambda v: pick("不变", "unchanged") + f"（{_yn(profile.enterprise.above_scale)}）" if v == KEEP else _yn(v),
        ),
        (
            f4,
            "held",
            pick("已获得的最高层级", "Highest tier obtained"),
            [KEEP, "none", *TIERS],
            lambda v: (
                pick("不变", "unchanged") + f"（{_tier(held_now)}）"
                if v == KEEP
                else (pick("无", "none") if v == "none" else _tier(v))
            ),
        ),
    )
    for col, fact, label, options, fmt in fact_widgets:
        key = f"wi_fact::{aid}::{fact}"
        col.selectbox(
            label,
            options,
            index=options.index(box["facts"].get(fact, KEEP)),
            key=key,
            format_func=fmt,
            on_change=_store_fact,
            args=(key, fact),
        )
    if instances:
        st.markdown(pick("**场景实例是否应用人工智能**", "**Scenario instances applying AI**"))
        cols = st.columns(3)
        for i, (sid, sname, ai) in enumerate(instances):
            key = f"wi_ai::{aid}::{i}"
            cols[i % 3].checkbox(plain(sname or sid), value=box["ai"].get(i, ai), key=key, on_change=_store_ai, args=(key, i))
    if st.button(pick("清空沙盒", "Reset the sandbox"), icon=":material/restart_alt:", key=f"wi_reset::{aid}"):
        st.session_state[SANDBOX] = {"cells": {}, "facts": {}, "ai": {}}
        for k in [
            k
            for k in st.session_state
            if isinstance(k, str) and k.startswith((f"wi::{aid}::", f"wi_fact::{aid}::", f"wi_ai::{aid}::"))
        ]:
            del st.session_state[k]
        st.rerun()

    wd = None
    with results:
        try:
            _, wm, wt, wd = _evaluate_doc(sandbox_doc)
        except domain_errors() as exc:
            show_error("沙盒无法计算：", "The sandbox cannot be evaluated: ", exc)
        else:
            bm, bt, bd = ev.maturity, ev.tiers, ev.declarations
            st.caption(
                pick(
                    f"沙盒改动：{sandbox_reqs} 项要求，{sandbox_facts} 项事实。",
                    f"Sandbox changes: {sandbox_reqs} requirements, {sandbox_facts} facts.",
                )
            )
            e_before = sum(1 for x in bd.programmes.values() if x.met)
            e_after = sum(1 for x in wd.programmes.values() if x.met)
            k1, k2, k3, k4 = st.columns(4)
            k1.metric(
                pick("总分 S（假设）", "Score S (what-if)"),
                f"{wm.score:.2f}",
                f"{wm.score - bm.score:+.2f}" if abs(wm.score - bm.score) > 1e-9 else None,
            )
            k2.metric(
                pick("成熟度等级（假设）", "Maturity level (what-if)"),
                _level(wm.level),
                f"{wm.level - bm.level:+d}" if wm.level != bm.level else None,
            )
            k3.metric(
                pick("智能工厂层级（假设）", "Tier (what-if)"),
                _tier(wt.tier),
                f"{_tier(bt.tier)} → {_tier(wt.tier)}" if wt.tier != bt.tier else None,
            )
            k4.metric(
                pick("可申报项目（假设）", "Eligible programmes (what-if)"),
                str(e_after),
                f"{e_after - e_before:+d}" if e_after != e_before else None,
            )
        st.divider()
    if wd is not None:
        st.markdown(pick("**层级与申报资格：当前与假设**", "**Tiers and eligibility: now and what-if**"))
        rows = [
            {
                pick("项目", "Item"): name(TIER_NAMES, tid),
                pick("当前", "Now"): pick("满足", "met") if bt.tiers[tid].met else pick("不满足", "not met"),
                pick("假设", "What-if"): pick("满足", "met") if wt.tiers[tid].met else pick("不满足", "not met"),
                pick("变化", "Changed"): "●" if bt.tiers[tid].met != wt.tiers[tid].met else "",
                pick("未满足的条件（假设）", "Conditions not met (what-if)"): "；".join(
                    c.message_zh if zh else c.message_en for c in wt.tiers[tid].reasons
                ),
            }
            for tid in wt.tiers
        ]
        rows += [
            {
                pick("项目", "Item"): ps.name_zh if zh else ps.name_en,
                pick("当前", "Now"): pick("可申报", "eligible") if bd.programmes[pid].met else pick("不可申报", "not eligible"),
                pick("假设", "What-if"): pick("可申报", "eligible") if ps.met else pick("不可申报", "not eligible"),
                pick("变化", "Changed"): "●" if bd.programmes[pid].met != ps.met else "",
                pick("未满足的条件（假设）", "Conditions not met (what-if)"): "；".join(
                    c.message_zh if zh else c.message_en for c in ps.reasons
                ),
            }
            for pid, ps in wd.programmes.items()
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

# -- re-scoring under another edition ---------------------------------------------------------------------------------

with tab_rescore:
    reg = load_registry(root)
    maps = load_mappings(root)
    mat_to = [m.target for m in maps if m.source == med and m.data.kind == "maturity"]
    tier_to = [m.target for m in maps if m.source == ted and m.data.kind == "smart_factory"]
    st.caption(
        pick(
            "把本评估的答案按版本映射（数据文件，逐条标明来源和置信度）带到另一版本重新评分：可映射、不可映射和新增的要求，"
            "权重变化，以及等级和层级是否改变。新增要求按未评计 0 分。",
            "Carry this assessment's answers to another edition through the edition mapping (data, with provenance and "
            "confidence per entry) and score again: requirements that map, do not map or are new, weights that moved, "
            "and whether the level and tier change. New requirements start not assessed (0).",
        )
    )
    choices = [("maturity", x) for x in mat_to] + [("tier", x) for x in tier_to]
    if not choices:
        st.info(pick(f"没有从 {med} 或 {ted} 出发的版本映射。", f"There is no mapping from {med} or {ted}."))
    else:
        kind, to = st.selectbox(
            pick("重评到版本", "Re-score under"),
            choices,
            key=f"rescore_to::{aid}",
            format_func=lambda c: (
                f"{med if c[0] == 'maturity' else ted} → {c[1]} · "
                + (reg[c[1]].title_zh if zh else reg[c[1]].title_en)
                + f"（{reg[c[1]].status}）"
            ),
        )
        try:
            if kind == "maturity":
                r = rescore(answers, to, root=root, profile=profile)
            else:
                r = retier(profile, to, root=root)
        except (*domain_errors(), KeyError) as exc:
            show_error("无法重评：", "Cannot re-score: ", exc)
        else:
            mp = r["mapping"]
            st.caption(
                pick("映射文件：", "Mapping: ")
                + plain(
                    f"{mp['file']} · {mp['provenance']}"
                    + (f" · {mp.get('confidence')}" if mp.get("confidence") else "")
                    + (f" — {mp['note']}" if mp.get("note") else "")
                )
            )
            if kind == "maturity":
                b, af = r["before"], r["after"]
                k1, k2, k3 = st.columns(3)
                k1.metric(
                    "S",
                    f"{af['score']:.2f}",
                    f"{af['score'] - b['score']:+.2f}",
                    help=pick(f"原版本 {b['score']:.2f}", f"before {b['score']:.2f}"),
                )
                k2.metric(
                    pick("成熟度等级", "Maturity level"),
                    _level(af["level"]),
                    f"{r['level_change']:+d}" if r["level_change"] else None,
                    help=pick("原等级 ", "before: ") + _level(b["level"]),
                )
                if "tier" in r:
                    tr_ = r["tier"]
                    k3.metric(
                        pick("智能工厂层级", "Tier"),
                        _tier(tr_["after"]),
                        f"{_tier(tr_['before'])} → {_tier(tr_['after'])}" if tr_["changed"] else None,
                        help=pick(f"按 {tr_['edition']} 判定", f"under {tr_['edition']}"),
                    )
                was = f"S {b['score']:.2f}，{_level(b['level'])}" + (f"，{_tier(r['tier']['before'])}" if "tier" in r else "")
                now = f"S {af['score']:.2f}，{_level(af['level'])}" + (f"，{_tier(r['tier']['after'])}" if "tier" in r else "")
                st.caption(
                    pick(f"{med}：{was} → {to}：{now}", f"{med}: {was.replace('，', ', ')} → {to}: {now.replace('，', ', ')}")
                )
                if r["level_change"] == 0:
                    st.success(pick("成熟度等级不变。", "The maturity level does not change."))
                else:
                    st.warning(
                        pick(
                            f"成熟度等级改变：{_level(b['level'])} → {_level(af['level'])}。",
                            f"The maturity level changes: {_level(b['level'])} → {_level(af['level'])}.",
                        )
                    )
                if not af["complete"]:
                    st.caption(
                        pick(
                            f"重评后有 {af['not_assessed']} 项未评（主要是新增要求），按 0 分计。",
                            f"{af['not_assessed']} requirements are not assessed after re-scoring (mostly new ones); they count 0.",
                        )
                    )
                counts = r["counts"]
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                pick("可映射", "Map"): counts["maps"],
                                pick("其中逐条对应", "of which one-to-one"): counts["one_to_one"],
                                pick("其中仅承接同级", "of which inherited from the level"): counts["inherited_from_level"],
                                pick("不可映射", "Do not map"): counts["does_not_map"],
                                pick("新增", "New"): counts["new"],
                                pick("权重变化的子域对", "Sub-domain pairs with moved weights"): len(r["weights_moved"]),
                            }
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )
                by_id = ed.requirement_map
                new_ed = load_maturity_cached(to, root)
                with st.expander(pick(f"可映射的要求（{counts['maps']}）", f"Requirements that map ({counts['maps']})")):
                    st.dataframe(
                        pd.DataFrame(
                            [
                                {
                                    pick("新版本要求", "New requirement"): x["id"],
                                    pick("对应方式", "Basis"): pick("逐条对应", "one-to-one")
                                    if x["basis"] == "one_to_one"
                                    else pick("承接同级（取该级旧要求最低评分）", "inherited from the level (lowest old grade)"),
                                    pick("来自", "From"): "、".join(x["from"]),
                                    pick("带入等级", "Grade carried"): name(GRADE_NAMES, x["grade"])
                                    if x["grade"] in GRADE_NAMES
                                    else str(x["grade"]),
                                    pick("关系", "Relation"): ", ".join(x["relation"]),
                                    pick("来源", "Provenance"): ", ".join(x["provenance"]),
                                    pick("置信度", "Confidence"): ", ".join(x["confidence"]),
                                }
                                for x in r["maps"]
                            ]
                        ),
                        hide_index=True,
                        width="stretch",
                    )
                with st.expander(
                    pick(
                        f"不可映射的要求（{counts['does_not_map']}）", f"Requirements that do not map ({counts['does_not_map']})"
                    )
                ):
                    st.dataframe(
                        pd.DataFrame(
                            {
                                pick("原版本要求", "Old requirement"): r["does_not_map"],
                                pick("内容", "Text"): [
                                    (by_id[x].text_zh if zh else by_id[x].text_en) if x in by_id else ""
                                    for x in r["does_not_map"]
                                ],
                            }
                        ),
                        hide_index=True,
                        width="stretch",
                    )
                with st.expander(pick(f"新增的要求（{counts['new']}）", f"New requirements ({counts['new']})")):
                    nb = new_ed.requirement_map
                    st.dataframe(
                        pd.DataFrame(
                            {
                                pick("新版本要求", "New requirement"): r["new"],
                                pick("内容", "Text"): [
                                    (nb[x].text_zh if zh else nb[x].text_en) if x in nb else "" for x in r["new"]
                                ],
                            }
                        ),
                        hide_index=True,
                        width="stretch",
                    )
                with st.expander(pick(f"权重变化（{len(r['weights_moved'])}）", f"Weights moved ({len(r['weights_moved'])})")):
                    st.dataframe(
                        pd.DataFrame(
                            [
                                {
                                    pick("原子域", "From"): w["from"],
                                    pick("新子域", "To"): w["to"],
                                    pick("关系", "Relation"): w["relation"],
                                    pick("等级", "Level"): int(n),
                                    pick("原权重", "Weight before"): round(v["weight_from"], 4),
                                    pick("新权重", "Weight after"): round(v["weight_to"], 4),
                                }
                                for w in r["weights_moved"]
                                for n, v in w["levels"].items()
                            ]
                        ),
                        hide_index=True,
                        width="stretch",
                    )
            else:
                k1, k2 = st.columns(2)
                k1.metric(
                    pick("智能工厂层级", "Tier"),
                    _tier(r["after"]),
                    f"{_tier(r['before'])} → {_tier(r['after'])}" if r["changed"] else None,
                )
                rp = r["rules"]
                k2.metric(
                    pick("规则", "Rules"),
                    pick(
                        f"映射 {len(rp['maps'])} · 删除 {len(rp['does_not_map'])} · 新增 {len(rp['new'])}",
                        f"map {len(rp['maps'])} · gone {len(rp['does_not_map'])} · new {len(rp['new'])}",
                    ),
                )
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                pick("原规则", "From"): c["from"],
                                pick("新规则", "To"): c["to"],
                                pick("变化字段", "Fields"): ", ".join(c["fields"]),
                                pick("原值", "Before"): json.dumps(c["before"], ensure_ascii=False),
                                pick("新值", "After"): json.dumps(c["after"], ensure_ascii=False),
                            }
                            for c in rp["changed"]
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )
                st.dataframe(
                    pd.DataFrame(
                        [
                            {pick("规则", "Rule"): x, pick("变化", "Change"): pick("不可映射", "does not map")}
                            for x in rp["does_not_map"]
                        ]
                        + [{pick("规则", "Rule"): x, pick("变化", "Change"): pick("新增", "new")} for x in rp["new"]]
                    ),
                    hide_index=True,
                    width="stretch",
                )
