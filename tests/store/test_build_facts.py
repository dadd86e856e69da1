"""Build content and outcomes (建设内容, 建设成效) per assessment, the recommender's region facts and the enterprise's
facts: stored, checked, saved against what the user saw, read by build_profile and carried by bundles. On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from assessment.services import evaluation
from assessment.store import bundle as bundles
from assessment.store import repository as repo
from assessment.store.orm import AuditLog, Enterprise
from assessment.tiers import load_tier_edition

EDITION = load_tier_edition("smart_factory/2025")
BASIC_ITEMS = [b.id for b in EDITION.data.build_content if b.tier == "basic"]
ADVANCED_ITEMS = [b.id for b in EDITION.data.build_content if b.tier == "advanced"]
OUTCOME_BASIC = "sf2025.outcome.basic"


def _setup(Session, province: str | None = "天津") -> tuple[int, int, int]:
    with Session.begin() as s:
        e = repo.create_enterprise(session=s, name="建设内容测试企业", actor="alice", province=province)
        f = repo.create_factory(e.id, "一厂", "discrete", session=s, actor="alice")
        a = repo.create_assessment(f.id, session=s, actor="alice", tier_edition="smart_factory/2025")
        return e.id, f.id, a.id


def _check(Session, aid: int, rule: str):
    with Session() as s:
        ev = evaluation.evaluate(repo.get_assessment(aid, session=s))
    return next(c for t in ev.tiers.tiers.values() for c in t.checks if c.rule == rule)


def test_build_content_and_outcomes_round_trip_and_reach_the_rules(Session):
    _, _, aid = _setup(Session)
    before = _check(Session, aid, "sf2025.basic.build_content")
    assert not before.met and before.observed == f"0/{len(BASIC_ITEMS)}"
    assert _check(Session, aid, "sf2025.basic.outcome").observed == {OUTCOME_BASIC: None}  # 未提供
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        seen, v0 = repo.build_facts_state(a), a.version
    assert seen == {"build_content": {}, "outcomes": {}}
    with Session.begin() as s:
        v1 = repo.set_build_facts(
            aid,
            {i: True for i in BASIC_ITEMS} | {ADVANCED_ITEMS[0]: False, ADVANCED_ITEMS[1]: None},
            {OUTCOME_BASIC: True},
            session=s,
            expected=seen,
            expected_version=v0,
            actor="alice",
        )
    assert v1 == v0 + 1
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        state = repo.build_facts_state(a)
        profile = evaluation.build_profile(a)
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "set_build_facts")).one()
    # None (not given) is not stored; False (declared not done) is
    assert state["build_content"] == {i: True for i in BASIC_ITEMS} | {ADVANCED_ITEMS[0]: False}
    assert state["outcomes"] == {OUTCOME_BASIC: True}
    assert profile.build_content == state["build_content"] and profile.outcomes == {OUTCOME_BASIC: True}
    assert entry.actor == "alice" and entry.detail["count"] == len(BASIC_ITEMS) + 2
    assert _check(Session, aid, "sf2025.basic.build_content").met
    assert _check(Session, aid, "sf2025.basic.outcome").met
    # the same facts again: no new version, no audit entry
    with Session.begin() as s:
        assert repo.set_build_facts(aid, state["build_content"], state["outcomes"], session=s, expected=state) == v1
    with Session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "set_build_facts")) == 1


def test_build_facts_conflict_names_who_and_saves_nothing(Session):
    _, _, aid = _setup(Session)
    seen = {"build_content": {}, "outcomes": {}}
    with Session.begin() as s:
        repo.set_build_facts(aid, {BASIC_ITEMS[0]: True}, {}, session=s, expected=seen, actor="bob")
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.set_build_facts(aid, {BASIC_ITEMS[1]: True}, {OUTCOME_BASIC: True}, session=s, expected=seen, actor="alice")
    assert "bob" in str(err.value) and err.value.changes[0].by == "bob"
    with Session() as s:
        assert repo.build_facts_state(repo.get_assessment(aid, session=s)) == {
            "build_content": {BASIC_ITEMS[0]: True},
            "outcomes": {},
        }
    # a KPI saved meanwhile by someone else is not a conflict for this form
    current = {"build_content": {BASIC_ITEMS[0]: True}, "outcomes": {}}
    with Session.begin() as s:
        repo.set_kpis(aid, {"productivity_up": {"value": 12.0}}, session=s, actor="carol")
    with Session.begin() as s:
        repo.set_build_facts(aid, {BASIC_ITEMS[0]: True, BASIC_ITEMS[1]: True}, {}, session=s, expected=current, actor="alice")


@pytest.mark.parametrize(
    "bc, oc, words",
    [
        ({"sf2024.bc.basic.factory_build": True}, {}, "不属于 smart_factory/2025"),
        ({}, {"sf2025.outcome.nope": True}, "不属于 smart_factory/2025"),
        ({BASIC_ITEMS[0]: "yes"}, {}, "是/否/空"),
        ({BASIC_ITEMS[0]: 1}, {}, "是/否/空"),
    ],
)
def test_build_facts_refuses_unknown_ids_and_non_booleans(Session, bc, oc, words):
    _, _, aid = _setup(Session)
    with pytest.raises(ValueError) as err, Session.begin() as s:
        repo.set_build_facts(aid, {BASIC_ITEMS[1]: True} | bc, oc, session=s, actor="alice")
    assert words in str(err.value) and " / " in str(err.value) and "\n" not in str(err.value)
    with Session() as s:
        assert repo.build_facts_state(repo.get_assessment(aid, session=s)) == {"build_content": {}, "outcomes": {}}


def test_region_facts_per_province_reach_the_quota(Session):
    _, _, aid = _setup(Session, province="天津")
    with Session() as s:
        q = evaluation.evaluate(repo.get_assessment(aid, session=s)).declarations.programmes["excellent_tier_2025"].quota
        assert q.value is None and "iva_rank" in q.note
        assert repo.get_region("天津", session=s) is None
    with Session.begin() as s:
        r = repo.set_region(
            "天津", session=s, expected_version=0, actor="alice", kind="province", iva_rank=15, cumulative_provincial_pilots=320
        )
        assert r.version == 1
    with Session() as s:
        a = repo.get_assessment(aid, session=s)
        assert evaluation.build_profile(a).region.iva_rank == 15
        q = evaluation.evaluate(a).declarations.programmes["excellent_tier_2025"].quota
        assert (q.value, q.observed) == (30, 15)
    # bob changes the record; alice's form (version 1) is refused naming bob, nothing saved
    with Session.begin() as s:
        repo.set_region("天津", session=s, expected_version=1, actor="bob", iva_rank=8)
    with pytest.raises(repo.EditConflict) as err, Session.begin() as s:
        repo.set_region("天津", session=s, expected_version=1, actor="alice", iva_rank=30)
    assert "bob" in str(err.value)
    # a second "first record" of the same region is a conflict too
    with pytest.raises(repo.EditConflict), Session.begin() as s:
        repo.set_region("天津", session=s, expected_version=0, actor="carol", iva_rank=1)
    with Session() as s:
        row = repo.get_region("天津", session=s)
        assert (row.iva_rank, row.cumulative_provincial_pilots, row.updated_by, row.version) == (8, 320, "bob", 2)
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "set_region")) == 2


@pytest.mark.parametrize(
    "facts, words",
    [
        ({"iva_rank": 0}, "工业增加值全国排名无效"),
        ({"excellent_count": -1}, "卓越级智能工厂数量无效"),
        ({"kind": "county"}, "推荐单位类型无效"),
    ],
)
def test_region_refuses_bad_facts(Session, facts, words):
    with pytest.raises(ValueError) as err, Session.begin() as s:
        repo.set_region("江苏", session=s, expected_version=0, actor="alice", **facts)
    assert words in str(err.value) and " / " in str(err.value)
    with Session() as s:
        assert repo.get_region("江苏", session=s) is None


def test_enterprise_facts_checked_in_both_languages(Session):
    eid, _, _ = _setup(Session)
    with Session.begin() as s:
        other = repo.create_enterprise(session=s, name="另一企业", credit_code="91330400MA2B000011").id
    with Session() as s:
        version = s.get(Enterprise, eid).version
    for fields, words in (
        ({"credit_code": "91330400MA2B000011"}, "已存在"),
        ({"credit_code": "123"}, "统一社会信用代码（18 位）"),
        ({"employees": -5}, "从业人员"),
    ):
        with pytest.raises(ValueError) as err, Session.begin() as s:
            repo.update_enterprise(s.get(Enterprise, eid), session=s, actor="alice", expected_version=version, **fields)
        assert words in str(err.value) and " / " in str(err.value), str(err.value)
    with Session.begin() as s:
        repo.update_enterprise(
            s.get(Enterprise, eid),
            session=s,
            actor="alice",
            expected_version=version,
            ownership="private",
            employees=260,
            revenue_wan=18000.0,
            above_scale=True,
            legal_person=True,
            credit_code="91120000MA05000033",
            industry_group="equipment",
        )
    with Session() as s:
        e = s.get(Enterprise, eid)
        assert (e.ownership, e.employees, e.credit_code, e.version) == ("private", 260, "91120000MA05000033", version + 1)
        assert s.get(Enterprise, other).credit_code == "91330400MA2B000011"


def test_bundle_carries_build_content_and_outcomes(Session, store):
    _, _, aid = _setup(Session)
    with Session() as s:
        plain_digest = repo.assessment_digest(repo.get_assessment(aid, session=s))
    with Session.begin() as s:
        repo.set_build_facts(aid, {BASIC_ITEMS[0]: True, BASIC_ITEMS[1]: False}, {OUTCOME_BASIC: True}, session=s, actor="alice")
    with Session() as s:
        src = repo.get_assessment(aid, session=s)
        digest = repo.assessment_digest(src)
        data = bundles.export_bundle(aid, session=s, store=store)
    assert digest != plain_digest  # the digest covers them once given
    doc = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("assessment.json"))
    assert doc["build_content"] == {BASIC_ITEMS[0]: True, BASIC_ITEMS[1]: False} and doc["outcomes"] == {OUTCOME_BASIC: True}
    with Session.begin() as s:
        new_id = bundles.import_bundle(data, session=s, store=store, mode="copy", actor="bob").id
    with Session() as s:
        b = repo.get_assessment(new_id, session=s)
        assert repo.build_facts_state(b) == {
            "build_content": {BASIC_ITEMS[0]: True, BASIC_ITEMS[1]: False},
            "outcomes": {OUTCOME_BASIC: True},
        }
        assert repo.assessment_digest(b) == digest


def _rezip(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    doc = json.loads(src.read("assessment.json"))
    change(doc)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info, json.dumps(doc, ensure_ascii=False) if info.filename == "assessment.json" else src.read(info))
    return out.getvalue()


def test_bundle_refuses_unknown_or_altered_build_facts(Session, store):
    _, _, aid = _setup(Session)
    with Session() as s:
        data = bundles.export_bundle(aid, session=s, store=store)
    old = _rezip(data, lambda d: (d.pop("build_content"), d.pop("outcomes")))  # written before they were stored
    with Session() as s:
        assert bundles.inspect_bundle(old, session=s).doc.build_content == {}
    cases = [
        (lambda d: d["build_content"].update({"sf2025.bc.nope": True}), "不属于 smart_factory/2025"),
        (lambda d: d["outcomes"].update({OUTCOME_BASIC: "yes"}), "outcomes"),
        (lambda d: d["outcomes"].update({OUTCOME_BASIC: True}), "校验值"),
    ]  # altered after export
    for change, words in cases:
        with pytest.raises(bundles.BundleError) as err, Session() as s:
            bundles.inspect_bundle(_rezip(data, change), session=s)
        assert words in str(err.value), str(err.value)
