"""Issue 9 in a real Chromium, on SQLite and on PostgreSQL (a fresh data directory and schema, no demo data).

- Evidence on a card: a PDF dropped on the second card's uploader, away to 结果 and back to 自评估: the database holds
  exactly one evidence row for that requirement (and one add_evidence audit row), and the card lists the file. A file
  whose content is not what its name says is refused on its card with the reason, and nothing is stored.
- The place is kept: answers in the second sub-domain do not send the page back to the first one (the sub-domain
  selector's value is its label, which carries the count).
- Bulk grading: choosing a grade keeps the level's popover open, applying grades every item of the level and closes it.

Screenshots go to test-output/e2e/<database>/.
"""

from __future__ import annotations

import pytest
from helpers import (
    LABEL_OF,
    SUBDOMAIN_BOX,
    act,
    answer,
    app_server,
    assessment_of,
    audit_rows,
    card,
    cards,
    chromium,
    click,
    graded,
    new_assessment,
    new_page,
    selectbox_text,
    short,
    shown,
    sidebar,
    wait_for_cards,
)
from sqlalchemy import text

VIEW = {"viewport": {"width": 1400, "height": 1000}, "locale": "zh-CN"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with app_server(request.param, tmp_path_factory, "server-questionnaire.log") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    ctx = browser.new_context(**VIEW)
    yield new_page(ctx)
    ctx.close()


def _evidence(app, aid: int) -> list[tuple[str, str]]:
    with app.engine.connect() as c:
        rows = c.execute(
            text("SELECT requirement_id, original_name FROM evidence WHERE assessment_id = :a ORDER BY id"), {"a": aid}
        ).all()
    return [(r.split(":", 1)[1], n) for r, n in rows]


def _open_evidence(page, sid: str):
    """The card's 证据 expander, opened (it stays open when it already is)."""
    box = card(page, sid).locator("[data-testid=stExpander]")
    if not box.locator("input[type=file]").is_visible():
        box.locator("summary").first.click()
    box.locator("input[type=file]").wait_for(state="attached")
    return box


def test_card_upload_is_stored_once_and_stays_on_the_card(app, page, tmp_path):
    ent = "证据卡片上传有限公司"
    new_assessment(page, app.url, ent)
    aid = assessment_of(app.engine, ent)
    sid, other = cards(page)[1], cards(page)[2]
    file = tmp_path / "组织架构图.pdf"
    file.write_bytes(PDF)
    box = _open_evidence(page, sid)
    act(page, lambda: box.locator("input[type=file]").set_input_files(str(file)))
    page.get_by_text("已上传「组织架构图.pdf」").wait_for()
    problems = []
    if _evidence(app, aid) != [(sid, "组织架构图.pdf")]:
        problems.append(f"after the upload: {_evidence(app, aid)}")

    sidebar(page, "结果")
    page.get_by_text("成熟度等级").first.wait_for()
    sidebar(page, "自评估")
    wait_for_cards(page)
    box = card(page, sid).locator("[data-testid=stExpander]")
    if "证据（1）" not in box.locator("summary").first.inner_text():
        problems.append(f"the card's evidence heading reads {box.locator('summary').first.inner_text()!r}")
    _open_evidence(page, sid)
    if not box.get_by_text("组织架构图.pdf", exact=False).first.is_visible():
        problems.append("the file is not listed on its card after coming back")
    page.screenshot(path=str(app.out / "card_evidence.png"), full_page=True)
    rows = _evidence(app, aid)
    if rows != [(sid, "组织架构图.pdf")]:
        problems.append(f"expected exactly one evidence row for {sid}, found {rows}")
    audits = [r["requirement"].split(":", 1)[1] for r in audit_rows(app.engine, aid, "add_evidence")]
    if audits != [sid]:
        problems.append(f"add_evidence audit rows: {audits}")

    bad = tmp_path / "伪装.pdf"
    bad.write_bytes(b"this is not a pdf")
    box = _open_evidence(page, other)
    act(page, lambda: box.locator("input[type=file]").set_input_files(str(bad)))
    card(page, other).get_by_text("上传被拒绝").wait_for()
    if _evidence(app, aid) != [(sid, "组织架构图.pdf")]:
        problems.append(f"a refused file changed the evidence rows: {_evidence(app, aid)}")
    assert not problems, "\n".join(problems)


def _place(page) -> tuple[str, str]:
    return selectbox_text(page, SUBDOMAIN_BOX), page.url.rsplit("subdomain=", 1)[-1]


def test_answers_in_a_later_subdomain_keep_the_place(app, page):
    ent = "子域位置保持有限公司"
    new_assessment(page, app.url, ent)
    aid = assessment_of(app.engine, ent)
    click(page, page.get_by_role("button", name="下一个子域"))
    ids = cards(page)
    problems = []
    for n, sid in enumerate(ids[:3], 1):
        answer(page, sid, "1 全部满足")
        label, param = _place(page)
        if "人员技能" not in label or f"（{n}/{len(ids)}）" not in label or param != "personnel_skills":
            problems.append(f"after answer {n}: the selector shows {label!r}, the URL's sub-domain is {param!r}")
    if sorted(short(r) for r in graded(app.engine, aid)) != sorted(ids[:3]):
        problems.append(f"stored: {graded(app.engine, aid)}")
    assert not problems, "\n".join(problems)


def test_bulk_grading_a_level_closes_its_popover(app, page):
    ent = "批量评分弹窗有限公司"
    new_assessment(page, app.url, ent)
    aid = assessment_of(app.engine, ent)
    click(page, page.get_by_role("button", name="下一个子域"))
    level1 = [sid for sid in cards(page) if ":L1:" in sid]
    level2 = [sid for sid in cards(page) if ":L2:" in sid]
    body = page.get_by_test_id("stPopoverBody").filter(visible=True)
    problems = []
    click(page, page.get_by_role("button").filter(has_text="本级批量评分").first)  # opening it reruns (its state is kept)
    click(page, body.get_by_text("0.5 部分满足", exact=True))
    if not body.count():
        problems.append("the popover closed when a grade was chosen")
    click(page, body.get_by_role("button").filter(has_text="应用到"))
    if body.count():
        problems.append("the popover is still open after applying")
    click(page, page.get_by_role("button").filter(has_text="本级批量评分").nth(1))
    click(page, body.get_by_role("button").filter(has_text="应用到"))  # the preselected grade: 1 全部满足
    expected = {sid: "partial" for sid in level1} | {sid: "full" for sid in level2}
    stored = {short(r): g for r, g in graded(app.engine, aid).items()}
    if stored != expected:
        problems.append(f"stored {stored}, expected {expected}")
    now = shown(page)
    wrong = [sid for sid, g in expected.items() if now.get(sid) != LABEL_OF[g]]
    if wrong:
        problems.append(f"cards not showing their stored grade: {wrong}")
    if "人员技能" not in _place(page)[0]:
        problems.append(f"the page left 人员技能: {_place(page)}")
    if [r["action"] for r in audit_rows(app.engine, aid) if r["action"] == "bulk_grade"] != ["bulk_grade"] * 2:
        problems.append(f"audit: {[r['action'] for r in audit_rows(app.engine, aid)]}")
    page.screenshot(path=str(app.out / "bulk_grading.png"), full_page=True)
    assert not problems, "\n".join(problems)
