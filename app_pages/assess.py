"""自评估: the questionnaire by element → domain → sub-domain → level.

What a widget shows is the stored answer, read from the database on every run: each grade and note widget's key
carries a fingerprint of the stored value, so when the stored value changes (a save here, in another tab, an import)
the widget is created afresh from it, and a widget is never left holding a stale value. A save happens only in a
widget's ``on_change``, i.e. when this user changed that widget, through ``repository.save_answers`` with the value
the user saw as the expected one: another person's change to the same answer is reported (who, when, what), the
user's choice stays on screen, and one click keeps it or takes theirs.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

import streamlit as st

from assessment.answer_sheet import read_sheet, write_sheet
from assessment.answers import AnswersError, parse_answers, parse_text, problem
from assessment.editions import load_maturity_cached
from assessment.store import repository as repo
from assessment.store.evidence import UPLOAD_TYPES, EvidenceRejected
from ui import auth, state
from ui.i18n import GRADE_NAMES, INDUSTRY_NAMES, LEVEL_NAMES, msg, name, pick, t
from ui.services import backend
from ui.widgets import evidence_reader, flash, plain, prov_badge, require_assessment, review_badge, review_caption, show_flash

be = backend()
user = st.session_state[state.USER] or state.DEFAULT_USER
# who reads evidence: the signed-in principal, or in local mode the one local user under the name typed in the sidebar
reader = auth.principal(be) if auth.server_mode(be) else replace(auth.principal(be), username=user)
aid = require_assessment()
if aid is None:
    st.stop()

with be.Session() as s:
    try:
        a = repo.get_assessment(aid, session=s)
    except repo.NotFound:
        state.select(assessment_id=None)
        st.warning(pick("此评估不存在。", "This assessment does not exist."))
        st.stop()
    ed = load_maturity_cached(a.maturity_edition, be.settings.criteria_dir)
    stored: dict[str, tuple[str | None, str | None]] = {x.requirement_id: (x.grade, x.note or None) for x in a.answers}
    evidence: dict[str, list] = {}
    for v in a.evidence:
        evidence.setdefault(v.requirement_id, []).append((v.id, v.original_name, v.sha256, v.blob.size, v.blob.mime))
    version = a.version
    title, industry, status = a.title, a.industry_type, a.status

reqs = ed.applicable_requirements(industry)
subs, doms, els = ed.subdomains, ed.domains, ed.elements
by_sub: dict[str, list] = {}
for r in reqs:
    by_sub.setdefault(ed.req_subdomain[r.id], []).append(r)
order = [sid for sid in subs if sid in by_sub]


def _graded(rid: str) -> bool:
    return stored.get(rid, (None, None))[0] is not None


answered = {sid: sum(1 for r in by_sub[sid] if _graded(r.id)) for sid in order}
total_answered = sum(answered.values())
zh = pick("zh", "en") == "zh"

st.title(t("assess"))
st.caption(plain(f"{title} · {ed.id} · {name(INDUSTRY_NAMES, industry)} · v{version}"))
with st.container():  # one element whatever the message: what follows keeps its place (an open popover stays open)
    show_flash()
st.progress(total_answered / len(reqs), text=f"{t('progress')}: {total_answered}/{len(reqs)}")


def _store(changes: dict[str, dict], expected: dict, action: str) -> None:
    """The one save path of this page: a transaction that checks the user may edit, then repository.save_answers with
    the values the user saw (a conflict raises EditConflict and saves nothing)."""
    repo.transact(
        be.Session,
        lambda s: (
            auth.require_editable(be, s, aid)
            or repo.save_answers(
                aid, changes, session=s, actor=user, expected=expected, root=be.settings.criteria_dir, action=action
            )
        ),
    )


def _bulk(rids: list[str], key: str, popover: str) -> None:
    """Grade every requirement of one sub-domain level; the popover closes once they are saved (the toast says how
    many), and stays open with the reason when nothing could be saved."""
    grade = st.session_state[key]
    changes = {rid: {"grade": grade} for rid in rids if stored.get(rid, (None, None))[0] != grade}
    if changes:
        try:
            _store(changes, {rid: stored.get(rid, (None, None)) for rid in changes}, "bulk_grade")
        except repo.EditConflict as exc:
            flash("warning", msg(exc) + pick("。请查看后重试。", ". Check them and try again."))
            return
    st.session_state[popover] = False
    st.toast(
        pick(f"已将 {len(changes)} 项评为「{_grade_name(grade)}」", f"{len(changes)} items graded '{_grade_name(grade)}'")
        if changes
        else pick(f"本级要求均已是「{_grade_name(grade)}」", f"Every item of this level is already '{_grade_name(grade)}'"),
        icon=":material/done_all:",
    )


def _copy_previous(source: int) -> None:
    try:
        n, links = repo.transact(
            be.Session,
            lambda s: (
                auth.require_editable(be, s, aid)
                or repo.copy_from_assessment(aid, source, session=s, actor=user, root=be.settings.criteria_dir)
            ),
        )
        flash(
            "success",
            pick(
                f"已从上一次评估复制 {n} 项答案和 {links} 个证据关联",
                f"Copied {n} answers and {links} evidence links from the previous assessment",
            ),
        )
    except (repo.EditConflict, ValueError) as exc:
        flash("warning", msg(exc))


with be.Session() as s:
    prev = repo.previous_assessment(aid, session=s)
    try:
        plan = repo.copy_plan(aid, prev.id, session=s) if prev else {}
        copy_refusal = None
    except ValueError as exc:
        plan, copy_refusal = {}, msg(exc)
    prev_label = f"{prev.title} · {prev.created_at:%Y-%m-%d} · #{prev.id}" if prev else None
t1, t2 = st.columns(2)
t1.download_button(
    pick("下载问卷（Excel，可分发各部门填写后导入）", "Download the questionnaire (Excel: fill in by department, import back)"),
    data=lambda: write_sheet(ed, industry, stored, title=title),
    file_name=f"questionnaire-{aid}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/table_view:",
    on_click="ignore",
    width="stretch",
    key=f"sheet_dl::{aid}",
)
if prev is not None:
    t2.button(
        pick(f"从上一次评估复制 {len(plan)} 项答案", f"Copy {len(plan)} answers from the previous assessment"),
        help=plain(
            pick(
                f"来源：{prev_label}。只填入本评估尚未作答的要求，并复制说明、不适用理由和证据关联。",
                f"From: {prev_label}. Fills only requirements not answered here, with notes, N/A reasons and evidence links.",
            )
        )
        if not copy_refusal
        else plain(copy_refusal),
        on_click=_copy_previous,
        args=(prev.id,),
        disabled=not plan,
        icon=":material/content_copy:",
        width="stretch",
        key=f"copy_prev::{aid}",
    )

if st.session_state.get(state.SUBDOMAIN) not in order:
    st.session_state[state.SUBDOMAIN] = order[0]
sid = st.session_state[state.SUBDOMAIN]
state.write_url()


def _sub_label(x: str) -> str:
    sd = subs[x]
    dom = doms[sd.domain]
    path = (
        [els[dom.element].name_zh if dom.element else None, dom.name_zh, sd.name_zh]
        if zh
        else [els[dom.element].name_en if dom.element else None, dom.name_en, sd.name_en]
    )
    done = answered[x]
    mark = "●" if done == len(by_sub[x]) else ("◐" if done else "○")
    path = [p for i, p in enumerate(path) if p and (i == 0 or p != path[i - 1])]  # 数据 / 数据 / 数据 → 技术 / 数据
    return f"{mark} " + " / ".join(path) + f"（{done}/{len(by_sub[x])}）"


def _pick_sub(key: str) -> None:
    state.select(subdomain=st.session_state[key])


def _jump() -> None:
    start = order.index(sid)
    for x in order[start:] + order[:start]:  # this sub-domain first, then the next ones with unanswered items, wrapping
        if answered[x] < len(by_sub[x]):
            state.select(subdomain=x)
            return
    flash("success", pick("全部要求均已作答。", "Every requirement is answered."))


c1, c2 = st.columns([4, 1])
# A new widget whenever the sub-domain changes elsewhere (buttons, the URL) and whenever a count in its labels changes:
# a selectbox's value is its option's label, so a widget kept across a count change would send back a label that is no
# longer an option, and Streamlit would take it for a change of sub-domain (back to the first one).
sub_key = f"w_sub::{aid}::{sid}::{zlib.crc32(repr(list(answered.values())).encode()):08x}"
c1.selectbox(
    pick("能力要素 / 能力域 / 能力子域", "Element / domain / sub-domain"),
    order,
    index=order.index(sid),
    key=sub_key,
    format_func=_sub_label,
    on_change=_pick_sub,
    args=(sub_key,),
)
c2.button(t("jump"), icon=":material/skip_next:", on_click=_jump, width="stretch", disabled=total_answered == len(reqs))
if status in ("certified", "archived"):
    st.warning(
        pick(
            "此评估已认定或归档，修改将被记录在审计日志中。",
            "This assessment is certified or archived; changes are recorded in the audit log.",
        )
    )

GRADES = [None, "full", "largely", "partial", "none", "na"]
pending: dict = st.session_state[state.PENDING]


def _fingerprint(value: tuple[str | None, str | None]) -> str:
    return f"{zlib.crc32(repr(value).encode()):08x}"


def _save(
    rid: str, mine: tuple[str | None, str | None], seen: tuple[str | None, str | None], action: str = "save_answers"
) -> None:
    """Save this user's value of one answer, expecting the stored value to be ``seen``; a conflict is kept for the user."""
    pkey = f"{aid}:{rid}"
    try:
        _store({rid: {"grade": mine[0], "note": mine[1]}}, {rid: seen}, action)
        pending.pop(pkey, None)
        st.toast(f"{t('saved')} · {rid.split(':', 1)[1]}", icon=":material/save:")
    except repo.EditConflict as exc:
        change = exc.changes[0]
        pending[pkey] = {"mine": mine, "theirs": change.value, "by": change.by, "at": change.at}
    except (ValueError, AnswersError) as exc:
        flash("error", pick("未保存：", "Not saved: ") + msg(exc))


