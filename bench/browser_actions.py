"""Browser actions needed to complete an assessment (issue 9's benchmark: target ≤ 20 through the spreadsheet).

Headless Chromium drives the real app (SQLite, a fresh data directory) as a user would and counts every click,
option chosen and file chosen it makes, from 开始新的评估 on the home page (enterprise and factory already made) to
the results page of a complete assessment (every requirement answered):

- spreadsheet: start the assessment, download the questionnaire, (fill it in, outside the browser: random grades and
  N/A with a reason on every row), open 导入答案, choose the file, 预览, 应用导入, 查看结果;
- bulk grading: start the assessment, then in every sub-domain, for every level: open 本级批量评分, choose the grade
  when it is not the one preselected (random, fixed seed), 应用到 N 项; 下一个子域; finally 查看结果.

The counts come from performing the path on the page as it is, so they follow the questionnaire's structure
(sub-domains and levels of the default edition). Skipped, and said so, when Chromium or Playwright is missing.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADES = ["1 全部满足", "0.8 大部分满足", "0.5 部分满足", "0 不满足"]


class _Dirs:
    """The one method of pytest's tmp_path_factory the browser helpers use."""

    def __init__(self, base: Path):
        self.base = base

    def mktemp(self, name: str) -> Path:
        path = self.base / f"{name}-{time.monotonic_ns()}"
        path.mkdir(parents=True)
        return path


class _Actions:
    """Every user action of a path goes through here and is counted by kind."""

    def __init__(self, h, page):
        self.h, self.page, self.kinds = h, page, Counter()

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def click(self, locator, kind: str, rerun: bool = True) -> None:
        self.kinds[kind] += 1
        if rerun:
            self.h.click(self.page, locator)
        else:
            locator.click()

    def upload(self, locator, path: Path, kind: str) -> None:
        self.kinds[kind] += 1
        self.h.act(self.page, lambda: locator.set_input_files(str(path)))

    def download(self, locator, kind: str) -> Path:
        self.kinds[kind] += 1
        with self.page.expect_download() as d:
            locator.click()
        return Path(d.value.path())


def _factory(h, page, url: str, enterprise: str) -> None:
    """Set-up, not counted: an enterprise and its factory, made on the home page."""
    h.goto(page, url)
    page.get_by_text("智能制造成熟度与智能工厂评估").first.wait_for()
    popover = page.get_by_test_id("stPopoverBody").filter(visible=True)
    page.get_by_role("button", name="新建企业").click()
    popover.get_by_label("企业名称 *").fill(enterprise)
    h.click(page, popover.get_by_role("button", name="创建企业"))
    page.get_by_text("已创建企业").wait_for()
    page.get_by_role("button", name="新建工厂").click()
    popover.get_by_label("工厂名称 *").fill("一号车间")
    h.click(page, popover.get_by_role("button", name="创建工厂"))
    page.get_by_text("已创建工厂").wait_for()


def _start(h, page, a: _Actions) -> None:
    popover = page.get_by_test_id("stPopoverBody").filter(visible=True)
    a.click(page.get_by_role("button", name="开始新的评估"), "open 开始新的评估", rerun=False)
    a.click(popover.get_by_role("button", name="开始评估"), "开始评估")
    h.wait_for_cards(page)


def _results(h, page, a: _Actions) -> None:
    a.click(page.get_by_role("button", name="查看结果"), "查看结果")
    page.get_by_text("成熟度等级").first.wait_for()


def _progress(page) -> tuple[int, int]:
    import re

    text = page.get_by_text(re.compile(r"完成进度: \d+/\d+")).first.inner_text()
    done, total = re.search(r"(\d+)/(\d+)", text).groups()
    return int(done), int(total)


def _fill(path: Path, seed: int) -> int:
    """Every row graded at random (N/A with a reason): the departments' work, outside the browser."""
    from openpyxl import load_workbook

    from assessment.answer_sheet import COL, HEADER_ROW, SHEET

    rng = random.Random(seed)
    wb = load_workbook(path)
    ws = wb[SHEET]
    rows = 0
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        rows += 1
        grade = rng.choice([*GRADES, "不适用"])
        row[COL["grade"]].value = grade
        if grade == "不适用":
            row[COL["na"]].value = "本厂无此工序"
    wb.save(path)
    return rows


