"""报告: certificates (issue, download, verify, revoke), documents and the provincial recommendation list."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from assessment.signing import public_pem
from assessment.store import repository as repo
from assessment.store.orm import Assessment, Certificate, Enterprise, Factory, Revocation
from assessment.store.text import REASON_MAX
from reports import service
from ui import state
from ui.i18n import LEVEL_NAMES, TIER_NAMES, name_or_key, pick
from ui.services import backend
from ui.widgets import domain_errors, error_text, flash, plain, show_error, show_flash

be = backend()
settings = be.settings
user = st.session_state[state.USER] or "访客"
root = settings.criteria_dir
st.title(pick("报告与证书", "Reports and certificates"))
show_flash()

tab_cert, tab_verify, tab_docs, tab_rec = st.tabs([pick("证书", "Certificates"), pick("证书核验", "Verify a certificate"),
                                                   pick("报告与导出", "Reports and exports"), pick("推荐汇总表", "Recommendation list")])

aid = st.session_state.get(state.ASSESSMENT_ID)

with tab_cert:
    with be.Session() as s:
        revoked = {r["number"]: r["reason"] for r in repo.revocation_list(session=s)}  # this installation's own
        certs = s.execute(select(Certificate, Factory.name).join(Assessment, Certificate.assessment_id == Assessment.id)
                          .join(Factory, Assessment.factory_id == Factory.id).order_by(Certificate.id.desc()).limit(200)).all()
        rows = [{pick("证书编号", "Number"): c.number, pick("工厂", "Factory"): fname,
                 pick("类型", "Kind"): pick("自评估", "self-assessed") if c.kind == "self_assessed" else pick("认定", "certified"),
                 pick("等级", "Level"): name_or_key(LEVEL_NAMES, c.fields.get("lvl")),
                 pick("层级", "Tier"): name_or_key(TIER_NAMES, c.fields.get("tier")),
                 pick("发证日期", "Issued"): c.fields.get("iss"), pick("有效期至", "Valid until"): c.valid_until,
                 pick("状态", "Status"): (pick("已撤销：", "revoked: ") + revoked[c.number]) if c.number in revoked else pick("有效", "valid")}
                for c, fname in certs]
        numbers = [c.number for c, _ in certs]
        cert_factory = {c.number: fname for c, fname in certs}
        of_current = [c.number for c, _ in certs if c.assessment_id == aid]  # newest first
    if aid:
        blocker = None  # why no certificate can be issued now
        try:
            with be.Session() as s:
                a = repo.get_assessment(aid, session=s)
                current = f"{a.factory.enterprise.name} · {a.factory.name} · {a.title}（#{a.id}）"
                m = repo.evaluate(a, root=root).maturity  # the whole evaluation: stored data it refuses blocks too
                answered, total = m.answered, m.total
            if answered < total:
                blocker = pick(f"评估尚未完成：适用要求已答 {answered}/{total} 项，全部作答（可标“不适用”并说明理由）后才能签发证书。",
                               f"The assessment is incomplete: {answered}/{total} applicable requirements answered. Answer every "
                               "one (N/A with a reason counts) before a certificate can be issued.")
        except repo.NotFound:
            current = f"#{aid}"
            blocker = pick(f"找不到评估 #{aid}，请在首页重新选择。", f"Assessment #{aid} was not found: choose again on the home page.")
        except domain_errors() as exc:
            current = f"#{aid}"
            blocker = pick("此评估无法计算结果，不能签发证书：", "This assessment cannot be computed, so no certificate can be issued: ") \
                + error_text(exc)
        st.caption(pick("为当前评估签发自评估证书：证书记录当前结果（并保存快照），二维码携带签名后的证书内容，可离线核验。",
                        "Issue a self-assessment certificate for the current assessment: it records the current result (with a "
                        "snapshot); its QR code carries the signed content for offline verification."))
        st.markdown(pick("当前评估：", "Current assessment: ") + plain(current))
        if blocker:
            st.warning(blocker, icon=":material/block:")
        if st.button(pick("签发自评估证书", "Issue a self-assessment certificate"), icon=":material/workspace_premium:",
                     type="primary", key="cert_issue", disabled=blocker is not None, help=blocker):
            try:
                with be.Session.begin() as s:
                    number = service.issue_certificate(aid, session=s, settings=settings, actor=user).number
            except domain_errors() as exc:
                show_error("无法签发：", "Cannot issue: ", exc)
            else:
                st.session_state["cert_pick"] = number  # the certificate just issued is the one offered for PDF and download
                flash("success", pick(f"已签发证书 {number}", f"Issued certificate {number}"))
                st.rerun()
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        c1, c2, c3 = st.columns([2, 1, 1])
        if st.session_state.get("cert_pick") not in numbers:  # first visit, or a number no longer listed
            st.session_state["cert_pick"] = of_current[0] if of_current else numbers[0]
        chosen = c1.selectbox(pick("证书", "Certificate"), numbers, key="cert_pick",
                              format_func=lambda n: f"{n} · {cert_factory[n]}")
        lang = c2.radio(pick("语言", "Language"), ["zh", "en"], horizontal=True, key="cert_lang",
                        format_func=lambda x: "中文" if x == "zh" else "English")
        if c3.button(pick("生成 PDF", "Render PDF"), key="cert_render"):
            try:
                with be.Session() as s:
                    st.session_state["cert_pdf"] = (chosen, lang, service.render_certificate(repo.get_certificate(chosen, session=s),
                                                                                             settings, lang))
            except domain_errors() as exc:
                show_error("无法生成证书 PDF：", "The certificate PDF cannot be rendered: ", exc)
        if st.session_state.get("cert_pdf") and st.session_state["cert_pdf"][0] == chosen:
            _, lng, pdf = st.session_state["cert_pdf"]
            st.download_button(pick("下载证书 PDF", "Download the certificate PDF"), pdf, file_name=f"{chosen}-{lng}.pdf",
                               mime="application/pdf", icon=":material/download:", key="cert_dl")
        with st.expander(pick("撤销证书", "Revoke a certificate")):
            with st.form("revoke"):
                number = st.selectbox(pick("证书编号", "Number"), [n for n in numbers if n not in revoked])
                reason = st.text_input(pick("撤销理由 *", "Reason *"), max_chars=REASON_MAX)
                if st.form_submit_button(pick("撤销", "Revoke")):
                    try:
                        with be.Session.begin() as s:
                            repo.revoke_certificate(number, reason, session=s, actor=user)
                        flash("warning", pick(f"已撤销 {number}", f"Revoked {number}"))
                        st.rerun()
                    except domain_errors() as exc:
                        show_error("无法撤销：", "Cannot revoke: ", exc)
    else:
        st.info(pick("尚未签发证书。", "No certificate issued yet."))
    with be.Session() as s:
        rev_json = json.dumps(repo.revocation_list(session=s), ensure_ascii=False, indent=2)
    d1, d2 = st.columns(2)
    d1.download_button(pick("导出撤销列表（JSON）", "Export the revocation list (JSON)"), rev_json, file_name="revocations.json",
                       mime="application/json", icon=":material/download:")
    d2.download_button(pick("导出本机公钥（PEM）", "Export this installation's public key (PEM)"),
                       public_pem(service.signing_key(settings)), file_name="public-key.pem", icon=":material/key:")

with tab_verify:
    st.caption(pick("上传证书 PDF，或粘贴证书二维码的内容（以 SFA1. 开头）。签名、页面内容和撤销状态都会被检查。",
                    "Upload a certificate PDF, or paste the content of its QR code (starting with SFA1.). The signature, "
                    "the printed content and the revocation status are all checked."))
    up = st.file_uploader(pick("证书 PDF", "Certificate PDF"), type=["pdf"], key="verify_pdf")
    text = st.text_area(pick("或粘贴校验码", "Or paste the payload"), key="verify_text", height=90)
    if st.button(pick("核验", "Verify"), type="primary", key="verify_btn", icon=":material/verified:"):
        data = up.getvalue() if up is not None else text.strip()
        res = None
        if not data:
            st.warning(pick("请上传 PDF 或粘贴校验码。", "Upload a PDF or paste a payload."))
        else:
            try:
                with be.Session() as s:  # the same verification as the CLI: keys, trust store, revocations
                    res = service.verify(data, settings=settings, session=s)
            except domain_errors() as exc:
                show_error("无法核验：", "Cannot verify: ", exc)
        if res is not None:
            show = {"valid": st.success, "revoked": st.warning}.get(res.status, st.error)
            show(plain(f"{res.status.upper()} · {res.message}"))  # messages quote the uploaded content: shown as text
            for p in res.problems:
                st.markdown("• " + plain(p))
            for note in res.notes:
                st.caption(plain(note))
            if res.fields:
                st.json(res.fields)

with tab_docs:
    if not aid:
        st.info(pick("请先在首页选择一个评估。", "Choose an assessment on the home page first."))
    else:
        st.caption(pick("评估报告（PDF，含图表、差距、层级与申报资格、证据索引和条款来源）、Excel 工作簿、按申报书结构预填的申报书草稿（DOCX）。",
                        "The assessment report (PDF with charts, gaps, tiers, eligibility, evidence index and provenance), "
                        "the Excel workbook and a pre-filled declaration draft (DOCX) following the form's structure."))
        c1, c2 = st.columns(2)
        rlang = c1.radio(pick("报告语言", "Report language"), ["zh", "en"], horizontal=True, key="rep_lang",
                         format_func=lambda x: "中文" if x == "zh" else "English")
        programme = c2.selectbox(pick("申报书对应项目", "Declaration programme"),
                                 ["demo_factory_2023", "excellent_scenario_2023", "smart_supply_chain_2023"], key="rep_prog")
        b1, b2, b3 = st.columns(3)
        builders = {
            "pdf": lambda s: service.render_report(aid, session=s, root=root, lang=rlang),
            "xlsx": lambda s: service.workbook(aid, session=s, root=root),
            "docx": lambda s: service.declaration_draft(aid, programme, session=s, root=root),
        }
        clicked = [ext for ext, col, label, icon in (
            ("pdf", b1, pick("生成评估报告", "Render the report"), ":material/picture_as_pdf:"),
            ("xlsx", b2, pick("生成 Excel 工作簿", "Build the workbook"), ":material/table_view:"),
            ("docx", b3, pick("生成申报书草稿", "Draft the declaration"), ":material/description:"),
        ) if col.button(label, icon=icon, key=f"rep_{ext}")]
        for ext in clicked:
            try:
                with st.spinner(pick("正在生成…", "Rendering…")), be.Session() as s:
                    st.session_state["rep_files"] = (aid, rlang, programme, {ext: builders[ext](s)})
            except domain_errors() as exc:
                st.session_state["rep_error"] = pick("无法生成：", "Cannot render: ") + error_text(exc)
        if st.session_state.get("rep_error"):
            st.error(st.session_state.pop("rep_error"))
        mimes = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        built = st.session_state.get("rep_files")
        # only what was built for this assessment with these choices is offered (never another assessment's file)
        for ext, data in (built[3] if built and built[:3] == (aid, rlang, programme) else {}).items():
            st.download_button(pick(f"下载 {ext.upper()}", f"Download {ext.upper()}"), data, file_name=f"assessment-{aid}.{ext}",
                               mime=mimes[ext], icon=":material/download:", key=f"rep_dl_{ext}")

with tab_rec:
    with be.Session() as s:
        sub = select(Assessment.factory_id, func.max(Assessment.id).label("aid")).group_by(Assessment.factory_id).subquery()
        latest = s.execute(select(sub.c.aid, Factory.name, Enterprise.name).join(Factory, Factory.id == sub.c.factory_id)
                           .join(Enterprise, Enterprise.id == Factory.enterprise_id).order_by(Enterprise.name)).all()
    labels = {a: f"{e} · {f}" for a, f, e in latest}
    st.caption(pick("选择要推荐的工厂（每个工厂取最新一次评估），按总分从高到低排序并在名额内生成推荐汇总表。",
                    "Choose the factories to recommend (each factory's latest assessment); they are ranked by score and cut to the quota."))
    chosen = st.multiselect(pick("工厂", "Factories"), list(labels), format_func=labels.get, key="rec_pick")
    recommender = st.text_input(pick("推荐单位", "Recommender"), value=pick("某省工业和信息化厅", "Provincial industry department"),
                                key="rec_by", max_chars=200)
    if st.button(pick("生成推荐汇总表", "Build the recommendation list"), disabled=not chosen, icon=":material/format_list_numbered:"):
        try:
            with be.Session() as s:
                st.session_state["rec_xlsx"] = service.recommendation_list(chosen, recommender, "demo_factory_2023",
                                                                           session=s, root=root)
        except domain_errors() as exc:
            show_error("无法生成推荐汇总表：", "The list cannot be built: ", exc)
    if st.session_state.get("rec_xlsx"):
        st.download_button(pick("下载推荐汇总表（XLSX）", "Download the list (XLSX)"), st.session_state["rec_xlsx"],
                           file_name="recommendation-list.xlsx", icon=":material/download:", key="rec_dl")
    st.caption(pick("批量生成证书和报告请使用命令行：python -m assessment report batch --out 目录 [--reports]",
                    "For many factories use the command line: python -m assessment report batch --out DIR [--reports]"))

with be.Session() as s:
    n_rev = s.scalar(select(func.count()).select_from(Revocation))
st.caption(pick(f"已撤销证书 {n_rev} 张。证书签名密钥保存在数据目录的 keys/ 下，请妥善备份。",
                f"{n_rev} certificates revoked. The signing key lives under keys/ in the data directory: back it up."))
