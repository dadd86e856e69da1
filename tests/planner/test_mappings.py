"""Edition mappings are checked data; re-scoring reports what maps, what does not, what is new (issue 14)."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from paths import CRITERIA, ROOT

from assessment.answers import Answers, read_answers_file
from assessment.editions import load_maturity_cached
from assessment.mappings import check_mappings, load_mappings, map_answers, mapping_summary, requirement_links, rescore
from cli import main

EXAMPLES = ROOT / "examples"


def test_shipped_mappings_load_and_every_entry_has_provenance():
    assert check_mappings(CRITERIA) == []
    pairs = {(m.source, m.target) for m in load_mappings(CRITERIA)}
    assert {
        ("maturity/2020", "maturity/2024-draft"),
        ("maturity/2020", "maturity/2020-r2"),
        ("maturity/2020-r2", "maturity/2024-draft-r2"),
        ("smart_factory/2024", "smart_factory/2025"),
    } <= pairs
    for m in load_mappings(CRITERIA):
        assert m.data.provenance.confidence is not None
        for e in m.data.subdomains:
            assert e.provenance.kind.value in ("authored", "provisional", "secondary", "public_document")
            assert e.provenance.confidence is not None
        if m.source == "maturity/2020" and m.target == "maturity/2024-draft":  # an inference says so
            assert all(e.provenance.confidence.value == "low" for e in m.data.subdomains)
            assert all("推断" in e.provenance.note for e in m.data.subdomains)


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda d: d["subdomains"][0].update(to=["nope"]), "not a sub-domain"),
        (lambda d: d["subdomains"].pop(0), "is not mapped"),
        (lambda d: d.update(extra=1), "unknown field"),
        (lambda d: d["new_subdomains"].pop(0), "neither mapped to nor listed as new"),
        (lambda d: d["subdomains"][0]["provenance"].pop("ref"), "ref"),
        (lambda d: d.update(to="maturity/nope"), "unknown edition"),
    ],
)
def test_broken_mapping_is_reported_by_criteria_check(tmp_path, capsys, mutate, needle):
    root = tmp_path / "criteria"
    shutil.copytree(CRITERIA, root)
    path = root / "mappings" / "maturity-2020__maturity-2024-draft.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert main(["criteria", "check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "criteria/mappings/maturity-2020__maturity-2024-draft.yaml" in out and needle in out


def test_duplicate_key_in_mapping_is_refused(tmp_path, capsys):
    root = tmp_path / "criteria"
    shutil.copytree(CRITERIA, root)
    path = root / "mappings" / "smart_factory-2024__smart_factory-2025.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "kind: maturity\n", encoding="utf-8")
    assert main(["criteria", "check", str(root)]) == 1
    assert "duplicate" in capsys.readouterr().out.lower()


def test_rescore_counts_and_grades_carry_conservatively():
    answers, ed = read_answers_file(EXAMPLES / "leading-answers.yaml")
    r = rescore(answers, "maturity/2024-draft")
    b = load_maturity_cached("maturity/2024-draft")
    app_b = {x.id for x in b.applicable_requirements(answers.industry)}
    assert r["counts"]["maps"] + r["counts"]["new"] == len(app_b)
    assert set(r["new"]) <= app_b and all(
        rid.split(":")[1] in {"lean_management", "factory_planning", "product_innovation", "quality_management"}
        for rid in r["new"]
    )
    # 2020 product_design does not apply to process firms in the draft: its requirements do not map
    assert r["does_not_map"] and all(":product_design:" in x for x in r["does_not_map"])
    assert r["after"]["complete"] is False and r["after"]["not_assessed"] == len(r["new"])
    assert r["level_change"] == r["after"]["level"] - r["before"]["level"]
    assert r["weights_moved"]


def test_min_combine_for_merged_subdomains():
    a = load_maturity_cached("maturity/2020")
    grades = {x.id: "full" for x in a.applicable_requirements("discrete")}
    grades["gbt39116_2020:product_service:L2:01"] = "partial"  # merged into 服务 with customer_service:L2:01
    from assessment.mappings import find_mapping

    m = find_mapping("maturity/2020", "maturity/2024-draft", CRITERIA)
    new, _ = map_answers(Answers("maturity/2020", "discrete", grades), m, CRITERIA)
    assert new.grades["gbt39116_wd2024:service:L2:01"] == "partial"
    links = [x for x in requirement_links(m, CRITERIA) if x.target == "gbt39116_wd2024:service:L2:01"]
    assert {x.source for x in links} == {"gbt39116_2020:product_service:L2:01", "gbt39116_2020:customer_service:L2:01"}


def test_cli_rescore_and_diff(tmp_path, capsys):
    assert (
        main(
            [
                "maturity",
                "rescore",
                str(EXAMPLES / "leading-answers.yaml"),
                "--to",
                "maturity/2024-draft",
                "--json",
                "--out",
                str(tmp_path / "carried.yaml"),
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["to"] == "maturity/2024-draft" and out["mapping"]["confidence"] == "low"
    carried, _ = read_answers_file(tmp_path / "carried.yaml")
    assert carried.edition == "maturity/2024-draft"
    assert main(["maturity", "rescore", str(EXAMPLES / "leading-answers.yaml"), "--to", "maturity/2025"]) == 2
    assert capsys.readouterr().err.startswith("error: no mapping")
    assert main(["criteria", "diff", "smart_factory/2024", "smart_factory/2025", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert (
        "sf2024.excellent.build_completed" in d["mapping"]["does_not_map"] and "sf2025.excellent.ai_share" in d["mapping"]["new"]
    )
    assert main(["criteria", "diff", "maturity/2020", "maturity/2024-draft", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["mapping"]["requirements"]["new"] == 40 and d["subdomains"]["added"]


def test_profile_rescore_reports_the_tier(tmp_path, capsys):
    profile = yaml.safe_load((EXAMPLES / "basic.yaml").read_text(encoding="utf-8"))
    answers = yaml.safe_load((EXAMPLES / "leading-answers.yaml").read_text(encoding="utf-8"))
    profile["maturity"] = {"edition": answers["edition"], "industry": answers["industry"], "answers": answers["answers"]}
    src = tmp_path / "p.yaml"
    src.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    assert main(["maturity", "rescore", str(src), "--to", "maturity/2024-draft", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["tier"]) == {"edition", "before", "after", "changed"}
    assert main(["maturity", "rescore", str(EXAMPLES / "excellent.yaml"), "--to", "smart_factory/2025"]) == 2
    assert "already on" in capsys.readouterr().err


def test_a_cell_mapping_is_reported_as_inherited_from_the_level_not_as_one_to_one(capsys):
    """maturity/2020 → 2020-r2 maps cell to cell: every r2 requirement gets the lowest grade of its old cell (0 new),
    but none corresponds to an old statement; the reports say so instead of counting them as plain maps."""
    answers, _ = read_answers_file(EXAMPLES / "leading-answers.yaml")
    r = rescore(answers, "maturity/2020-r2")
    app_b = {x.id for x in load_maturity_cached("maturity/2020-r2").applicable_requirements(answers.industry)}
    c = r["counts"]
    assert c["new"] == 0 and c["one_to_one"] == 0 and c["inherited_from_level"] == c["maps"] == len(app_b)
    assert {x["basis"] for x in r["maps"]} == {"level"}
    # the r2 requirements beyond the old positions (:03, :04) have no same-numbered source: only the cell feeds them
    x = next(x for x in r["maps"] if x["id"].endswith(":04"))
    assert all(not f.endswith(":04") for f in x["from"]) and len(x["from"]) == 2
    assert main(["maturity", "rescore", str(EXAMPLES / "leading-answers.yaml"), "--to", "maturity/2020-r2"]) == 0
    out = capsys.readouterr().out
    assert f"逐条对应 one-to-one 0，仅承接同级整格 inherited from the level {len(app_b)}）" in out
    assert main(["criteria", "diff", "maturity/2020", "maturity/2020-r2", "--json"]) == 0
    req = json.loads(capsys.readouterr().out)["mapping"]["requirements"]
    assert (req["target_total"], req["one_to_one"], req["inherited_from_level"], req["new"]) == (379, 0, 379, 0)
    assert main(["criteria", "diff", "maturity/2020", "maturity/2020-r2"]) == 0
    assert "of the 379 requirements of maturity/2020-r2: 0 mapped one-to-one, 379 inherited from the level" in (
        capsys.readouterr().out
    )


def test_a_position_mapping_is_one_to_one_and_unfed_requirements_are_new():
    answers, _ = read_answers_file(EXAMPLES / "leading-answers.yaml")
    r = rescore(answers, "maturity/2024-draft")
    c = r["counts"]
    assert c["inherited_from_level"] == 0 and c["one_to_one"] == c["maps"] > 0 and c["new"] > 0
    s = mapping_summary("maturity/2020", "maturity/2024-draft", CRITERIA)["requirements"]
    assert s["one_to_one"] + s["inherited_from_level"] + s["new"] == s["target_total"] == 250
    assert (s["one_to_one"], s["new"]) == (210, 40)
