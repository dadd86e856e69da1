"""The Excel workbook of an assessment. Every user string is written as text (:func:`usertext.text_cell`).

The 申报书 draft is in :mod:`reports.declaration`, the 推荐汇总表 in :mod:`reports.summary`."""

from __future__ import annotations

import io
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from assessment import explain, labels
from assessment.editions import load_maturity_cached

from .report import ReportContext
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


def _or_dash(v: float | None) -> float | str:
    return labels.NOT_APPLICABLE if v is None else v


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def assessment_workbook(ctx: ReportContext, requirement_texts: dict[str, str], notes: dict[str, str | None]) -> bytes:
    """概要, 答案, 子域得分, 差距, 层级, 申报资格, 证据, 指标: names and sentences, never raw ids or values."""
    m, t, d = ctx.maturity, ctx.tiers, ctx.declarations
    root = ctx.root
    zh = "zh"
    ed = load_maturity_cached(m.edition, root)
    wb = Workbook()
    ws = wb.active
    ws.title = "概要"
    for row, (k, v) in enumerate(
        [
            ("企业", ctx.enterprise),
            ("统一社会信用代码", ctx.credit_code or ""),
            ("评估对象", ctx.factory),
            ("评估", ctx.title),
            ("成熟度标准", labels.edition_title(m.edition, zh, root=root)),
            ("梯度培育条件", labels.edition_title(t.edition, zh, root=root)),
            ("申报条件", labels.edition_title(d.edition, zh, root=root)),
            ("总分 S", labels.score_text(m.score)),  # text, cut to three decimals: never rounded up across a band edge
            ("成熟度等级", labels.level(m.level, zh, edition=m.edition, root=root)),
            ("智能工厂层级", labels.tier(t.tier, zh, edition=t.edition, root=root)),
            ("已答/总数", f"{m.answered}/{m.total}"),
            ("评估数据摘要", ctx.digest),
            ("要求条款来源构成", "，".join(f"{labels.provenance(k, zh)} {v}" for k, v in sorted(ed.provenance_counts().items()))),
            ("专家审核", labels.review_counts(ed.review_counts(), zh).split("：", 1)[1]),
        ],
        1,
    ):
        text_cell(ws.cell(row, 1), k)
        text_cell(ws.cell(row, 2), v)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 18, 70
    ev_count: dict[str | None, int] = {}
    for r, *_ in ctx.evidence:
        ev_count[r] = ev_count.get(r, 0) + 1
    sub_names = {s.id: s.name_zh for s in m.subdomains}
    dom_names = {x.id: x.name_zh for x in m.domains}
    _sheet(
        wb,
        "答案",
        ["要求编号", "等级", "子域", "要求", "评分", "数值", "说明", "证据数"],
        [
            [
                r.id,
                labels.level(r.level, zh, "short", edition=m.edition, root=root),
                sub_names.get(r.subdomain, r.subdomain),
                requirement_texts.get(r.id, ""),
                labels.grade(r.grade, zh, edition=m.edition, root=root),
                r.value,
                notes.get(r.id) or "",
                ev_count.get(r.id, 0),
            ]
            for r in m.requirements
        ],
        [34, 8, 22, 60, 12, 8, 30, 8],
    )
    _sheet(
        wb,
        "子域得分",
        ["子域", "能力域", "L1", "L2", "L3", "L4", "L5", "得分", "已答", "总数"],
        [
            [
                s.name_zh,
                dom_names.get(s.parent or "", s.parent or ""),
                # a number stays a number; what does not apply (every answer N/A) is "—", never an empty cell or 0
                *[_or_dash(s.level_scores[str(n)]) for n in range(1, 6)],
                _or_dash(s.score),
                s.answered,
                s.total,
            ]
            for s in m.subdomains
        ],
        [16, 14, 8, 8, 8, 8, 8, 8, 8, 8],
    )
    _sheet(
        wb,
        "差距",
        ["要求编号", "等级", "子域", "当前评分", "全部满足可增加 S", "要求"],
        [
            [
                g.id,
                labels.level(g.level, zh, "short", edition=m.edition, root=root),
                sub_names.get(g.subdomain, g.subdomain),
                labels.grade(g.grade, zh, edition=m.edition, root=root),
                round(g.gain_s, 4),
                g.text_zh,
            ]
            for g in m.gaps
        ],
        [34, 8, 16, 12, 14, 70],
    )
    tier_rows = []
    for tid, st in t.tiers.items():
        for c, kind in [(c, "未满足") for c in st.reasons] + [(c, "原则上" if c.in_principle else "提示") for c in st.advisories]:
            tier_rows.append(
                [
                    labels.tier(tid, zh, edition=t.edition, root=root),
                    "满足" if st.met else "不满足",
                    kind,
                    explain.reason(c, root=root, catalogue=ctx.scenario_catalogue, this_tiers=t).zh,
                    labels.citation(c.reference),
                    labels.provenance(c.provenance, zh),
                ]
            )
        if not st.reasons and not st.advisories:
            tier_rows.append([labels.tier(tid, zh, edition=t.edition, root=root), "满足", "", "全部条件满足", "", ""])
    _sheet(wb, "层级", ["层级", "判定", "类别", "说明", "依据", "来源"], tier_rows, [10, 8, 8, 90, 40, 10])
    open_, closed = explain.by_status(d.programmes, ctx.today)
    decl_rows = []
    for p in open_ + closed:
        status = "已截止" if p in closed else "开放申报"
        quota = f"≤ {p.quota.value}" if p.quota.value is not None else "未知"
        deadline = max((x for x in (p.deadline, p.recommender_deadline) if x), default="")
        head = [p.name_zh, status, "可申报" if p.met else "不可申报", quota, deadline]
        items = [(c, "未满足") for c in p.reasons] + [(c, "原则上" if c.in_principle else "提示") for c in p.advisories]
        for c, kind in items:
            decl_rows.append(head + [kind, explain.reason(c, root=root, catalogue=ctx.scenario_catalogue, this_tiers=t).zh])
        if not items:
            decl_rows.append(head + ["", "全部条件满足"])
    _sheet(
        wb,
        "申报资格",
        ["申报项目", "状态", "资格", "推荐名额", "截止日期", "类别", "说明"],
        decl_rows,
        [30, 10, 10, 10, 12, 8, 90],
    )
    _sheet(
        wb,
        "证据",
        ["要求编号", "文件名", "大小（字节）", "SHA-256"],
        [[r or "", n, s, h] for r, n, s, h in ctx.evidence],
        [34, 40, 14, 70],
    )
    _sheet(
        wb,
        "指标",
        ["指标", "数值", "单位", "期间"],
        [[labels.kpi(k, zh, root=root), v, ctx.kpi_units.get(k, ""), p or ""] for k, n, v, p in ctx.kpis],
        [30, 10, 8, 14],
    )
    return _bytes(wb)
