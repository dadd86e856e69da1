"""省级看板 (province admins, issue 12): applications by status and age, experts' workload, approved factories ranked,
the national-recommendation quota and the 推荐汇总表 from approved applications, and self-assessed versus expert
scores per domain (calibration). Everything comes from assessment.dashboard, checked for the admin's province."""

from __future__ import annotations

import streamlit as st

from assessment import dashboard, labels, records
from assessment.access import AccessDenied
from assessment.numbers import parse_number
from assessment.store import repository as repo
from reports import service
from ui import auth
from ui.i18n import TIER_NAMES, msg, name, pick
from ui.services import backend
from ui.widgets import plain

be = backend()
p = auth.principal(be)
root = be.settings.criteria_dir


def _shown(v) -> str:
    return "" if v is None else str(int(v)) if float(v).is_integer() else str(v)


st.title(pick("省级看板", "Province dashboard") + (f" · {p.province}" if p.province else ""))

try:
    with be.Session() as s:
        by_status = dashboard.applications_by_status(p, session=s)
        workload = dashboard.expert_workload(p, session=s)
        ranked = dashboard.approved_ranked(p, session=s)
        calib = dashboard.calibration(p, session=s, root=root)
except AccessDenied as exc:
    st.error(plain(msg(exc)))
    st.stop()

st.subheader(pick("申请状态与时长", "Applications by status and age"))
st.dataframe(
    [
        {
            pick("状态", "Status"): pick(r["name_zh"], r["name_en"]),
            pick("数量", "Count"): r["count"],
            pick("最长（天）", "Oldest (days)"): r["oldest_days"],
            pick("平均（天）", "Mean (days)"): r["mean_days"],
        }
        for r in by_status["statuses"]
    ],
    hide_index=True,
    width="stretch",
)
if by_status["applications"]:
    st.dataframe(
        [
            {
                pick("申请", "Application"): a["id"],
                pick("企业", "Enterprise"): a["enterprise"],
                pick("状态", "Status"): pick(a["status_zh"], a["status_en"]),
                pick("本状态天数", "Days in status"): a["age_days"],
            }
            for a in by_status["applications"]
        ],
        hide_index=True,
        width="stretch",
    )

