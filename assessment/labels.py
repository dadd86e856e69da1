"""Names shown to users, in Chinese and English, from one place: the app, the command line and the reports call this.

Names come from the criteria data wherever the data has them: levels from the maturity model (``model.yaml``),
grades from its scoring file, tiers from the tier editions, scenarios and links from the catalogues, programmes, KPIs
(with units) and size classes from the declaration rules, edition titles from the registry (and the standards' own
names). What the data does not name is tabled here once: the closed sets of the profile (standing, ownership,
accident severity, industry group, recommender kind), the facts a rule reads, the rules' operators and the
provenance kinds. ``tests/test_labels.py`` checks that every id of the shipped criteria has a name in both languages.

Every function takes ``lang`` ("zh" or "en"); an unknown id comes back as itself (data stored by an older version
still shows), never as an exception.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from .catalogue import DIMENSION_NAMES, DIMENSIONS, Catalogue
from .declarations import load_declarations
from .editions import DECLARATIONS_EDITION, DEFAULT_ROOT, MaturityEdition, load_maturity_cached, load_registry
from .loader import CriteriaError
from .programmes import Declarations
from .scenarios import load_catalogue
from .tiering import TierEdition
from .tiers import load_tier_edition

Lang = Literal["zh", "en"]

MATURITY = "maturity/2020"  # level and grade names (the same in every maturity edition)
TIER_EDITION = "smart_factory/2025"
CATALOGUE = "scenarios/2025"


def pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


# -- criteria data, loaded once per criteria folder ------------------------------------------------------------


@lru_cache(maxsize=8)
def _maturity(edition: str, root: Path) -> MaturityEdition:
    return load_maturity_cached(edition, root)


@lru_cache(maxsize=8)
def _tiers(edition: str, root: Path) -> TierEdition:
    return load_tier_edition(edition, root)


@lru_cache(maxsize=4)
def _decl(edition: str, root: Path) -> Declarations:
    return load_declarations(edition, root)


@lru_cache(maxsize=8)
def _catalogue(edition: str, root: Path) -> Catalogue:
    return load_catalogue(edition, root)


# -- maturity levels and grades -------------------------------------------------------------------------------

ZH_NUMERALS = {0: "零", 1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


@lru_cache(maxsize=8)
def _level_names(edition: str, root: Path) -> dict[int, tuple[str, str]]:
    """{n: (zh, en)} of an edition's levels; those of the default edition when the given one cannot be read (an
    answers file of a test criteria folder), so a name never fails."""
    for ed, rt in ((edition, root), (MATURITY, DEFAULT_ROOT)):
        try:
            return {lv.n: (lv.name_zh, lv.name_en) for lv in _maturity(ed, rt).levels}
        except (KeyError, ValueError, OSError, CriteriaError):
            continue
    return {}


LevelForm = Literal["full", "short", "name", "compact"]


def level(n: int | None, lang: str, form: LevelForm = "full", *, edition: str = MATURITY, root: Path = DEFAULT_ROOT) -> str:
    """A maturity level in words: ``full`` 三级（集成级） / Level 3 (Integrated); ``short`` 三级 / Level 3; ``name`` 集成级 /
    Integrated; ``compact`` 三级 集成级 / Level 3 · Integrated. Level 0 is 未达到一级 / below Level 1."""
    if n is None:
        return not_given(lang)
    if n == 0:
        return pick(lang, "未达到一级", "no level reached")  # as certificates print it (their pages are re-derived)
    short = pick(lang, f"{ZH_NUMERALS.get(n, n)}级", f"Level {n}")
    names = _level_names(edition, root)
    if n not in names:
        return short
    nm = pick(lang, *names[n])
    return {
        "full": pick(lang, f"{short}（{nm}）", f"{short} ({nm})"),
        "short": short,
        "name": nm,
        "compact": pick(lang, f"{short} {nm}", f"{short} · {nm}"),
    }[form]


def grade(g: str | None, lang: str, *, with_value: bool = False, edition: str = MATURITY, root: Path = DEFAULT_ROOT) -> str:
    """A grade id in words (full → 全部满足 / Fully met; ``with_value``: 1 全部满足); None is 未评, na 不适用."""
    if g is None:
        return pick(lang, "未评", "Not assessed")
    if g == "na":
        return pick(lang, "不适用", "N/A")
    for x in _maturity(edition, root).scoring.grades:
        if x.id == g:
            nm = pick(lang, x.name_zh, x.name_en)
            return f"{float(x.value):g} {nm}" if with_value else nm
    return str(g)


def industry_type(it: str | None, lang: str, *, edition: str = MATURITY, root: Path = DEFAULT_ROOT) -> str:
    names = _maturity(edition, root).model.industry_types
    for k, v in names.items():
        if getattr(k, "value", k) == it:
            return pick(lang, v.name_zh, v.name_en)
    return not_given(lang) if it is None else str(it)


# -- tiers, dimensions, scenarios -----------------------------------------------------------------------------


def tier(tid: str | None, lang: str, *, edition: str = TIER_EDITION, root: Path = DEFAULT_ROOT) -> str:
    """A tier id in words (advanced → 先进级 / Advanced); ``none`` is 未达到基础级 / no tier reached."""
    ed = _tiers(edition, root)
    if tid in (None, "none"):
        first = ed.tiers[0]
        return pick(lang, f"未达到{first.name_zh}", "no tier reached")
    for t in ed.tiers:
        if t.id == tid:
            return pick(lang, t.name_zh, t.name_en)
    return str(tid)


def tier_self_assessed(tid: str, *, edition: str = TIER_EDITION, root: Path = DEFAULT_ROOT) -> bool:
    """Whether a tier is awarded by the enterprise's own assessment (its certifier reads 企业自建自评)."""
    return any(t.id == tid and "自评" in t.certifier_zh for t in _tiers(edition, root).tiers)