def _on_grade(rid: str, key: str, seen: tuple[str | None, str | None]) -> None:
    _save(rid, (st.session_state[key], seen[1]), seen)


def _on_note(rid: str, key: str, seen: tuple[str | None, str | None]) -> None:
    _save(rid, (seen[0], (st.session_state[key] or "").strip() or None), seen)


def _keep_mine(rid: str) -> None:
    p = pending[f"{aid}:{rid}"]
    _save(rid, p["mine"], p["theirs"], action="save_answers_over_conflict")


def _take_theirs(rid: str) -> None:
    pending.pop(f"{aid}:{rid}", None)


ev_gen: dict = st.session_state.setdefault("ev_card_gen", {})  # {"aid:rid": n}: the card uploader's key suffix
ev_notes: dict = st.session_state.setdefault("ev_card_note", {})  # {"aid:rid": (kind, text)}: shown once on that card


def _attach_evidence(rid: str, upload) -> None:
    """The one evidence save of this page (the page-level uploader and each card's): checked, stored once per
    content and audited by repository.add_evidence; raises EvidenceRejected (or another refusal) and stores nothing."""
    with be.Session.begin() as s:
        auth.require_editable(be, s, aid)
        repo.add_evidence(
            aid,
            rid,
            upload.name,
            upload.getvalue(),
            session=s,
            store=be.store,
            max_bytes=be.max_bytes,
            actor=user,
            root=be.settings.criteria_dir,
        )


