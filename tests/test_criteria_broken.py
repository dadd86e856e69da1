"""One-defect criteria files: each must be refused with the error it names (file: id: message)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from paths import HERE, MINI

from assessment.checks import check_all
from cli import main

BROKEN = sorted((HERE / "fixtures" / "broken").glob("*.yaml"))


def test_broken_fixtures_were_found():
    assert len(BROKEN) >= 12


def _apply(case: dict, tmp_path: Path) -> Path:
    root = tmp_path / "criteria"
    shutil.copytree(MINI, root)
    (root / case["target"]).write_text(case["content"], encoding="utf-8")
    return root


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_file_is_reported(path: Path, tmp_path: Path, capsys):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    root = _apply(case, tmp_path)
    problems = [str(p) for p in check_all(root)]
    assert any(case["expect"] in p for p in problems), problems
    # the CLI prints the same lines and exits 1, without a traceback
    assert main(["criteria", "check", str(root)]) == 1
    out = capsys.readouterr()
    assert case["expect"] in out.out
    assert "Traceback" not in out.out + out.err


def test_every_problem_reported_in_one_pass(tmp_path: Path):
    root = tmp_path / "criteria"
    shutil.copytree(MINI, root)
    model = root / "maturity/mini/model.yaml"
    text = model.read_text(encoding="utf-8")
    text = text.replace("domain: prod, name_zh: 乙", "domain: prd, name_zh: 乙")
    text = text.replace('weight: {discrete: "0.2"}', 'weight: {discrete: "0.9"}')
    model.write_text(text, encoding="utf-8")
    (root / "maturity/flat/scoring.yaml").write_text("edition: maturity/flat\n", encoding="utf-8")
    problems = [str(p) for p in check_all(root)]
    assert any("b: domain 'prd' is not defined" in p for p in problems)
    assert any("weights sum to" in p for p in problems)
    assert any(p.startswith("criteria/maturity/flat/scoring.yaml: -: grades: Field required") for p in problems)


def test_the_clean_mini_criteria_pass(tmp_path: Path):
    assert check_all(MINI) == []


def test_check_refuses_a_folder_without_registry(tmp_path: Path, capsys):
    assert main(["criteria", "check", str(tmp_path)]) == 2
    assert "no editions.yaml" in capsys.readouterr().err


def test_check_a_single_edition_folder(tmp_path: Path, capsys):
    assert main(["criteria", "check", str(MINI / "maturity" / "mini")]) == 0
    copy = tmp_path / "somewhere"
    shutil.copytree(MINI / "maturity" / "mini", copy)
    assert main(["criteria", "check", str(copy)]) == 0  # named by its model.yaml, wherever it lies
    (copy / "requirements" / "a.yaml").write_text("subdomain: a\nrequirements: []\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["criteria", "check", str(copy)]) == 1
    assert (
        "criteria/maturity/mini/requirements/a.yaml: -: requirements: List should have at least 1 item" in capsys.readouterr().out
    )
