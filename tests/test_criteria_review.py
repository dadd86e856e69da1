"""The expert review path (issue 10): export a maturity edition for a domain expert, fill in verdicts with openpyxl,
import them back as ``review`` records in a temporary copy of the criteria (never the shipped files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from paths import ROOT

from assessment import loader
from assessment.editions import load_maturity
from assessment.review import ReviewError, place_reviews, record_reviews
from assessment.schema import Review
from cli import main
from reports.review_sheet import HEADER_ROW, HEADERS, SHEET
from reports.usertext import is_text, text_cell

EDITION = "maturity/2020-r2"
VERDICT, COMMENT = HEADERS.index("结论 Verdict") + 1, HEADERS.index("意见 Comment") + 1


@pytest.fixture
def criteria(tmp_path, monkeypatch):
    root = tmp_path / "criteria"
    shutil.copytree(ROOT / "criteria", root)
    monkeypatch.setenv(loader.CACHE_ENV, str(tmp_path / "cache"))  # the edition cache is on, in a folder of its own
    return root


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml"))}


def _export(criteria: Path, tmp_path: Path, capsys) -> Path:
    out = tmp_path / "review.xlsx"
    assert main(["--criteria", str(criteria), "criteria", "review", EDITION, "-o", str(out)]) == 0
    assert "379 requirements of maturity/2020-r2 (reviewed 0, not reviewed 379)" in capsys.readouterr().out
    return out


def _row_of(ws, rid: str) -> int:
    for n in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(n, 1).value == rid:
            return n
    raise AssertionError(rid)


def _fill(path: Path, verdicts: dict[str, tuple[str, str | None]], *, reviewer="王工", day="2026-11-30", extra=()) -> Path:
    wb = load_workbook(path)
    ws = wb[SHEET]
    ws["B2"], ws["B3"] = reviewer, day
    for rid, (v, c) in verdicts.items():
        n = _row_of(ws, rid)
        ws.cell(n, VERDICT).value = v
        text_cell(ws.cell(n, COMMENT), c)
    for row, col, value in extra:
        text_cell(ws.cell(row, col), value)
    out = path.with_name(f"filled-{len(list(path.parent.glob('filled-*')))}.xlsx")
    wb.save(out)
    return out


def _import(criteria: Path, sheet: Path, *more: str) -> int:
    return main(["--criteria", str(criteria), "criteria", "review", EDITION, "--import", str(sheet), *more])


A = "gbt39116_2020r2:data:L1:02"
B = "gbt39116_2020r2:data:L2:01"
C = "gbt39116_2020r2:network:L3:01"


def test_the_sheet_lists_every_requirement_with_its_sources_as_text(criteria, tmp_path, capsys):
    path = _export(criteria, tmp_path, capsys)
    ws = load_workbook(path)[SHEET]
    assert ws["B1"].value == EDITION
    assert [c.value for c in ws[HEADER_ROW]] == list(HEADERS)
    ed = load_maturity(EDITION, criteria)
    ids = [ws.cell(n, 1).value for n in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert ids == [r.id for r in ed.requirements]
    n = _row_of(ws, A)
    row = {h: ws.cell(n, i + 1).value for i, h in enumerate(HEADERS)}
    req = ed.requirement_map[A]
    assert row["要求（中文）Requirement (zh)"] == req.text_zh and row["要求（英文）Requirement (en)"] == req.text_en
    assert row["适用行业 Industry types"] == "process" and row["来源依据 Source"] == req.provenance.ref
    assert row["来源类型 Provenance"] == "自拟转述 authored" and row["当前审核 Current review"].startswith("未审核")
    assert row["能力子域 Sub-domain"] == "数据 Data" and row["结论 Verdict"] is None
    assert all(is_text(ws.cell(n, i)) for i in (1, 6, 7, 9, 12))
    dv = ws.data_validations.dataValidation[0]
    assert dv.formula1 == '"通过 approve,修改 change,否决 reject"' and f"{chr(64 + VERDICT)}{n}" in str(dv.sqref)


def test_round_trip_records_reviews_and_leaves_every_other_line(criteria, tmp_path, capsys):
    before = _tree(criteria)
    sheet = _fill(
        _export(criteria, tmp_path, capsys),
        {A: ("通过 approve", None), B: ("修改 change", "=写明采集频率"), C: ("reject", "与 L2 重复\n第二行")},
    )
    assert _import(criteria, sheet) == 0
    out = capsys.readouterr().out
    assert "recorded 3 review(s) of maturity/2020-r2 by 王工, 2026-11-30: approved 1, changes requested 1, rejected 1" in out
    assert "not reviewed 376" in out
    after = _tree(criteria)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"maturity/2020-r2/requirements/data.yaml", "maturity/2020-r2/requirements/network.yaml"}
    for f in changed:  # only lines added: every old line is still there, in order
        old, new = before[f].split("\n"), after[f].split("\n")
        it = iter(new)
        assert all(line in it for line in old)
        added = len(new) - len(old)
        assert added == {"data.yaml": 9, "network.yaml": 5}[Path(f).name]
    ed = load_maturity(EDITION, criteria)  # the disk cache (keyed by content) gives the new records
    ra, rb, rc = (ed.requirement_map[x].review for x in (A, B, C))
    assert (ra.status.value, ra.by, str(ra.date), ra.comment) == ("approved", "王工", "2026-11-30", None)
    assert (rb.status.value, rb.comment) == ("changes_requested", "=写明采集频率")
    assert (rc.status.value, rc.comment) == ("rejected", "与 L2 重复\n第二行")
    assert ed.review_counts() == {"approved": 1, "changes_requested": 1, "rejected": 1, "none": 376}
    assert main(["--criteria", str(criteria), "criteria", "check"]) == 0
    capsys.readouterr()
    assert main(["--criteria", str(criteria), "criteria", "list", EDITION, "--json"]) == 0
    listed = {r["id"]: r["review"] for r in json.loads(capsys.readouterr().out)}
    assert listed[B] == {"status": "changes_requested", "by": "王工", "date": "2026-11-30", "comment": "=写明采集频率"}
    assert listed[A]["status"] == "approved" and "comment" not in listed[A]

    # a second review of the same requirement replaces the record in place; the export shows the current status
    sheet2 = _fill(_export_again(criteria, tmp_path, capsys), {A: ("否决", "不具体")}, reviewer="李四", day="2026-12-01")
    assert _import(criteria, sheet2) == 0
    assert "1 earlier review(s) replaced" in capsys.readouterr().out
    again = _tree(criteria)["maturity/2020-r2/requirements/data.yaml"]
    assert len(again.split("\n")) == len(after["maturity/2020-r2/requirements/data.yaml"].split("\n")) + 1  # + comment
    assert again.count("review:") == 2 and '"李四"' in again and '"王工"' in again
    ws = load_workbook(_export_again(criteria, tmp_path, capsys))[SHEET]
    assert ws.cell(_row_of(ws, A), HEADERS.index("当前审核 Current review") + 1).value.startswith(
        "否决 / rejected: 李四, 2026-12-01"
    )


def _export_again(criteria: Path, tmp_path: Path, capsys) -> Path:
    out = tmp_path / f"again-{len(list(tmp_path.glob('again-*')))}.xlsx"
    assert main(["--criteria", str(criteria), "criteria", "review", EDITION, "-o", str(out)]) == 0
    capsys.readouterr()
    return out


def test_bad_rows_are_refused_by_number_and_nothing_is_written(criteria, tmp_path, capsys):
    path = _export(criteria, tmp_path, capsys)
    ws = load_workbook(path)[SHEET]
    last = ws.max_row
    sheet = _fill(
        path,
        {A: ("通过", None), B: ("maybe", None), C: ("修改", None)},
        extra=[
            (last + 1, 1, "gbt39116_2020:data:L1:01"),
            (last + 1, VERDICT, "通过 approve"),
            (last + 2, 1, "gbt39116_2020r2:data:L9:01"),
            (last + 2, VERDICT, "通过 approve"),
            (last + 3, 1, A),
            (last + 3, VERDICT, "通过 approve"),
            (last + 4, COMMENT, "an orphan comment"),
        ],
    )
    before = _tree(criteria)
    assert _import(criteria, sheet) == 2
    err = capsys.readouterr().err.splitlines()
    rows = {int(line.split(": row ")[1].split(":")[0]): line for line in err if ": row " in line}
    assert "verdict 'maybe' is not one of the drop-down's values" in rows[_row_of(ws, B)]
    assert "a change or a reject needs a comment" in rows[_row_of(ws, C)]
    assert "is of maturity/2020, not maturity/2020-r2" in rows[last + 1]
    assert "is not in maturity/2020-r2" in rows[last + 2]
    assert f"repeats row {_row_of(ws, A)}" in rows[last + 3]
    assert "the id is missing" in rows[last + 4]
    assert [line for line in err if line.startswith("error:")] == [
        "error: 6 row(s) refused; nothing written (fix them and import again)"
    ]
    assert _tree(criteria) == before


@pytest.mark.parametrize(
    "args, cell, fragment",
    [
        ((), ("B1", "maturity/2020"), "the sheet is for maturity/2020, not maturity/2020-r2"),
        ((), ("B2", None), "no reviewer: fill in row 2 of the sheet or give --by NAME"),
        (("--by", "李四"), None, "the sheet names the reviewer '王工' (row 2) but --by says '李四'"),
        ((), ("B3", "30.11.2026"), "row 3: the date is not YYYY-MM-DD"),
        (("--date", "2026-02-30"), ("B3", None), "--date '2026-02-30': expected a date YYYY-MM-DD"),
    ],
)
def test_file_level_errors_are_one_line_exit_2(criteria, tmp_path, capsys, args, cell, fragment):
    path = _fill(_export(criteria, tmp_path, capsys), {A: ("通过 approve", None)})
    if cell:
        wb = load_workbook(path)
        wb[SHEET][cell[0]] = cell[1]
        wb.save(path)
    before = _tree(criteria)
    assert _import(criteria, path, *args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and fragment in err[0]
    assert _tree(criteria) == before


def test_by_and_date_on_the_command_line(criteria, tmp_path, capsys):
    path = _fill(_export(criteria, tmp_path, capsys), {A: ("approve", None)}, reviewer=None, day=None)
    assert _import(criteria, path, "--by", "赵工", "--date", "2026-10-01") == 0
    r = load_maturity(EDITION, criteria).requirement_map[A].review
    assert (r.by, str(r.date)) == ("赵工", "2026-10-01")


def test_usage_errors(criteria, tmp_path, capsys):
    for argv in (
        ["criteria", "review", "scenarios/2023", "-o", str(tmp_path / "x.xlsx")],
        ["criteria", "review", EDITION],
        ["criteria", "review", EDITION, "--import", str(tmp_path / "missing.xlsx")],
    ):
        assert main(["--criteria", str(criteria), *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ")
    (tmp_path / "not.xlsx").write_text("hello")
    assert main(["--criteria", str(criteria), "criteria", "review", EDITION, "--import", str(tmp_path / "not.xlsx")]) == 2
    assert "not an Excel workbook" in capsys.readouterr().err


def _set_review(criteria: Path, block: str) -> None:
    f = criteria / "maturity/2020-r2/requirements/data.yaml"
    text = f.read_text(encoding="utf-8")
    anchor = "- id: gbt39116_2020r2:data:L1:03"
    f.write_text(text.replace(anchor, block + anchor, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "block, fragment",
    [
        ("  review:\n    status: ok\n    by: x\n    date: '2026-11-30'\n", "review.status: Input should be 'approved'"),
        (
            "  review:\n    status: approved\n    by: x\n    date: '2026-02-30'\n",
            "review.date: Value error, '2026-02-30' is not a valid date",
        ),
        ("  review:\n    status: approved\n    by: x\n    date: 30.11.2026\n", "is not a date YYYY-MM-DD"),
        ("  review:\n    status: approved\n    date: '2026-11-30'\n", "review.by: Field required"),
        ("  review:\n    status: approved\n    by: x\n    date: '2026-11-30'\n    score: 1\n", "review.score: unknown field"),
    ],
)
def test_the_loader_refuses_a_bad_review_naming_file_and_id(criteria, capsys, block, fragment):
    _set_review(criteria, block)
    assert main(["--criteria", str(criteria), "criteria", "check"]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "review" in x)
    assert line.startswith(f"criteria/maturity/2020-r2/requirements/data.yaml: {A}: ") and fragment in line


def test_an_impossible_unquoted_date_is_a_yaml_error_not_a_traceback(criteria, capsys):
    _set_review(criteria, "  review:\n    status: approved\n    by: x\n    date: 2026-13-45\n")
    assert main(["--criteria", str(criteria), "criteria", "check"]) == 1
    out = capsys.readouterr().out
    assert "criteria/maturity/2020-r2/requirements/data.yaml: -: YAML error at line" in out
    assert "'2026-13-45' is not a valid date" in out


def test_placing_refuses_what_it_cannot_place_exactly(criteria):
    text = "subdomain: data\nrequirements:\n- {id: 'x:data:L1:01', level: 1}\n"
    rev = Review(status="approved", by="x", date="2026-11-30")
    with pytest.raises(ReviewError, match="not a block mapping"):
        place_reviews(text, {"x:data:L1:01": rev}, "f.yaml")
    with pytest.raises(ReviewError, match="gbt39116_2020r2:data:L7:01 is not a requirement"):
        record_reviews(EDITION, {"gbt39116_2020r2:data:L7:01": rev}, criteria)
    # comments and blank lines after an item stay where they are; the block goes after the item's last line
    text = "subdomain: data\nrequirements:\n- id: a\n  level: 1\n\n# next\n- id: b\n  level: 2\n# end\n"
    new, n = place_reviews(text, {"a": rev, "b": rev}, "f.yaml")
    assert n == 0 and new == (
        'subdomain: data\nrequirements:\n- id: a\n  level: 1\n  review:\n    status: approved\n    by: "x"\n'
        '    date: "2026-11-30"\n\n# next\n- id: b\n  level: 2\n  review:\n    status: approved\n    by: "x"\n'
        '    date: "2026-11-30"\n# end\n'
    )


def test_the_shipped_criteria_carry_no_review_record():
    for edition in ("maturity/2020-r2", "maturity/2024-draft-r2", "maturity/2020", "maturity/2024-draft"):
        ed = load_maturity(edition)
        assert ed.review_counts()["none"] == len([r for r in ed.requirements if not r.withdrawn])
