"""首页: choose or create an enterprise, a factory and an assessment; the demo data set; bundle import."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from assessment.editions import load_registry
from assessment.store import repository as repo
from assessment.store.evidence import EvidenceRejected
from assessment.store.orm import Assessment, Enterprise, Factory
from ui import state
from ui.i18n import INDUSTRY_NAMES, LEVEL_NAMES, STATUS_NAMES, TIER_NAMES, name, pick, t
from ui.services import backend
from ui.widgets import flash, show_flash

be = backend()
user = st.session_state[state.USER] or "访客"


def _choose(widget_key: str, state_key: str, reset: tuple = ()) -> None:
    """Copy a selector's value into our own key (widget keys do not survive page changes)."""
    st.session_state[state_key] = st.session_state[widget_key]
    for k in reset:
        st.session_state[k] = None


def _selector(label: str, ids: list, state_key: str, widget_key: str, labels: dict, placeholder: str, reset: tuple = ()):
    if st.session_state.get(state_key) not in ids:
        st.session_state[state_key] = ids[0] if ids else None
    st.session_state[widget_key] = st.session_state[state_key]
    st.selectbox(label, ids, key=widget_key, format_func=lambda i: labels[i], label_visibility="collapsed",
                 placeholder=placeholder, on_change=_choose, args=(widget_key, state_key, reset))


st.title(t("app_title"))
st.caption(pick("依据 GB/T 39116-2020 / GB/T 39117-2020 与智能工厂梯度培育要素条件。三步完成：① 选择或新建企业与工厂 → ② 开始评估并作答 → ③ 查看等级、层级和申报资格。",
                "Based on GB/T 39116-2020 / GB/T 39117-2020 and the smart-factory tier conditions. Three steps: ① choose or create "
                "an enterprise and factory → ② start an assessment and answer → ③ see the level, tier and eligibility."))
st.caption(t("indicative"))
show_flash()

with be.Session() as s:
    enterprises = s.scalars(select(Enterprise).options(selectinload(Enterprise.factories)).order_by(Enterprise.is_demo, Enterprise.id)).all()
    ent_labels = {e.id: (f"【{t('demo')}】" if e.is_demo else "") + e.name for e in enterprises}

col1, col2, col3 = st.columns(3)
with col1:
    st.subheader("① " + t("enterprise"))
    _selector(t("enterprise"), list(ent_labels), state.ENTERPRISE_ID, "w_enterprise", ent_labels,
              pick("暂无企业，请新建", "No enterprise yet: create one"), (state.FACTORY_ID, state.ASSESSMENT_ID))
    with st.popover(t("new_enterprise"), icon=":material/add:", width="stretch"):
        with st.form("new_enterprise", clear_on_submit=True):
            ename = st.text_input(pick("企业名称 *", "Enterprise name *"))
            code = st.text_input(pick("统一社会信用代码", "Unified social credit code"), max_chars=18)
            prov = st.text_input(pick("省份", "Province"))
            group = st.selectbox(pick("所属行业", "Industry group"), ["equipment", "raw_materials", "consumer", "electronics"],
                                 format_func=lambda g: {"raw_materials": pick("原材料", "Raw materials"), "equipment": pick("装备制造", "Equipment"),
                                                        "consumer": pick("消费品", "Consumer goods"), "electronics": pick("电子信息", "Electronics")}[g])
            emp = st.number_input(pick("从业人员（人）", "Employees"), min_value=0, value=300, step=10)
            rev = st.number_input(pick("营业收入（万元）", "Revenue (10k yuan)"), min_value=0.0, value=5000.0, step=100.0)
            lp = st.checkbox(pick("独立法人", "Independent legal person"), value=True)
            above = st.checkbox(pick("规模以上工业企业", "Above designated size"), value=True)
            if st.form_submit_button(pick("创建企业", "Create enterprise"), type="primary"):
                try:
                    with be.Session.begin() as s:
                        e = repo.create_enterprise(session=s, actor=user, name=ename.strip(), credit_code=code.strip() or None,
                                                   province=prov.strip() or None, industry_group=group, employees=int(emp),
                                                   revenue_wan=float(rev), legal_person=lp, above_scale=above)
                        new_id = e.id
                    st.session_state[state.ENTERPRISE_ID] = new_id
                    st.session_state[state.FACTORY_ID] = None
                    st.session_state[state.ASSESSMENT_ID] = None
                    flash("success", pick(f"已创建企业「{ename}」", f"Created enterprise '{ename}'"))
                    st.rerun()
                except ValueError as exc:
                    st.error(str(exc))

eid = st.session_state[state.ENTERPRISE_ID]
with be.Session() as s:
    factories = s.scalars(select(Factory).where(Factory.enterprise_id == eid).order_by(Factory.id)).all() if eid else []
    fac_labels = {f.id: f"{f.name}（{name(INDUSTRY_NAMES, f.industry_type)}）" for f in factories}