def dimension(d: str, lang: str) -> str:
    zh, en = DIMENSION_NAMES.get(d, (d, d))
    return pick(lang, zh, en)


def link(link_id: str, lang: str, *, catalogue: str = CATALOGUE, root: Path = DEFAULT_ROOT) -> str:
    x = _catalogue(catalogue, root).links.get(link_id)
    return pick(lang, x.name_zh, x.name_en) if x else str(link_id)


def scenario(sid: str, lang: str, *, catalogue: str = CATALOGUE, root: Path = DEFAULT_ROOT) -> str:
    x = _catalogue(catalogue, root).scenarios.get(sid)
    return pick(lang, x.name_zh, x.name_en) if x else str(sid)


# -- programmes, KPIs, size classes ------------------------------------------------------------------------------


def programme(pid: str, lang: str, *, edition: str = DECLARATIONS_EDITION, root: Path = DEFAULT_ROOT) -> str:
    p = _decl(edition, root).programmes.get(pid)
    return pick(lang, p.name_zh, p.name_en) if p else str(pid)


def kpi(kid: str, lang: str, *, edition: str = DECLARATIONS_EDITION, root: Path = DEFAULT_ROOT) -> str:
    k = _decl(edition, root).kpis.get(kid)
    return pick(lang, k.name_zh, k.name_en) if k else str(kid)


def kpi_unit(kid: str, *, edition: str = DECLARATIONS_EDITION, root: Path = DEFAULT_ROOT) -> str:
    k = _decl(edition, root).kpis.get(kid)
    return k.unit if k else ""


def size_class(cid: str | None, lang: str, *, edition: str = DECLARATIONS_EDITION, root: Path = DEFAULT_ROOT) -> str:
    if cid is None:
        return pick(lang, "未知（需从业人员与营业收入）", "unknown (needs employees and revenue)")
    for c in _decl(edition, root).sizes.classes:
        if c.id == cid:
            return pick(lang, c.name_zh, c.name_en)
    return str(cid)


# -- the profile's closed sets -----------------------------------------------------------------------------------

