"""The 申报书 draft (DOCX), following the 2023 forms of 工信厅联通装函〔2023〕212号 (seed 002) section by section:
附件3-1 智能制造试点示范项目申报书（优秀场景） and 附件3-2 智能制造试点示范项目申报书（示范工厂）, whose part 一（三）
is the 智慧供应链 block.

Every field of the form is printed, in the form's order and wording; what the toolkit holds is filled in, the rest is
left blank for the enterprise. The form's footnotes are numbered from 1 in each document (the seed numbers 附件3-2's
on from 附件3-1's) and printed under the table that uses them. All user text goes through :func:`usertext.clean`.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from typing import Literal

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell

from .usertext import clean

Form = Literal["scenario", "factory"]

# -- the form's words (seed 002, 附件3-1 and 附件3-2) ----------------------------------------------------------------

TITLE = "智能制造试点示范项目申报书"
SUBTITLE = {"scenario": "（优秀场景）", "factory": "（示范工厂）"}
PART_ONE = {"scenario": "一、申报主体和优秀场景基本信息", "factory": "一、申报主体和示范工厂基本信息"}
OWNERSHIP = [("central_soe", "中央企业"), ("local_soe", "地方国企"), ("private", "民营企业"), ("foreign", "三资企业")]
SIZES = [("large", "大型企业"), ("medium", "中型企业"), ("small", "小型企业"), ("micro", "微型企业")]
GROUPS = [("raw_materials", "原材料"), ("equipment", "装备制造"), ("consumer", "消费品"), ("electronics", "电子信息")]
LEVELS = ["一级", "二级", "三级", "四级", "五级"]
KEY_REGION = (
    "工厂是否位于2022年度入选或评定的工业稳增长和转型升级成效明显市（州）、国家新型工业化产业示范基地、"
    "先进制造业集群决赛优胜者名单等重点区域"
)
PLEDGE = "我单位申报的所有材料，均真实、完整，如有不实，愿承担相应的责任。"

# 整体建设成效: the 18 indicators in the form's order (left column, then right column, row by row)
KPI_ROWS: list[tuple[str, str, str]] = [
    ("nc_rate", "关键设备数控化率", "%"),
    ("net_rate", "关键设备联网率", "%"),
    ("productivity_up", "生产效率提升", "%"),
    ("resource_util_up", "资源综合利用率提升", "%"),
    ("rd_cycle_down", "研制周期缩短", "%"),
    ("opex_down", "运营成本下降", "%"),
    ("unit_cost_down", "单位产品成本下降", "%"),
    ("defect_down", "产品不良率下降", "%"),
    ("quality_loss_down", "质量损失率下降", "%"),
    ("sales_growth", "销售增长率", "%"),
    ("oee_up", "设备综合利用率提升", "%"),
    ("inventory_turn_up", "库存周转率提升", "%"),
    ("supplier_otd_up", "供应商准时交付率提升", "%"),
    ("order_otd_up", "订单准时交付率提升", "%"),
    ("apc_rate", "先进过程控制投用率", "%"),
    ("energy_unit_down", "单位产品综合能耗降低", "%"),
    ("co2_unit_down", "单位产品二氧化碳（CO₂）排放量降低", "%"),
    ("replication_count", "先进制造模式/解决方案面向供应链上下游复制推广的企业数量", "家"),
]
SUPPLY_KPI_ROWS = [
    ("supply_incoming_pass_up", "来料合格率提升", "%"),
    ("purchase_cost_rate_down", "采购费用率下降", "%"),
    ("logistics_cost_down", "物流成本降低", "%"),
    ("order_cycle_down", "订单配送周期缩短", "%"),
]

ANNEX1_HEAD = [
    "序号",
    "环节名称",
    "场景名称",
    "场景实例名称",
    "场景实例描述（结合要素条件进行描述，300字以内，可配图）",
    "解决的痛点问题描述（300字以内）",
    "采用的技术方案（包括供应商）（300字以内，可以配图）",
    "保障要素（如人、管理机制、组织标准、培训等，200字以内，选填）",
    "已实施成效（最好通过量化指标描述，300字以内）",
    "其他（如对于其他车间、工厂的带动效应等，300字以内，选填）",
    "经济性和可推广性",
    "备注",
]
EQUIPMENT_HINT = (
    "（在系统中选择高档数控机床与工业机器人、增材制造装备、智能传感与控制装备、智能检测与装配装备、"
    "智能物流与仓储装备、行业成套装备，可填写多个）"
)
SOFTWARE_HINT = "（在系统中选择研发设计类、生产制造类、经营管理类、控制执行类、行业专用类、新型软件，可填写多个）"
# 附3–附7 (示范工厂 only): (number, title, columns)
ANNEX_LISTS = [
    ("附3", "项目突破的关键技术清单（选填）", ["序号", "技术名称", "关键参数（两到三个核心参数）", "备注"]),
    ("附4", "项目突破的关键装备清单（选填）", ["序号", "装备名称", "关键参数（两到三个核心参数）", "备注"]),
    ("附5", "项目突破的关键软件/系统清单（选填）", ["序号", "软件/系统名称", "关键参数（两到三个核心参数）", "备注"]),
    (
        "附6",
        "项目建设过程中形成的标准清单（选填）",
        ["序号", "标准名称", "标准类型（选填国标、行标、团标、企标）", "标准状态（选填已发布、草案）", "标准号", "备注"],
    ),
    (
        "附7",
        "项目建设过程中形成的专利清单（选填）",
        ["序号", "专利名称", "专利类型（选填发明、实用新型、外观、软著）", "专利状态（选填已发布、审查中）", "专利号", "备注"],
    ),
]
NOTE_SIZE = (
    "根据《统计上大中小微型企业划分办法（2017）》《关于印发中小企业划型标准规定的通知》规定，工业企业大、中、小、微企业划分"
    "标准如下：从业人员1000人及以上，且营业收入40000万元及以上的为大型企业；从业人员300人及以上1000人以下，且营业收入2000万元"
    "及以上40000万元以下的为中型企业；从业人员20人及以上300人以下，且营业收入300万元及以上2000万元以下的为小型企业；从业人员"
    "20人以下或营业收入300万元以下的为微型企业。"
)
NOTE_INDUSTRY = "所属行业大类和中类，根据《国民经济行业分类与代码（GB/T 4754-2017）》进行选填。"
NOTE_ACCIDENT = (
    "重大、特大安全生产事故认定标准见《生产安全事故报告和调查处理条例》（中华人民共和国国务院令第493号）第三条（一）（二），"
    "重大、特大环境事故认定标准见《国家突发环境事件应急预案》（国办函〔2014〕119号）附件1第一条、第二条。"
)
SELF_BUILT = "自建的话，系统中选择自建；其他的话，填写总集成商，可填写多个。"


@dataclass(frozen=True)
class Instance:
    """One row of 附1: link and scenario names of the form's catalogue ("" when the applicant must choose them)."""

    link: str
    scenario: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class DeclarationData:
    form: Form
    supply_chain: bool  # 附件3-2 with 是否申报智慧供应链相关内容 = 是
    year: int  # the call's year (2023): the cover date and the 近三年 columns
    programme: str  # the programme's name, for the warning page
    enterprise: str
    factory: str
    credit_code: str | None = None
    ownership: str | None = None
    size_class: str | None = None
    industry_group: str | None = None
    sub_sector: str | None = None
    address: str | None = None
    industry_type: str | None = None  # discrete | process
    level: int | None = None  # self-assessed maturity level (0 = none reached)
    score: str | None = None  # S as printed (three decimals, never rounded up)
    standard: str | None = None  # the standards' names
    certificate: str | None = None  # a self-assessment certificate number
    accident: str | None = None  # compliance.worst_accident_3y
    summary: str | None = None  # the drafted 项目简述 (≤ 500 字)
    instances: list[Instance] = field(default_factory=list)
    kpis: dict[str, tuple[float, str | None]] = field(default_factory=dict)  # id -> (value, period)
    required_kpis: frozenset[str] = frozenset()
    eligible: bool = True
    reasons: list[str] = field(default_factory=list)  # why not eligible, in words
    advisories: list[str] = field(default_factory=list)


