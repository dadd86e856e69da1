"""Server mode in Chromium (issue 12): the app started with SFA_AUTH=required shows only the login form, a wrong
password is refused, and an enterprise user who opens another enterprise's assessment by URL is refused (the login
carried to the new Streamlit session by its cookie)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import app_server, chromium, fill_login, new_page, server_mode
from playwright.sync_api import expect
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import build_world  # noqa: E402


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with server_mode():
        with app_server(request.param, tmp_path_factory, "server-login.log") as srv:
            yield srv


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def test_login_and_refusal_by_url(app, browser):
    ctx = browser.new_context()
    page = new_page(ctx)
    page.goto(app.url + "/assess")
    expect(page.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=90000)  # the page asked for never ran
    expect(page.get_by_text("自评估", exact=True)).to_have_count(0)
    world = build_world(sessionmaker(app.engine))  # the schema exists once the first page has run
    fill_login(page, "ent_a", "wrong-password")
    expect(page.get_by_text("用户名或密码错误")).to_be_visible(timeout=30000)
    fill_login(page, "ent_a", world.passwords["ent_a"])
    expect(page.get_by_text("企业用户")).to_be_visible(timeout=30000)
    # a new Streamlit session: the login cookie resumes the login (no password asked again), and the URL is refused
    page.goto(app.url + f"/assess?assessment={world.assessments['B']}")
    expect(page.get_by_text("拒绝访问").first).to_be_visible(timeout=30000)
    expect(page.get_by_role("button", name="登录", exact=True)).to_have_count(0)
    expect(page.get_by_text("B工厂")).to_have_count(0)
    ctx.close()
