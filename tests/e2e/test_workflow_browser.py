"""The whole certification workflow in Chromium (issue 12): one enterprise user, three experts and a province admin,
each in a browser context of their own, run one application end to end on a real server in server mode
(SFA_AUTH=required): the enterprise submits a tier application → the admin assigns three experts → each expert grades
the application and submits the review → the admin closes the consensus → the site visit finds one weak item → the
enterprise answers it, an expert verifies it → the admin approves and issues the CT- certificate. Then the database
is read (locked decision, three independent grade sets, audit entries, the certificate) and the audit chain verified
with the CLI.

The accounts and a complete self-assessment of the enterprise's factory are seeded through the accounts API and the
store (``wfhelp.build_world``), so that nobody grades 200 requirements by hand; every workflow step happens in the
browser. Experts grade with the review page's bulk action (未评项按企业自评预填); the third expert first grades the
first requirement 不满足 in the review sheet's data editor (keyboard in the grid cell), so that requirement is flagged
and the admin records a consensus grade with a reason in the consensus form."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import act, app_server, chromium, click, goto, new_page
from paths import OUTPUT, ROOT
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from assessment import workflow as wf
from assessment.store.orm import Application, AuditLog, Certificate, ConsensusGrade, ExpertAssignment, ExpertGrade, User

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import EXPERTS, REQS, build_world  # noqa: E402

SHOTS = OUTPUT / "e2e" / "workflow"
ISSUER = "浙江省经济和信息化厅（浏览器测试）"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    env = {"SFA_AUTH": "required", "SFA_PROVINCE_ISSUER_NAME": ISSUER}  # read by app_server for the server's environment
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with app_server(request.param, tmp_path_factory, "workflow-browser.log") as srv:
            yield srv
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def login(browser, app, name: str, password: str):
    """A browser context of the user's own, logged in, on 申请与评审."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1100})
    page = new_page(ctx, 60000)
    goto(page, app.url + "/applications")
    expect(page.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=90000)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    click(page, page.get_by_role("button", name="登录"))
    expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=60000)
    open_applications(page, app)
    return ctx, page


def open_applications(page, app) -> None:
    """申请与评审 afresh (a new Streamlit session, signed in by the login cookie): shows the current state."""
    goto(page, app.url + "/applications")
    expect(page.get_by_role("heading", name="申请与评审")).to_be_visible(timeout=60000)
    expect(page.get_by_role("button", name="登录", exact=True)).to_have_count(0)


