"""The report and the workbook read as words: failing rules as sentences (never rule ids or raw values), closed
programmes apart and marked, the English report entirely English but for the names users typed, no repository paths,
S never rounded up. The PDFs are read back with pdftotext; pages are also written as PNG to test-output for a look."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from paths import CRITERIA, OUTPUT

from assessment import labels
from assessment.services import demo
from assessment.store import repository as repo
from reports import service
from reports.report import report_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")  # noqa

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def text_of(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def rendered(Session):
    with Session.begin() as s:
        aid = demo.load_demo(s)[-1]  # 北方重型: level 4, 卓越级
    with Session() as s:
        ctx = service.report_context(aid, session=s, root=CRITERIA)
        a = repo.get_assessment(aid, session=s)
        names = {a.factory.enterprise.name, a.factory.name, a.title, a.factory.enterprise.credit_code or ""}
        names |= {v.original_name for v in a.evidence} | {x.note or "" for x in a.answers if x.grade == "na"}
    pdfs = {lang: report_pdf(ctx, lang) for lang in ("zh", "en")}
    folder = OUTPUT / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for lang, pdf in pdfs.items():
        (folder / f"report-{lang}.pdf").write_bytes(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-r", "50", "-png", str(folder / f"report-{lang}.pdf"), str(folder / f"report-{lang}")], check=True
            )
    return ctx, names, {lang: text_of(pdf) for lang, pdf in pdfs.items()}


def test_english_report_is_english_but_for_names(rendered):
    ctx, names, text = rendered
    en = text["en"]
    for name in sorted(names, key=len, reverse=True):
        for part in name.split():
            en = en.replace(part, "")
    stray = [line.strip() for line in en.splitlines() if CJK.search(line)]
    assert stray == []
    flat = " ".join(text["en"].split())
    assert "Section 9 lists where each rule comes from" in flat and "9. Provenance of the criteria" in flat
    assert "Productivity increase" in flat or not ctx.kpis  # KPI names in English


def test_no_repository_paths_rule_ids_or_raw_values(rendered):
    _, _, text = rendered
    for lang, t in text.items():
        flat = " ".join(t.split())
        for bad in (
            "criteria/",
            "shared/",
            "maturity/2020",
            "smart_factory/",
            "sf2025.",
            "d2021.",
            "{'op'",
            "domestic_leading",
            "True",
            "False",
        ):
            assert bad not in flat, (lang, bad)
        assert not re.search(r"\bNone\b(?!\.)", flat), lang  # "None." is the word for an empty section


def test_reasons_are_sentences_and_closed_programmes_are_apart(rendered):
    ctx, _, text = rendered
    zh = " ".join(text["zh"].split())
    en = " ".join(text["en"].split())
    assert (
        "行业领军，智能制造水平全球领先：「智能制造水平」为“国内领先”，要求为“全球领先”（在「首页→企业合规与申报事实」填写）。"
        in zh.replace(" ", "")
    )
    assert (
        "Industry leader; smart manufacturing leads the world: smart-manufacturing standing is leading in China; required: "
        "globally leading (entered at Home → Compliance and declaration facts)."
    ) in en
    assert "已截止的项目（仅供参考）" in zh.replace(" ", "") and "Closed programmes (for reference)" in en
    assert zh.replace(" ", "").count("·已截止") == len(ctx.declarations.programmes)  # every shipped call has closed by now
    assert date.today() > date(2025, 8, 1)


def test_s_is_printed_cut_to_three_decimals(Session):
    with Session.begin() as s:
        aid = demo.load_demo(s)[0]
    with Session() as s:
        ctx = service.report_context(aid, session=s, root=CRITERIA)
    edge = ctx.maturity.model_copy(update={"score": 1.7975})  # just under the band edge at 1.8
    pdf = report_pdf(type(ctx)(**{**ctx.__dict__, "maturity": edge}), "zh")
    flat = "".join(text_of(pdf).split())
    assert "总分S1.797" in flat and "1.80" not in flat
    assert labels.score_text(1.7975) == "1.797"


def test_workbook_sheets_speak_in_names(Session):
    import openpyxl

    with Session.begin() as s:
        aid = demo.load_demo(s)[-1]
    with Session() as s:
        wb = openpyxl.load_workbook(io.BytesIO(service.workbook(aid, session=s, root=CRITERIA)))
    assert {"差距", "层级", "申报资格"} <= set(wb.sheetnames)
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert not [c for c in cells if re.search(r"\b(sf2025|d2021|domestic_leading|production_ops)\b", c)]
    summary = {r[0]: r[1] for r in wb["概要"].iter_rows(values_only=True)}
    assert re.fullmatch(r"\d\.\d{3}", summary["总分 S"]) and summary["成熟度等级"] == "四级（优化级）"
    decl = list(wb["申报资格"].iter_rows(values_only=True))
    assert decl[0] == ("申报项目", "状态", "资格", "推荐名额", "截止日期", "类别", "说明")
    assert {r[1] for r in decl[1:]} == {"已截止"}
    tiers = list(wb["层级"].iter_rows(values_only=True))
    assert any(r[0] == "领航级" and r[2] == "未满足" and r[3].endswith("填写）。") for r in tiers[1:])
