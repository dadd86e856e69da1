"""A sub-domain whose every answer is N/A has no score: the engine says None, and the report, the workbook, the charts,
the command line and the app show "—", never 0 (0 would read as "nothing done")."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess

import pytest
from paths import CRITERIA, MINI

from assessment import labels
from assessment.answers import Answers
from assessment.editions import load_maturity_cached
from assessment.maturity import score
from assessment.services import demo
from assessment.store import repository as repo
from reports import charts, service
from reports.report import report_pdf

DASH = "—"


def svg_text(svg: bytes) -> list[str]:
    import html

    return [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg.decode(), flags=re.S)]


def test_engine_gives_none_for_a_sub_domain_domain_and_element_that_do_not_apply():
    mini = load_maturity_cached("maturity/mini", MINI)
    grades = {f"mini:s:L{n}:01": "na" for n in range(1, 6)} | {"mini:a:L1:01": "full"}
    res = score(Answers("maturity/mini", "discrete", grades), mini)
    by_id = {x.id: x for x in res.subdomains + res.domains + res.elements}
    assert by_id["s"].score is None and by_id["org"].score is None and by_id["people"].score is None
    assert set(by_id["s"].level_scores.values()) == {None}
    # what applies keeps a number, 0 included (answered "none" or not assessed is 0, not "—")
    assert by_id["a"].score is not None and by_id["c"].score == 0.0 and by_id["prod"].score is not None
    assert res.score > 0


@pytest.fixture
def text_svg():
    from matplotlib import pyplot as plt

    from reports.fonts import setup_matplotlib

    setup_matplotlib()
    with plt.rc_context({"svg.fonttype": "none"}):
        yield


def test_charts_show_a_dash_and_no_bar_or_point(text_svg):
    bars = svg_text(charts.subdomain_bars(["数据", "战略"], [1.5, None], title="子域", fmt="svg"))
    assert DASH in bars and "1.50" in bars and "0.00" not in bars
    radar = svg_text(charts.radar(["甲", "乙", "丙"], {"S": [1.0, None, 2.0]}, title="能力域", fmt="svg"))
    assert any(t.startswith("乙") and DASH in t for t in radar) or ("乙" in radar and DASH in radar)
    assert charts.radar(["甲", "乙"], {"A": [None, None], "B": [1.0, None]}, fmt="png").startswith(b"\x89PNG")


@pytest.fixture
def na_subdomain(Session):
    """The demo's level-4 assessment with one whole sub-domain answered N/A (with a reason)."""
    with Session.begin() as s:
        aid = demo.load_demo(s)[-1]
        a = repo.get_assessment(aid, session=s)
        ed = load_maturity_cached(a.maturity_edition, CRITERIA)
        reqs = ed.applicable_requirements(a.industry_type)
        sid = ed.req_subdomain[reqs[0].id]
        changes = {r.id: {"grade": "na", "note": "本厂无此业务"} for r in reqs if ed.req_subdomain[r.id] == sid}
        repo.save_answers(aid, changes, session=s, expected_version=a.version, root=CRITERIA)
        name = ed.subdomains[sid].name_zh
    return aid, sid, name


def test_report_and_workbook_show_a_dash(Session, na_subdomain):
    import openpyxl

    aid, sid, name = na_subdomain
    with Session() as s:
        ctx = service.report_context(aid, session=s, root=CRITERIA)
        book = openpyxl.load_workbook(io.BytesIO(service.workbook(aid, session=s, root=CRITERIA)))
    sub = next(x for x in ctx.maturity.subdomains if x.id == sid)
    assert sub.score is None
    row = next(r for r in book["子域得分"].iter_rows(values_only=True) if r[0] == name)
    assert row[2:8] == (DASH,) * 6  # L1..L5 and the score
    others = [r for r in book["子域得分"].iter_rows(min_row=2, values_only=True) if r[0] != name]
    assert all(isinstance(r[7], (int, float)) for r in others), [r[7] for r in others]
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is required in CI (poppler-utils)")
        pytest.skip("needs poppler's pdftotext")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=report_pdf(ctx, "zh"), capture_output=True, check=True)
    rows = [x.split() for x in text.stdout.decode().splitlines() if x.strip().startswith(name)]
    assert [name, DASH] in rows  # the sub-domain chart: no bar, a dash
    table = next(r for r in rows if len(r) >= 7)
    assert table[-6:] == [DASH] * 6 and "0.00" not in table


