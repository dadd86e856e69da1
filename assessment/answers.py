"""Self-assessment answers: the input of the maturity engine.

An answers file is YAML or JSON::

    edition: maturity/2020
    industry: discrete            # discrete | process
    answers:
      gbt39116_2020:data:L1:01: 1     # 1 | 0.8 | 0.5 | 0 | na  (or full | largely | partial | none)
      gbt39116_2020:data:L1:02: na
      gbt39116_2020:data:L2:01: null  # not assessed yet (counts 0, result incomplete)

Every problem is raised as :class:`AnswersError` with a one-line message naming it, in Chinese and in English
("中文 / English", as the store's refusals read; ``.zh`` and ``.en`` hold each half).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

from .editions import DEFAULT_ROOT, load_maturity_cached, load_registry
from .inputs import NA, Answers
from .loader import CriteriaError, YamlError, parse_document, read_document
from .schema import MaturityEdition


class AnswersError(ValueError):
    """A bad answers file or value; the message is one line that names the problem.

    Made by :func:`problem`, it reads "中文 / English" and carries the two halves as ``parts`` (so a value quoted in
    the message cannot split it in the wrong place); ``.zh`` and ``.en`` are the halves, or the whole message."""

    parts: tuple[str, str] | None = None

    @property
    def zh(self) -> str:
        return self.parts[0] if self.parts else str(self)

    @property
    def en(self) -> str:
        return self.parts[1] if self.parts else str(self)


def problem(zh: str, en: str, cls: type[AnswersError] = AnswersError) -> AnswersError:
    """An :class:`AnswersError` (or ``cls``) saying ``zh`` and ``en``."""
    exc = cls(f"{zh} / {en}")
    exc.parts = (zh, en)
    return exc


def _at(source: str, exc: AnswersError) -> AnswersError:
    """``exc`` prefixed with where it was found."""
    return problem(f"{source}：{exc.zh}", f"{source}: {exc.en}")


_PLAIN_DECIMAL = re.compile(r"[+-]?\d{1,6}(\.\d{1,6})?")


def normalise_grade(value: Any, edition: MaturityEdition, req_id: str = "") -> str | None:
    """Map 1 / 0.8 / "0.5" / "full" / "na" / None to a grade id, "na" or None (not assessed)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    by_id = {g.id: g for g in edition.scoring.grades}
    allowed = ", ".join([_fmt(g.value) for g in edition.scoring.grades] + [NA])
    allowed_zh = "、".join([_fmt(g.value) for g in edition.scoring.grades] + [NA])

    def refused(shown: str) -> AnswersError:
        return problem(
            f"等级 {shown}{f'（{req_id}）' if req_id else ''}不是 {allowed_zh} 之一",
            f"grade {shown}{f' for {req_id!r}' if req_id else ''} is not one of {allowed}",
        )

    if isinstance(value, str):
        v = value.strip().lower()
        if v in (NA, "n/a"):
            return NA
        if v in by_id:
            return v
        if not _PLAIN_DECIMAL.fullmatch(v):  # never hand Fraction an exponent or a thousand digits ("1e999999999" hangs it)
            raise refused(repr(value[:40]))
        num = Fraction(v)
    elif isinstance(value, bool):
        raise refused(repr(value))
    elif isinstance(value, (int, float)):
        if not (-1e6 < value < 1e6):  # also refuses inf and nan
            raise refused(str(value)[:40])
        num = Fraction(str(value))
    else:
        raise refused(repr(value)[:60])
    for g in edition.scoring.grades:
        if g.value == num:
            return g.id
    raise refused(_fmt(num))


def _fmt(x: Fraction) -> str:
    return f"{float(x):g}"


def _edition_problem(source: str, edition_id: str, exc: KeyError, root: Path) -> AnswersError:
    reg = load_registry(root)
    if edition_id in reg:
        zh = f"{edition_id!r} 是 {reg[edition_id].kind} 版本，不是成熟度标准版本"
    else:
        known = "、".join(k for k, v in reg.items() if v.kind == "maturity")
        zh = f"未知的标准版本 {edition_id[:60]!r}（成熟度标准版本：{known}）"
    return _at(source, problem(zh, str(exc.args[0])))


def _industry_zh(it: str, edition: MaturityEdition) -> str:
    """制造类型 in words from the edition's own names (离散型制造（'discrete'））."""
    names = {getattr(k, "value", k): v.name_zh for k, v in edition.model.industry_types.items()}
    return f"{names.get(it, it)}（'{it}'）"