def pick_in_form(page, label: str, option: str) -> None:
    """Pick an option of the selectbox labelled ``label`` inside a form (no rerun until the form is submitted)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    choice = page.get_by_role("option").filter(has_text=option).first
    for attempt in range(4):  # the list may close again while the page still settles (an expander opening): retry
        try:
            box.click()
            box.fill(option)  # typing filters the list (and opens it)
            choice.click(timeout=3000)
            expect(box).to_have_value(option, timeout=3000)
            return
        except Exception:
            if attempt == 3:
                page.screenshot(path=str(SHOTS / f"failed-pick-{label}.png"), full_page=True)
                raise
            page.keyboard.press("Escape")


def grade_first_row(page, label: str) -> None:
    """Choose ``label`` in the 专家评分 cell of the review sheet's first row, with the keyboard as a user would."""
    grid = page.locator("[data-testid=stDataFrame]").filter(has=page.locator("th", has_text="企业自评"))
    grid.scroll_into_view_if_needed()
    canvas = grid.locator("canvas").first
    canvas.wait_for()
    col = 4  # 要求, 内容, 企业自评, 证据, 专家评分 (the grid renders only the columns in view)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 10, box["y"] + 50)
    expect(grid.locator("td#glide-cell-0-0")).to_have_attribute("aria-selected", "true")
    for c in range(1, col + 1):
        page.keyboard.press("ArrowRight")
        expect(grid.locator(f"td#glide-cell-{c}-0")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # opens the cell's list
    page.get_by_text(label, exact=True).last.wait_for()
    act(page, page.get_by_text(label, exact=True).last.click, rerun="optional")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def status(Session, app_id: int) -> str:
    with Session() as s:
        return s.get(Application, app_id).status


def test_one_application_end_to_end(app, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot_prefix = app.kind
    # the schema is created by the first page run: open the login page before seeding
    ctx0 = browser.new_context()
    p0 = new_page(ctx0, 60000)
    goto(p0, app.url)
    expect(p0.get_by_text("智能制造评估 · 登录")).to_be_visible(timeout=90000)
    ctx0.close()
    Session = sessionmaker(app.engine)
    world = build_world(Session)
    aid = world.assessments["A"]
    contexts = []

    # 1. the enterprise user submits the complete assessment with an application for 基础级
    ctx, ent = login(browser, app, "ent_a", world.passwords["ent_a"])
    contexts.append(ctx)
    ent.get_by_text("提交新的申请").click()  # an expander: opens without a rerun
    pick_in_form(ent, "申请层级", "基础级")
    click(ent, ent.get_by_role("button", name="提交申请"))
    expect(ent.get_by_text("已提交申请")).to_be_visible()
    shot(ent, f"{shot_prefix}-1-submitted")
    with Session() as s:
        (application,) = s.scalars(select(Application)).all()
        app_id = application.id
        assert (application.assessment_id, application.tier, application.status) == (aid, "basic", "submitted")

    # 2. the province admin assigns three experts
    ctx, admin = login(browser, app, "admin_zj", world.passwords["admin_zj"])
    contexts.append(ctx)
    expect(admin.get_by_text("分配评审专家（至少 3 位）")).to_be_visible()
    box = admin.get_by_role("combobox", name="专家")
    for e in EXPERTS:
        box.click()
        click(admin, admin.get_by_role("option").filter(has_text=f"{e}（在评"))
    # beside the list, the button takes the click while the list is still open (as a user clicks it); the open list
    # hides the rest of the page from the accessibility tree, so it is found by its text here
    click(admin, admin.locator("button").filter(has_text=re.compile("^分配$")))
    expect(admin.get_by_text("已分配专家，进入专家评审")).to_be_visible()
    shot(admin, f"{shot_prefix}-2-assigned")
    assert status(Session, app_id) == "in_review"

    # 3. each expert, in a browser of their own, grades every requirement and submits the review
    for e in EXPERTS:
        ctx, ex = login(browser, app, e, world.passwords[e])
        contexts.append(ctx)
        expect(ex.get_by_role("heading", name="独立评审")).to_be_visible()
        expect(ex.get_by_text(f"已评 0/{len(REQS)} 项")).to_be_visible()  # blind: nothing of the others shows
        if e == "expert3":  # disagrees on the first requirement (self-assessed 全部满足): 不满足, in the review sheet
            grade_first_row(ex, "0 不满足")
            click(ex, ex.get_by_role("button", name="保存评分"))
            expect(ex.get_by_text("已保存 1 项")).to_be_visible()
        click(ex, ex.get_by_role("button", name=re.compile(r"未评项按企业自评预填")))
        expect(ex.get_by_text(f"已评 {len(REQS)}/{len(REQS)} 项")).to_be_visible()
        click(ex, ex.get_by_role("button", name="提交评审（提交后不能修改）"))
        expect(ex.get_by_text("评审已提交")).to_be_visible()
        shot(ex, f"{shot_prefix}-3-review-{e}")
        ctx.close()
    assert status(Session, app_id) == "consensus"

    # 4. consensus: expert3's 不满足 against two 全部满足 is contested; the admin records a grade with a reason, closes it and the checklist is built
    open_applications(admin, app)
    expect(admin.get_by_text("专家合议：1 项分歧，1 项待合议")).to_be_visible()
    pick_in_form(admin, "合议等级", "0.8 大部分满足")
    admin.get_by_label("合议理由").fill("合议：部分车间已联网")
    click(admin, admin.get_by_role("button", name="保存合议"))
    expect(admin.get_by_text("已记录 1 项合议")).to_be_visible()
    shot(admin, f"{shot_prefix}-4-consensus")
    click(admin, admin.get_by_role("button", name="结束合议，生成现场核查清单"))
    expect(admin.get_by_text("已生成现场核查清单")).to_be_visible()
    assert status(Session, app_id) == "site_visit"

    # 5. site visit: the first checklist item is weak, the rest are recorded as met
    first = admin.get_by_role("combobox", name="核查项").input_value()
    pick_in_form(admin, "结果", "弱项")
    admin.get_by_label("核查发现（弱项必填）").fill("现场未见设备联网记录")
    click(admin, admin.get_by_role("button", name="记录此项"))
    expect(admin.get_by_text(f"已记录 {first}")).to_be_visible()
    click(admin, admin.get_by_role("button", name=re.compile(r"^其余 \d+ 项记为符合$")))
    expect(admin.get_by_text(re.compile(r"已记录 \d+ 项为符合"))).to_be_visible()
    shot(admin, f"{shot_prefix}-5-site-visit")
    click(admin, admin.get_by_role("button", name="结束现场核查"))
    expect(admin.get_by_text("现场核查已结束")).to_be_visible()
    assert status(Session, app_id) == "rectification"

    # 6. 弱项整改: the enterprise answers the weak item, an assigned expert verifies it, the admin closes it
    open_applications(ent, app)
    expect(ent.get_by_text("现场未见设备联网记录")).to_be_visible()
    answer = ent.get_by_label("整改说明")
    answer.fill("已为全部车间补充设备联网记录")
    act(ent, lambda: answer.press("Control+Enter"))
    click(ent, ent.get_by_role("button", name="提交整改答复"))
    expect(ent.get_by_text("整改答复已提交")).to_be_visible()
    shot(ent, f"{shot_prefix}-6-rectification-response")
    ctx, ex = login(browser, app, "expert2", world.passwords["expert2"])
    contexts.append(ctx)
    expect(ex.get_by_text("已为全部车间补充设备联网记录")).to_be_visible()
    click(ex, ex.get_by_role("button", name="核验通过"))
    expect(ex.get_by_text("已核验通过")).to_be_visible()
    shot(ex, f"{shot_prefix}-6-rectification-verified")
    open_applications(admin, app)
    click(admin, admin.get_by_role("button", name="结束整改，进入决定"))
    expect(admin.get_by_text("整改已结束")).to_be_visible()
    assert status(Session, app_id) == "decision"

    # 7. the admin approves (the decision locks the application) and issues the CT- certificate
    admin.get_by_label("决定理由").fill("符合基础级要求，现场核查弱项已整改")
    click(admin, admin.get_by_role("button", name="作出决定（决定后锁定）"))
    expect(admin.get_by_text("已作出决定")).to_be_visible()
    click(admin, admin.get_by_role("button", name="签发 CT- 证书"))
    expect(admin.get_by_text("证书已签发")).to_be_visible()
    with Session() as s:
        number = s.get(Application, app_id).certificate_number
    assert number and number.startswith("CT-")
    expect(admin.get_by_test_id("stMetricValue").filter(has_text=number)).to_be_visible()  # 证书
    shot(admin, f"{shot_prefix}-7-certificate")
    open_applications(ent, app)  # the enterprise sees the certificate on its application
    expect(ent.get_by_test_id("stMetricValue").filter(has_text=number)).to_be_visible()
    shot(ent, f"{shot_prefix}-7-enterprise-sees-certificate")
    for c in contexts:
        c.close()

    # the database: a locked decision, three independent grade sets, an audit entry for every step, the certificate
    with Session() as s:
        a = s.get(Application, app_id)
        assert (a.status, a.decision, a.decided_by) == ("approved", "approve", "admin_zj")
        assert a.status in wf.LOCKED
        experts = dict(
            s.execute(
                select(User.username, func.count(ExpertGrade.id))
                .join(ExpertGrade, ExpertGrade.expert_id == User.id)
                .where(ExpertGrade.application_id == app_id, ExpertGrade.grade.is_not(None))
                .group_by(User.username)
            ).all()
        )
        assert experts == {e: len(REQS) for e in EXPERTS}
        e3 = s.scalar(
            select(ExpertGrade.grade)
            .join(User, ExpertGrade.expert_id == User.id)
            .where(ExpertGrade.application_id == app_id, User.username == "expert3", ExpertGrade.requirement_id == REQS[0])
        )
        assert e3 == "none"  # the grade chosen in the review sheet's cell
        cg = s.scalar(
            select(ConsensusGrade).where(ConsensusGrade.application_id == app_id, ConsensusGrade.requirement_id == REQS[0])
        )
        assert (cg.flagged, cg.reason, cg.decided_by) == (True, "合议：部分车间已联网", "admin_zj")
        assigned = s.scalars(select(ExpertAssignment).where(ExpertAssignment.application_id == app_id)).all()
        assert len(assigned) == 3 and all(x.submitted_at is not None for x in assigned)
        log = s.execute(
            select(AuditLog.actor, AuditLog.action, AuditLog.detail)
            .where(AuditLog.entity == "application", AuditLog.entity_id == str(app_id))
            .order_by(AuditLog.seq)
        ).all()
        moves = [(actor, d["after"]) for actor, action, d in log if action == "transition"]
        assert moves == [
            ("admin_zj", "in_review"),
            ("expert3", "consensus"),
            ("admin_zj", "site_visit"),
            ("admin_zj", "rectification"),
            ("admin_zj", "decision"),
            ("admin_zj", "approved"),
        ]
        steps = {(actor, action) for actor, action, _ in log}
        assert {
            ("ent_a", "submit"),
            ("admin_zj", "assign_experts"),
            *(((e, "submit_review") for e in EXPERTS)),
            *(((e, "expert_grades") for e in EXPERTS)),
            ("admin_zj", "consensus"),
            ("admin_zj", "site_visit"),
            ("ent_a", "rectification_response"),
            ("expert2", "rectification_verify"),
            ("admin_zj", "certificate"),
        } <= steps, sorted(steps)
        cert = s.scalar(select(Certificate).where(Certificate.number == number))
        assert cert.kind == "certified" and cert.issuer == ISSUER and cert.assessment_id == a.certified_assessment_id

    # the audit chain verifies with the CLI, against the app's own database
    url = app.database_url or app.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url}
    run = subprocess.run(
        [sys.executable, "-m", "assessment", "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
