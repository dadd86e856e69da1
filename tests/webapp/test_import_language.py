"""自评估 → 导入答案 in Chinese mode: every refusal of an answers file or questionnaire sheet reads in Chinese (the
parser's English words stay out), escaped as typed."""

from __future__ import annotations

import re

import pytest
from apphelp import demo_ids, open_page, shown

from assessment.store import repository as repo
from ui import state
from ui.services import backend

GOOD = "edition: maturity/2020\nindustry: discrete\nanswers:\n  gbt39116_2020:data:L1:01: 1\n"
ENGLISH = re.compile(r"\b(error|grade|unknown|missing|expected|line|column|not|is|the|of)\b")


@pytest.mark.parametrize(
    "name, content, zh",
    [
        ("bad.yaml", b"edition: maturity/2020\nindustry: [discrete\n", "bad.yaml：不是有效的 YAML（第 3 行第 1 列"),
        ("dup.yaml", b"edition: maturity/2020\nedition: maturity/2020\n", "键 'edition' 重复"),
        ("grade.yaml", GOOD.replace(": 1\n", ": 0.7\n").encode(), "grade.yaml：等级 0.7（gbt39116_2020:data:L1:01）不是"),
        ("field.yaml", b"industry: discrete\nanswers: {}\n", "field.yaml：缺少字段 'edition'"),
        ("gbk.yaml", "edition: 成熟度".encode("gbk"), "不是 UTF-8 编码的文本"),
        ("other.yaml", GOOD.replace("discrete", "process").encode(), "文件为 maturity/2020/process"),
        ("sheet.xlsx", b"PK\x03\x04 not a workbook", "不是 Excel 工作簿"),
    ],
)
def test_import_refusals_read_in_chinese(app_env, name, content, zh):
    open_page("home")
    ent, fac, _ = demo_ids()
    with backend().Session.begin() as s:
        aid = repo.create_assessment(fac, session=s).id
    at = open_page("assess", **{state.ENTERPRISE_ID: ent, state.FACTORY_ID: fac, state.ASSESSMENT_ID: aid})
    at.file_uploader(key=f"ans_file::{aid}").upload(name, content, "application/octet-stream").run()
    at.button(key=f"ans_btn::{aid}").click().run()
    assert not at.exception
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("无法导入：") and zh in errors[0], errors
    sentence = re.sub(r"'[^']*'|[\w.]*[:/_.][\w./:-]*", "", errors[0])  # without quoted values, ids and file names
    assert not ENGLISH.search(sentence), errors[0]
    with backend().Session() as s:
        assert not repo.answers_of(repo.get_assessment(aid, session=s))  # nothing imported
