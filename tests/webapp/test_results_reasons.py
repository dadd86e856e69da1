"""结果 page: every failing rule reads as a sentence with a link to the form where its fact is entered; a rule that
asks for a self-assessed tier this assessment meets offers to record it; closed programmes wait behind a toggle."""

from __future__ import annotations

from datetime import date

from apphelp import demo_ids, open_page
from sqlalchemy import select

from assessment.store.orm import TierAward
from ui import state
from ui.services import backend


def _sentences(at, column: str) -> list[str]:
    return [x for df in at.dataframe if column in df.value.columns for x in df.value[column]]


def _links(at) -> list[tuple[str, str]]:
    return [(p.proto.label, p.proto.query_string) for p in at.get("page_link")]


def test_reasons_are_sentences_with_a_link_to_the_form(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    at = open_page("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    said = _sentences(at, "说明")
    assert (
        "行业领军，智能制造水平全球领先：「智能制造水平」为“国内领先”，要求为“全球领先”（在「首页 → 企业合规与申报事实」填写）。"
        in said
    )
    assert (
        "应用人工智能的场景占比不低于60%：应用人工智能的场景实例占25%，要求不低于60%（在「场景与指标 → 已实施的场景实例」填写）。"
        in said
    )
    assert not any(x in s for s in said for x in ("domestic_leading", "0.25", "None", "{'op'", "sf2025."))
    links = _links(at)
    assert ("去填写：首页 → 企业合规与申报事实", f"assessment={aid}&focus=facts") in links
    assert ("去填写：场景与指标 → 已实施的场景实例", f"assessment={aid}&focus=scenarios") in links

    at = open_page("results", **{state.LANG: "en", state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    said = _sentences(at, "Message")
    assert (
        "Industry leader; smart manufacturing leads the world: smart-manufacturing standing is leading in China; "
        "required: globally leading (entered at Home → Compliance and declaration facts)."
    ) in said
    assert ("Fix at: Home → Compliance and declaration facts", f"assessment={aid}&focus=facts&lang=en") in _links(at)


def test_an_assessment_meeting_basic_offers_to_record_it_for_the_advanced_rule(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    with backend().Session.begin() as s:  # as if no tier were on record yet
        for award in s.scalars(select(TierAward).where(TierAward.factory_id == fac)).all():
            s.delete(award)
    at = open_page("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert "先进级 — 不满足" in [e.label for e in at.expander]
    said = _sentences(at, "说明")
    assert (
        "已完成基础级智能工厂自评估：已登记获得的层级为“无”，要求已获得基础级；本次评估已满足基础级全部条件，可作为基础级自评估："
        "登记后此条即满足（在「首页 → 已获得的智能工厂层级」填写）。"
    ) in said
    year = date.today().year
    button = next(b for b in at.button if b.label == f"登记本次评估为基础级自评估（{year}年）")
    button.click().run()
    assert not at.exception
    with backend().Session() as s:
        awards = [(a.tier, a.year) for a in s.scalars(select(TierAward).where(TierAward.factory_id == fac))]
    assert awards == [("basic", year)]
    assert "先进级 — 满足" in [e.label for e in at.expander]  # the rule is met now: no contradiction left
    assert any(f"已登记基础级自评估（{year}年）" in x.value for x in at.success)


def test_closed_programmes_are_behind_a_toggle_and_marked(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    at = open_page("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    closed = [e.label for e in at.expander if "已截止" in e.label]
    assert not closed  # hidden until asked for (every shipped programme's deadline has passed)
    assert any("目前没有开放申报的项目" in x.value for x in at.info)
    at.toggle(key="show_closed").set_value(True).run()
    closed = [e.label for e in at.expander if "已截止" in e.label]
    assert len(closed) == 10 and closed[0].startswith("卓越级智能工厂（2025年） · 已截止")
