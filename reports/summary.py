"""推荐汇总表 (附件4 of 工信厅联通装函〔2023〕212号, seed 002): the recommender's ranked list of 优秀场景 and 示范工厂
applicants, within its quota.

Rules applied (seed 002 and its platform guide): an enterprise declares in one category only (示范工厂, which
includes 智慧供应链, or 优秀场景), so it has one row, listing its scenario instances; only eligible applicants are
listed; each part is ranked (here by the self-assessed score S, highest first) and cut to the quota computed from the
recommender's region facts. Everyone left out is on the second sheet with the reason in words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .usertext import text_cell

TITLE = "智能制造试点示范项目推荐汇总表"
SCENARIOS, FACTORIES = "scenario", "factory"
PART_TITLE = {SCENARIOS: "1. 智能制造优秀场景", FACTORIES: "2. 智能制造示范工厂"}
HEAD: dict[str, list[str | None]] = {
    SCENARIOS: ["序号", "申报企业名称", "申报智能制造典型场景实例（罗列）", None, "联系人", "联系方式（手机号）"],
    FACTORIES: ["序号", "揭榜单位名称", "示范工厂名称", "涉及典型场景实例（罗列）", "联系人", "联系方式（手机号）"],
}
NOTE = {
    SCENARIOS: "注：1.推荐智能制造优秀场景排名有先后；2.推荐数量不能超过规定的上限。",
    FACTORIES: "注：1.推荐智能制造示范工厂排名有先后；2.推荐数量不能超过规定的上限。",
}
CATEGORY_ZH = {SCENARIOS: "智能制造优秀场景", FACTORIES: "智能制造示范工厂"}
WIDTHS = [7, 30, 26, 44, 12, 18]
LINE = 17  # points per printed line of 11-point CJK text (with the fonts' line gap)
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Applicant:
    enterprise_id: int
    enterprise: str
    factory: str
    assessment_id: int
    instances: list[str]  # "环节—场景—实例" in the form's catalogue
    score: float
    score_text: str
    level: str
    tier: str
    factory_eligible: bool
    factory_reasons: list[str]
    scenario_eligible: bool
    scenario_reasons: list[str]
    supply_chain: bool = False  # also eligible for 智慧供应链


@dataclass
class SummaryPlan:
    year: int
    recommender: str
    quota: dict[str, int]  # category -> how many may be recommended
    quota_note: str
    listed: dict[str, list[Applicant]] = field(default_factory=lambda: {SCENARIOS: [], FACTORIES: []})
    left_out: list[tuple[Applicant, str]] = field(default_factory=list)


def _rank_key(a: Applicant):
    return (-a.score, a.enterprise, a.factory, a.assessment_id)


def plan(applicants: list[Applicant], *, year: int, recommender: str, quota: dict[str, int], quota_note: str) -> SummaryPlan:
    """Place each enterprise in one category, rank each category and cut it to its quota."""
    out = SummaryPlan(year=year, recommender=recommender, quota=quota, quota_note=quota_note)
    by_enterprise: dict[int, list[Applicant]] = {}
    for a in applicants:
        by_enterprise.setdefault(a.enterprise_id, []).append(a)
    candidates: dict[str, list[Applicant]] = {SCENARIOS: [], FACTORIES: []}
    for group in by_enterprise.values():
        # the enterprise's strongest application: 示范工厂 before 优秀场景, then the highest score
        group.sort(key=lambda a: (not a.factory_eligible, not a.scenario_eligible, *_rank_key(a)))
        best, rest = group[0], group[1:]
        if best.factory_eligible:
            candidates[FACTORIES].append(best)
        elif best.scenario_eligible:
            candidates[SCENARIOS].append(best)
        else:
            out.left_out.append(
                (
                    best,
                    "不满足申报条件。示范工厂："
                    + "；".join(best.factory_reasons)
                    + "。优秀场景："
                    + "；".join(best.scenario_reasons),
                )
            )
        for other in rest:
            if other.factory_eligible or other.scenario_eligible:
                why = f"同一企业只推荐一个项目（已按得分选取「{best.factory}」）"
            else:
                why = (
                    "不满足申报条件。示范工厂："
                    + "；".join(other.factory_reasons)
                    + "。优秀场景："
                    + "；".join(other.scenario_reasons)
                )
            out.left_out.append((other, why))
    for cat, items in candidates.items():
        items.sort(key=_rank_key)
        limit = quota[cat]
        out.listed[cat] = items[:limit]
        for rank, a in enumerate(items[limit:], limit + 1):
            out.left_out.append((a, f"超出推荐名额：{CATEGORY_ZH[cat]}名额 {limit} 个，按得分排第 {rank} 位"))
    return out


def _instances_text(instances: list[str]) -> str:
    return "\n".join(f"{i}. {x}" for i, x in enumerate(instances, 1))


def _lines(text: str, width_chars: float) -> int:
    """Printed lines of ``text`` in a column ``width_chars`` wide (CJK characters count double)."""
    n = 0
    for line in (text or "").split("\n"):
        units = sum(2 if ord(ch) >= 0x2000 else 1 for ch in line)
        n += max(1, -(-units // max(int(width_chars) - 1, 1)))
    return n


def _style_row(ws, row: int, *, bold: bool = False, box: bool = True, fill: str | None = None) -> None:
    for col in range(1, len(WIDTHS) + 1):
        c = ws.cell(row, col)
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center" if col == 1 else "left")
        if bold:
            c.font = Font(bold=True)
        if box:
            c.border = BOX
        if fill:
            c.fill = PatternFill("solid", fgColor=fill)


def _part(ws, row: int, cat: str, items: list[Applicant]) -> int:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    text_cell(ws.cell(row, 1), PART_TITLE[cat])
    ws.cell(row, 1).font = Font(bold=True, size=12)
    row += 1
    for col, h in enumerate(HEAD[cat], 1):
        if h is not None:
            text_cell(ws.cell(row, col), h)
    if cat == SCENARIOS:
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    _style_row(ws, row, bold=True, fill="EEF3FA")
    ws.row_dimensions[row].height = 30
    for i, a in enumerate(items, 1):
        row += 1
        listing = _instances_text(a.instances)
        text_cell(ws.cell(row, 1), i)
        text_cell(ws.cell(row, 2), a.enterprise)
        if cat == SCENARIOS:
            text_cell(ws.cell(row, 3), listing)
            ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
            lines = _lines(listing, WIDTHS[2] + WIDTHS[3])
        else:
            text_cell(ws.cell(row, 3), a.factory)
            text_cell(ws.cell(row, 4), listing)
            lines = max(_lines(listing, WIDTHS[3]), _lines(a.factory, WIDTHS[2]))
        lines = max(lines, _lines(a.enterprise, WIDTHS[1]))
        _style_row(ws, row)
        ws.row_dimensions[row].height = max(20, LINE * lines + 6)
    if not items:
        row += 1
        text_cell(ws.cell(row, 2), "（无）")
        if cat == SCENARIOS:
            ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
        _style_row(ws, row)
    row += 1
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    text_cell(ws.cell(row, 1), NOTE[cat])
    return row + 2


def summary_xlsx(p: SummaryPlan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "推荐汇总表"
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(WIDTHS))
    text_cell(ws["A1"], TITLE)
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(WIDTHS))
    text_cell(ws["A2"], "推荐单位（盖章）：" + (p.recommender or ""))
    ws.row_dimensions[2].height = 22
    row = _part(ws, 4, SCENARIOS, p.listed[SCENARIOS])
    last = _part(ws, row, FACTORIES, p.listed[FACTORIES]) - 2
    ws.print_area = f"A1:{get_column_letter(len(WIDTHS))}{last}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6

    out = wb.create_sheet("未列入推荐")
    head = ["申报企业名称", "工厂名称", "原因"]
    for col, (h, w) in enumerate(zip(head, (30, 24, 90)), 1):
        text_cell(out.cell(1, col), h)
        out.cell(1, col).font = Font(bold=True)
        out.column_dimensions[get_column_letter(col)].width = w
    for r, (a, why) in enumerate(p.left_out, 2):
        for col, v in enumerate((a.enterprise, a.factory, why), 1):
            text_cell(out.cell(r, col), v)
            out.cell(r, col).alignment = Alignment(wrap_text=True, vertical="top")
        out.row_dimensions[r].height = LINE * max(_lines(a.enterprise, 30), _lines(a.factory, 24), _lines(why, 90)) + 4
    out.freeze_panes = "A2"
    _landscape(out)

    basis = wb.create_sheet("排序依据")
    head = [
        "类别",
        "排序",
        "申报企业名称",
        "工厂名称",
        "成熟度等级（自评估）",
        "得分 S",
        "智能工厂层级",
        "同时符合智慧供应链条件",
    ]
    for col, (h, w) in enumerate(zip(head, (18, 6, 30, 24, 16, 9, 14, 14)), 1):
        text_cell(basis.cell(1, col), h)
        basis.cell(1, col).font = Font(bold=True)
        basis.column_dimensions[get_column_letter(col)].width = w
    r = 1
    for cat in (SCENARIOS, FACTORIES):
        for i, a in enumerate(p.listed[cat], 1):
            r += 1
            for col, value in enumerate(
                (CATEGORY_ZH[cat], i, a.enterprise, a.factory, a.level, a.score_text, a.tier, "是" if a.supply_chain else "否"), 1
            ):
                text_cell(basis.cell(r, col), value)
    r += 2
    text_cell(basis.cell(r, 1), f"推荐名额：优秀场景 {p.quota[SCENARIOS]} 个，示范工厂 {p.quota[FACTORIES]} 个（{p.quota_note}）")
    text_cell(
        basis.cell(r + 1, 1), "排序依据：自评估得分 S 从高到低（同分按企业名称）；得分为本工具的自评估结果，仅供推荐单位参考。"
    )
    _landscape(basis)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _landscape(ws) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
