"""The expert review sheet of a maturity edition: every requirement with its texts, evidence hints and sources, and
a verdict (通过 approve / 修改 change / 否决 reject) and a comment to fill in (issue 10).

Rows 1–3 name the edition, the reviewer and the review date; row 4 says how to fill in; row 5 holds the headings.
Reading is strict and row-numbered, like the questionnaire sheet: an id that is not in the edition (or belongs to
another edition), a verdict that is not one of the drop-down's values, a repeated row, a comment without a verdict
or a change / reject without a comment all come back as ``(row, message)`` refusals; nothing is guessed. Every string
written is text (:func:`usertext.text_cell`): a comment starting with ``=`` stays a comment.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from assessment import labels
from assessment.editions import MaturityEdition
from assessment.review import VERDICT_LABELS, ReviewError, verdict
from assessment.schema import ReviewStatus
from assessment.store.text import check_text

from .usertext import text_cell

SHEET = "专家审核 Expert review"
HEADERS = (
    "编号 ID",
    "能力要素 Element",
    "能力域 Domain",
    "能力子域 Sub-domain",
    "级别 Level",
    "要求（中文）Requirement (zh)",
    "要求（英文）Requirement (en)",
    "适用行业 Industry types",
    "证据（中文）Evidence (zh)",
    "证据（英文）Evidence (en)",
    "来源类型 Provenance",
    "来源依据 Source",
    "当前审核 Current review",
    "结论 Verdict",
    "意见 Comment",
)
VERDICT_COL, COMMENT_COL = 13, 14  # 0-based
HEADER_ROW = 5
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
COMMENT_MAX = 2000


@dataclass(frozen=True)
class ReviewSheet:
    edition: str
    reviewer: str | None
    date: dt.date | None
    rows: dict[str, tuple[ReviewStatus, str | None]]  # requirement id -> (status, comment)
    row_of: dict[str, int]
    problems: list[tuple[int, str]]  # (row number, message)


def _names(o) -> str:
    return f"{o.name_zh} {o.name_en}" if o else ""


def _current(r) -> str:
    if r.review is None:
        return labels.review_status(None, "zh") + " / " + labels.review_status(None, "en")
    v = r.review
    return (
        f"{labels.review_status(v.status.value, 'zh')} / {labels.review_status(v.status.value, 'en')}: {v.by}, "
        f"{v.date.isoformat()}" + (f" — {v.comment}" if v.comment else "")
    )


def write_review_sheet(ed: MaturityEdition) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    reqs = [r for r in ed.requirements if not r.withdrawn]
    for cell, value in (
        ("A1", "标准版本 Edition"),
        ("B1", ed.id),
        ("C1", f"{labels.edition_title(ed.id, 'zh')} · {len(reqs)} 条 requirements"),
        ("A2", "审核人 Reviewer"),
        ("A3", "审核日期 Date"),
        ("C3", "YYYY-MM-DD"),
    ):
        text_cell(ws[cell], value)
    for cell in ("B2", "B3"):
        ws[cell].fill = PatternFill("solid", fgColor="FFF7D6")
        ws[cell].number_format = "@"
    text_cell(
        ws["A4"],
        "请在「结论 Verdict」列选择 通过 / 修改 / 否决；选「修改」或「否决」时须在「意见 Comment」列写明理由；留空为未审。"
        "请在第 2、3 行填写审核人和日期。 Choose approve / change / reject in the Verdict column; a change or a reject "
        "needs a comment; leave it empty for not reviewed. Fill in the reviewer and the date on rows 2 and 3.",
    )
    ws["A4"].font = Font(italic=True, color="555555")
    for i, h in enumerate(HEADERS, 1):
        c = ws.cell(HEADER_ROW, i)
        text_cell(c, h)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F5FA8")
        c.alignment = Alignment(vertical="center", wrap_text=True)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(VERDICT_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="结论 Verdict",
        error="请从下拉列表中选择 / choose a value from the list",
    )
    ws.add_data_validation(dv)
    row = HEADER_ROW
    for r in reqs:
        row += 1
        sd = ed.subdomains[ed.req_subdomain[r.id]]
        dom = ed.domains[sd.domain]
        el = ed.elements[dom.element] if dom.element else None
        values = [
            r.id,
            _names(el),
            _names(dom),
            _names(sd),
            r.level,
            r.text_zh,
            r.text_en,
            ", ".join(t.value for t in ed.req_industries(r)),
            "；".join(r.evidence_zh),
            "; ".join(r.evidence_en),
            f"{labels.provenance(r.provenance.kind.value, 'zh')} {r.provenance.kind.value}",
            r.provenance.ref,
            _current(r),
            None,
            None,
        ]
        for col, item in enumerate(values, 1):
            text_cell(ws.cell(row, col), item)
        dv.add(ws.cell(row, VERDICT_COL + 1))
        ws.cell(row, COMMENT_COL + 1).number_format = "@"  # what the expert types stays text (=… is not a formula)
    widths = (34, 14, 16, 16, 6, 50, 50, 14, 30, 30, 14, 36, 24, 14, 40)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w
    for cells in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=row):
        for c in cells[5:10]:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{chr(64 + len(HEADERS))}{row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    t = str(value).strip()
    return t or None


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReviewError(f"第 3 行：审核日期 {str(value)[:30]!r} 不是 YYYY-MM-DD / row 3: the date is not YYYY-MM-DD") from None


def read_review_sheet(data: bytes, ed: MaturityEdition, prefixes: dict[str, str]) -> ReviewSheet:
    """Read a filled-in review sheet for ``ed``; ``prefixes`` maps every maturity edition's id prefix to its id (to
    name the edition an id from another edition belongs to). Raises ReviewError when the file is not such a sheet."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise ReviewError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB / the file is larger than {MAX_BYTES // 1024 // 1024} MB")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > 20 * MAX_BYTES:
                raise ReviewError("文件解压后过大 / the file unpacks to too much data")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ReviewError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ReviewError(f"不是 Excel 工作簿（.xlsx）/ not an Excel workbook (.xlsx): {type(exc).__name__}") from None
    try:
        if SHEET not in wb.sheetnames:
            raise ReviewError(f"找不到工作表「{SHEET}」，请使用本工具导出的审核表 / no sheet named '{SHEET}'")
        ws = wb[SHEET]
        head = [list(row) for row in ws.iter_rows(min_row=1, max_row=HEADER_ROW, max_col=len(HEADERS), values_only=True)]
        head += [[None] * len(HEADERS)] * (HEADER_ROW - len(head))
        if [_text(v) for v in head[HEADER_ROW - 1]] != list(HEADERS):
            raise ReviewError(
                f"第 {HEADER_ROW} 行的列标题与审核表不一致 / row {HEADER_ROW}: the headings are not the review sheet's"
            )
        if _text(head[0][1]) != ed.id:
            raise ReviewError(
                f"第 1 行：此表属于 {str(_text(head[0][1]))[:40]}，不是 {ed.id} / row 1: the sheet is for "
                f"{str(_text(head[0][1]))[:40]}, not {ed.id}"
            )
        try:
            reviewer = check_text(_text(head[1][1]), field=("审核人", "reviewer"), max_len=80)
        except ValueError as exc:
            raise ReviewError(f"第 2 行 / row 2: {exc}") from None
        when = _date(head[2][1])
        live = {r.id for r in ed.requirements if not r.withdrawn}
        rows: dict[str, tuple[ReviewStatus, str | None]] = {}
        row_of: dict[str, int] = {}
        problems: list[tuple[int, str]] = []
        seen: dict[str, int] = {}
        for n, values in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(HEADERS), values_only=True), HEADER_ROW + 1):
            if n > HEADER_ROW + MAX_ROWS:
                raise ReviewError(f"行数超过 {MAX_ROWS} / more than {MAX_ROWS} rows")
            values = list(values) + [None] * (len(HEADERS) - len(values))
            rid, raw_verdict, raw_comment = _text(values[0]), _text(values[VERDICT_COL]), _text(values[COMMENT_COL])
            if rid is None:
                if raw_verdict or raw_comment:
                    problems.append((n, "缺少编号 / the id is missing"))
                continue
            if rid in seen:
                problems.append((n, f"{rid[:60]} 与第 {seen[rid]} 行重复 / {rid[:60]} repeats row {seen[rid]}"))
                continue
            seen[rid] = n
            if rid not in live:
                other = prefixes.get(rid.split(":", 1)[0])
                if other and other != ed.id:
                    problems.append((n, f"编号 {rid[:60]} 属于 {other}，不是 {ed.id} / id {rid[:60]} is of {other}, not {ed.id}"))
                else:
                    problems.append((n, f"编号 {rid[:60]} 不在 {ed.id} 中 / id {rid[:60]} is not in {ed.id}"))
                continue
            try:
                status = verdict(raw_verdict)
            except KeyError:
                assert raw_verdict is not None  # verdict() refuses only a text
                problems.append(
                    (
                        n,
                        f"结论 {raw_verdict[:30]!r} 不在下拉列表中 / verdict {raw_verdict[:30]!r} is not one of the drop-down's values",
                    )
                )
                continue
            try:
                comment = check_text(raw_comment, field=("意见", "comment"), max_len=COMMENT_MAX, multiline=True)
            except ValueError as exc:
                problems.append((n, str(exc)))
                continue
            if status is None:
                if comment:
                    problems.append((n, "有意见但未选结论 / a comment without a verdict"))
                continue
            if status != ReviewStatus.approved and not comment:
                problems.append((n, "选「修改」或「否决」时须写明意见 / a change or a reject needs a comment"))
                continue
            rows[rid] = (status, comment)
            row_of[rid] = n
        return ReviewSheet(ed.id, reviewer, when, rows, row_of, problems)
    finally:
        wb.close()
