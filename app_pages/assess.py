"""自评估: the questionnaire by element → domain → sub-domain → level, saved on every change."""

from __future__ import annotations

import streamlit as st

from assessment.editions import load_maturity_cached
from assessment.store import repository as repo
from assessment.store.evidence import UPLOAD_TYPES, EvidenceRejected
from ui import state
from ui.i18n import GRADE_NAMES, INDUSTRY_NAMES, LEVEL_NAMES, name, pick, t
from ui.services import backend
from ui.widgets import flash, prov_badge, require_assessment, show_flash

be = backend()
user = st.session_state[state.USER] or "访客"
aid = require_assessment()
if aid is None:
    st.stop()

with be.Session() as s:
    a = repo.get_assessment(aid, session=s)
    ed = load_maturity_cached(a.maturity_edition, be.settings.criteria_dir)
    current = {x.requirement_id: (x.grade, x.note) for x in a.answers}
    evidence = {}
    for v in a.evidence:
        evidence.setdefault(v.requirement_id, []).append((v.id, v.original_name, v.sha256, v.blob.size, v.blob.mime))
    version = a.version
    title, industry, status = a.title, a.industry_type, a.status

versions = st.session_state[state.VERSIONS]
if versions.get(aid) != version:  # first visit, or someone else saved: (re)load widget values from the database
    for rid, (grade, note) in current.items():
        st.session_state[f"g::{aid}::{rid}"] = grade
        st.session_state[f"n::{aid}::{rid}"] = note or ""
    versions[aid] = version

reqs = ed.applicable_requirements(industry)
subs = ed.subdomains
doms = ed.domains
els = ed.elements
by_sub: dict[str, list] = {}
for r in reqs:
    by_sub.setdefault(ed.req_subdomain[r.id], []).append(r)
order = [sid for sid in subs if sid in by_sub]
answered = {sid: sum(1 for r in by_sub[sid] if current.get(r.id, (None,))[0] is not None) for sid in order}
total_answered = sum(answered.values())

st.title(t("assess"))
st.caption(f"{title} · {ed.id} · {name(INDUSTRY_NAMES, industry)} · v{version}")
show_flash()
st.progress(total_answered / len(reqs), text=f"{t('progress')}: {total_answered}/{len(reqs)}")


def _sub_label(sid: str) -> str:
    sd = subs[sid]
    dom = doms[sd.domain]
    path = [els[dom.element].name_zh if dom.element else None, dom.name_zh, sd.name_zh] if pick("zh", "en") == "zh" \
        else [els[dom.element].name_en if dom.element else None, dom.name_en, sd.name_en]
    done = answered[sid]
    mark = "●" if done == len(by_sub[sid]) else ("◐" if done else "○")
    path = [p for i, p in enumerate(path) if p and (i == 0 or p != path[i - 1])]  # 数据 / 数据 / 数据 → 技术 / 数据
    return f"{mark} " + " / ".join(path) + f"（{done}/{len(by_sub[sid])}）"


if st.session_state.get(state.SUBDOMAIN) not in order:
    st.session_state[state.SUBDOMAIN] = order[0]
st.session_state["w_subdomain"] = st.session_state[state.SUBDOMAIN]


def _pick_sub():
    st.session_state[state.SUBDOMAIN] = st.session_state["w_subdomain"]


c1, c2 = st.columns([4, 1])
c1.selectbox(pick("能力要素 / 能力域 / 能力子域", "Element / domain / sub-domain"), order, key="w_subdomain",
             format_func=_sub_label, on_change=_pick_sub)


def _jump():
    current_sub = st.session_state[state.SUBDOMAIN]
    start = order.index(current_sub)
    for sid in order[start + 1:] + order[:start + 1]:  # the next sub-domain with unanswered items, wrapping round
        if answered[sid] < len(by_sub[sid]):
            st.session_state[state.SUBDOMAIN] = sid
            return
    flash("success", pick("全部要求均已作答。", "Every requirement is answered."))


c2.button(t("jump"), icon=":material/skip_next:", on_click=_jump, width="stretch", disabled=total_answered == len(reqs))
if status in ("certified", "archived"):
    st.warning(pick("此评估已认定或归档，修改将被记录在审计日志中。", "This assessment is certified or archived; changes are recorded in the audit log."))


def _save(rid: str) -> None:
    """Autosave one answer; a concurrent edit by someone else is reported, never overwritten."""
    grade = st.session_state.get(f"g::{aid}::{rid}")
    note = st.session_state.get(f"n::{aid}::{rid}") or None
    try:
        with be.Session.begin() as s:
            new_v = repo.save_answers(aid, {rid: {"grade": grade, "note": note}}, session=s,
                                      expected_version=st.session_state[state.VERSIONS].get(aid), actor=user,
                                      root=be.settings.criteria_dir)
        st.session_state[state.VERSIONS][aid] = new_v
        st.toast(f"{t('saved')} · {rid.split(':', 1)[1]}", icon=":material/save:")
    except repo.ConcurrentEditError as exc:
        st.session_state[state.VERSIONS].pop(aid, None)  # reload the other person's answers on this run
        flash("error", str(exc))


def _remove_evidence(ev_id: int) -> None:
    with be.Session.begin() as s:
        repo.remove_evidence(ev_id, session=s, actor=user)
    flash("success", pick("已移除证据（文件内容仍保留在证据库中）", "Evidence removed (the stored file is kept)"))


