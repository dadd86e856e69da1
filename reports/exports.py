"""Exports: the Excel workbook of an assessment, a pre-filled declaration draft (DOCX, following the
2023 申报书 structure) and the provincial 推荐汇总表 (XLSX) for a ranked set of factories."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .render import LEVEL, TIER
from .report import GRADES, ReportContext

HEAD = PatternFill("solid", fgColor="EEF3FA")
SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型", None: "（待填）"}
OWNERSHIP_ZH = {"central_soe": "中央企业", "local_soe": "地方国企", "private": "民营企业", "foreign": "三资企业", None: "（待填）"}
GROUP_ZH = {"raw_materials": "原材料", "equipment": "装备制造", "consumer": "消费品", "electronics": "电子信息", None: "（待填）"}
ACCIDENT_ZH = {"none": "否", "general": "否", "serious": "否（较大）", "major": "是（重大）", "especially_major": "是（特大）", None: "（待填）"}


def _sheet(wb: Workbook, title: str, head: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]):
    ws = wb.create_sheet(title)
    ws.append(list(head))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = HEAD
    for r in rows:
        ws.append(list(r))
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
    for k, v in [("企业", ctx.enterprise), ("统一社会信用代码", ctx.credit_code or ""), ("评估对象", ctx.factory),
                 ("评估", ctx.title), ("成熟度标准版本", m.edition), ("梯度条件版本", t.edition), ("总分 S", m.score),
                 ("成熟度等级", LEVEL["zh"][m.level]), ("智能工厂层级", TIER["zh"][t.tier]),
                 ("已答/总数", f"{m.answered}/{m.total}"), ("评估数据摘要", ctx.digest)]:
        ws.append([k, v])
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


@dataclass(frozen=True)
class DeclarationFacts:
    ownership: str | None
    industry_group: str | None
    sub_sector: str | None
    size_class: str | None
    worst_accident_3y: str | None
    address: str | None


def declaration_docx(ctx: ReportContext, facts: DeclarationFacts, programme: str, scenarios: list[tuple[str, str, str, bool]],
                     kpi_catalogue: dict[str, tuple[str, str, bool]]) -> bytes:
    """A pre-filled draft of the 2023 申报书 (附件3-1 优秀场景 or 附件3-2 示范工厂).

    ``scenarios``: (link name, scenario name, instance name, AI); ``kpi_catalogue``: id -> (name, unit, required).
    Fields the toolkit cannot know are marked （待填） for the applicant.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    demo = programme.startswith("demo_factory") or programme.startswith("smart_supply_chain")
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans SC"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans SC")
    title = "智能制造示范工厂揭榜任务申报书" if demo else "智能制造优秀场景申报书"
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(f"{title}（草稿）")
    run.font.size = Pt(18)
    doc.add_paragraph(f"申报单位：{ctx.enterprise}　　申报项目：{programme}　　本草稿由评估工具依据自评估数据预填，提交前请逐项核对。")

    doc.add_heading("一、基本信息", level=1)
    m = ctx.maturity
    rows = [
        ("企业名称", ctx.enterprise), ("统一社会信用代码", ctx.credit_code or "（待填）"), ("成立时间", "（待填）"),
        ("企业性质", OWNERSHIP_ZH.get(facts.ownership, "（待填）")), ("企业类型", SIZE_ZH.get(facts.size_class, "（待填）")),
        ("所属行业（GB/T 4754-2017）", facts.sub_sector or "（待填）"), ("所属四大行业", GROUP_ZH.get(facts.industry_group, "（待填）")),
        ("工厂地址", facts.address or "（待填）"), ("法人代表及电话", "（待填）"), ("联系人、职务、手机、邮箱", "（待填）"),
        ("资产总额、资产负债率、主营业务收入、利润率（近三年）", "（待填）"),
        ("近三年是否发生重大安全生产事故、重大环境事故", ACCIDENT_ZH.get(facts.worst_accident_3y, "（待填）")),
    ]
    if demo:
        rows += [("智能制造能力成熟度评估结果", f"{LEVEL['zh'][m.level]}（S = {m.score:.2f}，{m.edition}，自评估，需上传证明）"),
                 ("揭榜任务具体名称（示范工厂名称）", ctx.factory), ("揭榜行业及细分行业", f"{GROUP_ZH.get(facts.industry_group, '（待填）')} / {facts.sub_sector or '（待填）'}"),
                 ("总集成商或自建", "（待填）"), ("建设起止时间", "（待填）"), ("总投资（万元）", "（待填）")]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for k, v in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = k, str(v)
    doc.add_paragraph("企业简介（不超过 500 字）：（待填）")

    doc.add_heading("整体建设成效（带 * 为必填）", level=2)
    values = {k: (v, p) for k, _, v, p in ctx.kpis}
    kt = doc.add_table(rows=1, cols=4)
    kt.style = "Table Grid"
    for i, h in enumerate(["指标", "单位", "数值", "期间"]):
        kt.rows[0].cells[i].text = h
    for kid, (name, unit, required) in kpi_catalogue.items():
        v, period = values.get(kid, (None, None))
        if v is None and not required:
            continue
        cells = kt.add_row().cells
        cells[0].text = ("*" if required else "") + name
        cells[1].text = unit
        cells[2].text = "（待填）" if v is None else f"{v:g}"
        cells[3].text = period or ""

    doc.add_heading("二、项目总体情况" if demo else "二、场景实例建设方案及情况", level=1)
    doc.add_paragraph("（背景与基础、总体架构；待填）" if demo else "（每个场景实例的建设方案与成效见附1、附2；待填）")
    doc.add_heading("三、场景实例（附1 场景实例描述）", level=1)
    st = doc.add_table(rows=1, cols=5)
    st.style = "Table Grid"
    for i, h in enumerate(["序号", "环节", "场景", "实例名称", "应用人工智能"]):
        st.rows[0].cells[i].text = h
    for i, (link, scen, inst, ai) in enumerate(scenarios, 1):
        cells = st.add_row().cells
        cells[0].text, cells[1].text, cells[2].text, cells[3].text, cells[4].text = str(i), link, scen, inst or "（待填）", "是" if ai else "否"
    doc.add_paragraph("每个实例另需填写：实例描述、痛点、技术方案及供应商、保障要素、已实施成效、经济性和可推广性（各不超过 300 字）。")
    if demo:
        for h in ("四、系统集成方案", "五、先进性与特色", "六、实施成效", "七、后续实施计划"):
            doc.add_heading(h, level=1)
            doc.add_paragraph("（待填）")
    else:
        doc.add_heading("三、下一步提升和推广计划", level=1)
        doc.add_paragraph("（待填）")
    doc.add_heading("真实性承诺", level=1)
    doc.add_paragraph("本单位承诺所填报内容真实、准确。法定代表人（签字）：　　　　（盖章）　　　　年　月　日")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class RecommendationRow:
    enterprise: str
    factory: str
    instances: list[str]  # "环节—场景—实例"
    score: float
    level: int
    tier: str