EVIDENCE_REFUSALS = (EvidenceRejected, ValueError, LookupError, PermissionError)


def _on_card_upload(rid: str, key: str) -> None:
    """A file dropped on a card's uploader: saved once, here, in the widget's on_change. The uploader's key then
    moves on (a fresh, empty widget on the next run), so neither a rerun nor a navigation can hand the same file
    over again; what happened is said on that card."""
    upload = st.session_state.get(key)
    ckey = f"{aid}:{rid}"
    if upload is None:  # the file was taken off the widget: nothing to do
        return
    try:
        _attach_evidence(rid, upload)
        ev_notes[ckey] = ("success", pick(f"已上传「{upload.name}」", f"Uploaded '{upload.name}'"))
    except EVIDENCE_REFUSALS as exc:
        ev_notes[ckey] = ("error", pick("上传被拒绝：", "Upload refused: ") + msg(exc))
    ev_gen[ckey] = ev_gen.get(ckey, 0) + 1


def _remove_evidence(ev_id: int) -> None:
    try:
        with be.Session.begin() as s:
            auth.require_editable(be, s, aid)
            repo.remove_evidence(ev_id, session=s, actor=user)
    except EVIDENCE_REFUSALS as exc:  # e.g. already removed in another tab
        flash("warning", pick("未移除：", "Not removed: ") + msg(exc))
        return
    flash("success", pick("已移除证据（文件内容仍保留在证据库中）", "Evidence removed (the stored file is kept)"))