# -- document helpers ----------------------------------------------------------------------------------------------

BODY_FONT, HEAD_FONT = "宋体", "黑体"
MARK = re.compile(r"\^(\d+|\*+)")  # a footnote mark in the form's own labels (never in user text)


def _fonts(target, east_asia: str, ascii_font: str = "Times New Roman") -> None:
    target.font.name = ascii_font
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _a4(section, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    section.top_margin = section.bottom_margin = Mm(25 if not landscape else 18)
    section.left_margin, section.right_margin = (Mm(28), Mm(26)) if not landscape else (Mm(18), Mm(18))


def _new_document():
    doc = Document()
    _a4(doc.sections[0])
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(2)
    for name, size in (("Heading 1", 15), ("Heading 2", 13)):
        st = doc.styles[name]
        _fonts(st, HEAD_FONT)
        st.font.size, st.font.bold, st.font.italic = Pt(size), False, False
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.paragraph_format.space_before, st.paragraph_format.space_after = Pt(10), Pt(6)
    return doc


def _label_runs(paragraph, text: str, *, bold: bool = False) -> None:
    """The form's own words, with ^n / ^* footnote marks printed as superscripts."""
    pos = 0
    for m in MARK.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos : m.start()]).bold = bold
        paragraph.add_run(m.group(1)).font.superscript = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:]).bold = bold


