"""首页: choose or create an enterprise, a factory and an assessment; rename and archive them; their facts (企业信息,
compliance, the recommender's region, tiers obtained, the assessment's build content and outcomes, 工厂信息); bundle import.

Every selection goes through ``state.select`` (session and URL). Every label is unique (name, date and ``#id``), so
two records with the same name can both be opened. Forms that change stored facts carry the version they were shown
with: a stale form is refused with who and when, and the user's input stays on screen.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from assessment import labels, records
from assessment.access import AccessDenied, check, require
from assessment.editions import load_registry
from assessment.numbers import parse_number
from assessment.store import queries
from assessment.store import repository as repo
from assessment.store.bundle import BundleError, import_bundle, inspect_bundle
from assessment.store.evidence import EvidenceRejected
from assessment.store.orm import Assessment, Enterprise, Factory
from assessment.tiers import load_tier_edition
from ui import auth, state
from ui.i18n import INDUSTRY_NAMES, LEVEL_NAMES, STATUS_NAMES, TIER_NAMES, halves, lang, msg, name, pick, t
from ui.services import backend
from ui.widgets import domain_errors, flash, plain, show_error, show_flash

be = backend()
user = st.session_state[state.USER] or state.DEFAULT_USER
SERVER = auth.server_mode(be)
P = auth.principal(be)  # server mode: every change below is checked for this principal in assessment/records.py
SHOW_ARCHIVED = "show_archived"

st.title(t("app_title"))
st.caption(
    pick(
        "依据 GB/T 39116-2020 / GB/T 39117-2020 与智能工厂梯度培育要素条件。三步完成：① 选择或新建企业与工厂 → ② 开始评估并作答 → ③ 查看等级、层级和申报资格。",
        "Based on GB/T 39116-2020 / GB/T 39117-2020 and the smart-factory tier conditions. Three steps: ① choose or create "
        "an enterprise and factory → ② start an assessment and answer → ③ see the level, tier and eligibility.",
    )
)
st.caption(t("indicative"))
show_flash()
show_archived = st.toggle(pick("显示已归档", "Show archived"), key=SHOW_ARCHIVED)


def _now(table: dict):
    """A format_func with the names in the language of this run (not of whenever the widget is formatted again)."""
    return {k: name(table, k) for k in table}.get


def _visible(rows: list) -> list:
    return [
        r
        for r in rows
        if (show_archived or r.archived_at is None or r.id == st.session_state.get(_STATE_OF[type(r)])) and auth.may_see(be, r)
    ]  # server mode: only the principal's own records (issue 12)


_STATE_OF = {Enterprise: state.ENTERPRISE_ID, Factory: state.FACTORY_ID, Assessment: state.ASSESSMENT_ID}
_ARCHIVED = pick("【已归档】", "[archived] ")


def _selector(label: str, ids: list, state_key: str, labels: dict, placeholder: str, reset: tuple = ()) -> None:
    """A selectbox over record ids, showing the session's selection; a change goes through ``state.select``."""
    current = st.session_state.get(state_key)
    if current not in ids:
        state.select(**{state_key: ids[0] if ids else None}, **{k: None for k in reset})
        current = st.session_state[state_key]
    key = f"w::{state_key}::{current}"  # re-created when the selection changes elsewhere (URL, a new record)

    def _chosen() -> None:
        state.select(**{state_key: st.session_state[key]}, **{k: None for k in reset})

    st.selectbox(
        label,
        ids,
        index=ids.index(current) if ids else None,
        key=key,
        format_func=lambda i: labels[i],
        label_visibility="collapsed",
        placeholder=placeholder,
        on_change=_chosen,
    )


def _guard(s, obj) -> None:
    """Server mode: the principal may change this enterprise's (factory's, assessment's) data, and an assessment is
    not frozen by an application or a certification; refused (and a refusal of access audited)."""
    if SERVER and isinstance(obj, Assessment):
        records.require_editable(P, obj.id, session=s)
    elif SERVER:
        records.require_enterprise_edit(P, obj, session=s)


def _may_create_enterprise() -> bool:
    if not SERVER:
        return True
    with be.Session() as s:
        return check(s, P, "enterprise.create", P.province) is None


MAY_CREATE = _may_create_enterprise()  # server mode: a system admin or a province admin, never an enterprise user


def _manage(kind: str, row, rename) -> None:
    """Rename (version-checked) and archive / restore one record, in a popover under its selector."""
    with st.popover(pick("重命名 / 归档", "Rename / archive"), icon=":material/edit:", width="stretch"):
        with st.form(f"rename_{kind}_{row.id}_{row.version}"):
            new = st.text_input(pick("新名称", "New name"), value=row.title if kind == "assessment" else row.name, max_chars=200)
            if st.form_submit_button(pick("重命名", "Rename")):
                try:
                    repo.transact(be.Session, lambda s: (_guard(s, row), rename(s, new)))
                    flash("success", pick("已重命名", "Renamed"))
                    st.rerun()
                except (repo.ConcurrentEditError, ValueError, LookupError, AccessDenied) as exc:
                    st.error(plain(msg(exc)))
        archived = row.archived_at is not None
        label = pick("恢复", "Restore") if archived else pick("归档（可恢复）", "Archive (restorable)")
        if st.button(label, key=f"archive_{kind}_{row.id}", icon=":material/unarchive:" if archived else ":material/archive:"):
            try:
                with be.Session.begin() as s:
                    _guard(s, row)
                    repo.set_archived(kind, row.id, not archived, session=s, actor=user)
            except AccessDenied as exc:
                st.error(plain(msg(exc)))
                return
            flash(
                "success",
                pick("已恢复", "Restored")
                if archived
                else pick(
                    "已归档：勾选「显示已归档」可再次看到并恢复。", "Archived: turn on 'Show archived' to see and restore it."
                ),
            )
            st.rerun()


