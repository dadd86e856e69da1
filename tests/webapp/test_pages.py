"""One AppTest test (or more) per page, on the real app and database."""

from __future__ import annotations

import pytest
from apphelp import demo_ids as _demo_ids
from apphelp import open_page as _open
from apphelp import shown

from assessment import labels
from assessment.editions import load_maturity_cached
from assessment.services import evaluation
from assessment.store import repository as repo
from ui import state
from ui.services import backend


def test_navigation_and_home_with_demo_data(app_env):
    at = _open("home")
    assert "智能制造成熟度与智能工厂评估" in at.title[0].value
    labels = at.selectbox[0].options
    assert sum("【示例】" in x for x in labels) == 3  # three demo enterprises, clearly labelled


def by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_create_enterprise_factory_and_assessment(app_env):
    at = _open("home")
    by_label(at.text_input, "企业名称 *").set_value("测试新企业有限公司")
    at.button(key="FormSubmitter:new_enterprise-创建企业").click().run()
    assert not at.exception
    assert at.selectbox[0].value == at.session_state[state.ENTERPRISE_ID]
    assert (
        "测试新企业有限公司" in at.selectbox[0].format_func(at.selectbox[0].value)
        if hasattr(at.selectbox[0], "format_func")
        else any("测试新企业有限公司" in x for x in at.selectbox[0].options)
    )
    by_label(at.text_input, "工厂名称 *").set_value("一号车间")
    at.button(key="FormSubmitter:new_factory-创建工厂").click().run()
    assert not at.exception
    assert at.session_state[state.FACTORY_ID] is not None
    at.button(key="FormSubmitter:new_assessment-开始评估").click().run()
    assert not at.exception
    assert at.session_state[state.ASSESSMENT_ID] is not None


def test_empty_enterprise_name_refused(app_env):
    at = _open("home")
    at.button(key="FormSubmitter:new_enterprise-创建企业").click().run()
    assert any("企业名称不能为空" in e.value for e in at.error)


