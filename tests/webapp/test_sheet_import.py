"""The issue's check, in the app: the CLI's XLSX template filled at random (grades, N/A with reasons, blanks), imported on
the questionnaire, gives the same S, level and per-level scores as `maturity score` on the same file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from apphelp import demo_ids, open_page
from paths import ROOT
from test_answer_sheet import _fill

from assessment.services import evaluation
from assessment.store import repository as repo
from ui import state
from ui.services import backend


@pytest.mark.parametrize("edition, seed", [("maturity/2020", 3), ("maturity/2020-r2", 9)])
def test_a_randomly_filled_template_imported_in_the_app_scores_as_the_cli(app_env, tmp_path, edition, seed):
    open_page("home")
    ent, fac, _ = demo_ids()
    with backend().Session.begin() as s:
        a = repo.create_assessment(fac, session=s, maturity_edition=edition)
        aid, industry = a.id, a.industry_type
    xlsx = tmp_path / "q.xlsx"
    cli = [sys.executable, "-m", "assessment", "maturity"]
    r = subprocess.run(
        [*cli, "template", edition, "--industry", industry, "--format", "xlsx", "-o", str(xlsx)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    answers = _fill(xlsx, seed=seed)
    r = subprocess.run([*cli, "score", str(xlsx), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    expected = json.loads(r.stdout)

    at = open_page("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    at.file_uploader(key=f"ans_file::{aid}").upload("q.xlsx", xlsx.read_bytes(), "application/octet-stream").run()
    at.button(key=f"ans_btn::{aid}").click().run()
    graded = sum(1 for g in answers.values() if g is not None)
    assert any(f"将改变 {graded} 项答案" in i.value for i in at.info), [i.value for i in at.info] + [e.value for e in at.error]
    at.button(key=f"ans_apply::{aid}").click().run()
    assert not at.exception and any(f"已导入 {graded} 项答案" in x.value for x in at.success)

    with backend().Session() as s:
        m = evaluation.evaluate(repo.get_assessment(aid, session=s)).maturity
    assert (m.score, m.level, m.answered, m.not_applicable) == (
        expected["score"],
        expected["level"],
        expected["answered"],
        expected["not_applicable"],
    )
    assert {k: round(v, 9) for k, v in m.level_scores.items()} == {k: round(v, 9) for k, v in expected["level_scores"].items()}
