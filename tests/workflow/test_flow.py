"""The whole workflow on SQLite and PostgreSQL: every legal transition, the illegal ones refused, experts blind
until consensus, locked decisions, revisions, the CT- certificate under the province's issuer."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from wfhelp import EXPERTS, REQS, advance, build_world, grades_of, settings_for, submitted

from assessment import records
from assessment import workflow as wf
from assessment.access import AccessDenied
from assessment.store.chain import verify
from assessment.store.orm import Application, AuditLog, Certificate


@pytest.fixture
def world(Session):
    return build_world(Session)


def status(Session, app_id: int) -> str:
    with Session() as s:
        return s.get(Application, app_id).status


def test_end_to_end_with_three_experts(Session, world, tmp_path):
    w, settings = world, settings_for(tmp_path)
    app_id = submitted(Session, w)
    assert status(Session, app_id) == "submitted"
    with Session.begin() as s:  # fewer than three experts: refused, nothing assigned
        with pytest.raises(wf.WorkflowError, match="至少需要 3 位专家"):
            wf.assign_experts(w["admin_zj"], app_id, ["expert1", "expert2"], session=s, settings=settings)
    with Session.begin() as s:
        assert wf.assign_experts(w["admin_zj"], app_id, EXPERTS, session=s, settings=settings) == list(EXPERTS)
    assert status(Session, app_id) == "in_review"
    # independent grading: each expert sees only their own grades
    with Session.begin() as s:
        wf.save_grades(w["expert1"], app_id, grades_of("expert1"), session=s)
        wf.save_grades(w["expert3"], app_id, grades_of("expert3"), session=s)
    with Session() as s:
        sheet = wf.review_sheet(w["expert2"], app_id, session=s)
        assert sheet["graded"] == 0 and sheet["total"] == len(REQS) == 200
        assert all(r["grade"] is None for r in sheet["requirements"])
        assert sheet["requirements"][0]["self_grade"] == "full"
        mine = wf.review_sheet(w["expert3"], app_id, session=s)
        assert mine["requirements"][0]["grade"] == "none" and mine["requirements"][1]["evidence_request"] == "请提供设备联网清单"
        with pytest.raises(wf.WorkflowError, match="专家合议之前"):
            wf.consensus_sheet(w["expert1"], app_id, session=s)
        with pytest.raises(wf.WorkflowError, match="专家合议之前"):
            wf.consensus_sheet(w["admin_zj"], app_id, session=s)
    with Session.begin() as s:  # an incomplete review cannot be submitted
        wf.save_grades(w["expert2"], app_id, {REQS[0]: {"grade": "full"}}, session=s)
        with pytest.raises(wf.WorkflowError, match="199 项要求未评分"):
            wf.submit_review(w["expert2"], app_id, session=s)
    with Session.begin() as s:
        wf.save_grades(w["expert2"], app_id, grades_of("expert2"), session=s)
        wf.submit_review(w["expert1"], app_id, session=s)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="已提交评审"):
            wf.save_grades(w["expert1"], app_id, {REQS[0]: {"grade": "none"}}, session=s)
    with Session.begin() as s:
        for e in EXPERTS[1:]:
            wf.submit_review(w[e], app_id, session=s)
    assert status(Session, app_id) == "consensus"
    # flags: only the three-step difference is contested; one-step differences get the median automatically
    with Session() as s:
        sheet = wf.consensus_sheet(w["expert1"], app_id, session=s)
        flagged = [r["requirement_id"] for r in sheet["requirements"] if r["flagged"]]
        assert flagged == [REQS[0]] and sheet["open"] == 1
        row = next(r for r in sheet["requirements"] if r["requirement_id"] == REQS[0])
        assert row["experts"] == {
            "expert1": {"grade": "full", "comment": None, "evidence_request": None},
            "expert2": {"grade": "full", "comment": None, "evidence_request": None},
            "expert3": {"grade": "none", "comment": "未见数据采集记录", "evidence_request": None},
        }
        l2 = next(r for r in sheet["requirements"] if ":L2:" in r["requirement_id"])
        assert l2["grade"] == "full" and l2["decided_by"] == "auto" and not l2["flagged"]  # full, largely, full -> full
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="1 项有分歧"):
            wf.finish_consensus(w["admin_zj"], app_id, session=s)
    with Session.begin() as s:
        with pytest.raises(ValueError, match="合议理由不能为空"):
            wf.record_consensus(w["admin_zj"], app_id, {REQS[0]: {"grade": "largely", "reason": " "}}, session=s)
    with Session.begin() as s:
        wf.record_consensus(w["admin_zj"], app_id, {REQS[0]: {"grade": "largely", "reason": "合议：部分车间已联网"}}, session=s)
        items = wf.finish_consensus(w["admin_zj"], app_id, session=s)
    reasons = {i["requirement_id"]: i["reasons"] for i in items}
    assert reasons[REQS[0]] == ["contested", "weak_evidence"] and reasons[REQS[1]] == ["evidence_requested", "weak_evidence"]
    assert all("weak_evidence" in r for r in reasons.values())  # no evidence file at all: every high grade is checked
    assert status(Session, app_id) == "site_visit"
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="weak"):
            wf.record_site_visit(w["expert1"], app_id, {REQS[0]: {"result": "bad"}}, session=s)
    with Session.begin() as s:
        wf.record_site_visit(w["expert1"], app_id, {REQS[0]: {"result": "weak", "finding": "现场未见联网记录"}}, session=s)
        with pytest.raises(wf.WorkflowError, match="未记录结果"):
            wf.finish_site_visit(w["admin_zj"], app_id, session=s)
    with Session.begin() as s:
        wf.record_site_visit(w["expert2"], app_id, {rid: {"result": "ok"} for rid in reasons if rid != REQS[0]}, session=s)
        wf.finish_site_visit(w["admin_zj"], app_id, session=s)
    assert status(Session, app_id) == "rectification"
    # 弱项整改: respond with evidence, rejected once, responded again, accepted with a grade
    with Session() as s:
        (item,) = wf.rectification_items(w["ent_a"], app_id, session=s)
        assert item["issue"] == "现场未见联网记录" and item["status"] == "open"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    from assessment.store.evidence import BlobStore

    store = BlobStore(tmp_path / "ev")
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="尚无待核验的答复"):
            wf.verify_rectification(w["expert2"], item["id"], True, session=s)
    with Session.begin() as s:
        got = wf.respond_rectification(
            w["ent_a"], item["id"], "已补充联网记录", files=[("联网清单.pdf", pdf)], session=s, store=store
        )
        assert got["status"] == "responded" and len(got["evidence_ids"]) == 1
        with pytest.raises(ValueError, match="核验意见不能为空"):
            wf.verify_rectification(w["expert2"], item["id"], False, "", session=s)
    with Session.begin() as s:
        wf.verify_rectification(w["expert2"], item["id"], False, "清单不完整", session=s)
        wf.respond_rectification(w["ent_a"], item["id"], "补充了全部车间", session=s)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="待答复或待核验"):
            wf.finish_rectification(w["admin_zj"], app_id, session=s)
    with Session.begin() as s:
        wf.verify_rectification(w["expert2"], item["id"], True, "已核验", grade="full", session=s)
        wf.finish_rectification(w["admin_zj"], app_id, session=s)
    assert status(Session, app_id) == "decision"
    with Session.begin() as s:
        with pytest.raises(ValueError, match="决定理由不能为空"):
            wf.decide(w["admin_zj"], app_id, "approve", "", session=s)
    with Session.begin() as s:
        app = wf.decide(w["admin_zj"], app_id, "approve", "符合基础级要求", session=s)
        assert app.status == "approved" and app.result["tier"] in ("basic", "advanced", "excellent", "leading")
    with Session.begin() as s:
        cert = wf.issue_certificate(w["admin_zj"], app_id, session=s, settings=settings)
        number = cert.number
    assert number.startswith("CT-")
    with Session() as s:
        cert = s.scalar(select(Certificate).where(Certificate.number == number))
        assert cert.kind == "certified" and cert.issuer == "浙江省经济和信息化厅（测试）"
        detail = wf.application_detail(w["ent_a"], app_id, session=s)
        assert detail["certificate_number"] == number and detail["consensus"][REQS[0]]["grade"] == "full"
        certified = records.open_assessment(w["ent_a"], detail["certified_assessment_id"], session=s)
        assert certified.status == "certified"
        assert {x.requirement_id: x.grade for x in certified.answers}[REQS[0]] == "full"
        assert verify(s).ok
        actions = [
            r.action
            for r in s.scalars(select(AuditLog).where(AuditLog.entity == "application", AuditLog.entity_id == str(app_id)))
        ]
        assert actions.count("transition") == 6 and "consensus" in actions and "rectification_verify" in actions
    from reports import service

    with Session() as s:  # the certificate verifies with this installation's keys
        res = service.verify(cert.payload, settings=settings, session=s)
        assert res.ok, res.message


def test_decided_records_are_locked_and_corrected_by_revision(Session, world, tmp_path):
    w, settings = world, settings_for(tmp_path)
    app_id = submitted(Session, w)
    advance(Session, w, app_id, "approved", settings)
    calls = [
        lambda s: wf.assign_experts(w["admin_zj"], app_id, ["expert4"], session=s, settings=settings),
        lambda s: wf.record_consensus(w["admin_zj"], app_id, {REQS[0]: {"grade": "none", "reason": "x"}}, session=s),
        lambda s: wf.record_site_visit(w["expert1"], app_id, {REQS[0]: {"result": "ok"}}, session=s),
        lambda s: wf.decide(w["admin_zj"], app_id, "reject", "改判", session=s),
        lambda s: wf.withdraw(w["ent_a"], app_id, "撤回", session=s),
    ]
    for call in calls:
        with Session.begin() as s:
            with pytest.raises(wf.WorkflowError):
                call(s)
    with Session.begin() as s:  # the assessment itself is frozen for the enterprise
        with pytest.raises(wf.WorkflowError, match="不能修改"):
            records.save_answers(w["ent_a"], w.assessments["A"], {REQS[0]: {"grade": "none"}}, session=s)
    with Session.begin() as s:
        new = wf.revise(w["admin_zj"], app_id, "合议等级录入有误", session=s)
        new_id = new.id
        assert (new.revision, new.case_id, new.status, new.supersedes_id) == (2, app_id, "consensus", app_id)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="更新的修订"):
            wf.revise(w["admin_zj"], app_id, "再改", session=s)
    with Session() as s:
        old = s.get(Application, app_id)
        assert old.status == "approved" and old.decision == "approve"  # the decided revision is untouched
        sheet = wf.consensus_sheet(w["admin_zj"], new_id, session=s)
        assert len(sheet["requirements"]) == 200
        assert [a["id"] for a in wf.list_applications(w["admin_zj"], session=s)] == [new_id]
        assert sorted(a["id"] for a in wf.list_applications(w["admin_zj"], session=s, latest_only=False)) == [app_id, new_id]
    with Session.begin() as s:
        wf.record_consensus(w["admin_zj"], new_id, {REQS[5]: {"grade": "none", "reason": "更正：现场核实不满足"}}, session=s)
        wf.finish_consensus(w["admin_zj"], new_id, session=s)
    with Session() as s:
        items = wf.site_visit_checklist(w["admin_zj"], new_id, session=s)["items"]
        assert all(i["result"] is not None for i in items)  # the earlier site-visit results were carried over


def test_approval_refused_when_the_tier_is_not_reached(Session, world, tmp_path):
    w, settings = world, settings_for(tmp_path)
    app_id = submitted(Session, w, tier="leading")
    advance(Session, w, app_id, "decision", settings)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="未达到申请的 leading"):
            wf.decide(w["admin_zj"], app_id, "approve", "通过", session=s)
    assert status(Session, app_id) == "decision"
    with Session.begin() as s:
        wf.decide(w["admin_zj"], app_id, "reject", "未达到领航级条件", session=s)
    assert status(Session, app_id) == "rejected"
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="只有已通过"):
            wf.issue_certificate(w["admin_zj"], app_id, session=s, settings=settings)


STEPS = {  # step -> function(world, app_id, session, settings) trying the transition out of the current state
    "withdraw": lambda w, a, s, st: wf.withdraw(w["ent_a"], a, "撤回申请", session=s),
    "assign_experts": lambda w, a, s, st: wf.assign_experts(w["admin_zj"], a, EXPERTS, session=s, settings=st),
    "submit_review": lambda w, a, s, st: [wf.submit_review(w[e], a, session=s) for e in EXPERTS],
    "finish_consensus": lambda w, a, s, st: wf.finish_consensus(w["admin_zj"], a, session=s),
    "finish_site_visit": lambda w, a, s, st: wf.finish_site_visit(w["admin_zj"], a, session=s),
    "finish_rectification": lambda w, a, s, st: wf.finish_rectification(w["admin_zj"], a, session=s),
    "approve": lambda w, a, s, st: wf.decide(w["admin_zj"], a, "approve", "通过", session=s),
    "reject": lambda w, a, s, st: wf.decide(w["admin_zj"], a, "reject", "不通过", session=s),
}
LEGAL = {
    "submitted": {"withdraw", "assign_experts"},
    "in_review": {"withdraw", "assign_experts", "submit_review"},
    "consensus": set(),
    "site_visit": set(),
    "rectification": set(),
    "decision": {"approve", "reject"},
    "approved": set(),
}  # consensus, site visit and rectification end only when their work is done (tested above)


@pytest.mark.parametrize("state", list(LEGAL))
def test_every_step_from_every_state(Session, world, tmp_path, state):
    """From each state every step is tried: the legal ones are accepted (or refused only for missing work), the
    illegal ones are refused with a WorkflowError and change nothing."""
    w, settings = world, settings_for(tmp_path)
    app_id = submitted(Session, w)
    advance(Session, w, app_id, state, settings)
    for step, call in STEPS.items():
        with Session() as s:
            before = s.get(Application, app_id).status
            try:
                call(w, app_id, s, settings)
                outcome = "done"
            except (wf.WorkflowError, AccessDenied) as exc:
                outcome = "refused: " + str(exc)
            finally:
                s.rollback()
        assert before == state
        if step in LEGAL[state]:
            assert outcome == "done" or step == "submit_review", (state, step, outcome)
        else:
            assert outcome.startswith("refused"), (state, step)
            if state == "approved":
                assert "已锁定" in outcome or "只有" in outcome or "locked" in outcome
        assert status(Session, app_id) == state


def test_illegal_transition_is_refused_by_the_machine(Session, world):
    app_id = submitted(Session, world)
    with Session.begin() as s:
        app = s.get(Application, app_id)
        with pytest.raises(wf.IllegalTransition, match="不能转到「已通过」"):
            wf._move(s, app, "approved", "x")
    assert set(wf.TRANSITIONS) == set(wf.STATES)
    assert all(t <= set(wf.STATES) for t in wf.TRANSITIONS.values())
    assert all(not wf.TRANSITIONS[s] for s in wf.LOCKED)


def test_withdraw_and_resubmit(Session, world):
    w = world
    app_id = submitted(Session, w)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="进行中的申请"):
            wf.submit(w["ent_a"], w.assessments["A"], "basic", session=s)
    with Session.begin() as s:
        wf.withdraw(w["ent_a"], app_id, "材料需补充", session=s)
    with Session.begin() as s:  # editable again, and a new application is possible
        records.save_answers(w["ent_a"], w.assessments["A"], {REQS[0]: {"grade": "largely"}}, session=s)
        again = wf.submit(w["ent_a"], w.assessments["A"], "basic", session=s)
    assert again.id != app_id and status(Session, again.id) == "submitted"


def test_submission_checks(Session, world):
    w = world
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="申请层级"):
            wf.submit(w["ent_a"], w.assessments["A"], "gold", session=s)
    with Session.begin() as s:
        records.save_answers(w["ent_b"], w.assessments["B"], {REQS[3]: {"grade": None}}, session=s)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="199/200"):
            wf.submit(w["ent_b"], w.assessments["B"], "basic", session=s)


def test_expert_of_another_province_cannot_be_assigned(Session, world, tmp_path):
    w, settings = world, settings_for(tmp_path)
    app_id = submitted(Session, w)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="expert_js belongs to 江苏"):
            wf.assign_experts(w["admin_zj"], app_id, ["expert1", "expert2", "expert_js"], session=s, settings=settings)
    with Session.begin() as s:
        with pytest.raises(wf.WorkflowError, match="not an active expert"):
            wf.assign_experts(w["admin_zj"], app_id, ["expert1", "expert2", "ent_a"], session=s, settings=settings)
    assert status(Session, app_id) == "submitted"
