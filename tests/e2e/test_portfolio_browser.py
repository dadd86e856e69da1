"""The issue-14 check in Chromium (local mode): with a synthetic population (labelled 合成数据) a planner finds the
factories nearest to 先进级 and the most common blocker on 区域画像, plans one factory's path to 卓越级 and re-scores
its assessment under the 2024 draft. Every figure the page shows is compared with the service computing it.
In server mode a province admin reaches 区域画像 and sees their own province only."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from helpers import (
    app_server,
    choose,
    chromium,
    click,
    fill_login,
    goto,
    new_page,
    selectbox_text,
    server_mode,
)
from playwright.sync_api import expect
from sqlalchemy.orm import sessionmaker

from assessment.access import Principal
from assessment.mappings import rescore
from assessment.services import evaluation, population
from assessment.store import portfolio
from assessment.store import repository as repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import build_world  # noqa: E402

FACTORIES = 200


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    with app_server(request.param, tmp_path_factory, "portfolio.log") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _metric(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_planner_walk_through_a_synthetic_population(app, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = new_page(ctx, timeout_ms=60000)
    goto(page, app.url)  # the first run migrates the database
    Session = sessionmaker(app.engine)
    with Session.begin() as s:
        population.generate(s, factories=FACTORIES, years=3, seed=14)
    with Session() as s:
        nearest = portfolio.within_reach(s, target="advanced", limit=1).records()[0]
        top = portfolio.top_blockers(s, kind="rule", limit=1).records()[0]

    goto(page, app.url + "/portfolio")
    expect(page.get_by_role("heading", name="区域画像")).to_be_visible()
    expect(page.get_by_text(f"{FACTORIES} 个工厂是合成（演示用）数据").first).to_be_visible()
    assert _metric(page, "工厂") == f"{FACTORIES:,}"
    # the factory nearest to 先进级 (the default threshold) is the first one offered for planning
    expected = f"#{nearest['factory_id']} {nearest['enterprise']} · {nearest['factory']}（合成数据）"
    assert selectbox_text(page, "为一个工厂规划升级路径") == expected
    # the most common blocker, named on the page with the number of factories it blocks
    line = page.get_by_text("最常见的阻碍：").first
    expect(line).to_contain_text(top["item"])
    expect(line).to_contain_text(f"{top['factories']} 个工厂")
    page.screenshot(path=str(app.out / "portfolio.png"), full_page=True)

    # plan that factory's path to 卓越级
    click(page, page.get_by_role("button", name="打开升级路径规划"))
    expect(page.get_by_role("heading", name="升级路径规划")).to_be_visible()
    expect(page.get_by_text("合成数据：此评估属于合成（演示）企业").first).to_be_visible()
    assert _metric(page, "目标") == "先进级"  # the portfolio's threshold
    choose(page, "目标（成熟度等级、智能工厂层级或申报项目）", "层级：卓越级")
    assert _metric(page, "目标") == "卓越级"
    expect(page.get_by_text("已用评估引擎复核：计划后的画像达到目标。")).to_be_visible()
    assert _metric(page, "计划后") == "卓越级"
    page.screenshot(path=str(app.out / "plan-excellent.png"), full_page=True)

    # re-score its assessment under the 2024 draft
    with Session() as s:
        a = repo.get_assessment(nearest["assessment_id"], session=s)
        r = rescore(evaluation.answers_model(a), "maturity/2024-draft", profile=evaluation.build_profile(a))
    page.get_by_role("tab", name="版本重评").click()  # tabs switch in the browser: no rerun
    choose(page, "重评到版本", "→ maturity/2024-draft ·")
    caption = page.get_by_text(re.compile(r"^maturity/2020：S .* → maturity/2024-draft：S ")).first
    expect(caption).to_contain_text(f"S {r['before']['score']:.2f}")
    expect(caption).to_contain_text(f"maturity/2024-draft：S {r['after']['score']:.2f}")
    assert _metric(page, "S") == f"{r['after']['score']:.2f}"
    page.screenshot(path=str(app.out / "rescore-2024-draft.png"), full_page=True)
    ctx.close()


@pytest.fixture(scope="module")
def server_app(tmp_path_factory):
    with server_mode():
        with app_server("sqlite", tmp_path_factory, "portfolio-server.log") as srv:
            yield srv


def test_province_admin_sees_the_portfolio_of_their_province(server_app, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = new_page(ctx, timeout_ms=60000)
    page.goto(server_app.url)
    expect(page.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=90000)
    Session = sessionmaker(server_app.engine)
    world = build_world(Session)
    with Session.begin() as s:
        population.generate(s, factories=FACTORIES, years=2, seed=15)
    with Session() as s:
        mine = portfolio.summary(s, principal=Principal(None, "admin_js", "province_admin", province="江苏"))
        everyone = portfolio.summary(s)
    assert 0 < mine["factories"] < everyone["factories"]
    fill_login(page, "admin_js", world.passwords["admin_js"])
    nav = page.locator("[data-testid=stSidebarNav]")
    expect(nav.get_by_role("link", name="区域画像", exact=True)).to_be_visible(timeout=60000)
    click(page, nav.get_by_role("link", name="区域画像", exact=True))
    expect(page.get_by_role("heading", name="区域画像 · 江苏")).to_be_visible()
    expect(page.get_by_text("只统计本省（江苏）的企业。")).to_be_visible()
    assert _metric(page, "工厂") == f"{mine['factories']:,}"
    page.screenshot(path=str(server_app.out / "portfolio-province-admin.png"), full_page=True)
    ctx.close()
    # an enterprise user has no 区域画像: it lists every enterprise of a region
    ctx = browser.new_context()
    page = new_page(ctx, timeout_ms=60000)
    page.goto(server_app.url)
    fill_login(page, "ent_a", world.passwords["ent_a"])
    expect(page.get_by_text("企业用户")).to_be_visible(timeout=60000)
    expect(page.locator("[data-testid=stSidebarNav]").get_by_role("link", name="区域画像")).to_have_count(0)
    ctx.close()
