"""A small province for the workflow tests: two provinces, three enterprises, admins, experts and enterprise users,
and helpers that take one application through the state machine. Imported by name (conftest is not importable)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update

from assessment import workflow as wf
from assessment.access import Principal
from assessment.accounts import create_user
from assessment.config import Settings
from assessment.editions import load_maturity_cached
from assessment.store import repository as repo
from assessment.store.orm import User

COMPLIANCE = {
    "good_results_3y": True,
    "good_credit": True,
    "worst_accident_3y": "none",
    "violations_3y": False,
    "secure_controllable": True,
    "smart_mfg_team": True,
}
SCENARIOS = [
    {"scenario": "sg2025-l5-p08", "name": "冷镦机在线监控", "ai": False},
    {"scenario": "sg2025-l5-p05", "name": "螺纹视觉检测", "ai": True},
]
REQS = [r.id for r in load_maturity_cached("maturity/2020").applicable_requirements("discrete")]


def self_grade(rid: str) -> str:
    return "full" if int(rid.split(":")[2][1]) <= 2 else "none"


def settings_for(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path / "data", province_issuer_name="浙江省经济和信息化厅（测试）", **kw)


@dataclass
class World:
    users: dict[str, Principal] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    assessments: dict[str, int] = field(default_factory=dict)
    enterprises: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Principal:
        return self.users[name]


def make_enterprise(s, key: str, province: str, credit: str) -> tuple[int, int]:
    ent = repo.create_enterprise(
        session=s,
        actor="setup",
        name=f"{key}企业",
        credit_code=credit,
        province=province,
        legal_person=True,
        above_scale=True,
        ownership="private",
        industry_group="equipment",
        employees=300,
        revenue_wan=20000,
        standing="regional_leading",
        compliance=COMPLIANCE,
    )
    fac = repo.create_factory(ent.id, f"{key}工厂", "discrete", session=s, actor="setup")
    a = repo.create_assessment(fac.id, session=s, actor="setup")
    repo.save_answers(a.id, {rid: {"grade": self_grade(rid)} for rid in REQS}, session=s, actor="setup")
    repo.set_scenarios(a.id, SCENARIOS, session=s, actor="setup")
    return ent.id, a.id


def build_world(Session) -> World:
    """Enterprises A and B in 浙江, C in 江苏 (each with one complete assessment); accounts of every role, their
    one-time passwords already changed (principals ready to act)."""
    w = World()
    with Session.begin() as s:
        for key, prov, credit in (
            ("A", "浙江", "91330400MA2B000011"),
            ("B", "浙江", "91330400MA2B000022"),
            ("C", "江苏", "91320500MA1Y000033"),
        ):
            w.enterprises[key], w.assessments[key] = make_enterprise(s, key, prov, credit)
        specs = [
            ("sysadmin", "system_admin", None, None),
            ("admin_zj", "province_admin", "浙江", None),
            ("admin_js", "province_admin", "江苏", None),
            ("expert1", "expert", "浙江", None),
            ("expert2", "expert", None, None),
            ("expert3", "expert", "浙江", None),
            ("expert4", "expert", "浙江", None),
            ("expert_js", "expert", "江苏", None),
            ("ent_a", "enterprise", None, w.enterprises["A"]),
            ("ent_b", "enterprise", None, w.enterprises["B"]),
            ("ent_c", "enterprise", None, w.enterprises["C"]),
        ]
        for name, role, prov, ent in specs:
            user, pw = create_user(name, role, session=s, province=prov, enterprise_id=ent, actor="setup")
            w.passwords[name] = pw
        s.execute(update(User).values(must_change_password=False))  # as if each had changed it
        for u in s.scalars(select(User)):
            w.users[u.username] = Principal.from_user(u)
    return w


EXPERTS = ("expert1", "expert2", "expert3")


def submitted(Session, w: World, key: str = "A", tier: str = "basic") -> int:
    with Session.begin() as s:
        return wf.submit(w[f"ent_{key.lower()}"], w.assessments[key], tier, session=s).id


def grades_of(expert: str) -> dict[str, dict]:
    """Expert 1 agrees with the self-assessment; expert 2 one step lower on level-2 items (not contested); expert 3
    says 不满足 for the first requirement (contested: three steps) and asks for evidence on the second."""
    out = {rid: {"grade": self_grade(rid)} for rid in REQS}
    if expert == "expert2":
        for rid in REQS:
            if ":L2:" in rid:
                out[rid] = {"grade": "largely"}
    if expert == "expert3":
        out[REQS[0]] = {"grade": "none", "comment": "未见数据采集记录"}
        out[REQS[1]] = {"grade": "full", "evidence_request": "请提供设备联网清单"}
    return out


def advance(Session, w: World, app_id: int, to: str, settings, *, admin: str = "admin_zj") -> None:
    """Take the application from its state to ``to`` along the normal path."""
    order = ["submitted", "in_review", "consensus", "site_visit", "rectification", "decision", "approved"]
    while True:
        with Session() as s:
            state = s.get(wf.Application, app_id).status
        if state == to:
            return
        assert order.index(state) < order.index(to), (state, to)
        with Session.begin() as s:
            if state == "submitted":
                wf.assign_experts(w[admin], app_id, EXPERTS, session=s, settings=settings)
            elif state == "in_review":
                for e in EXPERTS:
                    wf.save_grades(w[e], app_id, grades_of(e), session=s)
                    wf.submit_review(w[e], app_id, session=s)
            elif state == "consensus":
                sheet = wf.consensus_sheet(w[admin], app_id, session=s, flagged_only=True)
                wf.record_consensus(
                    w[admin],
                    app_id,
                    {r["requirement_id"]: {"grade": "largely", "reason": "合议：部分车间已联网"} for r in sheet["requirements"]},
                    session=s,
                )
                wf.finish_consensus(w[admin], app_id, session=s)
            elif state == "site_visit":
                items = wf.site_visit_checklist(w[admin], app_id, session=s)["items"]
                results = {i["requirement_id"]: {"result": "ok"} for i in items}
                results[items[0]["requirement_id"]] = {"result": "weak", "finding": "现场未见联网记录"}
                wf.record_site_visit(w["expert1"], app_id, results, session=s)
                wf.finish_site_visit(w[admin], app_id, session=s)
            elif state == "rectification":
                for r in wf.rectification_items(w[admin], app_id, session=s):
                    ent = "ent_" + {v: k for k, v in w.enterprises.items()}[s.get(wf.Application, app_id).enterprise_id].lower()
                    if r["status"] in ("open", "rejected"):
                        wf.respond_rectification(w[ent], r["id"], "已补充联网记录", session=s)
                    wf.verify_rectification(w["expert2"], r["id"], True, "已核验", session=s)
                wf.finish_rectification(w[admin], app_id, session=s)
            elif state == "decision":
                wf.decide(w[admin], app_id, "approve", "符合基础级要求", session=s)