with be.Session() as s:
    enterprises = _visible(queries.enterprises(session=s))
    ent_labels = {
        e.id: (_ARCHIVED if e.archived_at else "")
        + (f"【{t('demo')}】" if e.is_demo else "")
        + e.name
        + f" · {e.credit_code or '#' + str(e.id)}"
        for e in enterprises
    }
    ent_rows = {e.id: e for e in enterprises}

col1, col2, col3 = st.columns(3)
with col1:
    st.subheader("① " + t("enterprise"))
    _selector(
        t("enterprise"),
        list(ent_labels),
        state.ENTERPRISE_ID,
        ent_labels,
        pick("暂无企业，请新建", "No enterprise yet: create one"),
        (state.FACTORY_ID, state.ASSESSMENT_ID, state.SUBDOMAIN),
    )
    if not MAY_CREATE:
        st.caption(
            pick(
                "企业由系统管理员或本省管理员创建；您可在本企业下新建工厂和评估。",
                "Enterprises are created by the system or province administrator; you can add factories and "
                "assessments under your own enterprise.",
            )
        )
    with st.popover(t("new_enterprise"), icon=":material/add:", width="stretch", disabled=not MAY_CREATE):
        with st.form("new_enterprise", clear_on_submit=True):
            ename = st.text_input(pick("企业名称 *", "Enterprise name *"), max_chars=200)
            code = st.text_input(pick("统一社会信用代码", "Unified social credit code"), max_chars=18)
            prov = st.text_input(pick("省份", "Province"), max_chars=40)
            group = st.selectbox(
                pick("所属行业", "Industry group"),
                ["equipment", "raw_materials", "consumer", "electronics"],
                format_func={
                    "raw_materials": pick("原材料", "Raw materials"),
                    "equipment": pick("装备制造", "Equipment"),
                    "consumer": pick("消费品", "Consumer goods"),
                    "electronics": pick("电子信息", "Electronics"),
                }.get,
            )
            emp = st.number_input(pick("从业人员（人）", "Employees"), min_value=0, max_value=10_000_000, value=300, step=10)
            rev = st.number_input(
                pick("营业收入（万元）", "Revenue (10k yuan)"), min_value=0.0, max_value=1e9, value=5000.0, step=100.0
            )
            lp = st.checkbox(pick("独立法人", "Independent legal person"), value=True)
            above = st.checkbox(pick("规模以上工业企业", "Above designated size"), value=True)
            if st.form_submit_button(pick("创建企业", "Create enterprise"), type="primary"):
                try:
                    with be.Session.begin() as s:
                        e = (partial(records.create_enterprise, P) if SERVER else partial(repo.create_enterprise, actor=user))(
                            session=s,
                            name=ename,
                            credit_code=code.strip() or None,
                            province=prov.strip() or None,
                            industry_group=group,
                            employees=int(emp),
                            revenue_wan=float(rev),
                            legal_person=lp,
                            above_scale=above,
                        )
                        new_id = e.id
                    state.select(enterprise_id=new_id, factory_id=None, assessment_id=None, subdomain=None)
                    flash("success", pick(f"已创建企业「{ename.strip()}」", f"Created enterprise '{ename.strip()}'"))
                    st.rerun()
                except (ValueError, AccessDenied) as exc:
                    st.error(plain(msg(exc)))
    if st.session_state[state.ENTERPRISE_ID] in ent_rows:
        ent_row = ent_rows[st.session_state[state.ENTERPRISE_ID]]
        _manage(
            "enterprise",
            ent_row,
            lambda s, new: repo.update_enterprise(
                s.get(Enterprise, ent_row.id), session=s, actor=user, expected_version=ent_row.version, name=new
            ),
        )

eid = st.session_state[state.ENTERPRISE_ID]
with be.Session() as s:
    factories = _visible(queries.factories_of(eid, session=s)) if eid else []
    fac_labels = {
        f.id: (_ARCHIVED if f.archived_at else "") + f"{f.name}（{name(INDUSTRY_NAMES, f.industry_type)}）· #{f.id}"
        for f in factories
    }
    fac_rows = {f.id: f for f in factories}

