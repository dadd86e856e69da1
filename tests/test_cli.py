"""The command line contract (README): output shapes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from paths import ROOT

from cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assessment", *args], capture_output=True, text=True, cwd=ROOT)


def test_criteria_check_ok():
    p = run("criteria", "check")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "criteria OK" in p.stdout


def test_criteria_list_json(capsys):
    assert main(["criteria", "list", "maturity/2020", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 200
    row = next(r for r in rows if r["id"] == "gbt39116_2020:planning_scheduling:L3:01")
    assert row["level"] == 3 and row["subdomain"] == "planning_scheduling"
    assert row["domain"] == "production" and row["element"] == "manufacturing"
    assert row["industry_types"] == ["discrete", "process"] and row["review"] is None  # no expert review shipped
    draft = None
    assert main(["criteria", "list", "maturity/2024-draft", "--json"]) == 0
    draft = json.loads(capsys.readouterr().out)
    pd = next(r for r in draft if r["subdomain"] == "product_design")
    assert pd["element"] is None and pd["industry_types"] == ["discrete"]


def test_template_then_score_roundtrip(tmp_path: Path, capsys):
    out = tmp_path / "answers.yaml"
    assert main(["maturity", "template", "maturity/2020", "--industry", "process", "-o", str(out)]) == 0
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["edition"] == "maturity/2020" and doc["industry"] == "process"
    assert len(doc["answers"]) == 200 and all(v is None for v in doc["answers"].values())
    for rid in doc["answers"]:
        level = int(rid.split(":")[2][1])
        doc["answers"][rid] = 1 if level <= 2 else (0.5 if level == 3 else 0)
    out.write_text(yaml.safe_dump(doc), encoding="utf-8")
    capsys.readouterr()
    assert main(["maturity", "score", str(out), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["score"] == pytest.approx(2.5) and res["level"] == 2
    assert set(res["level_scores"]) == {"1", "2", "3", "4", "5"}
    assert res["complete"] is True and res["edition"] == "maturity/2020" and res["industry"] == "process"
    assert len(res["subdomains"]) == 20 and res["gaps"]
    assert res["gaps"][0]["level"] == 3  # raising a level-3 item adds most to S


def test_json_answers_file(tmp_path: Path, capsys):
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"edition": "maturity/2024-draft", "industry": "discrete", "answers": {}}), encoding="utf-8")
    assert main(["maturity", "score", str(f), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["level"] == 0 and res["complete"] is False


def test_human_output_is_chinese(tmp_path: Path):
    f = tmp_path / "a.yaml"
    f.write_text("edition: maturity/2020\nindustry: discrete\nanswers: {}\n", encoding="utf-8")
    p = run("maturity", "score", str(f))
    assert p.returncode == 0
    assert "成熟度等级" in p.stdout and "未达到一级" in p.stdout and "子域" in p.stdout


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("edition: maturity/2020\nindustry: discrete\nanswers: {gbt39116_2020:data:L1:01: 0.7}\n", "grade 0.7"),
        (
            "edition: maturity/2020\nindustry: discrete\nanswers: {nope:data:L1:01: 1}\n",
            "unknown requirement id 'nope:data:L1:01'",
        ),
        ("edition: maturity/1999\nindustry: discrete\nanswers: {}\n", "unknown edition 'maturity/1999'"),
        ("edition: smart_factory/2025\nindustry: discrete\nanswers: {}\n", "not a maturity edition"),
        ("edition: maturity/2020\nindustry: discrete\nanswers: {a: 1, a: 2}\n", "duplicate key"),
        ("edition: maturity/2020\nindustry: [discrete\n", "YAML error at line"),
        ("industry: discrete\nanswers: {}\n", "missing field 'edition'"),
    ],
)
def test_bad_answers_file_one_line_exit_2(tmp_path: Path, content: str, fragment: str):
    f = tmp_path / "bad.yaml"
    f.write_text(content, encoding="utf-8")
    p = run("maturity", "score", str(f))
    assert p.returncode == 2
    assert fragment in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr


def test_missing_answers_file():
    p = run("maturity", "score", "/nonexistent/answers.yaml")
    assert p.returncode == 2 and "no such file" in p.stderr


def test_bad_json_file(tmp_path: Path):
    f = tmp_path / "bad.json"
    f.write_text('{"edition": ', encoding="utf-8")
    p = run("maturity", "score", str(f))
    assert p.returncode == 2 and "JSON error" in p.stderr


def test_diff(capsys):
    assert main(["criteria", "diff", "maturity/2020", "maturity/2024-draft", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert "lean_management" in d["subdomains"]["added"]
    assert "personnel_skills" in d["subdomains"]["removed"]
    assert "lean_management:L1:01" in d["requirements"]["added"]
    assert any(w["node"] == "domain:production_ops" for w in d["weights"])
    assert main(["criteria", "diff", "maturity/2020", "maturity/2024-draft"]) == 0
    text = capsys.readouterr().out
    assert "[subdomains]" in text and "+ lean_management" in text


def test_diff_same_edition_is_empty(capsys):
    assert main(["criteria", "diff", "maturity/2020", "maturity/2020", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["subdomains"] == {"added": [], "removed": [], "changed": []} and d["weights"] == []


def test_gaps_toward_a_chosen_level(tmp_path: Path, capsys):
    f = tmp_path / "a.yaml"
    f.write_text("edition: maturity/2020\nindustry: discrete\nanswers: {}\n", encoding="utf-8")
    assert main(["maturity", "score", str(f), "--json", "--target", "3"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["target_level"] == 3 and {g["level"] for g in res["gaps"]} == {1, 2, 3}
    assert main(["maturity", "score", str(f), "--target", "9"]) == 2


def test_criteria_commands_start_without_the_settings_object_and_honour_sfa_criteria_dir(tmp_path):
    """Commands that only read criteria files never import pydantic-settings (a third of a cold start), yet the criteria
    folder still follows SFA_CRITERIA_DIR in any case, as the settings object reads it."""
    import os
    import shutil

    from paths import MINI

    root = tmp_path / "crit"
    shutil.copytree(MINI, root)
    code = (
        "import sys; from cli import main; rc = main(['criteria', 'list', 'maturity/mini', '--json']);"
        "print('settings loaded' if 'pydantic_settings' in sys.modules else 'settings not loaded', file=sys.stderr);"
        "sys.exit(rc)"
    )
    for name in ("SFA_CRITERIA_DIR", "sfa_criteria_dir"):
        env = {k: v for k, v in os.environ.items() if k.upper() != "SFA_CRITERIA_DIR"} | {name: str(root)}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert "settings not loaded" in out.stderr
        assert any(r["id"].startswith("mini:") for r in json.loads(out.stdout))


def test_an_unknown_tier_edition_is_refused_by_declare_check_too(tmp_path: Path):
    """declare check evaluates the profile's own tier edition with the programmes (one evaluation path), so an unknown
    one is refused, as tier evaluate refuses it."""
    text = (ROOT / "examples" / "basic.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("tier_edition: smart_factory/2025", "tier_edition: smart_factory/1999"), encoding="utf-8")
    for command in (("declare", "check"), ("tier", "evaluate")):
        p = run(*command, str(bad))
        assert p.returncode == 2 and p.stdout == ""
        assert p.stderr.strip() == (
            "error: unknown edition 'smart_factory/1999'; known smart_factory editions: smart_factory/2024, smart_factory/2025"
        )


def test_python_m_cli_is_the_same_command_as_python_m_assessment(tmp_path: Path):
    """The command line lives in the top-level cli/ package; ``python -m assessment`` is a shim calling it."""
    for args in (["--help"], ["certificate", "keys", "--help"], ["maturity", "score", str(tmp_path / "missing.yaml")]):
        old = run(*args)
        new = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=ROOT)
        assert (new.returncode, new.stdout, new.stderr) == (old.returncode, old.stdout, old.stderr)
    assert old.returncode == 2 and old.stderr.startswith("error: ")  # the last pair: one error line, exit 2
