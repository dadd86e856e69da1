"""首页 forms for every fact the rules read: 企业信息 (ownership, size, credit code, province …), the recommender's
region facts, and the assessment's 建设内容 / 建设成效. Numbers as people type them, refusals that change nothing,
saves against what the user saw (naming who changed it), and the walk from a failing reason to its form and back."""

from __future__ import annotations

import re

from apphelp import open_page
from conftest_app import new_app

from assessment.services import evaluation
from assessment.store import repository as repo
from assessment.store.orm import AuditLog, Enterprise
from assessment.tiers import load_tier_edition
from ui import state
from ui.services import backend

BASIC_ITEMS = [b.id for b in load_tier_edition("smart_factory/2025").data.build_content if b.tier == "basic"]


def _fresh(province: str | None = "天津") -> dict:
    """A new enterprise, factory and assessment (smart_factory/2025) selected in the session."""
    open_page("home")  # the backend (database, demo data) first
    with backend().Session.begin() as s:
        e = repo.create_enterprise(session=s, name="表单测试企业", actor="alice", province=province, employees=100)
        f = repo.create_factory(e.id, "一厂", "discrete", session=s, actor="alice")
        a = repo.create_assessment(f.id, session=s, actor="alice", tier_edition="smart_factory/2025")
        return {state.ENTERPRISE_ID: e.id, state.FACTORY_ID: f.id, state.ASSESSMENT_ID: a.id}


def _widget(widgets, prefix: str):
    return next(w for w in widgets if w.key and w.key.startswith(prefix))


def _enterprise(eid: int) -> Enterprise:
    with backend().Session() as s:
        return s.get(Enterprise, eid)


def test_enterprise_form_saves_numbers_as_typed(app_env):
    sel = _fresh()
    eid = sel[state.ENTERPRISE_ID]
    at = open_page("home", **sel)
    _widget(at.text_input, "ent_employees::").set_value("4,300")
    _widget(at.text_input, "ent_revenue::").set_value("６８００００")  # full-width digits
    _widget(at.selectbox, "ent_ownership::").set_value("local_soe")
    _widget(at.selectbox, "ent_above::").set_value(True)
    _widget(at.text_input, "ent_code::").set_value("91120000MA05000033")
    at.button(key=f"FormSubmitter:enterprise::{eid}-保存").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    e = _enterprise(eid)
    assert (e.employees, e.revenue_wan, e.ownership, e.above_scale, e.credit_code, e.updated_by) == (
        4300,
        680000.0,
        "local_soe",
        True,
        "91120000MA05000033",
        "访客",
    )
    assert any("已保存" in x.value for x in at.success)
    # the form shows the stored facts again: 4300 and 680000, not 4300.0
    assert _widget(at.text_input, "ent_employees::").value == "4300"
    assert _widget(at.text_input, "ent_revenue::").value == "680000"
    with backend().Session() as s:
        q = evaluation.evaluate(repo.get_assessment(sel[state.ASSESSMENT_ID], session=s)).declarations
    assert q.size_class is not None


def test_enterprise_form_refuses_bad_input_and_changes_nothing(app_env):
    sel = _fresh()
    eid = sel[state.ENTERPRISE_ID]
    version = _enterprise(eid).version
    for field, text, words in (
        ("ent_employees::", "abc", "从业人员"),
        ("ent_employees::", "12.5", "须为整数"),
        ("ent_revenue::", "-3", "营业收入不能为负数"),
    ):
        at = open_page("home", **sel)
        _widget(at.text_input, field).set_value(text)
        at.button(key=f"FormSubmitter:enterprise::{eid}-保存").click().run()
        assert not at.exception
        assert any(words in e.value for e in at.error), (text, [e.value for e in at.error])
        assert _widget(at.text_input, field).value == text  # the input stays
    at = open_page("home", **sel)
    _widget(at.text_input, "ent_code::").set_value("12345")
    at.button(key=f"FormSubmitter:enterprise::{eid}-保存").click().run()
    assert any("统一社会信用代码" in e.value and "String should" not in e.value for e in at.error), [e.value for e in at.error]
    e = _enterprise(eid)
    assert (e.version, e.employees, e.credit_code) == (version, 100, None)


