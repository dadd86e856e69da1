"""Every form's save is checked against what the user saw: a change by someone else to the same thing is a conflict
that names who and when and saves nothing; a change to something else is not a conflict. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assessment.services import evaluation
from assessment.store import repository as repo
from assessment.store.orm import Answer, AuditLog, Enterprise, Factory, KpiRecord

R1, R2 = "gbt39116_2020:data:L1:01", "gbt39116_2020:data:L1:02"


def _setup(Session) -> tuple[int, int, int]:
    with Session.begin() as s:
        e = repo.create_enterprise(session=s, name="冲突测试企业", actor="alice")
        f = repo.create_factory(e.id, "一厂", "discrete", session=s, actor="alice")
        a = repo.create_assessment(f.id, session=s, actor="alice")
        return e.id, f.id, a.id


def test_answer_saved_against_what_the_user_saw(Session):
    _, _, aid = _setup(Session)
    with Session.begin() as s:
        repo.save_answers(aid, {R1: {"grade": "full"}}, session=s, expected={R1: (None, None)}, actor="alice")
    # bob changes R1; alice, who still sees "full", chooses "partial": refused, naming bob, nothing saved
    with Session.begin() as s:
        repo.save_answers(
            aid, {R1: {"grade": "none", "note": "核查后不满足"}}, session=s, expected={R1: ("full", None)}, actor="bob"
        )
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.save_answers(aid, {R1: {"grade": "partial"}}, session=s, expected={R1: ("full", None)}, actor="alice")
    assert "bob" in str(err.value)
    (change,) = err.value.changes
    assert change.item == R1 and change.value == ("none", "核查后不满足") and change.by == "bob" and change.at is not None
    # a change to another answer is not a conflict
    with Session.begin() as s:
        repo.save_answers(aid, {R2: {"grade": "largely"}}, session=s, expected={R2: (None, None)}, actor="alice")
    with Session() as s:
        got = repo.answers_of(repo.get_assessment(aid, session=s))
        assert (got[R1].grade, got[R1].note, got[R2].grade) == ("none", "核查后不满足", "largely")
    # keeping mine after seeing theirs: expected = theirs
    with Session.begin() as s:
        repo.save_answers(
            aid,
            {R1: {"grade": "partial"}},
            session=s,
            expected={R1: ("none", "核查后不满足")},
            actor="alice",
            action="save_answers_over_conflict",
        )
    with Session() as s:
        assert repo.answers_of(repo.get_assessment(aid, session=s))[R1].grade == "partial"
        actions = s.scalars(select(AuditLog.action).where(AuditLog.entity == "assessment").order_by(AuditLog.id)).all()
    assert actions[-1] == "save_answers_over_conflict"


def test_unchanged_saves_write_nothing(Session):
    _, _, aid = _setup(Session)
    with Session.begin() as s:
        v0 = repo.get_assessment(aid, session=s).version
        assert repo.set_scenarios(aid, [], session=s, expected=[]) == v0
        assert repo.set_kpis(aid, {}, session=s, expected={}) == v0
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.in_(["set_kpis", "set_scenarios"]))) == 0


def test_kpi_form_conflicts_only_on_kpis(Session):
    _, _, aid = _setup(Session)
    with Session() as s:
        seen_k, seen_s = repo.kpi_state(repo.get_assessment(aid, session=s)), []
    # bob answers a question meanwhile: alice's KPI save still goes through (this was the lost update)
    with Session.begin() as s:
        repo.save_answers(aid, {R1: {"grade": "full"}}, session=s, actor="bob")
    with Session.begin() as s:
        repo.set_scenarios(aid, [], session=s, expected=seen_s, actor="alice")
        repo.set_kpis(aid, {"productivity_up": {"value": 12.0, "period": "2023-2025"}}, session=s, expected=seen_k, actor="alice")
    with Session() as s:
        assert s.scalar(select(KpiRecord.value).where(KpiRecord.assessment_id == aid)) == 12.0
    # bob changes the KPIs; alice's stale form is refused and names bob
    with Session.begin() as s:
        repo.set_kpis(aid, {"productivity_up": {"value": 15.0}}, session=s, actor="bob")
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.set_kpis(
            aid,
            {"productivity_up": {"value": 13.0}},
            session=s,
            expected={"productivity_up": {"value": 12.0, "period": "2023-2025"}},
            actor="alice",
        )
    assert err.value.changes[0].by == "bob"
    with Session() as s:
        assert s.scalar(select(KpiRecord.value).where(KpiRecord.assessment_id == aid)) == 15.0


@pytest.mark.parametrize("bad", [True, float("inf"), float("nan"), "12", 1e13])
def test_kpi_values_must_be_finite_numbers(Session, bad):
    _, _, aid = _setup(Session)
    with pytest.raises(ValueError, match="productivity_up"), Session.begin() as s:
        repo.set_kpis(aid, {"productivity_up": {"value": bad}}, session=s)
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(KpiRecord)) == 0


def test_compliance_facts_are_version_checked(Session):
    eid, _, _ = _setup(Session)
    with Session() as s:
        shown = s.get(Enterprise, eid).version
    with Session.begin() as s:
        repo.update_enterprise(
            s.get(Enterprise, eid), session=s, actor="bob", expected_version=shown, compliance={"good_credit": True}
        )
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.update_enterprise(
            s.get(Enterprise, eid),
            session=s,
            actor="alice",
            expected_version=shown,
            compliance={"good_credit": False, "violations_3y": False},
        )
    assert "bob" in str(err.value)
    with Session() as s:
        e = s.get(Enterprise, eid)
        assert e.compliance == {"good_credit": True} and e.updated_by == "bob" and e.version == shown + 1


def test_factory_rename_archive_and_restore(Session):
    eid, fid, aid = _setup(Session)
    with Session() as s:
        v = s.get(Factory, fid).version
    with Session.begin() as s:
        repo.update_factory(fid, session=s, expected_version=v, actor="alice", name="二号工厂", address="天津市滨海新区")
    with pytest.raises(repo.EditConflict), Session.begin() as s:
        repo.update_factory(fid, session=s, expected_version=v, actor="bob", name="三号工厂")
    with Session.begin() as s:
        av = repo.get_assessment(aid, session=s).version
        repo.rename_assessment(aid, "2025 年度自评估", session=s, expected_version=av, actor="alice")
        repo.set_archived("assessment", aid, True, session=s, actor="alice")
        repo.set_archived("factory", fid, True, session=s, actor="alice")
    with Session() as s:
        f = s.get(Factory, fid)
        assert f.name == "二号工厂" and f.archived_at is not None
        assert repo.get_assessment(aid, session=s).title == "2025 年度自评估"
        assert s.scalar(select(func.count()).select_from(Answer)) == 0  # nothing deleted by archiving
    with Session.begin() as s:
        repo.set_archived("factory", fid, False, session=s, actor="alice")
    with Session() as s:
        assert s.get(Factory, fid).archived_at is None
        trail = s.scalars(select(AuditLog.action).where(AuditLog.entity == "factory").order_by(AuditLog.id)).all()
    assert trail == ["create", "update", "archive", "restore"]


def test_copy_from_previous_assessment_fills_only_unanswered(Session, store):
    _, fid, first = _setup(Session)
    with Session.begin() as s:
        repo.save_answers(
            first, {R1: {"grade": "full", "note": "制度已发布"}, R2: {"grade": "na", "note": "无此业务"}}, session=s
        )
        repo.add_evidence(
            first,
            R1,
            "制度.pdf",
            b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
            session=s,
            store=store,
            max_bytes=10**6,
        )
        second = repo.create_assessment(fid, session=s, title="2026 年度").id
        repo.save_answers(second, {R2: {"grade": "partial"}}, session=s, actor="alice")  # already answered here: kept
    with Session.begin() as s:
        assert repo.previous_assessment(second, session=s).id == first
        copied, links = repo.copy_from_assessment(second, first, session=s, actor="alice")
    assert (copied, links) == (1, 1)
    with Session() as s:
        a = repo.get_assessment(second, session=s)
        got = repo.answers_of(a)
        assert (got[R1].grade, got[R1].note) == ("full", "制度已发布") and got[R2].grade == "partial"
        assert [(v.requirement_id, v.original_name) for v in a.evidence] == [(R1, "制度.pdf")]
    with Session.begin() as s:  # a second copy changes nothing
        assert repo.copy_from_assessment(second, first, session=s) == (0, 0)


def test_supply_chain_switch_is_stored_and_reaches_the_profile(Session):
    _, _, aid = _setup(Session)
    with Session.begin() as s:
        a = repo.get_assessment(aid, session=s)
        digest_before = repo.assessment_digest(a)
        repo.set_scenarios(aid, [{"scenario": "sg2025-s01", "name": "数字化设计"}], session=s)
        a = repo.get_assessment(aid, session=s)
        plain_digest = repo.assessment_digest(a)
        repo.set_scenarios(
            aid,
            [{"scenario": "sg2025-s01", "name": "数字化设计", "supply_chain": True}],
            session=s,
            expected=repo.scenario_state(a),
        )
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        assert repo.scenario_state(a)[0]["supply_chain"] is True
        assert evaluation.build_profile(a).scenarios.instances[0].supply_chain is True
        assert repo.assessment_digest(a) not in (digest_before, plain_digest)
    with pytest.raises(ValueError, match="supply_chain"), Session.begin() as s:
        repo.set_scenarios(aid, [{"scenario": "sg2025-s01", "supply_chain": "yes"}], session=s)


def test_a_stale_facts_form_is_told_what_changed(Session):
    """Who changed the factory's or the enterprise's facts, and what: each field with its value then and now (from
    the audit trail), in each language's half of the message, so 保留我的修改 is chosen knowing what it overwrites."""
    eid, fid, _ = _setup(Session)
    with Session() as s:
        fv, ev = s.get(Factory, fid).version, s.get(Enterprise, eid).version
    with Session.begin() as s:
        repo.update_factory(fid, session=s, expected_version=fv, actor="张工", sub_sector="通用 / 专用设备")
        repo.update_enterprise(
            s.get(Enterprise, eid), session=s, expected_version=ev, actor="张工", compliance={"good_credit": True}
        )
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.update_factory(fid, session=s, expected_version=fv, actor="李工", address="嘉兴市某路 1 号")
    assert err.value.parts == (
        f"工厂信息已被 张工 于 {repo._when(err.value.changes[0].at)} 修改（细分行业：未提供 → 通用 / 专用设备），您的修改尚未保存",
        f"the factory's facts was changed by 张工 at {repo._when(err.value.changes[0].at)} "
        "(sub-sector: not provided → 通用 / 专用设备); your change is not saved yet",
    )
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.update_enterprise(s.get(Enterprise, eid), session=s, expected_version=ev, actor="李工", province="浙江")
    zh, en = err.value.parts
    assert "张工" in zh and "（信用记录良好、未列入严重失信名单：未提供 → 是）" in zh, zh
    assert "(a good credit record: not provided → Yes)" in en, en
    with Session() as s:
        f, e = s.get(Factory, fid), s.get(Enterprise, eid)
        assert (f.address, f.sub_sector, e.province, e.compliance) == (None, "通用 / 专用设备", None, {"good_credit": True})