def text_below(page, word: str) -> list[str]:
    """The words just under each place ``word`` is printed on a PDF page (a chart label's second line)."""
    tp = page.get_textpage()
    search = tp.search(word)
    out = []
    while hit := search.get_next():
        boxes = [tp.get_charbox(i) for i in range(hit[0], hit[0] + hit[1])]
        left, right, bottom = min(b[0] for b in boxes), max(b[2] for b in boxes), min(b[1] for b in boxes)
        out += tp.get_text_bounded(left - 4, bottom - 12, right + 4, bottom - 1).split()
    return out


@pytest.fixture
def na_domain(Session, na_subdomain):
    """The N/A sub-domain above, and a whole domain answered N/A (one with a single sub-domain)."""
    aid, sid, _ = na_subdomain
    with Session.begin() as s:
        a = repo.get_assessment(aid, session=s)
        ed = load_maturity_cached(a.maturity_edition, CRITERIA)
        reqs = ed.applicable_requirements(a.industry_type)
        subs_of: dict[str, set[str]] = {}
        for r in reqs:
            subs_of.setdefault(ed.subdomains[ed.req_subdomain[r.id]].domain, set()).add(ed.req_subdomain[r.id])
        did = next(d for d, subs in subs_of.items() if len(subs) == 1 and sid not in subs)
        changes = {r.id: {"grade": "na", "note": "不适用"} for r in reqs if ed.req_subdomain[r.id] in subs_of[did]}
        repo.save_answers(aid, changes, session=s, expected_version=a.version, root=CRITERIA)
    return aid, sid, did


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_charts_are_text_with_a_dash(Session, na_domain, lang):
    """The report's charts are drawn by typst: their labels are the report's own text. Each domain of the radar
    carries its score under its name, "—" for the domain that does not apply; the sub-domain bars read "—" for the
    sub-domain that does not apply; the level bars carry their values, the threshold and a legend."""
    import pypdfium2 as pdfium

    aid, sid, did = na_domain
    with Session() as s:
        ctx = service.report_context(aid, session=s, root=CRITERIA)
    m = ctx.maturity
    pdf = report_pdf(ctx, lang)
    name = (lambda x: x.name_zh) if lang == "zh" else (lambda x: x.name_en)
    doc = pdfium.PdfDocument(pdf)
    try:
        first = doc[0]
        assert [x.id for x in m.domains if x.score is None] == [did]
        for dom in m.domains:  # the name (or the last line of a long one that wraps) has the score under it
            below = text_below(first, name(dom)) or text_below(first, name(dom).split()[-1])
            assert labels.node_score(dom.score) in below, name(dom)
        page1 = " ".join(first.get_textpage().get_text_range().split())
    finally:
        doc.close()
    assert ("能力域雷达图" if lang == "zh" else "Domain scores") in page1
    for x in m.level_scores.values():
        assert labels.score_text(x) in page1  # cut to three decimals, never rounded up to the threshold
    assert ("门槛 0.8" if lang == "zh" else "threshold 0.8") in page1
    assert ("未达标" if lang == "zh" else "not passed") in page1
    layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    sub = next(x for x in m.subdomains if x.id == sid)
    assert f"{name(sub)} {DASH}" in [" ".join(line.split()) for line in layout.splitlines()]
    other = next(x for x in m.subdomains if x.score is not None)
    assert f"{name(other)} {labels.node_score(other.score)}" in [" ".join(line.split()) for line in layout.splitlines()]


def test_command_line_shows_a_dash(tmp_path):
    import yaml

    ed = load_maturity_cached("maturity/2020-r2", CRITERIA)
    reqs = ed.applicable_requirements("discrete")
    sid = ed.req_subdomain[reqs[0].id]
    answers = {r.id: ("na" if ed.req_subdomain[r.id] == sid else "full") for r in reqs}
    f = tmp_path / "a.yaml"
    f.write_text(yaml.safe_dump({"edition": "maturity/2020-r2", "industry": "discrete", "answers": answers}, allow_unicode=True))
    import sys

    out = subprocess.run([sys.executable, "-m", "assessment", "maturity", "score", str(f)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.strip().startswith(ed.subdomains[sid].name_zh))
    assert line.split()[-5:] == [DASH] * 5
