"""省级看板 (province admins, issue 12): applications by status and age, experts' workload, approved factories ranked,
the national-recommendation quota and the 推荐汇总表 from approved applications, and self-assessed versus expert
scores per domain (calibration). Everything comes from assessment.dashboard, checked for the admin's province."""

from __future__ import annotations

import streamlit as st

from assessment import dashboard, labels
from assessment.access import AccessDenied
from ui import auth
from ui.i18n import TIER_NAMES, msg, name, pick
from ui.services import backend
from ui.widgets import plain

be = backend()
p = auth.principal(be)
root = be.settings.criteria_dir
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
pilots = r3.number_input(
    pick("省级智能制造试点示范累计数量", "Cumulative provincial pilot projects"),
    min_value=0,
    max_value=100000,
    value=None,
    step=1,
    key="prov_pilots",
)
region = {"kind": "province"} | ({"cumulative_provincial_pilots": int(pilots)} if pilots is not None else {})
if ranked:
    try:
        with be.Session() as s:
            rec = dashboard.recommendation(p, prog, session=s, root=root, recommender=recommender, region=region)
            book = dashboard.recommendation_workbook(p, prog, recommender, session=s, root=root, region=region)
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