def test_assess_page_saves_on_change(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.title[0].value == "自评估"
    radios = [r for r in at.radio if r.key and r.key.startswith(f"g::{aid}::")]
    with backend().Session() as s:
        a = repo.get_assessment(aid, session=s)
        ed = load_maturity_cached(a.maturity_edition)
        first = [r.id for r in ed.applicable_requirements(a.industry_type) if ed.req_subdomain[r.id] == next(iter(ed.subdomains))]
    assert [r.key.split("::")[2] for r in radios] == first  # one sub-domain at a time, every applicable requirement
    rid = radios[0].key.split("::")[2]
    radios[0].set_value("partial").run()
    assert not at.exception
    with backend().Session() as s:
        assert repo.answers_of(repo.get_assessment(aid, session=s))[rid].grade == "partial"


def test_assess_page_reports_concurrent_edit(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    radios = [r for r in at.radio if r.key and r.key.startswith(f"g::{aid}::")]
    rid = radios[1].key.split("::")[2]
    other = radios[2].key.split("::")[2]
    # someone else saves this answer and another one in between
    with backend().Session.begin() as s:
        repo.save_answers(aid, {rid: {"grade": "none"}, other: {"grade": "na", "note": "bob's reason"}}, session=s, actor="bob")
    mine = next(g for g in ("full", "largely", "partial") if g != radios[1].value)
    radios[1].set_value(mine).run()
    assert any("bob" in w.value and "0 不满足" in w.value for w in at.warning), [w.value for w in at.warning]
    with backend().Session() as s:
        assert repo.answers_of(repo.get_assessment(aid, session=s))[rid].grade == "none"  # not overwritten
    shown = {r.key.split("::")[2]: r.value for r in at.radio if r.key and r.key.startswith(f"g::{aid}::")}
    assert shown[rid] == mine  # the user's choice stays on screen, unsaved
    assert shown[other] == "na"  # the other person's change to another answer simply appears
    at.button(key=f"mine::{aid}::{rid}").click().run()  # keep mine
    with backend().Session() as s:
        got = repo.answers_of(repo.get_assessment(aid, session=s))
    assert got[rid].grade == mine and got[other].grade == "na"
    assert not at.warning


def test_assess_jump_to_unanswered(app_env):
    at = _open("home")
    ent, fac, _ = _demo_ids()
    with backend().Session.begin() as s:
        a = repo.create_assessment(fac, session=s)
        repo.save_answers(
            a.id,
            {f"gbt39116_2020:customer_service:L{n}:0{i}": {"grade": 1} for n in range(1, 6) for i in (1, 2)},
            session=s,
            expected_version=a.version,
        )
        aid = a.id
    at = _open("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    jump = next(b for b in at.button if "跳到未答题项" in b.label)
    jump.click().run()
    assert at.session_state[state.SUBDOMAIN] != "customer_service"


def test_assess_upload_evidence_and_refusal(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    up = at.file_uploader(key=f"ev_file::{aid}")
    up.upload("制度.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf").run()
    at.button(key=f"ev_btn::{aid}").click().run()
    assert not at.exception and any("已上传" in s.value for s in at.success)
    with backend().Session() as s:
        ev_id = repo.get_assessment(aid, session=s).evidence[-1].id
    assert at.button(key=f"ev_rm::{ev_id}")  # listed under its requirement, removable
    at.button(key=f"ev_rm::{ev_id}").click().run()
    assert any("已移除证据" in s.value for s in at.success)
    with backend().Session() as s:
        assert all(e.id != ev_id for e in repo.get_assessment(aid, session=s).evidence)
    up = at.file_uploader(key=f"ev_file::{aid}")
    up.upload("fake.pdf", b"not a pdf at all", "application/pdf").run()
    at.button(key=f"ev_btn::{aid}").click().run()
    assert any("上传被拒绝" in e.value and "不符" in e.value for e in at.error)


def test_scenarios_page(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("scenarios", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.title[0].value == "场景与指标"
    at.button(key="save_scenarios").click().run()
    assert not at.exception
    assert any("已保存 8 个场景实例" in s.value for s in at.success)


def test_results_page(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["成熟度等级"] == "四级 优化级" and metrics["智能工厂层级"] == "卓越级"
    assert any("卓越级" in e.label for e in at.expander)
    with backend().Session() as s:
        ev = evaluation.evaluate(repo.get_assessment(aid, session=s))
    assert metrics["总分 S"] == labels.score_text(ev.maturity.score)  # the page shows the engine's result, cut to 3 decimals


def test_history_page(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.title[0].value == "历史与对比"
    assert len(at.dataframe) >= 2 and at.metric[0].label == "S"


def test_criteria_page(app_env):
    at = _open("criteria")
    assert at.title[0].value == "标准浏览"
    table = at.dataframe[0].value
    assert set(table["专家审核"]) == {"待专家审核"}  # no shipped requirement has an expert review yet
    at.selectbox(key="crit_edition").set_value("maturity/2024-draft").run()
    assert not at.exception
    at.selectbox(key="crit_edition").set_value("scenarios/2025").run()
    assert not at.exception


def test_english_switch(app_env):
    at = _open("home")
    at.radio(key=state.LANG).set_value("en").run()
    assert "Smart-manufacturing maturity" in at.title[0].value


def test_reports_page_issue_render_and_verify(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.title[0].value == "报告与证书"
    next(b for b in at.button if b.label == "签发自评估证书").click().run()
    assert not at.exception and any("已签发证书 SA-" in shown(s.value) for s in at.success)
    at.button(key="cert_render").click().run()
    assert not at.exception
    number, lang, pdf = at.session_state["cert_pdf"]
    assert pdf.startswith(b"%PDF") and number.startswith("SA-")
    with backend().Session() as s:
        payload = repo.get_certificate(number, session=s).payload
    at.text_area(key="verify_text").set_value(payload).run()
    at.button(key="verify_btn").click().run()
    assert any(s.value.startswith("VALID") for s in at.success)
    at.text_area(key="verify_text").set_value(payload[:-3] + "AAA").run()
    at.button(key="verify_btn").click().run()
    assert any(e.value.startswith(("TAMPERED", "INVALID")) for e in at.error)
    at.button(key="rep_xlsx").click().run()
    assert not at.exception and "xlsx" in at.session_state["rep_files"][3]


def test_assess_import_answers_file(app_env):
    at = _open("home")
    ent, fac, _ = _demo_ids()
    with backend().Session.begin() as s:
        aid = repo.create_assessment(fac, session=s).id
    at = _open("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    good = (
        "edition: maturity/2020\nindustry: discrete\nanswers:\n  gbt39116_2020:data:L1:01: 1\n  gbt39116_2020:data:L1:02: 0.5\n"
    )
    at.file_uploader(key=f"ans_file::{aid}").upload("answers.yaml", good.encode(), "application/x-yaml").run()
    at.button(key=f"ans_btn::{aid}").click().run()
    assert any("将改变 2 项答案" in i.value for i in at.info), [i.value for i in at.info]  # a preview first, nothing saved yet
    with backend().Session() as s:
        assert not repo.answers_of(repo.get_assessment(aid, session=s))
    at.button(key=f"ans_apply::{aid}").click().run()
    assert any("已导入 2 项答案" in s.value for s in at.success), [e.value for e in at.error]
    with backend().Session() as s:
        got = repo.answers_of(repo.get_assessment(aid, session=s))
    assert got["gbt39116_2020:data:L1:02"].grade == "partial"
    bad = good.replace("0.5", "0.7")
    at.file_uploader(key=f"ans_file::{aid}").upload("bad.yaml", bad.encode(), "application/x-yaml").run()
    at.button(key=f"ans_btn::{aid}").click().run()
    assert any("无法导入" in e.value and "0.7" in e.value.replace("\\", "") for e in at.error)  # escaped: shown as typed


def test_results_page_explains_an_unscorable_assessment(app_env):
    at = _open("home")
    ent, fac, _ = _demo_ids()
    with backend().Session.begin() as s:
        a = repo.create_assessment(fac, session=s)
        from assessment.editions import load_maturity_cached

        level2 = [r.id for r in load_maturity_cached("maturity/2020").applicable_requirements("discrete") if r.level == 2]
        repo.save_answers(a.id, {rid: {"grade": "na"} for rid in level2}, session=s, expected_version=a.version)
        aid = a.id
    at = _open("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert any("无法计算结果" in e.value and "2 级的要求全部为“不适用”" in e.value for e in at.error), [e.value for e in at.error]
    assert not any("level" in e.value for e in at.error)  # one language: the chosen one


def test_assess_next_subdomain_and_results_link(app_env):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    first = at.session_state[state.SUBDOMAIN]
    at.button(key="next_sub").click().run()
    assert at.session_state[state.SUBDOMAIN] != first
    at.button(key="to_results").click().run()
    assert at.title[0].value == "结果"


@pytest.mark.parametrize("page", ["assess", "scenarios", "results", "reports", "history", "criteria"])
def test_every_page_renders_in_english(app_env, page):
    at = _open("home")
    ent, fac, aid = _demo_ids()
    at = _open(page, **{state.LANG: "en", state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert not at.exception
    titles = {
        "assess": "Self-assessment",
        "scenarios": "Scenarios and KPIs",
        "results": "Results",
        "reports": "Reports and certificates",
        "history": "History and comparison",
        "criteria": "Criteria browser",
    }
    assert at.title[0].value == titles[page]
