"""The questionnaire spreadsheet: written by the CLI, filled in like a department would, scored exactly as YAML."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys

import pytest
import yaml
from openpyxl import load_workbook
from paths import ROOT

from assessment.answer_sheet import COL, GRADE_LABELS, HEADER_ROW, SHEET, SheetError, read_sheet, write_sheet
from assessment.editions import DEFAULT_ROOT, load_maturity_cached

ED = "maturity/2020"
CHOICES = [None, "1 全部满足", "0.8 大部分满足", "0.5 部分满足", "0 不满足", "不适用", 1, 0.8, 0.5, 0, "na"]
AS_YAML = {"1 全部满足": 1, "0.8 大部分满足": 0.8, "0.5 部分满足": 0.5, "0 不满足": 0, "不适用": "na"}


def _editions(e):
    return load_maturity_cached(e, DEFAULT_ROOT)


def _fill(path, seed: int) -> dict:
    """Fill the template at random (labels, bare numbers, N/A, blanks); return the same answers as a YAML mapping."""
    rng = random.Random(seed)
    wb = load_workbook(path)
    ws = wb[SHEET]
    answers = {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        choice = rng.choice(CHOICES)
        row[COL["grade"]].value = choice
        answers[row[COL["id"]].value] = AS_YAML.get(choice, choice) if choice is not None else None
        if choice == "不适用":
            row[COL["na"]].value = "本厂无此业务"
    wb.save(path)
    return answers


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "assessment", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "edition, industry, seed",
    [(ED, "process", 7), (ED, "discrete", 11), ("maturity/2020-r2", "discrete", 23), ("maturity/2020-r2", "process", 5)],
)
def test_cli_template_filled_at_random_scores_as_the_same_yaml(tmp_path, edition, industry, seed):
    xlsx = tmp_path / "q.xlsx"
    r = _cli("maturity", "template", edition, "--industry", industry, "--format", "xlsx", "-o", str(xlsx), cwd=ROOT)
    assert r.returncode == 0, r.stderr
    answers = _fill(xlsx, seed=seed)
    doc = tmp_path / "a.yaml"
    doc.write_text(
        yaml.safe_dump({"edition": edition, "industry": industry, "answers": answers}, allow_unicode=True), encoding="utf-8"
    )
    a, b = (_cli("maturity", "score", str(p), "--json", cwd=ROOT) for p in (xlsx, doc))
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    assert ja == jb and ja["answered"] > 0 and ja["not_applicable"] > 0


@pytest.mark.parametrize("seed", range(5))
def test_round_trip_keeps_grades_and_notes(tmp_path, seed):
    ed = _editions(ED)
    rng = random.Random(seed)
    reqs = ed.applicable_requirements("discrete")
    answers = {
        r.id: (rng.choice([None, *GRADE_LABELS]), rng.choice([None, "已建立制度", '=HYPERLINK("http://x")', "+1", "@a"]))
        for r in reqs
    }
    answers = {k: v for k, v in answers.items() if v != (None, None)}
    sheet = read_sheet(write_sheet(ed, "discrete", answers, title="=cmd|' /C calc'!A0"), editions=_editions)
    assert not sheet.problems
    assert sheet.rows == {k: v for k, v in answers.items() if v != (None, None)} | {
        r.id: (None, None) for r in reqs if r.id not in answers
    }


def test_user_text_is_never_a_formula():
    ed = _editions(ED)
    rid = ed.applicable_requirements("discrete")[0].id
    data = write_sheet(ed, "discrete", {rid: ("full", "=1+1")}, title="=SUM(A1:A2)")
    ws = load_workbook(io.BytesIO(data))[SHEET]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_refusals_are_row_numbered(tmp_path):
    ed = _editions(ED)
    data = write_sheet(ed, "discrete")
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    first = HEADER_ROW + 1
    ws.cell(first, COL["grade"] + 1).value = "0.7"
    ws.cell(first + 1, COL["id"] + 1).value = "gbt39116_2020:nope:L1:01"
    ws.cell(first + 2, COL["id"] + 1).value = ws.cell(first + 3, COL["id"] + 1).value
    ws.cell(first + 2, COL["grade"] + 1).value = "1 全部满足"
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_sheet(buf.getvalue(), editions=_editions)
    rows = {r for r, _ in sheet.problems}
    assert {first, first + 1, first + 3} <= rows
    assert any("0.7" in m for _, m in sheet.problems)


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_not_a_workbook(data):
    with pytest.raises(SheetError, match="不是 Excel"):
        read_sheet(data, editions=_editions)


def test_cli_refuses_a_bad_sheet_with_one_line(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 nothing")
    r = _cli("maturity", "score", str(bad), cwd=ROOT)
    assert r.returncode == 2 and r.stderr.startswith("error:") and len(r.stderr.strip().splitlines()) == 1
