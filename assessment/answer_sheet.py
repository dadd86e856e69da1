"""The questionnaire as a spreadsheet: one row per requirement, filled in by departments and read back.

Columns: 编号 ID · 能力要素 · 能力域 · 能力子域 · 级别 · 要求 · 证据 · 等级 Grade (a drop-down) · 说明 · 不适用理由.
The edition and the industry type are written on the first two rows, so a file always says what it answers.
Reading is strict and row-numbered: a grade that is not one of the drop-down's values, an id that is not in the
edition or does not apply, a duplicated row, all come back as ``(row, message)`` refusals; nothing is guessed.
Every string written is text (a note starting with ``=`` stays a note, never a formula).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .answers import NA, Answers, AnswersError, file_problem, normalise_grade, problem, read_answers_file
from .editions import MaturityEdition, load_maturity_cached
from .loader import YamlError, read_input_bytes

SHEET = "问卷 Questionnaire"
HEADERS = (
    "编号 ID",
    "能力要素 Element",
    "能力域 Domain",
    "能力子域 Sub-domain",
    "级别 Level",
    "要求 Requirement",
    "证据 Evidence",
    "等级 Grade",
    "说明 Note",
    "不适用理由 N/A reason",
)
COL = {h.split()[1].lower().replace("n/a", "na"): i for i, h in enumerate(HEADERS)}  # id, element, …, grade, note, na
GRADE_LABELS = {"full": "1 全部满足", "largely": "0.8 大部分满足", "partial": "0.5 部分满足", "none": "0 不满足", NA: "不适用"}
HEADER_ROW = 4  # rows 1–2: edition and industry; row 3: how to fill in
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_TEXT = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class SheetError(AnswersError):
    """The file is not a questionnaire sheet at all (one line); row problems are returned, not raised."""


@dataclass(frozen=True)
class SheetAnswers:
    edition: str
    industry: str
    rows: dict[str, tuple[str | None, str | None]]  # requirement id -> (grade id | "na" | None, note | None)
    row_of: dict[str, int]  # requirement id -> spreadsheet row number
    problems: list[tuple[int, str]]  # (row number, message)

    @property
    def grades(self) -> dict[str, str]:
        return {rid: g for rid, (g, _) in self.rows.items() if g is not None}


def text_cell(cell, value: str | int | None) -> None:
    """Write user text as text: never a formula, whatever it starts with."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"