ENUMS: dict[str, dict[str, tuple[str, str]]] = {
    "standing": {
        "global_leading": ("全球领先", "globally leading"),
        "international_advanced": ("国际先进", "internationally advanced"),
        "domestic_leading": ("国内领先", "leading in China"),
        "regional_leading": ("区域领先", "regionally leading"),
        "none": ("一般（未达到区域领先）", "not yet regionally leading"),
    },
    "ownership": {
        "central_soe": ("中央企业", "central state-owned enterprise"),
        "local_soe": ("地方国有企业", "local state-owned enterprise"),
        "private": ("民营企业", "private enterprise"),
        "foreign": ("三资企业", "foreign-invested enterprise"),
    },
    "accident": {
        "none": ("无", "no accident"),
        "general": ("一般事故", "a general accident"),
        "serious": ("较大事故", "a serious accident"),
        "major": ("重大事故", "a major accident"),
        "especially_major": ("特别重大事故", "an especially major accident"),
    },
    "industry_group": {
        "raw_materials": ("原材料", "raw materials"),
        "equipment": ("装备制造", "equipment manufacturing"),
        "consumer": ("消费品", "consumer goods"),
        "electronics": ("电子信息", "electronics and IT"),
    },
    "region_kind": {
        "province": ("省（区、市）", "province (region, municipality)"),
        "separately_planned_city": ("计划单列市", "separately planned city"),
        "bingtuan": ("新疆生产建设兵团", "Xinjiang Production and Construction Corps"),
        "central_soe": ("中央企业集团", "central state-owned enterprise group"),
    },
    "quota_basis": {
        "cumulative_provincial_pilots": (
            "省级智能制造试点示范项目累计数量",
            "cumulative number of provincial pilot and demonstration projects",
        ),
        "iva_rank": ("工业增加值全国排名", "national rank by industrial value added"),
        "excellent_count": ("本地区卓越级智能工厂数量", "excellent-tier smart factories in the region"),
    },
    "assessment_status": {
        "draft": ("草稿", "draft"),
        "submitted": ("已提交", "submitted"),
        "under_review": ("审核中", "under review"),
        "certified": ("已认定", "certified"),
        "archived": ("已归档", "archived"),
    },
    "edition_status": {
        "in_force": ("现行", "in force"),
        "draft": ("征求意见稿（未生效）", "draft, not in force"),
        "superseded": ("已被取代", "superseded"),
        "reference": ("参考", "reference"),
    },
}


def enum(kind: str, value: Any, lang: str) -> str:
    """A value of one of the profile's closed sets in words (standing domestic_leading → 国内领先 / leading in China)."""
    if value is None:
        return not_given(lang)
    zh_en = ENUMS.get(kind, {}).get(value)
    return pick(lang, *zh_en) if zh_en else str(value)


PROVENANCE = {
    "official": ("官方条款", "official clause"),
    "public_document": ("公开文件", "public document"),
    "secondary": ("二手资料", "secondary source"),
    "authored": ("自拟转述", "own wording"),
    "provisional": ("暂定", "provisional"),
}


def provenance(kind: str, lang: str) -> str:
    zh_en = PROVENANCE.get(kind)
    return pick(lang, *zh_en) if zh_en else str(kind)


# expert review of a requirement (``review.status`` in the criteria files; None: not reviewed)
REVIEW = {
    "approved": ("已通过", "approved"),
    "changes_requested": ("需修改", "changes requested"),
    "rejected": ("否决", "rejected"),
    None: ("未审核", "not reviewed"),
}
REVIEW_BADGE = {
    "approved": ("专家已审", "Expert-reviewed"),
    "changes_requested": ("专家：需修改", "Expert: changes requested"),
    "rejected": ("专家：否决", "Expert: rejected"),
    None: ("待专家审核", "Awaiting expert review"),
}


def review_status(status: str | None, lang: str, *, badge: bool = False) -> str:
    """An expert review status in words (approved → 已通过; with ``badge``: 专家已审); None or "none" is 未审核."""
    table = REVIEW_BADGE if badge else REVIEW
    zh_en = table.get(None if status == "none" else status)
    return pick(lang, *zh_en) if zh_en else str(status)


