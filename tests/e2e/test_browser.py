"""End to end in a real headless Chromium (Debian's chromium, driven by Playwright).

A newcomer creates an enterprise and a factory, starts an assessment, answers requirements,
uploads evidence and sees the level and tier. Skipped only when Chromium is absent outside CI.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from dbhelp import PG_URL, require_pg
from helpers import CHROMIUM, require_chromium, start_app
from paths import OUTPUT
from sqlalchemy import create_engine, text


def _log(name: str) -> Path:
    out = OUTPUT / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    return out / name


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    require_chromium()
    env = {**os.environ, "SFA_DATA_DIR": str(tmp_path_factory.mktemp("e2e-data"))}
    env.pop("DATABASE_URL", None)
    schema = None
    if request.param == "postgresql":
        require_pg()
        schema = f"e2e_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        env["DATABASE_URL"] = f"{PG_URL}?options=-csearch_path%3D{schema}"
    proc, url = start_app(env, _log(f"browser-{request.param}.log"))
    yield url
    proc.terminate()
    proc.wait(10)
    if schema:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def test_newcomer_reaches_a_result(server, browser, tmp_path, request):
    out = OUTPUT / "e2e" / request.node.callspec.params["server"]
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(60000)
    page.goto(server)
    # the first visit migrates the database and loads the demo data (certificates included): allow for a slow machine
    page.get_by_text("智能制造成熟度与智能工厂评估").first.wait_for(timeout=180_000)
    # the demo data set is there and labelled 示例
    page.wait_for_function("() => [...document.querySelectorAll('input')].some(i => i.value.includes('【示例】'))")
    page.screenshot(path=str(out / "home.png"), full_page=False)

    # ① a new enterprise
    page.evaluate("document.fonts.ready")
    page.get_by_role("button", name="新建企业").click()
    page.get_by_label("企业名称 *").fill("浏览器测试精密机械有限公司")
    page.get_by_role("button", name="创建企业").click()
    page.get_by_text("已创建企业").wait_for()
    # ② a factory
    page.get_by_role("button", name="新建工厂").click()
    page.get_by_label("工厂名称 *").fill("一号装配车间")
    page.get_by_role("button", name="创建工厂").click()
    page.get_by_text("已创建工厂").wait_for()
    # ③ an assessment: the app moves to the questionnaire
    page.get_by_role("button", name="开始新的评估").click()
    page.get_by_role("button", name="开始评估").click()
    page.get_by_text("完成进度").wait_for()

    # answer the first requirements (each change is saved at once)
    for i in range(4):
        page.get_by_text("1 全部满足", exact=True).nth(i).click()
        page.wait_for_timeout(700)
    page.get_by_text(re.compile(r"完成进度: 4/\d+")).first.wait_for()  # the total depends on the default edition

    # upload evidence for the selected requirement
    evidence = tmp_path / "数据管理制度.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.locator("input[type=file]").last.set_input_files(str(evidence))
    page.get_by_text("数据管理制度.pdf").first.wait_for()
    page.wait_for_timeout(800)
    page.get_by_role("button", name="上传并关联").click()
    page.get_by_text("已上传「数据管理制度.pdf」").wait_for()
    page.screenshot(path=str(out / "questionnaire.png"), full_page=False)

    # a bad upload is refused with a reason
    bad = tmp_path / "伪装.pdf"
    bad.write_bytes(b"this is not a pdf")
    page.locator("input[type=file]").last.set_input_files(str(bad))
    page.get_by_text("伪装.pdf").first.wait_for()
    page.wait_for_timeout(800)
    page.get_by_role("button", name="上传并关联").click()
    page.get_by_text("上传被拒绝").wait_for()

    # the results page shows the level and the tier
    page.get_by_role("link", name="结果").click()
    page.get_by_text("成熟度等级").first.wait_for()
    page.get_by_text("智能工厂层级").first.wait_for()
    page.get_by_text("申报资格").first.wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(out / "results.png"), full_page=True)
    body = page.inner_text("body")
    assert "未达到一级" in body or "一级" in body
    assert "基础级" in body
    page.close()


def test_evidence_survives_a_restart(browser, tmp_path):
    env = {**os.environ, "SFA_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    evidence = tmp_path / "能源管理制度.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    for run in (1, 2):
        proc, url = start_app(env, _log(f"restart-{run}.log"))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(60000)
            page.goto(url)
            page.get_by_text("智能制造成熟度与智能工厂评估").first.wait_for(timeout=180_000)  # first visit loads the demo
            page.get_by_role("button", name="继续作答").click()
            page.get_by_text("完成进度").wait_for()
            if run == 1:
                page.locator("input[type=file]").last.set_input_files(str(evidence))
                page.get_by_text("能源管理制度.pdf").first.wait_for()
                page.wait_for_timeout(800)
                page.get_by_role("button", name="上传并关联").click()
                page.get_by_text("已上传「能源管理制度.pdf」").wait_for()
            else:  # a new server process on the same data directory still lists the file under its requirement
                page.get_by_text("证据（1）").first.click()
                page.get_by_text("能源管理制度.pdf").first.wait_for()
                with page.expect_download(timeout=30000) as dl:  # and hands it out, recorded in the audit trail
                    page.get_by_role("button", name="下载", exact=True).first.click()
                assert Path(dl.value.path()).read_bytes() == evidence.read_bytes()
                assert dl.value.suggested_filename == "能源管理制度.pdf"
            page.close()
        finally:
            proc.terminate()
            proc.wait(10)
    db = create_engine(f"sqlite:///{tmp_path / 'data' / 'assessment.db'}")
    with db.connect() as c:
        reads = c.execute(text("SELECT actor, entity FROM audit_log WHERE action = 'evidence_read'")).all()
    db.dispose()
    assert [entity for _, entity in reads] == ["evidence"] and reads[0][0]  # one read, by a named user
