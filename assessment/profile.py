"""The enterprise/factory profile: the input of tier evaluation and declaration checks.

A profile is a YAML or JSON file; the README documents every field with a commented example.
Facts that are not given stay ``None`` and make the rules that need them fail with
"not provided" (未提供): the engine never assumes a fact in the applicant's favour.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ProfileError(ValueError):
    """A bad profile; the message is one line naming the field."""


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # schemas built on first use: fast CLI start


IndustryGroup = Literal["raw_materials", "equipment", "consumer", "electronics"]
Accident = Literal["none", "general", "serious", "major", "especially_major"]
Tier = Literal["basic", "advanced", "excellent", "leading"]
TIERS: tuple[str, ...] = get_args(Tier)
TIER_ZH = {"none": "未达到", "basic": "基础级", "advanced": "先进级", "excellent": "卓越级", "leading": "领航级"}


class Enterprise(_M):
    name: str = Field(min_length=1)
    factory: str | None = None
    credit_code: str | None = Field(default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
    legal_person: bool | None = None  # 独立法人
    branch_industry: str | None = None  # 分支机构所属行业（如 石油石化、有色金属）
    ownership: Literal["central_soe", "local_soe", "private", "foreign"] | None = None
    above_scale: bool | None = None  # 规模以上工业企业
    employees: int | None = Field(default=None, ge=0)
    revenue_wan: float | None = Field(default=None, ge=0)  # 营业收入（万元）
    industry_group: IndustryGroup | None = None
    industry_type: Literal["discrete", "process"] | None = None
    sub_sector: str | None = None
    province: str | None = None
    standing: Literal["global_leading", "international_advanced", "domestic_leading", "regional_leading", "none"] | None = (
        None  # 全球领先/国际先进/国内领先/区域领先
    )


class Region(_M):
    """Facts about the recommending body, used for recommendation quotas."""

    kind: Literal["province", "separately_planned_city", "bingtuan", "central_soe"] = "province"
    cumulative_provincial_pilots: int | None = Field(default=None, ge=0)  # 省级试点示范累计数量
    iva_rank: int | None = Field(default=None, ge=1)  # 工业增加值排名
    excellent_count: int | None = Field(default=None, ge=0)  # 本地区卓越级智能工厂数量


class Compliance(_M):
    good_results_3y: bool | None = None  # 近三年经营和财务状况良好
    good_credit: bool | None = None  # 信用记录良好、未列入严重失信名单
    worst_accident_3y: Accident | None = None  # 近三年最严重的安全生产或环境事故等级
    violations_3y: bool | None = None  # 近三年有违法违规行为
    secure_controllable: bool | None = None  # 关键装备、工业软件安全可控
    ip_disputes: bool | None = None  # 解决方案有知识产权纠纷
    holds_demo_task: bool | None = None  # 已承担示范工厂揭榜任务
    smart_mfg_team: bool | None = None  # 有智能工厂规划建设运营组织和人才队伍
    willing_site_review: bool | None = None  # 愿意配合现场评估与宣传推广
    build_completed: bool | None = None  # 已完成智能工厂建设（2024 卓越级申报条件）
    meets_industry_guidance: bool | None = None  # 满足行业智能制造指导性文件要求
    no_secrets: bool | None = None  # 申报材料不涉及国家秘密、商业秘密


class MaturityInput(_M):
    certified_level: int | None = Field(default=None, ge=0, le=5)  # 经评估机构认定的等级
    certificate_no: str | None = None
    self_assessed_level: int | None = Field(default=None, ge=0, le=5)  # 自评估等级（如 c3mep 平台）
    level: int | None = Field(default=None, ge=0, le=5)  # 等级（来源未说明时）
    edition: str = "maturity/2020"
    industry: Literal["discrete", "process"] | None = None
    answers: dict[str, Any] | None = None  # requirement id -> grade, scored by the maturity engine
    answers_file: str | None = None  # or a path to an answers file (relative to the profile)


class TierObtained(_M):
    tier: Literal["basic", "advanced", "excellent", "leading"]
    year: int = Field(ge=2024, le=2100)
    edition: str | None = None
    certificate_no: str | None = None


class ScenarioInstance(_M):
    scenario: str  # catalogue id (e.g. sg2025-s01), a catalogue name or alias, or "custom"
    name: str | None = None  # 场景实例名称
    link: str | None = None  # needed for custom scenarios
    ai: bool = False  # whether this instance applies AI
    ai_description: str | None = None
    supply_chain: bool | None = None  # 是否为供应链场景 (the platform's per-entry switch); None: from the link


class Scenarios(_M):
    catalogue: str = "scenarios/2025"
    instances: list[ScenarioInstance] = []


class KpiValue(_M):
    value: float
    period: str | None = None  # e.g. "2022-2024"
    baseline: float | None = None
    note: str | None = None


class Profile(_M):
    tier_edition: str = "smart_factory/2025"
    year: int | None = None
    enterprise: Enterprise
    region: Region = Region()
    compliance: Compliance = Compliance()
    maturity: MaturityInput | None = None
    tiers_obtained: list[TierObtained] = []
    scenarios: Scenarios = Scenarios()
    build_content: dict[str, bool] = {}  # build-content item id -> done
    outcomes: dict[str, bool] = {}  # outcome id -> met (with evidence)
    kpis: dict[str, KpiValue] = {}

    @model_validator(mode="after")
    def _custom_needs_link(self):
        for i, inst in enumerate(self.scenarios.instances):
            if inst.scenario == "custom" and not inst.link:
                raise ValueError(f"scenarios.instances.{i}.link: a custom scenario needs its link")
        return self

    def fact(self, path: str) -> Any:
        obj: Any = self
        for part in path.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj


def _field(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if not str(p).startswith("function-"))


def parse_profile(data: Any, source: str = "profile") -> Profile:
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: expected a mapping (see the profile format in the README)")
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = _field(tuple(err["loc"])) or "-"
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        if err["type"] == "missing":
            msg = "missing field"
        more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        raise ProfileError(f"{source}: {field}: {msg}{more}") from None
    return profile