st.subheader(pick("专家工作量", "Experts' workload"))
if workload:
    st.dataframe(
        [
            {
                pick("专家", "Expert"): w["username"],
                pick("已分配", "Assigned"): w["assigned"],
                pick("进行中", "Open"): w["open"],
                pick("待提交", "To submit"): w["to_submit"],
                pick("已提交", "Submitted"): w["submitted"],
                pick("在评已评项", "Graded in open reviews"): w["graded_open"],
            }
            for w in workload
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption(pick("尚未分配专家。", "No experts assigned yet."))

st.subheader(pick("已通过工厂排名", "Approved factories ranked"))
if ranked:
    st.dataframe(
        [
            {
                pick("名次", "Rank"): r["rank"],
                pick("企业", "Enterprise"): r["enterprise"],
                pick("工厂", "Factory"): r["factory"],
                "S": r["score"],
                pick("认定层级", "Tier reached"): name(TIER_NAMES, r["reached_tier"]) if r["reached_tier"] in TIER_NAMES else "",
                pick("证书", "Certificate"): r["certificate_number"] or "",
            }
            for r in ranked
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption(pick("尚无通过的申请。", "No approved applications yet."))

st.subheader(pick("国家推荐名额与推荐汇总表", "National recommendation quota and list"))
lg = pick("zh", "en")
r1, r2, r3 = st.columns(3)
prog = r1.selectbox(
    pick("申报通知", "Call"),
    ["demo_factory_2023", "excellent_scenario_2023", "smart_supply_chain_2023"],
    format_func=lambda x: labels.programme(x, lg, root=root),
    key="prov_prog",
)
recommender = r2.text_input(
    pick("推荐单位", "Recommender"), value=f"{p.province or ''}工业和信息化厅", max_chars=200, key="prov_recommender"
)
region_v_seen = st.session_state.get("prov_region_v")  # the version the form was last shown with
with be.Session() as s:
    region_row = repo.get_region(p.province, session=s)
    region_now, region_v = repo.region_state(region_row), (region_row.version if region_row else 0)
    region_by = (region_row.updated_by, region_row.updated_at) if region_row else (None, None)
with r3.form("prov_region", border=False):
    pilots_text = st.text_input(
        pick("省级智能制造试点示范累计数量", "Cumulative provincial pilot projects"),
        value=_shown(region_now["cumulative_provincial_pilots"]),
        max_chars=24,
        key="prov_pilots",
    )
    save_region = st.form_submit_button(pick("保存", "Save"))
if region_by[0]:
    r3.caption(
        plain(
            pick("已记录：", "Recorded: ")
            + (_shown(region_now["cumulative_provincial_pilots"]) or "—")
            + f"（{region_by[0]} · {region_by[1]:%Y-%m-%d %H:%M}）"
        )
    )
if save_region:
    try:
        typed = parse_number(pilots_text)
        if typed is not None and (typed < 0 or not typed.is_integer()):
            raise ValueError(f"须为非负整数：{pilots_text.strip()} / must be a whole number ≥ 0: {pilots_text.strip()}")
        expected = region_v if region_v_seen is None else region_v_seen

        def _save(s, value=None if typed is None else int(typed)):
            records.require_region_edit(p, p.province, session=s)
            return repo.set_region(
                p.province or "", session=s, expected_version=expected, actor=p.username, cumulative_provincial_pilots=value
            )

        saved = repo.transact(be.Session, _save)
    except (ValueError, LookupError, repo.ConcurrentEditError, AccessDenied) as exc:
        # the input stays as typed; the caption shows what is stored now and who stored it; saving again keeps it
        st.error(plain(pick("省级试点示范累计数量未保存：", "The pilot count was not saved: ") + msg(exc)))
    else:
        st.session_state["prov_region_v"] = saved.version
        st.toast(pick("已保存", "Saved"))
        st.rerun()
st.session_state["prov_region_v"] = region_v
region = {"kind": "province"} | {k: v for k, v in region_now.items() if v is not None}
if ranked:
    try:
        with be.Session() as s:
            rec = service.province_recommendation(p, prog, session=s, root=root, recommender=recommender, region=region)
            book = service.province_recommendation_workbook(p, prog, recommender, session=s, root=root, region=region)
        st.markdown(plain(pick("名额：", "Quota: ") + "；".join(f"{k} {v}" for k, v in rec["quota"].items())))
        if rec["quota_note"]:
            st.caption(plain(rec["quota_note"]))
        for cat, rows in rec["listed"].items():
            st.markdown(plain(f"{cat}: " + "、".join(str(r.get("enterprise") or r.get("name") or "") for r in rows)))
        if rec["left_out"]:
            st.caption(
                plain(
                    pick("未列入：", "Left out: ")
                    + "；".join(f"{r.get('enterprise') or r.get('name') or ''}（{r['reason']}）" for r in rec["left_out"])
                )
            )
        st.download_button(
            pick("下载推荐汇总表（xlsx）", "Download the recommendation list (xlsx)"),
            book,
            file_name=f"推荐汇总表_{prog}.xlsx",
            key="prov_rec_dl",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    except (ValueError, LookupError) as exc:
        st.error(plain(msg(exc)))
else:
    st.caption(pick("推荐汇总表取自已通过的申请。", "The list is built from approved applications."))

st.subheader(pick("自评与专家评分对比（校准）", "Self-assessed versus expert scores (calibration)"))
if calib:
    st.dataframe(
        [
            {
                pick("能力域", "Domain"): pick(c["name_zh"], c["name_en"]),
                pick("自评", "Self"): c["self"],
                pick("专家", "Expert"): c["expert"],
                pick("差值（自评−专家）", "Difference (self − expert)"): c["difference"],
                pick("申请数", "Applications"): c["applications"],
            }
            for c in calib
        ],
        hide_index=True,
        width="stretch",
    )
else:
    st.caption(pick("尚无完成合议的申请。", "No application has a consensus yet."))

st.subheader(pick("本省企业", "Enterprises of the province"))
st.caption(
    pick(
        "在此登记本省企业（企业用户自己不能新建企业）；其登录账户由系统管理员在「用户管理」中绑定到该企业。",
        "Register the province's enterprises here (enterprise users cannot create enterprises); a system administrator "
        "then binds their accounts to the enterprise under Users.",
    )
)
with be.Session() as s:
    enterprises = records.list_enterprises(p, session=s)
if enterprises:
    st.dataframe(
        [
            {
                "#": e["id"],
                pick("企业", "Enterprise"): e["name"],
                pick("统一社会信用代码", "Credit code"): e["credit_code"] or "",
                pick("工厂数", "Factories"): e["factories"],
            }
            for e in enterprises
        ],
        hide_index=True,
        width="stretch",
    )
gen = st.session_state.setdefault("prov_ent_gen", 0)  # a new, empty form after each registration; kept on a refusal
with st.form("prov_add_enterprise"):
    e1, e2 = st.columns(2)
    ent_name = e1.text_input(pick("企业名称 *", "Enterprise name *"), max_chars=200, key=f"prov_ent_name::{gen}")
    ent_code = e2.text_input(pick("统一社会信用代码", "Unified social credit code"), max_chars=18, key=f"prov_ent_code::{gen}")
    if st.form_submit_button(pick("登记企业", "Register the enterprise")):
        try:
            with be.Session.begin() as s:
                new = records.create_enterprise(
                    p, session=s, name=ent_name, credit_code=ent_code.strip() or None, province=p.province
                )
                added = f"{new.name} · #{new.id}"
        except (ValueError, LookupError, AccessDenied) as exc:
            st.error(plain(msg(exc)))
        else:
            st.session_state["prov_flash"] = pick(f"已登记企业 {added}", f"Registered {added}")
            st.session_state["prov_ent_gen"] = gen + 1
            st.rerun()
if st.session_state.get("prov_flash"):
    st.success(plain(st.session_state.pop("prov_flash")))