def _grade_name(g: str | None) -> str:
    return name(GRADE_NAMES, g)


def _card(r, n: int) -> None:
    rid = r.id
    seen = stored.get(rid, (None, None))
    conflict = pending.get(f"{aid}:{rid}")
    if conflict and conflict["theirs"] != seen:  # stored value moved on again: show the latest "theirs"
        conflict = None
        pending.pop(f"{aid}:{rid}", None)
    shown = conflict["mine"] if conflict else seen
    with st.container(border=True):
        text = r.text_zh if zh else r.text_en
        sd = subs[ed.req_subdomain[rid]]
        heading = (
            f"{sd.name_zh} · {name(LEVEL_NAMES, r.level).split()[0]} · 第 {n} 条"
            if zh
            else f"{sd.name_en} · level {r.level} · item {n}"
        )
        status = r.review.status.value if r.review else None
        st.markdown(f"**{plain(heading)}** {prov_badge(r.provenance.kind.value)} {review_badge(status)}  \n{plain(text)}")
        st.caption(rid.split(":", 1)[1])  # the id, in small text under the heading
        if r.review is not None:
            st.caption(review_caption(r.review))
        st.caption(t("evidence_hint") + pick("；", "; ").join(r.evidence_zh if zh else r.evidence_en))
        token = ("p" if conflict else "s") + _fingerprint(shown)
        gkey = f"g::{aid}::{rid}::{token}"
        st.radio(
            pick("评分", "Grade"),
            GRADES,
            index=GRADES.index(shown[0]),
            key=gkey,
            horizontal=True,
            on_change=_on_grade,
            args=(rid, gkey, conflict["theirs"] if conflict else seen),
            format_func=_grade_name,
            label_visibility="collapsed",
        )
        nkey = f"n::{aid}::{rid}::{token}"
        st.text_input(
            t("note"),
            value=shown[1] or "",
            key=nkey,
            on_change=_on_note,
            max_chars=2000,
            args=(rid, nkey, conflict["theirs"] if conflict else seen),
            placeholder=pick("说明或不适用理由（修改后自动保存）", "Note or reason for N/A (saved on change)"),
            label_visibility="collapsed",
        )
        if conflict:
            theirs = conflict["theirs"]
            when = conflict["at"].strftime("%Y-%m-%d %H:%M:%S") if conflict["at"] else "?"
            st.warning(
                pick(
                    f"未保存：此答案已被 {plain(conflict['by'] or '他人')} 于 {when} 改为「{_grade_name(theirs[0])}」"
                    f"{'（说明：' + plain(theirs[1]) + '）' if theirs[1] else ''}。您的选择「{_grade_name(conflict['mine'][0])}」仍显示在上方。",
                    f"Not saved: {plain(conflict['by'] or 'someone else')} changed this answer at {when} to "
                    f"'{_grade_name(theirs[0])}'{' (note: ' + plain(theirs[1]) + ')' if theirs[1] else ''}. "
                    f"Your choice '{_grade_name(conflict['mine'][0])}' is still shown above.",
                ),
                icon=":material/group:",
            )
            k1, k2 = st.columns(2)
            k1.button(
                pick("采用对方的修改", "Take their change"),
                key=f"theirs::{aid}::{rid}",
                on_click=_take_theirs,
                args=(rid,),
                icon=":material/sync:",
                width="stretch",
            )
            k2.button(
                pick("保留我的选择", "Keep my choice"),
                key=f"mine::{aid}::{rid}",
                on_click=_keep_mine,
                args=(rid,),
                icon=":material/check:",
                type="primary",
                width="stretch",
            )
        files = evidence.get(rid, [])
        ckey = f"{aid}:{rid}"
        note = ev_notes.pop(ckey, None)
        with st.expander(f":material/attach_file: {t('evidence')}（{len(files)}）", expanded=note is not None):
            for ev_id, fname, sha, size, mime in files:
                f1, f2, f3 = st.columns([5, 1, 1])
                f1.caption(plain(f"{fname} · {size / 1024:.0f} KB · sha256 {sha[:12]}…"))
                f2.download_button(
                    pick("下载", "Download"),
                    data=evidence_reader(be, reader, ev_id),  # checked and audited when clicked
                    file_name=fname,
                    mime=mime,
                    key=f"ev_dl::{ev_id}",
                    icon=":material/download:",
                    on_click="ignore",
                )
                f3.button(
                    pick("移除", "Remove"),
                    key=f"ev_rm::{ev_id}",
                    on_click=_remove_evidence,
                    args=(ev_id,),
                    icon=":material/delete:",
                )
            if note:
                getattr(st, note[0])(plain(note[1]))
            ukey = f"ev_card::{aid}::{rid}::{ev_gen.get(ckey, 0)}"
            st.file_uploader(
                pick("上传此要求的证据（选择文件后即保存）", "Upload evidence for this requirement (saved once chosen)"),
                type=UPLOAD_TYPES,
                key=ukey,
                help=pick(
                    f"PDF、图片、Office 文档和纯文本，单个文件不超过 {be.settings.max_upload_mb} MB；相同内容只保存一份。",
                    f"PDF, images, Office documents and plain text up to {be.settings.max_upload_mb} MB; identical files are "
                    "stored once.",
                ),
                on_change=_on_card_upload,
                args=(rid, ukey),
            )


