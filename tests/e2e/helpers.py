"""Shared pieces of the browser tests: the app on a fresh data directory (SQLite) or a fresh PostgreSQL schema,
Chromium, waiting for Streamlit to finish its runs, driving the questionnaire, and reading the database directly."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbhelp import PG_URL, require_pg
from paths import OUTPUT, ROOT
from playwright.sync_api import expect
from sqlalchemy import Engine, create_engine, text
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# the questionnaire's options (contract of issue 8) and the stored grade each one stands for
GRADE_OF = {
    "未评": None,
    "1 全部满足": "full",
    "0.8 大部分满足": "largely",
    "0.5 部分满足": "partial",
    "0 不满足": "none",
    "不适用": "na",
}
LABEL_OF = {g: label for label, g in GRADE_OF.items()}
SUBDOMAIN_BOX = "能力要素 / 能力域 / 能力子域"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed")


def start_app(env: dict, log_path: Path, *, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free local port with ``env``, its output in ``log_path`` (a pipe nobody reads
    would stall the server once full); returns when the server answers its health check."""
    port = free_port()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.address",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("the app did not start: " + log_path.read_text(errors="replace")[-2000:])
            time.sleep(0.3)


@dataclass
class AppServer:
    kind: str  # sqlite | postgresql
    url: str
    engine: Engine  # the app's own database, read by the tests
    out: Path  # screenshots and the server log
    database_url: str | None = None  # PostgreSQL: the URL the app was given (a second process can share it)


@contextmanager
def app_server(kind: str, tmp_path_factory, log_name: str, share_with: AppServer | None = None):
    """The app on a fresh data directory and, for PostgreSQL, a fresh schema (or the database of ``share_with``: a
    second app process behind the same database); its output goes to a log file (a pipe nobody reads would stall
    the server once it is full)."""
    require_chromium()
    out = OUTPUT / "e2e" / kind
    out.mkdir(parents=True, exist_ok=True)
    data = tmp_path_factory.mktemp(f"e2e-{kind}")
    # no demo data set: the flows make their own enterprises, and loading it would add seconds to every server start
    env = {**os.environ, "SFA_DATA_DIR": str(data), "SFA_LOAD_DEMO": "false"}
    env.pop("DATABASE_URL", None)
    env.pop("SFA_DATABASE_URL", None)
    schema = admin = None
    if share_with is not None:
        env["DATABASE_URL"] = share_with.database_url
        engine = share_with.engine
    elif kind == "postgresql":
        require_pg()
        schema = f"e2e_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        env["DATABASE_URL"] = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = create_engine(f"sqlite:///{data / 'assessment.db'}")
    proc, url = start_app(env, out / log_name)
    try:
        yield AppServer(kind, url, engine, out, env.get("DATABASE_URL"))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if share_with is None:
            engine.dispose()
        if schema:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


# -- waiting for Streamlit ------------------------------------------------------------------------------------------


class Runs:
    """What a page's websocket to the app carried, in order: "rerun" for every rerun the browser asked for (a click,
    a changed widget, a page switch, the first load) and "done" for every script run that finished (not one that was
    cut short by the next rerun). Read with Streamlit's own protobuf classes."""

    def __init__(self, page):
        self.events: list[str] = []
        page.on("websocket", self._socket)

    def _socket(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framesent", self._sent)
            ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, bytes) and BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.events.append("rerun")

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY,
                ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
            ):
                self.events.append("done")

    def asked(self, since: int) -> bool:
        return "rerun" in self.events[since:]

    def answered(self, since: int) -> bool:
        """A rerun was asked for after ``since`` and a run finished after the last such request."""
        after = self.events[since:]
        if "rerun" not in after:
            return False
        last = len(after) - 1 - after[::-1].index("rerun")
        return "done" in after[last + 1 :]


# the time of the last change to the page's nodes or text
_WATCH = """
window.__sfaChanged = Date.now();
new MutationObserver(() => { window.__sfaChanged = Date.now(); })
  .observe(document, {subtree: true, childList: true, characterData: true});
"""

# connected, no script running, no stale element, and no node or text changed for ``still`` ms: widgets whose code
# loads lazily appear only after their run has ended
_STILL = """
(still) => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('[data-stale=true]')
    && Date.now() - window.__sfaChanged >= still;
}
"""