def _para(
    doc,
    text: str = "",
    *,
    size: float | None = None,
    bold: bool = False,
    align=None,
    user: str | None = None,
    font: str | None = None,
):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    _label_runs(p, text, bold=bold)
    if user:
        p.add_run(clean(user))
    for r in p.runs:
        if size:
            r.font.size = Pt(size)
        if font:
            _fonts(r, font)
    return p


def _heading(doc, text: str, level: int = 1):
    return doc.add_heading(text, level=level)


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


class Grid:
    """A bordered table on a fixed column grid; rows are lists of (text, span); labels may carry ^n marks and user
    values are cleaned and never parsed."""

    def __init__(self, doc, widths_mm: list[float], *, size: float = 10.5):
        self.t = doc.add_table(rows=0, cols=len(widths_mm))
        self.t.style = "Table Grid"
        self.t.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.t.autofit = False
        for col, w in zip(self.t.columns, widths_mm):
            col.width = Mm(w)
        self.widths = widths_mm
        self.size = size

    def row(self, *cells, bold: bool = False) -> list:
        """``cells``: (label, span) or ("=", value, span) for a user value."""
        r = self.t.add_row()
        tcs = list(r._tr.tc_lst)  # a new row: one w:tc per grid column, none merged yet
        col, out = 0, []
        for cell in cells:
            user = len(cell) == 3
            text, span = (cell[1], cell[2]) if user else cell
            tc = tcs[col]
            for extra in tcs[col + 1 : col + span]:  # a horizontal merge is one w:tc spanning the grid columns
                r._tr.remove(extra)
            if span > 1:
                tc.grid_span = span
            tc.width = Mm(sum(self.widths[col : col + span]))
            c = _Cell(tc, self.t)
            p = c.paragraphs[0]
            if user:
                if text:
                    p.add_run(clean(text))
            else:
                _label_runs(p, text, bold=bold)
            for run in p.runs:
                run.font.size = Pt(self.size)
            out.append(c)
            col += span
        assert col == len(self.widths), (cells, col)
        return out

    def keep_together(self) -> None:
        """Keep the table on one page where it fits (each row with the next, no row split)."""
        for i, row in enumerate(self.t.rows):
            trpr = row._tr.get_or_add_trPr()
            trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
            if i < len(self.t.rows) - 1:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        p.paragraph_format.keep_with_next = True

    def merge_down(self, first_row: int, last_row: int, col: int = 0) -> None:
        top = self.t.cell(first_row, col)
        text = top.text
        merged = top.merge(self.t.cell(last_row, col))
        for p in merged.paragraphs[1:]:  # merging concatenates the cells' (empty) paragraphs
            p._element.getparent().remove(p._element)
        assert merged.text == text