for level in ed.levels:
    items = [r for r in by_sub[sid] if r.level == level.n]
    if not items:
        continue
    done = sum(1 for r in items if _graded(r.id))
    h1, h2 = st.columns([4, 1], vertical_alignment="bottom")
    h1.markdown(f"#### {name(LEVEL_NAMES, level.n)} · {done}/{len(items)}")
    bkey = f"bulk::{aid}::{sid}::{level.n}"
    with h2.popover(
        pick("本级批量评分", "Grade this level"),
        icon=":material/done_all:",
        width="stretch",
        key=f"{bkey}::open",
        on_change="rerun",  # its open state is kept, so applying can close it
    ):
        st.radio(
            pick("将本级全部要求评为", "Give every requirement of this level"), GRADES[1:], key=bkey, format_func=_grade_name
        )
        st.button(
            pick(f"应用到 {len(items)} 项", f"Apply to {len(items)} items"),
            key=f"{bkey}::go",
            type="primary",
            on_click=_bulk,
            args=([r.id for r in items], bkey, f"{bkey}::open"),
        )
    for n, r in enumerate(items, 1):
        _card(r, n)


def _next_sub() -> None:
    state.select(subdomain=order[(order.index(sid) + 1) % len(order)])


n1, n2 = st.columns(2)
n1.button(
    pick("下一个子域", "Next sub-domain"), icon=":material/arrow_forward:", on_click=_next_sub, width="stretch", key="next_sub"
)
if n2.button(pick("查看结果", "See the results"), icon=":material/analytics:", width="stretch", key="to_results"):
    st.switch_page("app_pages/results.py")