with col2:
    st.subheader("② " + t("factory"))
    _selector(
        t("factory"),
        list(fac_labels),
        state.FACTORY_ID,
        fac_labels,
        pick("暂无工厂，请新建", "No factory yet: create one"),
        (state.ASSESSMENT_ID, state.SUBDOMAIN),
    )
    with st.popover(t("new_factory"), icon=":material/add:", width="stretch", disabled=eid is None):
        with st.form("new_factory", clear_on_submit=True):
            fname = st.text_input(pick("工厂名称 *", "Factory name *"), max_chars=200)
            ftype = st.radio(
                pick("行业类型", "Industry type"), ["discrete", "process"], horizontal=True, format_func=_now(INDUSTRY_NAMES)
            )
            sector = st.text_input(pick("细分行业", "Sub-sector"), max_chars=40)
            if st.form_submit_button(pick("创建工厂", "Create factory"), type="primary"):
                try:
                    with be.Session.begin() as s:
                        f = (partial(records.create_factory, P) if SERVER else partial(repo.create_factory, actor=user))(
                            eid, fname, ftype, session=s, sub_sector=sector.strip() or None
                        )
                        new_id = f.id
                    state.select(factory_id=new_id, assessment_id=None, subdomain=None)
                    flash("success", pick(f"已创建工厂「{fname.strip()}」", f"Created factory '{fname.strip()}'"))
                    st.rerun()
                except (ValueError, AccessDenied) as exc:
                    st.error(plain(msg(exc)))
    if st.session_state[state.FACTORY_ID] in fac_rows:
        fac_row = fac_rows[st.session_state[state.FACTORY_ID]]
        _manage(
            "factory",
            fac_row,
            lambda s, new: repo.update_factory(fac_row.id, session=s, actor=user, expected_version=fac_row.version, name=new),
        )

fid = st.session_state[state.FACTORY_ID]
with be.Session() as s:
    assessments = _visible(queries.assessments_of(fid, session=s)) if fid else []

    def _label(a: Assessment) -> str:
        snap = a.snapshots[-1] if a.snapshots else None
        tail = f" · S={snap.score:.3f} {name(LEVEL_NAMES, snap.level)} · {name(TIER_NAMES, snap.tier)}" if snap else ""
        return (
            _ARCHIVED if a.archived_at else ""
        ) + f"{a.title} · {a.created_at:%Y-%m-%d} · #{a.id}（{name(STATUS_NAMES, a.status)}）{tail}"

    ass_labels = {a.id: _label(a) for a in assessments}
    ass_rows = {a.id: a for a in assessments}

with col3:
    st.subheader("③ " + t("assessment"))
    _selector(
        t("assessment"),
        list(ass_labels),
        state.ASSESSMENT_ID,
        ass_labels,
        pick("暂无评估，请开始新的评估", "No assessment yet: start one"),
        (state.SUBDOMAIN,),
    )
    reg = load_registry(be.settings.criteria_dir)
    with st.popover(t("new_assessment"), icon=":material/add:", width="stretch", disabled=fid is None):
        with st.form("new_assessment"):
            mat = [k for k, v in reg.items() if v.kind == "maturity"]
            in_force = [k for k in mat if reg[k].status == "in_force"]
            med = st.selectbox(
                pick("成熟度标准版本", "Maturity edition"),
                mat,
                index=mat.index(in_force[-1]) if in_force else 0,
                format_func={k: f"{k} · {reg[k].title_zh if pick('zh', 'en') == 'zh' else reg[k].title_en}" for k in mat}.get,
            )
            ted = st.selectbox(
                pick("梯度条件版本", "Tier edition"), [k for k, v in reg.items() if v.kind == "smart_factory"], index=1
            )
            cat = st.selectbox(
                pick("场景指引版本", "Scenario catalogue"), [k for k, v in reg.items() if v.kind == "scenarios"], index=1
            )
            fac_type = fac_rows[fid].industry_type if fid in fac_rows else "discrete"
            itype = st.radio(
                pick("行业类型（决定适用的子域和权重）", "Industry type (sets the sub-domains and weights)"),
                ["discrete", "process"],
                index=["discrete", "process"].index(fac_type),
                horizontal=True,
                format_func=_now(INDUSTRY_NAMES),
            )
            period = st.text_input(pick("评估年度", "Period"), value="2025", max_chars=20)
            title = st.text_input(pick("评估名称", "Title"), value="", max_chars=200)
            if st.form_submit_button(pick("开始评估", "Start assessment"), type="primary"):
                try:
                    with be.Session.begin() as s:
                        a = (partial(records.create_assessment, P) if SERVER else partial(repo.create_assessment, actor=user))(
                            fid,
                            session=s,
                            maturity_edition=med,
                            tier_edition=ted,
                            scenario_catalogue=cat,
                            industry_type=itype,
                            period=period.strip() or None,
                            title=title.strip() or None,
                            root=be.settings.criteria_dir,
                        )
                        new_id = a.id
                    state.select(assessment_id=new_id, subdomain=None)
                    st.switch_page("app_pages/assess.py", query_params={"assessment": str(new_id)})
                except (ValueError, AccessDenied) as exc:
                    st.error(plain(msg(exc)))
    if st.session_state[state.ASSESSMENT_ID] in ass_rows:
        ass_row = ass_rows[st.session_state[state.ASSESSMENT_ID]]
        _manage(
            "assessment",
            ass_row,
            lambda s, new: repo.rename_assessment(ass_row.id, new, session=s, actor=user, expected_version=ass_row.version),
        )