def recommendation_xlsx(rows: Sequence[RecommendationRow], recommender: str, quota_scenarios: int | None,
                        quota_factories: int | None) -> bytes:
    """推荐汇总表: part 1 优秀场景, part 2 示范工厂, each ranked (the order given) and within quota."""
    wb = Workbook()
    ws = wb.active
    ws.title = "推荐汇总表"
    ws.append([f"{recommender} 智能制造优秀场景、示范工厂推荐汇总表（按推荐优先顺序）"])
    ws.append(["推荐单位（盖章）：", recommender])
    ws.append([])
    ws.append(["一、智能制造优秀场景" + (f"（名额 {quota_scenarios} 个）" if quota_scenarios else "")])
    ws.append(["序号", "申报单位", "场景实例（环节—场景—实例）", "联系人", "手机"])
    for c in ws[ws.max_row]:
        c.font, c.fill = Font(bold=True), HEAD
    n = 0
    for r in rows:
        for inst in r.instances:
            if quota_scenarios is not None and n >= quota_scenarios:
                break
            n += 1
            ws.append([n, r.enterprise, inst, "（待填）", "（待填）"])
    ws.append([])
    ws.append(["二、智能制造示范工厂" + (f"（名额 {quota_factories} 个）" if quota_factories else "")])
    ws.append(["序号", "揭榜单位", "示范工厂名称", "场景实例", "联系人", "手机", "成熟度（自评）", "层级"])
    for c in ws[ws.max_row]:
        c.font, c.fill = Font(bold=True), HEAD
    for i, r in enumerate(rows[: quota_factories or len(rows)], 1):
        ws.append([i, r.enterprise, r.factory, "；".join(r.instances), "（待填）", "（待填）",
                   f"{LEVEL['zh'][r.level]} S={r.score:.2f}", TIER["zh"][r.tier]])
    for col, w in zip("ABCDEFGH", (6, 30, 40, 50, 10, 14, 22, 10)):
        ws.column_dimensions[col].width = w
    for row in ws.iter_rows():
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    return _bytes(wb)
