"""历史与对比: archived assessments stay listed, marked; the trend has one point per assessment even for equal periods."""

from __future__ import annotations

from apphelp import demo_ids, open_page

from assessment.services import evaluation
from assessment.store import repository as repo
from ui import state
from ui.services import backend


def test_archived_assessment_is_listed_and_marked(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    with backend().Session.begin() as s:
        extra = repo.create_assessment(fac, session=s, title="归档的评估", period="2024").id
        evaluation.snapshot(extra, session=s)
        repo.set_archived("assessment", extra, True, session=s, actor="alice")
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    table = at.dataframe[0].value
    row = table[table["id"] == extra].iloc[0]
    assert row["状态"] == "草稿（已归档）" and row["评估"] == "归档的评估"
    others = table[table["id"] != extra]
    assert not others["状态"].str.contains("（已归档）", regex=False).any()