aid = st.session_state[state.ASSESSMENT_ID]
if aid:
    b1, b2, b3 = st.columns(3)
    if b1.button(pick("继续作答", "Answer the questionnaire"), icon=":material/edit_note:", type="primary", width="stretch"):
        st.switch_page("app_pages/assess.py", query_params={"assessment": str(aid)})
    if b2.button(t("scenarios"), icon=":material/extension:", width="stretch"):
        st.switch_page("app_pages/scenarios.py", query_params={"assessment": str(aid)})
    if b3.button(pick("查看结果", "See the results"), icon=":material/analytics:", width="stretch"):
        st.switch_page("app_pages/results.py", query_params={"assessment": str(aid)})


# -- facts used by the tier and declaration rules, in version-checked forms ---------------------------------------------
# A link from a reason on the results page (?focus=enterprise|facts|awards|build) opens that section; it stays open
# while the user is on this page in this session.

_opened = st.session_state.setdefault("home_opened", set())
if st.session_state.get(state.FOCUS):
    _opened.add(st.session_state[state.FOCUS])
    st.session_state[state.FOCUS] = None


def _open(form: str, row_id, *also: str) -> bool:
    """Whether a section starts open: a link asked for it, or its form holds a refused save."""
    return bool({form, *also} & _opened) or bool(st.session_state.get("forms", {}).get((form, row_id), {}).get("conflict"))


def _versioned_form(form: str, row_id, version, widget_keys: list[str]) -> tuple:
    """The version a form was first shown with, and its generation (part of the widget keys).

    The version stays fixed while the user works in the form (so a save against a newer version is refused); it is
    taken afresh when the form is shown anew (first visit, after leaving the page, after a save or a reload). For a
    content-checked form the "version" is the stored content the form shows.
    """
    forms = st.session_state.setdefault("forms", {})
    f = forms.get((form, row_id))
    if (
        f is None
        or f.get("fresh")
        or not any(f"{k}::{row_id}::{f['gen']}" in st.session_state for k in widget_keys)
        and not f.get("conflict")
    ):  # a new generation: new widget keys, so the widgets show the stored values
        f = forms[(form, row_id)] = {"version": version, "gen": (f["gen"] + 1) if f else 0, "conflict": None}
    return f["version"], f["gen"]


def _conflict_box(form: str, row_id) -> bool:
    """Show a refused save with who/when; True when the user chose to keep theirs (save against the current version)."""
    f = st.session_state["forms"][(form, row_id)]
    if not f.get("conflict"):
        return False
    st.warning(
        plain(f["conflict"]) + pick("。您填写的内容仍显示在表单中。", ". What you entered is still in the form."),
        icon=":material/group:",
    )
    c1, c2 = st.columns(2)
    if c1.button(t("reload"), key=f"{form}_reload::{row_id}", icon=":material/sync:", width="stretch"):
        f.update(conflict=None, fresh=True)
        st.rerun()
    return c2.button(t("keep_mine"), key=f"{form}_keep::{row_id}", icon=":material/check:", type="primary", width="stretch")


def _save_versioned(form: str, row_id, work, *, expected=None, siblings: tuple[str, ...] = ()) -> None:
    """Save through ``work``; a conflict keeps the user's input with who/when. ``siblings``: other forms on the same
    versioned row (another part of the enterprise's facts): this save does not touch their fields, so a sibling shown
    with the version this save was checked against moves to the new version instead of conflicting with this save."""
    forms = st.session_state["forms"]
    f = forms[(form, row_id)]
    owner = {"enterprise": Enterprise, "facts": Enterprise, "build": Assessment, "factory": Factory}

    def checked(s):  # server mode: the enterprise's own user; the region's facts: its province admin
        if SERVER and form == "region":
            records.require_region_edit(P, row_id, session=s)
        elif SERVER:
            _guard(s, s.get(owner[form], row_id))
        return work(s)

    try:
        row = repo.transact(be.Session, checked)
    except repo.EditConflict as exc:
        f["conflict"] = msg(exc)
        st.rerun()
    except (ValueError, LookupError, repo.ConcurrentEditError, AccessDenied) as exc:
        st.error(plain(msg(exc)))
        return
    f.update(conflict=None, fresh=True)  # shown anew with what is stored now
    new_version = getattr(row, "version", None)
    for other in siblings:
        g = forms.get((other, row_id))
        if g is not None and new_version is not None and g["version"] == expected:
            g["version"] = new_version
    flash("success", t("saved"))
    st.rerun()


def _typed_number(text: str, zh: str, en: str, *, whole: bool = False):
    """A number as typed (``4200``, ``4,200``, ``６８００００``); ValueError naming the field, in both languages."""
    try:
        value = parse_number(text)
    except ValueError as exc:
        raise ValueError(f"{zh}：{msg_zh(exc)} / {en}: {msg_en(exc)}") from None
    if value is None:
        return None
    if value < 0:
        raise ValueError(f"{zh}不能为负数 / {en} cannot be negative")
    if whole:
        if not value.is_integer():
            raise ValueError(f"{zh}须为整数：{text.strip()} / {en} must be a whole number: {text.strip()}")
        return int(value)
    return value


def msg_zh(exc: BaseException) -> str:
    both = halves(str(exc))
    return both[0] if both else str(exc)


def msg_en(exc: BaseException) -> str:
    both = halves(str(exc))
    return both[1] if both else str(exc)


def _shown_number(v) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def _enum_names(kind: str) -> dict:
    return {None: pick("未填", "not given")} | {k: labels.enum(kind, k, lang()) for k in labels.ENUMS[kind]}


