"""The 申报书 drafts (DOCX) and the 推荐汇总表 (XLSX) against the official forms of seed 002 (附件3-1, 附件3-2, 附件4),
and user text in every export: stored as text, never a formula, and never able to crash an export.

The field lists below are copied from the seed, in the seed's order, independently of the code under test."""

from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from paths import CRITERIA, ROOT

from assessment.editions import load_maturity_cached
from assessment.scenarios import load_catalogue
from assessment.services import demo
from assessment.store import repository as repo
from reports import service
from reports.summary import summary_xlsx

# -- the forms, field by field (seed 002) ---------------------------------------------------------------------------

COVER = ["智能制造试点示范项目申报书", "项目名称：", "申报单位：", "（盖章）", "推荐单位：", "（盖章）", "申报日期：", "2023年"]
ENTERPRISE_HEAD = [
    "（一）申报主体基本信息",
    "企业名称",
    "统一社会信用代码",
    "成立时间",
    "企业性质",
    "中央企业",
    "地方国企",
    "民营企业",
    "三资企业",
    "企业类型",
    "大型企业",
    "中型企业",
    "小型企业",
    "微型企业",
    "所属行业",
    "行业门类（系统中下拉选择）",
    "行业大类（系统中下拉选择）",
    "行业中类（系统中下拉选择）",
]
FOUR_GROUPS = ["原材料", "装备制造", "消费品", "电子信息"]
ENTERPRISE_TAIL = [
    "工厂地址",
    "工厂是否位于2022年度入选或评定的工业稳增长和转型升级成效明显市（州）、国家新型工业化产业示范基地、先进制造业"
    "集群决赛优胜者名单等重点区域",
    "□是□否（系统自动识别）",
    "法人代表/负责人",
    "姓名",
    "电话",
    "联系人",
    "姓名",
    "电话",
    "职务",
    "手机",
    "传真",
    "邮箱",
    "近三年发展情况",
    "2020年",
    "2021年",
    "2022年",
    "资产总额（万元）",
    "资产负债率（%）",
    "主营业务收入（万元）",
    "利润率（%）",
]
KPIS = [
    "关键设备数控化率（%）",
    "关键设备联网率（%）",
    "生产效率提升*（%）",
    "资源综合利用率提升*（%）",
    "研制周期缩短（%）",
    "运营成本下降*（%）",
    "单位产品成本下降（%）",
    "产品不良率下降（%）",
    "质量损失率下降*（%）",
    "销售增长率（%）",
    "设备综合利用率提升（%）",
    "库存周转率提升（%）",
    "供应商准时交付率提升（%）",
    "订单准时交付率提升（%）",
    "先进过程控制投用率",
    "单位产品综合能耗降低（%）",
    "单位产品二氧化碳（CO₂）排放量降低（%）",
    "先进制造模式/解决方案面向供应链上下游复制推广的企业数量（家）",
    "（其他成效指标）",
]
PLEDGE = [
    "真实性承诺",
    "我单位申报的所有材料，均真实、完整，如有不实，愿承担相应的责任。",
    "法定代表人签章：",
    "公章：",
    "年月日",
]
ANNEX1 = [
    "附1",
    "场景实例描述",
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
ANNEX2_BODY = [
    "关键装备种类",
    "名称",
    "规格/型号",
    "供应商",
    "备注",
    "（在系统中选择高档数控机床与工业机器人、增材制造装备、智能传感与控制装备、智能检测与装配装备、智能物流与仓储装备、行业成套装备，可填写多个）",
    "关键软件种类",
    "名称",
    "规格/型号",
    "供应商",
    "（在系统中选择研发设计类、生产制造类、经营管理类、控制执行类、行业专用类、新型软件，可填写多个）",
    "工艺名称",
    "应用描述",
    "（可填写多个）",
    "技术名称",
    "应用描述",
    "（可填写多个）",
]

SCENARIO_FORM = [  # 附件3-1 智能制造试点示范项目申报书（优秀场景）
    *COVER[:1],
    "（优秀场景）",
    *COVER[1:],
    "一、申报主体和优秀场景基本信息",
    *ENTERPRISE_HEAD,
    "所属四大行业",
    *FOUR_GROUPS,
    *ENTERPRISE_TAIL,
    "企业近三年是否发生过重大安全生产事故、重大环境事故",
    "是（事故名称：",
    "否",
    "企业简介",
    "（发展历程、主营业务、市场份额等方面基本情况，不超过500字。）",
    "（二）申报优秀场景基本信息",
    "环节名称",
    "场景名称",
    "场景实例名称",
    "场景实例建设起止日期",
    "场景实例建设投资（万元）",
    "场景实例建设系统解决方案供应商名称",
    "（自建的话，系统中选择自建；其他的话，每个场景实例可填写多个系统解决方案供应商）",
    "联系人",
    "联系电话",
    "整体建设成效",
    *KPIS,
    "*必填项，结合申报主体具体情况认真填写。",
    "**仅流程行业填写。",
    *PLEDGE,
    "二、场景实例建设方案及情况",
    "（此部分参考《智能制造典型场景参考指引》（见附件1）进行编写。",
    "鼓励申报主体填写新的环节或场景。）",
    "三、下一步提升和推广计划",
    "（一）提升计划",
    "（二）推广应用计划",
    "四、相关附件",
    *ANNEX1,
    "附2",
    "具体场景实例采用的关键装备、软件、工艺、技术情况",
    "具体场景实例名称（与上面表格对应）",
    *ANNEX2_BODY,
]
FACTORY_FORM = [  # 附件3-2 智能制造试点示范项目申报书（示范工厂）
    *COVER[:1],
    "（示范工厂）",
    *COVER[1:],
    "一、申报主体和示范工厂基本信息",
    *ENTERPRISE_HEAD,
    *ENTERPRISE_TAIL,
    "是否为国家智能制造试点示范项目",
    "是（项目名称：",
    "否",
    "是否为国家智能制造标杆企业",
    "是（项目名称：",
    "否",
    "是否为省级智能制造试点示范项目",
    "是（项目名称：",
    "否",
    "智能制造能力成熟度评估结果或其他能力证明材料",
    "一级",
    "二级",
    "三级",
    "四级",
    "五级",
    "（插入自评估证明材料）",
    "其他能力证明材料说明（可后附）",
    "企业近三年是否发生重大安全生产事故、重大环境事故",
    "是（事故名称：",
    "否",
    "企业简介",
    "（发展历程、主营业务、市场份额等方面基本情况，不超过500字。）",
    "（二）示范工厂揭榜任务基本信息",
    "揭榜任务具体名称",
    "揭榜行业",
    *FOUR_GROUPS,
    "揭榜任务细分行业",
    "揭榜任务建设地址",
    "揭榜任务系统解决方案供应商名称",
    "系统解决方案供应商联系人及联系方式",
    "起止日期",
    "揭榜任务总投资（万元）",
    "项目简述",
    "（对项目当前智能化建设情况和成效进行简要描述，不超过500字。）",
    "工厂整体建设成效",
    *KPIS,
    "（三）智慧供应链建设基本信息",
    "是否申报智慧供应链相关内容",
    "不申报无需填报",
    "揭榜任务生产的主要产品",
    "智慧供应链上下游关键企业",
    "智慧供应链上下游关键企业分工及产品",
    "智慧供应链解决方案供应商与联系方式",
    "供应链建设成效",
    "来料合格率提升（%）",
    "采购费用率下降（%）",
    "物流成本降低（%）",
    "订单配送周期缩短（%）",
    "（其他成效指标）",
    *PLEDGE,
    "二、项目总体情况",
    "（包括项目实施背景、基础条件、总体实施架构和总体建设情况等。）",
    "三、场景实例建设方案及情况",
    "智能工厂建设内容需至少覆盖8个环节。",
    "四、系统集成方案",
    "（在场景实例描述基础上，需重点阐述各个系统之间、多个场景实例之间的集成协同情况。）",
    "五、项目的先进性与特色",
    "六、项目实施成效",
    "七、后续实施计划",
    "（一）预期目标",
    "（二）下一步建设主要内容和实施计划（含融资需求）",
    "（三）成长性分析",
    "（四）推广应用计划",
    *ANNEX1,
    "附2",
    "场景实例采用的关键装备、软件、工艺、技术情况",
    "场景实例名称（与上面表格对应）",
    *ANNEX2_BODY,
    "附3",
    "项目突破的关键技术清单（选填）",
    "序号",
    "技术名称",
    "关键参数（两到三个核心参数）",
    "备注",
    "附4",
    "项目突破的关键装备清单（选填）",
    "序号",
    "装备名称",
    "关键参数（两到三个核心参数）",
    "备注",
    "附5",
    "项目突破的关键软件/系统清单（选填）",
    "序号",
    "软件/系统名称",
    "关键参数（两到三个核心参数）",
    "备注",
    "附6",
    "项目建设过程中形成的标准清单（选填）",
    "序号",
    "标准名称",
    "标准类型（选填国标、行标、团标、企标）",
    "标准状态（选填已发布、草案）",
    "标准号",
    "备注",
    "附7",
    "项目建设过程中形成的专利清单（选填）",
    "序号",
    "专利名称",
    "专利类型（选填发明、实用新型、外观、软著）",
    "专利状态（选填已发布、审查中）",
    "专利号",
    "备注",
]
REQUIRED = {"生产效率提升", "资源综合利用率提升", "运营成本下降", "质量损失率下降"}
SUMMARY_HEAD_1 = ["序号", "申报企业名称", "申报智能制造典型场景实例（罗列）", None, "联系人", "联系方式（手机号）"]
SUMMARY_HEAD_2 = ["序号", "揭榜单位名称", "示范工厂名称", "涉及典型场景实例（罗列）", "联系人", "联系方式（手机号）"]
SUMMARY_NOTE_1 = "注：1.推荐智能制造优秀场景排名有先后；2.推荐数量不能超过规定的上限。"
SUMMARY_NOTE_2 = "注：1.推荐智能制造示范工厂排名有先后；2.推荐数量不能超过规定的上限。"

FORMULAS = ['=HYPERLINK("http://evil.example","点我")', "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1"]
CONTROL = "控制\x01字符\x1b名\x7f\u202e称"


# -- helpers ----------------------------------------------------------------------------------------------------------


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u3000", ""))


def body(doc) -> list[str]:
    """Every paragraph and table cell in document order (a merged cell once)."""
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(Paragraph(el, doc).text)
        elif el.tag == qn("w:tbl"):
            for row in Table(el, doc).rows:
                seen = set()
                for c in row.cells:
                    if id(c._tc) not in seen:
                        seen.add(id(c._tc))
                        out.append(c.text)
    return out


def assert_in_order(labels: list[str], doc) -> None:
    text = flat("\n".join(body(doc)))
    pos = 0
    for label in labels:
        i = text.find(flat(label), pos)
        assert i >= 0, f"{label!r} missing after …{text[max(0, pos - 40) : pos]!r}"
        pos = i + len(flat(label))


def tables_starting(doc, head: str) -> list[Table]:
    return [t for t in doc.tables if flat(t.rows[0].cells[0].text).startswith(flat(head))]


def draft(Session, aid: int, programme: str):
    with Session() as s:
        return Document(io.BytesIO(service.declaration_draft(aid, programme, session=s, root=CRITERIA)))


GOOD = dict(demo.COMPLIANCE)


def applicant(
    s, name: str, *, code: str, links: int, cap: int, factory: str = "一号工厂", enterprise_id: int | None = None, seed: int = 0
) -> int:
    """An assessment on the 2023 catalogue: one scenario on each of ``links`` links, the four required KPIs, every
    requirement up to level ``cap`` fully met (some above it at random). Eligible for 示范工厂 with 8 links or more."""
    if enterprise_id is None:
        enterprise_id = repo.create_enterprise(
            session=s,
            compliance=GOOD,
            name=name,
            credit_code=code,
            province="浙江",
            ownership="private",
            industry_group="equipment",
            legal_person=True,
            above_scale=True,
            employees=1500,
            revenue_wan=90000,
            standing="domestic_leading",
        ).id
    f = repo.create_factory(enterprise_id, factory, "discrete", session=s, sub_sector="通用", address="浙江省嘉兴市示例路1号")
    a = repo.create_assessment(f.id, session=s, scenario_catalogue="scenarios/2023", root=CRITERIA)
    cat = load_catalogue("scenarios/2023", CRITERIA)
    first = {}
    for sc in cat.data.scenarios:
        first.setdefault(sc.link, sc.id)
    rng = random.Random(seed)
    reqs = load_maturity_cached("maturity/2020", CRITERIA).applicable_requirements("discrete")
    v = repo.save_answers(
        a.id,
        {r.id: {"grade": "full" if r.level <= cap or rng.random() < 0.4 else "none"} for r in reqs},
        session=s,
        expected_version=a.version,
        root=CRITERIA,
    )
    v = repo.set_scenarios(
        a.id,
        [{"scenario": sid, "name": f"实例{i}", "ai": i == 0} for i, sid in enumerate(list(first.values())[:links])],
        session=s,
        expected_version=v,
        root=CRITERIA,
    )
    repo.set_kpis(
        a.id,
        {
            k: {"value": 12.5, "period": "2020-2022"}
            for k in ("productivity_up", "resource_util_up", "opex_down", "quality_loss_down")
        },
        session=s,
        expected_version=v,
        root=CRITERIA,
    )
    return a.id


@pytest.fixture
def seeded(Session):
    with Session.begin() as s:
        return demo.load_demo(s)  # three factories, none eligible for the 2023 programmes


@pytest.fixture
def eligible(Session):
    with Session.begin() as s:
        return applicant(s, "示例·钱塘智能装备有限公司", code="91330100MA27000001", links=16, cap=3)


# -- 申报书 ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("programme", ["demo_factory_2023", "smart_supply_chain_2023"])
def test_factory_form_every_field_in_order(Session, eligible, programme):
    doc = draft(Session, eligible, programme)
    assert_in_order(FACTORY_FORM, doc)
    text = flat("\n".join(body(doc)))
    chain = (
        "是否申报智慧供应链相关内容（☑是□否）"
        if programme == "smart_supply_chain_2023"
        else "是否申报智慧供应链相关内容（□是☑否）"
    )
    assert chain in text


def test_scenario_form_every_field_in_order(Session, eligible):
    doc = draft(Session, eligible, "excellent_scenario_2023")
    assert_in_order(SCENARIO_FORM, doc)
    text = flat("\n".join(body(doc)))
    for absent in ("（二）示范工厂揭榜任务基本信息", "（三）智慧供应链建设基本信息", "附3", "七、后续实施计划"):
        assert flat(absent) not in text


def test_what_the_toolkit_holds_is_filled_in(Session, seeded):
    doc = draft(Session, seeded[2], "demo_factory_2023")
    text = flat("\n".join(body(doc)))
    for filled in (
        "示例·北方重型装备股份有限公司",
        "91120000MA050D0E03",
        "☑地方国企",
        "☑大型企业",
        "□是（事故名称：）☑否",
        "揭榜任务具体名称4天津总装基地",
        "☑装备制造",
        "揭榜任务细分行业5专用",
        "☑四级",
        "S=4.197",
    ):
        assert flat(filled) in text, filled
    assert "☑三级" not in text and "（盖章）" in text
    for internal in ("demo_factory", "maturity/2020", "smart_factory/", "sg2025-", "sg2023-", "d2023.", "local_soe", "None"):
        assert internal not in text, internal


def test_every_section_is_a4(Session, eligible, seeded):
    for aid, programme in (
        (eligible, "demo_factory_2023"),
        (eligible, "excellent_scenario_2023"),
        (seeded[0], "smart_supply_chain_2023"),
    ):
        doc = draft(Session, aid, programme)
        sizes = [(round(s.page_width.mm), round(s.page_height.mm)) for s in doc.sections]
        assert set(sizes) <= {(210, 297), (297, 210)}, sizes
        assert sizes[0] == (210, 297) and (297, 210) in sizes  # portrait, with 附1 in landscape


@pytest.mark.parametrize("programme", ["demo_factory_2023", "smart_supply_chain_2023", "excellent_scenario_2023"])
def test_kpi_table_has_18_rows_with_the_star_marks(Session, seeded, programme):
    doc = draft(Session, seeded[2], programme)
    head = "整体建设成效" if programme.startswith("excellent") else "工厂整体建设成效"
    (table,) = tables_starting(doc, head)
    labels = [flat(r.cells[0].text) for r in table.rows[1:]]
    kpi_rows = [x for x in labels if x != "（其他成效指标）"]
    assert len(kpi_rows) == 18 and labels[-1] == "（其他成效指标）"
    names = [x.split("（")[0] for x in kpi_rows]
    assert {n.rstrip("*") for n in names if n.endswith("*") and not n.endswith("**")} == REQUIRED
    for expected, got in zip(KPIS, labels):
        assert got.startswith(flat(expected).split("（")[0]), (expected, got)
    values = {flat(r.cells[0].text).split("（")[0].rstrip("*"): r.cells[1].text for r in table.rows[1:]}
    assert values["生产效率提升"] == "24" and values["研制周期缩短"] == "28" and values["资源综合利用率提升"] == ""
    if programme.startswith("excellent"):
        assert any(x.startswith("先进过程控制投用率**") for x in labels)


def test_annex1_has_the_12_columns_and_a_row_per_instance(Session, seeded):
    for programme in ("demo_factory_2023", "excellent_scenario_2023"):
        doc = draft(Session, seeded[2], programme)
        (table,) = tables_starting(doc, "序号")[:1]
        assert [flat(c.text) for c in table.rows[0].cells] == [flat(h) for h in ANNEX1[2:]]
        assert len(table.columns) == 12 and len(table.rows) == 1 + 8


def test_2023_catalogue_names_in_a_2023_form(Session, seeded, eligible):
    cat23, cat25 = load_catalogue("scenarios/2023", CRITERIA), load_catalogue("scenarios/2025", CRITERIA)
    names23 = {s.name_zh for s in cat23.data.scenarios} | {""}
    links23 = {x.name_zh for x in cat23.data.links} | {""}
    only25 = {s.name_zh for s in cat25.data.scenarios} - names23
    doc = draft(Session, seeded[2], "demo_factory_2023")  # recorded against the 2025 guide
    (table,) = tables_starting(doc, "序号")[:1]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert {r[1] for r in rows} <= links23 and {r[2] for r in rows} <= names23
    assert ("设备管理", "设备故障诊断与预测", "关键设备故障预测") in {(r[1], r[2], r[3]) for r in rows}  # same scenario in both
    twin = next(r for r in rows if r[3] == "总装数字孪生车间")  # 数字孪生工厂构建 has no 2023 counterpart: left to choose
    assert twin[1] == twin[2] == "" and "数字孪生工厂构建" in twin[11]
    assert not any(n in r[2] for r in rows for n in only25)
    own = draft(Session, eligible, "demo_factory_2023")  # recorded against the 2023 guide: every name filled in
    (table,) = tables_starting(own, "序号")[:1]
    assert all(r.cells[1].text in links23 - {""} and r.cells[2].text in names23 - {""} for r in table.rows[1:])


def test_warning_page_first_when_not_eligible(Session, seeded, eligible):
    doc = draft(Session, seeded[0], "demo_factory_2023")
    paras = [p.text for p in doc.paragraphs if p.text.strip()]
    assert paras[0] == "提示：本工厂目前不满足申报条件"
    cover = paras.index("智能制造试点示范项目申报书")
    warning = "\n".join(paras[:cover])
    assert "示范工厂建设内容覆盖不少于8个环节（当前：1）" in warning and "未填：资源综合利用率提升" in warning
    assert "d2023." not in warning and "regional_leading" not in warning and "kpis_present" not in warning
    ok = [p.text for p in draft(Session, eligible, "demo_factory_2023").paragraphs if p.text.strip()]
    assert ok[0] == "智能制造试点示范项目申报书"  # eligible: the cover comes first


def test_only_programmes_with_a_known_form(Session, seeded):
    with Session() as s:
        with pytest.raises(ValueError, match="unknown programme"):
            service.declaration_draft(seeded[2], "nope_2020", session=s, root=CRITERIA)
        for programme in ("demo_factory_2022", "excellent_tier_2025"):
            with pytest.raises(ValueError, match="没有可依据的申报书模板"):
                service.declaration_draft(seeded[2], programme, session=s, root=CRITERIA)


# -- 推荐汇总表 -------------------------------------------------------------------------------------------------------


@pytest.fixture
def field(Session, seeded):
    """Six enterprises eligible for 示范工厂 (one with two factories), one only for 优秀场景, the demo's three not at all."""
    with Session.begin() as s:
        ids = [
            applicant(s, f"示例·第{i}装备有限公司", code=f"9133010{i}MA27000000", links=8 + i, cap=2 + i % 3, seed=i)
            for i in range(6)
        ]
        first = repo.get_assessment(ids[0], session=s).factory.enterprise_id
        ids.append(applicant(s, "", code="", links=9, cap=4, factory="二号工厂", enterprise_id=first, seed=99))
        ids.append(applicant(s, "示例·场景优选有限公司", code="91330107MA27000000", links=3, cap=2, seed=7))
    return seeded + ids


def summary(Session, region, programme="demo_factory_2023", aids=None):
    with Session() as s:
        p = service.recommendation_plan(aids, "某市工业和信息化局", programme, session=s, root=CRITERIA, region=region)
    return p, openpyxl.load_workbook(io.BytesIO(summary_xlsx(p)))  # what recommendation_list writes


def test_summary_title_columns_notes_and_print_setup(Session, field):
    _, wb = summary(Session, {"kind": "province", "cumulative_provincial_pilots": 120})
    assert wb.sheetnames[:2] == ["推荐汇总表", "未列入推荐"]
    ws = wb["推荐汇总表"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "智能制造试点示范项目推荐汇总表" and "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert rows[1][0] == "推荐单位（盖章）：某市工业和信息化局"
    titles = [r[0] for r in rows]
    one, two = titles.index("1. 智能制造优秀场景"), titles.index("2. 智能制造示范工厂")
    assert rows[one + 1] == SUMMARY_HEAD_1 and rows[two + 1] == SUMMARY_HEAD_2
    assert SUMMARY_NOTE_1 in titles[one:two] and titles[-1] == SUMMARY_NOTE_2
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert (
        ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    )
    assert ws.max_column == 6  # the form's columns, nothing else


def test_summary_one_row_per_enterprise_in_one_category_ranked_and_cut(Session, field):
    plan, wb = summary(Session, {"kind": "separately_planned_city"})  # 计划单列市: 10 优秀场景, 5 示范工厂
    assert plan.quota == {"scenario": 10, "factory": 5}
    factories, scenarios = plan.listed["factory"], plan.listed["scenario"]
    assert len(factories) == 5 and [a.enterprise for a in scenarios] == ["示例·场景优选有限公司"]
    assert [a.score for a in factories] == sorted((a.score for a in factories), reverse=True)
    names = [a.enterprise for a in factories + scenarios]
    assert len(names) == len(set(names))  # one row per enterprise, in one category
    reasons = {(a.enterprise, a.factory): why for a, why in plan.left_out}
    cut = [k for k, why in reasons.items() if why.startswith("超出推荐名额")]
    assert len(cut) == 1 and "第 6 位" in reasons[cut[0]]
    cut_score = next(a.score for a, _ in plan.left_out if (a.enterprise, a.factory) == cut[0])
    assert cut_score <= factories[-1].score
    twice = [k for k, why in reasons.items() if why.startswith("同一企业只推荐一个项目")]
    assert len(twice) == 1 and twice[0][0] == "示例·第0装备有限公司"
    for demo_name in ("示例·华东五金制品有限公司", "示例·江南精密电子有限公司", "示例·北方重型装备股份有限公司"):
        why = next(w for (e, _), w in reasons.items() if e == demo_name)
        assert why.startswith("不满足申报条件") and "覆盖不少于8个环节" in why and "d2023" not in why
    ws = wb["推荐汇总表"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    two = [r[0] for r in rows].index("2. 智能制造示范工厂")
    listed = [r for r in rows[two + 2 :] if isinstance(r[0], int)]
    assert [r[1] for r in listed] == [a.enterprise for a in factories] and [r[0] for r in listed] == [1, 2, 3, 4, 5]
    assert listed[0][3].startswith("1. 产品设计—产品数字化研发与设计—实例0\n2. 工艺设计—")
    left = [[c.value for c in r] for r in wb["未列入推荐"].iter_rows(min_row=2)]
    assert len(left) == len(plan.left_out) == 5


def test_summary_quota_from_the_region_facts(Session, field):
    small, _ = summary(Session, {"kind": "province", "cumulative_provincial_pilots": 300})
    large, _ = summary(Session, {"kind": "province", "cumulative_provincial_pilots": 301})
    assert small.quota == {"scenario": 30, "factory": 15} and large.quota == {"scenario": 40, "factory": 20}
    with pytest.raises(ValueError, match="省级智能制造试点示范项目累计数量"):
        summary(Session, {"kind": "province"})
    with pytest.raises(ValueError, match="region.cumulative_provincial_pilots"):
        summary(Session, {"kind": "province", "cumulative_provincial_pilots": -1})
    with pytest.raises(ValueError, match="推荐汇总表（附件4）"):
        summary(Session, {"kind": "province"}, programme="excellent_tier_2025")


def test_summary_cli(tmp_path):
    from assessment.store.db import make_engine, session_factory, upgrade

    db = tmp_path / "cli.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    with session_factory(engine).begin() as s:
        demo.load_demo(s)
        applicant(s, "示例·命令行装备有限公司", code="91330100MA27000009", links=9, cap=3)
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SFA_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "summary.xlsx"

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "assessment", "report", "summary", *args], capture_output=True, text=True, cwd=ROOT, env=env
        )

    ok = run(
        "--programme",
        "demo_factory_2023",
        "--out",
        str(out),
        "--recommender",
        "某省工业和信息化厅",
        "--cumulative-provincial-pilots",
        "120",
    )
    assert ok.returncode == 0, ok.stderr
    assert "示范工厂 1/15" in ok.stdout and "未列入 not listed 3" in ok.stdout
    assert openpyxl.load_workbook(out)["推荐汇总表"]["A2"].value == "推荐单位（盖章）：某省工业和信息化厅"
    for args, message in (
        (("--programme", "demo_factory_2023"), "省级智能制造试点示范项目累计数量"),
        (("--programme", "nope_2023", "--cumulative-provincial-pilots", "1"), "unknown programme"),
        (("--programme", "demo_factory_2023", "--cumulative-provincial-pilots", "-5"), "0 or more"),
    ):
        bad = run(*args, "--out", str(tmp_path / "bad.xlsx"))
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1 and not (tmp_path / "bad.xlsx").exists()


# -- user text in every export -----------------------------------------------------------------------------------------


def hostile(Session, aid: int, names: list[str]) -> None:
    """Put hostile text where users type: enterprise, factory, assessment title, scenario names, an answer note. The
    control characters are written straight to the database (the input layer refuses them; older data may hold them)."""
    with Session.begin() as s:
        a = repo.get_assessment(aid, session=s)
        a.factory.enterprise.name, a.factory.name, a.title = names[0], names[1], names[2]
        for sc, name in zip(a.scenarios, names[3:]):
            sc.name = name
        a.answers[0].note = names[-1]


def cells_with(wb, needles: list[str]):
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(n in c.value for n in needles):
                    found.append(c)
    return found


def no_formulas(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name


@pytest.mark.parametrize(
    "names, needles",
    [
        (FORMULAS + ["=1+1"], ["HYPERLINK", "SUM(1,2)", "-2+3", "@SUM(A1)", "=1+1"]),
        ([CONTROL, "厂\x07名", "\x0b标题", "实例\x1f", "\u202e实例", "@", "说明\x08"], ["字符", "厂\ufffd名", "标题", "实例"]),
    ],
    ids=["formulas", "control"],
)
def test_user_text_in_every_export(Session, seeded, field, names, needles):
    aid = field[-2]  # the second factory of 示例·第0装备有限公司: listed on the 推荐汇总表
    hostile(Session, aid, names)
    with Session() as s:
        book = service.workbook(aid, session=s, root=CRITERIA)
        listing = service.recommendation_list(
            None, "=推荐单位", "demo_factory_2023", session=s, root=CRITERIA, region={"kind": "separately_planned_city"}
        )
        docs = [
            service.declaration_draft(aid, p, session=s, root=CRITERIA)
            for p in ("demo_factory_2023", "smart_supply_chain_2023", "excellent_scenario_2023")
        ]
    for data in (book, listing):
        no_formulas(data)
        wb = openpyxl.load_workbook(io.BytesIO(data))
        hits = cells_with(wb, needles)
        assert {n for n in needles if any(n in c.value for c in hits)} >= set(needles[:2])
        for c in hits:
            assert c.data_type == "s", (c.coordinate, c.value)
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", c.value)
            if c.value.startswith(("=", "+", "-", "@", "\t")):
                assert c.quotePrefix, c.value
        if names[0] == CONTROL:
            assert any(c.value == "控制\ufffd字符\ufffd名\ufffd\ufffd称" for c in hits)
        else:
            assert any(c.value == names[0] and c.quotePrefix for c in hits)  # printed as typed, never evaluated
    for data in docs:
        text = "\n".join(body(Document(io.BytesIO(data))))
        assert ("控制\ufffd字符" if names[0] == CONTROL else names[0]) in text
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", text)
