"""Issue 9 in a real Chromium: evidence uploaded on a requirement card is stored once and stays on that card.

On SQLite and on PostgreSQL (a fresh data directory and schema, no demo data): a new assessment, a PDF dropped on the
second card's uploader, away to 结果 and back to 自评估: the database holds exactly one evidence row for that
requirement (and one add_evidence audit row), and the card lists the file. A file whose content is not what its name
says is refused on its card with the reason, and nothing is stored. Screenshots go to test-output/e2e/<database>/.
"""

from __future__ import annotations

import pytest
from helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    act,
    app_server,
    assessment_of,
    audit_rows,
    card,
    cards,
    new_assessment,
    new_page,
    require_chromium,
    sidebar,
    wait_for_cards,
)
from sqlalchemy import text

VIEW = {"viewport": {"width": 1400, "height": 1000}, "locale": "zh-CN"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with app_server(request.param, tmp_path_factory, "server-card-evidence.log") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


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


def test_card_upload_is_stored_once_and_stays_on_the_card(app, browser, tmp_path):
    ctx = browser.new_context(**VIEW)
    try:
        page = new_page(ctx)
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
    finally:
        ctx.close()
