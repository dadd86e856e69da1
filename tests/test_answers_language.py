"""Answers-file and questionnaire-sheet refusals say the same thing in Chinese and in English, each half in one
language, so the app can show the chosen one (the command line prints both)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from assessment.answer_sheet import COL, HEADER_ROW, SHEET, SheetError, read_sheet, write_sheet
from assessment.answers import AnswersError, normalise_grade, parse_answers, parse_text
from assessment.editions import load_maturity_cached

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b(?!na\b)[a-z]{3,}\b")  # a lower-case word outside quotes, ids and file names
ED = "maturity/2020"
RID = "gbt39116_2020:data:L1:01"


def _unquoted(text: str) -> str:
    """``text`` without what it quotes (ids, values, file names, edition ids): the words of the sentence."""
    text = re.sub(r"'[^']*'|“[^”]*”|「[^」]*」", "", text)
    return re.sub(r"[\w./-]*[:/_.][\w./:-]*", "", text)  # ids like gbt39116_2020:data:L1:01, maturity/2020, a.yaml


def _check(exc: AnswersError, *english: str) -> None:
    assert exc.parts is not None and str(exc) == f"{exc.zh} / {exc.en}"
    assert CJK.search(exc.zh) and not ENGLISH_WORD.search(_unquoted(exc.zh)), exc.zh
    assert not CJK.search(exc.en), exc.en
    for fragment in english:
        assert fragment in exc.en


@pytest.mark.parametrize(
    "doc, english",
    [
        ([1], "expected a mapping"),
        ({"edition": ED, "industry": "discrete"}, "missing field 'answers'"),
        ({"edition": ED, "industry": "discrete", "answers": {}, "extra": 1}, "unknown field 'extra'"),
        ({"edition": 2020, "industry": "discrete", "answers": {}}, "must be a string"),
        ({"edition": "maturity/1999", "industry": "discrete", "answers": {}}, "unknown edition 'maturity/1999'"),
        ({"edition": "smart_factory/2025", "industry": "discrete", "answers": {}}, "not a maturity edition"),
        ({"edition": ED, "industry": "chemical", "answers": {}}, "industry 'chemical' is not one of"),
        ({"edition": ED, "industry": "discrete", "answers": [1]}, "must be a mapping"),
        ({"edition": ED, "industry": "discrete", "answers": {"nope:x:L1:01": 1}}, "unknown requirement id"),
        ({"edition": ED, "industry": "discrete", "answers": {RID: 0.7}}, "grade 0.7 for"),
        ({"edition": ED, "industry": "discrete", "answers": {RID: "a / b"}}, "grade 'a / b'"),
        ({"edition": ED, "industry": "discrete", "answers": {RID: True}}, "grade True"),
    ],
)
def test_answers_refusals_in_both_languages(doc, english):
    with pytest.raises(AnswersError) as info:
        parse_answers(doc, source="a.yaml")
    _check(info.value, "a.yaml: ", english)
    assert info.value.zh.startswith("a.yaml：")


def test_a_grade_refused_while_saving_is_in_both_languages():
    with pytest.raises(AnswersError) as info:
        normalise_grade("1e9999", load_maturity_cached(ED), RID)
    _check(info.value, "is not one of 1, 0.8, 0.5, 0, na")


@pytest.mark.parametrize(
    "text, name, zh, english",
    [
        ("edition: maturity/2020\nindustry: [discrete\n", "a.yaml", "不是有效的 YAML（第 3 行第 1 列", "YAML error at line 3"),
        ("answers: {a: 1, a: 2}\n", "a.yaml", "键 'a' 重复", "duplicate key 'a'"),
        ('{"edition": ', "a.json", "不是有效的 JSON（第 1 行第 13 列", "JSON error at line 1"),
    ],
)
def test_file_syntax_refusals_in_both_languages(text, name, zh, english):
    with pytest.raises(AnswersError) as info:
        parse_text(text, name)
    _check(info.value, english)
    assert zh in info.value.zh


def test_sheet_refusals_in_both_languages():
    with pytest.raises(SheetError) as info:
        read_sheet(b"not a zip", editions=lambda e: load_maturity_cached(e))
    _check(info.value, "not an Excel workbook")
    ed = load_maturity_cached(ED)
    wb = load_workbook(io.BytesIO(write_sheet(ed, "discrete")))
    ws = wb[SHEET]
    ws.cell(HEADER_ROW + 1, COL["grade"] + 1).value = "x / y"  # a " / " typed in a cell does not split the message
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_sheet(buf.getvalue(), editions=lambda e: load_maturity_cached(e))
    from ui.i18n import halves

    zh, en = halves(sheet.problems[0][1])
    assert zh.startswith("等级 'x /") and zh.endswith("不在下拉列表中") and en.startswith("grade 'x /")
