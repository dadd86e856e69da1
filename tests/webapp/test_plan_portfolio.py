"""升级路径规划 and 区域画像 (issue 14) on the real app and database: a plan toward 卓越级 whose planned profile reaches
it, what-if changes that move the level, tier and eligibility without saving anything, costs files refused when
malformed, re-scoring under the 2024 draft, and the portfolio of a small synthetic population with its downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest
import yaml
from apphelp import open_page, shown, texts
from openpyxl import load_workbook
from sqlalchemy import select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from assessment.mappings import load_mappings, rescore
from assessment.planner import load_costs, plan
from assessment.profile import parse_profile
from assessment.registry import evaluate_profile
from assessment.services import evaluation, population
from assessment.store import repository as repo
from assessment.store.orm import Answer, Assessment, Enterprise, Factory
from reports import charts
from ui import state
from ui.i18n import TIER_NAMES
from ui.services import backend


@pytest.fixture
def downloads(monkeypatch):
    """Every file the app hands to a download button, by file name (read where Streamlit stores it)."""
    got: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            got[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return got


def latest(name_like: str) -> dict:
    """The session selection of a demo enterprise's latest assessment."""
    with backend().Session() as s:
        a = s.scalars(
            select(Assessment)
            .join(Factory)
            .join(Enterprise)
            .where(Enterprise.name.like(f"%{name_like}%"))
            .order_by(Assessment.id.desc())
        ).first()
        return {state.ENTERPRISE_ID: a.factory.enterprise_id, state.FACTORY_ID: a.factory_id, state.ASSESSMENT_ID: a.id}


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def stored(aid: int) -> dict:
    with backend().Session() as s:
        return {x.requirement_id: x.grade for x in s.scalars(select(Answer).where(Answer.assessment_id == aid))}


def test_plan_toward_excellent_and_its_planned_profile(app_env, downloads):
    open_page("home")
    sel = latest("江南精密")  # 先进级, 三级
    aid = sel[state.ASSESSMENT_ID]
    at = open_page("plan", **sel)
    assert at.title[0].value == "升级路径规划"
    assert at.selectbox(key=f"plan_target::{aid}").value == "excellent"  # the next tier is offered first
    with backend().Session() as s:
        expected, _ = plan(evaluation.build_profile(repo.get_assessment(aid, session=s)), "excellent")
    m = metrics(at)
    assert m["目标"] == "卓越级" and "先进级" in m["当前"] and "卓越级" in m["计划后"]
    assert expected.total_effort > 0 and m["总工作量（人天）"] == f"{expected.total_effort:g}"
    milestones = frame_with(at, "完成后")
    assert list(milestones["里程碑"]) == ["基础级", "先进级", "卓越级"] and milestones["达到"].iloc[-1] == "是"
    assert len(frame_with(at, "工作量来源")) == len(expected.items)
    assert any("精确解" in x for x in texts(at)) and any("问题规模：要求数" in x for x in texts(at))
    # the planned profile, as downloaded, reaches 卓越级 under the engine
    planned = parse_profile(yaml.safe_load(downloads[f"planned-profile-{aid}-excellent.yaml"]))
    assert evaluate_profile(planned, tier_edition="smart_factory/2025").tiers.tiers["excellent"].met
    # another target: a programme of the declarations edition
    at.selectbox(key=f"plan_target::{aid}").set_value("excellent_tier_2025").run()
    assert not at.exception and metrics(at)["目标"] == "卓越级智能工厂（2025年）"


def test_what_if_moves_level_tier_and_eligibility_and_saves_nothing(app_env):
    open_page("home")
    sel = latest("北方重型")  # 四级, 卓越级
    aid = sel[state.ASSESSMENT_ID]
    before = stored(aid)
    at = open_page("plan", **sel)
    m = metrics(at)
    assert m["成熟度等级（假设）"] == "四级 优化级" and m["智能工厂层级（假设）"] == "卓越级"
    eligible = int(m["可申报项目（假设）"])
    assert eligible > 0
    # every sub-domain's first level not met: nothing is reached any more
    at.selectbox(key=f"wi::{aid}::*::1").set_value("none").run()
    assert not at.exception
    m = metrics(at)
    assert m["成熟度等级（假设）"] == "未达到一级" and m["智能工厂层级（假设）"] == "未达到基础级"
    assert int(m["可申报项目（假设）"]) < eligible
    changed = next(re.search(r"沙盒改动：(\d+) 项要求", x) for x in texts(at) if "沙盒改动：" in x)
    assert int(changed.group(1)) > 0
    assert stored(aid) == before  # the sandbox is never saved
    # a sub-domain's own setting takes precedence over the row for every sub-domain
    sub = at.selectbox(key=f"wi_sub::{aid}").value
    at.selectbox(key=f"wi::{aid}::{sub}::1").set_value("full").run()
    assert any("已设定：" in x.value for x in at.caption)
    # the plan can start from the sandbox
    at.radio(key=f"plan_start::{aid}").set_value("sandbox").run()
    assert not at.exception and "未达到" in metrics(at)["当前"]
    at.button(key=f"wi_reset::{aid}").click().run()
    m = metrics(at)
    assert m["成熟度等级（假设）"] == "四级 优化级" and m["智能工厂层级（假设）"] == "卓越级"
    # a key fact: not an independent legal person; the tier the engine gives such a profile
    with backend().Session() as s:
        doc = evaluation.build_profile(repo.get_assessment(aid, session=s)).model_dump(mode="json")
    doc["enterprise"]["legal_person"] = False
    expected = evaluate_profile(parse_profile(doc), tier_edition="smart_factory/2025").tiers.tier
    assert expected != "excellent"
    at.selectbox(key=f"wi_fact::{aid}::legal_person").set_value(False).run()
    assert metrics(at)["智能工厂层级（假设）"] == TIER_NAMES[expected][0]
    with backend().Session() as s:
        assert repo.get_assessment(aid, session=s).factory.enterprise.legal_person is not False
    assert stored(aid) == before