def parse_answers(data: Any, *, root: Path = DEFAULT_ROOT, source: str = "answers") -> tuple[Answers, MaturityEdition]:
    def fail(zh: str, en: str) -> AnswersError:
        return _at(source, problem(zh, en))

    if not isinstance(data, dict):
        raise fail(
            "应为包含 'edition'、'industry' 和 'answers' 字段的映射", "expected a mapping with edition, industry and answers"
        )
    unknown = set(data) - {"edition", "industry", "answers", "meta"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise fail(
            f"未知字段 {key!r}（允许：'edition'、'industry'、'answers'、'meta'）",
            f"unknown field {key!r} (allowed: edition, industry, answers, meta)",
        )
    for key in ("edition", "industry", "answers"):
        if key not in data:
            raise fail(f"缺少字段 {key!r}", f"missing field {key!r}")
    edition_id = data["edition"]
    if not isinstance(edition_id, str):
        raise fail("字段 'edition' 须为文本，例如 'maturity/2020'", "field 'edition' must be a string such as 'maturity/2020'")
    try:
        edition = load_maturity_cached(edition_id, root)
    except KeyError as exc:
        raise _edition_problem(source, edition_id, exc, root) from None
    except CriteriaError as exc:
        raise fail(
            f"{edition_id} 的标准数据无效：{exc.problems[0]}", f"the criteria of {edition_id} are invalid: {exc.problems[0]}"
        ) from None
    industry = data["industry"]
    if industry not in edition.industry_types():
        raise fail(
            f"行业类型 {str(industry)[:40]!r} 应为{'或'.join(_industry_zh(t, edition) for t in edition.industry_types())}",
            f"industry {str(industry)[:40]!r} is not one of {', '.join(edition.industry_types())}",
        )
    raw = data["answers"] or {}
    if not isinstance(raw, dict):
        raise fail("字段 'answers' 须为“要求编号: 等级”的映射", "field 'answers' must be a mapping of requirement id to grade")
    known = edition.requirement_map
    applicable = {r.id for r in edition.applicable_requirements(industry)}
    grades: dict[str, str] = {}
    for rid, value in raw.items():
        rid = str(rid)
        if rid not in known:
            raise fail(f"未知的要求编号 {rid[:80]!r}（{edition_id}）", f"unknown requirement id {rid[:80]!r} for {edition_id}")
        if rid not in applicable:
            raise fail(
                f"要求 {rid!r} 不适用于 {edition_id} 的 {industry} 行业",
                f"requirement {rid!r} does not apply to {industry} industries in {edition_id}",
            )
        try:
            g = normalise_grade(value, edition, rid)
        except AnswersError as exc:
            raise _at(source, exc) from None
        if g is not None:
            grades[rid] = g
    return Answers(edition=edition_id, industry=industry, grades=grades), edition


_WHERE = re.compile(r"^(?P<name>.*?): (?P<kind>YAML|JSON) error(?: at line (?P<line>\d+), column (?P<col>\d+))?: (?P<what>.*)$")
_OTHER = (
    (re.compile(r"^(?P<name>.*?): larger than (?P<n>\d+) MB$"), "文件超过 {n} MB"),
    (re.compile(r"^(?P<name>.*?): not UTF-8 text \(byte (?P<n>\d+)\)$"), "不是 UTF-8 编码的文本（第 {n} 字节）"),
    (re.compile(r"^(?P<name>.*?): no such file$"), "文件不存在"),
    (re.compile(r"^(?P<name>.*?): is a directory$"), "是一个文件夹，不是文件"),
    (re.compile(r"^(?P<name>.*?): not a regular file$"), "不是普通文件"),
    (re.compile(r"^(?P<name>.*?): cannot read file: .*$"), "无法读取文件"),
)
_DUPLICATE = re.compile(r"^duplicate key (?P<key>.*) \(first at line (?P<line>\d+)\)$")


def file_problem(exc: YamlError) -> AnswersError:
    """A file or syntax problem (the loader's one English line) in both languages; the parser's own detail stays
    as it is, after a Chinese sentence that says what and where."""
    en = str(exc)
    m = _WHERE.match(en)
    if m:
        what, place = m["what"], (f"第 {m['line']} 行第 {m['col']} 列" if m["line"] else "")
        dup = _DUPLICATE.match(what)
        if dup:
            detail = f"键 {dup['key']} 重复（首次出现在第 {dup['line']} 行）"
        elif what == "nested too deeply":
            detail = "嵌套过深"
        elif place:  # the parser's own words are English: the place says enough
            detail = "格式错误，请检查此处的缩进、冒号、引号和括号"
        else:
            detail = f"格式错误：{what}"
        return problem(f"{m['name']}：不是有效的 {m['kind']}（{place}{'，' if place else ''}{detail}）", en)
    for pattern, zh in _OTHER:
        m = pattern.match(en)
        if m:
            return problem(f"{m['name']}：" + zh.format(**m.groupdict()), en)
    return problem(f"文件无法读取：{en}", en)


def read_answers_file(path: Path, *, root: Path = DEFAULT_ROOT) -> tuple[Answers, MaturityEdition]:
    try:
        data = read_document(path)
    except YamlError as exc:
        raise file_problem(exc) from None
    return parse_answers(data, root=root, source=str(path))


def parse_text(text: str, name: str) -> Any:
    try:
        return parse_document(text, name)
    except YamlError as exc:
        raise file_problem(exc) from None


def template(edition: MaturityEdition, industry: str) -> dict:
    """A blank answers document listing every applicable requirement (all not assessed)."""
    return {
        "edition": edition.id,
        "industry": industry,
        "answers": {r.id: None for r in edition.applicable_requirements(industry)},
    }