# -- import answers (the questionnaire sheet, or a CLI answers file): preview, then apply through the same save path ----
st.divider()
previews: dict = st.session_state.setdefault("answers_import", {})


def _read_upload(upload) -> tuple[dict[str, dict], list[tuple[int, str]]]:
    """{requirement id: change} from an uploaded sheet or answers file, and the sheet's row-numbered refusals."""
    if upload.size > 5 * 1024 * 1024:
        raise AnswersError(pick("文件超过 5 MB", "the file is larger than 5 MB"))
    if upload.name.lower().endswith(".xlsx"):
        sheet = read_sheet(upload.getvalue(), editions=lambda e: load_maturity_cached(e, be.settings.criteria_dir))
        if (sheet.edition, sheet.industry) != (ed.id, industry):
            raise AnswersError(
                pick(
                    f"文件为 {sheet.edition}/{sheet.industry}，本评估为 {ed.id}/{industry}",
                    f"the file is for {sheet.edition}/{sheet.industry}, this assessment is {ed.id}/{industry}",
                )
            )
        return {rid: {"grade": g, "note": n} for rid, (g, n) in sheet.rows.items()}, sheet.problems
    try:
        text = upload.getvalue().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise problem(f"不是 UTF-8 编码的文本（第 {exc.start} 字节）", f"not UTF-8 text (byte {exc.start})") from None
    doc = parse_text(text, upload.name)
    parsed, _ = parse_answers(doc, root=be.settings.criteria_dir, source=upload.name)
    if (parsed.edition, parsed.industry) != (ed.id, industry):
        raise AnswersError(
            pick(
                f"文件为 {parsed.edition}/{parsed.industry}，本评估为 {ed.id}/{industry}",
                f"the file is for {parsed.edition}/{parsed.industry}, this assessment is {ed.id}/{industry}",
            )
        )
    return {rid: {"grade": g} for rid, g in parsed.grades.items()}, []