def test_what_if_follows_the_plan_to_excellent(app_env):
    """The plan toward 卓越级 for 江南精密 asks for the 先进级 award and 国内领先 standing: the sandbox with exactly those
    facts reaches 卓越级."""
    open_page("home")
    sel = latest("江南精密")
    aid = sel[state.ASSESSMENT_ID]
    at = open_page("plan", **sel)
    with backend().Session() as s:
        p, _ = plan(evaluation.build_profile(repo.get_assessment(aid, session=s)), "excellent")
    assert {(i.kind, i.id) for i in p.items} == {("tier_award", "advanced"), ("fact", "enterprise.standing")}
    at.selectbox(key=f"wi_fact::{aid}::held").set_value("advanced").run()
    assert metrics(at)["智能工厂层级（假设）"] == "先进级"
    at.selectbox(key=f"wi_fact::{aid}::standing").set_value("domestic_leading").run()
    m = metrics(at)
    assert m["智能工厂层级（假设）"] == "卓越级" and any("2 项事实" in x for x in texts(at))


@pytest.mark.parametrize(
    "content, why",
    [
        (b"tier_award: [1, 2\n", "YAML error"),
        (b"tier_awrd: 3\n", "unknown field"),
        (b"requirements:\n  nope:x:L1:01: 3\n", "not a requirement"),
        (b"- 1\n- 2\n", "expected a mapping"),
    ],
)
def test_malformed_costs_file_is_refused(app_env, content, why):
    open_page("home")
    sel = latest("江南精密")
    aid = sel[state.ASSESSMENT_ID]
    at = open_page("plan", **sel)
    default_effort = metrics(at)["总工作量（人天）"]
    at.file_uploader(key=f"plan_costs::{aid}").upload("成本*1*.yaml", content, "application/x-yaml").run()
    assert not at.exception
    errors = [shown(e.value) for e in at.error]
    assert any("工作量文件被拒绝" in e and why in e for e in errors), errors
    assert any("成本*1*.yaml" in e for e in errors)  # the file name as typed, not as Markdown
    assert metrics(at)["总工作量（人天）"] == default_effort  # the defaults still apply


def test_costs_file_changes_the_plan(app_env):
    open_page("home")
    sel = latest("江南精密")
    aid = sel[state.ASSESSMENT_ID]
    at = open_page("plan", **sel)
    good = b"tier_award: 7\nfacts:\n  enterprise.standing: 100\n"
    at.file_uploader(key=f"plan_costs::{aid}").upload("costs.yaml", good, "application/x-yaml").run()
    assert any("costs.yaml" in shown(x.value) for x in at.success)
    with backend().Session() as s:
        expected, _ = plan(
            evaluation.build_profile(repo.get_assessment(aid, session=s)),
            "excellent",
            costs=load_costs(data=yaml.safe_load(good)),
        )
    assert metrics(at)["总工作量（人天）"] == f"{expected.total_effort:g}"
    assert "工作量文件" in set(frame_with(at, "工作量来源")["工作量来源"])


