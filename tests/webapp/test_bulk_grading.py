"""自评估 → 本级批量评分: one click grades every requirement of a sub-domain level through the audited save path, says
how many in a toast, and closes the level's popover; answers already given that grade are not saved again."""

from __future__ import annotations

from apphelp import demo_ids, open_page
from sqlalchemy import select

from assessment.store import repository as repo
from assessment.store.orm import AuditLog
from ui import state
from ui.services import backend


def test_bulk_grading_a_level(app_env):
    open_page("home")
    ent, fac, _ = demo_ids()
    with backend().Session.begin() as s:
        aid = repo.create_assessment(fac, session=s).id
    at = open_page("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    sid = at.session_state[state.SUBDOMAIN]
    level1 = [r.key.split("::")[2] for r in at.radio if r.key and r.key.startswith(f"g::{aid}::") and ":L1:" in r.key]
    key = f"bulk::{aid}::{sid}::1"
    at.radio(key=key).set_value("partial").run()
    at.button(key=f"{key}::go").click().run()
    assert not at.exception
    with backend().Session() as s:
        got = {k: v.grade for k, v in repo.answers_of(repo.get_assessment(aid, session=s)).items()}
    assert got == {rid: "partial" for rid in level1}
    assert any(f"已将 {len(level1)} 项评为「0.5 部分满足」" in t.value for t in at.toast), [t.value for t in at.toast]
    assert at.session_state[f"{key}::open"] is False  # the popover closes once the grades are saved
    shown = {r.key.split("::")[2]: r.value for r in at.radio if r.key and r.key.startswith(f"g::{aid}::")}
    assert all(shown[rid] == "partial" for rid in level1)

    at.button(key=f"{key}::go").click().run()  # again: nothing changes, nothing is saved
    assert any("本级要求均已是「0.5 部分满足」" in t.value for t in at.toast)
    with backend().Session() as s:
        audits = s.scalars(select(AuditLog).where(AuditLog.action == "bulk_grade", AuditLog.entity_id == str(aid))).all()
    assert len(audits) == 1 and sorted(audits[0].detail["requirements"]) == sorted(level1)
