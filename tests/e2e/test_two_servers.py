"""Two app processes behind one PostgreSQL database (issue 12), in Chromium: each process has its own data directory
(nothing shared on disk), server mode. An enterprise user logs in on process A and uploads an evidence file; the
application is submitted and three experts assigned; an assigned expert logs in on process B and downloads the file
from the review sheet: the bytes come from PostgreSQL and the read is audited. The login cookie carries a session
from one process to the other (same host name); a logout on B ends it on A too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import app_server, chromium, fill_login, new_page, server_mode
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from assessment import workflow as wf
from assessment.store.orm import AuditLog, Evidence, LoginSession, StoredBlob

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import EXPERTS, build_world, settings_for  # noqa: E402

CONTENT = b"%PDF-1.4\n% two processes, one database\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with server_mode():
        with app_server("postgresql", tmp_path_factory, "two-servers-a.log") as a:
            with app_server("postgresql", tmp_path_factory, "two-servers-b.log", share_with=a) as b:
                yield a, b


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_evidence_uploaded_on_one_process_is_read_on_the_other(servers, browser, tmp_path):
    a, b = servers
    assert a.url != b.url and a.database_url == b.database_url
    ent = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = new_page(ent, 60000)
    page.goto(a.url)
    expect(page.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=90000)
    Session = sessionmaker(a.engine)
    world = build_world(Session)  # the schema exists once the first page has run
    aid = world.assessments["A"]

    # process A: the enterprise user uploads an evidence file for a requirement
    fill_login(page, "ent_a", world.passwords["ent_a"])
    expect(page.get_by_text("企业用户")).to_be_visible(timeout=30000)
    page.goto(a.url + f"/assess?assessment={aid}")  # a new Streamlit session: the login cookie signs it in
    page.get_by_text("完成进度").first.wait_for(timeout=60000)
    expect(page.get_by_role("button", name="登录", exact=True)).to_have_count(0)
    evidence = tmp_path / "设备联网清单.pdf"
    evidence.write_bytes(CONTENT)
    page.locator("input[type=file]").last.set_input_files(str(evidence))
    page.get_by_text("设备联网清单.pdf").first.wait_for()
    page.wait_for_timeout(800)
    page.get_by_role("button", name="上传并关联").click()
    page.get_by_text("已上传「设备联网清单.pdf」").wait_for()
    with Session() as s:
        ev = s.scalars(select(Evidence).where(Evidence.assessment_id == aid)).one()
        ev_id = ev.id
        stored = s.scalar(select(StoredBlob.data).where(StoredBlob.sha256 == ev.sha256))
    assert bytes(stored) == CONTENT  # the content is in PostgreSQL (B has a data directory of its own)

    # process B (same host name, another port): the cookie of the login on A opens B signed in
    page.goto(b.url + "/inbox")
    expect(page.get_by_text("企业用户")).to_be_visible(timeout=60000)
    expect(page.get_by_role("button", name="登录", exact=True)).to_have_count(0)

    # the application is submitted and the experts assigned (as the enterprise and the admin would)
    with Session.begin() as s:
        app_id = wf.submit(world["ent_a"], aid, "basic", session=s).id
    with Session.begin() as s:
        wf.assign_experts(world["admin_zj"], app_id, EXPERTS, session=s, settings=settings_for(tmp_path))

    # process B: an assigned expert, in a browser of their own, downloads the file from the review sheet
    expert = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    epage = new_page(expert, 60000)
    epage.goto(b.url + "/applications")
    expect(epage.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=60000)
    fill_login(epage, "expert1", world.passwords["expert1"])
    expect(epage.get_by_text("A企业（申请").first).to_be_visible(timeout=60000)  # an expert's first page: 待办
    epage.get_by_role("link", name="申请与评审").click()
    expect(epage.get_by_text("独立评审").first).to_be_visible(timeout=60000)
    epage.get_by_text("证据文件（1）").click()
    with epage.expect_download(timeout=30000) as dl:
        epage.get_by_role("button", name="下载").click()
    path = dl.value.path()
    assert dl.value.suggested_filename == "设备联网清单.pdf"
    assert Path(path).read_bytes() == CONTENT
    epage.screenshot(path=str(a.out / "two-servers-expert.png"))
    with Session() as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.action == "evidence_read")).all()
    assert [(r.actor, r.entity_id) for r in reads] == [("expert1", str(ev_id))]

    # a logout on B ends the enterprise user's session on A as well
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("已退出登录")).to_be_visible(timeout=30000)
    with Session() as s:
        open_sessions = s.scalars(
            select(LoginSession).where(LoginSession.ended_at.is_(None), LoginSession.user_id == world["ent_a"].user_id)
        ).all()
    assert open_sessions == []
    page.goto(a.url + "/inbox")
    expect(page.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=60000)
    ent.close()
    expert.close()
