"""The Excel workbook of an assessment. Every user string is written as text (:func:`usertext.text_cell`).

The 申报书 draft is in :mod:`reports.declaration`, the 推荐汇总表 in :mod:`reports.summary`."""

from __future__ import annotations

import io
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from .render import LEVEL, TIER
from .report import GRADES, ReportContext
from .usertext import text_cell

HEAD = PatternFill("solid", fgColor="EEF3FA")


def _sheet(wb: Workbook, title: str, head: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]):
    ws = wb.create_sheet(title)
    for col, h in enumerate(head, 1):
        c = ws.cell(1, col)
        text_cell(c, h)
        c.font = Font(bold=True)
        c.fill = HEAD
    for i, r in enumerate(rows, 2):
        for col, v in enumerate(r, 1):
            text_cell(ws.cell(i, col), v)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w
    ws.freeze_panes = "A2"
    return ws


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def assessment_workbook(ctx: ReportContext, requirement_texts: dict[str, str], notes: dict[str, str | None]) -> bytes:
    m, t = ctx.maturity, ctx.tiers
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    for row, (k, v) in enumerate([("企业", ctx.enterprise), ("统一社会信用代码", ctx.credit_code or ""), ("评估对象", ctx.factory),
                 ("评估", ctx.title), ("成熟度标准版本", m.edition), ("梯度条件版本", t.edition), ("总分 S", m.score),
                 ("成熟度等级", LEVEL["zh"][m.level]), ("智能工厂层级", TIER["zh"][t.tier]),
                 ("已答/总数", f"{m.answered}/{m.total}"), ("评估数据摘要", ctx.digest)], 1):
        text_cell(ws.cell(row, 1), k)
        text_cell(ws.cell(row, 2), v)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 18, 70
    ev_count: dict[str, int] = {}
    for r, *_ in ctx.evidence:
        ev_count[r] = ev_count.get(r, 0) + 1
    _sheet(wb, "答案", ["要求编号", "等级", "子域", "要求", "评分", "数值", "说明", "证据数"],
           [[r.id, r.level, r.subdomain, requirement_texts.get(r.id, ""), GRADES["zh"][r.grade] if r.grade != "na" else "不适用",
             r.value, notes.get(r.id) or "", ev_count.get(r.id, 0)] for r in m.requirements],
           [34, 6, 22, 60, 12, 8, 30, 8])
    _sheet(wb, "子域得分", ["子域", "能力域", "L1", "L2", "L3", "L4", "L5", "得分", "已答", "总数"],
           [[s.name_zh, s.parent, *[s.level_scores[str(n)] for n in range(1, 6)], s.score, s.answered, s.total] for s in m.subdomains],
           [16, 14, 8, 8, 8, 8, 8, 8, 8, 8])
    _sheet(wb, "证据", ["要求编号", "文件名", "大小（字节）", "SHA-256"],
           [[r or "", n, s, h] for r, n, s, h in ctx.evidence], [34, 40, 14, 70])
    _sheet(wb, "指标", ["指标编号", "指标", "数值", "单位", "期间"],
           [[k, n, v, ctx.kpi_units.get(k, ""), p or ""] for k, n, v, p in ctx.kpis], [22, 30, 10, 8, 14])
    return _bytes(wb)