def review_counts(counts: dict[str, int], lang: str) -> str:
    """专家审核：已通过 0 / 需修改 0 / 否决 0 / 未审核 379 (from :meth:`MaturityEdition.review_counts`)."""
    parts = " / ".join(
        f"{review_status(k, lang)} {counts.get(k, 0)}" for k in ("approved", "changes_requested", "rejected", "none")
    )
    return pick(lang, f"专家审核：{parts}", f"Expert review: {parts}")


# -- the facts a rule reads, and where each is entered ----------------------------------------------------------


class Where:
    """Where a fact is entered in the app: a page (its url path), an anchor on it and the path in words."""

    __slots__ = ("key", "page", "anchor", "zh", "en")

    def __init__(self, key: str, page: str, anchor: str | None, zh: str, en: str):
        self.key, self.page, self.anchor, self.zh, self.en = key, page, anchor, zh, en

    def text(self, lang: str) -> str:
        return pick(lang, self.zh, self.en)

    def __repr__(self) -> str:
        return f"Where({self.key!r})"


FORMS = {
    w.key: w
    for w in (
        Where("facts", "home", "facts", "首页 → 企业合规与申报事实", "Home → Compliance and declaration facts"),
        Where("enterprise", "home", "enterprise", "首页 → 企业信息", "Home → Enterprise facts"),
        Where("awards", "home", "awards", "首页 → 已获得的智能工厂层级", "Home → Tiers already obtained"),
        Where("build", "home", "build", "首页 → 建设内容与建设成效", "Home → Build content and outcomes"),
        Where("answers", "assess", None, "自评估", "Self-assessment"),
        Where("scenarios", "scenarios", "scenarios", "场景与指标 → 已实施的场景实例", "Scenarios and KPIs → Scenario instances"),
        Where("kpis", "scenarios", "kpis", "场景与指标 → 成效指标", "Scenarios and KPIs → Outcome KPIs"),
        Where("tiers", "results", "tiers", "结果 → 智能工厂层级", "Results → Smart-factory tier"),
    )
}