def test_enterprise_form_conflict_names_who_and_keeps_the_input(app_env):
    sel = _fresh()
    eid = sel[state.ENTERPRISE_ID]
    at = open_page("home", **sel)
    with backend().Session.begin() as s:  # bob saves the enterprise's facts after the form was shown
        repo.update_enterprise(s.get(Enterprise, eid), session=s, actor="bob", employees=900)
    _widget(at.text_input, "ent_employees::").set_value("350")
    at.button(key=f"FormSubmitter:enterprise::{eid}-保存").click().run()
    assert not at.exception
    assert any("bob" in w.value for w in at.warning), [w.value for w in at.warning]
    assert _enterprise(eid).employees == 900
    assert _widget(at.text_input, "ent_employees::").value == "350"
    at.button(key=f"enterprise_keep::{eid}").click().run()
    assert not at.exception
    assert _enterprise(eid).employees == 350


def test_enterprise_and_compliance_forms_do_not_conflict_with_each_other(app_env):
    """Two forms on the same enterprise: saving one does not make the other refuse the same user's next save."""
    sel = _fresh()
    eid = sel[state.ENTERPRISE_ID]
    at = open_page("home", **sel)
    _widget(at.selectbox, "ent_ownership::").set_value("private")
    at.button(key=f"FormSubmitter:enterprise::{eid}-保存").click().run()
    _widget(at.selectbox, "fact_good_credit::").set_value(True)
    at.button(key=f"FormSubmitter:facts::{eid}-保存").click().run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    e = _enterprise(eid)
    assert e.ownership == "private" and e.compliance.get("good_credit") is True


def test_region_form_sets_the_quota_facts_of_the_province(app_env):
    sel = _fresh(province="天津")
    aid = sel[state.ASSESSMENT_ID]
    at = open_page("home", **sel)
    _widget(at.text_input, "reg_rank::天津::").set_value("１５")
    _widget(at.text_input, "reg_pilots::天津::").set_value("320")
    at.button(key="FormSubmitter:region::天津-保存推荐单位信息").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with backend().Session() as s:
        row = repo.get_region("天津", session=s)
        assert (row.kind, row.iva_rank, row.cumulative_provincial_pilots, row.updated_by) == ("province", 15, 320, "访客")
        q = evaluation.evaluate(repo.get_assessment(aid, session=s)).declarations.programmes["excellent_tier_2025"].quota
        assert q.value == 30
    # bob changes it meanwhile: refused naming bob; the stored facts stay
    at = open_page("home", **sel)
    with backend().Session.begin() as s:
        repo.set_region("天津", session=s, expected_version=1, actor="bob", iva_rank=9)
    _widget(at.text_input, "reg_rank::天津::").set_value("25")
    at.button(key="FormSubmitter:region::天津-保存推荐单位信息").click().run()
    assert any("bob" in w.value for w in at.warning), [w.value for w in at.warning]
    with backend().Session() as s:
        assert repo.get_region("天津", session=s).iva_rank == 9
    # a rank of 0 is refused in words, nothing changes
    at = open_page("home", **sel)
    _widget(at.text_input, "reg_rank::天津::").set_value("0")
    at.button(key="FormSubmitter:region::天津-保存推荐单位信息").click().run()
    assert any("工业增加值全国排名无效" in e.value for e in at.error), [e.value for e in at.error]


def test_region_form_asks_for_the_province_first(app_env):
    sel = _fresh(province=None)
    at = open_page("home", **sel)
    assert any("请先在「企业信息」中填写省份" in x.value for x in at.info)
    assert not [w for w in at.text_input if w.key and w.key.startswith("reg_")]


def _results_links(sel: dict) -> list[str]:
    at = open_page("results", **sel)
    return [p.proto.query_string for p in at.get("page_link")]


def _basic_tier_reasons(sel: dict) -> list[tuple[str, str]]:
    """(message, where to fix) of every reason the results page lists under 基础级."""
    res = open_page("results", **sel)
    basic = next(x for x in res.expander if x.label.startswith("基础级"))
    return [(row["说明"], row["填写位置"]) for df in basic.dataframe for row in df.value.to_dict("records")]