def _spreadsheet(h, page, url: str, work: Path) -> dict:
    _factory(h, page, url, "表格路径基准有限公司")
    a = _Actions(h, page)
    _start(h, page, a)
    sheet = a.download(page.get_by_role("button", name="下载问卷"), "download the questionnaire")
    filled = work / "questionnaire.xlsx"
    filled.write_bytes(sheet.read_bytes())
    rows = _fill(filled, seed=1)
    box = page.locator("[data-testid=stExpander]").filter(has_text="导入答案")
    a.click(box.locator("summary").first, "open 导入答案", rerun=False)
    a.upload(box.locator("input[type=file]"), filled, "choose the file")
    a.click(box.get_by_role("button", name="预览", exact=True), "预览")
    a.click(box.get_by_role("button", name="应用导入", exact=True), "应用导入")
    done, total = _progress(page)
    if not done == total == rows:
        raise AssertionError(f"the spreadsheet path left the assessment at {done}/{total} ({rows} rows filled)")
    _results(h, page, a)
    return {"actions": a.total, "by_kind": dict(a.kinds), "requirements": total}


def _bulk(h, page, url: str) -> dict:
    _factory(h, page, url, "批量评分基准有限公司")
    a = _Actions(h, page)
    _start(h, page, a)
    rng = random.Random(2)
    levels = 0
    while True:
        buttons = page.get_by_role("button").filter(has_text="本级批量评分")
        for i in range(buttons.count()):
            levels += 1
            a.click(buttons.nth(i), "open 本级批量评分")  # the popover keeps its open state: opening it reruns the page
            body = page.get_by_test_id("stPopoverBody").filter(visible=True)
            body.wait_for()
            grade = rng.choice(GRADES)
            if grade != GRADES[0]:  # the popover preselects 1 全部满足
                a.click(body.get_by_text(grade, exact=True), "choose a grade")
            a.click(body.get_by_role("button").filter(has_text="应用到"), "应用到 N 项")
            if body.count() and body.first.is_visible():  # still open after the run: the user closes it
                a.kinds["close the popover"] += 1
                page.keyboard.press("Escape")
                body.first.wait_for(state="hidden")
        done, total = _progress(page)
        if done == total:
            break
        a.click(page.get_by_role("button", name="下一个子域"), "下一个子域")
        h.wait_for_cards(page)
        if a.kinds["下一个子域"] > 60:
            raise AssertionError("bulk grading did not complete the assessment")
    subdomains = a.kinds["下一个子域"] + 1
    _results(h, page, a)
    return {"actions": a.total, "by_kind": dict(a.kinds), "requirements": total, "subdomains": subdomains, "levels": levels}


def run() -> dict:
    import tempfile

    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]
    try:
        import helpers as h
        import pytest
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return {"skipped": f"the browser test helpers cannot be imported ({exc})"}
    if h.CHROMIUM is None:
        return {"skipped": "Chromium is not installed"}
    out: dict = {"target_spreadsheet": "≤ 20"}
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        try:
            with h.app_server("sqlite", _Dirs(work), "server-bench-actions.log") as srv, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=h.CHROMIUM, headless=True, args=h.CHROMIUM_ARGS)
                try:
                    for name, path in (("spreadsheet", lambda pg: _spreadsheet(h, pg, srv.url, work)), ("bulk_grading", None)):
                        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
                        page = h.new_page(ctx, timeout_ms=60000)
                        t0 = time.perf_counter()
                        out[name] = path(page) if path else _bulk(h, page, srv.url)
                        out[name]["seconds"] = round(time.perf_counter() - t0, 1)
                        ctx.close()
                finally:
                    browser.close()
        except pytest.skip.Exception as exc:
            return {"skipped": str(exc)}
    out["spreadsheet_meets_target"] = out["spreadsheet"]["actions"] <= 20
    return out