# path -> (zh, en, form, enum kind or unit)
FACTS: dict[str, tuple[str, str, str, str | None]] = {
    "enterprise.name": ("企业名称", "enterprise name", "enterprise", None),
    "enterprise.factory": ("工厂名称", "factory name", "enterprise", None),
    "enterprise.credit_code": ("统一社会信用代码", "unified social credit code", "enterprise", None),
    "enterprise.legal_person": ("是否独立法人", "independent legal person", "enterprise", None),
    "enterprise.branch_industry": ("分支机构所属行业", "industry of the branch", "enterprise", None),
    "enterprise.ownership": ("企业性质", "ownership", "enterprise", "enum:ownership"),
    "enterprise.above_scale": ("是否规模以上工业企业", "industrial enterprise above designated size", "enterprise", None),
    "enterprise.employees": ("从业人员", "employees", "enterprise", "unit:人:people"),
    "enterprise.revenue_wan": ("营业收入", "operating revenue", "enterprise", "unit:万元:10,000 yuan"),
    "enterprise.industry_group": ("所属行业", "industry group", "enterprise", "enum:industry_group"),
    "enterprise.industry_type": ("行业类型", "industry type", "enterprise", "industry_type"),
    "enterprise.sub_sector": ("细分行业", "sub-sector", "enterprise", None),
    "enterprise.province": ("省份", "province", "enterprise", None),
    "enterprise.standing": ("智能制造水平", "smart-manufacturing standing", "facts", "enum:standing"),
    "region.kind": ("推荐单位类型", "kind of recommender", "facts", "enum:region_kind"),
    "region.cumulative_provincial_pilots": ("省级智能制造试点示范累计数量", "cumulative provincial pilots", "facts", None),
    "region.iva_rank": ("工业增加值全国排名", "national rank by industrial value added", "facts", None),
    "region.excellent_count": ("本地区卓越级智能工厂数量", "excellent-tier smart factories in the region", "facts", None),
    "compliance.good_results_3y": (
        "近三年生产经营和财务状况良好",
        "sound operations and finances in the last three years",
        "facts",
        None,
    ),
    "compliance.good_credit": ("信用记录良好、未列入严重失信名单", "a good credit record", "facts", None),
    "compliance.worst_accident_3y": (
        "近三年最严重的安全、环境事故",
        "the worst safety or environmental accident in the last three years",
        "facts",
        "enum:accident",
    ),
    "compliance.violations_3y": ("近三年有违法违规行为", "violations of law in the last three years", "facts", None),
    "compliance.secure_controllable": (
        "关键装备、工业软件安全可控",
        "key equipment and software secure and controllable",
        "facts",
        None,
    ),
    "compliance.ip_disputes": ("解决方案有知识产权纠纷", "intellectual-property disputes over the solution", "facts", None),
    "compliance.holds_demo_task": ("已承担示范工厂揭榜任务", "already holds a demonstration-factory task", "facts", None),
    "compliance.smart_mfg_team": ("有智能工厂建设组织与人才队伍", "a smart-factory organisation and talent pool", "facts", None),
    "compliance.willing_site_review": (
        "愿意配合现场评估与宣传推广",
        "willing to host the site evaluation and publicity",
        "facts",
        None,
    ),
    "compliance.build_completed": ("已完成智能工厂建设", "smart-factory build completed", "facts", None),
    "compliance.meets_industry_guidance": (
        "满足行业智能制造指导性文件要求",
        "meets the industry's smart-manufacturing guidance",
        "facts",
        None,
    ),
    "compliance.no_secrets": ("申报材料不涉及国家秘密、商业秘密", "application free of state and trade secrets", "facts", None),
}


def fact(path: str, lang: str) -> str:
    f = FACTS.get(path)
    return pick(lang, f[0], f[1]) if f else path


def fact_form(path: str) -> Where:
    return FORMS[FACTS[path][2]] if path in FACTS else FORMS["facts"]


def fact_value(path: str, value: Any, lang: str) -> str:
    """A fact's value in words: 是/否, enum names, numbers with their unit, 未提供 for nothing."""
    if value is None:
        return not_given(lang)
    if isinstance(value, bool):
        return yes_no(value, lang)
    kind = FACTS.get(path, (None, None, None, None))[3]
    if kind and kind.startswith("enum:"):
        return enum(kind[5:], value, lang)
    if kind == "industry_type":
        return industry_type(value, lang)
    if kind and kind.startswith("unit:") and isinstance(value, (int, float)):
        _, zh_unit, en_unit = kind.split(":", 2)
        return pick(lang, f"{value:g} {zh_unit}", f"{value:g} {en_unit}")
    return str(value)


# -- operators: the rules' closed set (assessment.rules.Op) ------------------------------------------------------

OPS = {
    "eq": ("=", "为{v}", "{v}"),
    "ne": ("≠", "不为{v}", "other than {v}"),
    "gte": ("≥", "不低于{v}", "at least {v}"),
    "lte": ("≤", "不高于{v}", "at most {v}"),
    "in": ("∈", "为{v}之一", "one of {v}"),
    "not_in": ("∉", "不为{v}中的任何一项", "none of {v}"),
}


def op_symbol(op: str) -> str:
    return OPS[op][0] if op in OPS else op


def op_phrase(op: str | None, values: str, lang: str) -> str:
    """The requirement in words: ``op_phrase("gte", "20%", "zh")`` → 不低于20%."""
    if op not in OPS:
        return f"{op} {values}"
    return (OPS[op][1] if lang == "zh" else OPS[op][2]).format(v=values)