with col2:
    st.subheader("② " + t("factory"))
    _selector(t("factory"), list(fac_labels), state.FACTORY_ID, "w_factory", fac_labels,
              pick("暂无工厂，请新建", "No factory yet: create one"), (state.ASSESSMENT_ID,))
    with st.popover(t("new_factory"), icon=":material/add:", width="stretch", disabled=eid is None):
        with st.form("new_factory", clear_on_submit=True):
            fname = st.text_input(pick("工厂名称 *", "Factory name *"))
            ftype = st.radio(pick("行业类型", "Industry type"), ["discrete", "process"], horizontal=True,
                             format_func=lambda x: name(INDUSTRY_NAMES, x))
            sector = st.text_input(pick("细分行业", "Sub-sector"))
            if st.form_submit_button(pick("创建工厂", "Create factory"), type="primary"):
                try:
                    with be.Session.begin() as s:
                        f = repo.create_factory(eid, fname, ftype, session=s, actor=user, sub_sector=sector or None)
                        new_id = f.id
                    st.session_state[state.FACTORY_ID] = new_id
                    st.session_state[state.ASSESSMENT_ID] = None
                    flash("success", pick(f"已创建工厂「{fname}」", f"Created factory '{fname}'"))
                    st.rerun()
                except ValueError as exc:
                    st.error(str(exc))

fid = st.session_state[state.FACTORY_ID]
with be.Session() as s:
    assessments = s.scalars(select(Assessment).where(Assessment.factory_id == fid).options(selectinload(Assessment.snapshots))
                            .order_by(Assessment.id.desc())).all() if fid else []

    def _label(a: Assessment) -> str:
        snap = a.snapshots[-1] if a.snapshots else None
        tail = f" · S={snap.score:.2f} {name(LEVEL_NAMES, snap.level)} · {name(TIER_NAMES, snap.tier)}" if snap else ""
        return f"{a.title}（{name(STATUS_NAMES, a.status)}）{tail}"

    ass_labels = {a.id: _label(a) for a in assessments}

with col3:
    st.subheader("③ " + t("assessment"))
    _selector(t("assessment"), list(ass_labels), state.ASSESSMENT_ID, "w_assessment", ass_labels,
              pick("暂无评估，请开始新的评估", "No assessment yet: start one"), (state.SUBDOMAIN,))
    reg = load_registry(be.settings.criteria_dir)
    with st.popover(t("new_assessment"), icon=":material/add:", width="stretch", disabled=fid is None):
        with st.form("new_assessment"):
            med = st.selectbox(pick("成熟度标准版本", "Maturity edition"), [k for k, v in reg.items() if v.kind == "maturity"],
                               format_func=lambda k: f"{k} · {reg[k].title_zh if pick('zh', 'en') == 'zh' else reg[k].title_en}")
            ted = st.selectbox(pick("梯度条件版本", "Tier edition"), [k for k, v in reg.items() if v.kind == "smart_factory"], index=1)
            cat = st.selectbox(pick("场景指引版本", "Scenario catalogue"), [k for k, v in reg.items() if v.kind == "scenarios"], index=1)
            fac_type = next((f.industry_type for f in factories if f.id == fid), "discrete")
            itype = st.radio(pick("行业类型（决定适用的子域和权重）", "Industry type (sets the sub-domains and weights)"),
                             ["discrete", "process"], index=["discrete", "process"].index(fac_type), horizontal=True,
                             format_func=lambda x: name(INDUSTRY_NAMES, x))
            period = st.text_input(pick("评估年度", "Period"), value="2025")
            title = st.text_input(pick("评估名称", "Title"), value="")
            if st.form_submit_button(pick("开始评估", "Start assessment"), type="primary"):
                with be.Session.begin() as s:
                    a = repo.create_assessment(fid, session=s, actor=user, maturity_edition=med, tier_edition=ted,
                                               scenario_catalogue=cat, industry_type=itype, period=period or None,
                                               title=title.strip() or None, root=be.settings.criteria_dir)
                    new_id = a.id
                st.session_state[state.ASSESSMENT_ID] = new_id
                st.session_state[state.SUBDOMAIN] = None
                st.switch_page("app_pages/assess.py")

aid = st.session_state[state.ASSESSMENT_ID]
if aid:
    b1, b2, b3 = st.columns(3)
    if b1.button(pick("继续作答", "Answer the questionnaire"), icon=":material/edit_note:", type="primary", width="stretch"):
        st.switch_page("app_pages/assess.py")
    if b2.button(t("scenarios"), icon=":material/extension:", width="stretch"):
        st.switch_page("app_pages/scenarios.py")
    if b3.button(pick("查看结果", "See the results"), icon=":material/analytics:", width="stretch"):
        st.switch_page("app_pages/results.py")