_RUNS: dict[int, Runs] = {}


def new_page(context, timeout_ms: int = 30000):
    page = context.new_page()
    page.add_init_script(_WATCH)
    page.set_default_timeout(timeout_ms)
    _RUNS[id(page)] = Runs(page)
    return page


def _wait(page, condition, timeout_s: float) -> bool:
    """Let Playwright deliver the websocket events until ``condition()`` holds; False after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)
    return True


def act(page, action, rerun: str = "required") -> None:
    """Do something that makes the app rerun (a click, Enter in a field, a navigation) and wait until the run it
    asked for has finished and the page is still. ``rerun="optional"``: the action may not rerun (an edit in a form)."""
    runs = _RUNS[id(page)]
    since = len(runs.events)
    action()
    asked = _wait(page, lambda: runs.asked(since), 3 if rerun == "optional" else 30)
    if (rerun == "required" and not asked) or (asked and not _wait(page, lambda: runs.answered(since), 30)):
        raise AssertionError(f"the app did not finish a run after the action (websocket events: {runs.events[since:]})")
    page.wait_for_function(_STILL, arg=400, polling=100)


def click(page, locator) -> None:
    act(page, locator.click)


def goto(page, url: str) -> None:
    act(page, lambda: page.goto(url))


def reload(page) -> None:
    act(page, page.reload)


# -- pages ----------------------------------------------------------------------------------------------------------


def sidebar(page, title: str) -> None:
    """Open a page from the sidebar navigation."""
    click(page, page.locator("[data-testid=stSidebarNav]").get_by_role("link", name=title, exact=True))


def set_user(page, name: str) -> None:
    field = page.get_by_label("当前用户")
    field.fill(name)
    act(page, lambda: field.press("Enter"))


def choose(page, label: str, option_text: str, scope=None) -> None:
    """Pick the option containing ``option_text`` in the selectbox labelled ``label``."""
    box = (scope or page).get_by_role("combobox", name=label)
    if option_text in box.input_value():
        return  # already chosen (e.g. the only enterprise, shown by default): choosing it again starts no run
    box.click()
    box.fill(option_text)  # the list is filtered (and virtualised: an option far down is not in the DOM otherwise)
    click(page, page.get_by_role("option").filter(has_text=option_text).first)


def choose_in_form(page, box, option_text: str) -> None:
    """Pick an option in the selectbox ``box`` inside a form (no rerun until the form is submitted)."""
    box.click()
    page.get_by_role("option", name=option_text, exact=True).click()
    page.get_by_role("option").first.wait_for(state="detached")


def selectbox_text(page, label: str) -> str:
    """What the selectbox labelled ``label`` shows as chosen."""
    return page.get_by_role("combobox", name=label).input_value()


def new_assessment(page, base_url: str, enterprise: str, factory: str = "一号装配车间") -> None:
    """首页: a new enterprise, a factory and an assessment; the app moves to the questionnaire."""
    goto(page, base_url)
    page.get_by_text("智能制造成熟度与智能工厂评估").first.wait_for()
    popover = page.get_by_test_id("stPopoverBody").filter(
        visible=True
    )  # the open popover's form (the page has other forms with these labels)
    page.get_by_role("button", name="新建企业").click()
    popover.get_by_label("企业名称 *").fill(enterprise)
    click(page, popover.get_by_role("button", name="创建企业"))
    page.get_by_text("已创建企业").wait_for()
    page.get_by_role("button", name="新建工厂").click()
    popover.get_by_label("工厂名称 *").fill(factory)
    click(page, popover.get_by_role("button", name="创建工厂"))
    page.get_by_text("已创建工厂").wait_for()
    page.get_by_role("button", name="开始新的评估").click()
    click(page, popover.get_by_role("button", name="开始评估"))
    wait_for_cards(page)


def open_enterprise(page, base_url: str, enterprise: str) -> None:
    """首页 in a fresh tab: choose the enterprise by name (its only factory and assessment follow)."""
    goto(page, base_url)
    page.get_by_text("智能制造成熟度与智能工厂评估").first.wait_for()
    choose(page, "企业", enterprise)


def open_questionnaire(page, base_url: str, enterprise: str) -> None:
    open_enterprise(page, base_url, enterprise)
    click(page, page.get_by_role("button", name="继续作答"))
    wait_for_cards(page)


# -- the questionnaire ----------------------------------------------------------------------------------------------

# requirement id (without the edition prefix) → the label of the checked option, for every card on the page
_SHOWN = """
() => {
  const out = {};
  for (const g of document.querySelectorAll('[data-testid=stMain] [role=radiogroup]')) {
    const labels = [...g.querySelectorAll('label')].map(l => l.innerText.trim());
    if (!labels.includes('未评')) continue;
    const card = g.closest('[data-testid=stVerticalBlock]');
    const m = card && card.innerText.match(/[a-z_]+:L\\d+:\\d+/);
    if (!m) continue;
    const c = g.querySelector('input[type=radio]:checked');
    out[m[0]] = c ? c.closest('label').innerText.trim() : '(none checked)';
  }
  return out;
}
"""


def wait_for_cards(page, timeout_ms: int = 30000) -> None:
    """The questionnaire's cards and sub-domain selector are on the page."""
    page.get_by_role("combobox", name=SUBDOMAIN_BOX).wait_for(timeout=timeout_ms)
    page.locator("[data-testid=stMain] [role=radiogroup]").first.wait_for(timeout=timeout_ms)


