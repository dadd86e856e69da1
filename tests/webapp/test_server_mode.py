"""Server mode (issue 12) through AppTest on the real app: login before any page, refusal messages and lockout, the
forced change of a one-time password, an enterprise user refused another enterprise's assessment by URL (and the
refusal audited), and one application taken from submission to a CT- certificate by an enterprise user, three
experts and a province admin, each in an AppTest session of their own. SQLite and PostgreSQL (app_env)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from apphelp import texts
from argon2 import PasswordHasher
from conftest_app import new_app
from sqlalchemy import select, update

from assessment import accounts
from assessment import workflow as wf
from assessment.config import get_settings
from assessment.editions import load_maturity_cached
from assessment.store import repository as repo
from assessment.store.orm import Application, AuditLog, Enterprise, Rectification, User
from ui import state
from ui.services import backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import REQS, build_world, self_grade  # noqa: E402


@pytest.fixture
def server(app_env, monkeypatch):
    """The app in server mode on a fresh database without demo data, with a small province (tests/workflow/wfhelp)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setenv("SFA_AUTH", "required")
    monkeypatch.setenv("SFA_LOAD_DEMO", "false")
    monkeypatch.setenv("SFA_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("SFA_PROVINCE_ISSUER_NAME", "浙江省经济和信息化厅（测试）")
    get_settings.cache_clear()
    return build_world(backend().Session)


def all_text(at) -> str:
    return "\n".join(str(x) for x in texts(at))


def login(name: str, password: str, page: str | None = None):
    at = new_app()
    at.run()
    at.text_input(key="login_user").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="FormSubmitter:login-登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_needs_a_login(server):
    at = new_app()
    at.run()
    assert not at.exception
    assert at.title[0].value == "智能制造评估 · 登录"
    assert at.text_input(key="login_user") is not None
    for page in ("assess", "applications", "province", "users"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert at.title[0].value == "智能制造评估 · 登录", page  # the page itself never ran
        assert len(at.title) == 1
    assert "当前用户" not in [w.label for w in at.text_input]  # the free-text user field is local mode only


def test_wrong_password_then_lockout(server):
    at = new_app()
    at.run()
    for attempt in range(1, 4):
        at.text_input(key="login_user").input("ent_a")
        at.text_input(key="login_password").input("wrong-password")
        at.button(key="FormSubmitter:login-登录").click().run()
        shown = [e.value for e in at.error]
        if attempt < 3:
            assert shown == ["用户名或密码错误"]
        else:
            assert len(shown) == 1 and "账户已锁定" in shown[0], shown
    at.text_input(key="login_user").input("ent_a")
    at.text_input(key="login_password").input(server.passwords["ent_a"])  # the right password: still locked
    at.button(key="FormSubmitter:login-登录").click().run()
    assert "锁定至" in at.error[0].value
    assert at.title[0].value == "智能制造评估 · 登录"
    unknown = login("nobody", "whatever-password")
    assert [e.value for e in unknown.error] == ["用户名或密码错误"]  # the same message for an unknown user


def test_one_time_password_must_be_changed(server):
    with backend().Session.begin() as s:
        s.execute(update(User).where(User.username == "ent_a").values(must_change_password=True))
    at = login("ent_a", server.passwords["ent_a"])
    assert at.title[0].value == "修改初始密码"
    at.text_input(key="pw_old").input(server.passwords["ent_a"])
    at.text_input(key="pw_new").input("short")
    at.text_input(key="pw_again").input("short")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert "至少 10 个字符" in at.error[0].value
    at.text_input(key="pw_old").input(server.passwords["ent_a"])
    at.text_input(key="pw_new").input("Neues-Passwort-42")
    at.text_input(key="pw_again").input("Neues-Passwort-42")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert not at.exception
    assert at.title[0].value != "修改初始密码"  # signed in: the home page runs
    assert "企业用户" in all_text(at)
    click(at, "logout")
    assert at.title[0].value == "智能制造评估 · 登录"
    assert "已退出登录" in all_text(at)


def test_enterprise_user_cannot_open_another_enterprises_assessment(server):
    other = server.assessments["B"]
    at = login("ent_a", server.passwords["ent_a"])
    home = all_text(at) + " ".join(str(o) for sb in at.selectbox for o in sb.options)
    assert "A企业" in home and "B企业" not in home  # the selection lists show only the user's own enterprise
    at.session_state[state.ASSESSMENT_ID] = other  # what ?assessment=ID sets
    at.switch_page("app_pages/assess.py").run()
    assert not at.exception
    refusal = [e.value for e in at.error]
    assert any("拒绝访问" in e and f"（{other}）" in e for e in refusal), refusal
    assert at.session_state[state.ASSESSMENT_ID] is None
    with backend().Session() as s:
        denied = s.scalars(select(AuditLog).where(AuditLog.action == "denied", AuditLog.actor == "ent_a")).all()
    assert any(d.entity == "assessment" and d.entity_id == str(other) for d in denied)
    # its own assessment opens
    at.session_state[state.ASSESSMENT_ID] = server.assessments["A"]
    at.switch_page("app_pages/assess.py").run()
    assert not at.exception and at.title[0].value == "自评估"


def test_factory_or_assessment_of_another_enterprise_by_url_is_refused(server):
    with backend().Session() as s:
        other_factory = repo.get_assessment(server.assessments["B"], session=s).factory_id
    at = new_app()
    at.query_params["assessment"] = str(server.assessments["B"])  # a shared or crafted link, opened before login
    at.run()
    at.text_input(key="login_user").input("ent_a")
    at.text_input(key="login_password").input(server.passwords["ent_a"])
    at.button(key="FormSubmitter:login-登录").click().run()
    assert not at.exception
    assert any("拒绝访问" in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state[state.ASSESSMENT_ID] != server.assessments["B"]
    at.session_state[state.FACTORY_ID] = other_factory  # what ?factory=ID sets
    at.switch_page("app_pages/history.py").run()
    assert not at.exception
    assert any("拒绝访问" in e.value and f"（{other_factory}）" in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state[state.FACTORY_ID] != other_factory
    assert "B工厂" not in all_text(at)


def test_role_pages(server):
    expert = login("expert1", server.passwords["expert1"])
    assert expert.title[0].value == "待办"  # an expert's first page
    admin = login("sysadmin", server.passwords["sysadmin"])
    assert admin.title[0].value == "用户管理"
    admin.text_input(key="new_username").input("expert9")
    admin.selectbox(key="new_role").set_value("expert")
    admin.button(key="FormSubmitter:add_user-新增").click().run()
    assert not admin.exception
    one_time = admin.code[0].value
    assert "一次性密码" in all_text(admin) and len(one_time) >= 12
    newbie = login("expert9", one_time)
    assert newbie.title[0].value == "修改初始密码"


def test_full_flow_to_a_ct_certificate(server):
    pw = server.passwords
    aid = server.assessments["A"]
    ent = login("ent_a", pw["ent_a"], "applications")
    ent.selectbox(key="submit_aid").set_value(aid)
    ent.selectbox(key="submit_tier").set_value("basic")
    ent.button(key="FormSubmitter:submit_application-提交申请").click().run()
    assert not ent.exception and "已提交申请" in all_text(ent)
    with backend().Session() as s:
        app_id = s.scalars(select(Application.id).where(Application.assessment_id == aid)).one()
    assert f"assign_btn_{app_id}" not in [b.key for b in ent.button]  # the enterprise is offered no admin step
    # the submitted assessment is frozen for the enterprise: a change on the questionnaire is refused, nothing saved
    ent.session_state[state.ASSESSMENT_ID] = aid
    ent.switch_page("app_pages/assess.py").run()
    radio = next(r for r in ent.radio if r.key and r.key.startswith(f"g::{aid}::"))
    rid = radio.key.split("::")[2]
    before = radio.value
    radio.set_value(next(o for o in radio.options if o != before)).run()
    assert not ent.exception
    assert any("评估已提交申请" in str(x) for x in texts(ent)), texts(ent)
    with backend().Session() as s:
        assert repo.answers_of(repo.get_assessment(aid, session=s))[rid].grade == self_grade(rid)

    admin = login("admin_zj", pw["admin_zj"], "applications")
    admin.multiselect(key=f"assign_{app_id}").set_value(["expert1", "expert2"])
    click(admin, f"assign_btn_{app_id}")
    assert "至少需要 3 位专家" in admin.error[0].value  # two are refused; nothing assigned
    admin.multiselect(key=f"assign_{app_id}").set_value(["expert1", "expert2", "expert3"])
    click(admin, f"assign_btn_{app_id}")
    assert "专家独立评审中" in all_text(admin) or admin.metric[0].value == "专家独立评审中"

    for i, name in enumerate(("expert1", "expert2", "expert3")):
        ex = login(name, pw[name], "applications")
        assert ex.button(key=f"submit_review_{app_id}").disabled  # nothing graded yet
        if name == "expert3":  # expert 3 disagrees on the first requirement by three grade steps
            with backend().Session.begin() as s:
                wf.save_grades(server[name], app_id, {REQS[0]: {"grade": "none", "comment": "未见记录"}}, session=s)
        click(ex, f"prefill_{app_id}")
        click(ex, f"submit_review_{app_id}")
        assert "评审已提交" in all_text(ex)

    admin = login("admin_zj", pw["admin_zj"], "applications")
    assert "1 项分歧" in all_text(admin) or any("1 项分歧" in e.label for e in admin.expander)
    click(admin, f"finish_consensus_{app_id}")
    assert "有分歧的要求没有合议等级" in admin.error[0].value
    admin.selectbox(key=f"cg_{app_id}_{REQS[0]}").set_value("partial")
    admin.text_input(key=f"cr_{app_id}_{REQS[0]}").input("现场抽查后取部分满足")
    admin.button(key=f"FormSubmitter:consensus_{app_id}-保存合议").click().run()
    assert not admin.exception and "已记录 1 项合议" in all_text(admin)
    click(admin, f"finish_consensus_{app_id}")
    # site visit: the contested item is weak, the rest are fine
    admin.selectbox(key=f"visit_item_{app_id}").set_value(REQS[0])
    admin.selectbox(key=f"visit_result_{app_id}").set_value("weak")
    admin.text_input(key=f"visit_finding_{app_id}").input("数据采集记录不全")
    admin.button(key=f"FormSubmitter:visit_one_{app_id}-记录此项").click().run()
    assert not admin.exception
    click(admin, f"visit_rest_ok_{app_id}")
    click(admin, f"finish_visit_{app_id}")
    assert "弱项整改" in all_text(admin) or admin.metric[0].value == "弱项整改"

    ent = login("ent_a", pw["ent_a"], "inbox")
    assert "1 项弱项待整改答复" in all_text(ent)
    ent.switch_page("app_pages/applications.py").run()
    with backend().Session() as s:
        rect, rid = s.execute(
            select(Rectification.id, Rectification.requirement_id).where(Rectification.application_id == app_id)
        ).one()
    text_zh = load_maturity_cached("maturity/2020").requirement_map[rid].text_zh
    assert any(text_zh in m.value for m in ent.markdown), "the weak item is named by its requirement text, not its id"
    ent.text_area(key=f"rect_text_{rect}").input("已补齐数据采集记录并上线采集系统")
    click(ent, f"rect_send_{rect}")
    assert "整改答复已提交" in all_text(ent)

    ex = login("expert1", pw["expert1"], "applications")
    click(ex, f"rect_ok_{rect}")
    assert "已核验通过" in all_text(ex)

    admin = login("admin_zj", pw["admin_zj"], "applications")
    click(admin, f"finish_rect_{app_id}")
    admin.text_area(key=f"decision_reason_{app_id}").input("合议等级达到基础级要求")
    admin.button(key=f"FormSubmitter:decide_{app_id}-作出决定（决定后锁定）").click().run()
    assert not admin.exception and "已作出决定" in all_text(admin)
    click(admin, f"issue_{app_id}")
    with backend().Session() as s:
        number = s.get(Application, app_id).certificate_number
    assert number and number.startswith("CT-")
    assert number in [m.value for m in admin.metric]
    assert f"issue_{app_id}" not in [b.key for b in admin.button]  # issued once

    ent = login("ent_a", pw["ent_a"], "applications")
    assert number in [m.value for m in ent.metric]
    assert "已通过" in [m.value for m in ent.metric]

    admin.switch_page("app_pages/province.py").run()
    assert not admin.exception and admin.title[0].value == "省级看板 · 浙江"
    assert any(df.value.astype(str).apply(lambda c: c.str.contains(number)).any().any() for df in admin.dataframe)
    assert "推荐名额" in admin.error[0].value  # the quota needs the province's cumulative pilots
    with backend().Session() as s:
        assert repo.get_region("浙江", session=s) is None
    admin.text_input(key="prov_pilots").input("１２0")  # full-width digits, as typed
    admin.button(key="FormSubmitter:prov_region-保存").click().run()
    assert not admin.error, [e.value for e in admin.error]
    assert "名额：" in all_text(admin)
    with backend().Session() as s:  # stored for the province, audited, and shown again on the next visit
        region = repo.get_region("浙江", session=s)
        assert (region.cumulative_provincial_pilots, region.updated_by) == (120, "admin_zj")
        assert s.scalar(select(AuditLog.id).where(AuditLog.action == "set_region", AuditLog.entity_id == "浙江"))
    again = login("admin_zj", pw["admin_zj"], "province")
    assert again.text_input(key="prov_pilots").value == "120" and "已记录：120" in all_text(again)
    admin.text_input(key="prov_pilots").input("12.5")
    admin.button(key="FormSubmitter:prov_region-保存").click().run()
    assert "须为非负整数" in admin.error[0].value
    with backend().Session.begin() as s:  # someone else records 150 after this form was shown
        repo.set_region("浙江", session=s, expected_version=1, actor="other_admin", cumulative_provincial_pilots=150)
    admin.text_input(key="prov_pilots").input("130")
    admin.button(key="FormSubmitter:prov_region-保存").click().run()
    assert "未保存" in admin.error[0].value and "other\\_admin" in admin.error[0].value  # who changed it
    assert admin.text_input(key="prov_pilots").value == "130"  # the typed value stays on screen
    assert "已记录：150" in all_text(admin)
    with backend().Session() as s:
        assert repo.get_region("浙江", session=s).cumulative_provincial_pilots == 150
    admin.button(key="FormSubmitter:prov_region-保存").click().run()  # one more click keeps mine
    with backend().Session() as s:
        assert repo.get_region("浙江", session=s).cumulative_provincial_pilots == 130
    assert "下载推荐汇总表（xlsx）" in [b.proto.label for b in admin.get("download_button")]
    # the province admin registers an enterprise of their province (a refusal keeps the typed name)
    admin.text_input(key="prov_ent_name::0").input("")
    admin.button(key="FormSubmitter:prov_add_enterprise-登记企业").click().run()
    assert admin.error and admin.text_input(key="prov_ent_code::0") is not None
    admin.text_input(key="prov_ent_name::0").input("丙企业")
    admin.text_input(key="prov_ent_code::0").input("91330100MA2C000003")
    admin.button(key="FormSubmitter:prov_add_enterprise-登记企业").click().run()
    assert not admin.exception and "已登记企业 丙企业" in all_text(admin)
    with backend().Session() as s:
        added = s.scalars(select(Enterprise).where(Enterprise.name == "丙企业")).one()
        assert (added.province, added.credit_code) == ("浙江", "91330100MA2C000003")
        assert s.scalar(
            select(AuditLog.actor).where(
                AuditLog.action == "create", AuditLog.entity == "enterprise", AuditLog.entity_id == str(added.id)
            )
        )
    assert "丙企业" in all_text(admin) or any(
        df.value.astype(str).apply(lambda c: c.str.contains("丙企业")).any().any() for df in admin.dataframe
    )
    admin.switch_page("app_pages/inbox.py").run()
    assert "当前没有待办事项。" in all_text(admin)


def test_logout_elsewhere_ends_the_session_here(server):
    at = login("admin_zj", server.passwords["admin_zj"])
    assert at.title[0].value == "待办"
    accounts.end_session(at.session_state["auth_token"], Session=backend().Session)  # e.g. another app process
    at.run()
    assert at.title[0].value == "智能制造评估 · 登录"
    assert "登录已过期" in all_text(at)


def test_local_mode_is_unchanged_and_labelled(app_env, monkeypatch):
    monkeypatch.delenv("SFA_AUTH", raising=False)
    monkeypatch.setenv("SFA_LOAD_DEMO", "false")
    get_settings.cache_clear()
    at = new_app()
    at.run()
    assert not at.exception
    assert "本机单用户模式" in [c.value for c in at.sidebar.caption]
    assert "当前用户" in [w.label for w in at.sidebar.text_input]
    assert "login_user" not in [w.key for w in at.text_input]


def test_identity_provider_login_is_offered_only_when_configured(server):
    at = new_app()
    at.run()
    assert not [b for b in at.button if (b.key or "").startswith("oidc_login")]  # no [auth] secrets: local accounts
    at = new_app()
    at.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "c" * 32,
        "client_id": "sfa",
        "client_secret": "x",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [b.label for b in at.button if (b.key or "").startswith("oidc_login")] == ["通过单位统一身份认证登录"]
    assert at.text_input(key="login_user") is not None  # local accounts still log in beside it