# -- enterprise facts used by the tier and declaration rules -------------------------------------------------------
if eid:
    with be.Session() as s:
        ent = s.get(Enterprise, eid)
        comp = dict(ent.compliance or {})
        fac = s.get(Factory, fid) if fid else None
        awards = [(x.tier, x.year) for x in fac.tier_awards] if fac else []
        ent_vals = {k: getattr(ent, k) for k in ("standing", "legal_person", "above_scale", "employees", "revenue_wan")}
    with st.expander(pick("企业合规与申报事实（用于判定层级与申报资格）", "Compliance and declaration facts (used by the tier and eligibility rules)")):
        yes_no = [None, True, False]
        yn = lambda v: {None: pick("未填", "not given"), True: pick("是", "yes"), False: pick("否", "no")}[v]  # noqa: E731
        with st.form("facts"):
            c1, c2 = st.columns(2)
            facts = {}
            questions = [
                ("good_results_3y", "近三年生产经营和财务状况良好", "Sound operations and finances in 3 years"),
                ("good_credit", "信用记录良好、未列入严重失信名单", "Good credit record"),
                ("violations_3y", "近三年有违法违规行为", "Violations of law in 3 years"),
                ("secure_controllable", "关键装备、工业软件安全可控", "Key equipment and software secure and controllable"),
                ("smart_mfg_team", "有智能工厂建设组织与人才队伍", "Smart-factory organisation and talent"),
                ("ip_disputes", "解决方案有知识产权纠纷", "IP disputes over the solution"),
                ("holds_demo_task", "已承担示范工厂揭榜任务", "Already holds a demonstration-factory task"),
                ("willing_site_review", "愿意配合现场评估与宣传推广", "Willing to host site evaluation"),
                ("no_secrets", "申报材料不涉及国家秘密、商业秘密", "Materials free of secrets"),
                ("meets_industry_guidance", "满足行业智能制造指导性文件要求", "Meets the industry's guidance"),
            ]
            for i, (key, zh, en) in enumerate(questions):
                col = c1 if i % 2 == 0 else c2
                facts[key] = col.selectbox(pick(zh, en), yes_no, index=yes_no.index(comp.get(key)), format_func=yn, key=f"fact_{key}")
            acc = [None, "none", "general", "serious", "major", "especially_major"]
            acc_names = {None: pick("未填", "not given"), "none": pick("无", "none"), "general": pick("一般", "general"),
                         "serious": pick("较大", "serious"), "major": pick("重大", "major"), "especially_major": pick("特大", "especially major")}
            facts["worst_accident_3y"] = c1.selectbox(pick("近三年最严重安全/环境事故", "Worst accident in 3 years"), acc,
                                                      index=acc.index(comp.get("worst_accident_3y")), format_func=acc_names.get)
            standings = [None, "none", "regional_leading", "domestic_leading", "international_advanced", "global_leading"]
            st_names = {None: pick("未填", "not given"), "none": pick("一般", "none"), "regional_leading": pick("区域领先", "regional"),
                        "domestic_leading": pick("国内领先", "domestic leading"), "international_advanced": pick("国际先进", "international"),
                        "global_leading": pick("全球领先", "global leading")}
            standing = c2.selectbox(pick("智能制造水平", "Standing"), standings, index=standings.index(ent_vals["standing"]),
                                    format_func=st_names.get)
            if st.form_submit_button(t("save"), type="primary"):
                try:
                    with be.Session.begin() as s:
                        repo.update_enterprise(s.get(Enterprise, eid), session=s, actor=user, standing=standing,
                                               compliance={k: v for k, v in facts.items() if v is not None})
                    flash("success", t("saved"))
                    st.rerun()
                except ValueError as exc:
                    st.error(str(exc))
        st.markdown(pick("**已获得的智能工厂层级**", "**Tiers already obtained**") + "：" +
                    ("、".join(f"{name(TIER_NAMES, tr)}（{y}）" for tr, y in awards) or pick("无", "none")))
        if fid:
            with st.form("award", clear_on_submit=True):
                a1, a2, a3 = st.columns([2, 1, 1])
                tier = a1.selectbox(pick("层级", "Tier"), ["basic", "advanced", "excellent", "leading"], format_func=lambda x: name(TIER_NAMES, x))
                year = a2.number_input(pick("年份", "Year"), min_value=2024, max_value=2100, value=2025)
                if a3.form_submit_button(pick("添加", "Add")):
                    with be.Session.begin() as s:
                        repo.add_tier_award(fid, tier, int(year), session=s, actor=user)
                    st.rerun()

# -- bundle import --------------------------------------------------------------------------------------------------
with st.expander(t("import")):
    st.caption(pick("导入其他安装导出的评估数据包（含证据文件及校验值）。", "Import a bundle exported by another installation (with evidence files and hashes)."))
    up = st.file_uploader(t("import"), type=["zip"], key="bundle_upload", label_visibility="collapsed")
    if up is not None and st.button(pick("导入", "Import"), key="bundle_import"):
        try:
            with be.Session.begin() as s:
                a = repo.import_bundle(up.getvalue(), session=s, store=be.store, actor=user, max_bytes=be.max_bytes,
                                       root=be.settings.criteria_dir)
                st.session_state[state.ENTERPRISE_ID] = a.factory.enterprise_id
                st.session_state[state.FACTORY_ID] = a.factory_id
                st.session_state[state.ASSESSMENT_ID] = a.id
            flash("success", pick("已导入评估数据包", "Bundle imported"))
            st.rerun()
        except (repo.BundleError, EvidenceRejected, ValueError) as exc:
            st.error(pick("导入失败：", "Import refused: ") + str(exc))