def _repeat(doc, build, values: list[dict[tuple[int, int], str | None]], size: float) -> None:
    """One table per item: ``build`` makes the first (value cells empty), the others are copies of it (much faster
    than building each); ``values`` maps (row, cell of the row) to the item's text."""
    first = build(doc)
    template = copy.deepcopy(first.t._tbl)
    tables = [first.t]
    doc.add_paragraph()
    for _ in values[1:]:
        tbl = copy.deepcopy(template)
        doc.add_paragraph()._p.addprevious(tbl)
        tables.append(Table(tbl, first.t._parent))
    for table, items in zip(tables, values):
        for (r, i), text in items.items():
            if text:
                run = _Cell(table.rows[r]._tr.tc_lst[i], table).paragraphs[0].add_run(clean(text))
                run.font.size = Pt(size)


def _boxes(options: list[tuple[str, str]], chosen: str | None) -> str:
    return " ".join(("☑" if key == chosen else "□") + label for key, label in options)


def _yes_no(answer: bool | None, yes: str = "是", no: str = "否") -> str:
    return ("☑" if answer is True else "□") + yes + " " + ("☑" if answer is False else "□") + no


def _num(v: float) -> str:
    return f"{v:g}"


def _notes(doc, notes: list[tuple[str, str]]) -> None:
    for mark, text in notes:
        p = _para(doc, f"^{mark}" + text, size=8)
        p.paragraph_format.space_after = Pt(0)


# -- the form ------------------------------------------------------------------------------------------------------