YES_NO = [None, True, False]
QUESTIONS = [
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
    (
        "build_completed",
        "已完成智能工厂建设（2024 卓越级申报条件）",
        "Smart-factory build completed (2024 excellent-tier condition)",
    ),
]
ACCIDENTS = [None, "none", "general", "serious", "major", "especially_major"]
STANDINGS = [None, "none", "regional_leading", "domestic_leading", "international_advanced", "global_leading"]
OWNERSHIPS = [None, *labels.ENUMS["ownership"]]
GROUPS = [None, *labels.ENUMS["industry_group"]]
REGION_KINDS = list(repo.REGION_KINDS)


YN = {None: pick("未填", "not given"), True: pick("是", "yes"), False: pick("否", "no")}


if eid and eid in ent_rows:
    with be.Session() as s:
        ent = s.get(Enterprise, eid)
        comp = dict(ent.compliance or {})
        ef = {k: getattr(ent, k) for k in repo.ENTERPRISE_FIELDS}
        fac = s.get(Factory, fid) if fid else None
        awards = [(x.tier, x.year) for x in fac.tier_awards] if fac else []
        standing_now, ent_version = ent.standing, ent.version
        region_row = repo.get_region(ent.province, session=s)
        region_now, region_version = repo.region_state(region_row), (region_row.version if region_row else 0)

    # 企业信息: ownership (企业性质), size (employees, revenue), credit code, province, industry group, legal person, 规上
    with st.expander(
        pick("企业信息（企业性质、规模、信用代码、省份等）", "Enterprise facts (ownership, size, credit code, province …)"),
        expanded=_open("enterprise", eid),
        icon=":material/corporate_fare:",
    ):
        keys = [
            "ent_code",
            "ent_province",
            "ent_ownership",
            "ent_group",
            "ent_legal",
            "ent_above",
            "ent_employees",
            "ent_revenue",
        ]
        base_version, gen = _versioned_form("enterprise", eid, ent_version, keys)
        keep = _conflict_box("enterprise", eid)
        with st.form(f"enterprise::{eid}"):
            c1, c2 = st.columns(2)
            code = c1.text_input(
                pick("统一社会信用代码（18 位）", "Unified social credit code (18 characters)"),
                value=ef["credit_code"] or "",
                max_chars=18,
                key=f"ent_code::{eid}::{gen}",
            )
            prov = c2.text_input(
                pick("省份（推荐单位所在地）", "Province (where the recommender is)"),
                value=ef["province"] or "",
                max_chars=40,
                key=f"ent_province::{eid}::{gen}",
            )
            names = _enum_names("ownership")
            ownership = c1.selectbox(
                pick("企业性质", "Ownership"),
                OWNERSHIPS,
                index=OWNERSHIPS.index(ef["ownership"]),
                format_func=names.get,
                key=f"ent_ownership::{eid}::{gen}",
            )
            gnames = _enum_names("industry_group")
            group = c2.selectbox(
                pick("所属行业", "Industry group"),
                GROUPS,
                index=GROUPS.index(ef["industry_group"]),
                format_func=gnames.get,
                key=f"ent_group::{eid}::{gen}",
            )
            legal = c1.selectbox(
                pick("独立法人", "Independent legal person"),
                YES_NO,
                index=YES_NO.index(ef["legal_person"]),
                format_func=YN.get,
                key=f"ent_legal::{eid}::{gen}",
            )
            above = c2.selectbox(
                pick("规模以上工业企业", "Industrial enterprise above designated size"),
                YES_NO,
                index=YES_NO.index(ef["above_scale"]),
                format_func=YN.get,
                key=f"ent_above::{eid}::{gen}",
            )
            employees = c1.text_input(
                pick("从业人员（人）", "Employees (people)"),
                value=_shown_number(ef["employees"]),
                max_chars=24,
                placeholder=pick("如 4200", "e.g. 4200"),
                key=f"ent_employees::{eid}::{gen}",
            )
            revenue = c2.text_input(
                pick("营业收入（万元）", "Operating revenue (10,000 yuan)"),
                value=_shown_number(ef["revenue_wan"]),
                max_chars=24,
                placeholder=pick("如 68,000", "e.g. 68,000"),
                key=f"ent_revenue::{eid}::{gen}",
            )
            st.caption(
                pick(
                    "从业人员和营业收入决定企业规模（大型、中型、小型、微型）；留空即“未提供”。",
                    "Employees and revenue decide the enterprise size class; leave empty for “not provided”.",
                )
            )
            submitted = st.form_submit_button(t("save"), type="primary")
        if submitted or keep:
            try:
                numbers = {
                    "employees": _typed_number(employees, "从业人员", "employees", whole=True),
                    "revenue_wan": _typed_number(revenue, "营业收入", "revenue"),
                }
            except ValueError as exc:
                st.error(plain(msg(exc)))
            else:
                expected = ent_version if keep else base_version
                _save_versioned(
                    "enterprise",
                    eid,
                    lambda s: repo.update_enterprise(
                        s.get(Enterprise, eid),
                        session=s,
                        actor=user,
                        expected_version=expected,
                        credit_code=code.strip() or None,
                        province=prov.strip() or None,
                        ownership=ownership,
                        industry_group=group,
                        legal_person=legal,
                        above_scale=above,
                        **numbers,
                    ),
                    expected=expected,
                    siblings=("facts",),
                )

    with st.expander(
        pick(
            "企业合规与申报事实（用于判定层级与申报资格）",
            "Compliance and declaration facts (used by the tier and eligibility rules)",
        ),
        expanded=_open("facts", eid, "awards") or _open("region", ef["province"] or ""),
    ):
        keys = [f"fact_{q[0]}" for q in QUESTIONS] + ["fact_accident", "fact_standing"]
        base_version, gen = _versioned_form("facts", eid, ent_version, keys)
        keep = _conflict_box("facts", eid)

        acc_names = {
            None: pick("未填", "not given"),
            "none": pick("无", "none"),
            "general": pick("一般", "general"),
            "serious": pick("较大", "serious"),
            "major": pick("重大", "major"),
            "especially_major": pick("特大", "especially major"),
        }
        st_names = {
            None: pick("未填", "not given"),
            "none": pick("一般", "none"),
            "regional_leading": pick("区域领先", "regional"),
            "domestic_leading": pick("国内领先", "domestic leading"),
            "international_advanced": pick("国际先进", "international"),
            "global_leading": pick("全球领先", "global leading"),
        }
        with st.form(f"facts::{eid}"):
            c1, c2 = st.columns(2)
            facts = {}
            for i, (key, zh_q, en_q) in enumerate(QUESTIONS):
                facts[key] = (c1 if i % 2 == 0 else c2).selectbox(
                    pick(zh_q, en_q),
                    YES_NO,
                    index=YES_NO.index(comp.get(key)),
                    format_func=YN.get,
                    key=f"fact_{key}::{eid}::{gen}",
                )
            facts["worst_accident_3y"] = c1.selectbox(
                pick("近三年最严重安全/环境事故", "Worst accident in 3 years"),
                ACCIDENTS,
                index=ACCIDENTS.index(comp.get("worst_accident_3y")),
                format_func=acc_names.get,
                key=f"fact_accident::{eid}::{gen}",
            )
            standing = c2.selectbox(
                pick("智能制造水平", "Standing"),
                STANDINGS,
                index=STANDINGS.index(standing_now),
                format_func=st_names.get,
                key=f"fact_standing::{eid}::{gen}",
            )
            submitted = st.form_submit_button(t("save"), type="primary")
        if submitted or keep:
            expected = ent_version if keep else base_version
            _save_versioned(
                "facts",
                eid,
                lambda s: repo.update_enterprise(
                    s.get(Enterprise, eid),
                    session=s,
                    actor=user,
                    expected_version=expected,
                    standing=standing,
                    compliance={k: v for k, v in facts.items() if v is not None},
                ),
                expected=expected,
                siblings=("enterprise",),
            )

        # the recommender's facts for the quotas: one record per province, shared by its enterprises
        st.markdown(pick("**推荐单位信息（用于推荐名额）**", "**The recommender's facts (for the recommendation quotas)**"))
        province = ef["province"]
        if not province:
            st.info(
                pick(
                    "请先在「企业信息」中填写省份：推荐名额按企业所在省份的推荐单位确定。",
                    "Enter the province in “Enterprise facts” first: the quotas depend on the recommender of the province.",
                )
            )
        else:
            st.caption(
                plain(
                    pick(
                        f"「{province}」推荐单位的信息，该省份的所有企业共用。",
                        f"The facts of the recommender of “{province}”, shared by every enterprise of that province.",
                    )
                )
            )
            keys = ["reg_kind", "reg_pilots", "reg_rank", "reg_excellent"]
            base_version, gen = _versioned_form("region", province, region_version, keys)
            keep = _conflict_box("region", province)
            knames = {k: labels.enum("region_kind", k, lang()) for k in REGION_KINDS}
            with st.form(f"region::{province}"):
                r1, r2 = st.columns(2)
                kind = r1.selectbox(
                    pick("推荐单位类型", "Kind of recommender"),
                    REGION_KINDS,
                    index=REGION_KINDS.index(region_now["kind"] or "province"),
                    format_func=knames.get,
                    key=f"reg_kind::{province}::{gen}",
                )
                pilots = r2.text_input(
                    pick("省级智能制造试点示范累计数量（2023 名额）", "Cumulative provincial pilots (2023 quotas)"),
                    value=_shown_number(region_now["cumulative_provincial_pilots"]),
                    max_chars=24,
                    key=f"reg_pilots::{province}::{gen}",
                )
                rank = r1.text_input(
                    pick(
                        "工业增加值全国排名（2025 卓越级名额）",
                        "National rank by industrial value added (2025 excellent-tier quota)",
                    ),
                    value=_shown_number(region_now["iva_rank"]),
                    max_chars=24,
                    key=f"reg_rank::{province}::{gen}",
                )
                excellent = r2.text_input(
                    pick(
                        "本地区卓越级智能工厂数量（2025 领航级名额）",
                        "Excellent-tier factories in the region (2025 leading-tier quota)",
                    ),
                    value=_shown_number(region_now["excellent_count"]),
                    max_chars=24,
                    key=f"reg_excellent::{province}::{gen}",
                )
                submitted = st.form_submit_button(pick("保存推荐单位信息", "Save the recommender's facts"), type="primary")
            if submitted or keep:
                try:
                    numbers = {
                        "cumulative_provincial_pilots": _typed_number(
                            pilots, "省级试点示范累计数量", "cumulative provincial pilots", whole=True
                        ),
                        "iva_rank": _typed_number(rank, "工业增加值全国排名", "rank by industrial value added", whole=True),
                        "excellent_count": _typed_number(excellent, "卓越级智能工厂数量", "excellent-tier factories", whole=True),
                    }
                except ValueError as exc:
                    st.error(plain(msg(exc)))
                else:
                    if keep:
                        with be.Session() as s:
                            r = repo.get_region(province, session=s)
                            expected = r.version if r else 0
                    else:
                        expected = base_version
                    _save_versioned(
                        "region",
                        province,
                        lambda s: repo.set_region(
                            province, session=s, expected_version=expected, actor=user, kind=kind, **numbers
                        ),
                    )

        st.markdown(
            pick("**已获得的智能工厂层级**", "**Tiers already obtained**")
            + "："
            + ("、".join(f"{name(TIER_NAMES, tr)}（{y}）" for tr, y in awards) or pick("无", "none"))
        )
        if fid:
            with st.form("award", clear_on_submit=True):
                a1, a2, a3 = st.columns([2, 1, 1])
                tier = a1.selectbox(
                    pick("层级", "Tier"), ["basic", "advanced", "excellent", "leading"], format_func=_now(TIER_NAMES)
                )
                year = a2.number_input(pick("年份", "Year"), min_value=2024, max_value=2100, value=2025)
                if a3.form_submit_button(pick("添加", "Add")):
                    try:
                        with be.Session.begin() as s:
                            _guard(s, s.get(Factory, fid))
                            repo.add_tier_award(fid, tier, int(year), session=s, actor=user)
                    except AccessDenied as exc:
                        st.error(plain(msg(exc)))
                    else:
                        st.rerun()