def short(rid: str) -> str:
    """``gbt39116_2020:data:L1:01`` → ``data:L1:01`` (what a card shows)."""
    return rid.split(":", 1)[1]


def shown(page) -> dict[str, str]:
    """The checked option of every questionnaire card on the page, by short requirement id, in the page's order."""
    return page.evaluate(_SHOWN)


def cards(page) -> list[str]:
    """The short requirement ids of the questionnaire cards on the page, top to bottom."""
    return list(shown(page))


def card(page, sid: str):
    return (
        page.locator("[data-testid=stVerticalBlock]")
        .filter(has=page.get_by_text(sid, exact=True))
        .filter(has=page.get_by_role("radiogroup"))
        .last
    )


def answer(page, sid: str, label: str) -> None:
    """Click one option of one card (a user's change) and wait for the rerun."""
    click(page, card(page, sid).get_by_text(label, exact=True))


def open_subdomain(page, name_zh: str) -> None:
    choose(page, SUBDOMAIN_BOX, name_zh)
    wait_for_cards(page)


def display_mismatches(page, stored: dict[str, str | None], where: str) -> list[str]:
    """One line naming every card whose checked option is not the stored grade (``stored``: full requirement id →
    grade; a requirement without a row is 未评), or nothing."""
    by_short = {short(rid): g for rid, g in stored.items()}
    now = shown(page)
    if not now:
        return [f"{where}: no questionnaire card on the page"]
    wrong = [
        f"{sid} shows {label!r} (stored {LABEL_OF[by_short.get(sid)]!r})"
        for sid, label in sorted(now.items())
        if label != LABEL_OF[by_short.get(sid)]
    ]
    return [f"{where}: {len(wrong)} of {len(now)} cards differ from the database: " + "; ".join(wrong)] if wrong else []


# -- the database ---------------------------------------------------------------------------------------------------


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def assessment_of(engine: Engine, enterprise: str) -> int:
    with engine.connect() as c:
        ids = (
            c.execute(
                text(
                    "SELECT a.id FROM assessments a JOIN factories f ON f.id = a.factory_id JOIN enterprises e ON e.id = f.enterprise_id "
                    "WHERE e.name = :n ORDER BY a.id"
                ),
                {"n": enterprise},
            )
            .scalars()
            .all()
        )
    assert len(ids) == 1, f"expected one assessment for {enterprise!r}, found {ids}"
    return ids[0]


def edition_of(engine: Engine, aid: int) -> tuple[str, str]:
    """(maturity edition, industry type) of an assessment."""
    with engine.connect() as c:
        return tuple(c.execute(text("SELECT maturity_edition, industry_type FROM assessments WHERE id = :a"), {"a": aid}).one())


