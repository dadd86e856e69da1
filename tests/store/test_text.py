"""One text check for user text: the same acceptance and the same message on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from assessment.store import repository as repo
from assessment.store.orm import Base, Enterprise
from assessment.store.text import BIDI_CONTROLS, check_text

CREDIT = "91330400MA2B000011"


def counts(session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


# -- check_text itself ------------------------------------------------------------------------------------------


def test_strips_and_returns_none_for_empty_optional_text():
    assert check_text("  一号工厂\u3000", field="factory.name", max_len=200) == "一号工厂"
    assert check_text("   ", field="factory.name", max_len=200) is None
    assert check_text(None, field="factory.name", max_len=200) is None
    with pytest.raises(ValueError, match="^工厂名称不能为空 / the factory name is required$"):
        check_text(" \t", field="factory.name", max_len=200, required=True)


def test_length_is_counted_in_characters():
    assert check_text("智" * 200, field="enterprise.name", max_len=200) == "智" * 200
    assert check_text("𠂇" * 200, field="enterprise.name", max_len=200) == "𠂇" * 200  # one character, four bytes
    with pytest.raises(ValueError) as exc:
        check_text("智" * 201, field="enterprise.name", max_len=200)
    assert (
        str(exc.value) == "企业名称过长：201 个字符，最多 200 个 / the enterprise name is too long: 201 characters, at most 200"
    )


@pytest.mark.parametrize(
    "char, fragment",
    [
        ("\x00", "NUL"),
        ("\x07", "U+0007"),
        ("\x1b", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\x9f", "U+009F"),
        ("\ud800", "surrogate"),
        *[(ch, f"U+{ord(ch):04X}") for ch in sorted(BIDI_CONTROLS)],
    ],
)
def test_refused_characters(char, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)) as exc:
        check_text(f"工厂{char}名称", field="factory.name", max_len=200)
    assert str(exc.value).startswith("工厂名称不能包含") and "the factory name must not contain" in str(exc.value)
    with pytest.raises(ValueError, match=re.escape(fragment)):
        check_text(f"备注{char}内容", field="answer.note", max_len=2000, multiline=True)


def test_tab_and_newline_only_in_multiline_text():
    assert (
        check_text("第一行\r\n\t第二行\r第三行\n", field="answer.note", max_len=2000, multiline=True)
        == "第一行\n\t第二行\n第三行"
    )
    for ch in "\t\n\r":
        with pytest.raises(ValueError, match="control character"):
            check_text(f"a{ch}b", field="factory.name", max_len=200)


FONT_REFUSAL = (
    "{zh}不能包含字符 {ch} (U+{cp})：证书和报告所用的字体没有这个字，无法打印，请改用规范汉字 / the {en} must not contain "
    "{ch} (U+{cp}): the certificate and report fonts do not have it, so it cannot be printed"
)


@pytest.mark.parametrize("char", ["𠮷", "😀", "\ue000", "\U000e0100", "\u0e01"])
def test_characters_no_shipped_font_prints_are_refused(char):
    """CJK Extension B outside the 通用规范汉字表, emoji, private use, a variation selector, Thai: no font covers them."""
    message = FONT_REFUSAL.format(zh="工厂名称", en="factory name", ch=char, cp=f"{ord(char):04X}")
    with pytest.raises(ValueError) as exc:
        check_text(f"工厂{char}名称", field="factory.name", max_len=200)
    assert str(exc.value) == message
    with pytest.raises(ValueError, match=re.escape(f"U+{ord(char):04X}")):
        check_text(f"第一行\n备注{char}", field="answer.note", max_len=2000, multiline=True)


def test_what_the_fonts_cover_is_accepted():
    """Names as registered: 规范汉字 (including the Extension B characters of the 通用规范汉字表), Latin with accents,
    Greek, Cyrillic, full-width punctuation, ℃ № ① and the ideographic space."""
    for text in (
        "示例·北方重型装备（天津）股份有限公司",
        "𠂇𠃌𡎚 鿍",
        "Müller & Søn GmbH — «Ωmega» Завод",
        "℃ № ①【】±≥",
        "甲\u3000乙",
    ):
        assert check_text(text, field="enterprise.name", max_len=200) == text
    for ch in "\u200b\u200d\u2060\ufeff\u00ad":
        with pytest.raises(ValueError, match=f"invisible format character U\\+{ord(ch):04X}"):
            check_text(f"a{ch}b", field="enterprise.name", max_len=200)


def test_not_text_and_unknown_field_labels():
    with pytest.raises(ValueError, match="^企业名称必须是文本 / the enterprise name must be text$"):
        check_text(123, field="enterprise.name", max_len=200)
    with pytest.raises(ValueError, match="^标签过长.* / the label is too long"):
        check_text("xx", field=("标签", "label"), max_len=1)


# -- the repository uses it: both databases accept and refuse the same text with the same message ---------------------


def test_names_at_and_over_the_column_length(Session):
    with Session.begin() as s:
        ent = repo.create_enterprise(session=s, name="企" * 200, credit_code=CREDIT, province="浙" * 40)
        fac = repo.create_factory(ent.id, "𠂇" * 200, "discrete", session=s, address="址" * 300, sub_sector="细" * 40)
        a = repo.create_assessment(fac.id, session=s, title="题" * 200, period="2" * 20)
        user = repo.get_or_create_user("u" * 80, session=s, display_name="名" * 200)
        ids = ent.id, fac.id, a.id, user.id
    with Session() as s:
        a = repo.get_assessment(ids[2], session=s)
        assert a.title == "题" * 200 and a.factory.name == "𠂇" * 200 and a.factory.enterprise.name == "企" * 200
    with Session() as s:
        before = counts(s)
    refusals = [
        (
            lambda s: repo.create_enterprise(session=s, name="企" * 201),
            "企业名称过长：201 个字符，最多 200 个 / the enterprise name is too long: 201 characters, at most 200",
        ),
        (
            lambda s: repo.create_enterprise(session=s, name="x", province="浙" * 41),
            "省份过长：41 个字符，最多 40 个 / the province is too long: 41 characters, at most 40",
        ),
        (
            lambda s: repo.create_factory(ids[0], "厂" * 201, "discrete", session=s),
            "工厂名称过长：201 个字符，最多 200 个 / the factory name is too long: 201 characters, at most 200",
        ),
        (
            lambda s: repo.create_factory(ids[0], "厂", "discrete", session=s, address="址" * 301),
            "地址过长：301 个字符，最多 300 个 / the address is too long: 301 characters, at most 300",
        ),
        (
            lambda s: repo.create_assessment(ids[1], session=s, title="题" * 201),
            "评估标题过长：201 个字符，最多 200 个 / the assessment title is too long: 201 characters, at most 200",
        ),
        (
            lambda s: repo.create_assessment(ids[1], session=s, period="2" * 21),
            "评估期过长：21 个字符，最多 20 个 / the assessment period is too long: 21 characters, at most 20",
        ),
        (
            lambda s: repo.get_or_create_user("u" * 81, session=s),
            "用户名过长：81 个字符，最多 80 个 / the user name is too long: 81 characters, at most 80",
        ),
        (
            lambda s: repo.create_enterprise(session=s, name="示例\x00企业"),
            "企业名称不能包含空字符（NUL） / the enterprise name must not contain a NUL character",
        ),
        (
            lambda s: repo.create_factory(ids[0], "工厂\u202egpj.exe", "discrete", session=s),
            "工厂名称不能包含双向文本控制字符 U+202E / the factory name must not contain the bidirectional control character U+202E",
        ),
        (
            lambda s: repo.create_enterprise(session=s, name="示例𠮷科技有限公司"),
            FONT_REFUSAL.format(zh="企业名称", en="enterprise name", ch="𠮷", cp="20BB7"),
        ),
        (
            lambda s: repo.update_enterprise(s.get(Enterprise, ids[0]), session=s, name="示例😀科技"),
            FONT_REFUSAL.format(zh="企业名称", en="enterprise name", ch="😀", cp="1F600"),
        ),
        (
            lambda s: repo.create_factory(ids[0], "一号工厂", "discrete", session=s, address="天津市𠮷路1号"),
            FONT_REFUSAL.format(zh="地址", en="address", ch="𠮷", cp="20BB7"),
        ),
        (
            lambda s: repo.create_assessment(ids[1], session=s, title="评估\u200b标题"),
            "评估标题不能包含不可见的格式控制字符 U+200B / the assessment title must not contain the invisible format character U+200B",
        ),
        (
            lambda s: repo.get_or_create_user("bob\x00", session=s),
            "用户名不能包含空字符（NUL） / the user name must not contain a NUL character",
        ),
        (
            lambda s: repo.add_tier_award(ids[1], "basic", 2024, session=s, certificate_no="证\x00"),
            "层级证书编号不能包含空字符（NUL） / the tier certificate number must not contain a NUL character",
        ),
    ]
    for call, message in refusals:
        with pytest.raises(ValueError) as exc:
            with Session.begin() as s:
                call(s)
        assert str(exc.value) == message
    with Session() as s:
        assert counts(s) == before


def test_answer_notes(Session):
    rid, rid2 = "gbt39116_2020:data:L1:01", "gbt39116_2020:data:L1:02"
    with Session.begin() as s:
        ent = repo.create_enterprise(session=s, name="企业")
        a = repo.create_assessment(repo.create_factory(ent.id, "工厂", "discrete", session=s).id, session=s)
        aid, v = a.id, a.version
    with Session.begin() as s:
        v = repo.save_answers(
            aid,
            {rid: {"grade": 1, "note": "说" * 2000}, rid2: {"grade": 0, "note": " 第一行\r\n第二行\t完 "}},
            session=s,
            expected_version=v,
        )
    for note, message in (
        ("说" * 2001, "备注过长：2001 个字符，最多 2000 个 / the note is too long: 2001 characters, at most 2000"),
        ("a\x00b", "备注不能包含空字符（NUL） / the note must not contain a NUL character"),
        ("\u2067x", "备注不能包含双向文本控制字符 U+2067 / the note must not contain the bidirectional control character U+2067"),
        ("第一行\n好😀", FONT_REFUSAL.format(zh="备注", en="note", ch="😀", cp="1F600")),
    ):
        with pytest.raises(ValueError) as exc:
            with Session.begin() as s:
                repo.save_answers(aid, {rid: {"grade": 0, "note": note}}, session=s, expected_version=v)
        assert str(exc.value) == message
    with Session() as s:
        got = repo.answers_of(repo.get_assessment(aid, session=s))
        assert got[rid].note == "说" * 2000 and got[rid].grade == "full"
        assert got[rid2].note == "第一行\n第二行\t完"


def test_tier_awards_and_revocation_reason(Session):
    with Session.begin() as s:
        ent = repo.create_enterprise(session=s, name="企业")
        fid = repo.create_factory(ent.id, "工厂", "discrete", session=s).id
    with Session() as s:
        before = counts(s)
    for tier, year, fragment in (
        ("platinum", 2025, "the tier must be one of basic, advanced, excellent, leading"),
        ("basic", 1999, "between 2024 and 2100"),
        ("basic", "2025", "between 2024 and 2100"),
        ("basic", True, "between 2024 and 2100"),
    ):
        with pytest.raises(ValueError, match=fragment):
            with Session.begin() as s:
                repo.add_tier_award(fid, tier, year, session=s)
    for reason, message in (
        ("  ", "撤销理由不能为空 / the revocation reason is required"),
        ("理由\x00", "撤销理由不能包含空字符（NUL） / the revocation reason must not contain a NUL character"),
        ("理由𠮷", FONT_REFUSAL.format(zh="撤销理由", en="revocation reason", ch="𠮷", cp="20BB7")),
        (
            "理" * 1001,
            "撤销理由过长：1001 个字符，最多 1000 个 / the revocation reason is too long: 1001 characters, at most 1000",
        ),
    ):
        with pytest.raises(ValueError) as exc:
            with Session.begin() as s:
                repo.revoke_certificate("SA-2026-000001", reason, session=s)
        assert str(exc.value) == message
    with Session() as s:
        assert counts(s) == before