sid = st.session_state[state.SUBDOMAIN]
grade_options = [None, "full", "largely", "partial", "none", "na"]
for level in ed.levels:
    items = [r for r in by_sub[sid] if r.level == level.n]
    if not items:
        continue
    st.markdown(f"#### {name(LEVEL_NAMES, level.n)}")
    for r in items:
        with st.container(border=True):
            text = r.text_zh if pick("zh", "en") == "zh" else r.text_en
            st.markdown(f"**{r.id.split(':', 1)[1]}** {prov_badge(r.provenance.kind.value)}  \n{text}")
            hints = r.evidence_zh if pick("zh", "en") == "zh" else r.evidence_en
            st.caption(t("evidence_hint") + pick("；", "; ").join(hints))
            key = f"g::{aid}::{r.id}"
            st.session_state.setdefault(key, None)
            st.radio(pick("评分", "Grade"), grade_options, key=key, horizontal=True, on_change=_save, args=(r.id,),
                     format_func=lambda g: name(GRADE_NAMES, g), label_visibility="collapsed")
            nkey = f"n::{aid}::{r.id}"
            st.session_state.setdefault(nkey, "")
            st.text_input(t("note"), key=nkey, on_change=_save, args=(r.id,),
                          placeholder=pick("说明或不适用理由（修改后自动保存）", "Note or reason for N/A (saved on change)"),
                          label_visibility="collapsed")
            files = evidence.get(r.id, [])
            if files:
                with st.expander(f":material/attach_file: {t('evidence')}（{len(files)}）"):
                    for ev_id, fname, sha, size, mime in files:
                        f1, f2, f3 = st.columns([5, 1, 1])
                        f1.caption(f"{fname} · {size / 1024:.0f} KB · sha256 {sha[:12]}…")
                        f2.download_button(pick("下载", "Download"), data=lambda sha=sha: be.store.get(sha), file_name=fname,
                                           mime=mime, key=f"ev_dl::{ev_id}", icon=":material/download:", on_click="ignore")
                        f3.button(pick("移除", "Remove"), key=f"ev_rm::{ev_id}", on_click=_remove_evidence, args=(ev_id,),
                                  icon=":material/delete:")

def _next_sub():
    i = order.index(st.session_state[state.SUBDOMAIN])
    st.session_state[state.SUBDOMAIN] = order[(i + 1) % len(order)]


n1, n2 = st.columns(2)
n1.button(pick("下一个子域", "Next sub-domain"), icon=":material/arrow_forward:", on_click=_next_sub, width="stretch",
          key="next_sub")
if n2.button(pick("查看结果", "See the results"), icon=":material/analytics:", width="stretch", key="to_results"):
    st.switch_page("app_pages/results.py")

st.divider()
with st.expander(pick("导入答案文件（命令行模板 YAML/JSON）", "Import an answers file (the CLI template, YAML or JSON)")):
    st.caption(pick("用 python -m assessment maturity template 生成的答案文件可在此导入；文件中的版本和行业须与本评估一致。",
                    "Answers files made from `python -m assessment maturity template` can be imported; edition and industry must match."))
    afile = st.file_uploader(pick("答案文件", "Answers file"), type=["yaml", "yml", "json"], key=f"ans_file::{aid}")
    if afile is not None and st.button(pick("导入", "Import"), key=f"ans_btn::{aid}"):
        from assessment.answers import AnswersError, parse_answers, parse_text

        try:
            doc = parse_text(afile.getvalue().decode("utf-8"), afile.name)
            parsed, _ = parse_answers(doc, root=be.settings.criteria_dir, source=afile.name)
            if (parsed.edition, parsed.industry) != (ed.id, industry):
                raise AnswersError(pick(f"文件为 {parsed.edition}/{parsed.industry}，本评估为 {ed.id}/{industry}",
                                        f"the file is for {parsed.edition}/{parsed.industry}, this assessment is {ed.id}/{industry}"))
            with be.Session.begin() as s:
                v = repo.save_answers(aid, {rid: {"grade": g} for rid, g in parsed.grades.items()}, session=s,
                                      expected_version=st.session_state[state.VERSIONS].get(aid), actor=user,
                                      root=be.settings.criteria_dir)
            st.session_state[state.VERSIONS].pop(aid, None)
            flash("success", pick(f"已导入 {len(parsed.grades)} 项答案", f"Imported {len(parsed.grades)} answers"))
            st.rerun()
        except (AnswersError, UnicodeDecodeError, repo.ConcurrentEditError) as exc:
            st.error(pick("导入失败：", "Import refused: ") + str(exc))

st.markdown(f"#### :material/upload_file: {t('upload')}")
st.caption(pick(f"支持 PDF、图片、Office 文档和纯文本，单个文件不超过 {be.settings.max_upload_mb} MB；相同内容只保存一份。",
                f"PDF, images, Office documents and plain text up to {be.settings.max_upload_mb} MB; identical files are stored once."))
u1, u2 = st.columns([2, 3])
target = u1.selectbox(pick("对应要求", "For requirement"), [r.id for r in by_sub[sid]], key=f"ev_target::{aid}",
                      format_func=lambda rid: rid.split(":", 1)[1])
upload = u2.file_uploader(t("upload"), type=UPLOAD_TYPES, key=f"ev_file::{aid}", label_visibility="collapsed")
if upload is not None and st.button(pick("上传并关联", "Upload and attach"), key=f"ev_btn::{aid}", type="primary"):
    try:
        with be.Session.begin() as s:
            repo.add_evidence(aid, target, upload.name, upload.getvalue(), session=s, store=be.store,
                              max_bytes=be.max_bytes, actor=user, root=be.settings.criteria_dir)
        flash("success", pick(f"已上传「{upload.name}」", f"Uploaded '{upload.name}'"))
        st.rerun()
    except EvidenceRejected as exc:
        st.error(pick("上传被拒绝：", "Upload refused: ") + str(exc))
