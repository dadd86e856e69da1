"""Simplified Chinese first, English available: ``t(key)`` picks the session's language."""

from __future__ import annotations

import re

import streamlit as st

from assessment import labels

from .state import LANG

S = {
    "app_title": ("智能制造成熟度与智能工厂评估", "Smart-manufacturing maturity and smart-factory assessment"),
    "home": ("首页", "Home"),
    "assess": ("自评估", "Self-assessment"),
    "scenarios": ("场景与指标", "Scenarios and KPIs"),
    "results": ("结果", "Results"),
    "history": ("历史与对比", "History and comparison"),
    "reports": ("报告", "Reports"),
    "criteria": ("标准浏览", "Criteria browser"),
    "language": ("语言 / Language", "Language / 语言"),
    "user": ("当前用户", "Current user"),
    "demo": ("示例", "Demo"),
    "enterprise": ("企业", "Enterprise"),
    "factory": ("工厂", "Factory"),
    "assessment": ("评估", "Assessment"),
    "new_enterprise": ("新建企业", "New enterprise"),
    "new_factory": ("新建工厂", "New factory"),
    "new_assessment": ("开始新的评估", "Start a new assessment"),
    "choose_first": ("请先在首页选择或新建一个评估。", "Choose or start an assessment on the home page first."),
    "go_home": ("返回首页", "Go to the home page"),
    "saved": ("已保存", "Saved"),
    "unsaved_drafts": (
        "场景与指标有未保存的修改（已暂存，返回该页面可保存）。",
        "Scenarios and KPIs have unsaved edits (kept; go back to that page to save).",
    ),
    "unsaved_home": (
        "首页的{forms}有未保存的修改（已暂存，返回首页可保存）。",
        "Unsaved edits on the home page: {forms} (kept; go back to the home page to save).",
    ),
    "reload": ("重新加载", "Reload"),
    "keep_mine": ("保留我的修改", "Keep my changes"),
    "not_assessed": ("未评", "Not assessed"),
    "na": ("不适用", "N/A"),
    "note": ("说明", "Note"),
    "evidence": ("证据", "Evidence"),
    "evidence_hint": ("可作为证据：", "Evidence could be: "),
    "upload": ("上传证据", "Upload evidence"),
    "jump": ("跳到未答题项", "Jump to unanswered"),
    "progress": ("完成进度", "Progress"),
    "score": ("总分 S", "Score S"),
    "level": ("成熟度等级", "Maturity level"),
    "tier": ("智能工厂层级", "Smart-factory tier"),
    "gaps": ("差距与升级路径", "Gaps and upgrade path"),
    "eligibility": ("申报资格", "Declaration eligibility"),
    "provenance": ("条款来源", "Provenance"),
    "snapshot": ("保存结果快照", "Save a result snapshot"),
    "export": ("导出评估数据包", "Export assessment bundle"),
    "import": ("导入评估数据包", "Import an assessment bundle"),
    "save": ("保存", "Save"),
    "compare": ("对比两次评估", "Compare two assessments"),
    "trend": ("得分趋势", "Score trend"),
    "edition": ("标准版本", "Edition"),
    "diff": ("版本差异", "Edition differences"),
    "met": ("满足", "met"),
    "not_met": ("不满足", "not met"),
    "eligible": ("可申报", "eligible"),
    "not_eligible": ("不可申报", "not eligible"),
    "indicative": (
        "本工具条款为依据公开资料自拟，结果仅供参考，不等同于 CMMM 正式评估等级。",
        "The requirement statements are our own wording from public sources: results are indicative, not a CMMM grade.",
    ),
}

# Names of levels, tiers, grades, provenance kinds, statuses and industry types: one source, assessment.labels (from
# the criteria data); the pages pick a language with name(TABLE, key).
LEVEL_NAMES = labels.pairs("level")  # 三级 集成级 / Level 3 · Integrated
TIER_NAMES = labels.pairs("tier")
GRADE_NAMES = labels.pairs("grade")  # 0.8 大部分满足 / 0.8 Largely met
PROV_NAMES = labels.pairs("provenance")
REVIEW_BADGES = labels.pairs("review_badge")  # 专家已审 / 专家：需修改 / 专家：否决 / 待专家审核
STATUS_NAMES = labels.pairs("assessment_status")
INDUSTRY_NAMES = labels.pairs("industry_type")


def lang() -> str:
    return st.session_state.get(LANG, "zh")


def t(key: str) -> str:
    zh, en = S[key]
    return zh if lang() == "zh" else en


def name(table: dict, key) -> str:
    zh, en = table[key]
    return zh if lang() == "zh" else en


def pick(zh: str, en: str) -> str:
    return zh if lang() == "zh" else en


_BILINGUAL = re.compile(r" / |(?<=[）」』】”])/ ")  # "中文 / English", also "…（说明）/ English"


def halves(text: str) -> tuple[str, str] | None:
    """The Chinese and English halves of a "中文 / English" message (split at the first separator), or None."""
    m = _BILINGUAL.search(text)
    return (text[: m.start()], text[m.end() :]) if m else None


def msg(exc: BaseException | str) -> str:
    """A domain error's message in the chosen language: our messages read "中文 / English"; an error that carries
    its two halves (``parts``, e.g. assessment.answers.AnswersError) is not split again."""
    parts = getattr(exc, "parts", None)
    if isinstance(parts, tuple) and len(parts) == 2 and all(isinstance(x, str) for x in parts):
        return parts[0] if lang() == "zh" else parts[1]
    text = str(exc)
    both = halves(text)
    if both:
        return both[0] if lang() == "zh" else both[1]
    return text


def name_or_key(table: dict, key) -> str:
    """Like :func:`name`, but a value the table does not know (stored by an older or foreign version) shows as itself."""
    return name(table, key) if key in table else str(key)