def test_rescore_under_the_2024_draft(app_env):
    open_page("home")
    sel = latest("北方重型")
    aid = sel[state.ASSESSMENT_ID]
    with backend().Session() as s:
        a = repo.get_assessment(aid, session=s)
        draft = next(m for m in load_mappings() if m.source == a.maturity_edition and m.target.startswith("maturity/2024-draft"))
        r = rescore(evaluation.answers_model(a), draft.target, profile=evaluation.build_profile(a))
    at = open_page("plan", **sel)
    at.selectbox(key=f"rescore_to::{aid}").set_value(("maturity", draft.target)).run()
    assert not at.exception
    counts = frame_with(at, "不可映射")
    assert (counts["可映射"].iloc[0], counts["不可映射"].iloc[0], counts["新增"].iloc[0]) == (
        r["counts"]["maps"],
        r["counts"]["does_not_map"],
        r["counts"]["new"],
    )
    assert (counts["其中逐条对应"].iloc[0], counts["其中仅承接同级"].iloc[0]) == (
        r["counts"]["one_to_one"],
        r["counts"]["inherited_from_level"],
    )
    assert metrics(at)["S"] == f"{r['after']['score']:.2f}"
    assert any(draft.file in shown(x) for x in texts(at))


def test_portfolio_of_a_synthetic_population(app_env, downloads):
    open_page("home")
    with backend().Session.begin() as s:
        population.generate(s, factories=60, years=2, seed=5)
    at = open_page("portfolio")
    assert at.title[0].value == "区域画像"
    m = metrics(at)
    assert m["工厂"] == "63" and m["其中合成数据"] == "60"  # the three demo factories and the synthetic ones
    assert any("合成数据" in w.value for w in at.warning)
    assert all("合成数据" in h.value for h in at.subheader)  # every section says it counts synthetic data
    buttons = [b.label for b in at.get("download_button")]
    assert buttons.count("CSV") == buttons.count("XLSX") == 5
    stems = {k.rsplit(".", 1)[0] for k in downloads}
    assert stems == {
        f"{t}-合成数据"
        for t in ("distribution_province_level", "level_shares", "transitions_level", "within_reach_advanced", "blockers_rule")
    }
    assert {k.rsplit(".", 1)[1] for k in downloads if k.endswith((".csv", ".xlsx"))} == {"csv", "xlsx"}
    # the distribution's download adds up to every factory, and says synthetic in its name
    dist = next(v for k, v in downloads.items() if k.startswith("distribution_province_level") and k.endswith(".csv"))
    assert "合成数据" in next(k for k in downloads if k.startswith("distribution_province_level"))
    rows = list(csv.reader(io.StringIO(dist.decode("utf-8-sig"))))
    assert rows[0] == ["地区（省份）", "等级", "工厂数", "占比"] and sum(int(r[2]) for r in rows[1:]) == 63
    xlsx = next(v for k, v in downloads.items() if k.startswith("within_reach_advanced") and k.endswith(".xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet.cell(row=1, column=11).value == "合成数据"
    reach = frame_with(at, "未满足规则数")
    assert set(reach["合成数据"]) <= {"合成数据", "真实"} and len(reach) > 0
    assert len(frame_with(at, "受阻工厂数")) > 0
    assert "百分位" in m
    # real enterprises only: no synthetic label anywhere
    at.radio(key="pf_data").set_value("real").run()
    assert metrics(at)["工厂"] == "3" and not any("合成数据" in h.value for h in at.subheader)
    assert not any("合成数据" in w.value for w in at.warning)


def test_portfolio_planner_effort_and_one_factory_to_its_plan(app_env):
    open_page("home")
    with backend().Session.begin() as s:
        population.generate(s, factories=60, years=2, seed=5)
    at = open_page("portfolio")
    at.number_input(key="pf_plan_n").set_value(1)
    at.button(key="pf_plan_btn").click().run()
    assert not at.exception
    costed = frame_with(at, "工作量（人天）")
    assert len(costed) == 1 and costed["精确解"].iloc[0] in ("精确", "启发式")
    fid = at.selectbox(key="pf_open_factory").value
    at.button(key="pf_open_btn").click().run()
    assert not at.exception
    assert at.title[0].value == "升级路径规划" and at.session_state[state.FACTORY_ID] == fid
    assert metrics(at)["目标"] == "先进级"  # the portfolio's threshold
    assert any("合成数据" in w.value for w in at.warning)
    assert stored(at.session_state[state.ASSESSMENT_ID])  # the synthetic answers were written when it was opened


def test_band_chart_labels_are_literal():
    import html

    from matplotlib import pyplot as plt

    from reports.fonts import setup_matplotlib

    setup_matplotlib()
    with plt.rc_context({"svg.fonttype": "none"}):  # every label a <text> element
        svg = charts.band_shares(
            ["≤一级", "二级"],
            ["全部", "Plant $^$"],
            [[0.5, 0.5], [0.2, 0.8]],
            {"全国 2022（参考）": [0.6, 0.2]},
            title="$x$ 占比",
            fmt="svg",
        )
    shown_text = html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg.decode(), flags=re.S)))
    assert "Plant $^$" in shown_text and "$x$ 占比" in shown_text and "全国 2022（参考）" in shown_text
