"""User text is shown as typed (never Markdown, a directive, math or a link), and domain errors become a message."""

from __future__ import annotations

import re
import subprocess
import tomllib

from apphelp import demo_ids, open_page, shown, texts
from paths import ROOT

from assessment.editions import load_maturity_cached
from assessment.services import evaluation
from assessment.store import repository as repo
from assessment.store.orm import TierAward
from ui import state
from ui.services import backend
from ui.widgets import plain

IMAGE = "![x](http://host/x.png)"
DIRECTIVE = ":red[**证书已被撤销**]"
TITLE = "<b>粗体</b> $x^2$ :material/bug_report: www.example.com"


def _hostile_assessment(answered: int = 200, factory: str = DIRECTIVE) -> tuple[int, int, int]:
    be = backend()
    with be.Session.begin() as s:
        ent = repo.create_enterprise(session=s, name=IMAGE, legal_person=True)
        fac = repo.create_factory(ent.id, factory, "discrete", session=s)
        a = repo.create_assessment(fac.id, session=s, title=TITLE, period="2024 $")
        reqs = load_maturity_cached(a.maturity_edition).applicable_requirements(a.industry_type)
        repo.save_answers(a.id, {r.id: {"grade": "largely"} for r in reqs[:answered]}, session=s, expected_version=a.version)
        return ent.id, fac.id, a.id


def _assert_literal(at, *values: str) -> None:
    bodies = texts(at)
    for raw in (IMAGE, DIRECTIVE, "<b>", "$x^2$", ":material/bug_report:"):
        assert not any(raw in b for b in bodies), (raw, [b for b in bodies if raw in b])  # never sent unescaped
    for v in values:
        assert any(v in shown(b) for b in bodies), v  # and shown exactly as typed


def test_plain_escapes_markdown_html_math_directives_and_links():
    for text in (IMAGE, DIRECTIVE, TITLE, "a_b*c*`d`", "# h", "1. x", "foo@bar.com", "http://x.y/z", "C:\\dir\\", "100%"):
        md = plain(text)
        assert shown(md) == text
        bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", md)  # what is left once every escaped character is taken out
        assert not re.search(r"[!-/:-@\[-`{-~]", bare), (text, md)  # no Markdown, HTML, math or directive syntax left
    for link in ("foo@bar.com", "http://x.y/z", "https://x.y", "www.example.com"):
        assert "\u2060" in plain(link)  # a word joiner stops GitHub-style autolinks


def test_results_page_shows_names_as_text(app_env):
    open_page("home")
    ent, fac, aid = _hostile_assessment()
    at = open_page("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    _assert_literal(at, f"{IMAGE} · {DIRECTIVE} · {TITLE}")
    assert any(plain(IMAGE) in c.value and plain(DIRECTIVE) in c.value and plain(TITLE) in c.value for c in at.caption)


def test_history_page_with_a_dollar_factory_name_renders(app_env):
    open_page("home")
    ent, fac, aid = _hostile_assessment(factory="Plant $^$")
    with backend().Session.begin() as s:
        evaluation.snapshot(aid, session=s)
        second = repo.create_assessment(fac, session=s, title="复评", period="2025 $^$")
        evaluation.snapshot(second.id, session=s)
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.title[0].value == "历史与对比"
    assert any(shown(c.value) == "Plant $^$" for c in at.caption)
    assert len(at.get("image")) == 2  # the trend and the comparison radar
    assert at.metric[0].label == "S"


def test_reports_page_shows_names_as_text_and_issues(app_env):
    open_page("home")
    ent, fac, aid = _hostile_assessment()
    at = open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    _assert_literal(at, f"{IMAGE} · {DIRECTIVE} · {TITLE}")
    at.button(key="cert_issue").click().run()
    assert not at.exception
    _assert_literal(at)
    assert any("已签发证书" in shown(s.value) for s in at.success)


def _unknown_tier(fac: int) -> None:
    with backend().Session.begin() as s:  # as a malformed bundle used to store it
        s.add(TierAward(factory_id=fac, tier="platinum", year=2023, edition="smart_factory/2025"))


def test_stored_data_the_engine_refuses_gives_a_message_on_results(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    _unknown_tier(fac)
    at = open_page("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.title[0].value == "结果"
    assert any("无法计算结果" in e.value and "tiers_obtained" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert not at.metric  # nothing half-computed is shown


def test_stored_data_the_engine_refuses_gives_a_message_on_history(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    _unknown_tier(fac)
    at = open_page("history", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert len(at.dataframe) == 1  # the list of assessments and snapshots is still there
    assert any("无法比较" in e.value for e in at.error)


def test_stored_data_the_engine_refuses_blocks_a_certificate(app_env):
    open_page("home")
    ent, fac, aid = demo_ids()
    _unknown_tier(fac)
    at = open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    assert at.button(key="cert_issue").disabled
    assert any("无法计算结果" in w.value for w in at.warning)


def test_a_missing_assessment_gives_a_message(app_env):
    open_page("home")
    ent, fac, _ = demo_ids()
    at = open_page("results", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: 999999})
    assert [e.value for e in at.error] == ["找不到评估 #999999，请在首页重新选择。"]
    at = open_page("reports", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: 999999})
    assert at.button(key="cert_issue").disabled and any("找不到评估 #999999" in w.value for w in at.warning)


def test_error_details_are_off_in_the_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_make_run_binds_to_the_local_machine():
    cmd = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout  # (under `make test` the sub-make would otherwise print "Entering/Leaving directory" lines)
    launch = [line for line in cmd.splitlines() if "streamlit run" in line]
    assert launch and all("--server.address 127.0.0.1" in line for line in launch), cmd


def test_a_character_no_font_prints_is_refused_with_a_message(app_env):
    """Typed into 新建企业: 𠮷 (CJK Extension B) would print as a box, so the form says which character and keeps nothing."""
    from assessment.store.orm import Enterprise

    at = open_page("home")
    with backend().Session() as s:
        before = s.query(Enterprise).count()
    next(w for w in at.text_input if w.label == "企业名称 *").set_value("示例𠮷科技有限公司")
    at.button(key="FormSubmitter:new_enterprise-创建企业").click().run()
    assert not at.exception
    errors = [shown(e.value) for e in at.error]
    assert any("字符 𠮷 (U+20BB7)" in e and "无法打印" in e for e in errors), errors
    assert not any("/ the" in e for e in errors)  # the message in the page's language only
    with backend().Session() as s:
        assert s.query(Enterprise).count() == before