def write_sheet(
    edition: MaturityEdition,
    industry: str,
    answers: dict[str, tuple[str | None, str | None]] | None = None,
    *,
    title: str | None = None,
) -> bytes:
    """The questionnaire of ``edition`` for ``industry``, with ``answers`` ({id: (grade, note)}) filled in."""
    from openpyxl import Workbook  # openpyxl (which imports numpy) only when a sheet is written or read: CLI start-up stays fast
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    answers = answers or {}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"], ws["B1"] = "标准版本 Edition", edition.id
    ws["A2"], ws["B2"] = "行业类型 Industry", industry
    if title:
        ws["D1"] = "评估 Assessment"
        text_cell(ws["E1"], title)
    ws["A3"] = (
        "在「等级 Grade」列选择：1 全部满足 / 0.8 大部分满足 / 0.5 部分满足 / 0 不满足 / 不适用；留空为未评。不适用时请在最后一列写明理由。"
        " Choose a grade from the drop-down; leave it empty for not assessed; give a reason for N/A."
    )
    ws["A3"].font = Font(italic=True, color="555555")
    for i, h in enumerate(HEADERS, 1):
        c = ws.cell(HEADER_ROW, i, h)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F5FA8")
        c.alignment = Alignment(vertical="center", wrap_text=True)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(GRADE_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="等级 Grade",
        error="请从下拉列表中选择 / choose a value from the list",
    )
    ws.add_data_validation(dv)
    row = HEADER_ROW
    for r in edition.applicable_requirements(industry):
        row += 1
        sd = edition.subdomains[edition.req_subdomain[r.id]]
        dom = edition.domains[sd.domain]
        el = edition.elements[dom.element] if dom.element else None
        grade, note = answers.get(r.id, (None, None))
        values: list[str | int | None] = [
            r.id,
            el.name_zh if el else "",
            dom.name_zh,
            sd.name_zh,
            r.level,
            r.text_zh,
            "；".join(r.evidence_zh),
            GRADE_LABELS.get(grade) if grade else None,
            None if grade == NA else note,
            note if grade == NA else None,
        ]
        for col, value in enumerate(values, 1):
            text_cell(ws.cell(row, col), value)
        dv.add(ws.cell(row, COL["grade"] + 1))
        for col in (COL["grade"], COL["note"], COL["na"]):
            ws.cell(row, col + 1).protection = Protection(locked=False)
    for letter, width in zip("ABCDEFGHIJ", (34, 8, 12, 12, 6, 60, 36, 16, 30, 24)):
        ws.column_dimensions[letter].width = width
    for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=row):
        for c in (r[COL["requirement"]], r[COL["evidence"]]):
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:J{row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _said(text: str, n: int = 80) -> str:
    """User text quoted in a "中文 / English" row message: cut, and a " / " in it cannot be taken for the separator
    (the space after its slash becomes a no-break space, which looks the same)."""
    return text[:n].replace(" / ", " /\u00a0")


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _grade(value, edition: MaturityEdition, rid: str) -> str | None:
    text = _cell_text(value)
    if text is None:
        return None
    for gid, label in GRADE_LABELS.items():
        if text == label or text == label.split()[-1]:  # "0.8 大部分满足" or "大部分满足"
            return gid
    return normalise_grade(text, edition, rid)  # 1 / 0.8 / full / na …


def read_sheet(data: bytes, *, editions) -> SheetAnswers:
    """Read a questionnaire sheet. ``editions(edition_id)`` returns the MaturityEdition (or raises KeyError)."""
    from openpyxl import load_workbook  # see write_sheet

    if len(data) > MAX_BYTES:
        raise problem(
            f"文件超过 {MAX_BYTES // 1024 // 1024} MB", f"the file is larger than {MAX_BYTES // 1024 // 1024} MB", SheetError
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > 20 * MAX_BYTES:
                raise problem("文件解压后过大", "the file unpacks to too much data", SheetError)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise problem("不是 Excel 工作簿（.xlsx）", f"not an Excel workbook (.xlsx): {type(exc).__name__}", SheetError) from None
    try:
        if SHEET not in wb.sheetnames:
            raise problem(
                f"找不到工作表「{SHEET}」，请使用本工具下载的问卷",
                f"no sheet named '{SHEET}': use the questionnaire this tool writes",
                SheetError,
            )
        ws = wb[SHEET]
        head = [
            [_cell_text(v) for v in row]
            for row in ws.iter_rows(min_row=1, max_row=HEADER_ROW, max_col=len(HEADERS), values_only=True)
        ]
        edition_id, industry = (head[0][1] if len(head) > 0 else None), (head[1][1] if len(head) > 1 else None)
        if head[HEADER_ROW - 1][: len(HEADERS)] != list(HEADERS):
            raise problem(
                f"第 {HEADER_ROW} 行的列标题与问卷不一致",
                f"row {HEADER_ROW}: the column headings are not the questionnaire's",
                SheetError,
            )
        try:
            edition = editions(edition_id or "")
        except KeyError:
            raise problem(
                f"第 1 行：未知的标准版本 {str(edition_id)[:40]!r}",
                f"row 1: unknown edition {str(edition_id)[:40]!r}",
                SheetError,
            ) from None
        if industry is None or industry not in edition.industry_types():
            raise problem(
                f"第 2 行：行业类型须为 {'、'.join(edition.industry_types())} 之一",
                f"row 2: industry must be one of {', '.join(edition.industry_types())}",
                SheetError,
            )
        applicable = {r.id for r in edition.applicable_requirements(industry)}
        rows: dict[str, tuple[str | None, str | None]] = {}
        row_of: dict[str, int] = {}
        problems: list[tuple[int, str]] = []
        for n, values in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(HEADERS), values_only=True), HEADER_ROW + 1):
            if n > HEADER_ROW + MAX_ROWS:
                raise problem(f"行数超过 {MAX_ROWS}", f"more than {MAX_ROWS} rows", SheetError)
            values = list(values) + [None] * (len(HEADERS) - len(values))
            rid = _cell_text(values[COL["id"]])
            if rid is None:
                if any(_cell_text(v) for v in (values[COL["grade"]], values[COL["note"]], values[COL["na"]])):
                    problems.append((n, "缺少编号 / the id is missing"))
                continue
            if rid not in edition.requirement_map:
                problems.append((n, f"编号 {_said(rid, 60)} 不在 {edition.id} 中 / id {_said(rid, 60)} is not in {edition.id}"))
                continue
            if rid not in applicable:
                problems.append((n, f"{rid} 不适用于 {industry} 行业 / {rid} does not apply to {industry}"))
                continue
            if rid in rows:
                problems.append((n, f"{rid} 与第 {row_of[rid]} 行重复 / {rid} repeats row {row_of[rid]}"))
                continue
            try:
                grade = _grade(values[COL["grade"]], edition, rid)
            except AnswersError:
                problems.append(
                    (
                        n,
                        f"等级 {_said(repr(str(values[COL['grade']])[:30]))} 不在下拉列表中 / grade "
                        f"{_said(repr(str(values[COL['grade']])[:30]))} is not one of the drop-down's values",
                    )
                )
                continue
            note, reason = _cell_text(values[COL["note"]]), _cell_text(values[COL["na"]])
            if any(x is not None and len(x) > MAX_TEXT for x in (note, reason)):
                problems.append((n, f"说明超过 {MAX_TEXT} 字 / the note is longer than {MAX_TEXT} characters"))
                continue
            rows[rid] = (grade, (reason or note) if grade == NA else note)
            row_of[rid] = n
        return SheetAnswers(edition.id, industry, rows, row_of, problems)
    finally:
        wb.close()


def read_answers_path(path, *, root) -> tuple[Answers, MaturityEdition]:
    """An answers file of any kind the CLI takes: the questionnaire sheet (.xlsx), or YAML / JSON."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        return read_answers_file(path, root=root)
    try:
        data = read_input_bytes(path, MAX_BYTES)
    except YamlError as exc:
        raise file_problem(exc) from None
    sheet = read_sheet(data, editions=lambda e: load_maturity_cached(e, root))
    if sheet.problems:
        row, text = sheet.problems[0]
        zh, _, en = text.partition(" / ")
        n = len(sheet.problems) - 1
        raise problem(
            f"{path}：第 {row} 行：{zh}" + (f"（另有 {n} 行有问题）" if n else ""),
            f"{path}: row {row}: {en}" + (f" (+{n} more)" if n else ""),
        )
    return Answers(edition=sheet.edition, industry=sheet.industry, grades=sheet.grades), load_maturity_cached(sheet.edition, root)
