"""报告: certificates (issue, download, verify, revoke), documents and the provincial recommendation list."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import streamlit as st

from assessment import labels, records
from assessment.access import AccessDenied, require
from assessment.keystore import KeyProblem, make_private_dir
from assessment.services import evaluation
from assessment.store import queries
from assessment.store import repository as repo
from assessment.store.text import REASON_MAX
from reports import service
from reports.summary import FACTORIES, SCENARIOS
from ui import auth, state
from ui.i18n import LEVEL_NAMES, TIER_NAMES, name_or_key, pick
from ui.services import backend
from ui.widgets import domain_errors, error_text, flash, plain, show_error, show_flash

be = backend()
settings = be.settings
user = st.session_state[state.USER] or "访客"
root = settings.criteria_dir
SERVER = auth.server_mode(be)
P = auth.principal(be)
st.title(pick("报告与证书", "Reports and certificates"))
show_flash()

# Server mode: the certificates of the principal's own assessments only (records.list_certificates); the 推荐汇总表
# is the province admin's, built from the province's approved applications on the province dashboard
# (reports.service.province_recommendation), so this page offers it in local mode only.
tabs = [pick("证书", "Certificates"), pick("证书核验", "Verify a certificate"), pick("报告与导出", "Reports and exports")]
tab_cert, tab_verify, tab_docs, *tab_rec = st.tabs(tabs + ([] if SERVER else [pick("推荐汇总表", "Recommendation list")]))

aid = st.session_state.get(state.ASSESSMENT_ID)

with tab_cert:
    with be.Session() as s:
        revoked = {r["number"]: r["reason"] for r in repo.revocation_list(session=s)}  # this installation's own
        mine: set[str] | None = None
        if SERVER:  # only the certificates of the principal's own assessments (refused and audited for other roles)
            try:
                mine = {c["number"] for c in records.list_certificates(P, session=s)}
            except AccessDenied:
                mine = set()
        certs = queries.certificates_with_factory(session=s, numbers=mine)
        rows = [
            {
                pick("证书编号", "Number"): c.number,
                pick("工厂", "Factory"): fname,
                pick("类型", "Kind"): pick("自评估", "self-assessed") if c.kind == "self_assessed" else pick("认定", "certified"),
                pick("等级", "Level"): name_or_key(LEVEL_NAMES, c.fields.get("lvl")),
                pick("层级", "Tier"): name_or_key(TIER_NAMES, c.fields.get("tier")),
                pick("发证日期", "Issued"): c.fields.get("iss"),
                pick("有效期至", "Valid until"): c.valid_until,
                pick("状态", "Status"): (pick("已撤销：", "revoked: ") + revoked[c.number])
                if c.number in revoked
                else pick("有效", "valid"),
            }
            for c, fname in certs
        ]
        numbers = [c.number for c, _ in certs]
        cert_factory = {c.number: fname for c, fname in certs}
        kinds = {c.number: c.kind for c, _ in certs}
        of_current = [c.number for c, _ in certs if c.assessment_id == aid]  # newest first
    if aid:
        blocker = None  # why no certificate can be issued now
        try:
            with be.Session() as s:
                a = repo.get_assessment(aid, session=s)
                current = f"{a.factory.enterprise.name} · {a.factory.name} · {a.title}（#{a.id}）"
                m = evaluation.evaluate(a, root=root).maturity  # the whole evaluation: stored data it refuses blocks too
                answered, total = m.answered, m.total
            if answered < total:
                blocker = pick(
                    f"评估尚未完成：适用要求已答 {answered}/{total} 项，全部作答（可标“不适用”并说明理由）后才能签发证书。",
                    f"The assessment is incomplete: {answered}/{total} applicable requirements answered. Answer every "
                    "one (N/A with a reason counts) before a certificate can be issued.",
                )
        except repo.NotFound:
            current = f"#{aid}"
            blocker = pick(
                f"找不到评估 #{aid}，请在首页重新选择。", f"Assessment #{aid} was not found: choose again on the home page."
            )
        except domain_errors() as exc:
            current = f"#{aid}"
            blocker = pick(
                "此评估无法计算结果，不能签发证书：", "This assessment cannot be computed, so no certificate can be issued: "
            ) + error_text(exc)
        st.caption(
            pick(
                "为当前评估签发自评估证书：证书记录当前结果（并保存快照），二维码携带签名后的证书内容，可离线核验。",
                "Issue a self-assessment certificate for the current assessment: it records the current result (with a "
                "snapshot); its QR code carries the signed content for offline verification.",
            )
        )
        st.markdown(pick("当前评估：", "Current assessment: ") + plain(current))
        if blocker:
            st.warning(blocker, icon=":material/block:")
        if st.button(
            pick("签发自评估证书", "Issue a self-assessment certificate"),
            icon=":material/workspace_premium:",
            type="primary",
            key="cert_issue",
            disabled=blocker is not None,
            help=blocker,
        ):
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
        chosen = c1.selectbox(
            pick("证书", "Certificate"), numbers, key="cert_pick", format_func=lambda n: f"{n} · {cert_factory[n]}"
        )
        lang = c2.radio(
            pick("语言", "Language"),
            ["zh", "en"],
            horizontal=True,
            key="cert_lang",
            format_func=lambda x: "中文" if x == "zh" else "English",
        )
        if c3.button(pick("生成 PDF", "Render PDF"), key="cert_render"):
            try:
                with be.Session() as s:
                    st.session_state["cert_pdf"] = (
                        chosen,
                        lang,
                        service.render_certificate(repo.get_certificate(chosen, session=s), settings, lang),
                    )
            except domain_errors() as exc:
                show_error("无法生成证书 PDF：", "The certificate PDF cannot be rendered: ", exc)
        if st.session_state.get("cert_pdf") and st.session_state["cert_pdf"][0] == chosen:
            _, lng, pdf = st.session_state["cert_pdf"]
            st.download_button(
                pick("下载证书 PDF", "Download the certificate PDF"),
                pdf,
                file_name=f"{chosen}-{lng}.pdf",
                mime="application/pdf",
                icon=":material/download:",
                key="cert_dl",
            )
        with st.expander(pick("撤销证书", "Revoke a certificate")):
            with st.form("revoke"):
                # server mode: the enterprise revokes its own self-assessment certificates, never a province's CT-
                revocable = [n for n in numbers if n not in revoked and not (SERVER and kinds[n] != "self_assessed")]
                number = st.selectbox(pick("证书编号", "Number"), revocable)
                reason = st.text_input(pick("撤销理由 *", "Reason *"), max_chars=REASON_MAX)
                if st.form_submit_button(pick("撤销", "Revoke")):
                    try:
                        with be.Session.begin() as s:
                            if SERVER:  # only a self-assessment certificate of the principal's own assessments
                                cert = repo.get_certificate(number or "", session=s)
                                require(s, P, "certificate.read", cert)
                                if cert.kind != "self_assessed":
                                    raise ValueError(
                                        "认定证书只能由发证机关撤销 / a certified (CT-) certificate is revoked by its issuer"
                                    )
                            repo.revoke_certificate(number, reason, session=s, actor=user)
                        flash("warning", pick(f"已撤销 {number}", f"Revoked {number}"))
                        st.rerun()
                    except domain_errors() as exc:
                        show_error("无法撤销：", "Cannot revoke: ", exc)
    else:
        st.info(pick("尚未签发证书。", "No certificate issued yet."))
    # what other installations need to verify this one's certificates: its public keys and its SIGNED revocation list
    d1, d2 = st.columns(2)
    try:
        with be.Session() as s:
            rev_json = json.dumps(service.signed_revocation_list(session=s, settings=settings), ensure_ascii=False, indent=2)
        pem = service.keystore(settings).export_public(settings.issuer_name)
    except KeyProblem:  # no certificate issued here yet: nothing signed, nothing to export
        st.caption(
            pick(
                "本机尚无签名密钥（签发第一份证书时创建），暂无可导出的公钥和撤销列表。",
                "This installation has no signing key yet (the first certificate creates it): no public key or "
                "revocation list to export.",
            )
        )
    else:
        d1.download_button(
            pick("导出已签名的撤销列表（JSON）", "Export the signed revocation list (JSON)"),
            rev_json,
            file_name="revocations.json",
            mime="application/json",
            icon=":material/download:",
            key="rev_dl",
        )
        d2.download_button(
            pick("导出本机公钥（PEM）", "Export this installation's public keys (PEM)"),
            pem,
            file_name="public-keys.pem",
            icon=":material/key:",
            key="pem_dl",
        )

with tab_verify:
    st.caption(
        pick(
            "上传证书 PDF，或粘贴证书二维码的内容（以 SFA1. 开头）。签名、页面内容、有效期和撤销状态都会被检查；"
            "其他签发方的证书需先在下方信任库导入其公钥。",
            "Upload a certificate PDF, or paste the content of its QR code (starting with SFA1.). The signature, "
            "the printed content, the validity period and the revocation status are all checked; for another "
            "issuer's certificates import its public key into the trust store below first.",
        )
    )
    up = st.file_uploader(pick("证书 PDF", "Certificate PDF"), type=["pdf"], key="verify_pdf")
    text = st.text_area(pick("或粘贴校验码", "Or paste the payload"), key="verify_text", height=90)
    at_day = st.date_input(
        pick("核验日期（按该日判断是否有效）", "Verify as of (validity on that day)"),
        value=date.today(),
        min_value=date(2020, 1, 1),
        max_value=date(2100, 12, 31),
        key="verify_at",
        format="YYYY-MM-DD",
    )
    if st.button(pick("核验", "Verify"), type="primary", key="verify_btn", icon=":material/verified:"):
        data = up.getvalue() if up is not None else text.strip()
        res = None
        if not data:
            st.warning(pick("请上传 PDF 或粘贴校验码。", "Upload a PDF or paste a payload."))
        else:
            try:
                with be.Session() as s:  # the same verification as the CLI: keys, trust store, revocations
                    res = service.verify(data, settings=settings, session=s, at=at_day)
            except domain_errors() as exc:
                show_error("无法核验：", "Cannot verify: ", exc)
        if res is not None:
            show = {"valid": st.success, "revoked": st.warning}.get(res.status, st.error)
            show(plain(f"{res.status.upper()} · {res.message}"))  # messages quote the uploaded content: shown as text
            for p in res.problems:
                st.markdown("• " + plain(p))
            st.markdown(pick("**检查了什么**", "**What was checked**"))
            for note in res.notes:  # whether revocation was checked, against which list; which key and issuer
                st.caption(plain(note))
            if res.fields:
                st.json(res.fields)

    st.divider()
    st.markdown(
        pick(
            "**信任库**：导入其他签发方（如省级主管部门、其他企业）的公钥和已签名的撤销列表，即可在本机核验其证书。",
            "**Trust store**: import another issuer's public key (a province, another enterprise) and its signed "
            "revocation list to verify its certificates here.",
        )
    )
    ts = service.truststore(settings)
    lists = ts.revocation_lists()
    trusted = [
        {
            pick("签发方", "Issuer"): k.name,
            pick("密钥", "Key"): k.kid,
            pick("导入时间", "Imported"): k.imported_at,
            pick("撤销列表", "Revocation list"): (
                pick("签发于 ", "issued ") + str(lists[k.kid].get("issued_at"))
                if k.kid in lists
                else pick("未导入", "none imported")
            ),
        }
        for k in ts.keys()
    ]
    if trusted:
        st.dataframe(pd.DataFrame(trusted), hide_index=True, width="stretch")
    else:
        st.caption(pick("信任库为空。", "The trust store is empty."))
    if SERVER:  # the trust store is the installation's: its system administrator manages it with the CLI
        st.caption(
            pick(
                "信任库由系统管理员用命令行维护：python -m assessment certificate trust import 文件",
                "The system administrator manages the trust store: python -m assessment certificate trust import FILE",
            )
        )
    else:
        k1, k2 = st.columns(2)
        with k1.container(border=True):
            key_file = st.file_uploader(
                pick("签发方公钥（PEM）", "Issuer's public key (PEM)"), type=["pem", "txt"], key="trust_pem"
            )
            issuer = st.text_input(
                pick("签发方名称（文件未注明时必填）", "Issuer's name (needed when the file does not say)"),
                max_chars=200,
                key="trust_name",
            )
            if st.button(pick("导入公钥", "Import the key"), key="trust_key_btn", icon=":material/key:"):
                try:
                    if key_file is None:
                        raise ValueError("请选择公钥文件 / choose a public-key file")
                    make_private_dir(settings.data_dir)
                    added = ts.import_keys(
                        key_file.getvalue().decode("utf-8", errors="replace"),
                        issuer.strip() or None,
                        own=set(service.keystore(settings).public_keys()),
                    )
                except domain_errors() as exc:
                    show_error("无法导入公钥：", "The key was not imported: ", exc)
                else:
                    flash(
                        "success",
                        pick(f"已信任 {len(added)} 个公钥", f"Trusted {len(added)} key(s)")
                        if added
                        else pick("这些是本机自己的公钥，无需导入", "These are this installation's own keys: nothing to import"),
                    )
                    st.rerun()
        with k2.container(border=True):
            rev_file = st.file_uploader(
                pick("签发方已签名的撤销列表（JSON）", "Issuer's signed revocation list (JSON)"), type=["json"], key="trust_json"
            )
            if st.button(
                pick("导入撤销列表", "Import the revocation list"), key="trust_rev_btn", icon=":material/playlist_remove:"
            ):
                try:
                    if rev_file is None:
                        raise ValueError("请选择撤销列表文件 / choose a revocation-list file")
                    try:
                        doc = json.loads(rev_file.getvalue().decode("utf-8", errors="replace"))
                    except ValueError:
                        raise ValueError("不是 JSON 格式的撤销列表 / not a revocation list (JSON)") from None
                    if not isinstance(doc, dict):
                        raise ValueError("不是 JSON 格式的撤销列表 / not a revocation list (JSON)")
                    make_private_dir(settings.data_dir)
                    stored = ts.import_revocations(doc, service.public_keys(settings))
                except domain_errors() as exc:
                    show_error("无法导入撤销列表：", "The revocation list was not imported: ", exc)
                else:
                    flash(
                        "success",
                        pick(
                            f"已导入撤销列表（{len(doc.get('revoked', []))} 项），适用于密钥 {', '.join(stored)}",
                            f"Imported the revocation list ({len(doc.get('revoked', []))} revoked) for key(s) {', '.join(stored)}",
                        ),
                    )
                    st.rerun()


with tab_docs:
    if not aid:
        st.info(pick("请先在首页选择一个评估。", "Choose an assessment on the home page first."))
    else:
        st.caption(
            pick(
                "评估报告（PDF，含图表、差距、层级与申报资格、证据索引和条款来源）、Excel 工作簿、按申报书结构预填的申报书草稿（DOCX）。",
                "The assessment report (PDF with charts, gaps, tiers, eligibility, evidence index and provenance), "
                "the Excel workbook and a pre-filled declaration draft (DOCX) following the form's structure.",
            )
        )
        c1, c2 = st.columns(2)
        rlang = c1.radio(
            pick("报告语言", "Report language"),
            ["zh", "en"],
            horizontal=True,
            key="rep_lang",
            format_func=lambda x: "中文" if x == "zh" else "English",
        )
        programme = c2.selectbox(
            pick("申报书对应项目", "Declaration programme"),
            ["demo_factory_2023", "excellent_scenario_2023", "smart_supply_chain_2023"],
            key="rep_prog",
        )
        b1, b2, b3 = st.columns(3)
        builders = {
            "pdf": lambda s: service.render_report(aid, session=s, root=root, lang=rlang),
            "xlsx": lambda s: service.workbook(aid, session=s, root=root),
            "docx": lambda s: service.declaration_draft(aid, programme, session=s, root=root),
        }
        clicked = [
            ext
            for ext, col, label, icon in (
                ("pdf", b1, pick("生成评估报告", "Render the report"), ":material/picture_as_pdf:"),
                ("xlsx", b2, pick("生成 Excel 工作簿", "Build the workbook"), ":material/table_view:"),
                ("docx", b3, pick("生成申报书草稿", "Draft the declaration"), ":material/description:"),
            )
            if col.button(label, icon=icon, key=f"rep_{ext}")
        ]
        for ext in clicked:
            try:
                with st.spinner(pick("正在生成…", "Rendering…")), be.Session() as s:
                    st.session_state["rep_files"] = (aid, rlang, programme, {ext: builders[ext](s)})
            except domain_errors() as exc:
                st.session_state["rep_error"] = pick("无法生成：", "Cannot render: ") + error_text(exc)
        if st.session_state.get("rep_error"):
            st.error(st.session_state.pop("rep_error"))
        mimes = {
            "pdf": "application/pdf",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
        built = st.session_state.get("rep_files")
        # only what was built for this assessment with these choices is offered (never another assessment's file)
        for ext, data in (built[3] if built and built[:3] == (aid, rlang, programme) else {}).items():
            st.download_button(
                pick(f"下载 {ext.upper()}", f"Download {ext.upper()}"),
                data,
                file_name=f"assessment-{aid}.{ext}",
                mime=mimes[ext],
                icon=":material/download:",
                key=f"rep_dl_{ext}",
            )

if tab_rec:  # local mode only (see above)
    with tab_rec[0]:
        with be.Session() as s:
            latest = queries.latest_assessment_per_factory(session=s)
        lg = pick("zh", "en")
        labels_by_aid = {a: f"{e} · {f}" for a, f, e in latest}
        st.caption(
            pick(
                "推荐汇总表（附件4）：选择申报通知（2023 年度）和要推荐的工厂（每个工厂取最新一次评估）。只列入符合条件的企业，"
                "按总分从高到低排序并截至推荐单位的名额；未列入的企业及原因见下方预览和表格第二页。",
                "The recommendation summary (annex 4): choose the call (2023) and the factories to recommend (each factory's "
                "latest assessment). Only eligible applicants are listed, ranked by score and cut to the recommender's "
                "quota; who is left out and why is previewed below and on the workbook's second sheet.",
            )
        )
        r1, r2 = st.columns(2)
        rec_prog = r1.selectbox(
            pick("申报通知", "Call"),
            ["demo_factory_2023", "excellent_scenario_2023", "smart_supply_chain_2023"],
            format_func=lambda p: labels.programme(p, lg, root=root),
            key="rec_prog",
        )
        region_kind = r2.selectbox(
            pick("推荐单位类型", "Kind of recommender"),
            list(labels.ENUMS["region_kind"]),
            format_func=lambda k: labels.enum("region_kind", k, lg),
            key="rec_kind",
        )
        r3, r4 = st.columns(2)
        recommender = r3.text_input(
            pick("推荐单位", "Recommender"),
            value=pick("某省工业和信息化厅", "Provincial industry department"),
            key="rec_by",
            max_chars=200,
        )
        pilots = r4.number_input(
            pick("省级智能制造试点示范累计数量", "Cumulative provincial pilot projects"),
            min_value=0,
            max_value=100000,
            value=None,
            step=1,
            key="rec_pilots",
            help=pick("省（区、市）的 2023 年度名额按此数量确定。", "A province's 2023 quota depends on this number."),
            disabled=region_kind != "province",
        )
        chosen = st.multiselect(pick("工厂", "Factories"), list(labels_by_aid), format_func=labels_by_aid.get, key="rec_pick")
        region = {"kind": region_kind} | (
            {"cumulative_provincial_pilots": int(pilots)} if pilots is not None and region_kind == "province" else {}
        )
        b1, b2 = st.columns(2)
        if b1.button(pick("预览", "Preview"), disabled=not chosen, icon=":material/preview:", key="rec_preview"):
            try:
                with be.Session() as s:
                    st.session_state["rec_plan"] = service.recommendation_plan(
                        chosen, recommender, rec_prog, session=s, root=root, region=region
                    )
            except domain_errors() as exc:
                st.session_state.pop("rec_plan", None)
                show_error("无法生成推荐汇总表：", "The list cannot be built: ", exc)
        if b2.button(
            pick("生成推荐汇总表", "Build the recommendation list"),
            disabled=not chosen,
            icon=":material/format_list_numbered:",
            key="rec_build",
        ):
            try:
                with be.Session() as s:
                    st.session_state["rec_xlsx"] = service.recommendation_list(
                        chosen, recommender, rec_prog, session=s, root=root, region=region
                    )
            except domain_errors() as exc:
                st.session_state.pop("rec_xlsx", None)
                show_error("无法生成推荐汇总表：", "The list cannot be built: ", exc)
        plan_ = st.session_state.get("rec_plan")
        if plan_ is not None:
            category = {
                SCENARIOS: pick("智能制造优秀场景", "Excellent scenarios"),
                FACTORIES: pick("智能制造示范工厂", "Demonstration factories"),
            }
            st.caption(
                pick("名额：", "Quota: ")
                + "；".join(f"{category[k]} {v}" for k, v in plan_.quota.items())
                + f"（{plan_.quota_note}）"
            )
            rows = [
                {
                    pick("类别", "Category"): category[cat],
                    pick("名次", "Rank"): i,
                    pick("企业", "Enterprise"): a.enterprise,
                    pick("工厂", "Factory"): a.factory,
                    "S": a.score_text,
                    pick("说明", "Note"): pick("列入", "listed"),
                }
                for cat, items in plan_.listed.items()
                for i, a in enumerate(items, 1)
            ]
            rows += [
                {
                    pick("类别", "Category"): "—",
                    pick("名次", "Rank"): None,
                    pick("企业", "Enterprise"): a.enterprise,
                    pick("工厂", "Factory"): a.factory,
                    "S": a.score_text,
                    pick("说明", "Note"): pick("未列入：", "left out: ") + why,
                }
                for a, why in plan_.left_out
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        if st.session_state.get("rec_xlsx"):
            st.download_button(
                pick("下载推荐汇总表（XLSX）", "Download the list (XLSX)"),
                st.session_state["rec_xlsx"],
                file_name="recommendation-list.xlsx",
                icon=":material/download:",
                key="rec_dl",
            )
        st.caption(
            pick(
                "批量生成证书和报告请使用命令行：python -m assessment report batch --out 目录 [--reports]",
                "For many factories use the command line: python -m assessment report batch --out DIR [--reports]",
            )
        )

with be.Session() as s:
    n_rev = queries.revocation_count(session=s)
st.caption(
    pick(
        f"已撤销证书 {n_rev} 张。证书签名密钥保存在数据目录的 keys/ 下，请妥善备份。",
        f"{n_rev} certificates revoked. The signing key lives under keys/ in the data directory: back it up.",
    )
)