# 建设内容与建设成效 of the selected assessment (its tier edition's items), checked against what the user saw
if aid and aid in ass_rows:
    try:
        with be.Session() as s:
            a_row = repo.get_assessment(aid, session=s)
            build_now, tier_edition = repo.build_facts_state(a_row), a_row.tier_edition
        tier_ed = load_tier_edition(tier_edition, be.settings.criteria_dir)
    except domain_errors() as exc:
        show_error("无法显示建设内容：", "The build content cannot be shown: ", exc)
    else:
        with st.expander(
            pick(
                f"建设内容与建设成效（本评估，{tier_edition}）", f"Build content and outcomes (this assessment, {tier_edition})"
            ),
            expanded=_open("build", aid),
            icon=":material/construction:",
        ):
            st.caption(
                pick(
                    "勾选已完成的建设内容和已达到的建设成效（用于层级判定的提示项）；保存后未勾选的项记为“否”。"
                    "每个层级的建设内容按已实施场景覆盖的维度计入。",
                    "Tick the build content done and the outcomes reached (advisory items of the tier rules); on saving, "
                    "items left unticked are recorded as “no”. Each tier's build content counts in the dimensions "
                    "the implemented scenarios cover.",
                )
            )
            items = [("bc", b.id) for b in tier_ed.data.build_content] + [("oc", o.id) for o in tier_ed.data.outcomes]
            base_state, gen = _versioned_form("build", aid, build_now, [f"{k}_{i}" for k, i in items])
            keep = _conflict_box("build", aid)
            done, met = {}, {}
            with st.form(f"build::{aid}"):
                for tr_ in tier_ed.tiers:
                    st.markdown(f"**{plain(tr_.name_zh if lang() == 'zh' else tr_.name_en)}**")
                    for b in (b for b in tier_ed.data.build_content if b.tier == tr_.id):
                        label = (
                            f"{labels.dimension(b.dimension, lang())}：{b.text_zh}"
                            if lang() == "zh"
                            else f"{labels.dimension(b.dimension, lang())}: {b.text_en}"
                        )
                        done[b.id] = st.checkbox(
                            plain(label), value=build_now["build_content"].get(b.id) is True, key=f"bc_{b.id}::{aid}::{gen}"
                        )
                    for o in (o for o in tier_ed.data.outcomes if o.tier == tr_.id):
                        label = pick(f"建设成效：{o.text_zh}", f"Outcome: {o.text_en}")
                        met[o.id] = st.checkbox(
                            plain(label), value=build_now["outcomes"].get(o.id) is True, key=f"oc_{o.id}::{aid}::{gen}"
                        )
                submitted = st.form_submit_button(t("save"), type="primary")
            if submitted or keep:
                expected = build_now if keep else base_state
                _save_versioned(
                    "build",
                    aid,
                    lambda s: repo.set_build_facts(
                        aid, done, met, session=s, expected=expected, actor=user, root=be.settings.criteria_dir
                    ),
                )

