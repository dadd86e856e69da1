"""Server mode in Chromium (issue 12): the app started with SFA_AUTH=required shows only the login form, a wrong
password is refused, and an enterprise user who opens another enterprise's assessment by URL is refused (the login
carried to the new Streamlit session by its cookie)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, app_server, new_page, require_chromium
from playwright.sync_api import expect
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import build_world  # noqa: E402


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    old = os.environ.get("SFA_AUTH")
    os.environ["SFA_AUTH"] = "required"  # read by app_server when it builds the server's environment
    try:
        with app_server(request.param, tmp_path_factory, "server-login.log") as srv:
            yield srv
    finally:
        if old is None:
            os.environ.pop("SFA_AUTH", None)
        else:
            os.environ["SFA_AUTH"] = old


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _login(page, name: str, password: str) -> None:
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def test_login_and_refusal_by_url(app, browser):
    ctx = browser.new_context()
    page = new_page(ctx)
    page.goto(app.url + "/assess")
    expect(page.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=90000)  # the page asked for never ran
    expect(page.get_by_text("自评估", exact=True)).to_have_count(0)
    world = build_world(sessionmaker(app.engine))  # the schema exists once the first page has run
    _login(page, "ent_a", "wrong-password")
    expect(page.get_by_text("用户名或密码错误")).to_be_visible(timeout=30000)
    _login(page, "ent_a", world.passwords["ent_a"])
    expect(page.get_by_text("企业用户")).to_be_visible(timeout=30000)
    # a new Streamlit session: the login cookie resumes the login (no password asked again), and the URL is refused
    page.goto(app.url + f"/assess?assessment={world.assessments['B']}")
    expect(page.get_by_text("拒绝访问").first).to_be_visible(timeout=30000)
    expect(page.get_by_role("button", name="登录", exact=True)).to_have_count(0)
    expect(page.get_by_text("B工厂")).to_have_count(0)
    ctx.close()