def stored_answers(engine: Engine, aid: int) -> dict[str, str | None]:
    """All answer rows of an assessment: requirement id → grade (None = stored as 未评)."""
    with engine.connect() as c:
        rows = c.execute(text("SELECT requirement_id, grade FROM answers WHERE assessment_id = :a"), {"a": aid}).all()
    return {r: g for r, g in rows}


def graded(engine: Engine, aid: int) -> dict[str, str]:
    return {r: g for r, g in stored_answers(engine, aid).items() if g is not None}


def audit_rows(engine: Engine, aid: int, action: str | None = None) -> list[dict]:
    """The audit rows of an assessment (of one action, or all), oldest first: actor, action and the detail's keys."""
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT actor, action, detail FROM audit_log WHERE entity = 'assessment' AND entity_id = :a ORDER BY id"),
            {"a": str(aid)},
        ).all()
    return [
        {"actor": actor, "action": act, **(_json(detail) or {})} for actor, act, detail in rows if action is None or act == action
    ]


def requirements_by_subdomain(edition: str, industry: str) -> dict[str, list[str]]:
    """The applicable requirement ids of an edition and industry, by sub-domain, in the criteria's order."""
    from assessment.editions import load_maturity_cached

    ed = load_maturity_cached(edition, ROOT / "criteria")
    out: dict[str, list[str]] = {}
    for r in ed.applicable_requirements(industry):
        out.setdefault(ed.req_subdomain[r.id], []).append(r.id)
    return out


def kpis(engine: Engine, aid: int) -> dict[str, float]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT kpi_id, value FROM kpi_records WHERE assessment_id = :a"), {"a": aid}).all()
    return {k: v for k, v in rows}


def compliance_of(engine: Engine, enterprise: str) -> dict:
    with engine.connect() as c:
        value = c.execute(text("SELECT compliance FROM enterprises WHERE name = :n"), {"n": enterprise}).scalar_one()
    return _json(value) or {}


# -- the KPI data editor (场景与指标) ---------------------------------------------------------------------------------


def kpi_grid(page):
    """The data editor whose columns include 数值 (the KPI table)."""
    return page.locator("[data-testid=stDataFrame]").filter(has=page.locator("th", has_text="数值"))


def type_kpi(page, kpi_id: str, typed: str) -> None:
    """Type ``typed`` into the 数值 cell of the KPI ``kpi_id`` as a user would, and commit it with Enter."""
    grid = kpi_grid(page)
    grid.scroll_into_view_if_needed()
    canvas = grid.locator("canvas").first
    canvas.wait_for()
    headers = [h.strip() for h in grid.locator("th").all_inner_texts()]
    col = headers.index("数值")
    ids = [c.strip() for c in grid.locator("td[aria-colindex='1']").all_inner_texts()]
    row = ids.index(kpi_id)

    def selected(c: int, r: int, timeout: int = 10000) -> None:  # the grid marks the selected cell, a bit later
        expect(grid.locator(f"td#glide-cell-{c}-{r}")).to_have_attribute("aria-selected", "true", timeout=timeout)

    for attempt in range(3):  # the first column of the first row, below the header (the grid may still be moving)
        box = canvas.bounding_box()
        page.mouse.click(box["x"] + 10, box["y"] + 50)
        try:
            selected(0, 0, 3000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    for c in range(1, col + 1):
        page.keyboard.press("ArrowRight")
        selected(c, 0)
    for r in range(1, row + 1):
        page.keyboard.press("ArrowDown")
        selected(col, r)
    page.keyboard.press("Enter")  # opens the cell's editor
    editor = page.locator("#portal input, #portal textarea").first
    editor.wait_for()
    editor.fill(typed)
    act(page, lambda: editor.press("Enter"), rerun="optional")  # an edit reruns the app, unless the editor is in a form
    editor.wait_for(state="detached")


@contextmanager
def chromium():
    """Debian's Chromium, headless, for one test module (the `browser` fixture of each file)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def server_mode():
    """SFA_AUTH=required while app servers are started (app_server reads it when it builds the server's environment)."""
    old = os.environ.get("SFA_AUTH")
    os.environ["SFA_AUTH"] = "required"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SFA_AUTH", None)
        else:
            os.environ["SFA_AUTH"] = old


def fill_login(page, name: str, password: str) -> None:
    """Fill and send the server mode's login form."""
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