with st.expander(
    pick("导入答案（Excel 问卷或命令行答案文件 YAML/JSON）", "Import answers (the Excel questionnaire, or a CLI answers file)"),
    expanded=aid in previews,
):
    st.caption(
        pick(
            "可导入本页下载的 Excel 问卷（各部门填写后），或 python -m assessment maturity template 生成的答案文件；"
            "版本和行业须与本评估一致。导入前先预览将要改变的答案，有问题的行会按行号列出。",
            "Import the Excel questionnaire downloaded here (filled in by departments), or an answers file from "
            "`python -m assessment maturity template`; edition and industry must match. You see what will change first; "
            "rows with problems are listed by number.",
        )
    )
    afile = st.file_uploader(pick("答案文件", "Answers file"), type=["xlsx", "yaml", "yml", "json"], key=f"ans_file::{aid}")
    if afile is not None and st.button(pick("预览", "Preview"), key=f"ans_btn::{aid}"):
        try:
            incoming, problems = _read_upload(afile)
            changes = {
                rid: c
                for rid, c in incoming.items()
                if any(c[k] != stored.get(rid, (None, None))[i] for i, k in ((0, "grade"), (1, "note")) if k in c)
            }
            previews[aid] = {
                "name": afile.name,
                "changes": changes,
                "seen": {rid: stored.get(rid, (None, None)) for rid in changes},
                "unchanged": len(incoming) - len(changes),
                "problems": problems,
            }
        except (AnswersError, ValueError) as exc:
            previews.pop(aid, None)
            st.error(pick("无法导入：", "Cannot import: ") + plain(msg(exc)))
    prev_import = previews.get(aid)
    if prev_import:
        ch = prev_import["changes"]
        st.info(
            pick(
                f"「{plain(prev_import['name'])}」将改变 {len(ch)} 项答案，{prev_import['unchanged']} 项不变。",
                f"'{plain(prev_import['name'])}' changes {len(ch)} answers; {prev_import['unchanged']} stay as they are.",
            )
        )
        if prev_import["problems"]:
            st.warning(
                pick(f"{len(prev_import['problems'])} 行未导入：", f"{len(prev_import['problems'])} rows will not be imported:")
            )
            st.dataframe(
                [{pick("行", "Row"): row, pick("问题", "Problem"): msg(text)} for row, text in prev_import["problems"][:500]],
                hide_index=True,
                width="stretch",
            )
        if ch:
            st.dataframe(
                [
                    {
                        pick("要求", "Requirement"): rid.split(":", 1)[1],
                        pick("当前", "Now"): _grade_name(prev_import["seen"][rid][0]),
                        pick("导入后", "After"): _grade_name(c.get("grade", prev_import["seen"][rid][0])),
                        pick("说明", "Note"): c.get("note", prev_import["seen"][rid][1]) or "",
                    }
                    for rid, c in list(ch.items())[:500]
                ],
                hide_index=True,
                width="stretch",
            )
        b1, b2 = st.columns(2)
        if b1.button(pick("应用导入", "Apply the import"), key=f"ans_apply::{aid}", type="primary", disabled=not ch):
            try:
                _store(ch, {rid: prev_import["seen"][rid] for rid in ch}, "import_answers")
                previews.pop(aid, None)
                flash("success", pick(f"已导入 {len(ch)} 项答案", f"Imported {len(ch)} answers"))
                st.rerun()
            except repo.EditConflict as exc:
                previews.pop(aid, None)
                st.error(plain(msg(exc)) + pick("。请重新预览。", ". Preview again."))
            except (ValueError, AnswersError) as exc:
                st.error(pick("无法导入：", "Cannot import: ") + plain(msg(exc)))
        if b2.button(pick("取消", "Cancel"), key=f"ans_cancel::{aid}"):
            previews.pop(aid, None)
            st.rerun()

st.markdown(f"#### :material/upload_file: {t('upload')}")
st.caption(
    pick(
        f"支持 PDF、图片、Office 文档和纯文本，单个文件不超过 {be.settings.max_upload_mb} MB；相同内容只保存一份。",
        f"PDF, images, Office documents and plain text up to {be.settings.max_upload_mb} MB; identical files are stored once.",
    )
)
u1, u2 = st.columns([2, 3])
target = u1.selectbox(
    pick("对应要求", "For requirement"),
    [r.id for r in by_sub[sid]],
    key=f"ev_target::{aid}::{sid}",
    format_func=lambda rid: rid.split(":", 1)[1],
)
upload = u2.file_uploader(t("upload"), type=UPLOAD_TYPES, key=f"ev_file::{aid}", label_visibility="collapsed")
if upload is not None and st.button(pick("上传并关联", "Upload and attach"), key=f"ev_btn::{aid}", type="primary"):
    try:
        _attach_evidence(target, upload)
        flash("success", pick(f"已上传「{upload.name}」", f"Uploaded '{upload.name}'"))
        st.rerun()
    except EVIDENCE_REFUSALS as exc:
        st.error(pick("上传被拒绝：", "Upload refused: ") + plain(msg(exc)))