if fid and fid in fac_rows:
    fr = fac_rows[fid]
    with st.expander(
        pick("工厂信息", "Factory facts"),
        expanded=bool(st.session_state.get("forms", {}).get(("factory", fid), {}).get("conflict")),
    ):
        base_version, gen = _versioned_form("factory", fid, fr.version, ["fac_name", "fac_type", "fac_sector", "fac_address"])
        keep = _conflict_box("factory", fid)
        with st.form(f"factory::{fid}"):
            fname = st.text_input(
                pick("工厂名称（修改）", "Factory name (edit)"), value=fr.name, max_chars=200, key=f"fac_name::{fid}::{gen}"
            )
            ftype = st.radio(
                pick("行业类型", "Industry type"),
                ["discrete", "process"],
                index=["discrete", "process"].index(fr.industry_type),
                horizontal=True,
                format_func=_now(INDUSTRY_NAMES),
                key=f"fac_type::{fid}::{gen}",
            )
            sector = st.text_input(
                pick("细分行业", "Sub-sector"), value=fr.sub_sector or "", max_chars=40, key=f"fac_sector::{fid}::{gen}"
            )
            address = st.text_input(
                pick("建设地址", "Address"), value=fr.address or "", max_chars=300, key=f"fac_address::{fid}::{gen}"
            )
            submitted = st.form_submit_button(t("save"), type="primary")
        if submitted or keep:
            with be.Session() as s:
                current_version = s.get(Factory, fid).version
            expected = current_version if keep else base_version
            _save_versioned(
                "factory",
                fid,
                lambda s: repo.update_factory(
                    fid,
                    session=s,
                    actor=user,
                    expected_version=expected,
                    name=fname,
                    industry_type=ftype,
                    sub_sector=sector.strip() or None,
                    address=address.strip() or None,
                ),
            )