def test_build_content_walk_from_the_reason_to_the_form_and_back(app_env):
    """The basic tier's build-content rule fails as not declared; its reason links to 首页 ?focus=build; the form
    there, opened by the link, saves the items; the rule is then met."""
    sel = _fresh()
    aid = sel[state.ASSESSMENT_ID]

    def basic_rule():
        with backend().Session() as s:
            ev = evaluation.evaluate(repo.get_assessment(aid, session=s))
        return next(c for c in ev.tiers.tiers["basic"].checks if c.rule == "sf2025.basic.build_content")

    assert not basic_rule().met
    build_reasons = [m for m, where in _basic_tier_reasons(sel) if where == "首页 → 建设内容与建设成效"]
    assert any("已声明完成建设内容 0/" in m for m in build_reasons) and any("尚未声明达到该建设成效" in m for m in build_reasons)
    assert f"assessment={aid}&focus=build" in _results_links(sel)
    # follow the link: the URL opens the home page with the build section open
    at = new_app()
    at.query_params["assessment"] = str(aid)
    at.query_params["focus"] = "build"
    at.run()
    assert not at.exception
    build = next(x for x in at.expander if x.label.startswith("建设内容与建设成效"))
    assert build.proto.expanded
    boxes = {w.key.split("::")[0]: w for w in at.checkbox if w.key and w.key.startswith(("bc_", "oc_"))}
    assert len(boxes) == len(load_tier_edition("smart_factory/2025").data.build_content) + 4
    for item in BASIC_ITEMS:
        boxes[f"bc_{item}"].check()
    boxes["oc_sf2025.outcome.basic"].check()
    at.button(key=f"FormSubmitter:build::{aid}-保存").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert basic_rule().met
    with backend().Session() as s:
        state_now = repo.build_facts_state(repo.get_assessment(aid, session=s))
        actor = s.query(AuditLog).filter(AuditLog.action == "set_build_facts").one().actor
    assert all(state_now["build_content"][i] is True for i in BASIC_ITEMS) and actor == "访客"
    assert state_now["outcomes"]["sf2025.outcome.basic"] is True
    assert state_now["outcomes"]["sf2025.outcome.leading"] is False  # seen and left unticked: recorded as no
    # back on the results page the basic tier has no build-content or outcome advisory left
    assert not [m for m, where in _basic_tier_reasons(sel) if where == "首页 → 建设内容与建设成效"]


def test_build_form_conflict_names_who(app_env):
    sel = _fresh()
    aid = sel[state.ASSESSMENT_ID]
    at = open_page("home", **sel)
    with backend().Session.begin() as s:
        repo.set_build_facts(aid, {BASIC_ITEMS[0]: True}, {}, session=s, actor="bob")
    _widget(at.checkbox, f"bc_{BASIC_ITEMS[1]}::").check()
    at.button(key=f"FormSubmitter:build::{aid}-保存").click().run()
    assert any("bob" in w.value for w in at.warning), [w.value for w in at.warning]
    with backend().Session() as s:
        assert repo.build_facts_state(repo.get_assessment(aid, session=s))["build_content"] == {BASIC_ITEMS[0]: True}
    assert _widget(at.checkbox, f"bc_{BASIC_ITEMS[1]}::").value is True  # the user's tick stays
    at.button(key=f"build_keep::{aid}").click().run()
    with backend().Session() as s:
        got = repo.build_facts_state(repo.get_assessment(aid, session=s))["build_content"]
    assert got[BASIC_ITEMS[1]] is True and got[BASIC_ITEMS[0]] is False  # mine over theirs, as the user chose


def test_forms_in_english(app_env):
    sel = _fresh()
    eid = sel[state.ENTERPRISE_ID]
    at = open_page("home", **sel, **{state.LANG: "en"})
    _widget(at.text_input, "ent_employees::").set_value("many")
    at.button(key=f"FormSubmitter:enterprise::{eid}-Save").click().run()
    errors = [e.value for e in at.error]
    assert errors and all("employees" in e and "not a number" in e and not re.search(r"[\u4e00-\u9fff]", e) for e in errors), (
        errors
    )
    labels_ = [w.label for w in at.checkbox if w.key and w.key.startswith("bc_")]
    assert labels_ and not any("建设" in x for x in labels_)
