"""Every message follows the chosen language: no Chinese in English mode, no English sentence in Chinese mode."""

from __future__ import annotations

import re

import pytest
from apphelp import open_page
from conftest_app import new_app

from ui.i18n import halves

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("lang, words", [("zh", "链接中的评估不存在"), ("en", "The assessment in the link does not exist")])
def test_a_link_to_a_missing_assessment_is_reported_in_the_language(app_env, lang, words):
    open_page("home")
    at = new_app()
    at.query_params["assessment"] = "999999"
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert any(words in w for w in shown), shown
    assert not any(("/ " in w and "链接" in w) for w in shown)  # one language only


@pytest.mark.parametrize(
    "text, zh, en",
    [
        ("中文 / English", "中文", "English"),
        (
            "“abc”不是数字（可输入 12、12.5 或 12%）/ 'abc' is not a number",
            "“abc”不是数字（可输入 12、12.5 或 12%）",
            "'abc' is not a number",
        ),
        ("数据包缺少证据文件（ab12…）/ evidence file missing", "数据包缺少证据文件（ab12…）", "evidence file missing"),
    ],
)
def test_messages_split_at_their_separator(text, zh, en):
    assert halves(text) == (zh, en)
    assert not CJK.search(halves(text)[1])


def test_a_plain_message_is_not_split():
    assert halves("已创建企业「A/B」") is None and halves("S=1.2/5") is None