# -- bundle import: validated whole before anything is written; merge or copy when the factory exists ---------------
# server mode: a bundle may create or join any enterprise, so only those who may create enterprises import one
if MAY_CREATE:
    with st.expander(t("import")):
        st.caption(
            pick(
                "导入其他安装导出的评估数据包（含证据文件及校验值）。先检查整个数据包，再选择如何导入；数据包有任何问题都不会写入任何内容。",
                "Import a bundle exported by another installation (with evidence files and hashes). The whole bundle is checked "
                "first, then you choose how to import it; a bundle with any problem changes nothing.",
            )
        )
        up = st.file_uploader(t("import"), type=["zip"], key="bundle_upload", label_visibility="collapsed")
        if up is not None:
            try:
                with be.Session() as s:
                    p = inspect_bundle(up.getvalue(), session=s, max_bytes=be.max_bytes, root=be.settings.criteria_dir)
            except (BundleError, EvidenceRejected, ValueError) as exc:
                p = None
                st.error(pick("无法导入：", "Cannot import: ") + plain(msg(exc)))
            if p is not None:
                doc = p.doc
                st.info(
                    pick(
                        f"数据包：{plain(doc.enterprise.name)} · {plain(doc.factory.name)} · {plain(doc.assessment.title)}，"
                        f"{p.answered}/{p.applicable} 项已作答，{len(p.files)} 个证据文件。",
                        f"Bundle: {plain(doc.enterprise.name)} · {plain(doc.factory.name)} · {plain(doc.assessment.title)}, "
                        f"{p.answered}/{p.applicable} answered, {len(p.files)} evidence files.",
                    )
                )
                modes = ["copy"]
                if p.enterprise_id is not None:
                    how = (
                        pick("统一社会信用代码", "credit code")
                        if p.enterprise_match_by == "credit_code"
                        else pick("企业名称", "name")
                    )
                    st.warning(
                        pick(
                            f"按{how}匹配到本机已有企业「{plain(p.enterprise_name)}」"
                            + ("（已归档）" if p.enterprise_archived else "")
                            + "。",
                            f"Matches the existing enterprise '{plain(p.enterprise_name)}' by {how}"
                            + (" (archived)" if p.enterprise_archived else "")
                            + ".",
                        )
                    )
                if p.factory_id is not None:
                    modes = ["merge", "copy"]
                mode_names = {
                    "merge": plain(
                        pick(
                            f"并入已有工厂「{doc.factory.name}」（评估名称：{p.merge_title}）",
                            f"Into the existing factory '{doc.factory.name}' (title: {p.merge_title})",
                        )
                    ),
                    "copy": plain(pick(f"作为新工厂「{p.copy_factory_name}」", f"As a new factory '{p.copy_factory_name}'")),
                }
                mode = st.radio(
                    pick("导入方式", "How to import"), modes, horizontal=True, key="bundle_mode", format_func=mode_names.get
                )
                if st.button(pick("导入", "Import"), key="bundle_import", type="primary"):
                    try:
                        with be.Session.begin() as s:
                            if SERVER:
                                require(s, P, "enterprise.create", P.province)
                            a = import_bundle(
                                up.getvalue(),
                                session=s,
                                store=be.store,
                                mode=mode,
                                actor=user,
                                max_bytes=be.max_bytes,
                                root=be.settings.criteria_dir,
                            )
                            ids = (a.factory.enterprise_id, a.factory_id, a.id)
                        state.select(enterprise_id=ids[0], factory_id=ids[1], assessment_id=ids[2], subdomain=None)
                        flash("success", pick("已导入评估数据包", "Bundle imported"))
                        st.rerun()
                    except (BundleError, EvidenceRejected, ValueError, AccessDenied) as exc:
                        st.error(pick("导入失败：", "Import refused: ") + plain(msg(exc)))
