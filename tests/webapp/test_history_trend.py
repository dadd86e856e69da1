"""历史与对比: the trend covers every completed assessment (evaluated when it has no current snapshot), S shows three
decimals cut, and the comparison lists the requirements whose grade changed (or says the editions differ)."""

from __future__ import annotations

from apphelp import demo_ids, open_page, shown

from assessment import labels
from assessment.services import evaluation
from assessment.store import repository as repo
from assessment.store.orm import ResultSnapshot
from ui import state
from ui.services import backend


def _row(at, aid: int) -> dict:
    table = at.dataframe[0].value
    return table[table["id"] == aid].iloc[0].to_dict()


def _trend_caption(at) -> str:
    captions = [c for img in at.get("image") for c in img.captions if c]
    return shown(captions[0]) if captions else ""


def _copy_of_latest(fac: int, latest: int, *, title: str, period: str, changes: dict | None = None) -> int:
    """A new assessment of the factory with the latest one's answers (complete), optionally some grades changed."""
    with backend().Session.begin() as s:
        a = repo.create_assessment(
            fac, session=s, title=title, period=period, maturity_edition=repo.get_assessment(latest, session=s).maturity_edition
        )
        repo.copy_from_assessment(a.id, latest, session=s, actor="alice")
        if changes:
            repo.save_answers(a.id, {rid: {"grade": g} for rid, g in changes.items()}, session=s, actor="alice")
        return a.id


def test_trend_covers_completed_assessments_without_snapshot(app_env):
    open_page("home")
    ent, fac, latest = demo_ids()
    new = _copy_of_latest(fac, latest, title="无快照的评估", period="2026")
    with backend().Session.begin() as s:
        blank = repo.create_assessment(fac, session=s, title="刚开始的评估", period="2026").id
    with backend().Session() as s:
        expected = evaluation.evaluate(repo.get_assessment(new, session=s)).maturity.score
        demo_points = len([a for a in repo.get_assessment(latest, session=s).factory.assessments])
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: latest})
    assert not at.exception
    row = _row(at, new)
    assert row["S"] == labels.score_text(expected) and row["结果来源"] == "当前计算" and row["已完成"] == "是"
    assert _row(at, latest)["结果来源"].startswith("快照")
    assert _row(at, blank)["已完成"].startswith("否")
    caption = _trend_caption(at)
    assert f"2026 #{new} S={labels.score_text(expected)}" in caption  # the point without a snapshot is on the trend
    assert f"#{blank}" not in caption and caption.count("S=") == demo_points - 1  # every completed one, not the blank
    assert any("未计入" in c.value for c in at.caption)


def test_answers_changed_after_the_snapshot_are_evaluated_again(app_env):
    open_page("home")
    ent, fac, latest = demo_ids()
    with backend().Session() as s:
        a = repo.get_assessment(latest, session=s)
        rid = next(x.requirement_id for x in a.answers if x.grade != "none")
    with backend().Session.begin() as s:
        repo.save_answers(latest, {rid: {"grade": "none"}}, session=s, actor="alice")
    with backend().Session() as s:
        now = evaluation.evaluate(repo.get_assessment(latest, session=s)).maturity.score
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: latest})
    row = _row(at, latest)
    assert row["S"] == labels.score_text(now) and row["结果来源"] == "当前计算（快照后答案已修改）"


def test_score_is_cut_to_three_decimals_never_rounded_up(app_env):
    open_page("home")
    ent, fac, latest = demo_ids()
    with backend().Session.begin() as s:  # a snapshot of the current answers whose S sits just below a band edge
        snap = s.query(ResultSnapshot).filter(ResultSnapshot.assessment_id == latest).order_by(ResultSnapshot.id.desc()).first()
        snap.score = 2.79975
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: latest})
    assert _row(at, latest)["S"] == "2.799"
    assert "S=2.799" in _trend_caption(at) and "2.80" not in _trend_caption(at)


def test_comparison_lists_the_requirements_whose_grade_changed(app_env):
    open_page("home")
    ent, fac, latest = demo_ids()
    with backend().Session() as s:
        answers = {x.requirement_id: x.grade for x in repo.get_assessment(latest, session=s).answers}
    up = next(r for r, g in answers.items() if g == "partial")
    down = next(r for r, g in answers.items() if g == "full")
    new = _copy_of_latest(fac, latest, title="对比用评估", period="2026", changes={up: "full", down: "none"})
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: latest})
    at.selectbox(key="cmp_a").set_value(latest).run()
    at.selectbox(key="cmp_b").set_value(new).run()
    assert not at.exception
    changes = next(df.value for df in at.dataframe if "变化" in df.value.columns)
    got = {row["要求"]: (row["A"], row["B"], row["变化"]) for row in changes.to_dict("records")}
    assert got == {
        up.split(":", 1)[1]: ("0.5 部分满足", "1 全部满足", "提高"),
        down.split(":", 1)[1]: ("1 全部满足", "0 不满足", "降低"),
    }
    assert any("2 项要求等级有变化：提高 1 项，降低 1 项" in c.value for c in at.caption)
    # the same assessment on both sides: nothing changed
    at.selectbox(key="cmp_b").set_value(latest).run()
    assert any("各项要求等级相同" in c.value for c in at.caption)


def test_comparison_across_editions_says_so(app_env):
    open_page("home")
    ent, fac, latest = demo_ids()
    with backend().Session.begin() as s:
        other = repo.create_assessment(fac, session=s, title="新版标准评估", maturity_edition="maturity/2024-draft").id
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: latest})
    at.selectbox(key="cmp_a").set_value(latest).run()
    at.selectbox(key="cmp_b").set_value(other).run()
    assert not at.exception
    assert any("不同的成熟度标准版本" in x.value and "maturity/2024-draft" in x.value for x in at.info)
    assert not [df for df in at.dataframe if "变化" in df.value.columns]


def test_history_in_english(app_env):
    open_page("home")
    ent, fac, latest = demo_ids()
    at = open_page("history", **{state.LANG: "en", state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: latest})
    assert not at.exception
    assert {"Complete", "Result from"} <= set(at.dataframe[0].value.columns)
    assert _trend_caption(at).startswith("Trend: ")
