"""申请与评审 (issue 12): the provincial certification workflow for every role.

Enterprise users submit a complete assessment with a tier application, follow it and answer weak items; province
admins assign experts, settle the consensus, record the site visit, close the rectification, decide and issue the
``CT-`` certificate; experts grade every requirement independently. Only the steps that
``workflow.application_detail(...)["actions"]`` allows are offered; every step goes through the service layer, which
checks the role and scope again.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment import records
from assessment import workflow as wf
from assessment.access import AccessDenied
from assessment.profile import TIERS
from assessment.store.evidence import UPLOAD_TYPES, EvidenceRejected
from ui import auth
from ui.i18n import GRADE_NAMES, TIER_NAMES, msg, name, pick
from ui.services import backend
from ui.widgets import evidence_reader, flash, plain, show_flash

be = backend()
p = auth.principal(be)
root = be.settings.criteria_dir
SELECTED = "app_selected"
GRADES = ["full", "largely", "partial", "none"]

st.title(pick("申请与评审", "Applications and review"))
show_flash()


def _run(work, done: str | None = None) -> bool:
    """Run one workflow step in its own transaction; a refusal is shown as one line and changes nothing."""
    try:
        with be.Session.begin() as s:
            work(s)
    except (ValueError, LookupError, AccessDenied, EvidenceRejected) as exc:
        st.error(plain(msg(exc)))
        return False
    if done:
        flash("success", done)
    st.rerun()
    return True


def _grade_label(g) -> str:
    return name(GRADE_NAMES, g) if g in GRADE_NAMES else str(g)


def _status(summary: dict) -> str:
    return pick(summary["status_zh"], summary["status_en"])


# -- the enterprise: a new application -------------------------------------------------------------------------

if p.role in ("enterprise", "local"):
    with st.expander(pick("提交新的申请", "Submit a new application"), expanded=False):
        with be.Session() as s:
            mine = [a for a in records.list_assessments(p, session=s) if a["editable"]]
        if not mine:
            st.info(
                pick(
                    "没有可以提交的评估（已提交或已认定的评估不能再次提交）。",
                    "No assessment can be submitted (one under an application or certified cannot).",
                )
            )
        else:
            labels = {a["id"]: f"{a['factory']} · {a['title']} · #{a['id']}" for a in mine}
            with st.form("submit_application"):
                aid = st.selectbox(pick("评估", "Assessment"), list(labels), format_func=labels.get, key="submit_aid")
                tier = st.selectbox(
                    pick("申请层级", "Tier applied for"),
                    TIERS,
                    index=TIERS.index("advanced"),
                    format_func=lambda k: name(TIER_NAMES, k),
                    key="submit_tier",
                )
                if st.form_submit_button(pick("提交申请", "Submit"), type="primary"):

                    def work(s, aid=aid, tier=tier):
                        app = wf.submit(p, aid, tier, session=s, root=root)
                        s.flush()
                        st.session_state["app_next"] = app.id

                    _run(work, pick("已提交申请", "Application submitted"))

# -- the list ----------------------------------------------------------------------------------------------------

try:
    with be.Session() as s:
        apps = wf.list_applications(p, session=s)
except AccessDenied as exc:
    st.error(plain(msg(exc)))
    st.stop()
if not apps:
    st.info(pick("暂无申请。", "No applications yet."))
    st.stop()
st.dataframe(
    [
        {
            pick("申请", "Application"): a["id"],
            pick("企业", "Enterprise"): a["enterprise"],
            pick("工厂", "Factory"): a["factory"],
            pick("层级", "Tier"): name(TIER_NAMES, a["tier"]),
            pick("状态", "Status"): _status(a),
            pick("修订", "Revision"): a["revision"],
            pick("证书", "Certificate"): a["certificate_number"] or "",
        }
        for a in apps
    ],
    hide_index=True,
    width="stretch",
)
ids = [a["id"] for a in apps]
if "app_next" in st.session_state:  # chosen by the inbox, a submission or a new revision
    st.session_state[SELECTED] = st.session_state.pop("app_next")
if st.session_state.get(SELECTED) not in ids:
    st.session_state[SELECTED] = ids[0]
by_id = {a["id"]: a for a in apps}
app_id = st.selectbox(
    pick("打开申请", "Open application"),
    ids,
    key=SELECTED,
    format_func=lambda i: f"#{i} · {by_id[i]['enterprise']} · {_status(by_id[i])}",
)

try:
    with be.Session() as s:
        d = wf.application_detail(p, app_id, session=s, root=root)
except (AccessDenied, LookupError) as exc:
    st.error(plain(msg(exc)))
    st.stop()
actions = set(d["actions"])

st.subheader(
    pick(f"申请 #{d['id']}：{d['enterprise']} · {d['factory']}", f"Application #{d['id']}: {d['enterprise']} · {d['factory']}")
)
c1, c2, c3 = st.columns(3)
c1.metric(pick("状态", "Status"), _status(d))
c2.metric(pick("申请层级", "Tier"), name(TIER_NAMES, d["tier"]))
c3.metric(pick("证书", "Certificate"), d["certificate_number"] or "—")
st.caption(
    plain(
        pick(
            f"评估 #{d['assessment_id']} · 省份 {d['province']} · 提交人 {d['submitted_by']} · 修订 {d['revision']}",
            f"assessment #{d['assessment_id']} · province {d['province']} · submitted by {d['submitted_by']} · "
            f"revision {d['revision']}",
        )
    )
)
if d["decision"]:
    st.markdown(
        plain(
            pick(
                f"决定：{'通过' if d['decision'] == 'approve' else '不通过'}（{d['decided_by']}）：{d['decision_reason']}",
                f"Decision: {d['decision']} ({d['decided_by']}): {d['decision_reason']}",
            )
        )
    )
if d["revision_reason"]:
    st.caption(plain(pick("更正理由：", "Correction reason: ") + d["revision_reason"]))
if d["experts"]:
    st.markdown("**" + pick("评审专家", "Experts") + "**")
    st.dataframe(
        [
            {
                pick("专家", "Expert"): x["username"],
                pick("已评", "Graded"): x["graded"],
                pick("已提交", "Submitted"): x["submitted"],
            }
            for x in d["experts"]
        ],
        hide_index=True,
    )

# -- the evidence files of the application's assessment: the experts assigned, the province admin, the enterprise --


try:
    with be.Session() as s:
        files = records.list_evidence(p, d["assessment_id"], session=s)
except (AccessDenied, LookupError):
    files = []
if files:
    with st.expander(pick(f"证据文件（{len(files)}）", f"Evidence files ({len(files)})"), icon=":material/attach_file:"):
        st.caption(pick("每次下载都记入审计日志。", "Every download is recorded in the audit trail."))
        for f in files:
            e1, e2 = st.columns([5, 1])
            size = f"{f['size']} B" if f["size"] < 1024 else f"{f['size'] / 1024:.0f} KB"
            e1.markdown(plain(f"{f['name']} · {f['requirement_id'] or pick('通用', 'general')} · {size}"))
            e2.download_button(
                pick("下载", "Download"),
                data=evidence_reader(be, p, f["id"]),
                file_name=f["name"],
                mime=f["mime"],
                key=f"app_ev_dl_{app_id}_{f['id']}",
                icon=":material/download:",
                on_click="ignore",
            )

# -- enterprise: withdraw ----------------------------------------------------------------------------------------

if "withdraw" in actions:
    with st.expander(pick("撤回申请", "Withdraw the application")):
        reason = st.text_area(pick("撤回理由", "Reason"), key=f"withdraw_reason_{app_id}", max_chars=2000)
        if st.button(pick("撤回", "Withdraw"), key=f"withdraw_{app_id}"):
            _run(lambda s: wf.withdraw(p, app_id, reason, session=s), pick("申请已撤回", "Application withdrawn"))

# -- admin: assign experts ---------------------------------------------------------------------------------------

if "assign_experts" in actions:
    st.markdown("#### " + pick("分配评审专家（至少 3 位）", f"Assign experts (at least {be.settings.min_experts})"))
    with be.Session() as s:
        experts = wf.list_experts(p, session=s)
    assigned = {x["username"] for x in d["experts"]}
    options = [x["username"] for x in experts if x["username"] not in assigned]
    load = {x["username"]: x["open"] for x in experts}
    # the button sits beside the list, not under it: the open list would cover it
    pick_col, button_col = st.columns([5, 1], vertical_alignment="bottom")
    chosen = pick_col.multiselect(
        pick("专家", "Experts"),
        options,
        key=f"assign_{app_id}",
        format_func=lambda u: pick(f"{u}（在评 {load[u]} 件）", f"{u} ({load[u]} open)"),
    )
    if button_col.button(pick("分配", "Assign"), key=f"assign_btn_{app_id}", type="primary", width="stretch"):
        _run(
            lambda s: wf.assign_experts(p, app_id, chosen, session=s, settings=be.settings),
            pick("已分配专家，进入专家评审", "Experts assigned"),
        )

# -- expert: the review sheet ------------------------------------------------------------------------------------

if "save_grades" in actions:
    st.markdown("#### " + pick("独立评审", "Independent review"))
    with be.Session() as s:
        sheet = wf.review_sheet(p, app_id, session=s, root=root)
    st.progress(
        sheet["graded"] / max(sheet["total"], 1),
        text=pick(f"已评 {sheet['graded']}/{sheet['total']} 项", f"{sheet['graded']} of {sheet['total']} graded"),
    )
    st.caption(
        pick(
            "每项要求都须评分；可写评审意见和补充证据要求。其他专家的评分在合议前不可见。",
            "Grade every requirement; add a comment and an evidence request where needed. Other experts' grades "
            "stay hidden until the consensus.",
        )
    )
    rows = sheet["requirements"]
    frame = pd.DataFrame(
        [
            {
                "id": r["requirement_id"],
                "text": pick(r["text_zh"], r["text_en"]),
                "self": _grade_label(r["self_grade"]),
                "evidence": "、".join(e["name"] for e in r["evidence"]),
                "grade": r["grade"],
                "comment": r["comment"] or "",
                "request": r["evidence_request"] or "",
            }
            for r in rows
        ]
    )
    edited = st.data_editor(
        frame,
        key=f"review_{app_id}",
        hide_index=True,
        width="stretch",
        disabled=["id", "text", "self", "evidence"],
        column_config={
            "id": pick("要求", "Requirement"),
            "text": pick("内容", "Text"),
            "self": pick("企业自评", "Self-assessed"),
            "evidence": pick("证据", "Evidence"),
            "grade": st.column_config.SelectboxColumn(pick("专家评分", "Grade"), options=GRADES, format_func=_grade_label),
            "comment": pick("评审意见", "Comment"),
            "request": pick("补充证据要求", "Evidence request"),
        },
    )
    b1, b2, b3 = st.columns(3)
    if b1.button(pick("保存评分", "Save grades"), key=f"save_grades_{app_id}", type="primary"):
        changes = {}
        for old, new in zip(rows, edited.to_dict("records")):
            c = {}
            if new["grade"] != old["grade"] and new["grade"] in GRADES:
                c["grade"] = new["grade"]
            for col, key in (("comment", "comment"), ("request", "evidence_request")):
                value = (new[col] or "").strip() or None if isinstance(new[col], str) or new[col] is None else None
                if value != old[key]:
                    c[key] = value
            if c:
                changes[old["requirement_id"]] = c
        _run(
            lambda s: wf.save_grades(p, app_id, changes, session=s, root=root),
            pick(f"已保存 {len(changes)} 项", f"Saved {len(changes)} requirements"),
        )
    ungraded = {r["requirement_id"]: {"grade": r["self_grade"]} for r in rows if r["grade"] is None and r["self_grade"] in GRADES}
    if b2.button(
        pick(f"未评项按企业自评预填（{len(ungraded)} 项）", f"Fill ungraded from the self-assessment ({len(ungraded)})"),
        key=f"prefill_{app_id}",
        disabled=not ungraded,
    ):
        _run(
            lambda s: wf.save_grades(p, app_id, ungraded, session=s, root=root),
            pick(f"已预填 {len(ungraded)} 项，请逐项核对", f"Filled {len(ungraded)}: check each one"),
        )
    if b3.button(
        pick("提交评审（提交后不能修改）", "Submit the review (final)"),
        key=f"submit_review_{app_id}",
        disabled=sheet["graded"] < sheet["total"],
    ):
        _run(lambda s: wf.submit_review(p, app_id, session=s, root=root), pick("评审已提交", "Review submitted"))

# -- consensus ---------------------------------------------------------------------------------------------------

if d["status"] not in ("submitted", "in_review", "withdrawn") and p.role in ("province_admin", "expert", "local"):
    with be.Session() as s:
        try:
            cons = wf.consensus_sheet(p, app_id, session=s, root=root)
        except (AccessDenied, ValueError):
            cons = None
    if cons is not None:
        with st.expander(
            pick(
                f"专家合议：{cons['flagged']} 项分歧，{cons['open']} 项待合议",
                f"Consensus: {cons['flagged']} contested, {cons['open']} open",
            ),
            expanded="record_consensus" in actions,
        ):
            flagged = [r for r in cons["requirements"] if r["flagged"]]
            st.caption(
                pick(
                    "专家评分相差超过一档的要求标记为分歧，须记录合议等级和理由；其余取中位数。",
                    "Requirements where experts differ by more than one grade step are contested and need a consensus "
                    "grade with a reason; the others take the median.",
                )
            )
            table = [
                {
                    "id": r["requirement_id"],
                    "text": pick(r["text_zh"], r["text_en"]),
                    "self": _grade_label(r["self_grade"]),
                    **{f"{e}": _grade_label(r["experts"].get(e, {}).get("grade")) for e in cons["experts"]},
                    "flagged": r["flagged"],
                    "grade": r["grade"],
                    "reason": r["reason"] or "",
                    "by": r["decided_by"] or "",
                }
                for r in (flagged if "record_consensus" in actions else cons["requirements"])
            ]
            if "record_consensus" in actions and flagged:
                st.dataframe(table, hide_index=True, width="stretch")
                with st.form(f"consensus_{app_id}"):
                    entered = {}
                    for r in flagged:
                        rid = r["requirement_id"]
                        st.markdown(plain(f"{rid} · {pick(r['text_zh'], r['text_en'])}"))
                        k1, k2 = st.columns([1, 3])
                        g = k1.selectbox(
                            pick("合议等级", "Consensus grade"),
                            GRADES,
                            format_func=_grade_label,
                            index=GRADES.index(r["grade"]) if r["grade"] in GRADES else 0,
                            key=f"cg_{app_id}_{rid}",
                        )
                        why = k2.text_input(
                            pick("合议理由", "Reason"),
                            value=r["reason"] if r["decided_by"] not in (None, "auto") else "",
                            max_chars=2000,
                            key=f"cr_{app_id}_{rid}",
                        )
                        entered[rid] = (g, why.strip())
                    if st.form_submit_button(pick("保存合议", "Save the consensus"), type="primary"):
                        grades = {
                            rid: {"grade": g, "reason": why}
                            for rid, (g, why) in entered.items()
                            if why
                            and (
                                why != (next(x for x in flagged if x["requirement_id"] == rid)["reason"] or "")
                                or g != next(x for x in flagged if x["requirement_id"] == rid)["grade"]
                            )
                        }
                        missing = [rid for rid, (g, why) in entered.items() if not why]
                        if missing and not grades:
                            st.error(pick(f"请为 {missing[0]} 填写合议理由", f"Give a reason for {missing[0]}"))
                        else:
                            _run(
                                lambda s: wf.record_consensus(p, app_id, grades, session=s, root=root),
                                pick(f"已记录 {len(grades)} 项合议", f"Recorded {len(grades)} consensus grades"),
                            )
            else:
                st.dataframe(table, hide_index=True, width="stretch")
            if "finish_consensus" in actions and st.button(
                pick("结束合议，生成现场核查清单", "Close the consensus and build the site-visit checklist"),
                key=f"finish_consensus_{app_id}",
            ):
                _run(
                    lambda s: wf.finish_consensus(p, app_id, session=s, root=root),
                    pick("已生成现场核查清单", "Site-visit checklist generated"),
                )

# -- site visit --------------------------------------------------------------------------------------------------

REASONS = {
    "contested": ("专家分歧", "contested"),
    "evidence_requested": ("专家要求补充证据", "evidence requested"),
    "weak_evidence": ("高评分但无证据", "high grade without evidence"),
}
if "record_site_visit" in actions or "finish_site_visit" in actions:
    st.markdown("#### " + pick("现场核查清单", "Site-visit checklist"))
    with be.Session() as s:
        chk = wf.site_visit_checklist(p, app_id, session=s, root=root)
    items = chk["items"]
    st.caption(pick(f"{len(items)} 项，{chk['open']} 项未记录结果。", f"{len(items)} items, {chk['open']} without a result."))
    if items:
        frame = pd.DataFrame(
            [
                {
                    "id": i["requirement_id"],
                    "text": pick(i["text_zh"], i["text_en"]),
                    "why": "、".join(pick(*REASONS.get(r, (r, r))) for r in i["reasons"]),
                    "grade": _grade_label(i["consensus_grade"]),
                    "result": i["result"],
                    "finding": i["finding"] or "",
                }
                for i in items
            ]
        )
        edited = st.data_editor(
            frame,
            key=f"visit_{app_id}",
            hide_index=True,
            width="stretch",
            disabled=["id", "text", "why", "grade"],
            column_config={
                "result": st.column_config.SelectboxColumn(
                    pick("核查结果", "Result"),
                    options=["ok", "weak"],
                    format_func=lambda r: pick("符合", "ok") if r == "ok" else pick("弱项", "weak"),
                ),
                "finding": pick("核查发现", "Finding"),
            },
        )
        v1, v2 = st.columns(2)
        if "record_site_visit" in actions and v1.button(
            pick("保存核查结果", "Save the results"), key=f"save_visit_{app_id}", type="primary"
        ):
            results = {}
            for old, new in zip(items, edited.to_dict("records")):
                finding = (new["finding"] or "").strip() if isinstance(new["finding"], str) else ""
                if new["result"] in ("ok", "weak") and (new["result"] != old["result"] or finding != (old["finding"] or "")):
                    results[old["requirement_id"]] = {"result": new["result"], "finding": finding or None}
            _run(
                lambda s: wf.record_site_visit(p, app_id, results, session=s),
                pick(f"已记录 {len(results)} 项", f"Recorded {len(results)} items"),
            )
        if "record_site_visit" in actions:
            with st.form(f"visit_one_{app_id}"):
                o1, o2, o3 = st.columns([2, 1, 3])
                one = o1.selectbox(pick("核查项", "Item"), [i["requirement_id"] for i in items], key=f"visit_item_{app_id}")
                res = o2.selectbox(
                    pick("结果", "Result"),
                    ["ok", "weak"],
                    key=f"visit_result_{app_id}",
                    format_func=lambda r: pick("符合", "ok") if r == "ok" else pick("弱项", "weak"),
                )
                finding = o3.text_input(
                    pick("核查发现（弱项必填）", "Finding (required for a weak item)"),
                    max_chars=2000,
                    key=f"visit_finding_{app_id}",
                )
                if st.form_submit_button(pick("记录此项", "Record this item")):
                    _run(
                        lambda s: wf.record_site_visit(
                            p, app_id, {one: {"result": res, "finding": finding.strip() or None}}, session=s
                        ),
                        pick(f"已记录 {one}", f"Recorded {one}"),
                    )
        rest = {i["requirement_id"]: {"result": "ok"} for i in items if i["result"] is None}
        if "record_site_visit" in actions and v2.button(
            pick(f"其余 {len(rest)} 项记为符合", f"Mark the other {len(rest)} ok"),
            key=f"visit_rest_ok_{app_id}",
            disabled=not rest,
        ):
            _run(
                lambda s: wf.record_site_visit(p, app_id, rest, session=s),
                pick(f"已记录 {len(rest)} 项为符合", f"{len(rest)} items recorded ok"),
            )
    if "finish_site_visit" in actions and st.button(pick("结束现场核查", "Finish the site visit"), key=f"finish_visit_{app_id}"):
        _run(lambda s: wf.finish_site_visit(p, app_id, session=s), pick("现场核查已结束", "Site visit finished"))

# -- rectification ---------------------------------------------------------------------------------------------

RECT = {
    "open": ("待整改", "open"),
    "responded": ("已答复，待核验", "responded"),
    "accepted": ("核验通过", "accepted"),
    "rejected": ("核验未通过", "rejected"),
}
if d["rectifications"]:
    st.markdown("#### " + pick("弱项整改", "Rectification of weak items"))
    for r in d["rectifications"]:
        with st.container(border=True):
            st.markdown(
                plain(
                    f"{pick(r['text_zh'], r['text_en']) or r['requirement_id']} · "
                    f"{pick(*RECT.get(r['status'], (r['status'], r['status'])))}"
                )
            )
            st.caption(plain(pick("要求编号：", "Requirement: ") + r["requirement_id"]))
            st.caption(plain(pick("问题：", "Issue: ") + (r["issue"] or "")))
            if r["response"]:
                st.caption(plain(pick("整改答复：", "Response: ") + r["response"]))
            if r["verify_note"]:
                st.caption(plain(pick("核验意见：", "Verification: ") + r["verify_note"]))
            if "respond_rectification" in actions and r["status"] in ("open", "rejected"):
                text = st.text_area(pick("整改说明", "Response"), key=f"rect_text_{r['id']}", max_chars=4000)
                files = st.file_uploader(
                    pick("整改证据", "Evidence"), type=UPLOAD_TYPES, accept_multiple_files=True, key=f"rect_files_{r['id']}"
                )
                if st.button(pick("提交整改答复", "Send the response"), key=f"rect_send_{r['id']}", type="primary"):
                    data = [(f.name, f.getvalue()) for f in files or []]
                    _run(
                        lambda s, r=r, text=text, data=data: wf.respond_rectification(
                            p, r["id"], text, session=s, files=data, store=be.store, max_bytes=be.max_bytes, root=root
                        ),
                        pick("整改答复已提交", "Response sent"),
                    )
            if "verify_rectification" in actions and r["status"] == "responded":
                note = st.text_input(
                    pick("核验意见（不通过时必填）", "Note (required to reject)"), key=f"rect_note_{r['id']}", max_chars=2000
                )
                grade = st.selectbox(
                    pick("通过后的合议等级（可选）", "Consensus grade once accepted (optional)"),
                    [None, *GRADES],
                    format_func=lambda g: "—" if g is None else _grade_label(g),
                    key=f"rect_grade_{r['id']}",
                )
                a1, a2 = st.columns(2)
                if a1.button(pick("核验通过", "Accept"), key=f"rect_ok_{r['id']}", type="primary"):
                    _run(
                        lambda s, r=r, note=note, grade=grade: wf.verify_rectification(
                            p, r["id"], True, note or None, session=s, grade=grade, root=root
                        ),
                        pick("已核验通过", "Accepted"),
                    )
                if a2.button(pick("不通过", "Reject"), key=f"rect_no_{r['id']}"):
                    _run(
                        lambda s, r=r, note=note: wf.verify_rectification(p, r["id"], False, note, session=s, root=root),
                        pick("已退回整改", "Rejected"),
                    )
    if "finish_rectification" in actions and st.button(
        pick("结束整改，进入决定", "Close the rectification"), key=f"finish_rect_{app_id}"
    ):
        _run(lambda s: wf.finish_rectification(p, app_id, session=s), pick("整改已结束", "Rectification closed"))

# -- decision, certificate, correction ---------------------------------------------------------------------------

if "decide" in actions:
    st.markdown("#### " + pick("决定", "Decision"))
    with st.form(f"decide_{app_id}"):
        decision = st.radio(
            pick("决定", "Decision"),
            ["approve", "reject"],
            horizontal=True,
            key=f"decision_{app_id}",
            format_func=lambda x: pick("通过", "Approve") if x == "approve" else pick("不通过", "Reject"),
        )
        reason = st.text_area(pick("决定理由", "Reason"), key=f"decision_reason_{app_id}", max_chars=4000)
        if st.form_submit_button(pick("作出决定（决定后锁定）", "Decide (locks the application)"), type="primary"):
            _run(lambda s: wf.decide(p, app_id, decision, reason, session=s, root=root), pick("已作出决定", "Decided"))

if "issue_certificate" in actions:
    if st.button(pick("签发 CT- 证书", "Issue the CT- certificate"), key=f"issue_{app_id}", type="primary"):

        def work(s):
            cert = wf.issue_certificate(p, app_id, session=s, settings=be.settings)
            st.session_state["app_issued"] = cert.number

        _run(work, pick("证书已签发", "Certificate issued"))

if "revise" in actions:
    with st.expander(pick("更正（新建修订，原决定保持锁定）", "Correct (a new revision; the decision stays locked)")):
        reason = st.text_area(pick("更正理由", "Reason"), key=f"revise_reason_{app_id}", max_chars=4000)
        if st.button(pick("新建修订", "Create the revision"), key=f"revise_{app_id}"):

            def work(s):
                new = wf.revise(p, app_id, reason, session=s)
                s.flush()
                st.session_state["app_next"] = new.id

            _run(work, pick("已新建修订", "Revision created"))

if d.get("consensus"):
    with st.expander(pick("专家认定等级", "Certified grades")):
        st.dataframe(
            [
                {
                    pick("要求", "Requirement"): rid,
                    pick("等级", "Grade"): _grade_label(c["grade"]),
                    pick("理由", "Reason"): c["reason"] or "",
                }
                for rid, c in sorted(d["consensus"].items())
            ],
            hide_index=True,
            width="stretch",
        )
if len(d["revisions"]) > 1:
    st.caption(
        plain(
            pick("修订：", "Revisions: ")
            + "；".join(f"#{r['id']} r{r['revision']} {pick(*wf.STATE_NAMES[r['status']])}" for r in d["revisions"])
        )
    )