def join_or(items: list[str], lang: str, quote: bool = True) -> str:
    """「是」、「否」或「一般」 / A, B or C."""
    if lang == "zh":
        q = [f"“{x}”" if quote else x for x in items]
        return q[0] if len(q) == 1 else "、".join(q[:-1]) + "或" + q[-1]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def join_and(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- small words and numbers -------------------------------------------------------------------------------------


def not_given(lang: str) -> str:
    return pick(lang, "未提供", "not provided")


def yes_no(b: bool | None, lang: str) -> str:
    if b is None:
        return not_given(lang)
    return pick(lang, "是", "Yes") if b else pick(lang, "否", "No")


def score_text(s: float) -> str:
    """S with three decimals, cut (never rounded up across a band edge: 1.7975 prints 1.797)."""
    return f"{math.floor(s * 1000 + 1e-6) / 1000:.3f}"


NOT_APPLICABLE = "—"  # a score of something that does not apply (every answer N/A): never shown as 0


def node_score(v: float | None, digits: int = 2) -> str:
    """A sub-domain, domain or level score as text: "—" when it does not apply."""
    return NOT_APPLICABLE if v is None else f"{v:.{digits}f}"


def percent(x: float, lang: str) -> str:
    """A share in per cent, cut to one decimal (never rounded up across a threshold): 0.4 → 40%, 0.1999 → 19.9%."""
    v = math.floor(x * 1000 + 1e-6) / 10
    text = f"{v:.1f}".rstrip("0").rstrip(".")
    return pick(lang, f"{text}%", f"{text} %")


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def english(text: str) -> str:
    """English criteria text without the Chinese glosses some of it carries: "graded 较大 (serious)" → "graded
    serious", "size (规上)" → "size", "a 揭榜 task" → "a task"; full-width punctuation becomes ASCII."""
    cjk = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
    s = re.sub(rf"{cjk}+(?:[^\sA-Za-z(]*{cjk}+)*\s*\(([^()]*)\)", r"\1", text)  # 中文 (gloss) → gloss
    s = re.sub(rf"\s*[(（][^()（）]*{cjk}[^()（）]*[)）]", "", s)  # (中文) dropped
    s = re.sub(rf"\s*{cjk}+", "", s)
    marks: dict[str, str | int | None] = {"，": ", ", "：": ": ", "；": "; ", "。": ". ", "（": "(", "）": ")", "、": ", "}
    s = s.translate(str.maketrans(marks))
    return re.sub(r" {2,}", " ", s).strip()


_REPO_PATH = r"(?:shared|criteria|tests|assessment)/[^\s;,，；()（）]+(?:\s*§\s*[\d.]+)?"


def citation(ref: str | None) -> str:
    """A reference as it may be printed for users: without this repository's file paths ("shared/seeds/002_….txt
    (工信厅联通装函〔2023〕212号) 附件3" → "工信厅联通装函〔2023〕212号 附件3"); empty when only a path was given."""
    if not ref:
        return ""
    s = re.sub(_REPO_PATH + r"\s*[(（]([^()（）]*)[)）]", r"\1", ref)  # path (what it is) → what it is
    s = re.sub(r"^\s*" + _REPO_PATH + r"\s*[;；,，]?", "", s)  # a leading path: dropped
    s = re.sub(r"[;；,，]\s*" + _REPO_PATH, "", s)  # a path after a separator: dropped with it
    s = re.sub(r"(?<=[A-Za-z] )" + _REPO_PATH, "the toolkit's reference notes", s)  # inside English words
    s = re.sub(_REPO_PATH, "本工具参考资料", s)
    s = re.sub(r"\(\s*[,;]\s*", "(", s)
    s = re.sub(r"\(\s*\)|（\s*）", "", s)
    s = re.sub(r"^\s*[;；,，:]\s*|\s*[;；,，:]\s*$", "", s.strip())
    return re.sub(r" {2,}", " ", s).strip()


# -- editions and standards ----------------------------------------------------------------------------------------


def edition_title(edition: str, lang: str, *, root: Path = DEFAULT_ROOT) -> str:
    """The official names behind an edition id: maturity/2020 → GB/T 39116-2020《智能制造能力成熟度模型》和
    GB/T 39117-2020《智能制造能力成熟度评估方法》; smart_factory/2025 → 《智能工厂梯度培育要素条件（2025年版）》; other
    editions by their registry title."""
    kind, _, version = edition.partition("/")
    year = version.split("-", 1)[0]
    if kind == "maturity" and "draft" in version:
        return pick(
            lang,
            f"GB/T 39116《智能制造能力成熟度模型》修订征求意见稿（{year}年，未生效）",
            f"the {year} draft revision of GB/T 39116 Maturity model of intelligent manufacturing capability (not in force)",
        )
    if kind == "maturity" and year == "2020":
        return pick(
            lang,
            "GB/T 39116-2020《智能制造能力成熟度模型》和 GB/T 39117-2020《智能制造能力成熟度评估方法》",
            "GB/T 39116-2020 Maturity model of intelligent manufacturing capability and GB/T 39117-2020 "
            "Assessment method of intelligent manufacturing capability maturity",
        )
    if kind == "smart_factory" and year.isdigit():
        return pick(
            lang, f"《智能工厂梯度培育要素条件（{year}年版）》", f"Smart Factory Tiered Cultivation Requirements ({year} edition)"
        )
    entry = load_registry(root).get(edition)
    if entry is None:
        return edition
    return pick(lang, f"《{entry.title_zh}》" if kind == "scenarios" else entry.title_zh, entry.title_en)


def edition_short(edition: str, lang: str, *, root: Path = DEFAULT_ROOT) -> str:
    """A short name for headers: GB/T 39116-2020, 梯度条件（2025年版） / tier conditions (2025 edition)."""
    kind, _, version = edition.partition("/")
    year = version.split("-", 1)[0]
    if kind == "maturity":
        return f"GB/T 39116-{year}" + (pick(lang, "（征求意见稿）", " (draft)") if "draft" in version else "")
    if kind == "smart_factory":
        return pick(lang, f"梯度培育要素条件（{year}年版）", f"Tier conditions ({year} edition)")
    if kind == "scenarios":
        return pick(lang, f"典型场景参考指引（{year}年版）", f"Scenario guide ({year})")
    if kind == "declarations":
        return pick(lang, f"申报条件（{version}）", f"Declaration rules ({version})")
    return edition


# -- tables for the app's pickers (ui.i18n builds its name tables from these) ------------------------------------


def pairs(kind: str, *, root: Path = DEFAULT_ROOT) -> dict[Any, tuple[str, str]]:
    """{id: (zh, en)} for ``level`` (compact form), ``tier``, ``grade`` (with value), ``provenance``, ``review_badge``
    (expert review status, None: not reviewed), ``industry_type``,
    ``dimension`` or an :data:`ENUMS` kind."""

    def both(fn) -> tuple[str, str]:
        return fn("zh"), fn("en")

    if kind == "level":
        return {n: both(lambda lg, n=n: level(n, lg, "compact", root=root)) for n in range(0, 6)}
    if kind == "tier":
        ids = ["none"] + [t.id for t in _tiers(TIER_EDITION, root).tiers]
        return {t: both(lambda lg, t=t: tier(t, lg, root=root)) for t in ids}
    if kind == "grade":
        grades: list[str | None] = [None, *(g.id for g in _maturity(MATURITY, root).scoring.grades), "na"]
        return {g: both(lambda lg, g=g: grade(g, lg, with_value=g not in (None, "na"), root=root)) for g in grades}
    if kind == "provenance":
        return dict(PROVENANCE)
    if kind == "review_badge":
        return dict(REVIEW_BADGE)
    if kind == "industry_type":
        return {k.value: (v.name_zh, v.name_en) for k, v in _maturity(MATURITY, root).model.industry_types.items()}
    if kind == "dimension":
        return {d: DIMENSION_NAMES[d] for d in DIMENSIONS}
    return {k: (zh, en[:1].upper() + en[1:]) for k, (zh, en) in ENUMS[kind].items()}