class _Notes:
    """Footnote numbers in order of first use (the form's footnotes, renumbered from 1)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.n = 0

    def mark(self, text: str) -> str:
        self.n += 1
        self.items.append((str(self.n), text))
        return f"^{self.n}"

    def flush(self, doc) -> None:
        _notes(doc, self.items)
        self.items = []


def _warning_page(doc, d: DeclarationData) -> None:
    if d.eligible and not d.advisories:
        return
    title = "提示：本工厂目前不满足申报条件" if not d.eligible else "填报提示"
    _para(doc, title, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
    if not d.eligible:
        _para(doc, "依据自评估数据，", user=f"{d.factory}（{d.enterprise}）", size=12).add_run(
            f"不满足「{d.programme}」的以下申报条件："
        ).font.size = Pt(12)
        for r in d.reasons:
            _para(doc, "✗ ", user=r, size=11)
        _para(doc, "以下申报书仅为预填草稿，供准备材料使用；请先满足上述条件再行申报。", size=11)
    if d.advisories:
        _para(doc, "请注意：" if not d.eligible else "依据自评估数据，申报前请注意：", size=11)
        for a in d.advisories:
            _para(doc, "! ", user=a, size=11)
    _page_break(doc)


def _cover(doc, d: DeclarationData) -> None:
    for _ in range(5):
        doc.add_paragraph()
    _para(doc, TITLE, size=26, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
    _para(doc, SUBTITLE[d.form], size=20, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
    for _ in range(6):
        doc.add_paragraph()
    project = d.factory if d.form == "factory" else None
    for label, value, seal in (
        ("项目名称：", project, False),
        ("申报单位：", d.enterprise, True),
        ("推荐单位：", None, True),
        ("申报日期：", f"{d.year}年　　月　　日", False),
    ):
        p = _para(doc, label, size=16, user=value)
        p.paragraph_format.left_indent = Mm(25)
        p.paragraph_format.space_after = Pt(4 if seal else 16)
        for r in p.runs:
            r.font.size = Pt(16)
        if seal:
            s = _para(doc, "（盖章）", size=14)
            s.paragraph_format.left_indent = Mm(85)
            s.paragraph_format.space_after = Pt(16)
    _page_break(doc)


def _enterprise_block(doc, d: DeclarationData, notes: _Notes) -> None:
    _heading(doc, "（一）申报主体基本信息", 2)
    g = Grid(doc, [26, 22, 21, 22, 21, 22, 22])
    g.row(("企业名称", 1), ("=", d.enterprise, 6))
    g.row(("统一社会信用代码", 1), ("=", d.credit_code, 3), ("成立时间", 1), ("=", None, 2))
    g.row(("企业性质", 1), (_boxes(OWNERSHIP, d.ownership), 6))
    g.row(("企业类型" + notes.mark(NOTE_SIZE), 1), (_boxes(SIZES, d.size_class), 6))
    g.row(
        ("所属行业" + notes.mark(NOTE_INDUSTRY), 1),
        ("行业门类（系统中下拉选择）", 1),
        ("=", None, 1),
        ("行业大类（系统中下拉选择）", 1),
        ("=", None, 1),
        ("行业中类（系统中下拉选择）", 1),
        ("=", None, 1),
    )
    if d.form == "scenario":
        g.row(("所属四大行业", 1), (_boxes(GROUPS, d.industry_group), 6))
    g.row(("工厂地址", 1), ("=", d.address, 6))
    g.row((KEY_REGION, 5), ("□是 □否（系统自动识别）", 2))
    g.row(("法人代表/负责人", 1), ("姓名", 1), ("=", None, 2), ("电话", 1), ("=", None, 2))
    first = len(g.t.rows)
    g.row(("联系人", 1), ("姓名", 1), ("=", None, 2), ("电话", 1), ("=", None, 2))
    g.row(("", 1), ("职务", 1), ("=", None, 2), ("手机", 1), ("=", None, 2))
    g.row(("", 1), ("传真", 1), ("=", None, 2), ("邮箱", 1), ("=", None, 2))
    g.merge_down(first, first + 2)
    g.row(("近三年发展情况", 1), *[(f"{y}年", 2) for y in range(d.year - 3, d.year)])
    for label in ("资产总额（万元）", "资产负债率（%）", "主营业务收入（万元）", "利润率（%）"):
        g.row((label, 1), ("=", None, 2), ("=", None, 2), ("=", None, 2))
    if d.form == "factory":
        for label in ("是否为国家智能制造试点示范项目", "是否为国家智能制造标杆企业", "是否为省级智能制造试点示范项目"):
            g.row((label, 2), ("□是（项目名称：　　　　　　　　　　） □否", 5))
        level = d.level if d.level else None
        text = " ".join(("☑" if level == i else "□") + name for i, name in enumerate(LEVELS, 1))
        cells = g.row(("智能制造能力成熟度评估结果或其他能力证明材料", 2), (text, 5))
        p = cells[1].add_paragraph()
        run = p.add_run("（插入自评估证明材料）")
        run.font.size = Pt(10.5)
        if d.score is not None:
            basis = (
                f"本工具自评估：{'未达到一级' if not d.level else LEVELS[d.level - 1]}，S = {d.score}"
                + (f"（{d.standard}）" if d.standard else "")
                + (f"；自评估证书编号 {d.certificate}" if d.certificate else "")
                + "。自评估结果仅供参考，申报时插入智能制造数据资源公共服务平台的自评估证明材料。"
            )
            q = cells[1].add_paragraph()
            r = q.add_run(clean(basis))
            r.font.size, r.font.color.rgb = Pt(9), RGBColor(0x44, 0x44, 0x44)
        g.row(("其他能力证明材料说明（可后附）", 2), ("=", None, 5))
    accident = {"major": True, "especially_major": True, "none": False, "general": False, "serious": False}.get(d.accident or "")
    question = (
        "企业近三年是否发生过重大安全生产事故、重大环境事故"
        if d.form == "scenario"
        else "企业近三年是否发生重大安全生产事故、重大环境事故"
    )
    g.row(
        (question + notes.mark(NOTE_ACCIDENT), 2),
        (("☑" if accident else "□") + "是（事故名称：　　　　　　） " + ("☑" if accident is False else "□") + "否", 5),
    )
    g.row(("企业简介", 1), ("（发展历程、主营业务、市场份额等方面基本情况，不超过500字。）", 6))
    notes.flush(doc)


def _kpi_table(doc, d: DeclarationData, notes: _Notes) -> None:
    if d.form == "scenario":
        head = "整体建设成效"
        apc_mark, apc_note = "^**", "仅流程行业填写"
    else:
        head = "工厂整体建设成效" + notes.mark("结合示范工厂具体情况认真填写，其中*为必填项。")
        apc_note = "仅原材料行业填写"
        apc_mark = notes.mark(apc_note)
    g = Grid(doc, [88, 26, 42])
    g.row((head, 1), ("数值", 1), ("统计期间／说明", 1), bold=True)
    for kid, label, unit in KPI_ROWS:
        star = "*" if kid in d.required_kpis else ""
        mark = apc_mark if kid == "apc_rate" else ""
        value, period = d.kpis.get(kid, (None, None))
        note = period or (apc_note if kid == "apc_rate" and value is None else None)
        g.row((f"{label}{star}{mark}（{unit}）", 1), ("=", None if value is None else _num(value), 1), ("=", note, 1))
    g.row(("（其他成效指标）", 1), ("=", None, 1), ("=", None, 1))
    g.keep_together()
    if d.form == "scenario":
        _para(doc, "* 必填项，结合申报主体具体情况认真填写。", size=8)
        _para(doc, "** 仅流程行业填写。", size=8)


def _pledge(doc) -> None:
    g = Grid(doc, [26, 130])
    cells = g.row(("真实性承诺", 1), (PLEDGE, 1))
    for line in ("", "法定代表人签章：", "公　　章：", "年　　月　　日"):
        p = cells[1].add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if line.startswith("年") else None
        if line:
            p.paragraph_format.left_indent = Mm(60)
    g.keep_together()


def _scenario_block(doc, d: DeclarationData, notes: _Notes) -> None:
    _heading(doc, "（二）申报优秀场景基本信息", 2)

    def build(doc):
        g = Grid(doc, [34, 44, 34, 44])
        for label in ("环节名称", "场景名称", "场景实例名称", "场景实例建设起止日期", "场景实例建设投资（万元）"):
            g.row((label, 1), ("=", None, 3))
        g.row(
            ("场景实例建设系统解决方案供应商名称", 1),
            ("（自建的话，系统中选择自建；其他的话，每个场景实例可填写多个系统解决方案供应商）", 3),
        )
        g.row(("联系人", 1), ("=", None, 1), ("联系电话", 1), ("=", None, 1))
        g.keep_together()
        return g

    choose = "（在系统中下拉选择）"
    _repeat(
        doc,
        build,
        [
            {
                (0, 1): i.link or choose,
                (1, 1): i.scenario or choose,
                (2, 1): i.name or "（申报主体自行归纳填写，同一场景下的多个场景实例分开填写）",
            }
            for i in d.instances or [Instance("", "", "")]
        ],
        10.5,
    )
    notes.flush(doc)
    _kpi_table(doc, d, notes)
    doc.add_paragraph()
    _pledge(doc)


def _factory_block(doc, d: DeclarationData, notes: _Notes) -> None:
    _heading(doc, "（二）示范工厂揭榜任务基本信息", 2)
    g = Grid(doc, [40, 116])
    g.row(("揭榜任务具体名称" + notes.mark("揭榜单位填写具体示范工厂名称。"), 1), ("=", d.factory, 1))
    g.row(("揭榜行业", 1), (_boxes(GROUPS, d.industry_group), 1))
    g.row(("揭榜任务细分行业" + notes.mark("按照揭榜任务中的细分行业进行选择。"), 1), ("=", d.sub_sector, 1))
    g.row(("揭榜任务建设地址", 1), ("=", d.address, 1))
    g.row(("揭榜任务系统解决方案供应商名称" + notes.mark(SELF_BUILT), 1), ("=", None, 1))
    g.row(("系统解决方案供应商联系人及联系方式", 1), ("=", None, 1))
    g.row(("起止日期", 1), ("=", None, 1))
    g.row(("揭榜任务总投资（万元）", 1), ("=", None, 1))
    cells = g.row(("项目简述", 1), ("（对项目当前智能化建设情况和成效进行简要描述，不超过500字。）", 1))
    if d.summary:
        p = cells[1].add_paragraph()
        p.add_run(clean(d.summary[:500]))
    notes.flush(doc)
    doc.add_paragraph()
    _kpi_table(doc, d, notes)
    notes.flush(doc)

    _heading(doc, "（三）智慧供应链建设基本信息", 2)
    _para(doc, "是否申报智慧供应链相关内容（" + _yes_no(d.supply_chain) + "），不申报无需填报")
    g = Grid(doc, [32, 40, 22, 40, 22])
    g.row(("揭榜任务生产的主要产品", 1), ("=", None, 4))
    g.row(("智慧供应链上下游关键企业", 1), ("=", None, 4))
    g.row(("智慧供应链上下游关键企业分工及产品", 1), ("=", None, 4))
    g.row(("智慧供应链解决方案供应商与联系方式" + notes.mark(SELF_BUILT), 1), ("=", None, 4))
    first = len(g.t.rows)
    values = [(f"{label}（{unit}）", d.kpis.get(kid, (None, None))[0]) for kid, label, unit in SUPPLY_KPI_ROWS]
    for i, ((l1, v1), (l2, v2)) in enumerate(zip(values[::2], values[1::2])):
        g.row(
            ("供应链建设成效" if i == 0 else "", 1),
            (l1, 1),
            ("=", None if v1 is None else _num(v1), 1),
            (l2, 1),
            ("=", None if v2 is None else _num(v2), 1),
        )
    g.row(("", 1), ("（其他成效指标）", 2), ("=", None, 2))
    g.merge_down(first, first + 2)
    notes.flush(doc)
    doc.add_paragraph()
    _pledge(doc)


def _annex1(doc, d: DeclarationData) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(section, landscape=True)
    _para(doc, "附1", size=12, font=HEAD_FONT)
    _para(doc, "场景实例描述", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
    g = Grid(doc, [8, 16, 18, 20, 24, 22, 26, 20, 24, 20, 22, 30], size=8)
    g.row(*[(h, 1) for h in ANNEX1_HEAD], bold=True)
    rows = d.instances or [Instance("", "", "")]
    for i, inst in enumerate(rows, 1):
        g.row(
            (str(i), 1),
            ("=", inst.link, 1),
            ("=", inst.scenario, 1),
            ("=", inst.name, 1),
            *[("=", None, 1)] * 7,
            ("=", inst.note, 1),
        )
    tr = g.t.rows[0]._tr.get_or_add_trPr()
    header = tr.makeelement(qn("w:tblHeader"), {})
    tr.append(header)


def _annex2(doc, d: DeclarationData) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(section)
    _para(doc, "附2", size=12, font=HEAD_FONT)
    title = (
        "具体场景实例采用的关键装备、软件、工艺、技术情况"
        if d.form == "scenario"
        else "场景实例采用的关键装备、软件、工艺、技术情况"
    )
    _para(doc, title, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
    label = "具体场景实例名称（与上面表格对应）" if d.form == "scenario" else "场景实例名称（与上面表格对应）"

    def build(doc):
        g = Grid(doc, [36, 32, 30, 30, 28], size=9.5)
        g.row((label, 2), ("=", None, 3))
        g.row(("关键装备种类", 1), ("名称", 1), ("规格/型号", 1), ("供应商", 1), ("备注", 1), bold=True)
        g.row((EQUIPMENT_HINT, 1), ("=", None, 1), ("=", None, 1), ("=", None, 1), ("=", None, 1))
        g.row(("关键软件种类", 1), ("名称", 1), ("规格/型号", 1), ("供应商", 2), bold=True)
        g.row((SOFTWARE_HINT, 1), ("=", None, 1), ("=", None, 1), ("=", None, 2))
        g.row(("工艺名称", 2), ("应用描述", 3), bold=True)
        g.row(("（可填写多个）", 2), ("=", None, 3))
        g.row(("技术名称", 2), ("应用描述", 3), bold=True)
        g.row(("（可填写多个）", 2), ("=", None, 3))
        g.keep_together()
        return g

    _repeat(doc, build, [{(0, 1): i.name} for i in d.instances or [Instance("", "", "")]], 9.5)


def _annex_lists(doc) -> None:
    for number, title, columns in ANNEX_LISTS:
        _page_break(doc)
        _para(doc, number, size=12, font=HEAD_FONT)
        _para(doc, title, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEAD_FONT)
        g = Grid(doc, [12] + [(156 - 12) / (len(columns) - 1)] * (len(columns) - 1))
        g.row(*[(c, 1) for c in columns], bold=True)
        for i in range(1, 4):
            g.row((str(i), 1), *[("=", None, 1)] * (len(columns) - 1))


def _parts(doc, d: DeclarationData) -> None:
    _page_break(doc)
    if d.form == "scenario":
        _heading(doc, "二、场景实例建设方案及情况")
        _para(
            doc,
            "（此部分参考《智能制造典型场景参考指引》（见附件1）进行编写。申报主体根据实际情况归纳提炼形成场景实例名称、建设方案及"
            "情况说明，并按照附1至附2进行详细描述，填写的场景实例应建设成效突出、具有行业推广价值。鼓励申报主体填写新的环节或场景。）",
        )
        _heading(doc, "三、下一步提升和推广计划")
        _heading(doc, "（一）提升计划", 2)
        doc.add_paragraph()
        _heading(doc, "（二）推广应用计划", 2)
        doc.add_paragraph()
        _heading(doc, "四、相关附件")
        doc.add_paragraph()
        return
    sections = [
        ("二、项目总体情况", "（包括项目实施背景、基础条件、总体实施架构和总体建设情况等。）"),
        (
            "三、场景实例建设方案及情况",
            "（此部分参考《智能制造典型场景参考指引》（见附件1）和《智能制造示范工厂揭榜任务》（见附件2）进行编写。申报主体根据实际情况"
            "归纳提炼形成场景实例名称、建设方案及情况说明，并按照附1至附2进行详细描述，填写的场景实例应建设成效突出、具有行业推广价值。"
            "智能工厂建设内容需至少覆盖8个环节。智慧供应链建设内容需在智能工厂建设内容基础上，再至少覆盖供应链相关的1个环节。申报智慧供应链的"
            "项目须重点阐述企业供应链建设情况，供应链的价值和效益，供应链模式的推广价值和前景等。鼓励申报主体填写新的环节或场景。）",
        ),
        ("四、系统集成方案", "（在场景实例描述基础上，需重点阐述各个系统之间、多个场景实例之间的集成协同情况。）"),
        ("五、项目的先进性与特色", "（此部分重点阐述项目技术水平的先进性，目标产品的先进性和市场前景，项目的特色和亮点等。）"),
        (
            "六、项目实施成效",
            "（此部分重点阐述项目已取得的突出成效，包括创新方面，如突破的关键技术、装备、软件等；经济性方面，"
            "如投资回报率、降低成本比例、劳动生产率、生产效率等。）",
        ),
    ]
    for head, hint in sections:
        _heading(doc, head)
        _para(doc, hint)
        doc.add_paragraph()
    _heading(doc, "七、后续实施计划")
    for sub in ("（一）预期目标", "（二）下一步建设主要内容和实施计划（含融资需求）", "（三）成长性分析", "（四）推广应用计划"):
        _heading(doc, sub, 2)
        doc.add_paragraph()


def declaration_docx(d: DeclarationData) -> bytes:
    doc = _new_document()
    doc.core_properties.title = f"{TITLE}{SUBTITLE[d.form]}（草稿）"
    doc.core_properties.subject = clean(d.enterprise)
    doc.core_properties.comments = "由智能制造成熟度评估工具依据自评估数据预填的草稿，提交前请逐项核对、补全。"
    _warning_page(doc, d)
    _cover(doc, d)
    notes = _Notes()
    _heading(doc, PART_ONE[d.form])
    _enterprise_block(doc, d, notes)
    if d.form == "scenario":
        _scenario_block(doc, d, notes)
    else:
        _factory_block(doc, d, notes)
    _parts(doc, d)
    _annex1(doc, d)
    _annex2(doc, d)
    if d.form == "factory":
        _annex_lists(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
