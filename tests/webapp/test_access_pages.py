"""The role × page matrix in server mode (issue 12), through AppTest on the real app: every page of app_pages/ opened
by every role — a system admin, the province's admin, another province's admin, an expert assigned to the
application and one who is not, the enterprise itself, another enterprise of the province and an anonymous visitor —
each time with ``?assessment=ID`` (and ``?factory=ID``) of enterprise A's assessment in the URL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from apphelp import shown, texts
from argon2 import PasswordHasher
from conftest_app import new_app
from sqlalchemy import func, select

from assessment import accounts
from assessment import workflow as wf
from assessment.config import get_settings
from assessment.store import repository as repo
from assessment.store.orm import AuditLog, Enterprise
from ui.services import backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wfhelp import EXPERTS, REQS, build_world, settings_for, submitted  # noqa: E402

PAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "app_pages").glob("*.py"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOGIN = "智能制造评估 · 登录"


@pytest.fixture
def world(app_env, monkeypatch, tmp_path):
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setenv("SFA_AUTH", "required")
    monkeypatch.setenv("SFA_LOAD_DEMO", "false")
    get_settings.cache_clear()
    be = backend()
    w = build_world(be.Session)
    with be.Session.begin() as s:
        ev = repo.add_evidence(w.assessments["A"], REQS[0], "联网清单.pdf", PDF, session=s, store=be.store, max_bytes=1 << 20)
        w.evidence = ev.id
        w.factory_a = repo.get_assessment(w.assessments["A"], session=s).factory_id
    w.app = submitted(be.Session, w)
    with be.Session.begin() as s:
        wf.assign_experts(w["admin_zj"], w.app, EXPERTS, session=s, settings=settings_for(tmp_path))
    return w


def signed_in(w, who: str | None):
    at = new_app()
    at.run()
    if who is not None:
        at.text_input(key="login_user").input(who)
        at.text_input(key="login_password").input(w.passwords[who])
        at.button(key="FormSubmitter:login-登录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def opened(at, page: str, **query) -> dict:
    at.query_params.clear()  # the URL of a link opened now (the app rewrote the previous one to its selection)
    for k, v in query.items():
        at.query_params[k] = str(v)
    try:
        at.switch_page(f"app_pages/{page}.py")
    except ValueError as exc:  # not among the role's pages: a browser asking for its path lands on the first page
        assert "Could not find a navigation page" in str(exc)
        return None
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    shown = "\n".join(str(x) for x in texts(at))
    shown += "\n".join(str(o) for sb in at.selectbox for o in sb.options)
    shown += "\n".join(df.value.to_string() for df in at.dataframe)
    return {
        "title": at.title[0].value if at.title else "",
        "text": shown,
        "errors": [e.value for e in at.error],
        "buttons": {b.key for b in at.button if b.key},
        "downloads": [b.proto.label for b in at.get("download_button")],
        "tabs": [t.label for t in at.tabs],
    }


ENTERPRISE_PAGES = set(PAGES) - {"portfolio", "province", "users"}
NAVIGATION = {  # the pages each role can reach (ui/auth.role_pages); any other path lands on the role's first page
    "sysadmin": {"users", "inbox", "criteria"},
    "admin_zj": {"inbox", "applications", "province", "portfolio", "plan", "criteria"},  # 区域画像 of their province
    "admin_js": {"inbox", "applications", "province", "portfolio", "plan", "criteria"},
    "expert1": {"inbox", "applications", "criteria"},
    "expert4": {"inbox", "applications", "criteria"},
    "ent_a": ENTERPRISE_PAGES,
    "ent_b": ENTERPRISE_PAGES,
}
MAY_READ_A = {"admin_zj", "expert1", "ent_a"}  # the province's admin, the assigned expert, the enterprise itself


@pytest.mark.parametrize("app_env", ["sqlite"], indirect=True)  # the services' matrix runs on both databases
def test_every_page_by_every_role_with_the_url_of_another_enterprise(world):
    a, f = world.assessments["A"], world.factory_a
    wrong = []
    for who in (None, *NAVIGATION):
        at = signed_in(world, who)
        reached = set()
        for page in PAGES:
            for query in ({"assessment": a}, {"factory": f}):
                r = opened(at, page, **query)
                if r is None:
                    continue
                reached.add(page)
                cell = f"{who or 'anonymous'} × {page} ?{next(iter(query))}"
                refused = [e for e in r["errors"] if "拒绝访问" in e]
                if who is None:
                    if r["title"] != LOGIN or "A企业" in r["text"]:
                        wrong.append(f"{cell}: not the login form")
                    continue
                if r["title"] == LOGIN:
                    wrong.append(f"{cell}: signed out")
                if who in MAY_READ_A and refused:
                    wrong.append(f"{cell}: refused {refused}")
                if who not in MAY_READ_A and not refused:
                    wrong.append(f"{cell}: no refusal")
                if who not in MAY_READ_A and who != "sysadmin" and ("A企业" in r["text"] or "A工厂" in r["text"]):
                    wrong.append(f"{cell}: shows enterprise A")
                evidence = "下载" in r["downloads"]
                if page == "applications" and evidence != (who in MAY_READ_A):
                    wrong.append(f"{cell}: evidence download offered: {evidence}")
                if page == "reports" and "推荐汇总表" in r["tabs"]:
                    wrong.append(f"{cell}: the unscoped recommendation list is offered")
        if who is not None and reached != NAVIGATION[who]:
            wrong.append(f"{who} reached {sorted(reached)}, expected {sorted(NAVIGATION[who])}")
    assert wrong == []
    with backend().Session() as s:  # each refusal by URL was audited with who and what
        denied = {(d.actor, d.entity, d.entity_id) for d in s.scalars(select(AuditLog).where(AuditLog.action == "denied"))}
    for who in ("admin_js", "expert4", "ent_b"):
        assert {(who, "assessment", str(a)), (who, "factory", str(f))} <= denied, who


def test_enterprise_user_cannot_create_an_enterprise(world):
    at = signed_in(world, "ent_a")
    assert any("企业由系统管理员或本省管理员创建" in c.value for c in at.caption)
    with backend().Session() as s:
        before = s.scalar(select(func.count()).select_from(Enterprise))
    # the popover is disabled in the browser; the form submitted anyway (a crafted request) is refused by the service
    form_inputs = [w for w in at.text_input if w.label == "企业名称 *"]
    form_inputs[0].input("自建企业")
    at.button(key="FormSubmitter:new_enterprise-创建企业").click().run()
    assert not at.exception
    assert any("拒绝访问" in shown(e.value) and "enterprise.create" in shown(e.value) for e in at.error), at.error
    with backend().Session() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == before
        row = s.scalars(select(AuditLog).where(AuditLog.action == "denied", AuditLog.actor == "ent_a")).all()[-1]
        assert row.detail["action"] == "enterprise.create"
    # a factory under its own enterprise is fine
    fac_inputs = [w for w in at.text_input if w.label == "工厂名称 *"]
    fac_inputs[0].input("二号工厂")
    at.button(key="FormSubmitter:new_factory-创建工厂").click().run()
    assert not at.exception and "已创建工厂「二号工厂」" in "\n".join(texts(at))


def test_system_admin_adds_an_enterprise_for_its_accounts(world):
    at = signed_in(world, "sysadmin")
    at.text_input(key="new_ent_name").input("新企业")
    at.text_input(key="new_ent_province").input("江苏")
    at.button(key="FormSubmitter:add_enterprise-新增企业").click().run()
    assert not at.exception
    assert any("已新增企业 新企业" in x.value for x in at.success), [x.value for x in at.success]
    assert any("新企业" in str(o) for o in at.selectbox(key="new_enterprise").options)


def test_reports_page_lists_only_the_enterprises_own_certificates(world):
    from reports import service

    be = backend()
    numbers = {}
    for key in ("A", "B"):
        with be.Session.begin() as s:
            numbers[key] = service.issue_certificate(
                world.assessments[key], session=s, settings=be.settings, actor="setup"
            ).number
    at = signed_in(world, "ent_a")
    r = opened(at, "reports", assessment=world.assessments["A"])
    assert numbers["A"] in r["text"] and numbers["B"] not in r["text"]
    assert "推荐汇总表" not in r["tabs"]
    revocable = next(sb for sb in at.selectbox if sb.label == "证书编号")
    assert list(revocable.options) == [numbers["A"]]  # another enterprise's certificate cannot even be chosen
