"""The role × action matrix over every service function, on SQLite and PostgreSQL: each call made by a system
admin, the province's admin, another province's admin, an assigned expert, an unassigned expert, the enterprise
itself, another enterprise of the province and an enterprise of another province. A refusal is AccessDenied and is
audited; anything else (done, or refused for the application's state) means the access check let it through."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from wfhelp import EXPERTS, REQS, build_world, settings_for, submitted

from assessment import dashboard, records
from assessment import workflow as wf
from assessment.access import MATRIX, AccessDenied
from assessment.accounts import add_user
from assessment.store import repository as repo
from assessment.store.evidence import BlobStore
from assessment.store.orm import AuditLog, Enterprise, Rectification
from reports import service

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WHO = ("sysadmin", "admin_zj", "admin_js", "expert1", "expert4", "ent_a", "ent_b", "ent_c")
ADMIN, EXPERT, ENT = {"admin_zj"}, {"expert1"}, {"ent_a"}
ADMINS, ENTS = {"admin_zj", "admin_js"}, {"ent_a", "ent_b", "ent_c"}
EXPERTS_ALL = {"expert1", "expert4"}


@pytest.fixture
def case(Session, tmp_path):
    w, settings = build_world(Session), settings_for(tmp_path)
    store = BlobStore(tmp_path / "ev")
    with Session.begin() as s:
        ev = repo.add_evidence(w.assessments["A"], REQS[0], "清单.pdf", PDF, session=s, store=store, max_bytes=1 << 20)
        ev_id = ev.id
    app_id = submitted(Session, w)
    with Session.begin() as s:
        wf.assign_experts(w["admin_zj"], app_id, EXPERTS, session=s, settings=settings)
        rect = Rectification(application_id=app_id, requirement_id=REQS[0], issue="弱项", status="open", evidence_ids=[])
        s.add(rect)
        s.flush()
        rect_id = rect.id
    return w, settings, store, app_id, ev_id, rect_id


def _factory(s, aid: int) -> int:
    return repo.get_assessment(aid, session=s).factory_id


def calls(w, settings, store, app_id, ev_id, rect_id):
    aid = w.assessments["A"]
    return {  # name -> (call, principals allowed)
        "workflow.submit": (lambda p, s: wf.submit(p, aid, "basic", session=s), ENT),
        "workflow.withdraw": (lambda p, s: wf.withdraw(p, app_id, "撤回", session=s), ENT),
        "workflow.assign_experts": (lambda p, s: wf.assign_experts(p, app_id, ["expert4"], session=s, settings=settings), ADMIN),
        "workflow.list_experts": (lambda p, s: wf.list_experts(p, session=s), ADMINS),
        "workflow.save_grades": (lambda p, s: wf.save_grades(p, app_id, {REQS[0]: {"grade": "full"}}, session=s), EXPERT),
        "workflow.review_sheet": (lambda p, s: wf.review_sheet(p, app_id, session=s), EXPERT),
        "workflow.submit_review": (lambda p, s: wf.submit_review(p, app_id, session=s), EXPERT),
        "workflow.consensus_sheet": (lambda p, s: wf.consensus_sheet(p, app_id, session=s), ADMIN | EXPERT),
        "workflow.record_consensus": (lambda p, s: wf.record_consensus(p, app_id, {}, session=s), ADMIN),
        "workflow.finish_consensus": (lambda p, s: wf.finish_consensus(p, app_id, session=s), ADMIN),
        "workflow.site_visit_checklist": (lambda p, s: wf.site_visit_checklist(p, app_id, session=s), ADMIN | EXPERT),
        "workflow.record_site_visit": (lambda p, s: wf.record_site_visit(p, app_id, {}, session=s), ADMIN | EXPERT),
        "workflow.finish_site_visit": (lambda p, s: wf.finish_site_visit(p, app_id, session=s), ADMIN),
        "workflow.rectification_items": (lambda p, s: wf.rectification_items(p, app_id, session=s), ADMIN | EXPERT | ENT),
        "workflow.respond_rectification": (lambda p, s: wf.respond_rectification(p, rect_id, "已整改", session=s), ENT),
        "workflow.verify_rectification": (lambda p, s: wf.verify_rectification(p, rect_id, True, session=s), EXPERT),
        "workflow.finish_rectification": (lambda p, s: wf.finish_rectification(p, app_id, session=s), ADMIN),
        "workflow.decide": (lambda p, s: wf.decide(p, app_id, "approve", "通过", session=s), ADMIN),
        "workflow.issue_certificate": (lambda p, s: wf.issue_certificate(p, app_id, session=s, settings=settings), ADMIN),
        "workflow.revise": (lambda p, s: wf.revise(p, app_id, "更正", session=s), ADMIN),
        "workflow.application_detail": (lambda p, s: wf.application_detail(p, app_id, session=s), ADMIN | EXPERT | ENT),
        "workflow.list_applications": (lambda p, s: wf.list_applications(p, session=s), ADMINS | EXPERTS_ALL | ENTS),
        "records.open_assessment (by URL)": (lambda p, s: records.open_assessment(p, aid, session=s), ADMIN | EXPERT | ENT),
        "records.save_answers": (lambda p, s: records.save_answers(p, aid, {REQS[0]: {"grade": "none"}}, session=s), ENT),
        "records.add_evidence": (
            lambda p, s: records.add_evidence(p, aid, None, "a.pdf", PDF, session=s, store=store, max_bytes=1 << 20),
            ENT,
        ),
        "records.evidence_content": (
            lambda p, s: records.evidence_content(p, ev_id, session=s, store=store),
            ADMIN | EXPERT | ENT,
        ),
        "records.list_evidence": (lambda p, s: records.list_evidence(p, aid, session=s), ADMIN | EXPERT | ENT),
        "records.create_enterprise (浙江)": (
            lambda p, s: records.create_enterprise(p, session=s, name="新企业", province="浙江"),
            {"sysadmin", "admin_zj"},
        ),
        "records.create_factory": (
            lambda p, s: records.create_factory(p, w.enterprises["A"], "新工厂", "discrete", session=s),
            ENT,
        ),
        "records.create_assessment": (lambda p, s: records.create_assessment(p, _factory(s, aid), session=s), ENT),
        "records.require_enterprise_edit": (
            lambda p, s: records.require_enterprise_edit(p, s.get(Enterprise, w.enterprises["A"]), session=s),
            ENT,
        ),
        "records.require_region_edit": (lambda p, s: records.require_region_edit(p, "浙江", session=s), ADMIN),
        "records.list_assessments": (lambda p, s: records.list_assessments(p, session=s), ADMINS | EXPERTS_ALL | ENTS),
        "records.list_certificates": (lambda p, s: records.list_certificates(p, session=s), ADMINS | ENTS),
        "dashboard.applications_by_status": (lambda p, s: dashboard.applications_by_status(p, session=s), ADMINS),
        "dashboard.expert_workload": (lambda p, s: dashboard.expert_workload(p, session=s), ADMINS),
        "dashboard.approved_ranked": (lambda p, s: dashboard.approved_ranked(p, session=s), ADMINS),
        "service.province_recommendation": (
            lambda p, s: service.province_recommendation(p, "demo_factory_2023", session=s),
            ADMINS,
        ),
        "dashboard.calibration": (lambda p, s: dashboard.calibration(p, session=s), ADMINS),
        "dashboard.inbox": (lambda p, s: dashboard.inbox(p, session=s), set(WHO)),
        "accounts.add_user": (lambda p, s: add_user(p, "new_expert", "expert", session=s), {"sysadmin"}),
    }


def outcome(Session, call, p) -> str:
    with Session() as s:
        try:
            call(p, s)
        except AccessDenied:
            return "denied"
        except (ValueError, LookupError):  # refused for the state or the input: the access check passed
            return "allowed"
        finally:
            s.rollback()
    return "allowed"


def test_access_matrix(Session, case):
    w, *rest = case
    table = calls(w, *rest)
    wrong = []
    for name, (call, allowed) in table.items():
        for who in WHO:
            want = "allowed" if who in allowed else "denied"
            got = outcome(Session, call, w[who])
            if got != want:
                wrong.append(f"{name} by {who}: {got}, expected {want}")
    assert wrong == []
    with Session() as s:  # every refusal was audited, in a transaction of its own
        denied = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "denied"))
    assert denied == sum(len(WHO) - len(allowed) for _, allowed in table.values())


def test_refusal_names_the_object_and_is_logged(Session, case):
    w, settings, store, app_id, ev_id, rect_id = case
    with Session() as s:
        with pytest.raises(
            AccessDenied, match=r"拒绝访问：企业用户无权访问此评估（\d+） / access denied: this assessment \(\d+\) is outside"
        ):
            records.open_assessment(w["ent_b"], w.assessments["A"], session=s)
    with Session() as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "denied").order_by(AuditLog.seq.desc()).limit(1))
        assert (row.actor, row.entity, row.entity_id, row.detail["action"]) == (
            "ent_b",
            "assessment",
            str(w.assessments["A"]),
            "assessment.read",
        )


def test_lists_are_scoped(Session, case):
    w, settings, store, app_id, ev_id, rect_id = case
    with Session() as s:
        assert [a["id"] for a in wf.list_applications(w["ent_a"], session=s)] == [app_id]
        for who in ("ent_b", "ent_c", "admin_js", "expert4", "expert_js"):
            assert wf.list_applications(w[who], session=s) == [], who
        assert [a["id"] for a in wf.list_applications(w["expert1"], session=s)] == [app_id]
        assert {a["id"] for a in records.list_assessments(w["ent_a"], session=s)} == {w.assessments["A"]}
        assert {a["id"] for a in records.list_assessments(w["admin_zj"], session=s)} == {w.assessments["A"], w.assessments["B"]}
        assert {a["id"] for a in records.list_assessments(w["admin_js"], session=s)} == {w.assessments["C"]}
        assert {a["id"] for a in records.list_assessments(w["expert1"], session=s)} == {w.assessments["A"]}
        assert records.list_assessments(w["expert4"], session=s) == []
        assert [e["username"] for e in wf.list_experts(w["admin_js"], session=s)] == ["expert2", "expert_js"]


def test_every_action_of_the_matrix_is_used():
    import inspect

    from assessment import accounts, dashboard, records, workflow

    used = set()
    for mod in (workflow, records, dashboard, accounts):
        src = inspect.getsource(mod)
        used |= {a for a in MATRIX if f'"{a}"' in src}
    assert set(MATRIX) - used <= {"keys.manage", "audit.verify", "enterprise.read", "evidence.add"}


def test_province_admin_creates_enterprises_of_their_province_only(Session, case):
    w, *_ = case
    with Session.begin() as s:
        ent = records.create_enterprise(w["admin_zj"], session=s, name="浙江新企业")
        assert ent.province == "浙江"  # none given: the admin's own province
    with Session() as s, pytest.raises(AccessDenied, match="省份"):
        records.create_enterprise(w["admin_zj"], session=s, name="江苏新企业", province="江苏")


def test_an_assigned_expert_reads_the_evidence_and_the_read_is_audited(Session, case):
    w, settings, store, app_id, ev_id, rect_id = case
    with Session.begin() as s:
        assert [e["name"] for e in records.list_evidence(w["expert1"], w.assessments["A"], session=s)] == ["清单.pdf"]
        assert records.evidence_content(w["expert1"], ev_id, session=s, store=store) == ("清单.pdf", "application/pdf", PDF)
    with Session() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "evidence_read")).one()
        assert (row.actor, row.entity, row.entity_id) == ("expert1", "evidence", str(ev_id))
        with pytest.raises(AccessDenied):  # an expert of another application (or none) reads nothing
            records.evidence_content(w["expert4"], ev_id, session=s, store=store)
